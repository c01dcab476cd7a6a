//! Insight performance on a client with five years of data (about 20,000 entries), SQLite.
//!
//! Run: `cargo bench --bench insight` (release build; prints a table, asserts nothing).
//! Targets (issue 4): `evaluate` ≤ 2 ms; `/` and `/trends` p99 ≤ 20 ms over HTTP on this machine.

use std::time::{Duration, Instant};
use unknot::config::Settings;
use unknot::domain::rules::{Journal, Thresholds, evaluate};
use unknot::startup::Application;
use unknot::store::entries;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<28} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1000.0,
        percentile(&samples, 0.99).as_secs_f64() * 1000.0,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

mod common;

fn main() -> anyhow::Result<()> {
    let (db, path, client, client_login) = common::five_year_journal("insight")?;
    let uid = client.id;
    let now = chrono::Utc::now();
    // evaluate() alone, on what the store loads for it.
    let recent = db
        .write_blocking(move |c| entries::for_insight(c, uid, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "evaluate reads {} entries (last 90 days + newest sessions)",
        recent.len()
    );
    let journal = Journal {
        entries: recent.into(),
        cautions: vec![],
        timezone: client.timezone.clone(),
    };
    let thresholds = Thresholds::default();
    let fixed_now = now.fixed_offset();
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        let e = evaluate(&journal, fixed_now, &thresholds);
        samples.push(t.elapsed());
        std::hint::black_box(e);
    }
    report("evaluate", samples);

    // Load + evaluate, as a request does.
    let mut samples = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        let list = db
            .write_blocking(move |c| entries::for_insight(c, uid, now))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let j = Journal {
            entries: list.into(),
            cautions: vec![],
            timezone: client.timezone.clone(),
        };
        std::hint::black_box(evaluate(&j, fixed_now, &thresholds));
        samples.push(t.elapsed());
    }
    report("load 90 days + evaluate", samples);

    // Over HTTP on loopback, through the whole middleware stack.
    let file = path.clone();
    actix_web::rt::System::new().block_on(async move {
        let mut settings = Settings::from_lookup(|_| None)?;
        settings.database = common::database_url(&file);
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let app = Application::build_with(settings, db, listener)?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.server_handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let http = awc::Client::builder()
            .disable_redirects()
            .timeout(Duration::from_secs(10))
            .finish();
        let (csrf, session) =
            common::sign_in(&http, &base, "demo@unknot.example", &client_login.1).await?;
        let cookie = format!("unknot_csrf={csrf}; unknot_session={session}");
        for path in ["/", "/trends", "/timeline", "/insights"] {
            let mut samples = Vec::new();
            for i in 0..330 {
                let t = Instant::now();
                let mut r = http
                    .get(format!("{base}{path}"))
                    .insert_header(("Cookie", cookie.clone()))
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let body = r
                    .body()
                    .limit(8 * 1024 * 1024)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let took = t.elapsed();
                anyhow::ensure!(r.status() == 200, "{path}: {}", r.status());
                std::hint::black_box(body);
                if i >= 30 {
                    samples.push(took);
                }
            }
            report(&format!("GET {path} (HTTP)"), samples);
        }
        handle.stop(true).await;
        Ok::<_, anyhow::Error>(())
    })?;
    let _ = std::fs::remove_file(&path);
    Ok(())
}
