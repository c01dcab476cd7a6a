//! Pages under load: wrk (Debian's package `wrk`) on loopback against the release binary, a
//! signed-in client with a five-year journal (about 20,000 entries) on a SQLite file, a mixed run
//! that cycles through the home page, the timeline, trends, a one-tap log (POST), suggestions as
//! JSON and an incremental sync pull.
//!
//! Run: `cargo bench --bench pages` (`UNKNOT_LOAD_SECONDS`, default 10; 2 threads, 16
//! connections); with `DATABASE_URL=postgres://…` naming an empty database, on PostgreSQL. Prints wrk's report; asserts nothing (targets: docs/PERFORMANCE.md).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

/// The requests of the mix, in the script's order.
const NAMES: [&str; 6] = [
    "GET /",
    "GET /timeline",
    "GET /trends",
    "POST /quick",
    "GET /api/v1/suggestions",
    "GET /api/v1/sync/pull",
];

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("UNKNOT_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .clamp(1, 120);
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("wrk is not installed (apt-get install wrk): nothing measured");
        return Ok(());
    }
    let (db, path, _client, (email, password)) = common::five_year_journal("pages")?;
    drop(db);
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(
        // Another build to set beside this one (`UNKNOT_BENCH_BIN=/path/to/unknot`), run after
        // run on the same host: the host's load moves every figure more than most changes do.
        std::env::var("UNKNOT_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_unknot").into()),
    )
    .env("UNKNOT_ADDR", format!("127.0.0.1:{port}"))
    .env("DATABASE_URL", &path)
    .env(
        "UNKNOT_JWT_SECRET",
        "pages-bench-secret-that-is-long-enough",
    )
    .env("RUST_LOG", "error")
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()?;
    let run = actix_rt::System::new().block_on(async {
        let http = awc::Client::builder()
            .disable_redirects()
            .timeout(Duration::from_secs(30))
            .finish();
        let mut up = false;
        for _ in 0..400 {
            if http.get(format!("{base}/login")).send().await.is_ok() {
                up = true;
                break;
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(up, "unknot did not start");
        let (csrf, session) = common::sign_in(&http, &base, &email, &password).await?;
        let mut token = http
            .post(format!("{base}/api/v1/auth/token"))
            .send_json(&serde_json::json!({"email": email, "password": password}))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let token: serde_json::Value = token.json().await?;
        let bearer = token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // Where a device that synced a moment ago would pull from: the newest 50 changes.
        let mut cursor = String::new();
        for _ in 0..1000 {
            let mut r = http
                .get(format!("{base}/api/v1/sync/pull?limit=1000&since={cursor}"))
                .bearer_auth(&bearer)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let v: serde_json::Value = r.json().limit(64 << 20).await?;
            let next: i64 = match &v["cursor"] {
                serde_json::Value::String(s) => s.parse().unwrap_or(0),
                other => other.as_i64().unwrap_or(0),
            };
            cursor = next.to_string();
            if v["has_more"] != true {
                cursor = (next - 50).max(0).to_string();
                break;
            }
        }
        // Each request of the mix once, so the load measures answers, not refusals.
        let cookie = format!("unknot_session={session}; unknot_csrf={csrf}");
        for path in ["/", "/timeline", "/trends"] {
            let r = http
                .get(format!("{base}{path}"))
                .insert_header(("Cookie", cookie.clone()))
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(r.status() == 200, "{path}: {}", r.status());
        }
        let r = http
            .post(format!("{base}/quick"))
            .insert_header(("Cookie", cookie.clone()))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .send_body(format!("csrf_token={csrf}&action=water_250"))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(r.status() == 303, "POST /quick: {}", r.status());
        for path in [
            "/api/v1/suggestions".to_string(),
            format!("/api/v1/sync/pull?limit=100&since={cursor}"),
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&bearer)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(r.status() == 200, "{path}: {}", r.status());
        }
        Ok::<_, anyhow::Error>((csrf, session, bearer, cursor))
    });
    let (csrf, session, bearer, cursor) = match run {
        Ok(v) => v,
        Err(e) => {
            let _ = server.kill();
            return Err(e);
        }
    };
    let cookie = format!("unknot_session={session}; unknot_csrf={csrf}");
    let script = format!(
        r#"local c = {{["Cookie"] = "{cookie}"}}
local b = {{["Authorization"] = "Bearer {bearer}"}}
local f = {{["Cookie"] = "{cookie}", ["Content-Type"] = "application/x-www-form-urlencoded"}}
-- Built in init: wrk knows the Host header only then.
local reqs = {{}}
init = function(args)
  reqs = {{
    wrk.format("GET", "/", c),
    wrk.format("GET", "/timeline", c),
    wrk.format("GET", "/trends", c),
    wrk.format("POST", "/quick", f, "csrf_token={csrf}&action=water_250"),
    wrk.format("GET", "/api/v1/suggestions", b),
    wrk.format("GET", "/api/v1/sync/pull?limit=100&since={cursor}", b),
  }}
end
local i = 0
local only = tonumber(os.getenv("UNKNOT_LOAD_ONLY") or "0")
request = function()
  if only > 0 then return reqs[only] end
  i = i % #reqs + 1
  return reqs[i]
end
local shown = 0
response = function(status, headers, body)
  if status >= 400 and shown < 3 then
    shown = shown + 1
    print("refused: " .. status .. " " .. string.sub(body, 1, 200))
  end
end
"#
    );
    let script_path = std::env::temp_dir().join(format!("unknot-load-{}.lua", std::process::id()));
    std::fs::write(&script_path, script)?;
    println!(
        "wrk: 2 threads, 16 connections, {seconds} s; each connection cycles /, /timeline, /trends, POST /quick, /api/v1/suggestions, /api/v1/sync/pull"
    );
    let wrk = |only: usize, seconds: u64| {
        Command::new("wrk")
            .env("UNKNOT_LOAD_ONLY", only.to_string())
            .args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency", "-s"])
            .arg(&script_path)
            .arg(&base)
            .output()
    };
    let out = wrk(0, seconds);
    // Then each request of the mix alone, briefly: where the time goes (the log last, as it
    // grows the journal the others read).
    let mut alone = Vec::new();
    for i in [0, 1, 2, 4, 5, 3] {
        let name = NAMES[i];
        if let Ok(o) = wrk(i + 1, 3) {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let pick = |key: &str| {
                text.lines()
                    .find(|l| l.trim_start().starts_with(key))
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
                    .unwrap_or_default()
            };
            alone.push(format!(
                "{name:<28} {:>10} req/s  p99 {:>8}",
                pick("Requests/sec:"),
                pick("99%")
            ));
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_file(&script_path);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    print!("{}", String::from_utf8_lossy(&out?.stdout));
    println!("each request alone (3 s, same connections):");
    for line in alone {
        println!("  {line}");
    }
    Ok(())
}
