//! `/api/v1/profile`: display name, time zone, cautions and threshold overrides.

use crate::api::dto::accounts::{ProfileIn, ProfileOut};
use crate::api::routes::{Endpoint, ep};
use crate::api::{MAX_BODY, json_object};
use crate::app::accounts;
use crate::auth::ApiUser;
use crate::domain::fields::{FieldErrors, JsonFields};
use crate::domain::profile::{ProfileUpdate, parse_details};
use crate::domain::rules::ThresholdOverrides;
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::Value;

/// The profile area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/profile", User, get_profile)
            .doc("accounts", "Your profile")
            .returns::<ProfileOut>(200),
        ep!(PUT "/api/v1/profile", User, put_profile)
            .doc(
                "accounts",
                "Change name, time zone, cautions and threshold overrides",
            )
            .body::<ProfileIn>()
            .returns::<ProfileOut>(200),
    ]
}

/// `GET /api/v1/profile`.
pub async fn get_profile(ApiUser(a): ApiUser) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(ProfileOut::from(&a.user)))
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
    Ok(HttpResponse::Ok().json(ProfileOut::from(&user)))
}
