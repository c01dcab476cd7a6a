//! Suggestions, trends and the technique selector on the wire.

use crate::api::dto::{date_schema, date_time_schema, one_of};
use crate::domain::entry::{BodySite, Pressure, Technique};
use crate::domain::fields::Choice;
use crate::domain::rules::{DISCLAIMER, Evaluation, Suggestion};
use crate::domain::technique::{Advice, Cause, Course, Feel};
use crate::domain::time::rfc3339;
use crate::domain::trends::{BucketStat, Trends};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

fn suggestion_kind() -> RefOr<Schema> {
    one_of(
        &["urgent", "medical_review", "caution", "book", "self_care"],
        "Kind of suggestion, most important first",
    )
}

fn bucket() -> RefOr<Schema> {
    one_of(
        &["day", "week", "month"],
        "Length of one step of the series",
    )
}

/// `?now=`: evaluate as of this instant (default: server time).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct NowQuery {
    /// RFC 3339 date-time with a UTC offset.
    #[param(format = DateTime)]
    pub now: Option<String>,
}

/// A suggested booking window (local dates, inclusive).
#[derive(Serialize, ToSchema)]
pub struct WindowOut {
    #[schema(schema_with = date_schema)]
    pub from: String,
    #[schema(schema_with = date_schema)]
    pub to: String,
}

/// One explainable suggestion (RULES.md).
#[derive(Serialize, ToSchema)]
pub struct SuggestionOut {
    /// A stable rule id from RULES.md.
    pub rule_id: &'static str,
    #[schema(schema_with = suggestion_kind)]
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    /// Why it fired, in plain words.
    pub because: String,
    /// Ids of the entries that made it fire.
    pub evidence: Vec<String>,
    /// The article or guidance it comes from, by its title.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_window: Option<WindowOut>,
}

impl From<&Suggestion> for SuggestionOut {
    fn from(s: &Suggestion) -> Self {
        Self {
            rule_id: s.rule_id,
            kind: s.kind.as_str(),
            title: s.title.clone(),
            message: s.message.clone(),
            because: s.because.clone(),
            evidence: s.evidence.iter().map(|e| e.id.to_string()).collect(),
            source: s.source.clone(),
            suggested_window: s.suggested_window.map(|w| WindowOut {
                from: w.from.to_string(),
                to: w.to.to_string(),
            }),
        }
    }
}

/// A booking suggestion held back while something more important is active.
#[derive(Serialize, ToSchema)]
pub struct SuppressedOut {
    pub rule_id: &'static str,
    pub because: String,
}

/// `GET /api/v1/suggestions`.
#[derive(Serialize, ToSchema)]
pub struct SuggestionsOut {
    pub suggestions: Vec<SuggestionOut>,
    pub suppressed: Vec<SuppressedOut>,
    #[schema(schema_with = date_time_schema)]
    pub evaluated_at: String,
    pub disclaimer: &'static str,
}

impl SuggestionsOut {
    /// The wire form of an evaluation at `now`.
    pub fn new(e: &Evaluation, now: DateTime<FixedOffset>) -> Self {
        Self {
            suggestions: e.suggestions.iter().map(SuggestionOut::from).collect(),
            suppressed: e
                .suppressed
                .iter()
                .map(|s| SuppressedOut {
                    rule_id: s.rule_id,
                    because: s.because.clone(),
                })
                .collect(),
            evaluated_at: rfc3339(&now),
            disclaimer: DISCLAIMER,
        }
    }
}

/// `GET /api/v1/trends` range.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TrendsQuery {
    /// First local date (or an RFC 3339 date-time); default 83 days before `to`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date; default today in the profile time zone.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `day`, `week` (default) or `month`.
    #[param(schema_with = bucket)]
    pub bucket: Option<String>,
}

/// One step of a trends series.
#[derive(Serialize, ToSchema)]
pub struct SeriesOut {
    #[schema(schema_with = date_schema)]
    pub start: String,
    pub episodes: u32,
    pub mean_intensity: Option<f64>,
    pub max_intensity: Option<u8>,
    pub water_ml: u32,
    pub stretch_min: u32,
    pub heat: u32,
    pub ice: u32,
    pub massage: u32,
}

