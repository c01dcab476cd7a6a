//! The recent journal each instance keeps in memory answers exactly what the database answers,
//! after every kind of change and at any time, and sees what another instance wrote.

use crate::helpers::*;
use chrono::{Duration, FixedOffset, SecondsFormat, Utc};
use serde_json::{Value, json};
use unknot::domain::entry::{Entry, EntryKind, Logged};
use unknot::store::entries;

fn keys(list: &[Entry]) -> Vec<(String, i64)> {
    let mut k: Vec<_> = list.iter().map(|e| (e.id.to_string(), e.version)).collect();
    k.sort();
    k
}

/// The cache and the database agree at several instants around `now`, for the rules' read, the
/// ranges the trends page reads and the timeline's pages (counting the pages the cache served).
async fn agree(app: &TestApp, email: &'static str, step: &str, served: &mut usize) {
    let u = user_by_email(app, email).await;
    let (db, cache, uid) = (&app.state.db, &app.state.recent, u.id);
    for days in [0, -1, 3, 40, 0] {
        let now = Utc::now() + Duration::days(days);
        let cached = cache.for_insight(db, uid, u.seq, now).await.unwrap();
        let direct = db
            .read(move |c| entries::for_insight(c, uid, now))
            .await
            .unwrap();
        assert_eq!(keys(&cached), keys(&direct), "{step}, {days} days on");
        let at = |e: &Entry| e.occurred_at.naive_utc();
        assert!(
            cached.windows(2).all(|p| at(&p[0]) <= at(&p[1])),
            "{step}, {days} days on: oldest first"
        );
        let (from, to) = (now - Duration::hours(30), now + Duration::seconds(1));
        let (list, last) = cache
            .today(db, uid, u.seq, (now, from, to), 5)
            .await
            .unwrap();
        let (direct, direct_last) = db
            .read(move |c| {
                let q = entries::ListQuery {
                    from: Some(from),
                    to: Some(to),
                    limit: 100_000,
                    ..Default::default()
                };
                let list = Logged::of(&entries::list(c, uid, &q)?.0, 5);
                Ok::<_, unknot::store::StoreError>((
                    list,
                    entries::latest_of_kind(c, uid, EntryKind::Episode)?,
                ))
            })
            .await
            .unwrap();
        let ids = |l: &[Entry]| l.iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(
            ids(&list.newest),
            ids(&direct.newest),
            "{step}: today, newest first"
        );
        assert_eq!(
            (list.count, list.water_ml),
            (direct.count, direct.water_ml),
            "{step}: today's count and water"
        );
        assert_eq!(
            last.map(|e| e.id),
            direct_last.map(|e| e.id),
            "{step}: last episode"
        );
        let today = now.date_naive();
        for (from, to, only) in [
            (today - Duration::days(27), today, None),
            (today - Duration::days(92), today, None),
            (
                today - Duration::days(55),
                today - Duration::days(28),
                Some(EntryKind::Episode),
            ),
            (
                today - Duration::days(179),
                today - Duration::days(93),
                Some(EntryKind::Episode),
            ),
            (today - Duration::days(300), today, None),
        ] {
            let cached = cache
                .in_local_range(db, uid, u.seq, now, (from, to), only)
                .await
                .unwrap();
            let direct = db
                .read(move |c| entries::in_local_range(c, uid, from, to, only))
                .await
                .unwrap();
            assert_eq!(keys(&cached), keys(&direct), "{step}, {from}..{to}");
        }
        // Timeline pages, followed three pages deep: the copy serves what it holds whole.
        for kind in [None, Some(EntryKind::Episode), Some(EntryKind::Massage)] {
            for limit in [1, 4, 50] {
                let mut cursor = None;
                for _ in 0..3 {
                    let page = (cursor.as_ref(), kind, limit);
                    let cached = cache.page(db, (uid, u.seq), now, page).await.unwrap();
                    let q = entries::ListQuery {
                        limit: limit as i64,
                        cursor: cursor.clone(),
                        kind,
                        ..Default::default()
                    };
                    let (direct, next) = db.read(move |c| entries::list(c, uid, &q)).await.unwrap();
                    if let Some((list, kept_next)) = cached {
                        let ids = |l: &[Entry]| l.iter().map(|e| e.id).collect::<Vec<_>>();
                        assert_eq!(ids(&list), ids(&direct), "{step}: page of {limit}");
                        assert_eq!(kept_next, next, "{step}: next page of {limit}");
                        *served += 1;
                    }
                    match next {
                        Some(n) => cursor = Some(n),
                        None => break,
                    }
                }
            }
        }
    }
}

