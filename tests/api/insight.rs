//! Insight through HTTP: suggestions with `?now=`, the insights page, home page suggestions.

use crate::helpers::*;
use serde_json::json;

/// The rule ids of a suggestions answer, in its order.
fn ids(j: serde_json::Value) -> Vec<String> {
    j["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn suggestions_are_deterministic_with_now_and_explain_themselves() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "i1@example.com", "client").await;
    let mut ids = Vec::new();
    for (at, flags) in [
        ("2026-05-10T08:00:00+02:00", json!(["numbness"])),
        ("2026-05-11T21:00:00+02:00", json!([])),
    ] {
        let r = c
            .post_json("/api/v1/entries", &json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "calf_left", "intensity": 5, "red_flags": flags}}))
            .await;
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    c.post_json("/api/v1/entries", &json!({"kind": "event", "occurred_at": "2026-05-17T09:00:00+02:00", "data": {"name": "Race"}})).await;
    let r = c
        .get("/api/v1/suggestions?now=2026-05-12T12:00:00%2B02:00")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["evaluated_at"], "2026-05-12T12:00:00+02:00");
    assert!(
        j["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not a diagnosis")
    );
    let first = &j["suggestions"][0];
    assert_eq!(first["rule_id"], "red-flag-neuro");
    assert_eq!(first["kind"], "medical_review");
    assert_eq!(first["evidence"], json!([ids[0]]));
    assert!(
        first["because"]
            .as_str()
            .unwrap()
            .contains("numbness or weakness")
    );
    // Sources are named by their titles (RULES.md), never by short names.
    assert!(
        first["source"]
            .as_str()
            .unwrap()
            .contains("“Can Massage Cause Muscle Spasms? What do Scientific Facts Say About It?”"),
        "{}",
        first["source"]
    );
    let suppressed: Vec<&str> = j["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule_id"].as_str().unwrap())
        .collect();
    assert!(suppressed.contains(&"pre-event"), "{j}");
    let rule_ids: Vec<&str> = j["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule_id"].as_str().unwrap())
        .collect();
    assert!(!rule_ids.contains(&"pre-event"));
    // A month later nothing of this is current.
    let later = c
        .get("/api/v1/suggestions?now=2026-07-12T12:00:00Z")
        .await
        .json();
    assert_eq!(later["suggestions"], json!([]));
    let bad = c.get("/api/v1/suggestions?now=tomorrow").await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["fields"]["now"].is_string());
}

#[actix_web::test]
async fn booking_suggestion_carries_its_window_when_nothing_holds_it_back() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "i2@example.com", "client").await;
    c.send_json(
        "PUT",
        "/api/v1/profile",
        &json!({"display_name": "I2", "timezone": "Europe/Berlin"}),
    )
    .await;
    c.post_json("/api/v1/entries", &json!({"kind": "event", "occurred_at": "2026-05-17T09:00:00+02:00", "data": {"name": "Race"}})).await;
    let j = c
        .get("/api/v1/suggestions?now=2026-05-12T12:00:00Z")
        .await
        .json();
    let pre = j["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule_id"] == "pre-event")
        .expect("pre-event");
    assert_eq!(pre["kind"], "book");
    assert_eq!(
        pre["suggested_window"],
        json!({"from": "2026-05-12", "to": "2026-05-15"})
    );
}

