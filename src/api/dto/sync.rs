//! Sync pushes and pulls on the wire (API.md, Sync).

use crate::api::dto::entries::{EntryIn, EntryOut};
use crate::domain::entry::Entry;
use crate::domain::sync::{Conflict, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// One mutation of a push; `mid` counts up by one per device, from 1.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
pub enum MutationIn {
    /// Create or replace an entry, merged per field against `base_version`.
    Upsert {
        #[schema(minimum = 1)]
        mid: i64,
        entry: EntryIn,
        /// The version the device last saw (0 for a new entry).
        base_version: Option<i64>,
    },
    /// Change some data fields (and maybe `occurred_at`); `null` removes an optional field.
    Patch {
        #[schema(minimum = 1)]
        mid: i64,
        #[schema(format = "uuid")]
        id: String,
        #[schema(value_type = Object)]
        fields: serde_json::Value,
        base_version: Option<i64>,
    },
    /// Delete (a tombstone); deletes win over edits.
    Delete {
        #[schema(minimum = 1)]
        mid: i64,
        #[schema(format = "uuid")]
        id: String,
        base_version: Option<i64>,
    },
}

/// `POST /api/v1/sync/push`: at most 500 mutations and 1 MB.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PushRequest {
    /// A UUID the device made once; bound to the first account that uses it.
    #[schema(format = "uuid")]
    pub client_id: String,
    #[schema(max_items = 500)]
    pub mutations: Vec<MutationIn>,
}

/// A field that kept the server value.
#[derive(Serialize, ToSchema)]
pub struct ConflictOut {
    pub field: String,
    /// The value kept.
    #[schema(value_type = Value)]
    pub server: serde_json::Value,
    /// The value sent.
    #[schema(value_type = Value)]
    pub yours: serde_json::Value,
}

impl From<&Conflict> for ConflictOut {
    fn from(c: &Conflict) -> Self {
        Self {
            field: c.field.clone(),
            server: c.server.clone(),
            yours: c.yours.clone(),
        }
    }
}

/// What happened to one mutation.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MutationResult {
    Applied {
        mid: i64,
        version: i64,
        seq: i64,
    },
    /// Applied, except the fields in `conflicts`, which kept the server value.
    Merged {
        mid: i64,
        version: i64,
        seq: i64,
        conflicts: Vec<ConflictOut>,
    },
    /// Seen before: not applied again.
    Duplicate {
        mid: i64,
    },
    /// The entry was deleted: deletes win.
    ConflictDeleted {
        mid: i64,
        version: i64,
    },
    /// Refused; `last_mid` still moves past it.
    Rejected {
        mid: i64,
        error: String,
    },
}

impl MutationResult {
    /// The wire form of mutation `mid`'s outcome.
    pub fn new(mid: i64, o: &Outcome) -> Self {
        match o {
            Outcome::Applied { version, seq } => Self::Applied {
                mid,
                version: *version,
                seq: *seq,
            },
            Outcome::Merged {
                version,
                seq,
                conflicts,
            } => Self::Merged {
                mid,
                version: *version,
                seq: *seq,
                conflicts: conflicts.iter().map(ConflictOut::from).collect(),
            },
            Outcome::Duplicate => Self::Duplicate { mid },
            Outcome::ConflictDeleted { version } => Self::ConflictDeleted {
                mid,
                version: *version,
            },
            Outcome::Rejected { error } => Self::Rejected {
                mid,
                error: error.clone(),
            },
        }
    }
}

/// The answer to a push.
#[derive(Serialize, ToSchema)]
pub struct PushResponse {
    /// The highest mutation id this device has had applied.
    pub last_mid: i64,
    pub results: Vec<MutationResult>,
}

/// `GET /api/v1/sync/pull` paging.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PullQuery {
    /// The `cursor` of the previous pull; empty for everything.
    pub since: Option<String>,
    /// At most this many changes, 1 to 1000 (default 500).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// One changed entry in its latest state (a tombstone has `deleted: true`).
#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    #[serde(flatten)]
    pub entry: EntryOut,
    /// The change's place in the user's sequence.
    pub seq: i64,
}

impl From<&Entry> for ChangeOut {
    fn from(e: &Entry) -> Self {
        Self {
            entry: EntryOut::from(e),
            seq: e.seq,
        }
    }
}

/// The answer to a pull.
#[derive(Serialize, ToSchema)]
pub struct PullResponse {
    pub changes: Vec<ChangeOut>,
    /// Pass as `since` next time.
    pub cursor: String,
    pub has_more: bool,
    /// Each of the user's devices and the last mutation id applied from it.
    pub last_mid: BTreeMap<String, i64>,
}
