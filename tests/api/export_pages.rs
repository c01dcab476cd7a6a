//! The export page without JavaScript: pick a period, download each file, restore a backup by a
//! plain form upload (CSRF checked), and see what is wrong with a bad file.

use crate::helpers::*;

/// A multipart form body with `fields` and one file.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----unknot-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"backup.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn the_export_page_offers_each_file_for_the_chosen_period_and_restores_a_backup() {
    let app = spawn_app().await;
    let mut api = api_user(&app, "ana@example.com", "client").await;
    for b in sample_entries() {
        api.post_json("/api/v1/entries", &b).await;
    }
    let mut page = app.client();
    page.post_form(
        "/login",
        &[("email", "ana@example.com"), ("password", PASSWORD)],
    )
    .await;
    let r = page.get("/export?period=30").await;
    assert_eq!(r.status, 200);
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(29);
    let link = format!("/export/download?format=pdf&amp;from={from}&amp;to={today}");
    assert!(r.body.contains(&link), "{}", r.body);
    let pdf = page.get(&link.replace("&amp;", "&")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let bad = page
        .get("/export?period=custom&from=2026-05-10&to=2026-05-01")
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("must not be after the end of the period"),
        "{}",
        bad.body
    );

    let backup = page.get("/export/download?format=json").await;
    assert_eq!(backup.status, 200);
    let token = page.cookies.get("unknot_csrf").cloned().unwrap();
    let mut fresh = app.client();
    register(&app, "new@example.com", "client").await;
    fresh
        .post_form(
            "/login",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    let fresh_token = fresh.cookies.get("unknot_csrf").cloned().unwrap();
    let (ct, body) = multipart(&[("csrf_token", &token)], &backup.bytes);
    let forged = fresh.send_raw("POST", "/export/import", &ct, body).await;
    assert_eq!(forged.status, 403, "another session's token is refused");
    let (ct, body) = multipart(&[("csrf_token", &fresh_token)], &backup.bytes);
    let r = fresh.send_raw("POST", "/export/import", &ct, body).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = fresh.get(&r.location()).await;
    assert!(
        done.body.contains("Backup restored: 7 entries added"),
        "{}",
        done.body
    );
    let (ct, body) = multipart(
        &[("csrf_token", &fresh_token)],
        br#"{"format": "unknot-backup", "version": 1, "entries": [{"kind": "hydration"}]}"#,
    );
    let r = fresh.send_raw("POST", "/export/import", &ct, body).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Backup file (.json) has a problem at entries[0]"),
        "{}",
        r.body
    );
    let mut check = api_login(&app, "new@example.com").await;
    let n = check.get("/api/v1/entries").await.json()["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n, 7, "the restored entries and nothing of the bad file");
}

#[actix_web::test]
async fn the_timeline_of_a_chosen_period_lists_every_entry_on_one_page_for_printing() {
    let app = spawn_app().await;
    let mut api = api_user(&app, "ana@example.com", "client").await;
    let today = chrono::Utc::now().date_naive();
    let mutations: Vec<serde_json::Value> = (0..80)
        .map(|i| {
            serde_json::json!({"mid": i + 1, "op": "upsert", "base_version": 0, "entry": {
                "id": format!("0196c0de-0000-7000-8000-{:012}", i + 1),
                "kind": "hydration",
                "occurred_at": format!("{}T{:02}:00:00+01:00", today - chrono::Duration::days(i / 8), 8 + i % 8),
                "data": {"volume_ml": 250},
            }})
        })
        .collect();
    api.post_json(
        "/api/v1/sync/push",
        &serde_json::json!({"client_id": "0196c0de-aaaa-7000-8000-00000000000c", "mutations": mutations}),
    )
    .await;
    let mut page = app.client();
    page.post_form(
        "/login",
        &[("email", "ana@example.com"), ("password", PASSWORD)],
    )
    .await;
    let paged = page.get("/timeline").await;
    assert_eq!(
        paged.body.matches("class=\"entry ").count(),
        50,
        "the usual page"
    );
    let from = today - chrono::Duration::days(9);
    let whole = page.get(&format!("/timeline?from={from}&to={today}")).await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.body.matches("class=\"entry ").count(),
        80,
        "every entry of the period"
    );
    assert!(
        !whole.body.contains("Older entries"),
        "no paging in a period"
    );
    assert!(
        whole
            .body
            .contains(&format!("Timeline: {}", from.format("%-d %b %Y")))
    );
    let bad = page.get(&format!("/timeline?from={today}&to={from}")).await;
    assert_eq!(bad.status, 422);
}
