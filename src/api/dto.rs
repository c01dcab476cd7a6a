//! Wire types of the JSON API, kept apart from rows and domain types.

use crate::domain::entry::Entry;
use crate::domain::fields::Choice;
use crate::domain::time::rfc3339;
use crate::store::rows::User;
use serde_json::{Value, json};

/// An entry as the API shows it.
pub fn entry(e: &Entry) -> Value {
    json!({
        "id": e.id.to_string(),
        "kind": e.kind().as_str(),
        "occurred_at": rfc3339(&e.occurred_at),
        "data": e.data.to_json(),
        "version": e.version,
        "deleted": e.deleted,
        "updated_at": e.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// A profile as the API shows it.
pub fn profile(u: &User) -> Value {
    let cautions: Vec<&str> = u.cautions.iter().map(|c| c.as_str()).collect();
    json!({
        "user_id": u.id.to_string(),
        "email": u.email,
        "role": u.role.as_str(),
        "display_name": u.display_name,
        "timezone": u.timezone,
        "cautions": cautions,
        "thresholds": serde_json::to_value(&u.thresholds).unwrap_or_else(|_| json!({})),
    })
}
