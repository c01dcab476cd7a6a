//! Sharing pages: the authorization matrix over every page route, and the flows people use.

use crate::helpers::*;
use serde_json::json;

const ACTORS: &[&str] = &[
    "anonymous",
    "client",
    "other_client",
    "read",
    "read_notes",
    "revoked",
    "expired",
    "never",
];

/// Expected status per page route and actor; a route without a row panics.
fn expected(method: &str, path: &str, actor: &str) -> u16 {
    let client = matches!(actor, "client" | "other_client");
    if actor == "anonymous" {
        return 303;
    }
    let grant = |ok: u16| match actor {
        "read_notes" => ok,
        // A read share may look, but never write; another therapist's draft is not found.
        "read" if method != "GET" => 403,
        "read" if path.ends_with("/edit") => 404,
        "read" => ok,
        "revoked" | "expired" | "never" => 404,
        _ => 403,
    };
    match (method, path) {
        ("GET", "/share") | ("GET", "/share/log") => {
            if client {
                200
            } else {
                403
            }
        }
        ("POST", "/share") => {
            if client {
                201
            } else {
                403
            }
        }
        ("POST", "/share/{id}/revoke") => match actor {
            "client" => 303,
            "other_client" => 404,
            _ => 403,
        },
        ("GET", "/clients") => {
            if client {
                403
            } else {
                200
            }
        }
        ("POST", "/clients/redeem") => {
            if client {
                403
            } else {
                422
            }
        }
        ("GET", "/clients/{client_id}") => grant(200),
        ("GET", "/clients/{client_id}/report.pdf") => grant(200),
        ("GET", "/clients/{client_id}/notes/{note_id}/edit") => grant(200),
        ("POST", p) if p.starts_with("/clients/{client_id}") => grant(303),
        other => panic!("no authorization matrix row for page {other:?}"),
    }
}

fn form_for(method: &str, path: &str) -> Vec<(&'static str, &'static str)> {
    match (method, path) {
        ("POST", "/share") => vec![("scope", "read"), ("expires_in_days", "7")],
        ("POST", "/clients/redeem") => vec![("code", "0000-0000-0000")],
        ("POST", p) if p.ends_with("/notes") || p.ends_with("/edit") => {
            vec![("subjective", "tight"), ("status", "draft")]
        }
        ("POST", p) if p.ends_with("/addenda") => vec![("body", "correction")],
        _ => vec![],
    }
}

async fn share_code(owner: &mut Client, scope: &str, days: i64) -> (String, String) {
    let r = owner
        .post_json(
            "/api/v1/shares",
            &json!({"scope": scope, "expires_in_days": days}),
        )
        .await;
    let j = r.json();
    (
        j["id"].as_str().unwrap().to_string(),
        j["code"].as_str().unwrap().to_string(),
    )
}

