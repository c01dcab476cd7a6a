//! Sync: exactly-once pushes, per-field merge, deletes winning, pull paging, purged cursors,
//! limits, a concurrent pusher/puller run and a seeded simulation of unreliable networks.

use crate::helpers::*;
use serde_json::{Value, json};

const DEVICE_A: &str = "0196c0de-aaaa-7000-8000-000000000001";
const DEVICE_B: &str = "0196c0de-bbbb-7000-8000-000000000002";

fn water(id: &str, ml: u32) -> Value {
    json!({"id": id, "kind": "hydration", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"volume_ml": ml}})
}

fn episode(id: &str) -> Value {
    json!({"id": id, "kind": "episode", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"body_site": "calf_left", "intensity": 5, "notes": "start"}})
}

async fn push(c: &mut Client, device: &str, mutations: Value) -> Reply {
    c.post_json(
        "/api/v1/sync/push",
        &json!({"client_id": device, "mutations": mutations}),
    )
    .await
}

fn id(n: u32) -> String {
    format!("0196c0de-0000-7000-8000-{n:012}")
}

#[actix_web::test]
async fn a_replayed_push_after_a_lost_response_creates_no_duplicate() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s1@example.com", "client").await;
    let batch = json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250), "base_version": 0}]);
    let first = push(&mut c, DEVICE_A, batch.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let j = first.json();
    assert_eq!(j["last_mid"], 1);
    assert_eq!(j["results"][0]["status"], "applied");
    assert_eq!(j["results"][0]["version"], 1);
    let again = push(&mut c, DEVICE_A, batch).await.json();
    assert_eq!(
        again["results"][0],
        json!({"mid": 1, "status": "duplicate"})
    );
    assert_eq!(
        c.get("/api/v1/entries").await.json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn a_gap_in_mutation_ids_applies_nothing_and_names_the_expected_id() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s2@example.com", "client").await;
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250)}]),
    )
    .await;
    let r = push(&mut c, DEVICE_A, json!([{"mid": 2, "op": "upsert", "entry": water(&id(2), 300)}, {"mid": 4, "op": "upsert", "entry": water(&id(3), 300)}])).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "mid_gap");
    assert_eq!(r.json()["current"]["expected"], 3);
    assert_eq!(
        c.get("/api/v1/entries").await.json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing of the batch applied"
    );
}

#[actix_web::test]
async fn a_rejected_mutation_still_advances_last_mid() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s3@example.com", "client").await;
    let r = push(
        &mut c,
        DEVICE_A,
        json!([
            {"mid": 1, "op": "upsert", "entry": water(&id(1), 250)},
            {"mid": 2, "op": "upsert", "entry": water(&id(2), 99999)},
            {"mid": 3, "op": "teleport"},
            {"mid": 4, "op": "delete", "id": id(1)},
        ]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["last_mid"], 4);
    let statuses: Vec<&str> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["applied", "rejected", "rejected", "applied"]);
    assert!(
        j["results"][1]["error"]
            .as_str()
            .unwrap()
            .contains("volume_ml")
    );
}

