//! "Spasm now" without JavaScript: the button, a place on the body map, a strength — the third
//! tap saves — then the optional follow-up; and the home page's one-tap Undo.

use crate::helpers::*;

fn entry_id_from(location: &str) -> String {
    location
        .strip_prefix("/spasm/")
        .unwrap_or_else(|| panic!("went to the follow-up, not {location}"))
        .to_string()
}

#[actix_web::test]
async fn a_spasm_is_saved_by_the_third_tap_as_plain_links_and_forms() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "spasm1@example.com", "client").await;
    // Tap 1: the home page's button.
    let home = c.get("/").await;
    assert!(home.body.contains(r#"href="/spasm">Spasm now</a>"#));
    // Tap 2: the body map names every place in words, each a link to the strength step.
    let map = c.get("/spasm").await;
    assert_eq!(map.status, 200);
    for (site, name) in [
        ("calf_left", "Left calf"),
        ("lower_back", "Lower back"),
        ("neck", "Neck"),
        ("foot_right", "Right foot"),
    ] {
        assert!(
            map.body.contains(&format!(
                r#"href="/spasm?site={site}" data-site="{site}" aria-label="{name}""#
            )),
            "{name} is a named link on the map"
        );
    }
    let step = c.get("/spasm?site=calf_left").await;
    assert!(
        step.body
            .contains("<strong id=\"spasm-where\">Left calf</strong>")
    );
    for i in 0..=10 {
        assert!(step.body.contains(&format!(
            r#"<button type="submit" name="intensity" value="{i}">{i}</button>"#
        )));
    }
    let id = step
        .body
        .split(r#"name="id" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form carries the new episode's id")
        .to_string();
    // Tap 3: a strength button saves the episode, timed now.
    let saved = c
        .post_form(
            "/spasm",
            &[("id", &id), ("site", "calf_left"), ("intensity", "7")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(entry_id_from(&saved.location()), id);
    // The same tap again (a double tap, a retried post) saves nothing more.
    let again = c
        .post_form(
            "/spasm",
            &[("id", &id), ("site", "calf_left"), ("intensity", "7")],
        )
        .await;
    assert_eq!(again.location(), saved.location());
    let mut api = api_login(&app, "spasm1@example.com").await;
    let list = api.get("/api/v1/entries?kind=episode").await;
    let entries = list.json()["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(entries.len(), 1, "{}", list.body);
    assert_eq!(entries[0]["data"]["body_site"], "calf_left");
    assert_eq!(entries[0]["data"]["intensity"], 7);
    let after = c.get(&saved.location()).await;
    assert!(
        after
            .body
            .contains("Saved: a spasm in your left calf, 7 out of 10"),
        "{}",
        after.body
    );
    assert!(after.body.contains("It stopped"));
    assert!(after.body.contains("Any of these?"));
}

#[actix_web::test]
async fn the_follow_up_times_the_spasm_adds_details_and_a_warning_sign_leads_to_the_doctor_message()
{
    let app = spawn_app().await;
    let mut c = web_user(&app, "spasm2@example.com", "client").await;
    let saved = c
        .post_form("/spasm", &[("site", "lower_back"), ("intensity", "5")])
        .await;
    let id = entry_id_from(&saved.location());
    let mut api = api_login(&app, "spasm2@example.com").await;
    app.state.clock.advance(chrono::Duration::seconds(95));
    let stopped = c
        .post_form(&format!("/spasm/{id}"), &[("stopped", "1")])
        .await;
    assert_eq!(stopped.status, 303);
    assert_eq!(
        stopped.location(),
        format!("/spasm/{id}"),
        "stays on the follow-up"
    );
    let e = api.get(&format!("/api/v1/entries/{id}")).await.json();
    let secs = e["data"]["duration_s"].as_i64().expect("timed");
    assert!(
        (95..=100).contains(&secs),
        "lasted from the start to the tap: {secs}"
    );
    // Details: only the follow-up's fields change; place, strength and time stay.
    let done = c
        .post_form(
            &format!("/spasm/{id}"),
            &[
                ("duration_s", &secs.to_string()),
                ("pattern", "cramp"),
                ("triggers", "exercise"),
                ("triggers", "heat"),
                ("red_flags", "numbness"),
                ("relief", "stretch"),
                ("notes", "after the run"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/?saved=episode&flag=1");
    let home = c.get(&done.location()).await;
    assert!(home.body.contains("please see a doctor"));
    let after = api.get(&format!("/api/v1/entries/{id}")).await.json();
    assert_eq!(after["occurred_at"], e["occurred_at"]);
    assert_eq!(after["data"]["body_site"], "lower_back");
    assert_eq!(after["data"]["intensity"], 5);
    assert_eq!(
        after["data"]["triggers"],
        serde_json::json!(["exercise", "heat"])
    );
    assert_eq!(after["data"]["red_flags"], serde_json::json!(["numbness"]));
    assert_eq!(after["data"]["notes"], "after the run");
    // A bad follow-up value is named, and what was typed stays in the form.
    let bad = c
        .post_form(
            &format!("/spasm/{id}"),
            &[("pattern", "wobbly"), ("notes", "keep me")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("What it felt like"), "{}", bad.body);
    assert!(bad.body.contains(">keep me</textarea>"));
    // Unticking everything clears the lists.
    c.post_form(&format!("/spasm/{id}"), &[]).await;
    let cleared = api.get(&format!("/api/v1/entries/{id}")).await.json();
    assert!(cleared["data"].get("triggers").is_none(), "{cleared}");
}

#[actix_web::test]
async fn a_spasm_without_a_place_or_strength_is_refused_with_the_field_named() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "spasm3@example.com", "client").await;
    let r = c.post_form("/spasm", &[("intensity", "4")]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("body site is required: tap a place on the body map"),
        "{}",
        r.body
    );
    let r = c
        .post_form("/spasm", &[("site", "neck"), ("intensity", "11")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("intensity is required: a number from 0 to 10")
    );
    assert!(
        r.body.contains("<strong id=\"spasm-where\">Neck</strong>"),
        "the place is kept"
    );
    let none = api_login(&app, "spasm3@example.com")
        .await
        .get("/api/v1/entries")
        .await
        .json();
    assert_eq!(none["entries"].as_array().map(Vec::len), Some(0));
    // Someone else's episode, or an entry that is not an episode, has no follow-up here.
    let water = c.post_form("/quick", &[("action", "water_250")]).await;
    let water_id = water
        .location()
        .split("undo=")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert_eq!(c.get(&format!("/spasm/{water_id}")).await.status, 404);
    let mut other = web_user(&app, "spasm4@example.com", "client").await;
    let theirs = other
        .post_form("/spasm", &[("site", "neck"), ("intensity", "2")])
        .await;
    assert_eq!(c.get(&theirs.location()).await.status, 404);
    assert_eq!(
        c.post_form(&theirs.location(), &[("notes", "x")])
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn a_one_tap_log_can_be_undone_from_the_home_page() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "undo@example.com", "client").await;
    let r = c.post_form("/quick", &[("action", "water_500")]).await;
    let location = r.location();
    assert!(
        location.starts_with("/?saved=hydration&undo="),
        "{location}"
    );
    let home = c.get(&location).await;
    assert!(home.body.contains("Water today: <strong>500 ml</strong>"));
    let id = location
        .split("undo=")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(
        home.body
            .contains(&format!("action=\"/entries/{id}/delete\""))
    );
    assert!(home.body.contains(">Undo</button>"));
    // Each quick button also carries the entry it logs, for the offline path.
    assert!(home.body.contains(
        r#"data-entry="{&#34;data&#34;:{&#34;volume_ml&#34;:250},&#34;kind&#34;:&#34;hydration&#34;}""#
    ));
    let undone = c
        .post_form(&format!("/entries/{id}/delete"), &[("back", "today")])
        .await;
    assert_eq!(undone.location(), "/?done=undone");
    let home = c.get("/?done=undone").await;
    assert!(home.body.contains("Undone"));
    assert!(home.body.contains("Water today: <strong>0 ml</strong>"));
}

#[actix_web::test]
async fn logging_out_tells_the_browser_to_forget_cached_pages_and_the_offline_journal() {
    let app = spawn_app().await;
    let mut c = web_user(&app, "bye@example.com", "client").await;
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("clear-site-data").as_deref(),
        Some(r#""cache", "storage""#)
    );
}
