//! The JSON backup on the wire.

use crate::api::dto::entries::EntryIn;
use crate::domain::caution::Caution;
use serde::Deserialize;
use utoipa::ToSchema;

/// Profile settings a backup carries; a restore fills only what the account has not set.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct BackupProfile {
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub cautions: Option<Vec<Caution>>,
    #[schema(value_type = Option<crate::api::dto::accounts::ThresholdsSchema>)]
    pub thresholds: Option<serde_json::Value>,
}

/// An Unknot backup (`GET /api/v1/export?format=json`), restored by `POST /api/v1/import`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct BackupFile {
    /// Always `unknot-backup`.
    pub format: String,
    /// The backup format's version (1).
    pub version: i64,
    #[schema(format = DateTime)]
    pub exported_at: Option<String>,
    pub profile: Option<BackupProfile>,
    /// Every entry, each with its id.
    pub entries: Vec<EntryIn>,
    /// Final session notes about the client, as read (not restored).
    #[schema(value_type = Option<Vec<Object>>)]
    pub notes: Option<Vec<serde_json::Value>>,
}
