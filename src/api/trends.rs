//! `/api/v1/trends`: episode counts and intensities per bucket, breakdowns, water and self-care.

use crate::app::insight::{self, today_for};
use crate::auth::extract::ApiClient;
use crate::domain::entry::parse_instant;
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::trends::{Bucket, Trends};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::rows::User;
use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The longest range one request may cover.
pub const MAX_DAYS: i64 = 5 * 366;

fn date_param(
    q: &HashMap<String, String>,
    name: &str,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    let raw = q.get(name).filter(|s| !s.is_empty())?;
    if let Ok(d) = raw.parse::<NaiveDate>() {
        return Some(d);
    }
    match parse_instant(raw) {
        Ok(t) => Some(t.date_naive()),
        Err(_) => {
            errors.add(name, "must be a date (2026-05-12) or an RFC 3339 date-time");
            None
        }
    }
}

/// The wire form of trends.
pub fn trends_json(t: &Trends) -> Value {
    let series: Vec<Value> = t
        .series
        .iter()
        .map(|s| {
            json!({
                "start": s.start.to_string(),
                "episodes": s.episodes,
                "mean_intensity": s.mean_intensity.map(|m| (m * 10.0).round() / 10.0),
                "max_intensity": s.max_intensity,
                "water_ml": s.water_ml,
                "stretch_min": s.stretch_min,
                "heat": s.heat,
                "ice": s.ice,
                "massage": s.massage,
            })
        })
        .collect();
    let sites: Map<String, Value> = t
        .by_body_site
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    let triggers: Map<String, Value> = t
        .by_trigger
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    let by_hour: Vec<Value> = t
        .by_hour
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"from_hour": i * 2, "episodes": n}))
        .collect();
    let sum =
        |f: fn(&crate::domain::trends::BucketStat) -> u32| t.series.iter().map(f).sum::<u32>();
    json!({
        "from": t.from.to_string(),
        "to": t.to.to_string(),
        "bucket": t.bucket.as_str(),
        "episodes": t.episodes,
        "series": series,
        "by_body_site": sites,
        "by_trigger": triggers,
        "by_hour": by_hour,
        "totals": {
            "water_ml": sum(|s| s.water_ml),
            "stretch_min": sum(|s| s.stretch_min),
            "heat": sum(|s| s.heat),
            "ice": sum(|s| s.ice),
            "massage": sum(|s| s.massage),
        },
    })
}

/// `GET /api/v1/trends?from=&to=&bucket=day|week|month` (default: the last 12 weeks by week).
pub async fn get_trends(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    respond(&state, &user, &q).await
}

/// Answers a trends query for `user` (the client, or a client a therapist may read).
pub async fn respond(
    state: &AppState,
    user: &User,
    q: &HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let bucket = match q.get("bucket").filter(|s| !s.is_empty()) {
        None => Bucket::Week,
        Some(b) => Bucket::parse(b).unwrap_or_else(|| {
            errors.add("bucket", "must be one of day, week, month");
            Bucket::Week
        }),
    };
    let to = date_param(q, "to", &mut errors).unwrap_or_else(|| today_for(user, state.now()));
    let from = date_param(q, "from", &mut errors).unwrap_or(to - Duration::days(83));
    if from > to {
        errors.add("from", "must not be after to");
    } else if (to - from).num_days() > MAX_DAYS {
        errors.add(
            "from",
            format!("the range may cover at most {MAX_DAYS} days"),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let t = insight::trends(state, user.id, from, to, bucket).await?;
    Ok(HttpResponse::Ok().json(trends_json(&t)))
}
