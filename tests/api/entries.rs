//! The JSON entries API: every kind, validation, idempotent create, versions, tombstones, isolation.

use crate::helpers::*;
use serde_json::{Value, json};

#[actix_web::test]
async fn every_kind_round_trips_through_json_with_its_offset_kept() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "a@example.com", "client").await;
    for body in sample_entries() {
        let r = c.post_json("/api/v1/entries", &body).await;
        assert_eq!(r.status, 201, "{} -> {}", body, r.body);
        let created = r.json();
        assert_eq!(created["kind"], body["kind"]);
        assert_eq!(
            created["occurred_at"], body["occurred_at"],
            "offset kept as given"
        );
        assert_eq!(
            created["data"],
            body["data"]
                .as_object()
                .map(|m| {
                    // Empty lists are not stored.
                    Value::Object(
                        m.iter()
                            .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    )
                })
                .unwrap()
        );
        assert_eq!(created["version"], 1);
        assert_eq!(created["deleted"], false);
        let id = created["id"].as_str().unwrap();
        let got = c.get(&format!("/api/v1/entries/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.json(), created);
    }
    let list = c.get("/api/v1/entries").await.json();
    assert_eq!(list["entries"].as_array().unwrap().len(), 7);
    assert!(list["next_cursor"].is_null());
}

#[actix_web::test]
async fn each_kind_reports_its_field_errors_and_stores_nothing() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "b@example.com", "client").await;
    let at = "2026-01-10T08:00:00+01:00";
    let cases = vec![
        (
            json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "knee", "intensity": 12, "triggers": ["moon"], "red_flags": "numbness"}}),
            vec![
                "data.body_site",
                "data.intensity",
                "data.triggers",
                "data.red_flags",
            ],
        ),
        (
            json!({"kind": "hydration", "occurred_at": at, "data": {"volume_ml": 6000, "electrolytes": "yes"}}),
            vec!["data.volume_ml", "data.electrolytes"],
        ),
        (
            json!({"kind": "heat_ice", "occurred_at": at, "data": {"mode": "steam", "minutes": 0}}),
            vec!["data.mode", "data.minutes"],
        ),
        (
            json!({"kind": "stretch", "occurred_at": at, "data": {"minutes": 300, "body_sites": ["tail"]}}),
            vec!["data.minutes", "data.body_sites"],
        ),
        (
            json!({"kind": "massage", "occurred_at": at, "data": {"technique": "hot_stone", "pressure": "crushing", "notes": "n".repeat(2001)}}),
            vec!["data.technique", "data.pressure", "data.notes"],
        ),
        (
            json!({"kind": "condition", "occurred_at": at, "data": {"status": "sad", "ended_at": "soon"}}),
            vec!["data.status", "data.ended_at"],
        ),
        (
            json!({"kind": "event", "occurred_at": at, "data": {"name": ""}}),
            vec!["data.name"],
        ),
        (
            json!({"kind": "nap", "occurred_at": "yesterday", "data": {}, "extra": 1}),
            vec!["kind", "occurred_at", "extra"],
        ),
    ];
    for (body, fields) in cases {
        let r = c.post_json("/api/v1/entries", &body).await;
        assert_eq!(r.status, 422, "{body}");
        let j = r.json();
        assert_eq!(j["error"], "validation_failed");
        assert!(j["message"].as_str().unwrap().contains(fields[0]), "{j}");
        for f in &fields {
            assert!(j["fields"][f].is_string(), "{body}: no error for {f}: {j}");
        }
        assert_eq!(j["fields"].as_object().unwrap().len(), fields.len(), "{j}");
    }
    assert_eq!(c.get("/api/v1/entries").await.json()["entries"], json!([]));
}

