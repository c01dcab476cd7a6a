//! Leaving: deleting an account checks the password, removes a client's journal and every
//! grant at once, and keeps a retired therapist's final notes in the client's record.

use crate::helpers::*;
use serde_json::json;

async fn shared(app: &TestApp) -> (Client, Client, String) {
    let client_id = register(app, "ana@example.com", "client").await;
    let mut ana = api_login(app, "ana@example.com").await;
    for b in sample_entries() {
        ana.post_json("/api/v1/entries", &b).await;
    }
    let mut sam = api_user(app, "sam@example.com", "therapist").await;
    let code = ana
        .post_json("/api/v1/shares", &json!({"scope": "read_notes"}))
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_string();
    sam.post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    (ana, sam, client_id)
}

#[actix_web::test]
async fn a_wrong_password_deletes_nothing_and_a_deleted_client_is_gone_at_once() {
    let app = spawn_app().await;
    let (mut ana, mut sam, client_id) = shared(&app).await;
    let entries = format!("/api/v1/clients/{client_id}/entries");
    assert_eq!(sam.get(&entries).await.status, 200);
    let wrong = ana
        .send_json(
            "DELETE",
            "/api/v1/account",
            &json!({"password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        ana.get("/api/v1/entries").await.json()["entries"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let r = ana
        .send_json("DELETE", "/api/v1/account", &json!({"password": PASSWORD}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        sam.get(&entries).await.status,
        404,
        "the therapist loses access at once"
    );
    assert_eq!(
        ana.get("/api/v1/profile").await.status,
        401,
        "the token died with the account"
    );
    let login = app
        .client()
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "ana@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 401);
    register(&app, "ana@example.com", "client").await;
    let mut again = api_login(&app, "ana@example.com").await;
    assert_eq!(
        again.get("/api/v1/entries").await.json()["entries"],
        json!([]),
        "nothing is left"
    );
}

#[actix_web::test]
async fn a_retired_therapists_final_notes_stay_with_their_name_and_drafts_go() {
    let app = spawn_app().await;
    let (mut ana, mut sam, client_id) = shared(&app).await;
    let notes = format!("/api/v1/clients/{client_id}/notes");
    sam.post_json(&notes, &json!({"plan": "weekly", "status": "final"}))
        .await;
    sam.post_json(&notes, &json!({"plan": "draft idea"})).await;
    let r = sam
        .send_json("DELETE", "/api/v1/account", &json!({"password": PASSWORD}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let mine = ana.get("/api/v1/notes").await.json();
    assert_eq!(mine["notes"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["notes"][0]["therapist_name"], "Test Person");
    assert_eq!(mine["notes"][0]["plan"], "weekly");
    let shares = ana.get("/api/v1/shares").await.json();
    assert!(
        shares["shares"].as_array().unwrap().is_empty(),
        "the grant is gone: {shares}"
    );
    let login = app
        .client()
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": "sam@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 401);
}

#[actix_web::test]
async fn settings_offer_the_backup_first_and_delete_only_with_the_password() {
    let app = spawn_app().await;
    let mut page = web_user(&app, "ana@example.com", "client").await;
    let s = page.get("/settings").await;
    assert!(
        s.body.contains("/export/download?format=json"),
        "the backup is offered first"
    );
    let r = page
        .post_form("/settings/delete", &[("delete_password", "nope")])
        .await;
    assert_eq!(r.status, 401);
    assert!(
        r.body
            .contains("Password is not right: nothing was deleted.")
    );
    let r = page
        .post_form("/settings/delete", &[("delete_password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?deleted=1");
    let login = page.get("/login?deleted=1").await;
    assert!(login.body.contains("Your account was deleted"));
    assert_eq!(page.get("/timeline").await.status, 303, "signed out");
}
