//! `/api/v1/export` and `/api/v1/import`: the doctor report, CSV, the JSON backup and FHIR of a
//! period; restoring a backup; and a therapist's copy of the PDF.

use crate::api::body_bytes;
use crate::api::routes::{Endpoint, ep};
use crate::api::trends::date_param;
use crate::app::export::{self, Format, Restored};
use crate::auth::access::ApiClientAccess;
use crate::auth::extract::ApiClient;
use crate::domain::fields::FieldErrors;
use crate::domain::report::Period;
use crate::error::AppError;
use crate::export::backup::MAX_BYTES;
use crate::state::AppState;
use crate::store::rows::User;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;

/// `?format=&from=&to=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportQuery {
    /// `pdf` (the doctor report), `csv`, `json` (the backup) or `fhir` (an R4 Bundle).
    pub format: String,
    /// First local date of the period; default 89 days before `to` (the backup: everything).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date; default today.
    #[param(format = Date)]
    pub to: Option<String>,
}

const FILES: &[&str] = &[
    "application/pdf",
    "text/csv",
    "application/json",
    "application/fhir+json",
];

/// The export area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/export", Client, get_export)
            .doc(
                "export",
                "Download the doctor report (PDF), CSV, the JSON backup or FHIR R4 of a period",
            )
            .query::<ExportQuery>()
            .returns_file(200, FILES),
        ep!(POST "/api/v1/import", Client, post_import)
            .doc(
                "export",
                "Restore a JSON backup in one transaction (twice changes nothing)",
            )
            .body::<crate::api::dto::export::BackupFile>()
            .returns::<Restored>(200),
        ep!(GET "/api/v1/clients/{client_id}/export", ClientAccess, get_client_export)
            .doc(
                "clients",
                "A client's doctor report as PDF (therapist with a live grant; logged)",
            )
            .query::<ExportQuery>()
            .returns_file(200, &["application/pdf"]),
    ]
}

/// Reads `format`, `from` and `to`; the period is `None` for a whole-journal backup.
fn read(
    q: &HashMap<String, String>,
    user: &User,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Format, Option<Period>), AppError> {
    let mut errors = FieldErrors::default();
    let format = match q.get("format").map(String::as_str).map(Format::parse) {
        Some(Some(f)) => Some(f),
        _ => {
            errors.add("format", "must be one of pdf, csv, json, fhir");
            None
        }
    };
    let from = date_param(q, "from", &mut errors);
    let to = date_param(q, "to", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let format = format.unwrap_or(Format::Pdf);
    let period = export::period_from(user, now, from, to, format == Format::Json)?;
    Ok((format, period))
}

/// `GET /api/v1/export?format=&from=&to=`.
pub async fn get_export(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (format, period) = read(&q, &user, state.now())?;
    Ok(export::download(&state, &user, format, period)
        .await?
        .into_response())
}

/// `POST /api/v1/import`: the backup file as the body.
pub async fn post_import(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let bytes = body_bytes(body, MAX_BYTES).await?;
    if bytes.is_empty() {
        return Err(export::no_file());
    }
    let done = export::import(&state, &user, bytes.to_vec()).await?;
    Ok(HttpResponse::Ok().json(done))
}

/// `GET /api/v1/clients/{client_id}/export?format=pdf`: the therapist's copy of the report.
pub async fn get_client_export(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (format, period) = read(&q, &access.client, state.now())?;
    if format != Format::Pdf {
        return Err(AppError::field(
            "format",
            "must be pdf: therapists download the report",
        ));
    }
    let d = export::download(&state, &access.client, Format::Pdf, period).await?;
    Ok(d.into_response())
}
