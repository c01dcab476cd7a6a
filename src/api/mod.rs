//! The JSON API v1 (see shared/API.md). Parses bodies into domain types at the edge.
//! May import `domain`, `store` types, `auth`, `app`, `error`, `state`; never `web`.

pub mod auth;
pub mod dto;
pub mod entries;
pub mod insight;
pub mod openapi;
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

async fn not_found(_req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Every `/api/v1` route outside sharing: (method, path). `configure` registers exactly these,
/// and the OpenAPI document must describe each (a test checks both tables).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/token"),
    ("GET", "/api/v1/entries"),
    ("POST", "/api/v1/entries"),
    ("GET", "/api/v1/entries/{id}"),
    ("PUT", "/api/v1/entries/{id}"),
    ("DELETE", "/api/v1/entries/{id}"),
    ("GET", "/api/v1/profile"),
    ("PUT", "/api/v1/profile"),
    ("GET", "/api/v1/suggestions"),
    ("GET", "/api/v1/trends"),
    ("POST", "/api/v1/technique"),
    ("POST", "/api/v1/sync/push"),
    ("GET", "/api/v1/sync/pull"),
];

fn route(method: &str, path: &str) -> actix_web::Route {
    match (method, path) {
        ("GET", "/api/v1/openapi.json") => web::get().to(openapi::get_openapi),
        ("POST", "/api/v1/auth/register") => web::post().to(auth::post_register),
        ("POST", "/api/v1/auth/token") => web::post().to(auth::post_token),
        ("DELETE", "/api/v1/auth/token") => web::delete().to(auth::delete_token),
        ("GET", "/api/v1/entries") => web::get().to(entries::get_entries),
        ("POST", "/api/v1/entries") => web::post().to(entries::post_entry),
        ("GET", "/api/v1/entries/{id}") => web::get().to(entries::get_entry),
        ("PUT", "/api/v1/entries/{id}") => web::put().to(entries::put_entry),
        ("DELETE", "/api/v1/entries/{id}") => web::delete().to(entries::delete_entry),
        ("GET", "/api/v1/profile") => web::get().to(profile::get_profile),
        ("PUT", "/api/v1/profile") => web::put().to(profile::put_profile),
        ("GET", "/api/v1/suggestions") => web::get().to(insight::get_suggestions),
        ("GET", "/api/v1/trends") => web::get().to(trends::get_trends),
        ("POST", "/api/v1/technique") => web::post().to(insight::post_technique),
        ("POST", "/api/v1/sync/push") => web::post().to(sync::post_push),
        ("GET", "/api/v1/sync/pull") => web::get().to(sync::get_pull),
        other => panic!("API route {other:?} has no handler"),
    }
}

/// Registers every `/api/v1` route; anything else under `/api/v1` is a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    shares::configure(cfg);
    for (method, path) in ROUTES {
        cfg.route(path, route(method, path));
    }
    cfg.service(web::scope("/api/v1").default_service(web::to(not_found)));
}
