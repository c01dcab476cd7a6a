//! Sharing (API.md): share codes, redeeming them, a therapist's read access to a client's journal,
//! session notes, and the client's access log.

use crate::api::{MAX_BODY, dto, insight, json_object, trends as api_trends};
use crate::auth::ApiUser;
use crate::auth::access::ApiClientAccess;
use crate::auth::extract::{ApiClient, ApiTherapist};
use crate::domain::fields::{Choice, FieldErrors, JsonFields, Reader};
use crate::domain::ids::EntryId;
use crate::domain::profile::Role;
use crate::domain::share::{code_from, normalize, parse_new_share, parse_soap};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::notes::{self, Note};
use crate::store::{entries, shares};
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

/// Makes a fresh code (60 random bits).
pub fn new_code() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the operating system random source is available");
    code_from(u64::from_le_bytes(b))
}

/// Creates a share for a client; returns (id, code, expires_at).
pub async fn create_share(
    state: &AppState,
    client: crate::domain::ids::UserId,
    req: crate::domain::share::NewShare,
) -> Result<(String, String, chrono::DateTime<chrono::Utc>), AppError> {
    let code = new_code();
    let normalized = normalize(&code)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("made an invalid code")))?;
    let now = state.now();
    let expires = now + chrono::Duration::days(req.expires_in_days);
    let id = state
        .db
        .write(move |c| shares::create(c, client, &normalized, req.scope, now, expires))
        .await?;
    Ok((id, code, expires))
}

/// `POST /api/v1/shares` (client).
pub async fn post_share(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let req = parse_new_share(&JsonFields(&map)).map_err(AppError::fields)?;
    let (id, code, expires) = create_share(&state, user.id, req).await?;
    Ok(HttpResponse::Created().json(
        json!({"id": id, "code": code, "scope": req.scope.as_str(), "expires_at": iso(expires)}),
    ))
}

/// `GET /api/v1/shares`: a client's shares, or a therapist's clients.
pub async fn get_shares(
    state: web::Data<AppState>,
    ApiUser(a): ApiUser,
) -> Result<HttpResponse, AppError> {
    let uid = a.user.id;
    let now = state.now();
    if a.user.role == Role::Therapist {
        let list = state
            .db
            .read(move |c| shares::clients_of(c, uid, now))
            .await?;
        let clients: Vec<Value> = list
            .iter()
            .map(|s| json!({"client_id": s.client.id.to_string(), "display_name": s.client.display_name, "scope": s.scope.as_str(), "expires_at": iso(s.expires_at)}))
            .collect();
        return Ok(HttpResponse::Ok().json(json!({"clients": clients})));
    }
    let list = state.db.read(move |c| shares::for_client(c, uid)).await?;
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
    let id = path.into_inner();
    let now = state.now();
    state
        .db
        .write(move |c| shares::revoke(c, user.id, &id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The one answer for a code that is wrong, used, expired or revoked.
pub const CODE_REFUSED: &str = "is not a valid share code: it may be mistyped, already used, expired or revoked. Ask your client for a new one.";

/// Redeems a code for a therapist, rate-limited per account and per address.
pub async fn redeem(
    state: &AppState,
    req: &HttpRequest,
    therapist: &crate::store::rows::User,
    code: &str,
) -> Result<(crate::store::rows::User, crate::domain::share::Scope), AppError> {
    let address = crate::api::auth::peer(req);
    state
        .limits
        .redeem(&therapist.id.to_string(), &address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let Some(normalized) = normalize(code) else {
        return Err(AppError::field("code", CODE_REFUSED));
    };
    let tid = therapist.id;
    let now = state.now();
    state
        .db
        .write(move |c| shares::redeem(c, &normalized, tid, now))
        .await?
        .ok_or_else(|| AppError::field("code", CODE_REFUSED))
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
    let (client, scope) = redeem(&state, &req, &a.user, &code.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok().json(json!({"client_id": client.id.to_string(), "display_name": client.display_name, "scope": scope.as_str()})))
}

/// `GET /api/v1/access-log` (client): every therapist read and write, newest first.
pub async fn get_access_log(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = state
        .db
        .read(move |c| shares::access_log_of(c, user.id, 1000))
        .await?;
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
    let list = state
        .db
        .read(move |c| notes::for_client(c, user.id, None))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"notes": list.iter().map(note_json).collect::<Vec<_>>()})))
}

