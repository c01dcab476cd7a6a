//! The HTML journal: log every kind by form, errors re-rendered with values kept, quick log,
//! timeline, edit, delete and undo.

use crate::helpers::*;

fn local_now() -> String {
    // Test users have no time zone: forms are read in the offset they post (here UTC).
    chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string()
}

#[actix_web::test]
async fn every_kind_can_be_logged_from_its_form() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p1@example.com", "client").await;
    let now = local_now();
    let later = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "episode",
            vec![
                ("occurred_at", &now),
                ("body_site", "calf_right"),
                ("intensity", "7"),
                ("duration_s", "120"),
                ("pattern", "cramp"),
                ("triggers", "exercise"),
                ("triggers", "heat"),
                ("relief", "stretch"),
                ("notes", "during a run"),
            ],
        ),
        (
            "hydration",
            vec![
                ("occurred_at", &now),
                ("volume_ml", "330"),
                ("electrolytes", "on"),
            ],
        ),
        (
            "heat_ice",
            vec![
                ("occurred_at", &now),
                ("mode", "ice"),
                ("minutes", "15"),
                ("body_site", "neck"),
            ],
        ),
        (
            "stretch",
            vec![
                ("occurred_at", &now),
                ("minutes", "10"),
                ("body_sites", "hamstring_left"),
                ("routine", "yoga"),
            ],
        ),
        (
            "massage",
            vec![
                ("occurred_at", &now),
                ("technique", "swedish"),
                ("duration_min", "45"),
                ("pressure", "light"),
                ("body_sites", "neck"),
                ("therapist", "Sam"),
            ],
        ),
        (
            "condition",
            vec![
                ("occurred_at", &now),
                ("status", "injury"),
                ("ended_at", ""),
                ("body_site", "foot_left"),
            ],
        ),
        (
            "event",
            vec![("occurred_at", &later), ("name", "Concert tour")],
        ),
    ];
    for (kind, fields) in &forms {
        let page = c.get(&format!("/log/{kind}")).await;
        assert_eq!(page.status, 200, "{kind}");
        assert!(
            page.body.contains("type=\"datetime-local\""),
            "{kind}: time defaults to now and is editable"
        );
        let r = c.post_form(&format!("/log/{kind}"), fields).await;
        assert_eq!(r.status, 303, "{kind}: {}", r.body);
        assert_eq!(r.location(), format!("/?saved={kind}"));
    }
    let mut api = app.client();
    let t = api
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"email": "p1@example.com", "password": PASSWORD}),
        )
        .await;
    api.bearer = Some(t.json()["access_token"].as_str().unwrap().to_string());
    let list = api.get("/api/v1/entries").await.json();
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    let episode = entries.iter().find(|e| e["kind"] == "episode").unwrap();
    assert_eq!(
        episode["data"]["triggers"],
        serde_json::json!(["exercise", "heat"])
    );
    assert_eq!(episode["data"]["intensity"], 7);
    assert!(episode["occurred_at"].as_str().unwrap().ends_with('Z'));
    let water = entries.iter().find(|e| e["kind"] == "hydration").unwrap();
    assert_eq!(water["data"]["electrolytes"], true);
}

