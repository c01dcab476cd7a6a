//! `/api/v1/suggestions`: the explainable suggestion engine over the client's journal.

use crate::app::insight;
use crate::auth::extract::ApiClient;
use crate::domain::entry::parse_instant;
use crate::domain::rules::{DISCLAIMER, Evaluation};
use crate::domain::time::rfc3339;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The wire form of an evaluation (API.md, Insight).
pub fn evaluation_json(e: &Evaluation, now: DateTime<FixedOffset>) -> Value {
    let suggestions: Vec<Value> = e
        .suggestions
        .iter()
        .map(|s| {
            let mut v = json!({
                "rule_id": s.rule_id,
                "kind": s.kind.as_str(),
                "title": s.title,
                "message": s.message,
                "because": s.because,
                "evidence": s.evidence.iter().map(|id| id.to_string()).collect::<Vec<_>>(),
                "source": s.source,
            });
            if let Some(w) = s.suggested_window {
                v["suggested_window"] = json!({"from": w.from.to_string(), "to": w.to.to_string()});
            }
            v
        })
        .collect();
    let suppressed: Vec<Value> = e
        .suppressed
        .iter()
        .map(|s| json!({"rule_id": s.rule_id, "because": s.because}))
        .collect();
    json!({
        "suggestions": suggestions,
        "suppressed": suppressed,
        "evaluated_at": rfc3339(&now),
        "disclaimer": DISCLAIMER,
    })
}

/// Reads `?now=` (RFC 3339) or takes the server clock.
pub fn now_param(
    q: &HashMap<String, String>,
    server_now: DateTime<Utc>,
) -> Result<DateTime<FixedOffset>, AppError> {
    match q.get("now").filter(|s| !s.is_empty()) {
        Some(s) => parse_instant(s).map_err(|e| AppError::field("now", e)),
        None => Ok(server_now.fixed_offset()),
    }
}

/// `GET /api/v1/suggestions?now=`.
pub async fn get_suggestions(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let now = now_param(&q, state.now())?;
    let (e, _) = insight::evaluate_journal(&state, &user, now).await?;
    Ok(HttpResponse::Ok().json(evaluation_json(&e, now)))
}

/// The wire form of technique advice.
pub fn advice_json(a: &crate::domain::technique::Advice) -> Value {
    use crate::domain::fields::Choice;
    json!({
        "technique": a.technique.map(|t| t.as_str()),
        "technique_label": a.technique.map(|t| t.label()),
        "pressure": a.pressure,
        "why": a.why,
        "aftercare": a.aftercare,
        "blocked_by": a.blocked_by,
    })
}

/// `POST /api/v1/technique`: the technique selector, with active warnings checked first.
pub async fn post_technique(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = crate::api::json_object(body, crate::api::MAX_BODY).await?;
    let question =
        crate::domain::technique::parse_question(&crate::domain::fields::JsonFields(&map))
            .map_err(AppError::fields)?;
    let advice = insight::advise_technique(&state, &user, &question).await?;
    Ok(HttpResponse::Ok().json(advice_json(&advice)))
}
