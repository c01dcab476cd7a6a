//! Accounts, tokens and profiles on the wire.

use crate::api::dto::uuid_schema;
use crate::domain::caution::Caution;
use crate::domain::profile::Role;
use crate::domain::rules::ThresholdOverrides;
use crate::store::rows::User;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// `POST /api/v1/auth/register`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RegisterRequest {
    /// Normalised to lower case.
    #[schema(format = Email)]
    pub email: String,
    /// At least 10 characters, at most 1024 bytes.
    #[schema(min_length = 10)]
    pub password: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
    /// An IANA time zone name, or null until the client picks one.
    pub timezone: Option<String>,
}

/// A new account.
#[derive(Serialize, ToSchema)]
pub struct Registered {
    #[schema(schema_with = uuid_schema)]
    pub user_id: String,
}

/// `POST /api/v1/auth/token`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

/// A short-lived bearer token.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Threshold overrides: whole numbers by threshold name, each within its bounds.
pub struct ThresholdsSchema;

impl PartialSchema for ThresholdsSchema {
    fn schema() -> RefOr<Schema> {
        let mut o = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Overrides of the suggestion rules' default thresholds (RULES.md); warning-sign thresholds are fixed",
            ));
        for s in crate::domain::rules::thresholds::SPECS
            .iter()
            .filter(|s| s.overridable)
        {
            o = o.property(
                s.name,
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(s.min as f64))
                    .maximum(Some(s.max as f64))
                    .description(Some(s.label)),
            );
        }
        o.additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
    }
}

impl ToSchema for ThresholdsSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Thresholds".into()
    }
}

/// `PUT /api/v1/profile`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ProfileIn {
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    /// An IANA time zone name, or null.
    pub timezone: Option<String>,
    pub cautions: Option<Vec<Caution>>,
    #[schema(value_type = Option<ThresholdsSchema>)]
    pub thresholds: Option<serde_json::Value>,
}

/// A profile.
#[derive(Serialize, ToSchema)]
pub struct ProfileOut {
    #[schema(schema_with = uuid_schema)]
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub display_name: String,
    /// An IANA time zone name, or null (unset).
    pub timezone: Option<String>,
    pub cautions: Vec<Caution>,
    #[schema(value_type = ThresholdsSchema)]
    pub thresholds: ThresholdOverrides,
}

impl From<&User> for ProfileOut {
    fn from(u: &User) -> Self {
        Self {
            user_id: u.id.to_string(),
            email: u.email.clone(),
            role: u.role,
            display_name: u.display_name.clone(),
            timezone: u.timezone.clone(),
            cautions: u.cautions.clone(),
            thresholds: u.thresholds.clone(),
        }
    }
}
