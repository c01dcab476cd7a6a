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

/// Runs every migration named before `before`, on a database of this backend.
fn migrate_until(db: &TestDatabase, before: &str) -> Box<dyn FnMut(&str)> {
    use diesel::Connection;
    use diesel::migration::MigrationSource;
    use diesel_migrations::MigrationHarness;
    macro_rules! upto {
        ($conn:expr, $source:expr) => {{
            let mut conn = $conn;
            diesel::migration::MigrationConnection::setup(&mut conn).unwrap();
            let list: Vec<Box<dyn diesel::migration::Migration<_>>> =
                MigrationSource::migrations(&$source).unwrap();
            for m in list
                .iter()
                .filter(|m| m.name().to_string().as_str() < before)
            {
                conn.run_migration(m.as_ref()).unwrap();
            }
            Box::new(move |sql: &str| {
                diesel::connection::SimpleConnection::batch_execute(&mut conn, sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            })
        }};
    }
    match &db.url {
        unknot::config::DatabaseUrl::Sqlite(path) => upto!(
            diesel::SqliteConnection::establish(path).unwrap(),
            unknot::store::SQLITE_MIGRATIONS
        ),
        unknot::config::DatabaseUrl::Postgres(url) => upto!(
            diesel::PgConnection::establish(url).unwrap(),
            unknot::store::POSTGRES_MIGRATIONS
        ),
    }
}

#[actix_web::test]
async fn journals_kept_before_entries_named_their_owner_by_number_survive_the_migration() {
    use unknot::domain::ids::{EntryId, UserId};
    use unknot::store::entries::{self, ListQuery};
    let db = fresh_database();
    let (a, b) = (UserId::new_v7(), UserId::new_v7());
    {
        let mut sql = migrate_until(&db, "2026-11-24-000002");
        for (u, email) in [(a, "a@example.com"), (b, "b@example.com")] {
            sql(&format!(
                "INSERT INTO users (id, email, password_hash, display_name, role, created_at, \
                 updated_at, seq) VALUES ('{u}', '{email}', 'x', 'x', 'client', \
                 '2026-05-01 08:00:00', '2026-05-01 08:00:00', 3)"
            ));
        }
        // a: two live entries and a deleted one (recent, so not purged at start); b: one.
        let today = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S");
        let rows = [
            (a, 250, false, 1),
            (a, 300, false, 2),
            (a, 350, true, 3),
            (b, 400, false, 1),
        ];
        for (u, ml, deleted, seq) in rows {
            sql(&format!(
                "INSERT INTO entries (user_id, id, kind, occurred_at, utc_offset_min, data, \
                 field_versions, version, deleted, seq, created_at, updated_at) VALUES ('{u}', \
                 '{}', 'hydration', '2026-05-0{seq} 08:00:00', 120, '{{\"volume_ml\":{ml}}}', \
                 '{{}}', 1, {deleted}, {seq}, '{today}', '{today}')",
                EntryId::new_v7()
            ));
        }
    }
    let app = spawn_app_on(db, |_| {}).await;
    let volumes = |user: UserId| {
        let db = app.state.db.clone();
        async move {
            let q = ListQuery {
                limit: 50,
                ..Default::default()
            };
            let (list, _) = db.read(move |c| entries::list(c, user, &q)).await.unwrap();
            let mut v: Vec<String> = list
                .iter()
                .map(|e| e.data.to_json()["volume_ml"].to_string())
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(volumes(a).await, ["250", "300"], "{}", app.backend);
    assert_eq!(volumes(b).await, ["400"], "{}", app.backend);
    let seqs = |user: UserId| {
        let db = app.state.db.clone();
        async move {
            let changed = db
                .read(move |c| unknot::store::sync::changed_after(c, user, 0, 50))
                .await
                .unwrap();
            changed
                .iter()
                .map(|e| (e.seq, e.deleted))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        seqs(a).await,
        [(1, false), (2, false), (3, true)],
        "tombstones too"
    );
    // Someone new gets a number of their own: their entry is theirs alone.
    let mut c = api_user(&app, "c@example.com", "client").await;
    let mine = serde_json::json!({"kind": "hydration", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"volume_ml": 123}});
    assert_eq!(c.post_json("/api/v1/entries", &mine).await.status, 201);
    let listed = c.get("/api/v1/entries").await.json();
    assert_eq!(listed["entries"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(volumes(a).await, ["250", "300"]);
    assert_eq!(volumes(b).await, ["400"]);
}
