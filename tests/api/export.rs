//! Exports and imports: the JSON backup round trip, CSV read back, the PDF's text, FHIR checked
//! by a real validator, and a therapist's copy of the report.
//! The PDF and FHIR checks use tools outside Rust (`pdftotext` from poppler-utils, and Python's
//! fhir.resources in the virtualenv `.ci/run` makes, named by UNKNOT_FHIR_PYTHON): outside CI a
//! missing tool skips that check with a message; in CI (`CI=true`) it fails the test.

use crate::helpers::*;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Runs `program` with `input` on stdin, or says why it cannot (skipped outside CI).
fn run_tool(
    program: &str,
    args: &[&str],
    input: &[u8],
    missing: &str,
) -> Option<std::process::Output> {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(!in_ci(), "{program} is needed in CI ({missing}): {e}");
            eprintln!("skipped: {program} is missing ({missing})");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(input).unwrap();
    Some(child.wait_with_output().unwrap())
}

fn days_ago(days: i64, hour: u32) -> String {
    let d = chrono::Utc::now().date_naive() - chrono::Duration::days(days);
    format!("{}T{hour:02}:15:00+02:00", d)
}

/// A journal with every kind, warning signs, accents and a formula-like note.
async fn journal(c: &mut Client) {
    let bodies = vec![
        json!({"kind": "episode", "occurred_at": days_ago(3, 7), "data": {"body_site": "calf_left", "intensity": 7, "duration_s": 240, "triggers": ["exercise"], "red_flags": ["numbness"], "relief": ["stretch"], "notes": "=HYPERLINK(\"x\") nach dem Lauf, Wadenkrämpfe"}}),
        json!({"kind": "episode", "occurred_at": days_ago(10, 22), "data": {"body_site": "neck", "intensity": 4, "notes": "-2 then +1 @home"}}),
        json!({"kind": "episode", "occurred_at": days_ago(40, 9), "data": {"body_site": "lower_back", "intensity": 5}}),
        json!({"kind": "hydration", "occurred_at": days_ago(3, 9), "data": {"volume_ml": 500, "electrolytes": true}}),
        json!({"kind": "heat_ice", "occurred_at": days_ago(3, 8), "data": {"mode": "heat", "minutes": 10, "body_site": "calf_left"}}),
        json!({"kind": "stretch", "occurred_at": days_ago(2, 7), "data": {"minutes": 15, "body_sites": ["calf_left"], "routine": "wall stretch"}}),
        json!({"kind": "massage", "occurred_at": days_ago(20, 17), "data": {"technique": "deep_tissue", "duration_min": 60, "pressure": "firm", "therapist": "Sam"}}),
        json!({"kind": "condition", "occurred_at": days_ago(30, 8), "data": {"status": "unwell", "ended_at": days_ago(27, 8), "notes": "Grippe"}}),
        json!({"kind": "event", "occurred_at": days_ago(-8, 9), "data": {"name": "Half marathon"}}),
    ];
    for b in bodies {
        let r = c.post_json("/api/v1/entries", &b).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

fn entries_of(backup: &Value) -> Value {
    backup["entries"].clone()
}

#[actix_web::test]
async fn a_backup_restores_into_a_fresh_account_exactly_and_twice_changes_nothing() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    journal(&mut ana).await;
    let r = ana.get("/api/v1/export?format=json").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("attachment; filename=\"unknot_all_")
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let original: Value = r.json();
    assert_eq!(original["format"], "unknot-backup");
    assert_eq!(entries_of(&original).as_array().unwrap().len(), 9);

    let mut fresh = api_user(&app, "fresh@example.com", "client").await;
    let first = fresh
        .send_raw(
            "POST",
            "/api/v1/import",
            "application/json",
            r.bytes.clone(),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.json(),
        json!({"added": 9, "unchanged": 0, "kept": 0, "restored": 0})
    );
    let again = fresh
        .send_raw(
            "POST",
            "/api/v1/import",
            "application/json",
            r.bytes.clone(),
        )
        .await;
    assert_eq!(
        again.json(),
        json!({"added": 0, "unchanged": 9, "kept": 0, "restored": 0})
    );
    let copy: Value = fresh.get("/api/v1/export?format=json").await.json();
    assert_eq!(
        entries_of(&copy),
        entries_of(&original),
        "export → import → export keeps every entry"
    );
    assert_eq!(copy["profile"]["timezone"], original["profile"]["timezone"]);
}

#[actix_web::test]
async fn a_malformed_or_oversized_backup_names_the_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    journal(&mut ana).await;
    let mut good: Value = ana.get("/api/v1/export?format=json").await.json();
    let mut fresh = api_user(&app, "fresh@example.com", "client").await;
    let i = good["entries"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["kind"] == "stretch")
        .unwrap();
    good["entries"][i]["data"]["minutes"] = json!(9999);
    let r = fresh
        .send_raw(
            "POST",
            "/api/v1/import",
            "application/json",
            good.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.json()["fields"][format!("entries[{i}].data.minutes")],
        "must be a whole number from 1 to 240"
    );
    for (body, field) in [
        (b"not json at all".to_vec(), "file"),
        (
            br#"{"format": "something-else", "version": 1, "entries": []}"#.to_vec(),
            "format",
        ),
        (
            br#"{"format": "unknot-backup", "version": 9, "entries": []}"#.to_vec(),
            "version",
        ),
    ] {
        let r = fresh
            .send_raw("POST", "/api/v1/import", "application/json", body)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.json()["fields"][field].is_string(), "{field}: {}", r.body);
    }
    let huge = vec![b' '; 33 * 1024 * 1024];
    let r = fresh
        .send_raw("POST", "/api/v1/import", "application/json", huge)
        .await;
    assert_eq!(r.status, 413);
    let after = fresh.get("/api/v1/entries").await.json();
    assert_eq!(after["entries"], json!([]), "nothing was half-stored");
}

