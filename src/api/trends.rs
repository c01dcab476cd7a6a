//! `/api/v1/trends`: episode counts and intensities per bucket, breakdowns, water and self-care.

use crate::api::dto::insight::{TrendsOut, TrendsQuery};
use crate::api::routes::{Endpoint, ep};
use crate::app::insight::{self, today_for};
use crate::auth::extract::ApiClient;
use crate::domain::entry::parse_instant;
use crate::domain::fields::FieldErrors;
use crate::domain::trends::Bucket;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::rows::User;
use actix_web::{HttpResponse, web};
use chrono::{Duration, NaiveDate};
use std::collections::HashMap;

/// The longest range one request may cover.
pub const MAX_DAYS: i64 = 5 * 366;

/// Reads a date query parameter (a date, or an RFC 3339 date-time).
pub fn date_param(
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

/// The trends area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/trends", Client, get_trends)
            .doc("insight", "Episode counts and intensities per day, week or month; breakdowns; water and self-care")
            .query::<TrendsQuery>()
            .returns::<TrendsOut>(200),
    ]
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
    let t = insight::trends(state, user, from, to, bucket).await?;
    Ok(HttpResponse::Ok().json(TrendsOut::from(&t)))
}
