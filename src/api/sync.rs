//! `/api/v1/sync`: push mutations from an offline client, pull changes since a cursor.

use crate::api::dto::sync::{
    ChangeOut, MutationResult, PullQuery, PullResponse, PushRequest, PushResponse,
};
use crate::api::json::{Json, Object};
use crate::api::routes::{Endpoint, ep};
use crate::api::{body_bytes, object_of};
use crate::app::sync;
use crate::auth::extract::ApiClient;
use crate::domain::entry::parse_json_entry;
use crate::domain::fields::{FieldErrors, JsonObject, JsonValue};
use crate::domain::ids::EntryId;
use crate::domain::sync::{Op, describe};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use std::collections::HashMap;

/// The sync area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(POST "/api/v1/sync/push", Client, post_push)
            .doc("sync", "Apply a device's mutations exactly once, merged per field (409 mid_gap, 413 over 500 or 1 MB)")
            .body::<PushRequest>()
            .returns::<PushResponse>(200),
        ep!(GET "/api/v1/sync/pull", Client, get_pull)
            .doc("sync", "Changes after a cursor, each entry once in its latest state (410 cursor_expired)")
            .query::<PullQuery>()
            .returns::<PullResponse>(200),
    ]
}

/// Largest push body.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;
/// Most mutations in one push.
pub const MAX_MUTATIONS: usize = 500;
/// Largest pull page.
pub const MAX_PULL: i64 = 1000;

fn parse_op(m: &Object<'_>, now: chrono::DateTime<chrono::Utc>) -> Op {
    let base_version = m
        .get("base_version")
        .and_then(|v| v.as_number().flatten())
        .unwrap_or(0)
        .max(0);
    let id = || m.get("id").and_then(Json::as_str).and_then(EntryId::parse);
    match m.get("op").and_then(Json::as_str) {
        Some("upsert") => match m.get("entry").and_then(Json::as_object) {
            Some(e) if e.get("id").and_then(Json::as_str).is_some() => {
                match parse_json_entry(e, &["id", "kind", "occurred_at", "data"], now) {
                    Ok((entry, _)) => Op::Upsert {
                        entry,
                        base_version,
                    },
                    Err(errors) => Op::Invalid {
                        error: describe(&errors),
                    },
                }
            }
            _ => Op::Invalid {
                error: "entry is required: an object with the entry's client-made id".into(),
            },
        },
        Some("patch") => match (id(), m.get("fields").and_then(Json::as_object)) {
            (Some(id), Some(fields)) if !fields.is_empty() => Op::Patch {
                id,
                fields: fields.to_map(),
                base_version,
            },
            _ => Op::Invalid {
                error: "patch needs an entry id and a non-empty fields object".into(),
            },
        },
        Some("delete") => match id() {
            Some(id) => Op::Delete { id },
            None => Op::Invalid {
                error: "delete needs an entry id".into(),
            },
        },
        _ => Op::Invalid {
            error: "op must be one of upsert, patch, delete".into(),
        },
    }
}

/// `POST /api/v1/sync/push`.
pub async fn post_push(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    // Read into values that borrow their text from the body (`api::json`): a push carries up
    // to 500 entries.
    let body = body_bytes(body, MAX_PUSH_BYTES).await?;
    let map = object_of(&body, Json::into_object)?;
    let mut errors = FieldErrors::default();
    for k in map.keys() {
        if k != "client_id" && k != "mutations" {
            errors.add(k, "is not a known field (allowed: client_id, mutations)");
        }
    }
    let client_id = map
        .get("client_id")
        .and_then(Json::as_str)
        .and_then(|s| uuid::Uuid::try_parse(s).ok())
        .map(|u| u.to_string());
    if client_id.is_none() {
        errors.add("client_id", "is required: a UUID this device made once");
    }
    let list = match map.get("mutations").and_then(Json::as_array) {
        Some(a) => a,
        None => {
            errors.add("mutations", "is required: a list of mutations");
            &[]
        }
    };
    if list.len() > MAX_MUTATIONS {
        return Err(AppError::TooLarge(format!(
            "A push holds at most {MAX_MUTATIONS} mutations; send the rest in another push."
        )));
    }
    let now = state.now();
    let mut mutations = Vec::with_capacity(list.len());
    for (i, m) in list.iter().enumerate() {
        let obj = m.as_object();
        let mid = obj.and_then(|o| o.get("mid")?.as_number()?);
        match (obj, mid) {
            (Some(obj), Some(mid)) if mid >= 1 => mutations.push((mid, parse_op(obj, now))),
            _ => errors.add(
                &format!("mutations[{i}].mid"),
                "is required: a whole number from 1, one more than the last",
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let client_id = client_id.unwrap_or_default();
    let mids: Vec<i64> = mutations.iter().map(|(m, _)| *m).collect();
    let (last_mid, outcomes) = sync::push(&state, user.id, client_id, mutations).await?;
    let results = mids
        .iter()
        .zip(&outcomes)
        .map(|(m, o)| MutationResult::new(*m, o))
        .collect();
    Ok(HttpResponse::Ok().json(PushResponse { last_mid, results }))
}

/// `GET /api/v1/sync/pull?since=&limit=`.
pub async fn get_pull(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let since = match q.get("since").filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .unwrap_or_else(|| {
                errors.add("since", "must be a cursor from an earlier pull (or empty)");
                0
            }),
    };
    let limit = match q.get("limit").filter(|s| !s.is_empty()) {
        None => 500,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PULL).contains(n))
            .unwrap_or_else(|| {
                errors.add(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_PULL}"),
                );
                500
            }),
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let p = sync::pull(&state, user.id, since, limit).await?;
    Ok(HttpResponse::Ok().json(PullResponse {
        changes: p.changes.iter().map(ChangeOut::from).collect(),
        cursor: p.cursor.to_string(),
        has_more: p.has_more,
        last_mid: p.last_mid.into_iter().collect(),
    }))
}