#[actix_web::test]
async fn entries_more_than_a_day_ahead_are_refused_except_events() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "c@example.com", "client").await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(30)).to_rfc3339();
    let r = c
        .post_json(
            "/api/v1/entries",
            &json!({"kind": "hydration", "occurred_at": later, "data": {"volume_ml": 250}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["fields"]["occurred_at"]
            .as_str()
            .unwrap()
            .contains("future")
    );
    let r = c
        .post_json(
            "/api/v1/entries",
            &json!({"kind": "event", "occurred_at": later, "data": {"name": "Race"}}),
        )
        .await;
    assert_eq!(r.status, 201);
}

#[actix_web::test]
async fn posting_the_same_id_twice_stores_one_entry() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "d@example.com", "client").await;
    let mut body = sample_entries()[1].clone();
    body["id"] = json!("0196c0de-0000-7000-8000-00000000beef");
    let first = c.post_json("/api/v1/entries", &body).await;
    assert_eq!(first.status, 201);
    let again = c.post_json("/api/v1/entries", &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), first.json());
    body["data"]["volume_ml"] = json!(750);
    let clash = c.post_json("/api/v1/entries", &body).await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["error"], "id_conflict");
    assert_eq!(
        c.get("/api/v1/entries").await.json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn update_with_a_stale_version_is_409_with_the_server_copy() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "e@example.com", "client").await;
    let created = c
        .post_json("/api/v1/entries", &sample_entries()[0])
        .await
        .json();
    let id = created["id"].as_str().unwrap();
    let mut edit =
        json!({"occurred_at": created["occurred_at"], "data": created["data"], "version": 1});
    edit["data"]["intensity"] = json!(8);
    let r = c
        .send_json("PUT", &format!("/api/v1/entries/{id}"), &edit)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["data"]["intensity"], 8);
    edit["data"]["intensity"] = json!(3);
    let stale = c
        .send_json("PUT", &format!("/api/v1/entries/{id}"), &edit)
        .await;
    assert_eq!(stale.status, 409);
    let j = stale.json();
    assert_eq!(j["error"], "version_conflict");
    assert_eq!(j["current"]["version"], 2);
    assert_eq!(j["current"]["data"]["intensity"], 8);
    let missing = c
        .send_json(
            "PUT",
            &format!("/api/v1/entries/{id}"),
            &json!({"occurred_at": created["occurred_at"], "data": created["data"]}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.json()["fields"]["version"].is_string());
    let kind = c.send_json("PUT", &format!("/api/v1/entries/{id}"), &json!({"kind": "hydration", "occurred_at": created["occurred_at"], "data": {"volume_ml": 1}, "version": 2})).await;
    assert_eq!(kind.status, 422);
    assert!(kind.json()["fields"]["kind"].is_string());
}

#[actix_web::test]
async fn delete_leaves_a_tombstone_that_hides_the_entry() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "f@example.com", "client").await;
    let created = c
        .post_json("/api/v1/entries", &sample_entries()[2])
        .await
        .json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        c.delete(&format!("/api/v1/entries/{id}?version=7"))
            .await
            .status,
        409
    );
    assert_eq!(
        c.delete(&format!("/api/v1/entries/{id}?version=1"))
            .await
            .status,
        204
    );
    assert_eq!(c.get(&format!("/api/v1/entries/{id}")).await.status, 404);
    assert_eq!(c.delete(&format!("/api/v1/entries/{id}")).await.status, 404);
    assert_eq!(c.get("/api/v1/entries").await.json()["entries"], json!([]));
    let stored = unknot_entry(&app, &c, id).await;
    assert_eq!(stored, Some((true, 2)), "tombstone kept with a new version");
}

