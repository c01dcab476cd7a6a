//! `/api/v1/entries`: list, read, create (idempotent by id), update with optimistic version, delete.

use crate::api::dto::entries::{
    DeleteQuery, EntryIn, EntryListQuery, EntryOut, EntryPage, EntryUpdate,
};
use crate::api::routes::{Endpoint, ep};
use crate::api::{MAX_BODY, json_object};
use crate::app::journal;
use crate::auth::extract::ApiClient;
use crate::domain::entry::{EntryKind, parse_instant, parse_json_entry};
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::ids::EntryId;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::entries::{Created, Cursor, ListQuery};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;

/// The entries area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/entries", Client, get_entries)
            .doc("entries", "List entries, newest first, one page at a time")
            .query::<EntryListQuery>()
            .returns::<EntryPage>(200),
        ep!(POST "/api/v1/entries", Client, post_entry)
            .doc("entries", "Log an entry: 201, or 200 for the same id and content again (no duplicate)")
            .body::<EntryIn>()
            .returns::<EntryOut>(201)
            .also::<EntryOut>(200),
        ep!(GET "/api/v1/entries/{id}", Client, get_entry)
            .doc("entries", "One entry (404 when missing or someone else's)")
            .returns::<EntryOut>(200),
        ep!(PUT "/api/v1/entries/{id}", Client, put_entry)
            .doc("entries", "Replace an entry at the version last seen (409 version_conflict with the server copy)")
            .body::<EntryUpdate>()
            .returns::<EntryOut>(200),
        ep!(DELETE "/api/v1/entries/{id}", Client, delete_entry)
            .doc("entries", "Delete an entry (a tombstone kept for sync)")
            .query::<DeleteQuery>(),
    ]
}

/// A stale version: the server copy travels with the error.
fn version_conflict(current: &crate::domain::entry::Entry) -> AppError {
    AppError::Conflict {
        code: "version_conflict",
        message: format!(
            "This entry was changed elsewhere (now version {}). Reload it and apply your change again.",
            current.version
        ),
        current: serde_json::to_value(EntryOut::from(current)).ok(),
    }
}

/// Largest page of entries.
pub const MAX_LIMIT: i64 = 500;

fn path_id(raw: &str) -> Result<EntryId, AppError> {
    // An id that is not a UUID cannot name any entry.
    EntryId::parse(raw).ok_or(AppError::NotFound)
}

/// Parses the listing query (`from`, `to`, `kind`, `limit`, `cursor`).
pub fn list_query(q: &HashMap<String, String>, default_limit: i64) -> Result<ListQuery, AppError> {
    let mut errors = FieldErrors::default();
    let mut instant = |name: &str| {
        q.get(name)
            .filter(|s| !s.is_empty())
            .and_then(|s| match parse_instant(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(e) => {
                    errors.add(name, e);
                    None
                }
            })
    };
    let from = instant("from");
    let to = instant("to");
    let kind = match q.get("kind").filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => match EntryKind::parse(k) {
            Some(k) => Some(k),
            None => {
                errors.add("kind", format!("must be {}", EntryKind::allowed()));
                None
            }
        },
    };
    let limit = match q.get("limit").filter(|s| !s.is_empty()) {
        None => default_limit,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                errors.add(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                );
                default_limit
            }
        },
    };
    let cursor = match q.get("cursor").filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => match Cursor::decode(c) {
            Some(c) => Some(c),
            None => {
                errors.add("cursor", "must be a next_cursor value from an earlier page");
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(ListQuery {
            from,
            to,
            kind,
            limit,
            cursor,
            text: None,
        })
    } else {
        Err(AppError::fields(errors))
    }
}

/// `GET /api/v1/entries`.
pub async fn get_entries(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = list_query(&q, 100)?;
    let (list, next) = journal::list(&state, user.id, query).await?;
    Ok(HttpResponse::Ok().json(EntryPage {
        entries: list.iter().map(EntryOut::from).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `GET /api/v1/entries/{id}`.
pub async fn get_entry(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&path)?;
    let e = journal::get(&state, user.id, id).await?;
    Ok(HttpResponse::Ok().json(EntryOut::from(&e)))
}

/// `POST /api/v1/entries`: 201 for a new entry, 200 for a replay of the same id and content.
pub async fn post_entry(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let now = state.now();
    let (new, _) = parse_json_entry(&map, &["id", "kind", "occurred_at", "data"], now)
        .map_err(AppError::fields)?;
    let created = journal::create(&state, user.id, new).await?;
    Ok(match created {
        Created::New(e) => HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/entries/{}", e.id)))
            .json(EntryOut::from(&e)),
        Created::Existing(e) => HttpResponse::Ok().json(EntryOut::from(&e)),
    })
}

/// `PUT /api/v1/entries/{id}` with the `version` the client last saw.
pub async fn put_entry(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&path)?;
    let mut map = json_object(body, MAX_BODY).await?;
    let stored = journal::get(&state, user.id, id).await?;
    match map.get("id") {
        Some(v) if v.as_str() != Some(&id.to_string()) => {
            return Err(AppError::field(
                "id",
                "must match the id in the URL (or be left out)",
            ));
        }
        _ => {
            map.insert("id".into(), json!(id.to_string()));
        }
    }
    map.entry("kind")
        .or_insert_with(|| json!(stored.kind().as_str()));
    let now = state.now();
    let (new, version) =
        parse_json_entry(&map, &["id", "kind", "occurred_at", "data", "version"], now)
            .map_err(AppError::fields)?;
    let version = version.ok_or_else(|| {
        AppError::field(
            "version",
            "is required: the version you last saw, for conflict detection",
        )
    })?;
    let outcome = journal::update(&state, user.id, new, version).await?;
    match outcome {
        Ok(e) => Ok(HttpResponse::Ok().json(EntryOut::from(&e))),
        Err(current) => Err(version_conflict(&current)),
    }
}

/// `DELETE /api/v1/entries/{id}[?version=N]`: leaves a tombstone.
pub async fn delete_entry(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&path)?;
    let version = match q.get("version") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| AppError::field("version", "must be a whole number"))?,
        ),
    };
    let outcome = journal::delete(&state, user.id, id, version).await?;
    match outcome {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(current) => Err(version_conflict(&current)),
    }
}