#[actix_web::test]
async fn threshold_overrides_are_checked_and_change_the_rules() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "i3@example.com", "client").await;
    let bad = c
        .send_json("PUT", "/api/v1/profile", &json!({"display_name": "I3", "thresholds": {"long_cramp_seconds": 60, "stretch_gap_dates": 99}}))
        .await;
    assert_eq!(bad.status, 422);
    let f = &bad.json()["fields"];
    assert!(
        f["thresholds.long_cramp_seconds"]
            .as_str()
            .unwrap()
            .contains("fixed"),
        "{f}"
    );
    assert_eq!(
        f["thresholds.stretch_gap_dates"],
        "must be a whole number from 2 to 7"
    );
    c.post_json("/api/v1/entries", &json!({"kind": "episode", "occurred_at": "2026-05-09T08:00:00Z", "data": {"body_site": "neck", "intensity": 3}})).await;
    c.post_json(
        "/api/v1/entries",
        &json!({"kind": "stretch", "occurred_at": "2026-05-08T08:00:00Z", "data": {"minutes": 5}}),
    )
    .await;
    let before = ids(c
        .get("/api/v1/suggestions?now=2026-05-12T12:00:00Z")
        .await
        .json());
    assert!(before.contains(&"stretch-gap".to_string()));
    let ok = c
        .send_json(
            "PUT",
            "/api/v1/profile",
            &json!({"display_name": "I3", "thresholds": {"stretch_gap_dates": 5}}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["thresholds"], json!({"stretch_gap_dates": 5}));
    let after = ids(c
        .get("/api/v1/suggestions?now=2026-05-12T12:00:00Z")
        .await
        .json());
    assert!(
        !after.contains(&"stretch-gap".to_string()),
        "a stretch 4 days ago now counts: {after:?}"
    );
}

#[actix_web::test]
async fn red_flag_episode_shows_the_medical_review_on_the_home_page_right_after_saving() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "i4@example.com", "client").await;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
    let r = c
        .post_form(
            "/log/episode",
            &[
                ("occurred_at", &now),
                ("body_site", "calf_left"),
                ("intensity", "6"),
                ("red_flags", "weakness"),
            ],
        )
        .await;
    let home = c.get(&r.location()).await;
    assert!(
        home.body
            .contains("See a doctor about numbness or weakness"),
        "{}",
        home.body
    );
    assert!(home.body.contains("not a diagnosis"));
    let insights = c.get("/insights").await;
    assert_eq!(insights.status, 200);
    assert!(
        insights
            .body
            .contains("See a doctor about numbness or weakness")
    );
    assert!(insights.body.contains("Why?"));
    assert!(
        insights.body.contains("/edit\">Spasm episode"),
        "evidence is linked"
    );
    assert!(!insights.body.contains("kind-book"), "booking waits");
}

#[actix_web::test]
async fn insights_page_is_calm_for_an_empty_journal_and_needs_a_client() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "i5@example.com", "client").await;
    let page = c.get("/insights").await;
    assert!(page.body.contains("Nothing to suggest right now"));
    let mut t = web_user(&app, "i6@example.com", "therapist").await;
    assert_eq!(t.get("/insights").await.status, 403);
    let mut api_t = api_user(&app, "i7@example.com", "therapist").await;
    assert_eq!(api_t.get("/api/v1/suggestions").await.status, 403);
}

#[actix_web::test]
async fn technique_selector_recommends_then_defers_to_an_active_warning() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "i8@example.com", "client").await;
    let ask = json!({"body_site": "upper_back", "feel": "sharp_knot", "duration": "chronic", "cause": "posture", "pressure": "firm"});
    let r = c.post_json("/api/v1/technique", &ask).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["technique"], "trigger_point");
    assert!(j["pressure"].as_str().unwrap().contains("30 to 90 seconds"));
    assert!(j["aftercare"].as_array().unwrap().len() >= 3);
    assert_eq!(j["blocked_by"], json!([]));
    let at = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    c.post_json("/api/v1/entries", &json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "upper_back", "intensity": 9}})).await;
    let j = c.post_json("/api/v1/technique", &ask).await.json();
    assert!(j["technique"].is_null());
    assert!(
        j["blocked_by"]
            .as_array()
            .unwrap()
            .contains(&json!("active-severe-spasm")),
        "{j}"
    );
    let bad = c
        .post_json(
            "/api/v1/technique",
            &json!({"body_site": "upper_back", "feel": "itchy"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let f = &bad.json()["fields"];
    assert!(
        f["feel"].is_string() && f["duration"].is_string() && f["pressure"].is_string(),
        "{f}"
    );
}

#[actix_web::test]
async fn technique_page_works_as_a_plain_get_form() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "i9@example.com", "client").await;
    let empty = c.get("/technique").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("method=\"get\""));
    let r = c.get("/technique?body_site=neck&feel=stiff_restricted&duration=chronic&cause=repetitive_strain&pressure=medium").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("Your recommended technique: Myofascial release"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Aftercare tips"));
    assert!(
        r.body.contains("value=\"stiff_restricted\" checked"),
        "answers kept"
    );
    let bad = c.get("/technique?body_site=neck").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("How does it feel is required: choose one")
    );
}