#[actix_web::test]
async fn page_authorization_matrix_covers_every_sharing_page_and_actor() {
    let app = spawn_app().await;
    let client_id = register(&app, "owner@example.com", "client").await;
    for (email, role) in [
        ("other@example.com", "client"),
        ("read@example.com", "therapist"),
        ("notes@example.com", "therapist"),
        ("revoked@example.com", "therapist"),
        ("expired@example.com", "therapist"),
        ("never@example.com", "therapist"),
    ] {
        register(&app, email, role).await;
    }
    let mut owner = api_login(&app, "owner@example.com").await;
    for (email, scope, days, revoke) in [
        ("read@example.com", "read", 365, false),
        ("notes@example.com", "read_notes", 365, false),
        ("revoked@example.com", "read_notes", 365, true),
        ("expired@example.com", "read_notes", 1, false),
    ] {
        let (id, code) = share_code(&mut owner, scope, days).await;
        let mut t = api_login(&app, email).await;
        assert_eq!(
            t.post_json("/api/v1/shares/redeem", &json!({"code": code}))
                .await
                .status,
            200
        );
        if revoke {
            owner.delete(&format!("/api/v1/shares/{id}")).await;
        }
    }
    let mut notes_t = api_login(&app, "notes@example.com").await;
    let draft = notes_t
        .post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"subjective": "d"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fin = notes_t
        .post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"plan": "p", "status": "final"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.state.clock.advance(chrono::Duration::days(2));
    let mut actors = vec![("anonymous", app.client())];
    for (actor, email) in [
        ("client", "owner@example.com"),
        ("other_client", "other@example.com"),
        ("read", "read@example.com"),
        ("read_notes", "notes@example.com"),
        ("revoked", "revoked@example.com"),
        ("expired", "expired@example.com"),
        ("never", "never@example.com"),
    ] {
        actors.push((actor, web_login(&app, email).await));
    }
    let mut failures = Vec::new();
    let routes: Vec<(&str, &str)> = unknot::web::pages::sharing::routes()
        .into_iter()
        .chain(unknot::web::pages::clients::routes())
        .map(|r| (r.method, r.path))
        .collect();
    for (method, template) in &routes {
        for actor in ACTORS {
            let want = expected(method, template, actor);
            let share_id = if template.contains("{id}") {
                let mut o = api_login(&app, "owner@example.com").await;
                share_code(&mut o, "read", 5).await.0
            } else {
                String::new()
            };
            let note = if template.ends_with("/addenda") {
                &fin
            } else {
                &draft
            };
            let path = template
                .replace("{client_id}", &client_id)
                .replace("{id}", &share_id)
                .replace("{note_id}", note);
            let c = &mut actors.iter_mut().find(|(a, _)| a == actor).unwrap().1;
            let r = if *method == "GET" {
                c.get(&path).await
            } else {
                c.post_form(&path, &form_for(method, template)).await
            };
            if r.status.as_u16() != want {
                failures.push(format!(
                    "{method} {template} as {actor}: got {} want {want}",
                    r.status.as_u16()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[actix_web::test]
async fn a_client_shares_by_code_and_qr_and_a_therapist_redeems_it_by_form() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p1@example.com", "client").await;
    let page = c.get("/share").await;
    assert_eq!(page.status, 200);
    let r = c
        .post_form(
            "/share",
            &[("scope", "read_notes"), ("expires_in_days", "400")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Days the share lasts must be a whole number from 1 to 365")
    );
    let r = c
        .post_form(
            "/share",
            &[("scope", "read_notes"), ("expires_in_days", "14")],
        )
        .await;
    assert_eq!(r.status, 201);
    let code = r
        .body
        .split("class=\"share-code\" id=\"share-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 14);
    assert!(
        r.body.contains("<svg role=\"img\" aria-label=\"QR code"),
        "QR code drawn on the server"
    );
    assert!(r.body.contains("Copy code"));
    let mut t = web_user(&app, "p2@example.com", "therapist").await;
    let prefilled = t.get(&format!("/clients?code={code}")).await;
    assert!(
        prefilled.body.contains(&format!("value=\"{code}\"")),
        "the QR link fills in the code"
    );
    let bad = t.post_form("/clients/redeem", &[("code", "ABCD")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Share code is not a valid share code"));
    assert!(bad.body.contains("value=\"ABCD\""));
    let ok = t
        .post_form("/clients/redeem", &[("code", &code.to_lowercase())])
        .await;
    assert_eq!(ok.status, 303);
    let view = t.get(&ok.location()).await;
    assert_eq!(view.status, 200);
    assert!(
        view.body.contains("Save as final"),
        "read_notes lets them write notes"
    );
    let grants = c.get("/share").await;
    assert!(grants.body.contains("Test Person"));
    assert!(grants.body.contains("last looked"));
    let log = c.get("/share/log").await;
    assert!(
        log.body
            .contains("<strong>Test Person</strong> opened your journal"),
        "the therapist's read, in words: {}",
        log.body
    );
}

#[actix_web::test]
async fn dashboard_puts_clients_with_warnings_first_then_the_busiest() {
    let app = spawn_app().await;
    register(&app, "t@example.com", "therapist").await;
    let mut t = api_login(&app, "t@example.com").await;
    for (email, name, flags, n) in [
        ("calm@example.com", "Calm Carla", json!([]), 1),
        ("busy@example.com", "Busy Bo", json!([]), 3),
        ("flag@example.com", "Flagged Fay", json!(["numbness"]), 1),
    ] {
        let mut c = app.client();
        c.post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": PASSWORD, "display_name": name, "role": "client"}),
        )
        .await;
        let mut c = api_login(&app, email).await;
        for i in 0..n {
            let at = (chrono::Utc::now() - chrono::Duration::days(i + 1)).to_rfc3339();
            c.post_json("/api/v1/entries", &json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "neck", "intensity": 3, "red_flags": flags}})).await;
        }
        let (_, code) = share_code(&mut c, "read", 30).await;
        t.post_json("/api/v1/shares/redeem", &json!({"code": code}))
            .await;
    }
    let mut browser = web_user(&app, "t2@example.com", "therapist").await;
    assert!(
        browser
            .get("/")
            .await
            .body
            .contains("No client shares a journal with you yet")
    );
    let mut tb = web_login(&app, "t@example.com").await;
    let home = tb.get("/").await;
    let pos = |name: &str| {
        home.body
            .find(name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert!(
        pos("Flagged Fay") < pos("Busy Bo") && pos("Busy Bo") < pos("Calm Carla"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("See a doctor: See a doctor about numbness or weakness")
    );
    assert!(home.body.contains("3 episodes in 14 days"));
    let mut fay = api_login(&app, "flag@example.com").await;
    let log = fay.get("/api/v1/access-log").await.json();
    assert_eq!(
        log["accesses"][0]["resource"], "/clients (summary)",
        "the dashboard read is logged"
    );
}

#[actix_web::test]
async fn therapist_notes_reach_the_client_timeline_once_final() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "n1@example.com", "client").await;
    let r = c
        .post_form(
            "/share",
            &[("scope", "read_notes"), ("expires_in_days", "30")],
        )
        .await;
    let code = r
        .body
        .split("id=\"share-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let mut t = web_user(&app, "n2@example.com", "therapist").await;
    let view = t
        .post_form("/clients/redeem", &[("code", &code)])
        .await
        .location();
    let empty = t
        .post_form(&format!("{view}/notes"), &[("status", "draft")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty
            .body
            .contains("Subjective or another part of the note must be filled in")
    );
    let r = t
        .post_form(
            &format!("{view}/notes"),
            &[
                ("subjective", "calf cramps at night"),
                ("plan", "stretch"),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        !c.get("/timeline")
            .await
            .body
            .contains("calf cramps at night"),
        "drafts stay private"
    );
    let page = t.get(&view).await;
    let edit = page
        .body
        .split("/notes/")
        .nth(1)
        .unwrap()
        .split("/edit")
        .next()
        .unwrap()
        .to_string();
    let r = t
        .post_form(
            &format!("{view}/notes/{edit}/edit"),
            &[
                ("subjective", "calf cramps at night"),
                ("plan", "stretch daily"),
                ("status", "final"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        t.get(&format!("{view}/notes/{edit}/edit")).await.status,
        409,
        "final notes cannot be edited"
    );
    let r = t
        .post_form(
            &format!("{view}/notes/{edit}/addenda"),
            &[("body", "Also the left foot.")],
        )
        .await;
    assert_eq!(r.status, 303);
    let timeline = c.get("/timeline").await;
    assert!(timeline.body.contains("Notes from your therapist"));
    assert!(timeline.body.contains("stretch daily"));
    assert!(timeline.body.contains("Also the left foot."));
    let log = c.get("/share/log").await;
    assert!(
        log.body.contains("wrote a session note"),
        "writes are in the access log"
    );
}

#[actix_web::test]
async fn the_therapists_page_of_a_client_follows_each_new_entry() {
    let app = spawn_app().await;
    let cid = register(&app, "fay@example.com", "client").await;
    let mut client = api_login(&app, "fay@example.com").await;
    let (_, code) = share_code(&mut client, "read_notes", 30).await;
    register(&app, "t@example.com", "therapist").await;
    let mut t = api_login(&app, "t@example.com").await;
    t.post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    let mut tb = web_login(&app, "t@example.com").await;
    let page = format!("/clients/{cid}");
    let before = tb.get(&page).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(!before.body.contains("See a doctor about numbness"));
    let at = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let r = client.post_json("/api/v1/entries", &json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "neck", "intensity": 3, "red_flags": ["numbness"]}})).await;
    assert_eq!(r.status, 201);
    let r = client.post_json("/api/v1/entries", &json!({"kind": "massage", "occurred_at": at, "data": {"technique": "swedish", "duration_min": 47}})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let after = tb.get(&page).await;
    assert!(
        after
            .body
            .contains("See a doctor about numbness or weakness"),
        "the new red flag shows at once: {}",
        after.body
    );
    assert!(
        !before.body.contains(", 47 min") && after.body.contains(", 47 min"),
        "the new session can be noted"
    );
}
