//! Entries on the wire: what a client sends, what the server answers.

use crate::api::dto::{date_time_schema, uuid_schema};
use crate::domain::entry::{
    BodySite, ConditionStatus, Entry, EntryData, EntryKind, HeatIceMode, Pattern, Pressure,
    RedFlag, Relief, Technique, Trigger,
};
use crate::domain::time::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// `episode` data: a spasm or cramp.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EpisodeData {
    pub body_site: BodySite,
    #[schema(minimum = 0, maximum = 10)]
    pub intensity: u8,
    /// Seconds, 0 to 86400.
    #[schema(minimum = 0, maximum = 86400)]
    pub duration_s: Option<u32>,
    pub pattern: Option<Pattern>,
    pub triggers: Option<Vec<Trigger>>,
    pub red_flags: Option<Vec<RedFlag>>,
    pub relief: Option<Vec<Relief>>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// `hydration` data: something drunk.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct HydrationData {
    #[schema(minimum = 1, maximum = 5000)]
    pub volume_ml: u32,
    pub electrolytes: Option<bool>,
}

/// `heat_ice` data.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct HeatIceData {
    pub mode: HeatIceMode,
    #[schema(minimum = 1, maximum = 120)]
    pub minutes: u32,
    pub body_site: Option<BodySite>,
}

/// `stretch` data.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct StretchData {
    #[schema(minimum = 1, maximum = 240)]
    pub minutes: u32,
    pub body_sites: Option<Vec<BodySite>>,
    #[schema(max_length = 2000)]
    pub routine: Option<String>,
}

/// `massage` data: a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct MassageData {
    pub technique: Technique,
    #[schema(minimum = 1, maximum = 480)]
    pub duration_min: Option<u32>,
    pub pressure: Option<Pressure>,
    pub body_sites: Option<Vec<BodySite>>,
    #[schema(max_length = 2000)]
    pub therapist: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// `condition` data: illness or injury, open until `ended_at`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ConditionData {
    pub status: ConditionStatus,
    #[schema(format = DateTime)]
    pub ended_at: Option<String>,
    pub body_site: Option<BodySite>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// `event` data: an upcoming event; `occurred_at` is its start (may be in the future).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EventData {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// An entry's `data`: the fields of its `kind`.
pub struct EntryDataSchema;

impl PartialSchema for EntryDataSchema {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(EpisodeData::schema())
            .item(HydrationData::schema())
            .item(HeatIceData::schema())
            .item(StretchData::schema())
            .item(MassageData::schema())
            .item(ConditionData::schema())
            .item(EventData::schema())
            .description(Some("The fields of the entry's kind (API.md, Entries)"))
            .into()
    }
}

impl ToSchema for EntryDataSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "EntryData".into()
    }
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for (name, schema) in [
            ("BodySite", BodySite::schema()),
            ("Pattern", Pattern::schema()),
            ("Trigger", Trigger::schema()),
            ("RedFlag", RedFlag::schema()),
            ("Relief", Relief::schema()),
            ("HeatIceMode", HeatIceMode::schema()),
            ("Technique", Technique::schema()),
            ("Pressure", Pressure::schema()),
            ("ConditionStatus", ConditionStatus::schema()),
        ] {
            schemas.push((name.into(), schema));
        }
    }
}

/// A new entry (`POST /api/v1/entries`, sync `upsert`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EntryIn {
    /// Made by the client (UUID, v7 preferred); the server makes one when left out.
    #[schema(format = "uuid")]
    pub id: Option<String>,
    pub kind: EntryKind,
    /// When it happened, with the client's UTC offset (kept as given).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    #[schema(value_type = EntryDataSchema)]
    pub data: serde_json::Value,
}

/// A whole entry replaced (`PUT /api/v1/entries/{id}`), with the version last seen.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EntryUpdate {
    /// The id in the URL, or left out.
    #[schema(format = "uuid")]
    pub id: Option<String>,
    /// Cannot change.
    pub kind: Option<EntryKind>,
    #[schema(format = DateTime)]
    pub occurred_at: String,
    #[schema(value_type = EntryDataSchema)]
    pub data: serde_json::Value,
    /// The version last seen; a stale one is `409 version_conflict`.
    pub version: i64,
}

/// An entry's data as JSON, written straight from the typed data (in the stored text's key
/// order) rather than built as a `serde_json::Value` first: a pull answers up to 1,000 of them.
pub struct DataOut(pub EntryData);

impl Serialize for DataOut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_data(s)
    }
}

/// An entry as the server keeps it.
#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    #[schema(schema_with = uuid_schema)]
    pub id: String,
    pub kind: EntryKind,
    #[schema(schema_with = date_time_schema)]
    pub occurred_at: String,
    #[schema(value_type = EntryDataSchema)]
    pub data: DataOut,
    /// Bumped by the server on every change.
    pub version: i64,
    pub deleted: bool,
    /// Server time of the last change.
    #[schema(schema_with = date_time_schema)]
    pub updated_at: String,
}

impl From<&Entry> for EntryOut {
    fn from(e: &Entry) -> Self {
        Self {
            id: e.id.to_string(),
            kind: e.kind(),
            occurred_at: rfc3339(&e.occurred_at),
            data: DataOut(e.data.clone()),
            version: e.version,
            deleted: e.deleted,
            updated_at: e
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

/// One page of entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct EntryPage {
    pub entries: Vec<EntryOut>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/entries` filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EntryListQuery {
    /// Only entries at or after this instant (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Only entries before this instant (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Only entries of this kind.
    #[param(value_type = Option<EntryKind>)]
    pub kind: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `DELETE /api/v1/entries/{id}` option.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DeleteQuery {
    /// The version last seen; a stale one is `409 version_conflict`.
    pub version: Option<i64>,
}
