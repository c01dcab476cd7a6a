//! Export performance on a five-year journal (about 20,000 entries), SQLite, end to end over
//! HTTP on loopback (loading, computing and writing the file), plus the pure writers alone.
//!
//! Run: `cargo bench --bench export` (release build; prints a table, asserts nothing).
//! Targets (issue 12): the PDF report of a year (about 4,000 entries) ≤ 150 ms; CSV and the JSON
//! backup of five years ≤ 100 ms.

use std::time::{Duration, Instant};
use unknot::config::{DatabaseUrl, Settings};
use unknot::domain::entry::{Entry, NewEntry};
use unknot::startup::Application;
use unknot::store::{Db, entries, users};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>, extra: &str) {
    samples.sort();
    println!(
        "{name:<34} n={:<4} p50={:>8.2} ms  p99={:>8.2} ms  {extra}",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1000.0,
        percentile(&samples, 0.99).as_secs_f64() * 1000.0,
    );
}

fn stored(list: &[NewEntry]) -> Vec<Entry> {
    list.iter()
        .map(|e| Entry {
            id: e.id,
            occurred_at: e.occurred_at,
            data: e.data.clone(),
            version: 1,
            deleted: false,
            seq: 1,
            updated_at: chrono::Utc::now(),
        })
        .collect()
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let path = std::env::temp_dir().join(format!("unknot-export-bench-{}.db", std::process::id()));
    let db_url = DatabaseUrl::Sqlite(path.to_string_lossy().into_owned());
    let db = Db::connect(&db_url)?;
    let now = chrono::Utc::now();
    unknot::demo::load_fixed(&db, now).map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = db
        .write_blocking(|c| users::find_by_email(c, "demo@unknot.example"))
        .map_err(|e: unknot::store::StoreError| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("demo client missing"))?
        .0;
    // Five years in two passes with different seeds: about 20,000 entries, 4,000 a year.
    let mut list = unknot::domain::demo::history(now, 5 * 365, 7);
    list.extend(unknot::domain::demo::history(now, 5 * 365, 11));
    let (uid, all) = (client.id, list.clone());
    db.write_blocking(move |c| entries::insert_many(c, uid, &all, now))
        .map_err(|e: unknot::store::StoreError| anyhow::anyhow!("{e}"))?;
    let year: Vec<NewEntry> = list
        .iter()
        .filter(|e| e.occurred_at.with_timezone(&chrono::Utc) > now - chrono::Duration::days(365))
        .cloned()
        .collect();
    println!(
        "journal: {} entries over five years, {} in the last year",
        list.len(),
        year.len()
    );

    // The writers alone, on entries in memory.
    let five = stored(&list);
    let csv = unknot::export::csv::write(&five);
    report(
        "CSV writer, five years",
        time(30, || unknot::export::csv::write(&five)),
        &format!("{} KB", csv.len() / 1024),
    );
    let profile = unknot::export::backup::Profile {
        display_name: "Alex",
        timezone: Some("Europe/London"),
        cautions: &[],
        thresholds: &Default::default(),
    };
    let json = unknot::export::backup::write(&profile, &five, &[], now);
    report(
        "JSON backup writer, five years",
        time(30, || {
            unknot::export::backup::write(&profile, &five, &[], now)
        }),
        &format!("{} KB", json.len() / 1024),
    );

    // End to end over HTTP: load from SQLite, compute, write.
    actix_web::rt::System::new().block_on(async move {
        let mut settings = Settings::from_lookup(|_| None)?;
        settings.database = db_url.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let app = Application::build_with(settings, db, listener)?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.server_handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let http = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
        let mut r = http
            .post(format!("{base}/api/v1/auth/token"))
            .send_json(&serde_json::json!({"email": "demo@unknot.example", "password": "unknot-demo-2026"}))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let token: serde_json::Value = r.json().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or_default());
        let today = now.date_naive();
        let from5 = today - chrono::Duration::days(5 * 365);
        let from1 = today - chrono::Duration::days(364);
        for (name, q, n) in [
            ("GET PDF report, one year", format!("format=pdf&from={from1}&to={today}"), 20),
            ("GET CSV, five years", format!("format=csv&from={from5}&to={today}"), 20),
            ("GET JSON backup, five years", "format=json".to_string(), 20),
            ("GET FHIR, one year", format!("format=fhir&from={from1}&to={today}"), 10),
        ] {
            let mut samples = Vec::new();
            let mut size = 0;
            for _ in 0..n {
                let t = Instant::now();
                let mut resp = http
                    .get(format!("{base}/api/v1/export?{q}"))
                    .insert_header(("Authorization", bearer.as_str()))
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let body = resp.body().limit(256 * 1024 * 1024).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                samples.push(t.elapsed());
                size = body.len();
                anyhow::ensure!(resp.status().is_success(), "{name}: {}", resp.status());
            }
            report(name, samples, &format!("{} KB", size / 1024));
        }
        handle.stop(true).await;
        anyhow::Ok(())
    })?;
    let _ = std::fs::remove_file(&path);
    Ok(())
}