#[actix_web::test]
async fn two_devices_editing_different_fields_both_survive_and_the_same_field_keeps_the_server_value()
 {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s4@example.com", "client").await;
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": episode(&id(1))}]),
    )
    .await;
    // Both devices saw version 1.
    let a = push(&mut c, DEVICE_A, json!([{"mid": 2, "op": "patch", "id": id(1), "fields": {"intensity": 8}, "base_version": 1}])).await.json();
    assert_eq!(a["results"][0]["status"], "applied");
    let b = push(&mut c, DEVICE_B, json!([{"mid": 1, "op": "patch", "id": id(1), "fields": {"notes": "from B"}, "base_version": 1}])).await.json();
    assert_eq!(b["results"][0]["status"], "applied", "{b}");
    let e = c.get(&format!("/api/v1/entries/{}", id(1))).await.json();
    assert_eq!(e["data"]["intensity"], 8);
    assert_eq!(e["data"]["notes"], "from B");
    assert_eq!(e["version"], 3);
    // Now both change notes from version 3: the first wins, the second is told.
    push(&mut c, DEVICE_A, json!([{"mid": 3, "op": "patch", "id": id(1), "fields": {"notes": "A again"}, "base_version": 3}])).await;
    let clash = push(&mut c, DEVICE_B, json!([{"mid": 2, "op": "patch", "id": id(1), "fields": {"notes": "B again", "intensity": 2}, "base_version": 3}])).await.json();
    let r = &clash["results"][0];
    assert_eq!(r["status"], "merged", "{clash}");
    assert_eq!(
        r["conflicts"],
        json!([{"field": "notes", "server": "A again", "yours": "B again"}])
    );
    let e = c.get(&format!("/api/v1/entries/{}", id(1))).await.json();
    assert_eq!(e["data"]["notes"], "A again");
    assert_eq!(
        e["data"]["intensity"], 2,
        "the other field of the same push applied"
    );
}

#[actix_web::test]
async fn a_delete_wins_over_an_edit_in_either_order() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s5@example.com", "client").await;
    push(&mut c, DEVICE_A, json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250)}, {"mid": 2, "op": "upsert", "entry": water(&id(2), 250)}])).await;
    // Delete first, then an edit from the other device.
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 3, "op": "delete", "id": id(1), "base_version": 1}]),
    )
    .await;
    let late = push(&mut c, DEVICE_B, json!([{"mid": 1, "op": "patch", "id": id(1), "fields": {"volume_ml": 500}, "base_version": 1}])).await.json();
    assert_eq!(late["results"][0]["status"], "conflict_deleted");
    // Edit first, then a delete based on the older version.
    push(&mut c, DEVICE_B, json!([{"mid": 2, "op": "patch", "id": id(2), "fields": {"volume_ml": 500}, "base_version": 1}])).await;
    let del = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 4, "op": "delete", "id": id(2), "base_version": 1}]),
    )
    .await
    .json();
    assert_eq!(del["results"][0]["status"], "applied");
    assert_eq!(c.get("/api/v1/entries").await.json()["entries"], json!([]));
    // Restoring a deleted entry means creating it anew under a new id.
    let again = push(
        &mut c,
        DEVICE_B,
        json!([{"mid": 3, "op": "upsert", "entry": water(&id(3), 500)}]),
    )
    .await
    .json();
    assert_eq!(again["results"][0]["status"], "applied");
}

#[actix_web::test]
async fn pulling_pages_at_limit_and_limit_plus_one_with_edits_in_between_sees_each_change_once() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s6@example.com", "client").await;
    let muts: Vec<Value> = (1..=6)
        .map(|i| json!({"mid": i, "op": "upsert", "entry": water(&id(i), 100 + i)}))
        .collect();
    push(&mut c, DEVICE_A, Value::Array(muts)).await;
    // Exactly `limit` changes: one full page, then an empty one.
    let p = c.get("/api/v1/sync/pull?limit=6").await.json();
    assert_eq!(p["changes"].as_array().unwrap().len(), 6);
    assert_eq!(p["has_more"], false);
    let cur = p["cursor"].as_str().unwrap().to_string();
    assert_eq!(
        c.get(&format!("/api/v1/sync/pull?since={cur}"))
            .await
            .json()["changes"],
        json!([])
    );
    // limit + 1: page through with an edit of an already-seen entry and of an unseen one mid-way.
    let first = c.get("/api/v1/sync/pull?limit=5").await.json();
    assert_eq!(first["has_more"], true);
    let mut seen: Vec<(String, i64)> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["version"].as_i64().unwrap(),
            )
        })
        .collect();
    push(
        &mut c,
        DEVICE_A,
        json!([
            {"mid": 7, "op": "patch", "id": id(1), "fields": {"volume_ml": 999}, "base_version": 1},
            {"mid": 8, "op": "patch", "id": id(6), "fields": {"volume_ml": 666}, "base_version": 1},
        ]),
    )
    .await;
    let mut cursor = first["cursor"].as_str().unwrap().to_string();
    loop {
        let p = c
            .get(&format!("/api/v1/sync/pull?since={cursor}&limit=5"))
            .await
            .json();
        for e in p["changes"].as_array().unwrap() {
            seen.push((
                e["id"].as_str().unwrap().to_string(),
                e["version"].as_i64().unwrap(),
            ));
        }
        cursor = p["cursor"].as_str().unwrap().to_string();
        if p["has_more"] == false {
            break;
        }
    }
    let sixth: Vec<&(String, i64)> = seen.iter().filter(|(i, _)| *i == id(6)).collect();
    assert_eq!(
        sixth,
        vec![&(id(6), 2)],
        "an entry edited before it was pulled arrives once, in its latest state"
    );
    assert!(
        seen.contains(&(id(1), 2)),
        "the edit of an entry already pulled arrives too"
    );
    assert_eq!(seen.len(), 7);
}

