//! `/api/v1/suggestions` and `/api/v1/technique`: the explainable suggestion engine over the
//! client's journal, and the technique selector.

use crate::api::dto::insight::{AdviceOut, NowQuery, SuggestionsOut, TechniqueQuestion};
use crate::api::routes::{Endpoint, ep};
use crate::app::insight;
use crate::auth::extract::ApiClient;
use crate::domain::entry::parse_instant;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset};
use std::collections::HashMap;

/// The insight area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/suggestions", Client, get_suggestions)
            .doc(
                "insight",
                "Suggestions with their reasons, evidence and sources (RULES.md)",
            )
            .query::<NowQuery>()
            .returns::<SuggestionsOut>(200),
        ep!(POST "/api/v1/technique", Client, post_technique)
            .doc(
                "insight",
                "Which massage technique to ask for; active warnings come first",
            )
            .body::<TechniqueQuestion>()
            .returns::<AdviceOut>(200),
    ]
}

/// Reads `?now=` (RFC 3339); `None` means the server clock.
pub fn given_now(q: &HashMap<String, String>) -> Result<Option<DateTime<FixedOffset>>, AppError> {
    q.get("now")
        .filter(|s| !s.is_empty())
        .map(|s| parse_instant(s).map_err(|e| AppError::field("now", e)))
        .transpose()
}

/// `GET /api/v1/suggestions?now=`.
pub async fn get_suggestions(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let e = insight::evaluate_at(&state, &user, given_now(&q)?).await?;
    Ok(HttpResponse::Ok().json(SuggestionsOut::new(&e.evaluation, e.at)))
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
    Ok(HttpResponse::Ok().json(AdviceOut::from(&advice)))
}
