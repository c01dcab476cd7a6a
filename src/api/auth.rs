//! `/api/v1/auth`: register, issue and revoke bearer tokens.

use crate::api::dto::accounts::{RegisterRequest, Registered, TokenRequest, TokenResponse};
use crate::api::routes::{Endpoint, ep};
use crate::api::{MAX_BODY, json_object};
use crate::app::accounts::{self, SessionKind};
use crate::auth::{ApiUser, client_address};
use crate::domain::fields::JsonFields;
use crate::domain::profile::parse_registration;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};

/// The accounts area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(POST "/api/v1/auth/register", Public, post_register)
            .doc("accounts", "Create an account (password at least 10 characters; email lower-cased; 409 email_taken)")
            .body::<RegisterRequest>()
            .returns::<Registered>(201),
        ep!(POST "/api/v1/auth/token", Public, post_token)
            .doc("accounts", "Get a short-lived bearer token (401 invalid_credentials, 429 when rate-limited)")
            .body::<TokenRequest>()
            .returns::<TokenResponse>(200),
        ep!(DELETE "/api/v1/auth/token", User, delete_token)
            .doc("accounts", "Revoke the presented token at once"),
        ep!(DELETE "/api/v1/account", User, delete_account)
            .doc("accounts", "Delete your account after checking its password (401: nothing is deleted)")
            .body::<DeleteAccount>(),
    ]
}

/// `POST /api/v1/auth/register`.
pub async fn post_register(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let reg = parse_registration(&JsonFields(&map)).map_err(AppError::fields)?;
    let user = accounts::register(&state, &client_address(&req), reg).await?;
    Ok(HttpResponse::Created().json(Registered {
        user_id: user.id.to_string(),
    }))
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
    let user = accounts::check_credentials(
        &state,
        &client_address(&req),
        email.unwrap_or_default(),
        pw.unwrap_or_default(),
    )
    .await?;
    let (token, ttl) = accounts::start_session(&state, &user, SessionKind::Api).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: ttl.as_secs(),
    }))
}

/// `DELETE /api/v1/auth/token`: revokes the presented token.
pub async fn delete_token(
    state: web::Data<AppState>,
    user: ApiUser,
) -> Result<HttpResponse, AppError> {
    accounts::end_session(&state, user.0.session).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /api/v1/account`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DeleteAccount {
    /// The account's password.
    pub password: String,
}

/// `DELETE /api/v1/account` `{"password"}`: 204, or 401 with nothing deleted.
pub async fn delete_account(
    state: web::Data<AppState>,
    user: ApiUser,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let src = JsonFields(&map);
    let mut r = crate::domain::fields::Reader::new(&src);
    r.deny_unknown(&["password"]);
    let pw = r.raw_text("password");
    if pw.is_none() {
        r.error("password", "is required: the account's password");
    }
    if !r.errors.is_empty() {
        return Err(AppError::fields(r.errors));
    }
    accounts::delete_account(&state, &user.0.user, pw.unwrap_or_default().to_string()).await?;
    Ok(HttpResponse::NoContent().finish())
}