#[actix_web::test]
async fn a_cursor_older_than_purged_tombstones_is_410_and_a_full_resync_works() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s7@example.com", "client").await;
    push(&mut c, DEVICE_A, json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250)}, {"mid": 2, "op": "upsert", "entry": water(&id(2), 250)}])).await;
    let early = c.get("/api/v1/sync/pull").await.json()["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 3, "op": "delete", "id": id(1)}]),
    )
    .await;
    let later = chrono::Utc::now() + chrono::Duration::days(91);
    let removed = app
        .state
        .db
        .write(move |conn| unknot::store::sync::purge_tombstones(conn, later))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let r = c.get(&format!("/api/v1/sync/pull?since={early}")).await;
    assert_eq!(r.status, 410);
    assert_eq!(r.json()["error"], "cursor_expired");
    let full = c.get("/api/v1/sync/pull").await.json();
    assert_eq!(full["changes"].as_array().unwrap().len(), 1);
    // The device's unsent changes still go through after the resync.
    let next = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 4, "op": "upsert", "entry": water(&id(3), 400)}]),
    )
    .await
    .json();
    assert_eq!(next["results"][0]["status"], "applied");
}

#[actix_web::test]
async fn client_clocks_a_year_off_change_nothing_about_order_or_merge() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s8@example.com", "client").await;
    let past = (chrono::Utc::now() - chrono::Duration::days(365)).to_rfc3339();
    let entry =
        json!({"id": id(1), "kind": "hydration", "occurred_at": past, "data": {"volume_ml": 250}});
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": entry}]),
    )
    .await;
    push(
        &mut c,
        DEVICE_B,
        json!([{"mid": 1, "op": "upsert", "entry": water(&id(2), 250)}]),
    )
    .await;
    let p = c.get("/api/v1/sync/pull").await.json();
    let order: Vec<&str> = p["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![id(1).as_str(), id(2).as_str()],
        "pull order is the server's sequence, not the entry time"
    );
    let updated: Vec<&str> = p["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["updated_at"].as_str().unwrap())
        .collect();
    assert!(
        updated
            .iter()
            .all(|u| u.starts_with(&chrono::Utc::now().format("%Y").to_string())),
        "server time, not the device's"
    );
}

#[actix_web::test]
async fn a_client_id_of_another_account_is_403_and_oversized_pushes_are_413() {
    let app = spawn_app().await;
    let mut a = api_user(&app, "s9@example.com", "client").await;
    let mut b = api_user(&app, "s10@example.com", "client").await;
    push(
        &mut a,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250)}]),
    )
    .await;
    let r = push(
        &mut b,
        DEVICE_A,
        json!([{"mid": 2, "op": "upsert", "entry": water(&id(2), 250)}]),
    )
    .await;
    assert_eq!(r.status, 403);
    let many: Vec<Value> = (1..=501)
        .map(|i| json!({"mid": i, "op": "delete", "id": id(1)}))
        .collect();
    assert_eq!(push(&mut b, DEVICE_B, Value::Array(many)).await.status, 413);
    let huge = json!([{"mid": 1, "op": "upsert", "entry": {"id": id(9), "kind": "episode", "occurred_at": "2026-05-10T08:00:00Z", "data": {"notes": "x".repeat(1_100_000)}}}]);
    assert_eq!(push(&mut b, DEVICE_B, huge).await.status, 413);
    let bad = b
        .post_json(
            "/api/v1/sync/push",
            &json!({"client_id": "nope", "mutations": [{"op": "delete"}]}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.json()["fields"]["client_id"].is_string()
            && bad.json()["fields"]["mutations[0].mid"].is_string()
    );
}