#[actix_web::test]
async fn trends_count_by_bucket_site_trigger_and_hour_on_local_dates() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "t1@example.com", "client").await;
    let post = |at: &str, data: serde_json::Value, kind: &str| json!({"kind": kind, "occurred_at": at, "data": data});
    for body in [
        post(
            "2026-05-10T23:30:00+02:00",
            json!({"body_site": "calf_left", "intensity": 4, "triggers": ["exercise"]}),
            "episode",
        ),
        post(
            "2026-05-11T07:00:00+02:00",
            json!({"body_site": "calf_left", "intensity": 8, "triggers": ["exercise", "heat"]}),
            "episode",
        ),
        post(
            "2026-05-13T14:00:00Z",
            json!({"body_site": "neck", "intensity": 6}),
            "episode",
        ),
        post(
            "2026-05-13T09:00:00Z",
            json!({"volume_ml": 1500}),
            "hydration",
        ),
        post("2026-05-13T10:00:00Z", json!({"minutes": 10}), "stretch"),
        post(
            "2026-05-13T11:00:00Z",
            json!({"mode": "ice", "minutes": 10}),
            "heat_ice",
        ),
    ] {
        assert_eq!(c.post_json("/api/v1/entries", &body).await.status, 201);
    }
    let r = c
        .get("/api/v1/trends?from=2026-05-04&to=2026-05-17&bucket=week")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["episodes"], 3);
    assert_eq!(j["series"][0]["start"], "2026-05-04");
    assert_eq!(
        j["series"][0]["episodes"], 1,
        "23:30 on Sunday stays in its own week"
    );
    assert_eq!(j["series"][1]["episodes"], 2);
    assert_eq!(j["series"][1]["mean_intensity"], 7.0);
    assert_eq!(j["series"][1]["max_intensity"], 8);
    assert_eq!(j["by_body_site"], json!({"calf_left": 2, "neck": 1}));
    assert_eq!(j["by_trigger"], json!({"exercise": 2, "heat": 1}));
    assert_eq!(j["by_hour"][11]["episodes"], 1);
    assert_eq!(
        j["totals"],
        json!({"water_ml": 1500, "stretch_min": 10, "heat": 0, "ice": 1, "massage": 0})
    );
    let days = c
        .get("/api/v1/trends?from=2026-05-10&to=2026-05-13&bucket=day")
        .await
        .json();
    assert_eq!(days["series"].as_array().unwrap().len(), 4);
    let bad = c
        .get("/api/v1/trends?from=2026-05-20&to=2026-05-01&bucket=year")
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["fields"]["bucket"].is_string() && bad.json()["fields"]["from"].is_string());
    let huge = c.get("/api/v1/trends?from=2000-01-01&to=2026-01-01").await;
    assert_eq!(huge.status, 422);
}

