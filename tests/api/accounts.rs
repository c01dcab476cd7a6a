//! Accounts, tokens, sessions: register, log in, log out, password change, revocation.

use crate::helpers::*;
use serde_json::json;

#[actix_web::test]
async fn register_normalises_email_and_refuses_a_duplicate_with_409() {
    let app = spawn_app().await;
    let mut c = app.client();
    let body = json!({"email": "Ana@Example.com", "password": PASSWORD, "display_name": "Ana", "role": "client"});
    let r = c.post_json("/api/v1/auth/register", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(uuid::Uuid::parse_str(r.json()["user_id"].as_str().unwrap()).is_ok());
    let again = json!({"email": "ana@example.COM", "password": PASSWORD, "display_name": "Ana 2", "role": "client"});
    let r = c.post_json("/api/v1/auth/register", &again).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "email_taken");
}

#[actix_web::test]
async fn register_names_every_bad_field() {
    let app = spawn_app().await;
    let mut c = app.client();
    let r = c
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "nope", "password": "short", "display_name": "", "role": "admin", "shoe": 4}),
        )
        .await;
    assert_eq!(r.status, 422);
    let j = r.json();
    assert_eq!(j["error"], "validation_failed");
    for f in ["email", "password", "display_name", "role", "shoe"] {
        assert!(j["fields"][f].is_string(), "no message for {f}: {j}");
    }
    assert_eq!(j["fields"]["password"], "must be at least 10 characters");
}

#[actix_web::test]
async fn token_is_issued_for_right_credentials_only_with_the_same_answer_for_unknown_email() {
    let app = spawn_app().await;
    register(&app, "bo@example.com", "client").await;
    let mut c = app.client();
    let ok = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "BO@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status, 200);
    let j = ok.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3600);
    let wrong = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "bo@example.com", "password": "wrong password"}),
        )
        .await;
    let unknown = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body, "no hint whether the email exists");
    let huge = "x".repeat(5000);
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "bo@example.com", "password": huge}),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn revoked_token_is_refused_at_once() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "cy@example.com", "client").await;
    assert_eq!(c.get("/api/v1/profile").await.status, 200);
    assert_eq!(c.delete("/api/v1/auth/token").await.status, 204);
    let r = c.get("/api/v1/profile").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "unauthorized");
}

#[actix_web::test]
async fn every_api_call_without_a_token_is_401_json() {
    let app = spawn_app().await;
    let mut c = app.client();
    for path in [
        "/api/v1/entries",
        "/api/v1/profile",
        "/api/v1/entries/0196c0de-0000-7000-8000-000000000001",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.json()["error"], "unauthorized");
    }
}

