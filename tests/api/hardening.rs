//! Security findings closed (issue 11): the login redirect stays on this site, control
//! characters are refused alike on both backends, registration is rate-limited per address,
//! private answers are never stored by caches, and HSTS is sent when served over HTTPS.

use crate::helpers::*;
use serde_json::json;

#[actix_web::test]
async fn after_login_next_only_leads_to_a_path_on_this_site() {
    let app = spawn_app().await;
    register(&app, "ana@example.com", "client").await;
    for (next, want) in [
        ("/timeline", "/timeline"),
        ("/\t/evil.example", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
    ] {
        let mut c = app.client();
        c.get("/login").await;
        let r = c
            .post_form(
                "/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{next:?}: {}", r.body);
        assert_eq!(r.location(), want, "{next:?}");
    }
}

#[actix_web::test]
async fn control_characters_are_refused_with_422_on_every_backend() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "ana@example.com", "client").await;
    let r = c
        .post_json(
            "/api/v1/entries",
            &json!({"kind": "episode", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"body_site": "neck", "intensity": 3, "notes": "a\u{0}b"}}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.json()["fields"]["data.notes"],
        "must not contain control characters (line breaks and tabs are fine)"
    );
    let ok = c
        .post_json(
            "/api/v1/entries",
            &json!({"kind": "episode", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"body_site": "neck", "intensity": 3, "notes": "line one\r\nline two\tend"}}),
        )
        .await;
    assert_eq!(ok.status, 201, "line breaks and tabs are fine: {}", ok.body);
    assert_eq!(ok.json()["data"]["notes"], "line one\nline two\tend");
    let mut anon = app.client();
    let reg = anon
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "x\u{0}@example.com", "password": PASSWORD, "display_name": "N\u{7}", "role": "client"}),
        )
        .await;
    assert_eq!(reg.status, 422, "{}", reg.body);
    let fields = reg.json()["fields"].clone();
    assert!(
        fields["email"].is_string() && fields["display_name"].is_string(),
        "{fields}"
    );
    let login = anon
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "ana\u{0}@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 401, "{}", login.body);
    let profile = c
        .send_json(
            "PUT",
            "/api/v1/profile",
            &json!({"display_name": "Ana\u{1b}[31m"}),
        )
        .await;
    assert_eq!(profile.status, 422, "{}", profile.body);
}

#[actix_web::test]
async fn registration_is_rate_limited_per_address_with_retry_after() {
    let app = spawn_app().await;
    let mut c = app.client();
    for i in 0..20 {
        let r = c
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": format!("u{i}@example.com"), "password": PASSWORD, "display_name": "U", "role": "client"}),
            )
            .await;
        assert_eq!(r.status, 201, "{i}: {}", r.body);
    }
    let r = c
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "one-more@example.com", "password": PASSWORD, "display_name": "U", "role": "client"}),
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    let mut page = app.client();
    page.get("/register").await;
    let p = page
        .post_form(
            "/register",
            &[
                ("email", "page@example.com"),
                ("password", PASSWORD),
                ("display_name", "Page"),
                ("role", "client"),
            ],
        )
        .await;
    assert_eq!(p.status, 429);
    assert!(
        p.body.contains("too many new accounts from this address"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"Page\""), "what was typed is kept");
    assert!(p.header("retry-after").is_some());
}