#[actix_web::test]
async fn a_device_never_conflicts_with_its_own_earlier_edit() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "s11@example.com", "client").await;
    push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": water(&id(1), 250)}]),
    )
    .await;
    // Two offline edits of one field, both based on version 1.
    let r = push(
        &mut c,
        DEVICE_A,
        json!([
            {"mid": 2, "op": "patch", "id": id(1), "fields": {"volume_ml": 300}, "base_version": 1},
            {"mid": 3, "op": "patch", "id": id(1), "fields": {"volume_ml": 350}, "base_version": 1},
        ]),
    )
    .await
    .json();
    let statuses: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["applied", "applied"]);
    assert_eq!(
        c.get(&format!("/api/v1/entries/{}", id(1))).await.json()["data"]["volume_ml"],
        350
    );
    // Another device editing from version 1 is the one that conflicts.
    let other = push(&mut c, DEVICE_B, json!([{"mid": 1, "op": "patch", "id": id(1), "fields": {"volume_ml": 999}, "base_version": 1}])).await.json();
    assert_eq!(other["results"][0]["status"], "merged");
}

#[actix_web::test]
async fn concurrent_pushers_and_a_looping_puller_see_every_change_exactly_once() {
    let app = spawn_app().await;
    register(&app, "conc@example.com", "client").await;
    const PUSHERS: u32 = 6;
    const BATCHES: u32 = 8;
    const PER_BATCH: u32 = 5;
    let mut handles = Vec::new();
    for p in 0..PUSHERS {
        let mut c = api_login(&app, "conc@example.com").await;
        handles.push(actix_rt::spawn(async move {
            let device = format!("0196c0de-cccc-7000-8000-{p:012}");
            let mut mid = 0;
            for b in 0..BATCHES {
                let muts: Vec<Value> = (0..PER_BATCH)
                    .map(|k| {
                        mid += 1;
                        json!({"mid": mid, "op": "upsert", "entry": water(&id(p * 10_000 + b * 100 + k), 100 + k)})
                    })
                    .collect();
                let r = push(&mut c, &device, Value::Array(muts)).await;
                assert_eq!(r.status, 200, "{}", r.body);
            }
        }));
    }
    let mut puller = api_login(&app, "conc@example.com").await;
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = "0".to_string();
    let expected = (PUSHERS * BATCHES * PER_BATCH) as usize;
    let started = std::time::Instant::now();
    while seen.len() < expected {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "puller timed out with {} of {expected}",
            seen.len()
        );
        let p = puller
            .get(&format!("/api/v1/sync/pull?since={cursor}&limit=7"))
            .await
            .json();
        for e in p["changes"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_string());
        }
        cursor = p["cursor"].as_str().unwrap().to_string();
        if p["changes"].as_array().unwrap().is_empty() {
            actix_rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    for h in handles {
        h.await.unwrap();
    }
    let tail = puller
        .get(&format!("/api/v1/sync/pull?since={cursor}"))
        .await
        .json();
    assert_eq!(tail["changes"], json!([]), "nothing left behind the cursor");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no change seen twice");
    assert_eq!(seen.len(), expected, "every change seen");
}

/// A tiny seeded generator, so a failing run can be replayed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

struct Device {
    id: String,
    client: Client,
    next_mid: i64,
    /// Mutations not yet acknowledged, in order.
    outbox: Vec<Value>,
    /// Batches sent whose response was "lost", to be delivered again later.
    delayed: Vec<Value>,
    replica: std::collections::BTreeMap<String, Value>,
    cursor: String,
    mine: Vec<String>,
}

