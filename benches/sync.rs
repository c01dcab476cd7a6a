//! Sync throughput of Unknot against pouchdb-server 4.2 (the CouchDB-protocol server offline-first
//! apps sync with), side by side in one run on this machine, each as its own process on loopback:
//! pushes in batches of 100 and 500, eight concurrent pushers (eight people), a full pull,
//! incremental pulls of 10 changes (p50/p99 of 1,000), memory (RSS) and bytes written to disk
//! per byte of JSON pushed, and server CPU per 1,000 documents pushed. Unknot runs on a SQLite
//! file (or PostgreSQL with `DATABASE_URL=postgres://…`).
//!
//! Run: `(cd benches/peer && npm ci) && cargo bench --bench sync`. Without the peer installed it
//! measures Unknot alone. `UNKNOT_SYNC_DOCS` sets documents per push run (default 10,000);
//! `UNKNOT_SYNC_TIMES=ordered` times the documents in order, seven minutes apart, as a journal
//! logged day by day is (by default they are scattered over a year, the harder case for the
//! time index). `UNKNOT_SYNC_CALLGRIND=1` runs Unknot under valgrind's callgrind and prints only
//! the instructions per document of the push of 100s, a count the host's load does not move.
//! Server CPU is counted to the nanosecond, and is the median of `UNKNOT_SYNC_CPU_ROUNDS`
//! (default 5) first pushes of 100s, each to a server started afresh.
//! Both servers are started on free loopback ports and stopped by pid. The push bodies of a
//! timed run are made before its clock starts, for both servers alike, so the run times the
//! server and not the client making JSON on the same two cores. Prints a table; asserts nothing
//! (targets: docs/PERFORMANCE.md).

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A server process: its pid for /proc readings.
struct Server {
    name: &'static str,
    child: Child,
    base: String,
    /// Unknot under callgrind: where its counts are written.
    counts: Option<std::path::PathBuf>,
    _dir: TempDir,
}

/// `UNKNOT_SYNC_CALLGRIND=1`: Unknot runs under valgrind's callgrind, which counts the
/// instructions of the push of 100s (from the first push to 5 s after the last, so the times
/// added once pushes stop and the checkpoints are in), whatever else the host is doing.
fn callgrind() -> bool {
    std::env::var("UNKNOT_SYNC_CALLGRIND").is_ok_and(|v| v == "1")
}

/// Runs `callgrind_control` with `args` on `pid`.
fn callgrind_control(args: &[&str], pid: u32) {
    let _ = Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(tag: &str) -> TempDir {
    let p = std::env::temp_dir().join(format!("unknot-sync-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("temp dir");
    TempDir(p)
}

/// (RSS in MB, bytes written to storage, CPU ms) of a process, from /proc.
fn proc_stats(pid: u32) -> (f64, u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    let written = io
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = fields
        .get(11)
        .zip(fields.get(12))
        .map(|(u, s)| u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0))
        .unwrap_or(0.0);
    (rss_kb / 1024.0, written, ticks * 10.0)
}

/// A process's CPU time in ms, to the nanosecond: the sum over its threads of the time
/// `/proc/<pid>/task/<tid>/schedstat` counts (the process's own count is in ticks of 10 ms,
/// a tenth of a push of 10,000 documents). Also the threads counted, by id.
fn thread_cpu(pid: u32) -> Vec<(String, f64)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| {
            let t = t.ok()?.file_name().into_string().ok()?;
            let text = std::fs::read_to_string(format!("/proc/{pid}/task/{t}/schedstat")).ok()?;
            let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
            Some((t, ns / 1e6))
        })
        .collect()
}

/// CPU ms between two [`thread_cpu`] readings; `None` if a thread of the first is gone
/// (its last moments were not counted).
fn cpu_between(before: &[(String, f64)], after: &[(String, f64)]) -> Option<f64> {
    let mut total = 0.0;
    for (t, ms) in after {
        total += ms - before.iter().find(|(b, _)| b == t).map_or(0.0, |(_, b)| *b);
    }
    before
        .iter()
        .all(|(b, _)| after.iter().any(|(t, _)| t == b))
        .then_some(total)
}

