//! The JSON API v1 (see shared/API.md). Parses bodies into domain types at the edge.
//! May import `domain`, `store`, `auth`, `error`, `state`.

pub mod auth;
pub mod dto;
pub mod entries;
pub mod insight;
pub mod profile;
pub mod shares;
pub mod sync;
pub mod trends;

use crate::error::AppError;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

/// Largest JSON body accepted by ordinary endpoints.
pub const MAX_BODY: usize = 256 * 1024;

/// Reads a request body of at most `limit` bytes as a JSON object.
pub async fn json_object(
    mut payload: web::Payload,
    limit: usize,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| AppError::BadRequest("The request body could not be read.".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::TooLarge(format!(
                "The request body is larger than {} KiB.",
                limit / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::BadRequest(
            "The body must be a JSON object.".into(),
        )),
        Err(e) => Err(AppError::BadRequest(format!(
            "The body is not valid JSON: {e}."
        ))),
    }
}

/// Runs CPU-heavy work (password hashing) off the async workers.
pub async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    web::block(f)
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))
}

async fn not_found(_req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Registers every `/api/v1` route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Registered before the /api/v1 scope, whose default service answers 404 for the rest.
    shares::configure(cfg);
    cfg.service(
        web::scope("/api/v1")
            .route("/auth/register", web::post().to(auth::post_register))
            .route("/auth/token", web::post().to(auth::post_token))
            .route("/auth/token", web::delete().to(auth::delete_token))
            .route("/entries", web::get().to(entries::get_entries))
            .route("/entries", web::post().to(entries::post_entry))
            .route("/entries/{id}", web::get().to(entries::get_entry))
            .route("/entries/{id}", web::put().to(entries::put_entry))
            .route("/entries/{id}", web::delete().to(entries::delete_entry))
            .route("/suggestions", web::get().to(insight::get_suggestions))
            .route("/technique", web::post().to(insight::post_technique))
            .route("/trends", web::get().to(trends::get_trends))
            .route("/sync/push", web::post().to(sync::post_push))
            .route("/sync/pull", web::get().to(sync::get_pull))
            .route("/profile", web::get().to(profile::get_profile))
            .route("/profile", web::put().to(profile::put_profile))
            .default_service(web::to(not_found)),
    );
}
