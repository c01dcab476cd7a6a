//! Unknot as real processes (the binary `cargo test` built): killed with SIGKILL in the middle of
//! concurrent sync pushes and restarted, and two instances serving one database.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use unknot::config::DatabaseUrl;

/// One running `unknot` process on a fixed loopback port, restartable on the same port.
pub struct Process {
    child: Option<Child>,
    pub addr: String,
    port: u16,
    database: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn database_url(db: &TestDatabase) -> String {
    match &db.url {
        DatabaseUrl::Sqlite(path) => path.clone(),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

impl Process {
    /// Starts the binary on `database` and waits until it answers.
    pub async fn start(database: &str) -> Process {
        let port = free_port();
        let mut p = Process {
            child: None,
            addr: format!("http://127.0.0.1:{port}"),
            port,
            database: database.to_string(),
        };
        p.spawn().await;
        p
    }

    async fn spawn(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_unknot"))
            .env("UNKNOT_ADDR", format!("127.0.0.1:{}", self.port))
            .env("DATABASE_URL", &self.database)
            .env(
                "UNKNOT_JWT_SECRET",
                "process-test-secret-that-is-long-enough",
            )
            .env("UNKNOT_WORKERS", "2")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the unknot binary starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut c = Client::new(&self.addr);
            if let Ok(r) = c.try_send_json("GET", "/login", &Value::Null).await
                && r.status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "unknot did not start on {}",
                self.addr
            );
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, as a crash or an OOM kill.
    pub fn kill_9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub async fn restart(&mut self) {
        self.kill_9();
        self.spawn().await;
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_9();
    }
}

async fn signed_in(base: &str, email: &str) -> Client {
    let mut c = Client::new(base);
    let r = c
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": PASSWORD, "display_name": "P", "role": "client"}),
        )
        .await;
    assert!(r.status == 201 || r.status == 409, "{}", r.body);
    api_login_at(base, email).await
}

/// What one device pushed and the server acknowledged.
#[derive(Default)]
struct Pushed {
    created: Vec<String>,
    deleted: Vec<String>,
    last_mid: i64,
    retries: u32,
}

fn upsert(mid: i64, id: &str) -> Value {
    json!({"mid": mid, "op": "upsert", "base_version": 0, "entry": {
        "id": id, "kind": "hydration", "occurred_at": "2026-05-12T07:30:00+02:00",
        "data": {"volume_ml": 250}}})
}

/// One device pushing `batches` batches (20 new entries each, and every third batch deleting
/// one entry of the batch before), resending a batch unchanged until it is acknowledged.
async fn device(
    mut c: Client,
    client_id: String,
    batches: usize,
    acked: &std::sync::atomic::AtomicUsize,
) -> Pushed {
    let mut out = Pushed::default();
    let mut mid = 0;
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut previous: Vec<String> = Vec::new();
    for b in 0..batches {
        let mut mutations = Vec::new();
        let mut made = Vec::new();
        for _ in 0..20 {
            mid += 1;
            let id = uuid::Uuid::now_v7().to_string();
            mutations.push(upsert(mid, &id));
            made.push(id);
        }
        let mut gone = None;
        if b % 3 == 2
            && let Some(victim) = previous.first()
        {
            mid += 1;
            mutations.push(json!({"mid": mid, "op": "delete", "id": victim, "base_version": 1}));
            gone = Some(victim.clone());
        }
        let body = json!({"client_id": client_id, "mutations": mutations});
        loop {
            match c.try_send_json("POST", "/api/v1/sync/push", &body).await {
                Ok(r) if r.status == 200 => {
                    assert_eq!(r.json()["last_mid"], mid, "{}", r.body);
                    break;
                }
                Ok(r) if r.status.is_server_error() => out.retries += 1,
                Ok(r) => panic!("push refused after a restart: {} {}", r.status, r.body),
                Err(_) => out.retries += 1,
            }
            assert!(Instant::now() < deadline, "a push was never acknowledged");
            actix_rt::time::sleep(Duration::from_millis(40)).await;
        }
        acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        out.created.extend(made.iter().cloned());
        out.deleted.extend(gone);
        out.last_mid = mid;
        previous = made;
    }
    out
}

/// Everything the server holds for a user: live ids, tombstones, and each device's last mid.
async fn pull_all(c: &mut Client) -> (Vec<String>, HashSet<String>, HashMap<String, i64>) {
    let (changes, mids) = pull_everything(c).await;
    let (mut live, mut dead) = (Vec::new(), HashSet::new());
    for e in changes {
        let id = e["id"].as_str().unwrap_or_default().to_string();
        if e["deleted"] == true {
            dead.insert(id);
        } else {
            live.push(id);
        }
    }
    (live, dead, mids)
}

#[actix_web::test]
async fn kill_9_during_eight_pushing_devices_loses_no_acknowledged_mutation() {
    let kills: usize = std::env::var("UNKNOT_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(3);
    let batches: usize = std::env::var("UNKNOT_CRASH_BATCHES")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(12);
    let db = fresh_database();
    let mut server = Process::start(&database_url(&db)).await;
    let base = server.addr.clone();
    // Four people, two devices each.
    let mut devices = Vec::new();
    for u in 0..4 {
        let email = format!("crash{u}@example.com");
        for _ in 0..2 {
            devices.push((u, signed_in(&base, &email).await));
        }
    }
    let started = Instant::now();
    let acked = std::sync::atomic::AtomicUsize::new(0);
    let total = devices.len() * batches;
    let pushes = futures_util::future::join_all(devices.iter().map(|(_, c)| {
        let mut fresh = Client::new(&base);
        fresh.bearer = c.bearer.clone();
        let c = fresh;
        device(c, uuid::Uuid::new_v4().to_string(), batches, &acked)
    }));
    // Each kill lands while devices are mid-way: after the next share of batches is acknowledged.
    let killer = async {
        for k in 0..kills {
            let due = total * (k + 1) / (kills + 1);
            while acked.load(std::sync::atomic::Ordering::SeqCst) < due {
                actix_rt::time::sleep(Duration::from_millis(2)).await;
            }
            server.restart().await;
        }
    };
    let (results, ()) = futures_util::future::join(pushes, killer).await;
    let retries: u32 = results.iter().map(|r| r.retries).sum();
    let acked: usize = results
        .iter()
        .map(|r| r.created.len() + r.deleted.len())
        .sum();
    println!(
        "{kills} kill -9 and restarts during {acked} acknowledged mutations from 8 devices in {:.1} s; {retries} pushes resent",
        started.elapsed().as_secs_f64()
    );
    assert!(retries > 0, "the kills landed while devices were pushing");
    for u in 0..4 {
        let mine: Vec<(&Pushed, &Client)> = results
            .iter()
            .zip(&devices)
            .filter(|(_, (owner, _))| *owner == u)
            .map(|(p, (_, c))| (p, c))
            .collect();
        let mut views = Vec::new();
        for (_, c) in &mine {
            let mut reader = Client::new(&base);
            reader.bearer = c.bearer.clone();
            views.push(pull_all(&mut reader).await);
        }
        let (live, dead, mids) = &views[0];
        let unique: HashSet<&String> = live.iter().collect();
        assert_eq!(unique.len(), live.len(), "each record appears once");
        let deleted: HashSet<&String> = mine.iter().flat_map(|(p, _)| &p.deleted).collect();
        for (p, _) in &mine {
            for id in &p.created {
                assert!(
                    unique.contains(id) != deleted.contains(id),
                    "acknowledged entry {id} is live unless deleted"
                );
            }
            for id in &p.deleted {
                assert!(dead.contains(id), "acknowledged delete of {id} kept");
            }
        }
        let expected = mine.iter().map(|(p, _)| p.created.len()).sum::<usize>() - deleted.len();
        assert_eq!(live.len(), expected, "nothing duplicated, nothing lost");
        let mut last: Vec<i64> = mids.values().copied().collect();
        last.sort_unstable();
        let mut sent: Vec<i64> = mine.iter().map(|(p, _)| p.last_mid).collect();
        sent.sort_unstable();
        assert_eq!(
            last, sent,
            "the server's last mid per device is what each device sent"
        );
        for other in &views[1..] {
            let a: HashSet<&String> = other.0.iter().collect();
            assert_eq!(a, unique, "both devices converge on the same journal");
        }
    }
}

#[actix_web::test]
async fn two_instances_on_one_database_agree_on_sessions_revocation_sync_and_share_codes() {
    let db = fresh_database();
    let url = database_url(&db);
    let a = Process::start(&url).await;
    let b = Process::start(&url).await;
    // An account made on A signs in on B; its token works on both.
    let mut on_b = signed_in(&b.addr, "two@example.com").await;
    let token = on_b.bearer.clone();
    let mut on_a = Client::new(&a.addr);
    on_a.bearer = token.clone();
    assert_eq!(on_a.get("/api/v1/entries").await.status, 200);
    // A browser session made on A is honoured by B.
    let mut browser = Client::new(&a.addr);
    let r = browser
        .post_form(
            "/login",
            &[("email", "two@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303);
    let cookies = browser.cookies.clone();
    let mut browser_b = Client::new(&b.addr);
    browser_b.cookies = cookies.clone();
    assert_eq!(browser_b.get("/").await.status, 200, "signed in on B too");
    // Sync: a batch sent to A and resent to B is applied once; B carries on the sequence.
    let client_id = uuid::Uuid::new_v4().to_string();
    let ids: Vec<String> = (0..10).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let batch = |from: usize, to: usize| json!({"client_id": client_id, "mutations": (from..to).map(|i| upsert(i as i64 + 1, &ids[i])).collect::<Vec<_>>()});
    let first = on_a.post_json("/api/v1/sync/push", &batch(0, 5)).await;
    assert_eq!(first.json()["results"][0]["status"], "applied");
    let again = on_b.post_json("/api/v1/sync/push", &batch(0, 5)).await;
    assert!(
        again.json()["results"]
            .as_array()
            .is_some_and(|r| r.iter().all(|m| m["status"] == "duplicate")),
        "{}",
        again.body
    );
    let next = on_b.post_json("/api/v1/sync/push", &batch(5, 10)).await;
    assert_eq!(next.json()["last_mid"], 10);
    let replay = on_a.post_json("/api/v1/sync/push", &batch(7, 8)).await;
    assert_eq!(replay.json()["results"][0]["status"], "duplicate");
    let (live, _, mids) = pull_all(&mut on_a).await;
    assert_eq!(live.len(), 10, "each entry once");
    assert_eq!(mids.get(&client_id), Some(&10));
    // Share codes: made on A, redeemed on B, read on A, revoked on B, refused on A at once.
    let share = on_a
        .post_json(
            "/api/v1/shares",
            &json!({"scope": "read", "expires_in_days": 7}),
        )
        .await;
    assert_eq!(share.status, 201, "{}", share.body);
    let code = share.json()["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut therapist_b = Client::new(&b.addr);
    therapist_b
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "t2@example.com", "password": PASSWORD, "display_name": "T", "role": "therapist"}),
        )
        .await;
    let t = therapist_b
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "t2@example.com", "password": PASSWORD}),
        )
        .await;
    therapist_b.bearer = t.json()["access_token"].as_str().map(str::to_string);
    let redeemed = therapist_b
        .post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    let client = redeemed.json()["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut therapist_a = Client::new(&a.addr);
    therapist_a.bearer = therapist_b.bearer.clone();
    let path = format!("/api/v1/clients/{client}/entries");
    assert_eq!(therapist_a.get(&path).await.status, 200);
    let again = therapist_a
        .post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    assert_ne!(
        again.status, 200,
        "a code is used once, whichever instance sees it"
    );
    let shares = on_b.get("/api/v1/shares").await.json();
    let share_id = shares["shares"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        on_b.delete(&format!("/api/v1/shares/{share_id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        therapist_a.get(&path).await.status,
        404,
        "revoked on B, refused on A"
    );
    // Revocation: the token ended on B is refused on A; the browser logged out on A is out on B.
    assert_eq!(on_b.delete("/api/v1/auth/token").await.status, 204);
    assert_eq!(on_a.get("/api/v1/entries").await.status, 401);
    browser.post_form("/logout", &[]).await;
    let out = browser_b.get("/").await;
    assert_eq!(out.status, 303, "the ended session is refused by B");
    assert_eq!(out.location(), "/login");
}
