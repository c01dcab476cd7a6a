//! CSRF protection for HTML forms: a random token in an HttpOnly SameSite=Strict cookie that every
//! form must echo in the hidden field `csrf_token` (double submit).

use crate::error::AppError;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{Ready, ready};

/// Name of the cookie holding the token.
pub const COOKIE: &str = "unknot_csrf";
/// Name of the form field that must echo it.
pub const FIELD: &str = "csrf_token";

/// The request's CSRF token, to render into forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Whether cookies are marked `Secure` (request extension set at start-up).
#[derive(Clone, Copy, Debug)]
pub struct SecureCookies(pub bool);

fn new_token() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system random source is available");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Middleware: makes sure every request has a token, setting the cookie when it was missing.
pub async fn ensure_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let existing = req
        .cookie(COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()));
    let secure = req
        .app_data::<actix_web::web::Data<SecureCookies>>()
        .map(|s| s.0)
        .unwrap_or(false);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (new_token(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.call(req).await?;
    if fresh && !res.request().path().starts_with("/api/") {
        let cookie = Cookie::build(COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

impl FromRequest for CsrfToken {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<CsrfToken>()
                .cloned()
                .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("csrf middleware missing"))),
        )
    }
}

/// Checks a submitted token against the cookie in constant time.
pub fn verify(req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
    let refused = || {
        AppError::Forbidden(
            "This form has expired or did not come from Unknot. Go back, reload the page and submit it again.",
        )
    };
    let cookie = req.cookie(COOKIE).ok_or_else(refused)?;
    let submitted = submitted.ok_or_else(refused)?;
    let a = cookie.value().as_bytes();
    let b = submitted.as_bytes();
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same && !a.is_empty() {
        Ok(())
    } else {
        Err(refused())
    }
}