async fn unknot_entry(app: &TestApp, c: &Client, id: &str) -> Option<(bool, i64)> {
    let _ = c;
    let id = unknot::domain::ids::EntryId::parse(id).unwrap();
    app.state
        .db
        .read(move |conn| {
            use diesel::prelude::*;
            use unknot::store::schema::entries;
            Ok::<_, unknot::store::StoreError>(
                entries::table
                    .filter(entries::id.eq(id.to_string()))
                    .select((entries::deleted, entries::version))
                    .first::<(bool, i64)>(conn)
                    .optional()?,
            )
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn nobody_can_see_or_change_another_users_entry() {
    let app = spawn_app().await;
    let mut owner = api_user(&app, "g@example.com", "client").await;
    let mut other = api_user(&app, "h@example.com", "client").await;
    let created = owner
        .post_json("/api/v1/entries", &sample_entries()[0])
        .await
        .json();
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/entries/{id}");
    assert_eq!(other.get(&path).await.status, 404);
    let put = other.send_json("PUT", &path, &json!({"occurred_at": created["occurred_at"], "data": {"body_site": "neck", "intensity": 1}, "version": 1})).await;
    assert_eq!(put.status, 404);
    assert_eq!(other.delete(&path).await.status, 404);
    assert_eq!(
        other.get("/api/v1/entries").await.json()["entries"],
        json!([])
    );
    // Re-using the same id is the other user's own entry, not a clash with the first.
    let mut copy = sample_entries()[1].clone();
    copy["id"] = json!(id);
    assert_eq!(other.post_json("/api/v1/entries", &copy).await.status, 201);
    assert_eq!(owner.get(&path).await.json()["kind"], "episode");
    // The web pages say the same.
    let mut browser = web_user(&app, "i@example.com", "client").await;
    assert_eq!(
        browser.get(&format!("/entries/{id}/edit")).await.status,
        404
    );
    assert_eq!(
        browser
            .post_form(&format!("/entries/{id}/delete"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        owner.get(&path).await.status,
        200,
        "a foreign delete changes nothing"
    );
}

#[actix_web::test]
async fn therapists_cannot_keep_or_read_a_journal_through_the_entries_api() {
    let app = spawn_app().await;
    let mut t = api_user(&app, "t@example.com", "therapist").await;
    assert_eq!(t.get("/api/v1/entries").await.status, 403);
    assert_eq!(
        t.post_json("/api/v1/entries", &sample_entries()[1])
            .await
            .status,
        403
    );
    assert_eq!(t.get("/api/v1/profile").await.status, 200);
}

#[actix_web::test]
async fn listing_pages_by_cursor_and_filters_by_kind_and_time() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "j@example.com", "client").await;
    let base = chrono::Utc::now() - chrono::Duration::days(10);
    for i in 0..7 {
        let at = (base + chrono::Duration::hours(i)).to_rfc3339();
        let kind_body = if i % 2 == 0 {
            json!({"kind": "hydration", "occurred_at": at, "data": {"volume_ml": 100 + i}})
        } else {
            json!({"kind": "stretch", "occurred_at": at, "data": {"minutes": 1 + i}})
        };
        assert_eq!(c.post_json("/api/v1/entries", &kind_body).await.status, 201);
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/entries?limit=3".to_string();
    loop {
        let page = c.get(&url).await.json();
        for e in page["entries"].as_array().unwrap() {
            seen.push(e["occurred_at"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cur) => url = format!("/api/v1/entries?limit=3&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no repeats");
    let water = c.get("/api/v1/entries?kind=hydration").await.json();
    assert_eq!(water["entries"].as_array().unwrap().len(), 4);
    let from = (base + chrono::Duration::hours(5)).to_rfc3339();
    let enc: String = form_urlencoded::byte_serialize(from.as_bytes()).collect();
    let recent = c.get(&format!("/api/v1/entries?from={enc}")).await.json();
    assert_eq!(recent["entries"].as_array().unwrap().len(), 2);
    let bad = c
        .get("/api/v1/entries?limit=0&kind=nap&from=monday&cursor=xyz")
        .await;
    assert_eq!(bad.status, 422);
    for f in ["limit", "kind", "from", "cursor"] {
        assert!(bad.json()["fields"][f].is_string(), "{f}");
    }
}
