//! The JSON API v1 (see shared/API.md). Parses bodies into domain types at the edge.
//! May import `domain`, `store` types, `auth`, `app`, `error`, `state`; never `web`.

pub mod auth;
pub mod dto;
pub mod entries;
pub mod export;
pub mod insight;
pub mod json;
pub mod openapi;
pub mod profile;
pub mod report_links;
pub mod routes;
pub mod shares;
pub mod sync;
pub mod trends;

use crate::error::AppError;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

/// Largest JSON body accepted by ordinary endpoints.
pub const MAX_BODY: usize = 256 * 1024;

/// Reads a request body of at most `limit` bytes.
pub async fn body_bytes(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, AppError> {
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
    Ok(body.freeze())
}

/// Reads a request body of at most `limit` bytes as a JSON object.
pub async fn json_object(
    payload: web::Payload,
    limit: usize,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let body = body_bytes(payload, limit).await?;
    object_of(&body, |v: serde_json::Value| match v {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    })
}

/// The JSON object `body` holds, read as `V` and taken out by `object`; a 400 that says what is
/// wrong otherwise.
pub fn object_of<'a, V: serde::Deserialize<'a>, O>(
    body: &'a [u8],
    object: impl FnOnce(V) -> Option<O>,
) -> Result<O, AppError> {
    // The body is checked as UTF-8 once, here: read from a `str`, serde_json does not check
    // each string again (which it does reading bytes, a check per string of a push).
    let text = std::str::from_utf8(body).map_err(|e| {
        AppError::BadRequest(format!(
            "The body is not valid JSON: it is not UTF-8 from byte {}.",
            e.valid_up_to()
        ))
    })?;
    match serde_json::from_str::<V>(text) {
        Ok(v) => {
            object(v).ok_or_else(|| AppError::BadRequest("The body must be a JSON object.".into()))
        }
        Err(e) => Err(AppError::BadRequest(format!(
            "The body is not valid JSON: {e}."
        ))),
    }
}

async fn not_found(_req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Every endpoint of the API, area by area.
pub fn endpoints() -> Vec<routes::Endpoint> {
    [
        openapi::endpoints(),
        auth::endpoints(),
        entries::endpoints(),
        profile::endpoints(),
        insight::endpoints(),
        trends::endpoints(),
        sync::endpoints(),
        export::endpoints(),
        report_links::endpoints(),
        shares::endpoints(),
    ]
    .concat()
}

/// Registers every endpoint; anything else under `/api/v1` is a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // One scope holds every endpoint: a page's request is matched against its prefix once,
    // not against each endpoint's pattern in turn (a dozen of them regular expressions).
    let mut scope = web::scope(PREFIX);
    for e in endpoints() {
        match e.path.strip_prefix(PREFIX).filter(|p| p.starts_with('/')) {
            Some(path) => scope = scope.route(path, (e.route)()),
            None => {
                cfg.route(e.path, (e.route)());
            }
        }
    }
    cfg.service(scope.default_service(web::to(not_found)));
}

/// Where every endpoint of the API lives.
const PREFIX: &str = "/api/v1";