#[actix_web::test]
async fn csv_reads_back_with_a_bom_neutralised_formulas_and_accents_intact() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    journal(&mut ana).await;
    let r = ana.get("/api/v1/export?format=csv").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    let bytes = r.body.as_bytes();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark");
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&header[..4], ["id", "kind", "occurred_at", "local_date"]);
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        8,
        "the last 90 days; the event is in the future"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let notes: Vec<&str> = rows.iter().map(|r| &r[col("notes")]).collect();
    assert!(
        notes.contains(&"'=HYPERLINK(\"x\") nach dem Lauf, Wadenkrämpfe"),
        "{notes:?}"
    );
    assert!(notes.contains(&"'-2 then +1 @home"), "{notes:?}");
    let first = rows.iter().find(|r| &r[col("intensity")] == "7").unwrap();
    assert_eq!(&first[col("red_flags")], "numbness");
    assert!(
        first[col("occurred_at")].ends_with("+02:00"),
        "times keep their offset"
    );
    assert_eq!(&first[col("utc_offset")], "UTC+02:00");
}

#[actix_web::test]
async fn the_pdf_report_reads_as_text_with_period_counts_and_warning_dates() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    journal(&mut ana).await;
    let r = ana.get("/api/v1/export?format=pdf").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    let pdf = r.bytes;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
    let Some(out) = run_tool(
        "pdftotext",
        &["-layout", "-", "-"],
        &pdf,
        "apt-get install poppler-utils",
    ) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(89);
    for want in [
        "Muscle spasm report: Test Person".to_string(),
        format!(
            "{} to {} (90 days)",
            from.format("%-d %b %Y"),
            today.format("%-d %b %Y")
        ),
        "Warning signs and medical advice".to_string(),
        "Numbness".to_string(),
        (today - chrono::Duration::days(3))
            .format("%-d %b %Y")
            .to_string(),
        "Every episode".to_string(),
        "Wadenkrämpfe".to_string(),
        "page 1 of".to_string(),
    ] {
        assert!(text.contains(&want), "the report says {want:?}:\n{text}");
    }
    // The first page rendered (grey, 40 dpi) is not blank: text and charts put ink on it.
    let dir = std::env::temp_dir().join(format!("unknot-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.pdf"), &pdf).unwrap();
    let root = dir.join("page");
    let drawn = Command::new("pdftoppm")
        .args(["-r", "40", "-f", "1", "-l", "1", "-gray"])
        .arg(dir.join("r.pdf"))
        .arg(&root)
        .status()
        .expect("pdftoppm runs");
    assert!(drawn.success());
    let pgm = std::fs::read(dir.join("page-1.pgm")).expect("page 1 as an image");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(pgm.starts_with(b"P5"), "a greyscale image of page 1");
    let pixels = &pgm[pgm.len() - (pgm.len() * 9 / 10)..];
    let dark = pixels.iter().filter(|p| **p < 128).count();
    assert!(
        dark * 100 > pixels.len(),
        "page 1 has ink: {dark} dark pixels of {}",
        pixels.len()
    );
    let episodes = text
        .lines()
        .find(|l| l.trim_start().starts_with("Episodes "))
        .unwrap_or_else(|| panic!("a headline row of episodes:\n{text}"));
    assert!(
        episodes.split_whitespace().any(|w| w == "3"),
        "3 episodes in 90 days: {episodes}"
    );
}

