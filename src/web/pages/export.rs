//! `/export`: pick a period and download the doctor report, CSV, FHIR or a backup; restore a
//! backup from a file (a plain form upload, no JavaScript needed).

use crate::app::export::{self, Format, Restored};
use crate::app::report_links;
use crate::auth::csrf::{self, CsrfToken};
use crate::domain::fields::FieldErrors;
use crate::domain::report::Period;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::rows::User;
use crate::web::form::FormFields;
use crate::web::pages::{PageRoute, page};
use crate::web::session::WebClient;
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use futures_util::StreamExt;
use std::collections::HashMap;

/// The export pages.
pub fn routes() -> Vec<PageRoute> {
    vec![
        page!(GET "/export" => get_export),
        page!(GET "/export/download" => get_download),
        page!(POST "/export/import" => post_import),
        page!(POST "/export/links" => post_link),
        page!(POST "/export/links/{id}/revoke" => post_revoke_link),
    ]
}

#[derive(Template)]
#[template(path = "journal/export.html")]
struct ExportPage {
    layout: Layout,
    notice: Option<String>,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    /// The chosen period, for the download links.
    from: String,
    to: String,
    label: String,
    file: Vec<Widget>,
    file_summary: Vec<SummaryItem>,
    /// A link just made: (url, QR code SVG, expiry), shown once.
    new_link: Option<(String, String, String)>,
    links: Vec<LinkView>,
}

struct LinkView {
    id: String,
    period: String,
    state: String,
    views: String,
    live: bool,
}

fn link_views(
    list: &[crate::store::report_links::ReportLink],
    now: chrono::DateTime<chrono::Utc>,
    tz: Option<&str>,
) -> Vec<LinkView> {
    list.iter()
        .map(|l| {
            let live = !l.revoked && l.expires_at > now;
            LinkView {
                id: l.id.clone(),
                period: format!(
                    "{} to {}",
                    l.from.format("%-d %b %Y"),
                    l.to.format("%-d %b %Y")
                ),
                state: if l.revoked {
                    "Revoked".into()
                } else if live {
                    format!("Works until {}", crate::web::views::when(l.expires_at, tz))
                } else {
                    "Expired".into()
                },
                views: match (l.views, l.last_viewed_at) {
                    (0, _) => "Not opened yet".into(),
                    (n, Some(t)) => {
                        format!("Opened {n} times, last {}", crate::web::views::when(t, tz))
                    }
                    (n, None) => format!("Opened {n} times"),
                },
                live,
            }
        })
        .collect()
}

/// The chosen period: `period` is 30, 90, 365 or `custom` (with `from` and `to`).
fn chosen(
    values: &FormFields,
    user: &User,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Period, FieldErrors> {
    let today = export::default_period(user, now).to;
    let days = match values.get("period").unwrap_or("90") {
        "30" => 30,
        "365" => 365,
        "custom" => {
            let date = |name: &str| {
                values
                    .get(name)
                    .and_then(|v| v.trim().parse::<NaiveDate>().ok())
            };
            let mut errors = FieldErrors::default();
            let (from, to) = (date("from"), date("to"));
            if from.is_none() {
                errors.add("from", "must be a date like 2026-05-12");
            }
            if to.is_none() {
                errors.add("to", "must be a date like 2026-05-12");
            }
            return match (from, to) {
                (Some(f), Some(t)) if errors.is_empty() => {
                    Period::new(f, t).map_err(|e| FieldErrors::one("from", e))
                }
                _ => Err(errors),
            };
        }
        _ => 90,
    };
    Ok(Period::last_days(today, days))
}

fn period_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    let periods: Vec<(String, String)> = [
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("365", "Last 12 months"),
        ("custom", "From and to dates below"),
    ]
    .iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    vec![
        b.radios_of("period", "Period", &periods),
        b.text("from", "From").control("date"),
        b.text("to", "To").control("date"),
    ]
}

/// What else the export page shows besides the period form.
#[derive(Default)]
struct Extras {
    file_errors: FieldErrors,
    notice: Option<String>,
    new_link: Option<(String, String, String)>,
    links: Vec<LinkView>,
}

fn export_page(
    csrf: &CsrfToken,
    a: &crate::auth::Authenticated,
    values: &FormFields,
    period: Result<Period, FieldErrors>,
    extras: Extras,
) -> ExportPage {
    let file_errors = &extras.file_errors;
    let (p, errors) = match period {
        Ok(p) => (p, FieldErrors::default()),
        Err(e) => (export::default_period(&a.user, chrono::Utc::now()), e),
    };
    let fields = period_fields(values, &errors);
    let file = vec![
        WidgetBuilder::new(&FormFields::default(), file_errors)
            .text("file", "Backup file (.json)")
            .control("file")
            .hint(
                "A backup downloaded from Unknot. Entries you already have are left as they are.",
            ),
    ];
    ExportPage {
        layout: Layout::new("Export", "export", csrf, Some(a)),
        summary: summary(&fields, &errors),
        fields,
        from: p.from.to_string(),
        to: p.to.to_string(),
        label: format!(
            "{} to {}",
            p.from.format("%-d %b %Y"),
            p.to.format("%-d %b %Y")
        ),
        file_summary: summary(&file, file_errors),
        file,
        new_link: extras.new_link,
        links: extras.links,
        notice: extras.notice,
    }
}