#[actix_web::test]
async fn a_form_with_errors_keeps_everything_typed_and_names_each_field() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p2@example.com", "client").await;
    let r = c
        .post_form(
            "/log/episode",
            &[
                ("occurred_at", "not a time"),
                ("intensity", "11"),
                ("triggers", "stress"),
                ("notes", "kept <b>text</b>"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Please check these 3 fields"), "{}", r.body);
    assert!(
        r.body.contains("Where is required: choose one"),
        "people read labels, not wire values"
    );
    assert!(!r.body.contains("calf_left,"), "no wire values in the page");
    assert!(
        r.body
            .contains("How strong must be a whole number from 0 to 10")
    );
    assert!(r.body.contains("When must be a date and time"));
    assert!(r.body.contains("value=\"stress\" checked"), "checkbox kept");
    assert!(
        r.body.contains("kept &#60;b&#62;text&#60;/b&#62;")
            || r.body.contains("kept &lt;b&gt;text&lt;/b&gt;"),
        "notes kept, escaped"
    );
    assert!(r.body.contains("aria-invalid=\"true\""));
    let r = c
        .post_form(
            "/log/hydration",
            &[("occurred_at", &local_now()), ("volume_ml", "0")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("How much (ml) must be a whole number from 1 to 5000")
    );
    assert!(r.body.contains("value=\"0\""));
    let future = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = c
        .post_form(
            "/log/stretch",
            &[("occurred_at", &future), ("minutes", "5")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("more than a day in the future"));
    let r = c
        .post_form(
            "/log/condition",
            &[
                ("occurred_at", &local_now()),
                ("status", "wound"),
                ("ended_at", "2001-01-01T00:00"),
            ],
        )
        .await;
    assert!(r.body.contains("Ended must not be before the start"));
    let timeline = c.get("/timeline").await;
    assert!(
        timeline.body.contains("No entries yet"),
        "nothing stored from failed forms"
    );
}

#[actix_web::test]
async fn profile_time_zone_places_form_times_and_the_utc_offset_field_is_used_without_one() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p3@example.com", "client").await;
    let r = c
        .post_form(
            "/log/hydration",
            &[
                ("occurred_at", "2026-01-15T23:30"),
                ("volume_ml", "250"),
                ("utc_offset", "-300"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    c.post_form(
        "/settings",
        &[("display_name", "P3"), ("timezone", "Europe/Berlin")],
    )
    .await;
    let r = c
        .post_form(
            "/log/hydration",
            &[
                ("occurred_at", "2026-07-15T23:30"),
                ("volume_ml", "500"),
                ("utc_offset", "-300"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut api = app.client();
    let t = api
        .post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"email": "p3@example.com", "password": PASSWORD}),
        )
        .await;
    api.bearer = Some(t.json()["access_token"].as_str().unwrap().to_string());
    let list = api.get("/api/v1/entries").await.json();
    let times: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        vec!["2026-07-15T23:30:00+02:00", "2026-01-15T23:30:00-05:00"]
    );
    let timeline = c.get("/timeline").await;
    assert!(
        timeline.body.contains("Wednesday 15 July 2026"),
        "grouped by the entry's own local day"
    );
}

#[actix_web::test]
async fn quick_log_buttons_save_in_one_tap_and_repeat_the_last_episode() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p4@example.com", "client").await;
    let home = c.get("/").await;
    assert!(home.body.contains("+250 ml water"));
    assert!(
        !home.body.contains("Same episode as last time"),
        "nothing to repeat yet"
    );
    assert!(
        home.body.contains("href=\"/spasm\">Spasm now</a>"),
        "a spasm is one tap away"
    );
    let r = c.post_form("/quick", &[("action", "water_250")]).await;
    assert_eq!(r.status, 303);
    c.post_form("/quick", &[("action", "water_500")]).await;
    let home = c.get("/").await;
    assert!(
        home.body.contains("Water today: <strong>750 ml</strong>"),
        "{}",
        home.body
    );
    c.post_form(
        "/log/episode",
        &[
            ("occurred_at", &local_now()),
            ("body_site", "neck"),
            ("intensity", "4"),
            ("red_flags", "numbness"),
            ("notes", "x"),
        ],
    )
    .await;
    let home = c.get("/").await;
    assert!(home.body.contains("Same episode as last time"));
    let r = c.post_form("/quick", &[("action", "repeat_episode")]).await;
    assert_eq!(r.status, 303);
    let home = c.get("/").await;
    assert_eq!(
        home.body
            .matches("<span class=\"entry-summary\">Neck, intensity 4/10")
            .count(),
        2
    );
    let bad = c.post_form("/quick", &[("action", "teleport")]).await;
    assert_eq!(bad.status, 422);
}

#[actix_web::test]
async fn red_flag_episode_tells_the_client_to_see_a_doctor_right_after_saving() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p5@example.com", "client").await;
    let r = c
        .post_form(
            "/log/episode",
            &[
                ("occurred_at", &local_now()),
                ("body_site", "calf_left"),
                ("intensity", "5"),
                ("red_flags", "swelling_redness"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/?saved=episode&flag=1");
    let home = c.get(&r.location()).await;
    assert!(home.body.contains("please see a doctor"));
}

#[actix_web::test]
async fn timeline_edit_delete_and_undo() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p6@example.com", "client").await;
    c.post_form(
        "/log/stretch",
        &[
            ("occurred_at", "2026-03-01T08:00"),
            ("minutes", "5"),
            ("utc_offset", "60"),
        ],
    )
    .await;
    let timeline = c.get("/timeline").await;
    assert!(timeline.body.contains("Sunday 1 March 2026"));
    let id = timeline
        .body
        .split("/entries/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let edit = c.get(&format!("/entries/{id}/edit")).await;
    assert!(
        edit.body.contains("value=\"2026-03-01T08:00\""),
        "shown in its own local time"
    );
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    let r = c
        .post_form(
            &format!("/entries/{id}/edit"),
            &[
                ("occurred_at", "2026-03-01T08:00"),
                ("minutes", "25"),
                ("version", "1"),
                ("utc_offset", "60"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.get("/timeline").await.body.contains("25 min"));
    let stale = c
        .post_form(
            &format!("/entries/{id}/edit"),
            &[
                ("occurred_at", "2026-03-01T08:00"),
                ("minutes", "30"),
                ("version", "1"),
                ("utc_offset", "60"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("changed on another device"));
    assert!(
        stale.body.contains("value=\"30\""),
        "the typed change is kept"
    );
    let r = c.post_form(&format!("/entries/{id}/delete"), &[]).await;
    assert_eq!(r.status, 303);
    let after = c.get(&r.location()).await;
    assert!(after.body.contains("Entry deleted."));
    assert!(after.body.contains(&format!("/entries/{id}/restore")));
    assert!(!after.body.contains("25 min"));
    let r = c.post_form(&format!("/entries/{id}/restore"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(c.get("/timeline").await.body.contains("25 min"));
}

#[actix_web::test]
async fn timeline_pages_through_older_entries() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p7@example.com", "client").await;
    let uid = {
        let s = app.state.clone();
        s.db.read(|conn| unknot::store::users::find_by_email(conn, "p7@example.com"))
            .await
            .unwrap()
            .unwrap()
            .0
            .id
    };
    let now = chrono::Utc::now();
    let list: Vec<_> = (0..60)
        .map(|i| unknot::domain::entry::NewEntry {
            id: unknot::domain::ids::EntryId::new_v7(),
            occurred_at: (now - chrono::Duration::hours(i * 5)).fixed_offset(),
            data: unknot::domain::entry::EntryData::Hydration(unknot::domain::entry::Hydration {
                volume_ml: 100 + i as u32,
                electrolytes: false,
            }),
        })
        .collect();
    app.state
        .db
        .write(move |conn| unknot::store::entries::insert_many(conn, uid, &list, now))
        .await
        .unwrap();
    let first = c.get("/timeline").await;
    assert_eq!(first.body.matches("class=\"entry ").count(), 50);
    let next = first
        .body
        .split("/timeline?cursor=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let second = c.get(&format!("/timeline?cursor={next}")).await;
    assert_eq!(second.body.matches("class=\"entry ").count(), 10);
    assert!(
        second.body.contains("159 ml"),
        "the oldest entry is on the last page"
    );
    assert!(!second.body.contains("Older entries"));
}

#[actix_web::test]
async fn therapists_get_their_own_home_and_no_journal_pages() {
    let app = spawn_app().await;
    let mut t = web_user(&app, "p8@example.com", "therapist").await;
    let home = t.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Your clients"));
    assert_eq!(t.get("/log/episode").await.status, 403);
    assert_eq!(
        t.post_form("/quick", &[("action", "water_250")])
            .await
            .status,
        403
    );
}

#[actix_web::test]
async fn pages_need_a_session_and_send_people_to_log_in() {
    let app = spawn_app().await;
    let mut c = app.client();
    for path in ["/timeline", "/log/episode", "/settings"] {
        let r = c.get(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert!(r.location().starts_with("/login?next="), "{path}");
    }
    assert_eq!(c.get("/").await.location(), "/login");
    let r = c.get("/no/such/page").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("There is nothing at this address"));
}

#[actix_web::test]
async fn a_busy_day_lists_its_newest_entries_at_home_and_adds_up_all_its_water() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "p-busy@example.com", "client").await;
    // More than the home page lists, and more than it ever read at once before.
    for _ in 0..205 {
        let r = c.post_form("/quick", &[("action", "water_250")]).await;
        assert_eq!(r.status, 303);
    }
    let home = c.get("/").await;
    assert!(
        home.body.contains("Water today: <strong>51250 ml</strong>"),
        "every drink of the day counts"
    );
    assert_eq!(
        home.body.matches("class=\"entry kind-hydration\"").count(),
        20,
        "the newest 20 are listed"
    );
    assert!(
        home.body
            .contains("<a href=\"/timeline\">185 more from earlier today on the timeline…</a>"),
        "the rest are one tap away"
    );
}