/// One synthetic journal entry of about 300 bytes of JSON.
fn doc(i: usize) -> Value {
    let site = ["calf_left", "neck", "lower_back", "foot_right"][i % 4];
    let occurred_at = if std::env::var("UNKNOT_SYNC_TIMES").as_deref() == Ok("ordered") {
        let start =
            chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+01:00").unwrap_or_default();
        (start + chrono::Duration::minutes(i as i64 * 7)).to_rfc3339()
    } else {
        format!(
            "2025-{:02}-{:02}T{:02}:{:02}:00+01:00",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60
        )
    };
    json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "kind": "episode",
        "occurred_at": occurred_at,
        "data": {
            "body_site": site,
            "intensity": i % 11,
            "duration_s": 30 + i % 600,
            "triggers": ["exercise", "dehydration"],
            "relief": ["stretch"],
            "notes": format!("Woke at night with a cramp, number {i}; stretched and drank water, eased after a while.")
        }
    })
}

/// What a protocol needs: make an account or database, push a batch, pull a page.
enum Peer {
    Unknot,
    Pouch,
}

struct Conn {
    http: awc::Client,
    base: String,
    peer: &'static Peer,
    /// Unknot: bearer token and device; pouch: database name.
    auth: String,
    client_id: String,
    mid: i64,
}

impl Conn {
    async fn open(peer: &'static Peer, base: &str, name: &str) -> Conn {
        let http = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish();
        let auth = match peer {
            Peer::Unknot => {
                let email = format!("{name}@bench.example");
                let body = json!({"email": email, "password": "correct horse battery", "display_name": name, "role": "client"});
                let _ = http
                    .post(format!("{base}/api/v1/auth/register"))
                    .send_json(&body)
                    .await;
                let mut r = http
                    .post(format!("{base}/api/v1/auth/token"))
                    .send_json(&json!({"email": email, "password": "correct horse battery"}))
                    .await
                    .expect("token");
                let v: Value = r.json().await.expect("token json");
                v["access_token"].as_str().unwrap_or_default().to_string()
            }
            Peer::Pouch => {
                let _ = http.put(format!("{base}/{name}")).send().await;
                name.to_string()
            }
        };
        Conn {
            http,
            base: base.to_string(),
            peer,
            auth,
            client_id: uuid::Uuid::new_v4().to_string(),
            mid: 0,
        }
    }

    /// The request body that pushes `docs` (numbering the device's mutations on).
    fn body(&mut self, docs: &[Value]) -> String {
        let body = match self.peer {
            Peer::Unknot => {
                let mutations: Vec<Value> = docs
                    .iter()
                    .map(|d| {
                        self.mid += 1;
                        json!({"mid": self.mid, "op": "upsert", "base_version": 0, "entry": d})
                    })
                    .collect();
                json!({"client_id": self.client_id, "mutations": mutations})
            }
            Peer::Pouch => {
                let docs: Vec<Value> = docs
                    .iter()
                    .map(|d| json!({"_id": d["id"], "kind": d["kind"], "occurred_at": d["occurred_at"], "data": d["data"]}))
                    .collect();
                json!({"docs": docs})
            }
        };
        body.to_string()
    }

    /// The bodies pushing `docs` in batches of `size`, made before a timed run so that it
    /// times the server and not the making of JSON.
    fn bodies(&mut self, docs: &[Value], size: usize) -> Vec<String> {
        docs.chunks(size).map(|c| self.body(c)).collect()
    }

    /// Sends one push body; returns the JSON bytes sent.
    async fn send(&self, text: String) -> usize {
        let len = text.len();
        let req = match self.peer {
            Peer::Unknot => self
                .http
                .post(format!("{}/api/v1/sync/push", self.base))
                .bearer_auth(&self.auth),
            Peer::Pouch => self
                .http
                .post(format!("{}/{}/_bulk_docs", self.base, self.auth)),
        };
        let mut r = req
            .insert_header(("Content-Type", "application/json"))
            .send_body(text)
            .await
            .expect("push");
        assert!(r.status().is_success(), "push: {}", r.status());
        let _ = r.body().limit(64 << 20).await;
        len
    }