impl Device {
    fn record(&mut self, op: Value) {
        self.next_mid += 1;
        let mut m = op;
        m["mid"] = json!(self.next_mid);
        self.outbox.push(m);
    }

    async fn sync(&mut self, rng: &mut Rng, lossy: bool) {
        if !self.outbox.is_empty() {
            let batch = Value::Array(self.outbox.clone());
            let body = json!({"client_id": self.id, "mutations": batch});
            let r = self.client.post_json("/api/v1/sync/push", &body).await;
            assert_eq!(r.status, 200, "{}", r.body);
            if lossy && rng.below(3) == 0 {
                // The response is lost: keep the outbox; deliver the same request again later.
                self.delayed.push(body);
            } else {
                let last = r.json()["last_mid"].as_i64().unwrap();
                self.outbox.retain(|m| m["mid"].as_i64().unwrap() > last);
                if lossy && rng.below(4) == 0 {
                    // A duplicated request arrives twice.
                    let again = self.client.post_json("/api/v1/sync/push", &body).await;
                    assert!(
                        again.json()["results"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .all(|x| x["status"] == "duplicate")
                    );
                }
            }
        }
        if lossy && !self.delayed.is_empty() && rng.below(2) == 0 {
            let old = self.delayed.remove(0);
            let r = self.client.post_json("/api/v1/sync/push", &old).await;
            assert_eq!(r.status, 200, "a delayed replay is harmless: {}", r.body);
        }
        loop {
            let p = self
                .client
                .get(&format!("/api/v1/sync/pull?since={}&limit=50", self.cursor))
                .await
                .json();
            for e in p["changes"].as_array().unwrap() {
                let id = e["id"].as_str().unwrap().to_string();
                if e["deleted"] == true {
                    self.replica.remove(&id);
                } else {
                    self.replica.insert(id, e["data"].clone());
                }
            }
            self.cursor = p["cursor"].as_str().unwrap().to_string();
            if p["has_more"] == false {
                break;
            }
        }
    }
}

#[actix_web::test]
async fn seeded_simulation_of_lossy_devices_converges_with_each_mutation_applied_once() {
    let app = spawn_app().await;
    register(&app, "sim@example.com", "client").await;
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut devices = Vec::new();
    for d in 0..3 {
        devices.push(Device {
            id: format!("0196c0de-dddd-7000-8000-{d:012}"),
            client: api_login(&app, "sim@example.com").await,
            next_mid: 0,
            outbox: Vec::new(),
            delayed: Vec::new(),
            replica: Default::default(),
            cursor: "0".into(),
            mine: Vec::new(),
        });
    }
    let mut created = 0u32;
    for _step in 0..120 {
        let d = rng.below(3) as usize;
        match rng.below(5) {
            0 | 1 => {
                created += 1;
                let new_id = id(900_000 + created);
                devices[d].mine.push(new_id.clone());
                devices[d].record(json!({"op": "upsert", "entry": water(&new_id, 100 + created), "base_version": 0}));
            }
            2 if !devices[d].mine.is_empty() => {
                let k = rng.below(devices[d].mine.len() as u64) as usize;
                let target = devices[d].mine[k].clone();
                let ml = 1 + rng.below(4999);
                devices[d].record(json!({"op": "patch", "id": target, "fields": {"volume_ml": ml}, "base_version": 1}));
            }
            3 if !devices[d].mine.is_empty() => {
                let k = rng.below(devices[d].mine.len() as u64) as usize;
                let target = devices[d].mine.remove(k);
                devices[d].record(json!({"op": "delete", "id": target}));
            }
            _ => {
                let dev = &mut devices[d];
                dev.sync(&mut rng, true).await;
            }
        }
    }
    // The network heals: everyone drains their outbox and pulls.
    for _ in 0..2 {
        for dev in devices.iter_mut() {
            dev.sync(&mut rng, false).await;
        }
    }
    let mut server = std::collections::BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let p = devices[0]
            .client
            .get(&format!("/api/v1/entries?limit=500{cursor}"))
            .await
            .json();
        for e in p["entries"].as_array().unwrap() {
            server.insert(e["id"].as_str().unwrap().to_string(), e["data"].clone());
        }
        match p["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    for dev in &devices {
        assert!(dev.outbox.is_empty());
        assert_eq!(dev.replica, server, "device {} converged", dev.id);
    }
    let pull = devices[0]
        .client
        .get("/api/v1/sync/pull?limit=1000")
        .await
        .json();
    for dev in &devices {
        assert_eq!(
            pull["last_mid"][&dev.id], dev.next_mid,
            "every mutation of {} acknowledged once",
            dev.id
        );
    }
    let rows = pull["changes"].as_array().unwrap().len() as u32;
    assert_eq!(
        rows, created,
        "one row per created entry, live or tombstone: nothing applied twice"
    );
    let live: Vec<String> = devices.iter().flat_map(|d| d.mine.clone()).collect();
    assert_eq!(server.len(), live.len());
}

#[actix_web::test]
async fn a_device_editing_its_own_new_entry_before_it_learns_the_version_gets_no_conflict() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "self@example.com", "client").await;
    let first = {
        let mut e = episode(&id(7));
        e["data"]["notes"] = json!("first");
        e
    };
    let second = {
        let mut e = episode(&id(7));
        e["data"]["notes"] = json!("second");
        e
    };
    // Offline: create, then edit before any response told the device about version 1.
    let r = push(
        &mut c,
        DEVICE_A,
        json!([
            {"mid": 1, "op": "upsert", "entry": first, "base_version": 0},
            {"mid": 2, "op": "upsert", "entry": second, "base_version": 0},
        ]),
    )
    .await
    .json();
    assert_eq!(r["results"][1]["status"], "applied", "{r}");
    // A later patch that still names base_version 0 (the response was lost) applies too.
    let r = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 3, "op": "patch", "id": id(7), "fields": {"intensity": 7}, "base_version": 0}]),
    )
    .await
    .json();
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    let e = c.get(&format!("/api/v1/entries/{}", id(7))).await.json();
    assert_eq!(e["data"]["notes"], "second");
    assert_eq!(e["data"]["intensity"], 7);
    assert_eq!(e["version"], 3);
    // Another device that saw only version 1 is told about the change it did not see.
    let r = push(
        &mut c,
        DEVICE_B,
        json!([{"mid": 1, "op": "patch", "id": id(7), "fields": {"notes": "from B"}, "base_version": 1}]),
    )
    .await
    .json();
    assert_eq!(r["results"][0]["status"], "merged", "{r}");
    assert_eq!(r["results"][0]["conflicts"][0]["server"], "second");
}

