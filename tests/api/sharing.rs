//! Sharing: codes, redeeming, scopes, expiry, revocation, notes, the access log, and the
//! authorization matrix over every sharing route.

use crate::helpers::*;
use serde_json::{Value, json};

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

/// The expected status of `actor` on a sharing route. A route without a row here panics, so a new
/// route cannot slip past this test.
fn expected(method: &str, path: &str, actor: &str) -> u16 {
    let therapist = matches!(
        actor,
        "read" | "read_notes" | "revoked" | "expired" | "never"
    );
    let client = matches!(actor, "client" | "other_client");
    if actor == "anonymous" {
        return 401;
    }
    match (method, path) {
        ("POST", "/api/v1/shares") => {
            if client {
                201
            } else {
                403
            }
        }
        ("GET", "/api/v1/shares") => 200,
        ("DELETE", "/api/v1/shares/{id}") => match actor {
            "client" => 204,
            "other_client" => 404,
            _ => 403,
        },
        ("POST", "/api/v1/shares/redeem") => {
            if therapist {
                422
            } else {
                403
            }
        }
        ("GET", "/api/v1/access-log") | ("GET", "/api/v1/notes") => {
            if client {
                200
            } else {
                403
            }
        }
        ("GET", p) if p.starts_with("/api/v1/clients/") => match actor {
            "read" | "read_notes" => 200,
            "revoked" | "expired" | "never" => 404,
            _ => 403,
        },
        (_, p) if p.starts_with("/api/v1/clients/") => match actor {
            "read_notes" => {
                if method == "PUT" {
                    200
                } else {
                    201
                }
            }
            "read" => 403,
            "revoked" | "expired" | "never" => 404,
            _ => 403,
        },
        other => panic!("no authorization matrix row for {other:?}"),
    }
}

fn body_for(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("POST", "/api/v1/shares") => Some(json!({"scope": "read", "expires_in_days": 3})),
        ("POST", "/api/v1/shares/redeem") => Some(json!({"code": "0000-0000-0000"})),
        ("POST", p) if p.ends_with("/notes") => Some(json!({"subjective": "tight calves"})),
        ("PUT", _) => Some(json!({"subjective": "tight calves, better", "status": "draft"})),
        ("POST", p) if p.ends_with("/addenda") => Some(json!({"body": "correction: left calf"})),
        _ => None,
    }
}

struct World {
    app: TestApp,
    client_id: String,
    actors: Vec<(&'static str, Client)>,
    draft_note: String,
    final_note: String,
}

async fn share(c: &mut Client, scope: &str, days: i64) -> (String, String) {
    let r = c
        .post_json(
            "/api/v1/shares",
            &json!({"scope": scope, "expires_in_days": days}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let j = r.json();
    (
        j["id"].as_str().unwrap().to_string(),
        j["code"].as_str().unwrap().to_string(),
    )
}

async fn redeem(t: &mut Client, code: &str) -> Reply {
    t.post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await
}

async fn world() -> World {
    let app = spawn_app().await;
    let client_id = register(&app, "owner@example.com", "client").await;
    let mut owner = app.client();
    let r = owner
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "owner@example.com", "password": PASSWORD}),
        )
        .await;
    owner.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let other = api_user(&app, "other@example.com", "client").await;
    let mut read = api_user(&app, "read@example.com", "therapist").await;
    let mut notes_t = api_user(&app, "notes@example.com", "therapist").await;
    let mut revoked = api_user(&app, "revoked@example.com", "therapist").await;
    let mut expired = api_user(&app, "expired@example.com", "therapist").await;
    let never = api_user(&app, "never@example.com", "therapist").await;
    let (_, code) = share(&mut owner, "read", 365).await;
    assert_eq!(redeem(&mut read, &code).await.status, 200);
    let (_, code) = share(&mut owner, "read_notes", 365).await;
    assert_eq!(redeem(&mut notes_t, &code).await.status, 200);
    let (rid, code) = share(&mut owner, "read_notes", 365).await;
    assert_eq!(redeem(&mut revoked, &code).await.status, 200);
    assert_eq!(
        owner.delete(&format!("/api/v1/shares/{rid}")).await.status,
        204
    );
    let (_, code) = share(&mut owner, "read_notes", 1).await;
    assert_eq!(redeem(&mut expired, &code).await.status, 200);
    let draft = notes_t
        .post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"subjective": "draft"}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let fin = notes_t
        .post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"plan": "weekly", "status": "final"}),
        )
        .await;
    app.state.clock.advance(chrono::Duration::days(2));
    // Tokens expire with the clock too: everyone signs in again.
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
        actors.push((actor, api_login(&app, email).await));
    }
    let _ = (owner, other, read, notes_t, revoked, expired, never);
    World {
        client_id: client_id.clone(),
        draft_note: draft.json()["id"].as_str().unwrap().to_string(),
        final_note: fin.json()["id"].as_str().unwrap().to_string(),
        actors,
        app,
    }
}