    /// Pushes documents; returns the JSON bytes sent.
    async fn push(&mut self, docs: &[Value]) -> usize {
        let text = self.body(docs);
        self.send(text).await
    }

    /// One page of changes after `since`: (documents, next cursor, more).
    async fn pull(&self, since: &str, limit: usize) -> (usize, String, bool) {
        let url = match self.peer {
            Peer::Unknot => format!("{}/api/v1/sync/pull?limit={limit}&since={since}", self.base),
            Peer::Pouch => format!(
                "{}/{}/_changes?include_docs=true&limit={limit}&since={}",
                self.base,
                self.auth,
                if since.is_empty() { "0" } else { since }
            ),
        };
        let mut req = self.http.get(url);
        if let Peer::Unknot = self.peer {
            req = req.bearer_auth(&self.auth);
        }
        let mut r = req.send().await.expect("pull");
        let bytes = r.body().limit(256 << 20).await.expect("pull body");
        let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "pull: {e}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            )
        });
        match self.peer {
            Peer::Unknot => (
                v["changes"].as_array().map_or(0, Vec::len),
                v["cursor"].to_string().trim_matches('"').to_string(),
                v["has_more"] == true,
            ),
            Peer::Pouch => {
                let n = v["results"].as_array().map_or(0, Vec::len);
                (
                    n,
                    v["last_seq"].to_string().trim_matches('"').to_string(),
                    n == limit,
                )
            }
        }
    }
}

fn start_unknot() -> Server {
    let dir = temp_dir("unknot");
    let port = free_port();
    let db = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| dir.0.join("unknot.db").to_string_lossy().into_owned());
    // Another build to set beside this one (`UNKNOT_BENCH_BIN=/path/to/unknot`), run after
    // run on the same host: the host's load moves every figure more than most changes do.
    let bin =
        std::env::var("UNKNOT_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_unknot").into());
    let counts = callgrind().then(|| dir.0.join("callgrind.out"));
    let mut command = match &counts {
        Some(out) => {
            let mut c = Command::new("valgrind");
            c.args(["--tool=callgrind", "--instr-atstart=no"])
                .arg(format!("--callgrind-out-file={}", out.display()))
                .arg(&bin);
            c
        }
        None => Command::new(&bin),
    };
    let child = command
        .env("UNKNOT_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", db)
        .env("UNKNOT_JWT_SECRET", "sync-bench-secret-that-is-long-enough")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unknot starts");
    Server {
        name: "Unknot",
        child,
        base: format!("http://127.0.0.1:{port}"),
        counts,
        _dir: dir,
    }
}