#[actix_web::test]
async fn a_long_push_of_new_entries_with_edits_and_deletes_between_stores_each_as_sent() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "long-push@example.com", "client").await;
    // 150 mutations: new entries, each with its own time and volume, and between them a patch
    // of an entry created earlier in the same push and a delete of another.
    let entry = |i: u32| {
        json!({"id": id(i), "kind": "hydration",
               "occurred_at": format!("2026-05-{:02}T{:02}:{:02}:00+02:00", 1 + i % 28, i % 24, i % 60),
               "data": {"volume_ml": 100 + i}})
    };
    let muts: Vec<Value> = (1..=150u32)
        .map(|i| match i {
            70 => json!({"mid": i, "op": "patch", "id": id(3), "fields": {"volume_ml": 3333}, "base_version": 1}),
            100 => json!({"mid": i, "op": "delete", "id": id(65)}),
            _ => json!({"mid": i, "op": "upsert", "entry": entry(i), "base_version": 0}),
        })
        .collect();
    let r = push(&mut c, DEVICE_A, Value::Array(muts)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let results = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 150);
    let seqs: Vec<i64> = results.iter().map(|o| o["seq"].as_i64().unwrap()).collect();
    assert!(
        results.iter().all(|o| o["status"] == "applied"),
        "{results:?}"
    );
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "each change takes the next sequence number, in the order sent: {seqs:?}"
    );
    let pulled = c.get("/api/v1/sync/pull?limit=1000").await.json();
    let changes = pulled["changes"].as_array().unwrap();
    let live: Vec<&Value> = changes.iter().filter(|e| e["deleted"] != true).collect();
    assert_eq!(live.len(), 147, "148 created, one deleted");
    let stamp = &live[0]["updated_at"];
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp.as_str().unwrap_or_default()).is_ok(),
        "{stamp}"
    );
    for i in (1..=150u32).filter(|i| ![70, 100, 65].contains(i)) {
        let e = changes
            .iter()
            .find(|e| e["id"] == id(i))
            .unwrap_or_else(|| panic!("entry {i} is missing"));
        let sent = entry(i);
        let volume = if i == 3 { 3333 } else { 100 + i };
        assert_eq!(e["occurred_at"], sent["occurred_at"], "entry {i}");
        assert_eq!(e["data"], json!({"volume_ml": volume}), "entry {i}");
        assert_eq!(e["version"], if i == 3 { 2 } else { 1 }, "entry {i}");
        assert_eq!(
            &e["updated_at"], stamp,
            "one push, one server time: entry {i}"
        );
        let at = usize::try_from(i - 1).unwrap();
        let seq = if i == 3 { seqs[69] } else { seqs[at] };
        assert_eq!(e["seq"], seq, "entry {i}");
    }
    // The device's own edit that still names base version 0 (the response was lost) is no
    // conflict: the stored field versions name it as the writer of every field.
    let r = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 151, "op": "patch", "id": id(120), "fields": {"volume_ml": 2}, "base_version": 0}]),
    )
    .await
    .json();
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    // Another device's edit of an entry from the middle of the push applies too.
    let r = push(
        &mut c,
        DEVICE_B,
        json!([{"mid": 1, "op": "patch", "id": id(140), "fields": {"volume_ml": 1}, "base_version": 1}]),
    )
    .await
    .json();
    assert_eq!(r["results"][0]["status"], "applied", "{r}");
    let e = c.get(&format!("/api/v1/entries/{}", id(140))).await.json();
    assert_eq!(e["data"]["volume_ml"], 1);
    assert_eq!(e["version"], 2);
}