/// `GET /api/v1/clients/{client_id}/entries`.
pub async fn get_client_entries(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = crate::api::entries::list_query(&q, 100)?;
    let cid = access.client.id;
    let (list, next) = state
        .db
        .read(move |c| entries::list(c, cid, &query))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"entries": list.iter().map(dto::entry).collect::<Vec<_>>(), "next_cursor": next.map(|c| c.encode())})))
}

/// `GET /api/v1/clients/{client_id}/suggestions?now=`.
pub async fn get_client_suggestions(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let now = insight::now_param(&q, state.now())?;
    let e = insight::evaluate_for(&state, &access.client, now).await?;
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
    let (cid, tid) = (access.client.id, access.therapist.id);
    let list = state
        .db
        .read(move |c| notes::for_client(c, cid, Some(tid)))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"notes": list.iter().map(note_json).collect::<Vec<_>>()})))
}

fn read_final(map: &serde_json::Map<String, Value>) -> Result<bool, AppError> {
    match map.get("status") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) if s == "draft" => Ok(false),
        Some(Value::String(s)) if s == "final" => Ok(true),
        Some(_) => Err(AppError::field("status", "must be draft or final")),
    }
}

/// Checks that a linked session is one of the client's massage entries.
async fn check_session(
    state: &AppState,
    client: crate::domain::ids::UserId,
    raw: Option<&Value>,
) -> Result<Option<EntryId>, AppError> {
    let Some(v) = raw.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let id = v
        .as_str()
        .and_then(EntryId::parse)
        .ok_or_else(|| AppError::field("session_entry_id", notes::SESSION_REFUSED))?;
    state
        .db
        .read(move |c| notes::check_session(c, client, id))
        .await?;
    Ok(Some(id))
}

/// `POST /api/v1/clients/{client_id}/notes` (`read_notes` scope).
pub async fn post_client_note(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let mut errors = FieldErrors::default();
    let soap = parse_soap(&JsonFields(&map), &["session_entry_id", "status"])
        .map_err(|e| errors.merge(e))
        .ok();
    let is_final = read_final(&map)
        .map_err(|e| {
            if let AppError::Validation { fields, .. } = e {
                errors.merge(fields)
            }
        })
        .unwrap_or(false);
    let session = check_session(&state, access.client.id, map.get("session_entry_id"))
        .await
        .map_err(|e| {
            if let AppError::Validation { fields, .. } = e {
                errors.merge(fields)
            }
        })
        .ok()
        .flatten();
    let Some(soap) = soap.filter(|_| errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    let note = state
        .db
        .write(move |c| {
            let id = notes::create(c, cid, tid, session, &soap, is_final, now)?;
            notes::visible(c, cid, tid, &id)
        })
        .await?;
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
    let soap = parse_soap(&JsonFields(&map), &["status"]).map_err(AppError::fields)?;
    let finalize = read_final(&map)?;
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    let note = state
        .db
        .write(move |c| {
            notes::update_draft(c, cid, tid, &note_id, &soap, finalize, now)?;
            notes::visible(c, cid, tid, &note_id)
        })
        .await?;
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
    let src = JsonFields(&map);
    let mut r = Reader::new(&src);
    r.deny_unknown(&["body"]);
    let text = r.required_text("body", 4000);
    let Some(text) = text.filter(|_| r.errors.is_empty()) else {
        return Err(AppError::fields(r.errors));
    };
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    state
        .db
        .write(move |c| notes::add_addendum(c, cid, tid, &note_id, &text, now))
        .await?;
    Ok(HttpResponse::Created().finish())
}
