//! Server-rendered HTML pages (askama), forms with CSRF checks, embedded static assets.
//! May import `domain`, `store` types, `auth`, `app`, `error`, `state`; never `api`.

pub mod assets;
pub mod charts;
pub mod entry_form;
pub mod form;
pub mod pages;
pub mod qr;
pub mod session;
pub mod views;
pub mod widgets;

use crate::auth::csrf::CsrfToken;
use crate::auth::extract::Authenticated;
use crate::domain::profile::Role;
use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

/// What every page's frame needs: title, assets, the CSRF token and who is signed in.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub css: String,
    pub js: String,
    pub icon: String,
    pub csrf: String,
    pub user_name: Option<String>,
    /// The signed-in user's id (names the device's offline store).
    pub user_id: String,
    pub is_client: bool,
    pub is_therapist: bool,
    /// Which top navigation item is current.
    pub section: &'static str,
}

impl Layout {
    /// A frame for a page.
    pub fn new(
        title: impl Into<String>,
        section: &'static str,
        csrf: &CsrfToken,
        user: Option<&Authenticated>,
    ) -> Self {
        Self {
            title: title.into(),
            css: assets::url("css/app.css"),
            js: assets::url("js/app.js"),
            icon: assets::url("img/icon-192.png"),
            csrf: csrf.0.clone(),
            user_name: user.map(|a| a.user.display_name.clone()),
            user_id: user.map(|a| a.user.id.to_string()).unwrap_or_default(),
            is_client: user.is_some_and(|a| a.user.role == Role::Client),
            is_therapist: user.is_some_and(|a| a.user.role == Role::Therapist),
            section,
        }
    }

    /// The frame for a page shown to `user`.
    pub fn with_user(mut self, user: &crate::store::rows::User) -> Self {
        self.user_name = Some(user.display_name.clone());
        self.user_id = user.id.to_string();
        self.is_client = user.role == Role::Client;
        self.is_therapist = user.role == Role::Therapist;
        self
    }

    /// Whether the current page is one of those under "More" in the navigation.
    pub fn in_more(&self) -> bool {
        matches!(self.section, "insights" | "share" | "export" | "settings")
    }

    /// `aria-current` for a navigation item.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// Renders a template with a status.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Result<HttpResponse, PageError> {
    let body = t.render().map_err(|e| {
        PageError(AppError::Unexpected(anyhow::anyhow!(
            "template failed: {e}"
        )))
    })?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A 303 redirect after a successful POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location.to_string()))
        .finish()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
    /// (field, what is wrong) for a validation error.
    fields: Vec<(String, String)>,
}

/// An `AppError` rendered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }
    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let status = self.status_code();
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        let page = ErrorPage {
            layout: Layout {
                title: title.clone(),
                css: assets::url("css/app.css"),
                js: assets::url("js/app.js"),
                icon: assets::url("img/icon-192.png"),
                csrf: String::new(),
                user_name: None,
                user_id: String::new(),
                is_client: false,
                is_therapist: false,
                section: "",
            },
            status: status.as_u16(),
            fields: match &self.0 {
                AppError::Validation { fields, .. } => fields
                    .0
                    .iter()
                    .map(|(k, v)| (k.replace('_', " "), v.clone()))
                    .collect(),
                _ => Vec::new(),
            },
            message: match &self.0 {
                AppError::NotFound => "There is nothing at this address. It may have been deleted, or the link is wrong.".into(),
                other => other.public_message(),
            },
        };
        match page.render() {
            Ok(body) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(body),
            Err(_) => HttpResponse::build(status).body(title),
        }
    }
}

async fn page_not_found() -> Result<HttpResponse, PageError> {
    Err(PageError(AppError::NotFound))
}

/// Registers every page route and the static assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    pages::configure(cfg);
    cfg.route("/static/{path:.*}", web::get().to(assets::serve));
    cfg.route("/sw.js", web::get().to(assets::service_worker));
    cfg.default_service(web::to(page_not_found));
}
