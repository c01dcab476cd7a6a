//! Sharing (API.md): share codes, redeeming them, a therapist's read access to a client's journal,
//! session notes, and the client's access log.

use crate::api::{MAX_BODY, dto, insight, json_object, trends as api_trends};
use crate::app::{insight as app_insight, journal, notes, sharing};
use crate::auth::access::ApiClientAccess;
use crate::auth::extract::{ApiClient, ApiTherapist};
use crate::auth::{ApiUser, client_address};
use crate::domain::fields::{Choice, JsonFields, Reader};
use crate::domain::profile::Role;
use crate::domain::share::{parse_addendum, parse_new_share, parse_note};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::notes::Note;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::SecondsFormat;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Every sharing route: (method, path). `configure` registers exactly these, and the
/// authorization matrix test needs a row for each.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/shares"),
    ("GET", "/api/v1/shares"),
    ("DELETE", "/api/v1/shares/{id}"),
    ("POST", "/api/v1/shares/redeem"),
    ("GET", "/api/v1/access-log"),
    ("GET", "/api/v1/notes"),
    ("GET", "/api/v1/clients/{client_id}/entries"),
    ("GET", "/api/v1/clients/{client_id}/suggestions"),
    ("GET", "/api/v1/clients/{client_id}/trends"),
    ("GET", "/api/v1/clients/{client_id}/notes"),
    ("POST", "/api/v1/clients/{client_id}/notes"),
    ("PUT", "/api/v1/clients/{client_id}/notes/{note_id}"),
    (
        "POST",
        "/api/v1/clients/{client_id}/notes/{note_id}/addenda",
    ),
];

fn route(method: &str, path: &str) -> actix_web::Route {
    match (method, path) {
        ("POST", "/api/v1/shares") => web::post().to(post_share),
        ("GET", "/api/v1/shares") => web::get().to(get_shares),
        ("DELETE", "/api/v1/shares/{id}") => web::delete().to(delete_share),
        ("POST", "/api/v1/shares/redeem") => web::post().to(post_redeem),
        ("GET", "/api/v1/access-log") => web::get().to(get_access_log),
        ("GET", "/api/v1/notes") => web::get().to(get_my_notes),
        ("GET", "/api/v1/clients/{client_id}/entries") => web::get().to(get_client_entries),
        ("GET", "/api/v1/clients/{client_id}/suggestions") => web::get().to(get_client_suggestions),
        ("GET", "/api/v1/clients/{client_id}/trends") => web::get().to(get_client_trends),
        ("GET", "/api/v1/clients/{client_id}/notes") => web::get().to(get_client_notes),
        ("POST", "/api/v1/clients/{client_id}/notes") => web::post().to(post_client_note),
        ("PUT", "/api/v1/clients/{client_id}/notes/{note_id}") => web::put().to(put_client_note),
        ("POST", "/api/v1/clients/{client_id}/notes/{note_id}/addenda") => {
            web::post().to(post_addendum)
        }
        other => panic!("sharing route {other:?} has no handler"),
    }
}

/// Registers `ROUTES` (paths relative to the app root).
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (method, path) in ROUTES {
        cfg.route(path, route(method, path));
    }
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `POST /api/v1/shares` (client).
pub async fn post_share(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let req = parse_new_share(&JsonFields(&map)).map_err(AppError::fields)?;
    let made = sharing::create_share(&state, user.id, req).await?;
    Ok(HttpResponse::Created().json(json!({
        "id": made.id,
        "code": made.code,
        "scope": made.scope.as_str(),
        "expires_at": iso(made.expires_at),
    })))
}

/// `GET /api/v1/shares`: a client's shares, or a therapist's clients.
pub async fn get_shares(
    state: web::Data<AppState>,
    ApiUser(a): ApiUser,
) -> Result<HttpResponse, AppError> {
    let uid = a.user.id;
    if a.user.role == Role::Therapist {
        let list = sharing::clients_of(&state, uid).await?;
        let clients: Vec<Value> = list
            .iter()
            .map(|s| json!({"client_id": s.client.id.to_string(), "display_name": s.client.display_name, "scope": s.scope.as_str(), "expires_at": iso(s.expires_at)}))
            .collect();
        return Ok(HttpResponse::Ok().json(json!({"clients": clients})));
    }
    let list = sharing::shares_of(&state, uid).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "scope": s.scope.as_str(),
                "created_at": iso(s.created_at),
                "expires_at": iso(s.expires_at),
                "redeemed_by": s.redeemed_by.as_ref().map(|(id, name)| json!({"user_id": id.to_string(), "display_name": name})),
                "last_access_at": s.last_access_at.map(iso),
                "revoked": s.revoked,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"shares": items})))
}