#[actix_web::test]
async fn authorization_matrix_covers_every_sharing_route_and_actor() {
    let mut w = world().await;
    let mut failures = Vec::new();
    let routes: Vec<(&str, &str)> = unknot::api::shares::endpoints()
        .iter()
        .map(|e| (e.method.as_str(), e.path))
        .collect();
    for (method, template) in &routes {
        for actor in ACTORS {
            let want = expected(method, template, actor);
            let idx = w.actors.iter().position(|(a, _)| a == actor).unwrap();
            // A fresh share to delete, so every actor meets a live one.
            let share_id = if template.contains("{id}") {
                let owner = w
                    .actors
                    .iter_mut()
                    .find(|(a, _)| *a == "client")
                    .map(|(_, c)| c)
                    .unwrap();
                share(owner, "read", 5).await.0
            } else {
                String::new()
            };
            let note = if template.ends_with("/addenda") {
                &w.final_note
            } else {
                &w.draft_note
            };
            let path = template
                .replace("{client_id}", &w.client_id)
                .replace("{id}", &share_id)
                .replace("{note_id}", note);
            let c = &mut w.actors[idx].1;
            let r = match body_for(method, template) {
                Some(b) => c.send_json(method, &path, &b).await,
                None if *method == "DELETE" => c.delete(&path).await,
                None => c.get(&path).await,
            };
            if r.status.as_u16() != want {
                failures.push(format!(
                    "{method} {template} as {actor}: got {} want {want}: {}",
                    r.status.as_u16(),
                    &r.body[..r.body.len().min(120)]
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
    let _ = &w.app;
}

#[actix_web::test]
async fn a_code_works_once_and_wrong_used_expired_or_revoked_codes_get_one_message() {
    let app = spawn_app().await;
    let mut owner = api_user(&app, "c1@example.com", "client").await;
    let mut t1 = api_user(&app, "t1@example.com", "therapist").await;
    let mut t2 = api_user(&app, "t2@example.com", "therapist").await;
    let (_, code) = share(&mut owner, "read", 30).await;
    assert!(
        code.len() == 14 && code.chars().nth(4) == Some('-'),
        "{code}"
    );
    let typed = code.to_lowercase().replace('-', " ");
    let ok = redeem(&mut t1, &typed).await;
    assert_eq!(
        ok.status, 200,
        "forgiving about case and spaces: {}",
        ok.body
    );
    assert_eq!(ok.json()["scope"], "read");
    let used = redeem(&mut t2, &code).await;
    assert_eq!(used.status, 422);
    let message = used.json()["fields"]["code"].as_str().unwrap().to_string();
    let (rid, revoked_code) = share(&mut owner, "read", 30).await;
    owner.delete(&format!("/api/v1/shares/{rid}")).await;
    assert_eq!(
        redeem(&mut t2, &revoked_code).await.json()["fields"]["code"],
        message.as_str()
    );
    let (_, short) = share(&mut owner, "read", 1).await;
    app.state
        .clock
        .advance(chrono::Duration::days(1) + chrono::Duration::seconds(1));
    let mut t2 = api_login(&app, "t2@example.com").await;
    let mut owner = api_login(&app, "c1@example.com").await;
    assert_eq!(
        redeem(&mut t2, &short).await.json()["fields"]["code"],
        message.as_str()
    );
    assert_eq!(
        redeem(&mut t2, "ZZZZ-ZZZZ-ZZZZ").await.json()["fields"]["code"],
        message.as_str()
    );
    let list = owner.get("/api/v1/shares").await.json();
    let shares = list["shares"].as_array().unwrap();
    assert_eq!(shares.len(), 3);
    let redeemed = shares
        .iter()
        .find(|s| s["redeemed_by"].is_object())
        .unwrap();
    assert_eq!(redeemed["redeemed_by"]["display_name"], "Test Person");
    let theirs = api_login(&app, "t1@example.com")
        .await
        .get("/api/v1/shares")
        .await
        .json();
    assert_eq!(theirs["clients"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn guessing_codes_is_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    let mut t = api_user(&app, "guess@example.com", "therapist").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(redeem(&mut t, "AAAA-BBBB-CCCC").await);
    }
    assert!(statuses[..5].iter().all(|r| r.status == 422));
    let limited = &statuses[5];
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["error"], "rate_limited");
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}

#[actix_web::test]
async fn revocation_takes_effect_on_the_very_next_request_and_the_log_lists_exactly_the_accesses() {
    let app = spawn_app().await;
    let client_id = register(&app, "c2@example.com", "client").await;
    let mut owner = app.client();
    let r = owner
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "c2@example.com", "password": PASSWORD}),
        )
        .await;
    owner.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let mut t = api_user(&app, "t3@example.com", "therapist").await;
    let (sid, code) = share(&mut owner, "read", 30).await;
    redeem(&mut t, &code).await;
    let base = format!("/api/v1/clients/{client_id}");
    assert_eq!(t.get(&format!("{base}/entries")).await.status, 200);
    assert_eq!(t.get(&format!("{base}/suggestions")).await.status, 200);
    assert_eq!(
        t.post_json(&format!("{base}/notes"), &json!({"subjective": "x"}))
            .await
            .status,
        403,
        "read scope cannot write"
    );
    assert_eq!(
        owner.delete(&format!("/api/v1/shares/{sid}")).await.status,
        204
    );
    assert_eq!(t.get(&format!("{base}/entries")).await.status, 404);
    let log = owner.get("/api/v1/access-log").await.json();
    let seen: Vec<(String, String)> = log["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_string(),
                a["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("read".to_string(), format!("{base}/suggestions")),
            ("read".to_string(), format!("{base}/entries"))
        ]
    );
    assert_eq!(log["accesses"][0]["therapist_name"], "Test Person");
    let shares = owner.get("/api/v1/shares").await.json();
    assert!(shares["shares"][0]["last_access_at"].is_string());
    assert_eq!(shares["shares"][0]["revoked"], true);
}

#[actix_web::test]
async fn final_notes_never_change_and_corrections_are_dated_addenda() {
    let app = spawn_app().await;
    let client_id = register(&app, "c3@example.com", "client").await;
    let mut owner = app.client();
    let r = owner
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "c3@example.com", "password": PASSWORD}),
        )
        .await;
    owner.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let session = owner
        .post_json("/api/v1/entries", &json!({"kind": "massage", "occurred_at": "2026-05-10T17:00:00+01:00", "data": {"technique": "swedish"}}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let water = owner.post_json("/api/v1/entries", &json!({"kind": "hydration", "occurred_at": "2026-05-10T17:00:00+01:00", "data": {"volume_ml": 300}})).await.json()["id"].as_str().unwrap().to_string();
    let mut t = api_user(&app, "t4@example.com", "therapist").await;
    let (_, code) = share(&mut owner, "read_notes", 30).await;
    redeem(&mut t, &code).await;
    let base = format!("/api/v1/clients/{client_id}/notes");
    let bad = t
        .post_json(
            &base,
            &json!({"subjective": "x", "session_entry_id": water}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["fields"]["session_entry_id"].is_string());
    let empty = t
        .post_json(&base, &json!({"session_entry_id": session}))
        .await;
    assert_eq!(empty.status, 422);
    let draft = t.post_json(&base, &json!({"subjective": "sore calves", "objective": "tight gastrocnemius", "assessment": "cramp pattern", "plan": "weekly", "session_entry_id": session})).await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let id = draft.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        owner.get("/api/v1/notes").await.json()["notes"],
        json!([]),
        "drafts stay with the therapist"
    );
    let fin = t.send_json("PUT", &format!("{base}/{id}"), &json!({"subjective": "sore calves", "plan": "weekly, stretch daily", "status": "final"})).await;
    assert_eq!(fin.status, 200, "{}", fin.body);
    assert_eq!(fin.json()["status"], "final");
    let again = t
        .send_json(
            "PUT",
            &format!("{base}/{id}"),
            &json!({"subjective": "changed"}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"], "note_final");
    assert_eq!(
        t.post_json(
            &format!("{base}/{id}/addenda"),
            &json!({"body": "It was the left calf."})
        )
        .await
        .status,
        201
    );
    let mine = owner.get("/api/v1/notes").await.json();
    assert_eq!(mine["notes"][0]["plan"], "weekly, stretch daily");
    assert_eq!(mine["notes"][0]["session_entry_id"], session.as_str());
    assert_eq!(
        mine["notes"][0]["addenda"][0]["body"],
        "It was the left calf."
    );
    let writes: Vec<String> = owner.get("/api/v1/access-log").await.json()["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "write")
        .map(|a| a["resource"].as_str().unwrap().replace(&base, "notes"))
        .collect();
    let note = format!("notes/{id}");
    // Only writes that took effect are logged (issue 11): a refused one (a final note edited,
    // a bad session link) changes nothing and leaves no row.
    assert_eq!(
        writes,
        vec![format!("{note}/addenda"), note, "notes".into()]
    );
}
