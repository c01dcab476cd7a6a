//! The store on both backends: migrations stay in step, and a journal reads back exactly.

use crate::helpers::*;
use std::collections::BTreeSet;

fn names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_names_and_files() {
    let sqlite = names("migrations/sqlite");
    let postgres = names("migrations/postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for m in &sqlite {
        assert_eq!(
            names(&format!("migrations/sqlite/{m}")),
            names(&format!("migrations/postgres/{m}")),
            "{m}"
        );
    }
}

#[actix_web::test]
async fn the_demo_journal_loads_and_reads_back_on_this_backend() {
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    let db = app.state.db.clone();
    let logins = actix_web::web::block(move || unknot::demo::load_fixed(&db, now))
        .await
        .unwrap()
        .unwrap();
    assert!(
        logins.entries > 500,
        "six months of entries: {}",
        logins.entries
    );
    let mut c = app.client();
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"email": logins.client.0, "password": logins.client.1}),
        )
        .await;
    assert_eq!(r.status, 200, "{} on {}", r.body, app.backend);
    c.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let count = |j: serde_json::Value| j["entries"].as_array().unwrap().len();
    let mine = serde_json::json!({"kind": "hydration", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"volume_ml": 123}});
    assert_eq!(c.post_json("/api/v1/entries", &mine).await.status, 201);
    let db = app.state.db.clone();
    let again = actix_web::web::block(move || unknot::demo::load_fixed(&db, now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.entries, logins.entries,
        "loading again resets the same journal"
    );
    // Resetting the password ended every session: sign in again.
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"email": logins.client.0, "password": logins.client.1}),
        )
        .await;
    c.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let all = c.get("/api/v1/entries?limit=500&kind=hydration&from=2026-05-10T00:00:00Z&to=2026-05-11T00:00:00Z").await.json();
    assert!(
        !all["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["data"]["volume_ml"] == 123),
        "what was added since is gone"
    );
    let mut total = 0;
    let mut cursor = String::new();
    loop {
        let page = c
            .get(&format!("/api/v1/entries?limit=500{cursor}"))
            .await
            .json();
        total += count(page.clone());
        match page["next_cursor"].as_str() {
            Some(n) => cursor = format!("&cursor={n}"),
            None => break,
        }
    }
    assert_eq!(total, logins.entries, "no duplicates");
    let events = c.get("/api/v1/entries?kind=event").await.json();
    assert_eq!(events["entries"][0]["data"]["name"], "Half marathon");
    let mut t = app.client();
    let r = t
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"email": logins.therapist.0, "password": logins.therapist.1}),
        )
        .await;
    assert_eq!(r.status, 200);
    t.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let clients = t.get("/api/v1/shares").await.json();
    assert_eq!(
        clients["clients"].as_array().unwrap().len(),
        1,
        "the demo client shares with the demo therapist"
    );
    assert_eq!(clients["clients"][0]["scope"], "read_notes");
}
