//! Pages and the API run one application path per operation: what drifted apart when each edge
//! kept its own copy now agrees.

use crate::helpers::*;
use serde_json::{Value, json};

/// `days` ago, at noon UTC, as RFC 3339.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn log(c: &mut Client, kind: &str, days: i64, data: Value) {
    let r = c
        .post_json(
            "/api/v1/entries",
            &json!({"kind": kind, "occurred_at": days_ago(days), "data": data}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// A client and a therapist holding a `read_notes` grant; returns both and the client's id.
async fn shared(app: &TestApp) -> (Client, Client, String) {
    let client_id = register(app, "client@example.com", "client").await;
    register(app, "therapist@example.com", "therapist").await;
    let mut client = api_login(app, "client@example.com").await;
    let r = client
        .post_json(
            "/api/v1/shares",
            &json!({"scope": "read_notes", "expires_in_days": 30}),
        )
        .await;
    let code = r.json()["code"].as_str().unwrap().to_string();
    let mut therapist = api_login(app, "therapist@example.com").await;
    let r = therapist
        .post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (client, therapist, client_id)
}

async fn browser(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c
        .post_form("/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

#[actix_web::test]
async fn therapist_dashboard_sees_the_lapsed_routine_the_client_sees() {
    let app = spawn_app().await;
    let (mut client, _, _) = shared(&app).await;
    // Three sessions in a series that ended 100 days ago (older than the 90 days of recent
    // entries the rules read), and spasms since: the routine has lapsed.
    for days in [130, 115, 100] {
        log(
            &mut client,
            "massage",
            days,
            json!({"technique": "swedish", "duration_min": 60}),
        )
        .await;
    }
    for days in [30, 10] {
        log(
            &mut client,
            "episode",
            days,
            json!({"body_site": "calf_left", "intensity": 5}),
        )
        .await;
    }
    let own = client.get("/api/v1/suggestions").await.json();
    let lapsed = own["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule_id"] == "maintenance-lapsed")
        .unwrap_or_else(|| panic!("the client sees maintenance-lapsed: {own}"))
        .clone();
    let from = chrono::NaiveDate::parse_from_str(
        lapsed["suggested_window"]["from"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let to = chrono::NaiveDate::parse_from_str(
        lapsed["suggested_window"]["to"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let want = format!("book {} to {}", from.format("%-d %b"), to.format("%-d %b"));
    let mut therapist = browser(&app, "therapist@example.com").await;
    let page = therapist.get("/clients").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&want),
        "the dashboard's next booking is the client's window ({want}): {}",
        page.body
    );
}

#[actix_web::test]
async fn a_note_whose_session_check_fails_in_the_database_is_not_saved_unlinked() {
    let app = spawn_app().await;
    let (mut client, mut therapist, client_id) = shared(&app).await;
    log(
        &mut client,
        "massage",
        1,
        json!({"technique": "swedish", "duration_min": 60}),
    )
    .await;
    let session = client.get("/api/v1/entries?kind=massage").await.json()["entries"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The session check's query now fails inside the database.
    app.state
        .db
        .write_blocking(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query("ALTER TABLE entries RENAME COLUMN field_versions TO fv_gone")
                .execute(c)?;
            Ok::<_, unknot::store::StoreError>(())
        })
        .unwrap();
    let r = therapist
        .post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"subjective": "tight calves", "session_entry_id": session}),
        )
        .await;
    assert_eq!(r.status, 500, "a failed check is an error: {}", r.body);
    assert_eq!(r.json()["message"], "Internal Server Error");
    let notes = therapist
        .get(&format!("/api/v1/clients/{client_id}/notes"))
        .await
        .json();
    assert_eq!(notes["notes"], json!([]), "nothing was saved: {notes}");
}

#[actix_web::test]
async fn note_status_and_addenda_are_checked_alike_on_the_page_and_the_api() {
    let app = spawn_app().await;
    let (_, mut api, client_id) = shared(&app).await;
    let mut page = browser(&app, "therapist@example.com").await;
    let notes = format!("/clients/{client_id}/notes");
    // A status that is neither draft nor final.
    let r = api
        .post_json(
            &format!("/api/v1{notes}"),
            &json!({"plan": "weekly", "status": "finished"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["fields"]["status"], "must be one of draft, final");
    let r = page
        .post_form(&notes, &[("plan", "weekly"), ("status", "finished")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("must be one of draft, final"), "{}", r.body);
    let r = api.get(&format!("/api/v1{notes}")).await.json();
    assert_eq!(r["notes"], json!([]), "neither edge saved it: {r}");
    // Addenda: blank or longer than 4000 characters is refused by both, with the same words.
    let fin = api
        .post_json(
            &format!("/api/v1{notes}"),
            &json!({"plan": "weekly", "status": "final"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let addenda = format!("{notes}/{fin}/addenda");
    for body in ["   ".to_string(), "x".repeat(4001)] {
        let r = api
            .post_json(&format!("/api/v1{addenda}"), &json!({"body": body}))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let why = r.json()["fields"]["body"].as_str().unwrap().to_string();
        let p = page.post_form(&addenda, &[("body", &body)]).await;
        assert_eq!(p.status, 422, "{}", p.body);
        assert!(p.body.contains(&why), "the page says {why:?}: {}", p.body);
    }
    let r = page.post_form(&addenda, &[("body", "  dated fix  ")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let n = api.get(&format!("/api/v1{notes}")).await.json();
    assert_eq!(n["notes"][0]["addenda"][0]["body"], "dated fix");
}

#[actix_web::test]
async fn registering_a_taken_email_on_the_page_says_so_in_plain_words() {
    let app = spawn_app().await;
    register(&app, "ana@example.com", "client").await;
    let mut c = app.client();
    c.get("/register").await;
    let r = c
        .post_form(
            "/register",
            &[
                ("email", "Ana@Example.com"),
                ("password", PASSWORD),
                ("display_name", "Ana"),
                ("role", "client"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("is already used by an account. Log in instead, or use another address."),
        "{}",
        r.body
    );
    assert!(!r.body.contains("already exists"), "{}", r.body);
    assert!(r.body.contains("value=\"Ana\""), "what was typed is kept");
}