#[actix_web::test]
async fn ids_before_among_and_after_the_stored_ones_are_each_found_or_created() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "id-order@example.com", "client").await;
    let r = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 1, "op": "upsert", "entry": water(&id(100), 100), "base_version": 0},
               {"mid": 2, "op": "upsert", "entry": water(&id(200), 200), "base_version": 0}]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The device sends again two stored entries (one of them the greatest id stored) and two
    // new ones: one whose id sorts before every stored id (made on a device whose clock is
    // behind) and one after them all.
    let r = push(
        &mut c,
        DEVICE_A,
        json!([{"mid": 3, "op": "upsert", "entry": water(&id(100), 101), "base_version": 0},
               {"mid": 4, "op": "upsert", "entry": water(&id(50), 50), "base_version": 0},
               {"mid": 5, "op": "upsert", "entry": water(&id(300), 300), "base_version": 0},
               {"mid": 6, "op": "upsert", "entry": water(&id(200), 201), "base_version": 0}]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let statuses: Vec<Value> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].clone())
        .collect();
    assert_eq!(statuses, ["applied"; 4], "{}", r.body);
    for (n, volume, version) in [(50, 50, 1), (100, 101, 2), (200, 201, 2), (300, 300, 1)] {
        let e = c.get(&format!("/api/v1/entries/{}", id(n))).await.json();
        assert_eq!(e["data"]["volume_ml"], volume, "entry {n}: {e}");
        assert_eq!(e["version"], version, "entry {n}: {e}");
    }
    let pulled = c.get("/api/v1/sync/pull?limit=100").await.json();
    assert_eq!(
        pulled["changes"].as_array().map(Vec::len),
        Some(4),
        "{pulled}"
    );
}