#[actix_web::test]
async fn a_long_journal_makes_a_report_of_many_pages_with_the_table_header_on_each() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    let mutations: Vec<Value> = (0..300)
        .map(|i| {
            json!({"mid": i + 1, "op": "upsert", "base_version": 0, "entry": {
                "id": format!("0196c0de-0000-7000-8000-{:012}", i + 1),
                "kind": "episode",
                "occurred_at": days_ago(i / 4, 6 + (i % 4) as u32 * 4),
                "data": {"body_site": "calf_right", "intensity": 3 + (i % 5), "notes": "a long note that wraps over the width of its table cell in the report"},
            }})
        })
        .collect();
    let r = ana
        .post_json(
            "/api/v1/sync/push",
            &json!({"client_id": "0196c0de-aaaa-7000-8000-000000000009", "mutations": mutations}),
        )
        .await;
    assert_eq!(r.status, 200);
    let pdf = ana.get("/api/v1/export?format=pdf").await.bytes;
    let Some(out) = run_tool(
        "pdftotext",
        &["-", "-"],
        &pdf,
        "apt-get install poppler-utils",
    ) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 4, "many pages: {}", pages.len());
    let first = pages
        .iter()
        .position(|p| p.contains("Every episode"))
        .expect("the table");
    for (i, p) in pages.iter().enumerate().skip(first) {
        assert!(
            p.contains("Triggers · notes"),
            "the table header is on page {}",
            i + 1
        );
        assert!(
            p.contains(&format!("page {} of {}", i + 1, pages.len())),
            "footer on page {}",
            i + 1
        );
    }
}

#[actix_web::test]
async fn the_fhir_bundle_passes_a_real_fhir_r4_validator() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    journal(&mut ana).await;
    let r = ana.get("/api/v1/export?format=fhir").await;
    assert_eq!(r.status, 200);
    let bundle: Value = r.json();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let pain = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["component"][0]["valueInteger"] == 7)
        .expect("the episode of intensity 7");
    assert_eq!(
        pain["resource"]["component"][0]["code"]["coding"][0]["code"],
        "72514-3"
    );
    assert_eq!(pain["resource"]["bodySite"]["text"], "Left calf");
    let python = std::env::var("UNKNOT_FHIR_PYTHON").unwrap_or_else(|_| "python3".into());
    let Some(out) = run_tool(
        &python,
        &["tests/fhir/validate.py"],
        &r.bytes,
        "python with fhir.resources; .ci/run makes it",
    ) else {
        return;
    };
    let said = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && said.contains("No module named") {
        assert!(!in_ci(), "fhir.resources is needed in CI: {said}");
        eprintln!("skipped: fhir.resources is not installed for {python}");
        return;
    }
    assert!(
        out.status.success(),
        "the validator refuses the bundle:\n{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kinds: Value = serde_json::from_str(said.trim()).unwrap();
    assert_eq!(
        kinds,
        json!({"Condition": 1, "Observation": 4, "Patient": 1, "Procedure": 3})
    );
}

#[actix_web::test]
async fn a_therapist_with_a_grant_downloads_the_report_and_the_read_is_logged() {
    let app = spawn_app().await;
    let client_id = register(&app, "ana@example.com", "client").await;
    let mut ana = api_login(&app, "ana@example.com").await;
    journal(&mut ana).await;
    let mut sam = api_user(&app, "sam@example.com", "therapist").await;
    let path = format!("/api/v1/clients/{client_id}/export?format=pdf");
    assert_eq!(sam.get(&path).await.status, 404, "no grant, no report");
    share_and_redeem(&mut ana, &mut sam, "read").await;
    let r = sam.get(&path).await;
    assert_eq!(r.status, 200);
    assert!(r.bytes.starts_with(b"%PDF-"));
    let csv = sam
        .get(&format!("/api/v1/clients/{client_id}/export?format=csv"))
        .await;
    assert_eq!(csv.status, 422, "therapists get the report only");
    let log = ana.get("/api/v1/access-log").await.json();
    assert!(
        log["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["resource"].as_str().unwrap().contains("/export")),
        "{log}"
    );
}
