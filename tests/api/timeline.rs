//! The timeline's filter: one kind, and words in the notes, page after page.

use crate::helpers::*;
use serde_json::json;

async fn log(api: &mut Client, minutes_ago: i64, kind: &str, data: serde_json::Value) {
    let at = (chrono::Utc::now() - chrono::Duration::minutes(minutes_ago))
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let r = api
        .post_json(
            "/api/v1/entries",
            &json!({"id": id, "kind": kind, "occurred_at": at, "data": data}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

fn shown(body: &str) -> usize {
    body.matches("<li class=\"entry kind-").count()
}

#[actix_web::test]
async fn the_timeline_filters_by_kind_and_finds_words_in_notes_only() {
    let app = spawn_app().await;
    let mut api = api_user(&app, "tl@example.com", "client").await;
    let ep = |notes: &str| json!({"body_site": "neck", "intensity": 3, "notes": notes});
    log(&mut api, 10, "episode", ep("After the RUN, left side")).await;
    log(
        &mut api,
        20,
        "massage",
        json!({"technique": "swedish", "notes": "run club massage"}),
    )
    .await;
    log(&mut api, 30, "event", json!({"name": "run 10k"})).await;
    log(&mut api, 40, "hydration", json!({"volume_ml": 250})).await;
    log(&mut api, 50, "episode", ep("100% better after heat")).await;
    log(&mut api, 60, "episode", ep("1000 steps")).await;
    log(
        &mut api,
        70,
        "episode",
        json!({"body_site": "neck", "intensity": 3, "pattern": "cramp"}),
    )
    .await;
    log(&mut api, 80, "episode", ep("Épaule raide")).await;
    let mut c = app.client();
    c.post_form(
        "/login",
        &[("email", "tl@example.com"), ("password", PASSWORD)],
    )
    .await;
    let all = c.get("/timeline").await;
    assert_eq!(shown(&all.body), 8);
    let accented = c.get("/timeline?q=%C3%A9paule").await;
    assert_eq!(shown(&accented.body), 1, "any case, beyond ASCII too");
    let run = c.get("/timeline?q=run").await;
    assert_eq!(
        shown(&run.body),
        2,
        "notes only, any case: not the event's name"
    );
    assert!(run.body.contains("After the RUN") && run.body.contains("run club massage"));
    assert!(
        run.body.contains(r#"value="run""#),
        "the words stay in the box"
    );
    let massage = c.get("/timeline?kind=massage&q=run").await;
    assert_eq!(shown(&massage.body), 1);
    let water = c.get("/timeline?kind=hydration").await;
    assert_eq!(shown(&water.body), 1);
    assert!(
        water
            .body
            .contains(r#"<option value="hydration" selected>"#)
    );
    let percent = c.get("/timeline?q=100%25").await;
    assert_eq!(shown(&percent.body), 1, "% is a character, not a wildcard");
    let cramp = c.get("/timeline?q=cramp").await;
    assert_eq!(
        shown(&cramp.body),
        0,
        "a field other than notes does not match"
    );
    assert!(cramp.body.contains("No entries match."));
    let unknown = c.get("/timeline?kind=teleport").await;
    assert_eq!(shown(&unknown.body), 8, "an unknown kind shows everything");
}

#[actix_web::test]
async fn a_notes_search_goes_on_to_older_entries_page_by_page() {
    let app = spawn_app().await;
    let mut api = api_user(&app, "tl2@example.com", "client").await;
    for i in 0..120 {
        let notes = if i % 2 == 0 { "stiff calf" } else { "fine" };
        log(
            &mut api,
            i * 5 + 1,
            "episode",
            json!({"body_site": "calf_left", "intensity": 2, "notes": notes}),
        )
        .await;
    }
    let mut c = app.client();
    c.post_form(
        "/login",
        &[("email", "tl2@example.com"), ("password", PASSWORD)],
    )
    .await;
    let first = c.get("/timeline?q=stiff").await;
    assert_eq!(shown(&first.body), 50);
    assert!(!first.body.contains(">fine<"));
    let next = first
        .body
        .split("href=\"/timeline?cursor=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an older page")
        .replace("&amp;", "&");
    assert!(next.ends_with("&q=stiff"), "the search goes on: {next}");
    let older = c.get(&format!("/timeline?cursor={next}")).await;
    assert_eq!(shown(&older.body), 10, "the other 10 matches, none twice");
    assert!(!older.body.contains("rel=\"next\""));
}
