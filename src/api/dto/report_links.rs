//! Report links on the wire.

use crate::api::dto::{date_schema, date_time_schema};
use crate::store::report_links::ReportLink;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/report-links`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct NewReportLink {
    /// First local date of the report (default: 89 days before `to`).
    #[schema(format = Date)]
    pub from: Option<String>,
    /// Last local date (default: today).
    #[schema(format = Date)]
    pub to: Option<String>,
    /// 1 to 30 (default 7).
    #[schema(minimum = 1, maximum = 30)]
    pub expires_in_days: Option<i64>,
}

/// A link just made; the URL is shown once.
#[derive(Serialize, ToSchema)]
pub struct ReportLinkCreated {
    pub id: String,
    /// Opens the report without an account.
    pub url: String,
    #[schema(schema_with = date_time_schema)]
    pub expires_at: String,
}

/// One of a client's links.
#[derive(Serialize, ToSchema)]
pub struct ReportLinkOut {
    pub id: String,
    #[schema(schema_with = date_schema)]
    pub from: String,
    #[schema(schema_with = date_schema)]
    pub to: String,
    #[schema(schema_with = date_time_schema)]
    pub expires_at: String,
    pub revoked: bool,
    pub views: i64,
    #[schema(format = DateTime)]
    pub last_viewed_at: Option<String>,
}

impl From<&ReportLink> for ReportLinkOut {
    fn from(l: &ReportLink) -> Self {
        let iso = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        Self {
            id: l.id.clone(),
            from: l.from.to_string(),
            to: l.to.to_string(),
            expires_at: iso(l.expires_at),
            revoked: l.revoked,
            views: l.views,
            last_viewed_at: l.last_viewed_at.map(iso),
        }
    }
}

/// `GET /api/v1/report-links`.
#[derive(Serialize, ToSchema)]
pub struct ReportLinksOut {
    pub links: Vec<ReportLinkOut>,
}
