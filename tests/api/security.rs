//! Security defaults: headers, CSRF, the JWT attack set, hostile input never causing a 5xx.

use crate::helpers::*;
use serde_json::json;

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let mut c = app.client();
    for path in ["/login", "/healthz", "/api/v1/entries", "/nowhere"] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
    }
    let login = c.get("/login").await;
    assert!(
        !login.body.contains("<script>") && !login.body.contains(" style="),
        "no inline script or style"
    );
}

#[actix_web::test]
async fn forms_without_the_csrf_token_are_refused_with_403() {
    let app = spawn_app().await;
    register(&app, "s1@example.com", "client").await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post_form_raw(
            "/login",
            &[("email", "s1@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("reload the page"));
    let r = c
        .post_form_raw(
            "/login",
            &[
                ("csrf_token", "00000000000000000000000000000000"),
                ("email", "s1@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(!c.cookies.contains_key("unknot_session"));
    let mut signed_in = web_user(&app, "s2@example.com", "client").await;
    let r = signed_in
        .post_form_raw(
            "/log/hydration",
            &[("volume_ml", "250"), ("occurred_at", "2026-01-01T10:00")],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = signed_in.post_form_raw("/logout", &[]).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        signed_in.get("/timeline").await.status,
        200,
        "still signed in: logout needs the token too"
    );
}

#[actix_web::test]
async fn forged_expired_and_revoked_tokens_are_refused() {
    let app = spawn_app().await;
    let c = api_user(&app, "s3@example.com", "client").await;
    let good = c.bearer.clone().unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let none_header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let hs512_header = b64url(br#"{"alg":"HS512","typ":"JWT"}"#);
    let other_alg = format!("{hs512_header}.{}.{}", parts[1], parts[2]);
    let mut sig = parts[2].to_string();
    let last = sig.pop().unwrap();
    sig.push(if last == 'A' { 'B' } else { 'A' });
    let bad_sig = format!("{}.{}.{}", parts[0], parts[1], sig);
    let claims: serde_json::Value = {
        let (uid, sid) = app.state.keys.check(&good, "api").unwrap();
        json!({"uid": uid.to_string(), "sid": sid.to_string()})
    };
    let uid = unknot::domain::ids::UserId::parse(claims["uid"].as_str().unwrap()).unwrap();
    let sid = unknot::domain::ids::SessionId::parse(claims["sid"].as_str().unwrap()).unwrap();
    let past = chrono::Utc::now() - chrono::Duration::hours(3);
    let expired = app
        .state
        .keys
        .issue(uid, sid, "api", past, past + chrono::Duration::hours(1))
        .unwrap();
    let web_typed = app
        .state
        .keys
        .issue(
            uid,
            sid,
            "web",
            chrono::Utc::now(),
            chrono::Utc::now() + chrono::Duration::hours(1),
        )
        .unwrap();
    for (name, token) in [
        ("alg none", alg_none),
        ("other algorithm", other_alg),
        ("bad signature", bad_sig),
        ("expired", expired),
        ("cookie token as bearer", web_typed),
        ("garbage", "not.a.jwt".to_string()),
    ] {
        let mut attacker = app.client();
        attacker.bearer = Some(token);
        let r = attacker.get("/api/v1/profile").await;
        assert_eq!(r.status, 401, "{name}");
    }
    let mut owner = app.client();
    owner.bearer = Some(good.clone());
    assert_eq!(owner.get("/api/v1/profile").await.status, 200);
    owner.delete("/api/v1/auth/token").await;
    assert_eq!(owner.get("/api/v1/profile").await.status, 401, "revoked");
    // A session cookie forged from a bearer token is refused too.
    let mut browser = app.client();
    browser.cookies.insert("unknot_session".into(), good);
    assert_eq!(browser.get("/timeline").await.status, 303);
}

#[actix_web::test]
async fn hostile_or_broken_input_never_causes_a_server_error() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s4@example.com", "client").await;
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("POST", "/api/v1/entries", b"{not json".to_vec()),
        ("POST", "/api/v1/entries", b"[1,2,3]".to_vec()),
        ("POST", "/api/v1/entries", b"".to_vec()),
        ("POST", "/api/v1/entries", br#"{"kind":"episode","occurred_at":"2026-01-01T00:00:00Z","data":{"body_site":"neck","intensity":1e400}}"#.to_vec()),
        ("POST", "/api/v1/entries", br#"{"kind":"episode","occurred_at":"2026-01-01T00:00:00Z","data":{"body_site":"neck","intensity":99999999999999999999}}"#.to_vec()),
        ("POST", "/api/v1/entries", br#"{"kind":"condition","occurred_at":"+275760-09-13T00:00:00Z","data":{"status":"unwell"}}"#.to_vec()),
        ("POST", "/api/v1/entries", br#"{"kind":"hydration","occurred_at":"2026-01-01T00:00:00+23:59","data":{"volume_ml":5}}"#.to_vec()),
        ("PUT", "/api/v1/entries/not-a-uuid", b"{}".to_vec()),
        ("PUT", "/api/v1/profile", b"\xff\xfe".to_vec()),
        ("POST", "/api/v1/auth/register", br#"{"email":null,"password":12,"display_name":[],"role":{}}"#.to_vec()),
        ("POST", "/api/v1/auth/token", br#"{"email":"a@b.c"}"#.to_vec()),
        ("POST", "/api/v1/entries", vec![b'{'; 300 * 1024]),
    ];
    for (method, path, body) in bodies {
        let preview = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let r = c.send_raw(method, path, "application/json", body).await;
        assert!(
            r.status.is_client_error(),
            "{method} {path} {preview}: {} {}",
            r.status,
            r.body
        );
        let j = r.json();
        assert!(
            j["error"].is_string() && j["message"].is_string(),
            "{path}: {j}"
        );
    }
    let r = c.get("/api/v1/entries?limit=abc&from=%ZZ").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let big = c
        .send_raw(
            "POST",
            "/api/v1/entries",
            "application/json",
            vec![b' '; 300 * 1024],
        )
        .await;
    assert_eq!(big.status, 413);
    let mut browser = web_user(&app, "s5@example.com", "client").await;
    let huge = "x".repeat(70 * 1024);
    let r = browser.post_form("/log/episode", &[("notes", &huge)]).await;
    assert_eq!(r.status, 413);
    let r = browser
        .post_form(
            "/log/episode",
            &[
                ("intensity", "5"),
                ("body_site", "neck"),
                ("occurred_at", "2026-13-45T99:99"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(browser.get("/entries/not-a-uuid/edit").await.status, 404);
    assert_eq!(browser.get("/log/nap").await.status, 404);
}

#[actix_web::test]
async fn static_assets_have_hashed_names_and_are_cached_forever() {
    let app = spawn_app().await;
    let mut c = app.client();
    let page = c.get("/login").await;
    let css = page
        .body
        .split("href=\"/static/css/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        css.starts_with("app.") && css.len() > "app.css".len() + 5,
        "{css}"
    );
    let r = c.get(&format!("/static/css/{css}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(r.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(c.get("/static/css/app.0000000000.css").await.status, 404);
    assert_eq!(c.get("/static/../Cargo.toml").await.status, 404);
}

#[actix_web::test]
async fn healthz_answers_once_the_database_does() {
    let app = spawn_app().await;
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"status": "ok"}));
}

#[actix_web::test]
async fn pages_call_the_api_with_their_cookie_only_alongside_the_csrf_header() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "s6@example.com", "client").await;
    let r = c.get("/api/v1/entries").await;
    assert_eq!(
        r.status, 403,
        "a cookie alone does not open the API: {}",
        r.body
    );
    let token = c.cookies.get("unknot_csrf").cloned().unwrap();
    let page = c.get("/").await;
    assert!(
        page.body
            .contains(&format!("<meta name=\"csrf-token\" content=\"{token}\">"))
    );
    let http = awc::Client::default();
    let cookie = format!(
        "unknot_session={}; unknot_csrf={token}",
        c.cookies["unknot_session"]
    );
    let mut ok = http
        .get(format!("{}/api/v1/sync/pull", app.addr))
        .insert_header(("Cookie", cookie.clone()))
        .insert_header(("X-CSRF-Token", token.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "{:?}", ok.body().await);
    let bad = http
        .get(format!("{}/api/v1/sync/pull", app.addr))
        .insert_header(("Cookie", cookie))
        .insert_header(("X-CSRF-Token", "0".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
}

#[actix_web::test]
async fn the_openapi_document_describes_exactly_the_routes_the_api_serves() {
    let app = spawn_app().await;
    let r = app.client().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "delete"].contains(&k.as_str()))
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    documented.sort();
    assert_eq!(
        documented.len(),
        36,
        "every operation of API.md: {documented:?}"
    );
    // Each documented operation is served: without a token, guarded ones answer 401 and public
    // ones answer something other than "no such route".
    let security: std::collections::HashMap<(String, String), bool> = documented
        .iter()
        .map(|(m, p)| {
            let op = &paths[p][m.to_lowercase()];
            ((m.clone(), p.clone()), op["security"].is_array())
        })
        .collect();
    let mut c = app.client();
    for (method, template) in &documented {
        let path = template
            .replace("{id}", "0196c0de-0000-7000-8000-000000000001")
            .replace("{client_id}", "0196c0de-0000-7000-8000-000000000002")
            .replace("{note_id}", "0196c0de-0000-7000-8000-000000000003");
        let r = c.send_json(method, &path, &serde_json::json!({})).await;
        if security[&(method.clone(), template.clone())] {
            assert_eq!(r.status, 401, "{method} {template} is served and guarded");
        } else {
            assert!(
                ![404, 405].contains(&r.status.as_u16()),
                "{method} {template} is served: {}",
                r.status
            );
        }
        // Every body and every 2xx answer with content is described by a schema.
        let op = &paths[template][method.to_lowercase()];
        if let Some(content) = op["requestBody"]["content"].as_object() {
            assert!(
                content["application/json"]["schema"]["$ref"].is_string(),
                "{method} {template}"
            );
        }
        let ok = op["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {template} has a 2xx answer"))
            .1;
        if let Some(content) = ok["content"].as_object() {
            for (kind, c) in content {
                let schema = &c["schema"];
                assert!(
                    schema["$ref"].is_string() || schema["format"] == "binary",
                    "{method} {template} {kind}"
                );
            }
        }
    }
    let push = &paths["/api/v1/sync/push"]["post"];
    assert_eq!(
        push["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PushRequest"
    );
    assert_eq!(push["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(
        paths["/api/v1/entries/{id}"]["get"]["parameters"][0]["name"],
        "id"
    );
    let mut c = app.client();
    assert_eq!(
        c.get("/api/v1/nothing-here").await.json()["error"],
        "not_found"
    );
}