fn start_pouch() -> Option<Server> {
    let bin = std::path::Path::new("benches/peer/node_modules/.bin/pouchdb-server");
    if !bin.exists() {
        println!(
            "pouchdb-server is not installed (cd benches/peer && npm ci): measuring Unknot alone\n"
        );
        return None;
    }
    let dir = temp_dir("pouch");
    let port = free_port();
    let bin = std::fs::canonicalize(bin).ok()?;
    // Its log.txt and config.json go to its own temporary folder, not the checkout.
    let child = Command::new(bin)
        .current_dir(&dir.0)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--dir"])
        .arg(&dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some(Server {
        name: "pouchdb-server",
        child,
        base: format!("http://127.0.0.1:{port}"),
        counts: None,
        _dir: dir,
    })
}

async fn wait_up(base: &str) {
    let http = awc::Client::default();
    for _ in 0..400 {
        if http.get(format!("{base}/")).send().await.is_ok() {
            return;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not start");
}

/// Rounds of "push 10, pull them" whose pulls are timed.
const INCREMENTAL_ROUNDS: usize = 1000;

/// A line of the table: its name and how to read it off one server's figures.
type Row = (&'static str, fn(&Figures) -> f64);

/// One server's figures.
#[derive(Default, Clone)]
struct Figures {
    push100: f64,
    push500: f64,
    push8: f64,
    pull_full: f64,
    inc_p50: f64,
    inc_p99: f64,
    rss_idle: f64,
    rss_after: f64,
    write_ratio: f64,
    cpu_per_1000: f64,
    /// Under callgrind: instructions per document of the push of 100s.
    instructions_per_doc: f64,
}

/// A device's first push: `n` documents 100 at a time to a server that has none of them.
struct FirstPush {
    /// Documents per second.
    rate: f64,
    /// Bytes written to storage per JSON byte pushed.
    write_ratio: f64,
    /// Server CPU ms per 1,000 documents.
    cpu_per_1000: f64,
    /// Under callgrind: instructions per document.
    instructions_per_doc: f64,
}

/// Pushes `n` documents 100 at a time as a new device of `c`, with disk and CPU accounted from
/// the first push to 1.5 s after the last: what a push leaves to follow is counted too (for
/// Unknot, the times it left waiting, added 200 ms after the last push, and the checkpoints).
async fn first_push(c: &mut Conn, s: &Server, n: usize) -> FirstPush {
    let pid = s.child.id();
    let docs: Vec<Value> = (0..n).map(doc).collect();
    let bodies = c.bodies(&docs, 100);
    if s.counts.is_some() {
        callgrind_control(&["--instr=on"], pid);
    }
    let (_, w0, ticks0) = proc_stats(pid);
    let threads0 = thread_cpu(pid);
    let t = Instant::now();
    let mut sent = 0;
    for body in bodies {
        sent += c.send(body).await;
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    if let Some(out) = &s.counts {
        actix_rt::time::sleep(Duration::from_secs(5)).await;
        callgrind_control(&["--dump"], pid);
        let dumped = format!("{}.1", out.display());
        let text = std::fs::read_to_string(&dumped).unwrap_or_default();
        let total: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("summary:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0);
        return FirstPush {
            rate,
            write_ratio: 0.0,
            cpu_per_1000: 0.0,
            instructions_per_doc: total / n as f64,
        };
    }
    actix_rt::time::sleep(Duration::from_millis(1500)).await;
    let (_, w1, ticks1) = proc_stats(pid);
    // To the nanosecond, or in ticks if a thread ended meanwhile.
    let cpu = cpu_between(&threads0, &thread_cpu(pid)).unwrap_or(ticks1 - ticks0);
    FirstPush {
        rate,
        write_ratio: (w1 - w0) as f64 / sent as f64,
        cpu_per_1000: cpu / (n as f64 / 1000.0),
        instructions_per_doc: 0.0,
    }
}

async fn measure(peer: &'static Peer, s: &Server, n: usize) -> Figures {
    wait_up(&s.base).await;
    let pid = s.child.id();
    let mut f = Figures {
        rss_idle: proc_stats(pid).0,
        ..Figures::default()
    };
    let mut c = Conn::open(peer, &s.base, "push100").await;
    let first = first_push(&mut c, s, n).await;
    f.push100 = first.rate;
    if s.counts.is_some() {
        f.instructions_per_doc = first.instructions_per_doc;
        return f;
    }
    f.write_ratio = first.write_ratio;
    f.cpu_per_1000 = first.cpu_per_1000;
    // Batches of 500.
    let docs500: Vec<Value> = (0..n).map(doc).collect();
    let mut c5 = Conn::open(peer, &s.base, "push500").await;
    let bodies = c5.bodies(&docs500, 500);
    let t = Instant::now();
    for body in bodies {
        c5.send(body).await;
    }
    f.push500 = n as f64 / t.elapsed().as_secs_f64();
    // Eight people pushing at once.
    let mut pushers = Vec::new();
    for k in 0..8 {
        pushers.push(Conn::open(peer, &s.base, &format!("pusher{k}")).await);
    }
    let each: Vec<Vec<String>> = pushers
        .iter_mut()
        .map(|c| c.bodies(&(0..n / 8).map(doc).collect::<Vec<_>>(), 100))
        .collect();
    let t = Instant::now();
    futures_util::future::join_all(pushers.iter().zip(each).map(|(c, bodies)| async move {
        for body in bodies {
            c.send(body).await;
        }
    }))
    .await;
    f.push8 = (n / 8 * 8) as f64 / t.elapsed().as_secs_f64();
    // A new device pulls everything.
    let t = Instant::now();
    let (mut got, mut since) = (0, String::new());
    loop {
        let (k, next, more) = c.pull(&since, 1000).await;
        got += k;
        since = next;
        if !more || k == 0 {
            break;
        }
    }
    f.pull_full = got as f64 / t.elapsed().as_secs_f64();
    // Incremental: 10 new changes, then pull them. The p99 of 1,000 pulls is the eleventh
    // slowest (of 200, it was the second slowest: one hiccup of the host's moved it).
    let mut lat = Vec::new();
    for round in 0..INCREMENTAL_ROUNDS {
        let ten: Vec<Value> = (0..10).map(|i| doc(round * 10 + i)).collect();
        c.push(&ten).await;
        let t = Instant::now();
        let (k, next, _) = c.pull(&since, 1000).await;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(k, 10, "{}: incremental pull saw {k}", s.name);
        since = next;
    }
    lat.sort_by(f64::total_cmp);
    f.inc_p50 = lat[lat.len() / 2];
    f.inc_p99 = lat[(lat.len() as f64 * 0.99) as usize - 1];
    f.rss_after = proc_stats(pid).0;
    f
}

/// `UNKNOT_SYNC_CPU_ROUNDS`: first pushes whose CPU is measured (default 5).
fn cpu_rounds() -> usize {
    std::env::var("UNKNOT_SYNC_CPU_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1)
}

fn main() {
    let n: usize = std::env::var("UNKNOT_SYNC_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    static UNKNOT: Peer = Peer::Unknot;
    static POUCH: Peer = Peer::Pouch;
    actix_rt::System::new().block_on(async move {
        let unknot = start_unknot();
        let mut u = measure(&UNKNOT, &unknot, n).await;
        drop(unknot);
        if callgrind() {
            println!(
                "{n} documents pushed 100 at a time: {:.0} instructions per document (callgrind)",
                u.instructions_per_doc
            );
            return;
        }
        // The CPU of one push of 10,000 is about a tenth of a second, which the host's other
        // work moves by a fifth from run to run: the figure is the median of several first
        // pushes, each to a server started afresh.
        let mut cpu = vec![u.cpu_per_1000];
        for _ in 1..cpu_rounds() {
            let s = start_unknot();
            wait_up(&s.base).await;
            let mut c = Conn::open(&UNKNOT, &s.base, "push100").await;
            cpu.push(first_push(&mut c, &s, n).await.cpu_per_1000);
        }
        cpu.sort_by(f64::total_cmp);
        u.cpu_per_1000 = cpu[cpu.len() / 2];
        let p = match start_pouch() {
            Some(pouch) => Some(measure(&POUCH, &pouch, n).await),
            None => None,
        };
        println!(
            "{n} documents of about 300 bytes per push run; Unknot on {}",
            if std::env::var("DATABASE_URL").is_ok_and(|d| d.starts_with("postgres")) {
                "PostgreSQL"
            } else {
                "a SQLite file"
            }
        );
        println!(
            "{:<34} {:>12} {:>15} {:>8}",
            "", "Unknot", "pouchdb-server", "ratio"
        );
        let rows: [Row; 10] = [
            ("push, batches of 100 (docs/s)", |f| f.push100),
            ("push, batches of 500 (docs/s)", |f| f.push500),
            ("push, 8 concurrent people (docs/s)", |f| f.push8),
            ("full pull (docs/s)", |f| f.pull_full),
            ("incremental pull of 10, p50 (ms)", |f| f.inc_p50),
            ("incremental pull of 10, p99 (ms)", |f| f.inc_p99),
            ("RSS idle (MB)", |f| f.rss_idle),
            ("RSS after the load (MB)", |f| f.rss_after),
            ("bytes written per JSON byte pushed", |f| f.write_ratio),
            ("server CPU per 1,000 docs pushed (ms)", |f| f.cpu_per_1000),
        ];
        for (name, get) in rows {
            let a = get(&u);
            match &p {
                Some(p) => {
                    let b = get(p);
                    println!("{name:<34} {a:>12.2} {b:>15.2} {:>7.2}×", a / b);
                }
                None => println!("{name:<34} {a:>12.2}"),
            }
        }
        println!(
            "Unknot's CPU is the median of {} first pushes to servers started afresh: {}",
            cpu.len(),
            cpu.iter()
                .map(|c| format!("{c:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    });
}
