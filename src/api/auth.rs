//! `/api/v1/auth`: register, issue and revoke bearer tokens.

use crate::api::{MAX_BODY, cpu, json_object};
use crate::auth::ApiUser;
use crate::auth::password;
use crate::domain::fields::JsonFields;
use crate::domain::profile::{Email, MAX_PASSWORD_BYTES, parse_registration};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::rows::User;
use crate::store::users;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// `POST /api/v1/auth/register`.
pub async fn post_register(
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let reg = parse_registration(&JsonFields(&map)).map_err(AppError::fields)?;
    let id = register(&state, reg).await?;
    Ok(HttpResponse::Created().json(json!({"user_id": id.to_string()})))
}

/// Creates an account (hashing off the workers); shared by the API and the register page.
pub async fn register(
    state: &AppState,
    reg: crate::domain::profile::Registration,
) -> Result<crate::domain::ids::UserId, AppError> {
    let pw = reg.password.clone();
    let hash = cpu(move || password::hash(&pw)).await??;
    let now = state.now();
    state
        .db
        .write(move |c| users::insert_user(c, &reg, hash, now))
        .await
}

/// Checks an email and password; the same answer, after similar work, for an unknown email.
/// Attempts are limited per email and per address (429 with Retry-After) before any work.
pub async fn check_credentials(
    state: &AppState,
    address: &str,
    email: &str,
    pw: &str,
) -> Result<User, AppError> {
    state
        .limits
        .login(email, address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let refused = AppError::Unauthorized("The email or password is not right.");
    let pw = pw.to_string();
    if pw.len() > MAX_PASSWORD_BYTES {
        return Err(refused);
    }
    let Ok(email) = Email::parse(email) else {
        cpu(move || password::verify_dummy(&pw)).await?;
        return Err(refused);
    };
    let found = state
        .db
        .read(move |c| users::find_by_email(c, email.as_str()))
        .await?;
    match found {
        Some((user, hash)) => {
            if cpu(move || password::verify(&pw, &hash)).await? {
                Ok(user)
            } else {
                Err(refused)
            }
        }
        None => {
            cpu(move || password::verify_dummy(&pw)).await?;
            Err(refused)
        }
    }
}

/// Starts a session of `kind` and signs its token; returns the token and its lifetime.
pub async fn start_session(
    state: &AppState,
    user: &User,
    kind: &'static str,
) -> Result<(String, std::time::Duration), AppError> {
    let ttl = if kind == "web" {
        state.settings.web_session_ttl
    } else {
        state.settings.api_token_ttl
    };
    let now = state.now();
    let expires =
        now + chrono::Duration::from_std(ttl).map_err(|e| AppError::Unexpected(e.into()))?;
    let uid = user.id;
    let sid = state
        .db
        .write(move |c| users::create_session(c, uid, kind, now, expires))
        .await?;
    let token = state.keys.issue(uid, sid, kind, now, expires)?;
    Ok((token, ttl))
}

/// The peer address of a request (the key of per-address limits).
pub fn peer(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// `POST /api/v1/auth/token`.
pub async fn post_token(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let src = JsonFields(&map);
    let mut r = crate::domain::fields::Reader::new(&src);
    r.deny_unknown(&["email", "password"]);
    let email = r.raw_text("email");
    let pw = r.raw_text("password");
    if email.is_none() {
        r.error("email", "is required");
    }
    if pw.is_none() {
        r.error("password", "is required");
    }
    if !r.errors.is_empty() {
        return Err(AppError::fields(r.errors));
    }
    let user = check_credentials(
        &state,
        &peer(&req),
        &email.unwrap_or_default(),
        &pw.unwrap_or_default(),
    )
    .await?;
    let (token, ttl) = start_session(&state, &user, "api").await?;
    Ok(HttpResponse::Ok().json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
    })))
}

/// `DELETE /api/v1/auth/token`: revokes the presented token.
pub async fn delete_token(
    state: web::Data<AppState>,
    user: ApiUser,
) -> Result<HttpResponse, AppError> {
    let sid = user.0.session;
    let now = state.now();
    state
        .db
        .write(move |c| users::revoke_session(c, sid, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
