//! Insight performance on a client with five years of data (about 20,000 entries), SQLite.
//!
//! Run: `cargo bench --bench insight` (release build; prints a table, asserts nothing).
//! Targets (issue 4): `evaluate` ≤ 2 ms; `/` and `/trends` p99 ≤ 20 ms over HTTP on this machine.

use std::time::{Duration, Instant};
use unknot::config::{DatabaseUrl, Settings};
use unknot::domain::rules::{Journal, Thresholds, evaluate};
use unknot::startup::Application;
use unknot::store::{Db, entries, users};

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

fn main() -> anyhow::Result<()> {
    let path = std::env::temp_dir().join(format!("unknot-bench-{}.db", std::process::id()));
    let db_url = DatabaseUrl::Sqlite(path.to_string_lossy().into_owned());
    let db = Db::connect(&db_url)?;
    let now = chrono::Utc::now();
    let t0 = Instant::now();
    let logins = unknot::demo::load_fixed(&db, now).map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = db
        .write_blocking(|c| users::find_by_email(c, "demo@unknot.example"))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("demo client missing"))?
        .0;
    // Five years in three passes with different seeds: about 20,000 entries.
    let mut list =
        unknot::domain::demo::history(now - chrono::Duration::days(183), 5 * 365 - 183, 7);
    list.extend(unknot::domain::demo::history(now, 5 * 365, 11));
    list.extend(unknot::domain::demo::history(
        now - chrono::Duration::days(400),
        2 * 365,
        13,
    ));
    let uid = client.id;
    db.write_blocking(move |c| entries::insert_many(c, uid, &list, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let total: i64 = db
        .write_blocking(move |c| {
            use diesel::prelude::*;
            use unknot::store::schema::entries as t;
            Ok::<_, unknot::store::StoreError>(
                t::table
                    .filter(t::user_id.eq(uid.to_string()))
                    .count()
                    .get_result(c)?,
            )
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "journal: {total} entries over five years (built in {:.1} s)",
        t0.elapsed().as_secs_f64()
    );

    // evaluate() alone, on what the store loads for it.
    let recent = db
        .write_blocking(move |c| entries::for_insight(c, uid, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "evaluate reads {} entries (last 90 days + newest sessions)",
        recent.len()
    );
    let journal = Journal {
        entries: recent,
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
            entries: list,
            cautions: vec![],
            timezone: client.timezone.clone(),
        };
        std::hint::black_box(evaluate(&j, fixed_now, &thresholds));
        samples.push(t.elapsed());
    }
    report("load 90 days + evaluate", samples);

    // Over HTTP on loopback, through the whole middleware stack.
    actix_web::rt::System::new().block_on(async move {
        let mut settings = Settings::from_lookup(|_| None)?;
        settings.database = db_url.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let app = Application::build_with(settings, db, listener)?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.server_handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let http = awc::Client::builder()
            .disable_redirects()
            .timeout(Duration::from_secs(10))
            .finish();
        let login = http
            .get(format!("{base}/login"))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let csrf = login
            .cookies()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .iter()
            .find(|c| c.name() == "unknot_csrf")
            .map(|c| c.value().to_string())
            .ok_or_else(|| anyhow::anyhow!("no csrf cookie"))?;
        let body = format!(
            "csrf_token={csrf}&email=demo%40unknot.example&password={}",
            logins.client.1
        );
        let res = http
            .post(format!("{base}/login"))
            .insert_header(("Cookie", format!("unknot_csrf={csrf}")))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .send_body(body)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let session = res
            .cookies()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .iter()
            .find(|c| c.name() == "unknot_session")
            .map(|c| c.value().to_string())
            .ok_or_else(|| anyhow::anyhow!("login failed: {}", res.status()))?;
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
