//! The application layer: one function per user operation, shared by the pages (`web`) and the
//! JSON API (`api`). Each takes typed input and what it needs from the state, runs its work in
//! one transaction and returns domain values or an `AppError`; each runs in a tracing span named
//! after the operation, so a failure in the log says which operation failed.
//! May import `domain`, `store`, `auth`, `config`, `state` and `error`; never `web` or `api`.

pub mod accounts;
pub mod export;
pub mod housekeeping;
pub mod insight;
pub mod journal;
pub mod notes;
pub mod report_links;
pub mod sharing;
pub mod sync;

use crate::error::AppError;

/// A record id from a path as the store holds it (a UUID); anything else names nothing, so it
/// is 404 and never reaches the database (where a NUL byte would be a PostgreSQL error).
pub(crate) fn record_id(raw: String) -> Result<String, AppError> {
    uuid::Uuid::parse_str(&raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::NotFound)
}

/// Runs CPU-heavy work (password hashing, demo journals) off the async workers.
pub async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let span = tracing::Span::current();
    actix_web::web::block(move || span.in_scope(f))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))
}
