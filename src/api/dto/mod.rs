//! Wire types of the JSON API (API.md): one serde struct per request and response, each with its
//! OpenAPI schema (`utoipa::ToSchema`). Kept apart from rows and domain types; built from them.

pub mod accounts;
pub mod entries;
pub mod export;
pub mod insight;
pub mod report_links;
pub mod sharing;
pub mod sync;

use crate::domain::fields::Choice;
use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// The schema of a closed set of wire values.
fn choice_schema<C: Choice>(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(C::ALL.iter().map(|c| c.as_str())))
        .into()
}

/// Gives domain choices (enums with wire values) their schema, named after the type.
macro_rules! choice_schemas {
    ($($t:path => $doc:literal),+ $(,)?) => {
        $(
            impl PartialSchema for $t {
                fn schema() -> RefOr<Schema> {
                    choice_schema::<$t>($doc)
                }
            }
            impl ToSchema for $t {}
        )+
    };
}

choice_schemas! {
    crate::domain::entry::EntryKind => "Kind of entry",
    crate::domain::entry::BodySite => "Body site",
    crate::domain::entry::Pattern => "How the spasm felt",
    crate::domain::entry::Trigger => "What may have set it off",
    crate::domain::entry::RedFlag => "Warning sign",
    crate::domain::entry::Relief => "What helped",
    crate::domain::entry::HeatIceMode => "Heat or ice",
    crate::domain::entry::Technique => "Massage technique",
    crate::domain::entry::Pressure => "Massage pressure",
    crate::domain::entry::ConditionStatus => "Illness or injury",
    crate::domain::caution::Caution => "Health condition to be careful with",
    crate::domain::profile::Role => "Account role",
    crate::domain::share::Scope => "What a therapist may do with a share",
    crate::domain::share::NoteStatus => "Draft (may change) or final (never changes)",
    crate::domain::technique::Feel => "How the muscle feels",
    crate::domain::technique::Course => "How long it has been going on",
    crate::domain::technique::Cause => "What caused it",
}

/// A string of a format (uuid, date-time, date).
pub(crate) fn formatted(format: SchemaFormat, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(format))
        .description(Some(description))
        .into()
}

/// A string from a fixed list.
pub(crate) fn one_of(values: &[&'static str], description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// An id made by the client or the server (a UUID, v7 preferred).
pub(crate) fn uuid_schema() -> RefOr<Schema> {
    formatted(SchemaFormat::Custom("uuid".into()), "A UUID")
}

/// An instant with its UTC offset.
pub(crate) fn date_time_schema() -> RefOr<Schema> {
    formatted(
        SchemaFormat::KnownFormat(KnownFormat::DateTime),
        "RFC 3339 date-time with a UTC offset",
    )
}

/// A local calendar date.
pub(crate) fn date_schema() -> RefOr<Schema> {
    formatted(
        SchemaFormat::KnownFormat(KnownFormat::Date),
        "A calendar date, 2026-05-12",
    )
}

/// Every JSON error (API.md): a code, a sentence, and per-field reasons for validation errors.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `validation_failed`, `not_found`, `version_conflict`.
    pub error: Cow<'static, str>,
    /// A sentence people can read.
    pub message: String,
    /// What is wrong with each field (validation errors only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
    /// The server's copy, or the expected mutation id (conflicts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// The OpenAPI document itself.
#[derive(Serialize, ToSchema)]
pub struct OpenApiDocument {
    /// The OpenAPI version.
    pub openapi: String,
    #[schema(value_type = Object)]
    pub info: serde_json::Value,
    #[schema(value_type = Object)]
    pub paths: serde_json::Value,
}