impl From<&BucketStat> for SeriesOut {
    fn from(s: &BucketStat) -> Self {
        Self {
            start: s.start.to_string(),
            episodes: s.episodes,
            mean_intensity: s.mean_intensity.map(|m| (m * 10.0).round() / 10.0),
            max_intensity: s.max_intensity,
            water_ml: s.water_ml,
            stretch_min: s.stretch_min,
            heat: s.heat,
            ice: s.ice,
            massage: s.massage,
        }
    }
}

/// Episodes in one 2-hour slot of the local day.
#[derive(Serialize, ToSchema)]
pub struct HourOut {
    /// 0, 2, … 22.
    pub from_hour: usize,
    pub episodes: u32,
}

/// Totals over the range.
#[derive(Serialize, ToSchema)]
pub struct TotalsOut {
    pub water_ml: u32,
    pub stretch_min: u32,
    pub heat: u32,
    pub ice: u32,
    pub massage: u32,
}

/// `GET /api/v1/trends`.
#[derive(Serialize, ToSchema)]
pub struct TrendsOut {
    #[schema(schema_with = date_schema)]
    pub from: String,
    #[schema(schema_with = date_schema)]
    pub to: String,
    #[schema(schema_with = bucket)]
    pub bucket: &'static str,
    pub episodes: u32,
    pub series: Vec<SeriesOut>,
    /// Episodes by body site.
    pub by_body_site: BTreeMap<String, u32>,
    /// Episodes by trigger.
    pub by_trigger: BTreeMap<String, u32>,
    pub by_hour: Vec<HourOut>,
    pub totals: TotalsOut,
}

impl From<&Trends> for TrendsOut {
    fn from(t: &Trends) -> Self {
        let sum = |f: fn(&BucketStat) -> u32| t.series.iter().map(f).sum::<u32>();
        Self {
            from: t.from.to_string(),
            to: t.to.to_string(),
            bucket: t.bucket.as_str(),
            episodes: t.episodes,
            series: t.series.iter().map(SeriesOut::from).collect(),
            by_body_site: t
                .by_body_site
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), *n))
                .collect(),
            by_trigger: t
                .by_trigger
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), *n))
                .collect(),
            by_hour: t
                .by_hour
                .iter()
                .enumerate()
                .map(|(i, n)| HourOut {
                    from_hour: i * 2,
                    episodes: *n,
                })
                .collect(),
            totals: TotalsOut {
                water_ml: sum(|s| s.water_ml),
                stretch_min: sum(|s| s.stretch_min),
                heat: sum(|s| s.heat),
                ice: sum(|s| s.ice),
                massage: sum(|s| s.massage),
            },
        }
    }
}

/// `POST /api/v1/technique`: the selector's questions (RULES.md).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TechniqueQuestion {
    pub body_site: BodySite,
    pub feel: Feel,
    pub duration: Course,
    /// Default `unknown`.
    pub cause: Option<Cause>,
    /// The pressure the client tolerates.
    pub pressure: Pressure,
}

/// The selector's answer; an active warning replaces the technique with the referral.
#[derive(Serialize, ToSchema)]
pub struct AdviceOut {
    pub technique: Option<Technique>,
    pub technique_label: Option<&'static str>,
    pub pressure: Option<&'static str>,
    pub why: String,
    pub aftercare: Vec<String>,
    /// Rule ids of the active warnings checked first.
    pub blocked_by: Vec<&'static str>,
}

impl From<&Advice> for AdviceOut {
    fn from(a: &Advice) -> Self {
        Self {
            technique: a.technique,
            technique_label: a.technique.map(|t| t.label()),
            pressure: a.pressure,
            why: a.why.clone(),
            aftercare: a.aftercare.clone(),
            blocked_by: a.blocked_by.clone(),
        }
    }
}
