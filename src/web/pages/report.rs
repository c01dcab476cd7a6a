//! `/r/{token}`: the report a client shared by link, for a doctor without an account, as a page
//! and as the PDF. Unknown, expired and revoked links get the same 404; every answer is
//! `no-store`, `no-referrer` and `noindex`, and every view lands in the client's access log.

use crate::app::export::{self, Format};
use crate::app::report_links;
use crate::auth::csrf::CsrfToken;
use crate::domain::fields::Choice;
use crate::domain::report::{self, Report};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::charts::Chart;
use crate::web::pages::trends::weekly_episodes_chart;
use crate::web::pages::{PageRoute, page};
use crate::web::{Layout, PageError, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

/// The report-link pages.
pub fn routes() -> Vec<PageRoute> {
    vec![
        page!(GET "/r/{token}" => get_report),
        page!(GET "/r/{token}/report.pdf" => get_report_pdf),
    ]
}

#[derive(Template)]
#[template(path = "journal/report.html")]
struct ReportPage {
    layout: Layout,
    name: String,
    period: String,
    pdf: String,
    /// (figure, this period, period before)
    figures: Vec<(&'static str, String, String)>,
    warnings: Vec<String>,
    advice: Vec<String>,
    chart: Chart,
    sites: String,
    triggers: String,
    relief: String,
    self_care: String,
    effects: Vec<String>,
    conditions: Vec<String>,
    /// When, where, intensity, lasted, warning signs, notes.
    episodes: Vec<[String; 6]>,
}

fn counts<C: Choice>(items: &[(C, u32)]) -> String {
    if items.is_empty() {
        return "none noted".into();
    }
    items
        .iter()
        .map(|(c, n)| format!("{} {n}", c.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn page_of(r: &Report, token: &str, csrf: &CsrfToken) -> ReportPage {
    let summary = format!(
        "{} in this period.",
        crate::web::pages::trends::episodes(r.weekly.episodes)
    );
    ReportPage {
        layout: Layout::new(format!("Report: {}", r.name), "", csrf, None),
        name: r.name.clone(),
        period: format!(
            "{} to {} ({} days), compared with the {} days before",
            r.period.from.format("%-d %b %Y"),
            r.period.to.format("%-d %b %Y"),
            r.period.days(),
            r.period.days()
        ),
        pdf: format!("/r/{token}/report.pdf"),
        figures: report::figures(r),
        warnings: r
            .warnings
            .iter()
            .map(|w| {
                let signs: Vec<&str> = w.signs.iter().map(|s| s.label()).collect();
                format!(
                    "{} · {}: {}",
                    w.at.format("%-d %b %Y %H:%M"),
                    w.site.label(),
                    signs.join(", ")
                )
            })
            .collect(),
        advice: r
            .advice
            .iter()
            .map(|a| format!("{}: {}.", a.title, a.because))
            .collect(),
        chart: weekly_episodes_chart("report-weekly", "Episodes per week", &r.weekly, &summary),
        sites: counts(&r.weekly.by_body_site),
        triggers: counts(&r.weekly.by_trigger),
        relief: counts(&r.relief),
        self_care: format!(
            "Stretching {} minutes; heat {} times; ice {} times; {} massage sessions.",
            r.stretch_min,
            r.heat,
            r.ice,
            r.massages.len()
        ),
        effects: r.effects.clone(),
        conditions: r
            .conditions
            .iter()
            .map(|(d, c)| {
                format!(
                    "{} · {}{}",
                    d.format("%-d %b %Y"),
                    c.status.label(),
                    c.notes
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                )
            })
            .collect(),
        episodes: report::episode_rows(r),
    }
}

/// Marks an answer private: not stored, no referrer leaves it, not indexed.
fn private(mut resp: HttpResponse) -> HttpResponse {
    let h = resp.headers_mut();
    for (k, v) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-robots-tag", "noindex"),
    ] {
        if let (Ok(k), Ok(v)) = (
            actix_web::http::header::HeaderName::from_bytes(k.as_bytes()),
            actix_web::http::header::HeaderValue::from_str(v),
        ) {
            h.insert(k, v);
        }
    }
    resp
}

fn refused(e: AppError) -> HttpResponse {
    private(PageError(e).error_response())
}

/// `GET /r/{token}`.
pub async fn get_report(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    path: web::Path<String>,
) -> HttpResponse {
    let token = path.into_inner();
    let opened = report_links::open(&state, &token, "page").await;
    let result = match opened {
        Ok((client, period)) => export::report(&state, &client, period)
            .await
            .map_err(PageError)
            .and_then(|r| render(StatusCode::OK, &page_of(&r, &token, &csrf))),
        Err(e) => Err(PageError(e)),
    };
    match result {
        Ok(resp) => private(resp),
        Err(PageError(e)) => refused(e),
    }
}

/// `GET /r/{token}/report.pdf`.
pub async fn get_report_pdf(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let result = match report_links::open(&state, &token, "PDF").await {
        Ok((client, period)) => export::download(&state, &client, Format::Pdf, Some(period)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => private(d.into_response()),
        Err(e) => refused(e),
    }
}