fn restored(q: &HashMap<String, String>) -> Option<String> {
    let n = |k: &str| q.get(k).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    (q.get("done").map(String::as_str) == Some("import")).then(|| {
        format!(
            "Backup restored: {} entries added, {} already here, {} kept as you changed them since, {} brought back.",
            n("added"),
            n("unchanged"),
            n("kept"),
            n("restored")
        )
    })
}

/// `GET /export[?period=&from=&to=]`.
pub async fn get_export(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let mut values = FormFields(q.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    if values.get("period").is_none() {
        values.set("period", "90");
    }
    let period = chosen(&values, &a.user, state.now());
    let status = if period.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let notice = restored(&q).or_else(|| {
        (q.get("done").map(String::as_str) == Some("revoked"))
            .then(|| "Link revoked: it stopped working at once.".to_string())
    });
    let links = report_links::list(&state, a.user.id).await?;
    let extras = Extras {
        notice,
        links: link_views(&links, state.now(), a.user.timezone.as_deref()),
        ..Extras::default()
    };
    render(status, &export_page(&csrf, &a, &values, period, extras))
}

/// `GET /export/download?format=&from=&to=`: the file itself.
pub async fn get_download(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let format = q
        .get("format")
        .and_then(|f| Format::parse(f))
        .ok_or_else(|| AppError::field("format", "must be one of pdf, csv, json, fhir"))?;
    let date = |k: &str| -> Result<Option<NaiveDate>, AppError> {
        match q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<NaiveDate>()
                .map(Some)
                .map_err(|_| AppError::field(k, "must be a date like 2026-05-12")),
        }
    };
    let (from, to) = (date("from")?, date("to")?);
    let period = export::period_from(&a.user, state.now(), from, to, format == Format::Json)?;
    let d = export::download(&state, &a.user, format, period).await?;
    Ok(d.into_response())
}

/// Reads the upload: the CSRF token and the file, at most the backup limit.
async fn upload(req: &HttpRequest, mut form: Multipart) -> Result<Vec<u8>, AppError> {
    let (mut token, mut file) = (None, Vec::new());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
        let name = field.name().unwrap_or_default().to_string();
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
            if data.len() + chunk.len() > crate::export::backup::MAX_BYTES {
                return Err(AppError::field("file", "is larger than 32 MB"));
            }
            data.extend_from_slice(&chunk);
        }
        match name.as_str() {
            csrf::FIELD => token = Some(String::from_utf8_lossy(&data).into_owned()),
            "file" => file = data,
            _ => {}
        }
    }
    csrf::verify(req, token.as_deref())?;
    Ok(file)
}

/// `POST /export/import` (multipart): restores a backup.
pub async fn post_import(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    form: Multipart,
) -> Result<HttpResponse, PageError> {
    let result = match upload(&req, form).await {
        Ok(bytes) if bytes.is_empty() => Err(export::no_file()),
        Ok(bytes) => export::import(&state, &a.user, bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(Restored {
            added,
            unchanged,
            kept,
            restored,
        }) => Ok(crate::web::see_other(&format!(
            "/export?done=import&added={added}&unchanged={unchanged}&kept={kept}&restored={restored}"
        ))),
        Err(AppError::Validation { fields, .. }) => {
            // Keyed `entries[3].data.intensity`: the file is what the person can fix.
            let named = FieldErrors(
                fields
                    .0
                    .into_iter()
                    .map(|(k, v)| {
                        let v = if k == "file" {
                            v
                        } else {
                            format!("has a problem at {k}: {v}")
                        };
                        ("file".to_string(), v)
                    })
                    .take(1)
                    .collect(),
            );
            let mut values = FormFields::default();
            values.set("period", "90");
            let period = chosen(&values, &a.user, state.now());
            let links = report_links::list(&state, a.user.id).await?;
            let extras = Extras {
                file_errors: named,
                links: link_views(&links, state.now(), a.user.timezone.as_deref()),
                ..Extras::default()
            };
            let page = export_page(&csrf, &a, &values, period, extras);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /export/links`: a link to the report of the chosen period, shown once with a QR code.
pub async fn post_link(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    crate::web::form::HtmlForm(form): crate::web::form::HtmlForm,
) -> Result<HttpResponse, PageError> {
    let period = chosen(&form, &a.user, state.now());
    let days = form
        .get("expires_in_days")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .unwrap_or(7);
    let made = match &period {
        Ok(p) => Some(report_links::create(&state, a.user.id, *p, days).await),
        Err(_) => None,
    };
    let links = report_links::list(&state, a.user.id).await?;
    let mut extras = Extras {
        links: link_views(&links, state.now(), a.user.timezone.as_deref()),
        ..Extras::default()
    };
    let status = match made {
        Some(Ok(l)) => {
            let qr = crate::web::qr::svg(&l.url, "QR code of the report link");
            let until = crate::web::views::when(l.expires_at, a.user.timezone.as_deref());
            extras.new_link = Some((l.url, qr, until));
            StatusCode::CREATED
        }
        Some(Err(AppError::Validation { fields, .. })) => {
            extras.notice = fields
                .0
                .values()
                .next()
                .map(|m| format!("Days the link lasts {m}."));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(Err(e)) => return Err(e.into()),
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    render(status, &export_page(&csrf, &a, &form, period, extras))
}

/// `POST /export/links/{id}/revoke`.
pub async fn post_revoke_link(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    path: web::Path<String>,
    _form: crate::web::form::HtmlForm,
) -> Result<HttpResponse, PageError> {
    report_links::revoke(&state, a.user.id, path.into_inner()).await?;
    Ok(crate::web::see_other("/export?done=revoked"))
}