#[actix_web::test]
async fn login_form_sets_an_httponly_lax_session_and_logout_revokes_it() {
    let app = spawn_app().await;
    register(&app, "di@example.com", "client").await;
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[
                ("email", "di@example.com"),
                ("password", PASSWORD),
                ("next", "/timeline"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/timeline");
    let set = r.header("set-cookie").unwrap();
    assert!(set.starts_with("unknot_session="), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let session = c.cookies.get("unknot_session").cloned().unwrap();
    assert_eq!(c.get("/timeline").await.status, 200);
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, 303);
    // The old cookie no longer works even if a copy of it was kept.
    c.cookies.insert("unknot_session".into(), session);
    let r = c.get("/timeline").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?next=%2Ftimeline");
}

#[actix_web::test]
async fn login_redirect_never_leaves_the_site() {
    let app = spawn_app().await;
    register(&app, "el@example.com", "client").await;
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let mut c = app.client();
        let r = c
            .post_form(
                "/login",
                &[
                    ("email", "el@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.location(), "/", "{next}");
    }
}

#[actix_web::test]
async fn wrong_login_rerenders_with_the_email_kept_and_a_clear_message() {
    let app = spawn_app().await;
    register(&app, "fa@example.com", "client").await;
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[
                ("email", "fa@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("value=\"fa@example.com\""));
    assert!(r.body.contains("or email is not right"));
    assert!(!c.cookies.contains_key("unknot_session"));
}

#[actix_web::test]
async fn password_change_revokes_every_other_session_and_token() {
    let app = spawn_app().await;
    let mut browser = web_user(&app, "gu@example.com", "client").await;
    let mut phone = app.client();
    let r = phone
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "gu@example.com", "password": PASSWORD}),
        )
        .await;
    phone.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    let mut laptop = app.client();
    laptop
        .post_form(
            "/login",
            &[("email", "gu@example.com"), ("password", PASSWORD)],
        )
        .await;

    let bad = browser
        .post_form(
            "/settings/password",
            &[
                ("current_password", "wrong one!!"),
                ("new_password", "another good password"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not right"));

    let r = browser
        .post_form(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another good password"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        browser.get("/settings").await.status,
        200,
        "the changing browser stays signed in"
    );
    assert_eq!(phone.get("/api/v1/profile").await.status, 401);
    assert_eq!(laptop.get("/settings").await.status, 303);
    let mut c = app.client();
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "gu@example.com", "password": "another good password"}),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[actix_web::test]
async fn register_page_signs_in_and_rerenders_errors_with_values_kept() {
    let app = spawn_app().await;
    let mut c = app.client();
    let page = c.get("/register").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"csrf_token\""));
    let r = c
        .post_form(
            "/register",
            &[
                ("display_name", "Hana"),
                ("email", "hana@"),
                ("password", "short"),
                ("role", "client"),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Hana\""), "name kept");
    assert!(r.body.contains("value=\"hana@\""), "email kept as typed");
    assert!(r.body.contains("must be an email address"));
    assert!(r.body.contains("must be at least 10 characters"));
    assert!(r.body.contains("<option value=\"Europe/Paris\" selected>"));
    let r = c
        .post_form(
            "/register",
            &[
                ("display_name", "Hana"),
                ("email", "hana@example.com"),
                ("password", PASSWORD),
                ("role", "client"),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/");
    let today = c.get("/").await;
    assert!(today.body.contains("Quick log"));
    let profile = c.get("/settings").await;
    assert!(
        profile
            .body
            .contains("<option value=\"Europe/Paris\" selected>")
    );
}

#[actix_web::test]
async fn profile_round_trips_and_refuses_unknown_timezones_cautions_and_thresholds() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "ida@example.com", "client").await;
    let r = c
        .send_json("PUT", "/api/v1/profile", &json!({"display_name": "Ida", "timezone": "America/New_York", "cautions": ["dvt", "osteoporosis"], "thresholds": {}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = c.get("/api/v1/profile").await.json();
    assert_eq!(p["display_name"], "Ida");
    assert_eq!(p["timezone"], "America/New_York");
    assert_eq!(p["cautions"], json!(["dvt", "osteoporosis"]));
    let r = c
        .send_json("PUT", "/api/v1/profile", &json!({"display_name": "Ida", "timezone": "Moon/Base", "cautions": ["flu"], "thresholds": {"x": 1}}))
        .await;
    assert_eq!(r.status, 422);
    let f = &r.json()["fields"];
    assert!(
        f["timezone"].is_string() && f["cautions"].is_string() && f["thresholds.x"].is_string(),
        "{f}"
    );
    assert_eq!(
        c.get("/api/v1/profile").await.json()["timezone"],
        "America/New_York",
        "nothing half-stored"
    );
    let r = c
        .send_json(
            "PUT",
            "/api/v1/profile",
            &json!({"display_name": "Ida", "timezone": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["timezone"].is_null());
}

#[actix_web::test]
async fn demo_button_signs_into_a_fresh_six_month_journal() {
    let app = spawn_app().await;
    let mut c = app.client();
    let login = c.get("/login").await;
    assert!(login.body.contains("Explore a demo journal"));
    let r = c.post_form("/demo", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let timeline = c.get("/timeline").await;
    assert_eq!(timeline.status, 200);
    assert!(
        timeline.body.contains("Older entries"),
        "more than one page of entries"
    );
    let other = app.client().post_form("/demo", &[]).await;
    assert_eq!(other.status, 303);
}

#[actix_web::test]
async fn demo_button_can_be_switched_off() {
    let app = spawn_app_with(|s| s.demo_button = false).await;
    let mut c = app.client();
    assert!(
        !c.get("/login")
            .await
            .body
            .contains("Explore a demo journal")
    );
    assert_eq!(c.post_form("/demo", &[]).await.status, 404);
}

#[actix_web::test]
async fn sign_ins_survive_a_restart_without_a_configured_key() {
    let database = fresh_database();
    let start = |db: unknot::config::DatabaseUrl| {
        let mut s =
            unknot::config::Settings::from_lookup(|k| (k == "UNKNOT_WORKERS").then(|| "1".into()))
                .unwrap();
        assert!(s.jwt_secret_generated);
        s.database = db.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let app = unknot::startup::Application::build_with(
            s,
            unknot::store::Db::connect(&db).unwrap(),
            listener,
        )
        .unwrap();
        let addr = format!("http://127.0.0.1:{}", app.port());
        let handle = app.server_handle();
        actix_rt::spawn(app.run_until_stopped());
        (addr, handle)
    };
    let (addr, handle) = start(database.url.clone());
    let mut c = Client::new(&addr);
    let body = json!({"email": "restart@example.com", "password": PASSWORD, "display_name": "R", "role": "client"});
    assert_eq!(
        c.post_json("/api/v1/auth/register", &body).await.status,
        201
    );
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "restart@example.com", "password": PASSWORD}),
        )
        .await;
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    handle.stop(true).await;
    let (addr, _handle) = start(database.url.clone());
    let mut again = Client::new(&addr);
    again.bearer = Some(token);
    assert_eq!(again.get("/api/v1/profile").await.status, 200);
}

#[actix_web::test]
async fn password_guessing_is_rate_limited_per_account_with_retry_after() {
    let app = spawn_app().await;
    register(&app, "guessme@example.com", "client").await;
    let mut c = app.client();
    for _ in 0..10 {
        let r = c
            .post_json(
                "/api/v1/auth/token",
                &json!({"email": "guessme@example.com", "password": "wrong password"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let limited = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "GuessMe@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        limited.status, 429,
        "even the right password waits once the limit is reached"
    );
    assert_eq!(limited.json()["error"], "rate_limited");
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let page = c
        .post_form(
            "/login",
            &[("email", "guessme@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("tried too often"));
    assert!(page.body.contains("value=\"guessme@example.com\""));
    register(&app, "other@example.com", "client").await;
    let other = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "other@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(other.status, 200, "other accounts are not locked out");
}

#[actix_web::test]
async fn the_daily_clean_up_removes_sessions_that_ended_and_keeps_live_ones() {
    let app = spawn_app().await;
    let mut old = api_user(&app, "old@example.com", "client").await;
    app.state.clock.advance(chrono::Duration::days(3));
    let mut live = api_login(&app, "old@example.com").await;
    let cleared = unknot::app::housekeeping::daily(&app.state).await.unwrap();
    assert_eq!(cleared.sessions, 1, "the token from three days ago ended");
    assert_eq!(old.get("/api/v1/profile").await.status, 401);
    assert_eq!(live.get("/api/v1/profile").await.status, 200);
    let again = unknot::app::housekeeping::daily(&app.state).await.unwrap();
    assert_eq!(again.sessions, 0);
}
