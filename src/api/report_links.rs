//! `/api/v1/report-links`: links a client makes for a doctor.

use crate::api::dto::report_links::{
    NewReportLink, ReportLinkCreated, ReportLinkOut, ReportLinksOut,
};
use crate::api::routes::{Endpoint, ep};
use crate::api::{MAX_BODY, json_object};
use crate::app::export::{default_period, period_from};
use crate::app::report_links;
use crate::auth::extract::ApiClient;
use crate::domain::fields::{JsonFields, Reader};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, SecondsFormat};

/// The report-links area.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(POST "/api/v1/report-links", Client, post_link)
            .doc(
                "export",
                "Make a link a doctor opens without an account (shown once)",
            )
            .body::<NewReportLink>()
            .returns::<ReportLinkCreated>(201),
        ep!(GET "/api/v1/report-links", Client, get_links)
            .doc("export", "Your report links, with views")
            .returns::<ReportLinksOut>(200),
        ep!(DELETE "/api/v1/report-links/{id}", Client, delete_link)
            .doc("export", "Revoke a report link at once"),
    ]
}

fn date(r: &mut Reader<'_>, name: &str) -> Option<NaiveDate> {
    let raw = r.text(name, 40)?;
    raw.trim().parse::<NaiveDate>().ok().or_else(|| {
        r.error(name, "must be a date like 2026-05-12");
        None
    })
}

/// `POST /api/v1/report-links`.
pub async fn post_link(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let src = JsonFields(&map);
    let mut r = Reader::new(&src);
    r.deny_unknown(&["from", "to", "expires_in_days"]);
    let (from, to) = (date(&mut r, "from"), date(&mut r, "to"));
    let days = r.int("expires_in_days", 1, 30).unwrap_or(7);
    if !r.errors.is_empty() {
        return Err(AppError::fields(r.errors));
    }
    let period = period_from(&user, state.now(), from, to, false)?
        .unwrap_or_else(|| default_period(&user, state.now()));
    let link = report_links::create(&state, user.id, period, days).await?;
    Ok(HttpResponse::Created().json(ReportLinkCreated {
        id: link.id,
        url: link.url,
        expires_at: link.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }))
}

/// `GET /api/v1/report-links`.
pub async fn get_links(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = report_links::list(&state, user.id).await?;
    Ok(HttpResponse::Ok().json(ReportLinksOut {
        links: list.iter().map(ReportLinkOut::from).collect(),
    }))
}

/// `DELETE /api/v1/report-links/{id}`.
pub async fn delete_link(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    report_links::revoke(&state, user.id, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
