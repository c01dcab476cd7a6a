//! Report links: a doctor opens the report without an account; unknown, expired and revoked
//! links look the same; every view is in the client's access log; the answers stay private.

use crate::helpers::*;
use serde_json::json;

fn private(r: &Reply) {
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(r.header("x-robots-tag").as_deref(), Some("noindex"));
}

#[actix_web::test]
async fn a_doctor_opens_the_report_by_link_and_every_view_is_logged() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    for b in sample_entries() {
        ana.post_json("/api/v1/entries", &b).await;
    }
    let r = ana
        .post_json("/api/v1/report-links", &json!({"expires_in_days": 7}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let made = r.json();
    let url = made["url"].as_str().unwrap().to_string();
    let token = url.rsplit('/').next().unwrap().to_string();
    assert_eq!(token.len(), 32, "128 random bits");
    assert!(
        url.starts_with(&format!("{}/r/", app.addr)),
        "built from the server's own address, not Host: {url}"
    );
    let mut doctor = app.client();
    let page = doctor.get(&format!("/r/{token}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    private(&page);
    assert!(
        page.body.contains("Muscle spasm report: Test Person"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Every episode"));
    let pdf = doctor.get(&format!("/r/{token}/report.pdf")).await;
    assert_eq!(pdf.status, 200);
    private(&pdf);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let list = ana.get("/api/v1/report-links").await.json();
    assert_eq!(list["links"][0]["views"], 2);
    let log = ana.get("/api/v1/access-log").await.json();
    let reads: Vec<&str> = log["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["therapist_id"].is_null())
        .map(|a| a["resource"].as_str().unwrap())
        .collect();
    assert_eq!(reads.len(), 2, "{log}");
    assert!(
        reads.iter().all(|r| r.starts_with("report link for ")),
        "{reads:?}"
    );
    assert!(reads.iter().any(|r| r.ends_with("(PDF)")));
}

#[actix_web::test]
async fn unknown_expired_and_revoked_links_get_the_same_404() {
    let app = spawn_app().await;
    let mut ana = api_user(&app, "ana@example.com", "client").await;
    let mut token_of = async |days: i64| {
        let r = ana
            .post_json("/api/v1/report-links", &json!({"expires_in_days": days}))
            .await
            .json();
        (
            r["id"].as_str().unwrap().to_string(),
            r["url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        )
    };
    let (_, soon) = token_of(1).await;
    let (revoked_id, revoked) = token_of(30).await;
    let (_, live) = token_of(30).await;
    assert_eq!(
        ana.delete(&format!("/api/v1/report-links/{revoked_id}"))
            .await
            .status,
        204
    );
    let r = ana
        .post_json("/api/v1/report-links", &json!({"expires_in_days": 31}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["fields"]["expires_in_days"],
        "must be a whole number from 1 to 30"
    );

    app.state.clock.advance(chrono::Duration::days(2));
    let mut doctor = app.client();
    let mut bodies = Vec::new();
    for t in [
        soon.as_str(),
        revoked.as_str(),
        "0123456789abcdef0123456789abcdef",
        "nonsense",
    ] {
        let r = doctor.get(&format!("/r/{t}")).await;
        assert_eq!(r.status, 404, "{t}");
        private(&r);
        bodies.push(r.body);
        assert_eq!(doctor.get(&format!("/r/{t}/report.pdf")).await.status, 404);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one answer for all"
    );
    assert_eq!(doctor.get(&format!("/r/{live}")).await.status, 200);
}

#[actix_web::test]
async fn the_export_page_makes_a_link_shows_it_once_and_revokes_it() {
    let app = spawn_app().await;
    let mut page = web_user(&app, "ana@example.com", "client").await;
    page.get("/export").await;
    let r = page
        .post_form(
            "/export/links",
            &[
                ("period", "custom"),
                ("from", "2026-01-01"),
                ("to", "2026-03-31"),
                ("expires_in_days", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.contains("shown only now"));
    assert!(r.body.contains("aria-label=\"QR code of the report link\""));
    let link = r.body.split("/r/").nth(1).unwrap()[..32].to_string();
    assert!(
        page.get("/export")
            .await
            .body
            .contains("1 Jan 2026 to 31 Mar 2026")
    );
    assert!(
        !page.get("/export").await.body.contains(&link),
        "the link is shown once"
    );
    let mut api = api_login(&app, "ana@example.com").await;
    let id = api.get("/api/v1/report-links").await.json()["links"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = page
        .post_form(&format!("/export/links/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.client().get(&format!("/r/{link}")).await.status, 404);
}
