//! `/api/v1/profile`: display name, time zone, cautions and threshold overrides.

use crate::api::{MAX_BODY, dto, json_object};
use crate::auth::ApiUser;
use crate::domain::fields::JsonFields;
use crate::domain::profile::parse_profile;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::users;
use actix_web::{HttpResponse, web};

/// `GET /api/v1/profile`.
pub async fn get_profile(ApiUser(a): ApiUser) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(dto::profile(&a.user)))
}

/// `PUT /api/v1/profile`.
pub async fn put_profile(
    state: web::Data<AppState>,
    ApiUser(a): ApiUser,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let update =
        parse_profile(&JsonFields(&map), map.get("thresholds")).map_err(AppError::fields)?;
    let uid = a.user.id;
    let now = state.now();
    let user = state
        .db
        .write(move |c| {
            users::update_profile(c, uid, &update, now)?;
            users::find_with_hash(c, uid).map(|(u, _)| u)
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto::profile(&user)))
}