#[actix_web::test]
async fn trends_page_shows_svg_charts_with_tables_and_the_heat_map() {
    let app = spawn_app().await;
    let mut c = app.client();
    c.post_form("/demo", &[]).await;
    let page = c.get("/trends").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("in the last 3 months,"),
        "period comparison"
    );
    assert!(page.body.matches("<svg").count() >= 8, "charts");
    assert!(page.body.contains("role=\"img\""));
    assert!(page.body.contains("<table class=\"data\">"));
    assert!(page.body.contains("Episodes per week, last 3 months"));
    assert!(page.body.contains("Episodes per day, last 3 months"));
    assert!(page.body.contains("Water per day, last 28 days"));
    assert!(
        page.body
            .contains(r#"<a href="/trends?period=3m" aria-current="page">3 months</a>"#)
    );
    // The period control: 4 weeks by day, 12 months by month, dates of one's own.
    let four = c.get("/trends?period=4w").await;
    assert!(four.body.contains("Episodes per day, last 4 weeks"));
    assert!(four.body.contains(r#"aria-current="page">4 weeks</a>"#));
    let year = c.get("/trends?period=12m").await;
    assert!(year.body.contains("Episodes per month, last 12 months"));
    assert!(year.body.matches("<svg").count() >= 8);
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Duration::days(59)).to_string();
    let custom = c.get(&format!("/trends?from={from}&to={today}")).await;
    assert_eq!(custom.status, 200);
    assert!(
        custom.body.contains("Episodes per week, ") && custom.body.contains("in the 60 days from"),
        "{}",
        custom.body
    );
    let wrong = c.get(&format!("/trends?from={today}&to={from}")).await;
    assert_eq!(wrong.status, 200);
    assert!(
        wrong
            .body
            .contains("From must not be after the end of the period."),
        "the wrong dates are named and the default period shown"
    );
    assert!(
        wrong.body.contains(&format!("value=\"{today}\"")),
        "typed dates kept"
    );
    assert!(
        page.body.contains("not proof of cause"),
        "self-care effect shown for the demo"
    );
    assert!(!page.body.contains("<script>"));
}

#[actix_web::test]
async fn settings_page_overrides_thresholds_within_bounds_and_keeps_typed_values_on_error() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "t2@example.com", "client").await;
    let page = c.get("/settings").await;
    assert!(page.body.contains("Suggestion thresholds"));
    assert!(
        page.body
            .contains("name=\"hydration_target_ml\" value=\"2000\" min=\"1500\" max=\"4000\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"long_cramp_seconds\""),
        "red-flag thresholds are not offered"
    );
    let bad = c
        .post_form(
            "/settings/thresholds",
            &[("hydration_target_ml", "9000"), ("stretch_gap_dates", "4")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("must be a whole number from 1500 to 4000")
    );
    assert!(bad.body.contains("value=\"9000\""), "typed value kept");
    let ok = c
        .post_form(
            "/settings/thresholds",
            &[("hydration_target_ml", "2500"), ("stretch_gap_dates", "3")],
        )
        .await;
    assert_eq!(ok.status, 303);
    let mut api = app.client();
    let t = api
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "t2@example.com", "password": PASSWORD}),
        )
        .await;
    api.bearer = Some(t.json()["access_token"].as_str().unwrap().to_string());
    assert_eq!(
        api.get("/api/v1/profile").await.json()["thresholds"],
        json!({"hydration_target_ml": 2500}),
        "defaults are not stored"
    );
    c.post_form("/settings", &[("display_name", "T2"), ("timezone", "")])
        .await;
    assert_eq!(
        api.get("/api/v1/profile").await.json()["thresholds"],
        json!({"hydration_target_ml": 2500}),
        "saving the profile keeps them"
    );
}

#[actix_web::test]
async fn a_booking_held_back_for_the_doctor_still_says_when_a_massage_would_suit() {
    let app = spawn_app().await;
    let mut c = app.client();
    c.post_form("/demo", &[]).await;
    let page = c.get("/insights").await;
    let held = page
        .body
        .split("<h2 id=\"held-h\">Booking a massage</h2>")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the demo journal's booking is held back for a doctor");
    assert!(
        held.contains("When a doctor has seen you, a massage between "),
        "{held}"
    );
    assert!(held.contains("comes first."));
}