#[actix_web::test]
async fn private_answers_are_never_stored_and_assets_are_cached_for_good() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "ana@example.com", "client").await;
    for path in ["/", "/timeline", "/settings", "/export"] {
        assert_eq!(
            c.get(path).await.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
    let mut api = api_login(&app, "ana@example.com").await;
    for path in ["/api/v1/entries", "/api/v1/profile", "/api/v1/suggestions"] {
        assert_eq!(
            api.get(path).await.header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
    let page = c.get("/timeline").await.body;
    let css = page
        .split("href=\"/static/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let asset = c.get(&format!("/static/{css}")).await;
    assert!(asset.header("cache-control").unwrap().contains("immutable"));
    assert!(
        c.get("/")
            .await
            .header("strict-transport-security")
            .is_none(),
        "no HSTS over plain HTTP"
    );
}

#[actix_web::test]
async fn hsts_is_sent_when_served_over_https() {
    let app = spawn_app_with(|s| s.secure_cookies = true).await;
    let r = app.client().get("/login").await;
    assert_eq!(
        r.header("strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
}

/// Ana (a client, signed in to the API) shares with `scope`, and Sam (a therapist, signed in
/// to pages and to the API) redeems the code: Ana's id, then Ana, Sam's pages and Sam's API.
async fn ana_shares_with_sam(app: &TestApp, scope: &str) -> (String, Client, Client, Client) {
    let client_id = register(app, "ana@example.com", "client").await;
    let mut ana = api_login(app, "ana@example.com").await;
    let sam = web_user(app, "sam@example.com", "therapist").await;
    let mut sam_api = api_login(app, "sam@example.com").await;
    share_and_redeem(&mut ana, &mut sam_api, scope).await;
    (client_id, ana, sam, sam_api)
}

#[actix_web::test]
async fn only_writes_that_pass_csrf_and_validation_reach_the_access_log() {
    let app = spawn_app().await;
    let (client_id, mut ana, mut sam, mut sam_api) = ana_shares_with_sam(&app, "read_notes").await;
    let notes = format!("/clients/{client_id}/notes");
    let writes = |log: &serde_json::Value| {
        log["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["action"] == "write")
            .count()
    };
    let forged = sam
        .post_form_raw(&notes, &[("csrf_token", "0000"), ("plan", "weekly")])
        .await;
    assert_eq!(forged.status, 403);
    let invalid = sam
        .post_form(&notes, &[("plan", "weekly"), ("status", "finished")])
        .await;
    assert_eq!(invalid.status, 422);
    let api_invalid = sam_api
        .post_json(&format!("/api/v1{notes}"), &json!({"plan": ""}))
        .await;
    assert_eq!(api_invalid.status, 422);
    assert_eq!(
        writes(&ana.get("/api/v1/access-log").await.json()),
        0,
        "refused writes leave no row"
    );
    let saved = sam.post_form(&notes, &[("plan", "weekly")]).await;
    assert_eq!(saved.status, 303);
    let log = ana.get("/api/v1/access-log").await.json();
    assert_eq!(writes(&log), 1, "{log}");
}

#[actix_web::test]
async fn only_reads_that_pass_validation_reach_the_access_log() {
    let app = spawn_app().await;
    let (client_id, mut ana, mut sam, mut sam_api) = ana_shares_with_sam(&app, "read").await;
    async fn reads(ana: &mut Client) -> Vec<String> {
        let log = ana.get("/api/v1/access-log").await.json();
        log["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["action"] == "read")
            .map(|a| a["resource"].as_str().unwrap().to_string())
            .collect()
    }
    let api = format!("/api/v1/clients/{client_id}");
    for bad in [
        format!("{api}/entries?limit=abc"),
        format!("{api}/entries?from=yesterday"),
        format!("{api}/suggestions?now=soon"),
        format!("{api}/trends?bucket=year"),
    ] {
        assert_eq!(sam_api.get(&bad).await.status, 422, "{bad}");
    }
    assert_eq!(
        reads(&mut ana).await,
        Vec::<String>::new(),
        "refused reads leave no row"
    );
    assert_eq!(sam_api.get(&format!("{api}/entries")).await.status, 200);
    assert_eq!(sam.get(&format!("/clients/{client_id}")).await.status, 200);
    let logged = reads(&mut ana).await;
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged.contains(&format!("{api}/entries")), "{logged:?}");
}

async fn register_as(c: &mut Client, n: u32) -> u16 {
    let body = json!({"email": format!("p{n}@example.com"), "password": PASSWORD, "display_name": "P", "role": "client"});
    c.post_json("/api/v1/auth/register", &body)
        .await
        .status
        .as_u16()
}

#[actix_web::test]
async fn behind_a_trusted_proxy_limits_count_the_real_client_address() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let mut first = app.client();
    first
        .headers
        .push(("X-Forwarded-For".into(), "203.0.113.1".into()));
    for n in 0..20 {
        assert_eq!(register_as(&mut first, n).await, 201);
    }
    assert_eq!(
        register_as(&mut first, 20).await,
        429,
        "this client used its limit"
    );
    let mut second = app.client();
    second
        .headers
        .push(("X-Forwarded-For".into(), "203.0.113.2".into()));
    assert_eq!(
        register_as(&mut second, 21).await,
        201,
        "another client behind the same proxy"
    );

    // Without trusted proxies the header is not believed: the peer is the client.
    let direct = spawn_app().await;
    let mut spoof = direct.client();
    for n in 0..20 {
        spoof.headers = vec![("X-Forwarded-For".into(), format!("198.51.100.{n}"))];
        assert_eq!(register_as(&mut spoof, n).await, 201);
    }
    spoof.headers = vec![("X-Forwarded-For".into(), "198.51.100.99".into())];
    assert_eq!(
        register_as(&mut spoof, 99).await,
        429,
        "a forged header changes nothing"
    );
}

#[actix_web::test]
async fn an_id_in_a_path_that_is_not_an_id_is_404_on_both_backends() {
    let app = spawn_app().await;
    let mut api = api_user(&app, "nul-ids@example.com", "client").await;
    for path in [
        "/api/v1/shares/%00%01x",
        "/api/v1/report-links/%00",
        "/api/v1/shares/not-an-id",
    ] {
        let r = api.delete(path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let mut web = web_user(&app, "nul-ids-web@example.com", "client").await;
    for path in ["/share/%00/revoke", "/export/links/%00%7F/revoke"] {
        let r = web.post_form(path, &[]).await;
        assert_eq!(r.status, 404, "{path}");
    }
}
