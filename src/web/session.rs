//! Who is signed in on a page: the session cookie checked by `auth`, and the refusal a browser
//! understands (a redirect to the login page, or an error page).

use crate::auth::access::{ClientAccess, grant};
use crate::auth::extract::role_gate;
use crate::auth::{Authenticated, SESSION_COOKIE, authenticate};
use crate::domain::profile::Role;
use crate::error::AppError;
use crate::web::PageError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use std::future::Future;
use std::pin::Pin;

/// Refusal for pages: send the browser to the login page, coming back afterwards.
#[derive(Debug)]
pub enum PageAuthError {
    /// Not signed in: redirect to `/login?next=…`.
    NeedLogin(String),
    /// Signed in with the wrong role, or the database failed.
    Other(PageError),
}

impl std::fmt::Display for PageAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sign in required")
    }
}

impl ResponseError for PageAuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageAuthError::NeedLogin(_) => StatusCode::SEE_OTHER,
            PageAuthError::Other(e) => e.status_code(),
        }
    }
    fn error_response(&self) -> HttpResponse {
        match self {
            PageAuthError::NeedLogin(next) => {
                let target = format!(
                    "/login?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther()
                    .insert_header(("Location", target))
                    .finish()
            }
            PageAuthError::Other(e) => e.error_response(),
        }
    }
}

fn page_error(e: AppError) -> PageAuthError {
    PageAuthError::Other(e.into())
}

/// A user signed in through the browser session cookie.
#[derive(Clone, Debug)]
pub struct WebUser(pub Authenticated);

impl WebUser {
    /// Optional variant: `None` when not signed in.
    pub async fn optional(req: &HttpRequest) -> Option<Authenticated> {
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        token.as_ref()?;
        authenticate(req, token, "web").await.ok()
    }
}

impl FromRequest for WebUser {
    type Error = PageAuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageAuthError>>>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
            match authenticate(&req, token, "web").await {
                Ok(a) => Ok(WebUser(a)),
                Err(AppError::Unauthorized(_)) => {
                    let next = match req.method() {
                        &actix_web::http::Method::GET => req
                            .uri()
                            .path_and_query()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_else(|| "/".into()),
                        _ => "/".into(),
                    };
                    Err(PageAuthError::NeedLogin(next))
                }
                Err(e) => Err(page_error(e)),
            }
        })
    }
}

/// A browser user who keeps a journal (role client).
#[derive(Clone, Debug)]
pub struct WebClient(pub Authenticated);

/// A browser user who is a therapist.
#[derive(Clone, Debug)]
pub struct WebTherapist(pub Authenticated);

role_gate!(WebClient from WebUser, PageAuthError, Role::Client, "This page is for client accounts that keep a journal.", |a| WebClient(a), page_error);
role_gate!(WebTherapist from WebUser, PageAuthError, Role::Therapist, "This page is for therapist accounts.", |a| WebTherapist(a), page_error);

/// `ClientAccess` for pages (session cookie).
#[derive(Clone, Debug)]
pub struct WebClientAccess(pub ClientAccess);

impl FromRequest for WebClientAccess {
    type Error = PageAuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageAuthError>>>>;
    fn from_request(req: &HttpRequest, p: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let user = WebUser::from_request(&req, p);
        Box::pin(async move {
            let WebUser(who) = user.await?;
            grant(&req, who)
                .await
                .map(WebClientAccess)
                .map_err(page_error)
        })
    }
}
