//! One error type for the whole app, rendered as JSON for the API (and as a page by `web`).

use crate::domain::fields::FieldErrors;
use crate::store::StoreError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input failed validation; every bad field is named.
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    /// Malformed request (not JSON, wrong content type) without field detail.
    #[error("{0}")]
    BadRequest(String),
    /// Missing, or belongs to someone else.
    #[error("not found")]
    NotFound,
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated but not allowed (including a bad CSRF token).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request conflicts with what is stored.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        current: Option<serde_json::Value>,
    },
    /// No longer available (an expired sync cursor).
    #[error("{0}")]
    Gone(&'static str),
    /// Body too large.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts.
    #[error("too many attempts; try again in {retry_after_s} seconds")]
    RateLimited { retry_after_s: u64 },
    /// Our fault; details go to the log only.
    #[error("unexpected: {0}")]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// A validation error for a set of fields.
    pub fn fields(fields: FieldErrors) -> Self {
        let n = fields.0.len();
        let names: Vec<&str> = fields.0.keys().map(String::as_str).collect();
        let message = if n == 1 {
            format!("Please correct the field {}.", names[0])
        } else {
            format!("Please correct {n} fields: {}.", names.join(", "))
        };
        AppError::Validation { message, fields }
    }

    /// A validation error on one field.
    pub fn field(name: &str, why: impl Into<String>) -> Self {
        Self::fields(FieldErrors::one(name, why))
    }

    /// The stable snake_case code of the JSON rendering.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound => "not_found",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict { code, .. } => code,
            AppError::TooLarge(_) => "too_large",
            AppError::Gone(_) => "cursor_expired",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unexpected(_) => "internal",
        }
    }

    /// The message people may read (never internal details).
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "Not found.".into(),
            AppError::Unexpected(_) => "Internal Server Error".into(),
            other => other.to_string(),
        }
    }

    /// Logs server-side causes; called by both renderings.
    pub fn log(&self) {
        if let AppError::Unexpected(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

/// What people read when the store refuses; anything else is our fault (a 500, logged).
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let conflict = |code: &'static str, message: &str| AppError::Conflict {
            code,
            message: message.into(),
            current: None,
        };
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::EmailTaken => {
                conflict("email_taken", "An account with this email already exists.")
            }
            StoreError::EntryIdTaken => conflict(
                "id_conflict",
                "An entry with this id already exists with other content.",
            ),
            StoreError::EntryIdRace => conflict(
                "id_conflict",
                "An entry with this id was created at the same moment; fetch it and retry if needed.",
            ),
            StoreError::NoteFinal => conflict(
                "note_final",
                "This note is final and cannot change; add a dated addendum instead.",
            ),
            StoreError::NoteDraft => conflict(
                "note_draft",
                "This note is still a draft: edit it instead of adding an addendum.",
            ),
            StoreError::KindChange => {
                AppError::field("kind", "cannot change; delete this entry and log a new one")
            }
            other => {
                // Converted inside the operation's span, so the log names the operation.
                tracing::error!(error = %other, "the store failed");
                AppError::Unexpected(other.into())
            }
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut body = json!({"error": self.code(), "message": self.public_message()});
        match self {
            AppError::Validation { fields, .. } => {
                body["fields"] = json!(fields.0);
            }
            AppError::Conflict {
                current: Some(c), ..
            } => {
                body["current"] = c.clone();
            }
            _ => {}
        }
        let mut resp = HttpResponse::build(self.status_code());
        if let AppError::RateLimited { retry_after_s } = self {
            resp.insert_header(("Retry-After", retry_after_s.to_string()));
        }
        if let AppError::Unauthorized(_) = self {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        resp.json(body)
    }
}
