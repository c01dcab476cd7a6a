//! Three devices edit and delete the same entries through a proxy that drops, delays and
//! duplicates requests and answers: every device ends with the same journal, and every
//! acknowledged mutation is applied once. `UNKNOT_FAULT_ROUNDS` makes it longer.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

struct Device {
    c: Client,
    client_id: String,
    mid: i64,
    created: usize,
    rng: Rng,
}

impl Device {
    fn roll(&mut self, n: u64) -> u64 {
        self.rng.below(n as usize) as u64
    }

    /// Sends a push until it is acknowledged, unchanged each time (same mids).
    async fn push(&mut self, mutations: Vec<Value>) {
        let body = json!({"client_id": self.client_id, "mutations": mutations});
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match self
                .c
                .try_send_json("POST", "/api/v1/sync/push", &body)
                .await
            {
                Ok(r) if r.status == 200 => {
                    assert_eq!(r.json()["last_mid"], self.mid, "{}", r.body);
                    return;
                }
                Ok(r) if r.status.is_server_error() => {}
                Ok(r) => panic!("push refused: {} {}", r.status, r.body),
                Err(_) => {}
            }
            assert!(Instant::now() < deadline, "never acknowledged");
            actix_rt::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The whole journal as this device sees it after pulling everything: id → (deleted, data,
    /// version), and the server's last mid per device.
    async fn pull_all(&mut self) -> (BTreeMap<String, (bool, Value, i64)>, HashMap<String, i64>) {
        let (changes, mids) = pull_everything(&mut self.c).await;
        let journal = changes
            .into_iter()
            .map(|e| {
                (
                    e["id"].as_str().unwrap_or_default().to_string(),
                    (
                        e["deleted"] == true,
                        e["data"].clone(),
                        e["version"].as_i64().unwrap_or(0),
                    ),
                )
            })
            .collect();
        (journal, mids)
    }

    fn next(&mut self) -> i64 {
        self.mid += 1;
        self.mid
    }
}

fn episode(mid: i64, id: &str, intensity: u64) -> Value {
    json!({"mid": mid, "op": "upsert", "base_version": 0, "entry": {
        "id": id, "kind": "episode", "occurred_at": "2026-05-12T07:30:00+02:00",
        "data": {"body_site": "calf_left", "intensity": intensity}}})
}

#[actix_web::test]
async fn three_devices_through_a_faulty_network_converge_and_apply_each_mutation_once() {
    let rounds: usize = std::env::var("UNKNOT_FAULT_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(12);
    let app = spawn_app().await;
    let token = api_user(&app, "faults@example.com", "client").await.bearer;
    let (via, faults) = crate::proxy::start_faulty(&app.addr, 0x5eed_u64, 0.3);
    let mut devices: Vec<Device> = (0..3)
        .map(|d| {
            let mut c = Client::new(&via);
            c.bearer = token.clone();
            Device {
                c,
                client_id: uuid::Uuid::new_v4().to_string(),
                mid: 0,
                created: 0,
                rng: Rng::new(0x9e37_79b9 + d),
            }
        })
        .collect();
    let shared: Vec<String> = (0..12).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let first = &mut devices[0];
    let setup: Vec<Value> = shared
        .iter()
        .map(|id| {
            let mid = first.next();
            episode(mid, id, 3)
        })
        .collect();
    first.created += shared.len();
    first.push(setup).await;
    let shared_ref = &shared;
    for round in 0..rounds {
        let work = devices.iter_mut().enumerate().map(|(d, dev)| async move {
            let shared = shared_ref;
            let mut mutations = Vec::new();
            for _ in 0..3 {
                let id = shared[dev.roll(shared.len() as u64) as usize].clone();
                let mid = dev.next();
                mutations.push(match dev.roll(20) {
                    0 => json!({"mid": mid, "op": "delete", "id": id, "base_version": 1}),
                    1..=9 => json!({"mid": mid, "op": "patch", "id": id, "base_version": 1,
                        "fields": {"intensity": dev.roll(11)}}),
                    _ => json!({"mid": mid, "op": "patch", "id": id, "base_version": 1,
                        "fields": {"notes": format!("device {d}, round {round}")}}),
                });
            }
            let mid = dev.next();
            let fresh = uuid::Uuid::now_v7().to_string();
            mutations.push(episode(mid, &fresh, dev.roll(11)));
            dev.created += 1;
            dev.push(mutations).await;
        });
        futures_util::future::join_all(work).await;
    }
    let mut views = Vec::new();
    for dev in devices.iter_mut() {
        views.push(dev.pull_all().await);
    }
    let f = &faults;
    println!(
        "{} requests: {} dropped, {} answers dropped, {} sent twice, {} delayed",
        f.requests.load(Ordering::SeqCst),
        f.dropped_requests.load(Ordering::SeqCst),
        f.dropped_responses.load(Ordering::SeqCst),
        f.duplicated.load(Ordering::SeqCst),
        f.delayed.load(Ordering::SeqCst)
    );
    assert!(
        f.dropped_responses.load(Ordering::SeqCst) > 0 && f.duplicated.load(Ordering::SeqCst) > 0
    );
    let (journal, mids) = &views[0];
    for other in &views[1..] {
        assert_eq!(&other.0, journal, "every device ends with the same journal");
    }
    let created: usize = devices.iter().map(|d| d.created).sum();
    assert_eq!(journal.len(), created, "each new entry once, none lost");
    for dev in &devices {
        assert_eq!(
            mids.get(&dev.client_id),
            Some(&dev.mid),
            "the server applied each device's mutations up to its last, once"
        );
    }
    // Patches applied once: an entry's version counts the changes that reached it, and never
    // more than were sent.
    let sent_changes = rounds * 3 * devices.len();
    let applied: i64 = journal
        .iter()
        .filter(|(id, _)| shared.contains(id))
        .map(|(_, (_, _, v))| v - 1)
        .sum();
    assert!(
        applied as usize <= sent_changes,
        "{applied} changes applied from {sent_changes} sent"
    );
}