#[actix_web::test]
async fn suggestions_now_follow_each_change_to_the_journal_the_profile_and_the_clock() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "i9@example.com", "client").await;
    let at = |from_now: chrono::Duration| (app.state.now() + from_now).to_rfc3339();
    let has = |list: &[String], id: &str| list.iter().any(|s| s == id);
    assert!(!has(
        &ids(c.get("/api/v1/suggestions").await.json()),
        "stretch-gap"
    ));
    // An episode dated a minute ahead is not yet in the past.
    let ep = json!({"kind": "episode", "occurred_at": at(chrono::Duration::seconds(60)), "data": {"body_site": "neck", "intensity": 3}});
    assert_eq!(c.post_json("/api/v1/entries", &ep).await.status, 201);
    let first = ids(c.get("/api/v1/suggestions").await.json());
    assert!(!has(&first, "stretch-gap"), "{first:?}");
    // Two minutes on, with no change to the journal, the episode counts.
    app.state.clock.advance(chrono::Duration::minutes(2));
    let later = ids(c.get("/api/v1/suggestions").await.json());
    assert!(has(&later, "stretch-gap"), "{later:?}");
    // A stretch logged now answers it at once, on the page as in the API.
    let st = json!({"kind": "stretch", "occurred_at": at(chrono::Duration::seconds(-10)), "data": {"minutes": 5}});
    assert_eq!(c.post_json("/api/v1/entries", &st).await.status, 201);
    assert!(!has(
        &ids(c.get("/api/v1/suggestions").await.json()),
        "stretch-gap"
    ));
    // A caution added to the profile shows at once.
    assert!(!has(
        &ids(c.get("/api/v1/suggestions").await.json()),
        "caution-conditions"
    ));
    let put = json!({"display_name": "I9", "cautions": ["dvt"]});
    let r = c.send_json("PUT", "/api/v1/profile", &put).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let now = ids(c.get("/api/v1/suggestions").await.json());
    assert!(has(&now, "caution-conditions"), "{now:?}");
}

/// The water summary of the trends page of the last 4 weeks.
async fn water_summary(c: &mut Client) -> String {
    let r = c.get("/trends?period=4w").await;
    assert_eq!(r.status, 200, "{:?}", r.headers);
    let at = r
        .body
        .find(" ml target was met on")
        .expect("the water summary");
    r.body[at - 4..at + 40].to_string()
}

#[actix_web::test]
async fn the_trends_page_follows_each_new_entry_the_water_target_and_the_day() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "t3@example.com", "client").await;
    let first = water_summary(&mut c).await;
    assert!(first.contains("2000 ml target was met on 0 of"), "{first}");
    assert_eq!(water_summary(&mut c).await, first, "asked again, the same");
    for _ in 0..4 {
        let r = c.post_form("/quick", &[("action", "water_500")]).await;
        assert_eq!(r.status, 303);
    }
    let drank = water_summary(&mut c).await;
    assert!(drank.contains("2000 ml target was met on 1 of"), "{drank}");
    let target = |ml: &'static str| [("hydration_target_ml", ml), ("stretch_gap_dates", "3")];
    let r = c.post_form("/settings/thresholds", &target("2500")).await;
    assert_eq!(r.status, 303);
    let higher = water_summary(&mut c).await;
    assert!(
        higher.contains("2500 ml target was met on 0 of"),
        "{higher}"
    );
    c.post_form("/settings/thresholds", &target("2000")).await;
    assert!(water_summary(&mut c).await.contains("met on 1 of"));
    // Four weeks on (signed in again), today's water has left the last 28 days.
    app.state.clock.advance(chrono::Duration::days(29));
    let mut c = web_login(&app, "t3@example.com").await;
    let later = water_summary(&mut c).await;
    assert!(later.contains("2000 ml target was met on 0 of"), "{later}");
}

#[actix_web::test]
async fn a_custom_trends_period_compares_self_care_up_to_today() {
    let app = spawn_app().await;
    let mut web = web_user(&app, "t4@example.com", "client").await;
    let mut api = api_login(&app, "t4@example.com").await;
    let today = app.state.now().date_naive();
    for back in [5, 8, 11] {
        let at = format!("{}T18:00:00+00:00", today - chrono::Duration::days(back));
        let stretch = json!({"kind": "stretch", "occurred_at": at, "data": {"minutes": 10}});
        assert_eq!(api.post_json("/api/v1/entries", &stretch).await.status, 201);
    }
    let period = format!(
        "/trends?from={}&to={}",
        today - chrono::Duration::days(30),
        today - chrono::Duration::days(2)
    );
    let not_yet = "Not enough days yet";
    let now = web.get(&period).await;
    assert_eq!(now.status, 200);
    assert!(
        !now.body.contains(not_yet),
        "three days of stretching compared"
    );
    // The same dates a hundred days on: the stretching has left the last 90 days.
    app.state.clock.advance(chrono::Duration::days(100));
    let mut web = web_login(&app, "t4@example.com").await;
    let later = web.get(&period).await;
    assert_eq!(later.status, 200);
    assert!(
        later.body.contains(not_yet),
        "the comparison follows the day"
    );
}
