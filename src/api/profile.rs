//! `/api/v1/profile`: display name, time zone, cautions and threshold overrides.

use crate::api::{MAX_BODY, dto, json_object};
use crate::app::accounts;
use crate::auth::ApiUser;
use crate::domain::fields::{FieldErrors, JsonFields};
use crate::domain::profile::{ProfileUpdate, parse_details};
use crate::domain::rules::ThresholdOverrides;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::Value;

/// `GET /api/v1/profile`.
pub async fn get_profile(ApiUser(a): ApiUser) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(dto::profile(&a.user)))
}

/// Reads `thresholds`: an object of whole numbers by threshold name, or null for none.
fn thresholds(v: Option<&Value>) -> Result<ThresholdOverrides, FieldErrors> {
    match v {
        None | Some(Value::Null) => Ok(ThresholdOverrides::default()),
        Some(Value::Object(m)) => {
            ThresholdOverrides::parse(m.iter().map(|(k, v)| (k.as_str(), v.as_i64())))
        }
        Some(_) => Err(FieldErrors::one(
            "thresholds",
            "must be an object of rule threshold overrides",
        )),
    }
}

/// `PUT /api/v1/profile`.
pub async fn put_profile(
    state: web::Data<AppState>,
    ApiUser(a): ApiUser,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let details = parse_details(&JsonFields(&map), &["thresholds"]);
    let overrides = thresholds(map.get("thresholds"));
    let update = match (details, overrides) {
        (Ok(details), Ok(thresholds)) => ProfileUpdate {
            details,
            thresholds,
        },
        (details, overrides) => {
            let mut errors = details.err().unwrap_or_default();
            errors.merge(overrides.err().unwrap_or_default());
            return Err(AppError::fields(errors));
        }
    };
    let user = accounts::save_profile(&state, a.user.id, update).await?;
    Ok(HttpResponse::Ok().json(dto::profile(&user)))
}
