//! Request extractors that authenticate: every authenticated route goes through these.

use crate::domain::ids::SessionId;
use crate::domain::profile::Role;
use crate::error::AppError;
use crate::store::rows::User;
use crate::store::users;
use actix_web::{FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "unknot_session";

/// A signed-in user and the session they are using.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: User,
    pub session: SessionId,
}

/// Checks a token of type `typ` ("web" or "api") against its live session.
pub async fn authenticate(
    req: &HttpRequest,
    token: Option<String>,
    typ: &'static str,
) -> Result<Authenticated, AppError> {
    let state = crate::auth::AuthContext::of(req)?;
    let token = token.ok_or(AppError::Unauthorized(
        "Sign in first: this needs a valid token.",
    ))?;
    let (uid, sid) = state.keys.check(&token, typ).ok_or(AppError::Unauthorized(
        "The token is invalid or has expired.",
    ))?;
    let now = state.now();
    let user = state
        .db
        .read_point(move |c| users::live_session_user(c, sid, uid, now))
        .await?
        .ok_or(AppError::Unauthorized(
            "The token has been revoked or has expired.",
        ))?;
    Ok(Authenticated { user, session: sid })
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let h = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// A user authenticated by `Authorization: Bearer` (JSON API).
#[derive(Clone, Debug)]
pub struct ApiUser(pub Authenticated);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(token) = bearer(&req) {
                return authenticate(&req, Some(token), "api").await.map(ApiUser);
            }
            // The app's own pages call the API with their session cookie, proving they are the
            // app (not another site) with the CSRF token in a header.
            let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
            if cookie.is_some() {
                let header = req
                    .headers()
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok());
                crate::auth::csrf::verify(&req, header)?;
                return authenticate(&req, cookie, "web").await.map(ApiUser);
            }
            Err(AppError::Unauthorized(
                "Sign in first: this needs a valid token.",
            ))
        })
    }
}

/// An API user who keeps a journal (role client); therapists get 403.
#[derive(Clone, Debug)]
pub struct ApiClient(pub User);

/// An API user who is a therapist; clients get 403.
#[derive(Clone, Debug)]
pub struct ApiTherapist(pub Authenticated);

/// Implements `FromRequest` for an extractor that admits one role and refuses the other.
macro_rules! role_gate {
    ($name:ident from $base:ident, $err:ty, $role:expr, $refusal:literal, |$a:ident| $wrap:expr, $map:expr) => {
        impl actix_web::FromRequest for $name {
            type Error = $err;
            type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, $err>>>>;
            fn from_request(
                req: &actix_web::HttpRequest,
                p: &mut actix_web::dev::Payload,
            ) -> Self::Future {
                let fut = <$base as actix_web::FromRequest>::from_request(req, p);
                Box::pin(async move {
                    let $base($a) = fut.await?;
                    if $a.user.role == $role {
                        Ok($wrap)
                    } else {
                        Err(($map)($crate::error::AppError::Forbidden($refusal)))
                    }
                })
            }
        }
    };
}

pub(crate) use role_gate;

role_gate!(ApiClient from ApiUser, AppError, Role::Client, "Only client accounts keep a journal.", |a| ApiClient(a.user), std::convert::identity);
role_gate!(ApiTherapist from ApiUser, AppError, Role::Therapist, "Only therapist accounts can do this.", |a| ApiTherapist(a), std::convert::identity);