/// `DELETE /api/v1/shares/{id}` (client): revokes at once.
pub async fn delete_share(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    sharing::revoke(&state, user.id, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/shares/redeem` (therapist).
pub async fn post_redeem(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiTherapist(a): ApiTherapist,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let src = JsonFields(&map);
    let mut r = Reader::new(&src);
    r.deny_unknown(&["code"]);
    let code = r.required_text("code", 40);
    if !r.errors.is_empty() {
        return Err(AppError::fields(r.errors));
    }
    let (client, scope) = sharing::redeem(
        &state,
        &client_address(&req),
        a.user.id,
        &code.unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({"client_id": client.id.to_string(), "display_name": client.display_name, "scope": scope.as_str()})))
}

/// `GET /api/v1/access-log` (client): every therapist read and write, newest first.
pub async fn get_access_log(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = sharing::access_log(&state, user.id, 1000).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|a| json!({"at": iso(a.at), "therapist_id": a.therapist_id, "therapist_name": a.therapist_name, "action": a.action, "resource": a.resource}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"accesses": items})))
}

/// The wire form of a note.
pub fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "client_id": n.client_id,
        "therapist_id": n.therapist_id,
        "therapist_name": n.therapist_name,
        "session_entry_id": n.session_entry_id,
        "subjective": n.soap.subjective,
        "objective": n.soap.objective,
        "assessment": n.soap.assessment,
        "plan": n.soap.plan,
        "status": if n.is_final { "final" } else { "draft" },
        "created_at": iso(n.created_at),
        "updated_at": iso(n.updated_at),
        "addenda": n.addenda.iter().map(|a| json!({"body": a.body, "created_at": iso(a.created_at), "therapist_name": a.therapist_name})).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/notes` (client): final notes written about them.
pub async fn get_my_notes(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = notes::about(&state, user.id, None).await?;
    Ok(HttpResponse::Ok().json(json!({"notes": list.iter().map(note_json).collect::<Vec<_>>()})))
}

/// `GET /api/v1/clients/{client_id}/entries`.
pub async fn get_client_entries(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = crate::api::entries::list_query(&q, 100)?;
    let (list, next) = journal::list(&state, access.client.id, query).await?;
    Ok(HttpResponse::Ok().json(json!({"entries": list.iter().map(dto::entry).collect::<Vec<_>>(), "next_cursor": next.map(|c| c.encode())})))
}

/// `GET /api/v1/clients/{client_id}/suggestions?now=`.
pub async fn get_client_suggestions(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let now = insight::now_param(&q, state.now())?;
    let (e, _) = app_insight::evaluate_journal(&state, &access.client, now).await?;
    Ok(HttpResponse::Ok().json(insight::evaluation_json(&e, now)))
}

/// `GET /api/v1/clients/{client_id}/trends`.
pub async fn get_client_trends(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    api_trends::respond(&state, &access.client, &q).await
}

/// `GET /api/v1/clients/{client_id}/notes`.
pub async fn get_client_notes(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
) -> Result<HttpResponse, AppError> {
    let list = notes::about(&state, access.client.id, Some(access.therapist.id)).await?;
    Ok(HttpResponse::Ok().json(json!({"notes": list.iter().map(note_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/clients/{client_id}/notes` (`read_notes` scope).
pub async fn post_client_note(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let input = parse_note(&JsonFields(&map), true).map_err(AppError::fields)?;
    let note = notes::create(&state, access.client.id, access.therapist.id, input).await?;
    Ok(HttpResponse::Created().json(note_json(&note)))
}

/// `PUT /api/v1/clients/{client_id}/notes/{note_id}`: edit a draft (409 once final).
pub async fn put_client_note(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let note_id = path.into_inner().1;
    let map = json_object(body, MAX_BODY).await?;
    let input = parse_note(&JsonFields(&map), false).map_err(AppError::fields)?;
    let (cid, tid) = (access.client.id, access.therapist.id);
    let note = notes::update_draft(&state, cid, tid, note_id, input).await?;
    Ok(HttpResponse::Ok().json(note_json(&note)))
}

/// `POST /api/v1/clients/{client_id}/notes/{note_id}/addenda` `{"body"}`: a dated correction.
pub async fn post_addendum(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let note_id = path.into_inner().1;
    let map = json_object(body, MAX_BODY).await?;
    let text = parse_addendum(&JsonFields(&map)).map_err(AppError::fields)?;
    let (cid, tid) = (access.client.id, access.therapist.id);
    notes::add_addendum(&state, cid, tid, note_id, text).await?;
    Ok(HttpResponse::Created().finish())
}