/// A sample of kind `kind` (index into [`sample_entries`]) about `days_ago` days back.
fn body(rng: &mut Rng, days_ago: i64, kind: usize) -> Value {
    let offset = FixedOffset::east_opt([-5 * 3600, 0, 2 * 3600, 13 * 3600][rng.below(4)]).unwrap();
    let at = (Utc::now() - Duration::days(days_ago) - Duration::minutes(rng.below(1440) as i64))
        .with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut e = sample_entries()[kind].clone();
    if e["kind"] != "event" {
        e["occurred_at"] = json!(at);
    }
    e
}

#[actix_web::test]
async fn the_recent_journal_in_memory_answers_what_the_database_answers() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "recent@example.com", "client").await;
    let mut rng = Rng::new(0x5eed_1234);
    let mut ids: Vec<(String, i64, usize)> = Vec::new();
    let mut served = 0;
    agree(&app, "recent@example.com", "empty", &mut served).await;
    for step in 0..60 {
        let days_ago = [0, 1, 20, 85, 89, 91, 95, 99, 120, 178, 185, 192, 200][rng.below(13)];
        let what = if ids.is_empty() { 0 } else { rng.below(4) };
        match what {
            0 | 1 => {
                let kind = [0, 1, 4, 4, 6][rng.below(5)];
                let r = c
                    .post_json("/api/v1/entries", &body(&mut rng, days_ago, kind))
                    .await;
                assert_eq!(r.status, 201, "{}", r.body);
                let v = r.json();
                let id = v["id"].as_str().unwrap().to_string();
                ids.push((id, v["version"].as_i64().unwrap(), kind));
            }
            2 => {
                let i = rng.below(ids.len());
                let (id, version, kind) = ids[i].clone();
                let mut e = body(&mut rng, days_ago, kind);
                e["version"] = json!(version);
                let r = c
                    .send_json("PUT", &format!("/api/v1/entries/{id}"), &e)
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
                ids[i].1 = r.json()["version"].as_i64().unwrap();
            }
            _ => {
                let (id, version, _) = ids.swap_remove(rng.below(ids.len()));
                let r = c
                    .delete(&format!("/api/v1/entries/{id}?version={version}"))
                    .await;
                assert_eq!(r.status, 204, "{}", r.body);
            }
        }
        agree(
            &app,
            "recent@example.com",
            &format!("step {step}"),
            &mut served,
        )
        .await;
    }
    assert!(served > 100, "the copy served only {served} timeline pages");
}

#[actix_web::test]
async fn what_another_instance_writes_shows_in_the_next_answer() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "other@example.com", "client").await;
    let first = c.get("/api/v1/suggestions").await;
    assert_eq!(first.status, 200);
    assert!(!first.body.contains("red-flag-neuro"), "{}", first.body);
    // Written straight to the database, as a second instance behind the balancer would.
    let uid = user_by_email(&app, "other@example.com").await.id;
    let mut episode = sample_entries()[0].clone();
    episode["data"]["red_flags"] = json!(["numbness"]);
    let new = unknot::domain::entry::NewEntry {
        id: unknot::domain::ids::EntryId::new_v7(),
        occurred_at: Utc::now().fixed_offset() - Duration::hours(1),
        data: unknot::domain::entry::EntryData::from_json_str(
            EntryKind::Episode,
            &episode["data"].to_string(),
        )
        .unwrap(),
    };
    let now = Utc::now();
    app.state
        .db
        .write(move |conn| entries::insert_many(conn, uid, &[new], now))
        .await
        .unwrap();
    let next = c.get("/api/v1/suggestions").await;
    assert!(next.body.contains("red-flag-neuro"), "{}", next.body);
    // The demo reset path removes everything at once: the next answer has nothing of it.
    app.state
        .db
        .write(move |conn| entries::delete_all(conn, uid))
        .await
        .unwrap();
    let after = c.get("/api/v1/suggestions").await;
    assert!(!after.body.contains("red-flag-neuro"), "{}", after.body);
    agree(
        &app,
        "other@example.com",
        "after removing everything",
        &mut 0,
    )
    .await;
}
