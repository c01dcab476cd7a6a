//! A therapist's pages: the clients who share with them (who needs attention first), redeeming
//! a share code, the read-only view of one client, and SOAP session notes.

use crate::app::insight::{self, ClientSummary, ClientView, today_for};
use crate::app::{notes, sharing};
use crate::auth::client_address;
use crate::auth::csrf::CsrfToken;
use crate::domain::entry::EntryKind;
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::rules::{DISCLAIMER, Kind};
use crate::domain::share::{parse_addendum, parse_note};
use crate::domain::trends::{Bucket, Days};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::charts::Chart;
use crate::web::form::FormFields;
use crate::web::form::HtmlForm;
use crate::web::pages::insight::{SuggestionView, views};
use crate::web::pages::{PageRoute, page};
use crate::web::session::{WebClientAccess, WebTherapist};
use crate::web::views::{EntryView, NoteView, note_views, short_day_clock};
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// A therapist's pages, each declared once; the authorization matrix test needs a row for each.
pub fn routes() -> Vec<PageRoute> {
    vec![
        page!(GET "/clients" => get_clients),
        page!(POST "/clients/redeem" => post_redeem),
        page!(GET "/clients/{client_id}" => get_client),
        page!(GET "/clients/{client_id}/report.pdf" => get_client_report),
        page!(POST "/clients/{client_id}/notes" => post_note),
        page!(GET "/clients/{client_id}/notes/{note_id}/edit" => get_note_edit),
        page!(POST "/clients/{client_id}/notes/{note_id}/edit" => post_note_edit),
        page!(POST "/clients/{client_id}/notes/{note_id}/addenda" => post_addendum),
    ]
}

struct ClientRow {
    id: String,
    name: String,
    flag: Option<String>,
    episodes: usize,
    trend: &'static str,
    trend_label: &'static str,
    last_entry: String,
    booking: Option<String>,
    rank: (u8, std::cmp::Reverse<usize>),
}

#[derive(Template)]
#[template(path = "sharing/clients.html")]
struct ClientsPage {
    layout: Layout,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    clients: Vec<ClientRow>,
}

/// One client's row: their most serious warning, episodes in 14 days against the 14 before,
/// their newest entry and the next suggested booking.
fn client_row(c: ClientSummary, now: DateTime<Utc>) -> ClientRow {
    let ClientSummary {
        share: s,
        evaluation: e,
        journal,
    } = c;
    let top = e
        .suggestions
        .iter()
        .find(|x| matches!(x.kind, Kind::Urgent | Kind::MedicalReview | Kind::Caution));
    let severity = top.map(|x| x.kind as u8).unwrap_or(u8::MAX);
    let count = |from: i64, to: i64| {
        journal
            .entries
            .iter()
            .filter(|x| {
                let age = now - x.occurred_at.with_timezone(&Utc);
                x.kind() == EntryKind::Episode
                    && age >= Duration::days(from)
                    && age < Duration::days(to)
            })
            .count()
    };
    let (now14, before14) = (count(0, 14), count(14, 28));
    let (trend, trend_label) = match now14.cmp(&before14) {
        std::cmp::Ordering::Greater => ("↑", "more than the 14 days before"),
        std::cmp::Ordering::Less => ("↓", "fewer than the 14 days before"),
        std::cmp::Ordering::Equal => ("→", "as many as the 14 days before"),
    };
    let last = journal
        .entries
        .iter()
        .filter(|x| x.occurred_at.with_timezone(&Utc) <= now)
        .max_by_key(|x| x.occurred_at.with_timezone(&Utc));
    let booking = e
        .suggestions
        .iter()
        .find(|x| x.kind == Kind::Book)
        .and_then(|x| x.suggested_window)
        .map(|w| {
            format!(
                "book {} to {}",
                w.from.format("%-d %b"),
                w.to.format("%-d %b")
            )
        });
    ClientRow {
        id: s.client.id.to_string(),
        name: s.client.display_name.clone(),
        flag: top.map(|x| format!("{}: {}", x.kind.label(), x.title)),
        episodes: now14,
        trend,
        trend_label,
        last_entry: last
            .map(|x| short_day_clock(x.occurred_at.naive_local()))
            .unwrap_or_else(|| "none in 90 days".into()),
        booking,
        rank: (severity, std::cmp::Reverse(now14)),
    }
}

async fn clients_page(
    state: &AppState,
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    values: &FormFields,
    errors: &FieldErrors,
) -> Result<ClientsPage, PageError> {
    let now = state.now();
    let mut rows: Vec<ClientRow> = insight::dashboard(state, a.user.id, now)
        .await?
        .into_iter()
        .map(|c| client_row(c, now))
        .collect();
    rows.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.name.cmp(&b.name)));
    let b = WidgetBuilder::new(values, errors);
    let fields = vec![
        b.text("code", "Share code")
            .required()
            .hint("Like 7KQ2-M9XD-4RTB; case and spaces do not matter.")
            .autocomplete("off"),
    ];
    Ok(ClientsPage {
        layout: Layout::new("Your clients", "clients", csrf, Some(a)),
        summary: summary(&fields, errors),
        fields,
        clients: rows,
    })
}

/// `GET /clients[?code=]` (also the therapist's home page).
pub async fn get_clients(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebTherapist(a): WebTherapist,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let mut values = FormFields::default();
    if let Some(code) = q.get("code") {
        values.set("code", code.chars().take(40).collect::<String>());
    }
    render(
        StatusCode::OK,
        &clients_page(&state, &csrf, &a, &values, &FieldErrors::default()).await?,
    )
}

/// The therapist home page: the client list.
pub async fn therapist_home(
    state: &AppState,
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
) -> Result<HttpResponse, PageError> {
    render(
        StatusCode::OK,
        &clients_page(
            state,
            csrf,
            a,
            &FormFields::default(),
            &FieldErrors::default(),
        )
        .await?,
    )
}

/// `POST /clients/redeem`.
pub async fn post_redeem(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    WebTherapist(a): WebTherapist,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let code = form.get("code").unwrap_or_default().to_string();
    match sharing::redeem(&state, &client_address(&req), a.user.id, &code).await {
        Ok((client, _)) => Ok(see_other(&format!("/clients/{}", client.id))),
        Err(AppError::Validation { fields, .. }) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &clients_page(&state, &csrf, &a, &form, &fields).await?,
        ),
        Err(AppError::RateLimited { retry_after_s }) => {
            let errors = FieldErrors::one(
                "code",
                format!(
                    "has been tried too often. Try again in {} minutes.",
                    retry_after_s.div_ceil(60)
                ),
            );
            let mut resp = render(
                StatusCode::TOO_MANY_REQUESTS,
                &clients_page(&state, &csrf, &a, &form, &errors).await?,
            )?;
            resp.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, retry_after_s.into());
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "sharing/client.html")]
struct ClientPage {
    layout: Layout,
    client_id: String,
    name: String,
    scope: &'static str,
    notice: Option<String>,
    disclaimer: &'static str,
    suggestions: Vec<SuggestionView>,
    comparison: String,
    chart: Chart,
    may_write: bool,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    notes: Vec<NoteView>,
    entries: Vec<EntryView>,
}

fn soap_fields(
    values: &FormFields,
    errors: &FieldErrors,
    sessions: &[(String, String)],
) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    let mut w = Vec::new();
    if !sessions.is_empty() {
        w.push(b.select_of("session_entry_id", "Massage session", sessions));
    }
    w.extend([
        b.textarea("subjective", "Subjective")
            .hint("What the client reports."),
        b.textarea("objective", "Objective").hint("What you found."),
        b.textarea("assessment", "Assessment"),
        b.textarea("plan", "Plan"),
    ]);
    w
}

async fn client_page(
    state: &AppState,
    csrf: &CsrfToken,
    access: &crate::auth::access::ClientAccess,
    notice: Option<String>,
    values: &FormFields,
    errors: &FieldErrors,
) -> Result<ClientPage, PageError> {
    let client = &access.client;
    let (cid, tid) = (client.id, access.therapist.id);
    let today = today_for(client, state.now());
    let from = Bucket::Week.start(today) - Duration::weeks(11);
    let ClientView {
        recent,
        evaluated,
        insight,
        notes: note_list,
        latest: last,
    } = insight::client_view(state, client, tid, from - Duration::days(28), today).await?;
    let folded = Days::fold(&recent);
    let weekly = folded.trends(from, today, Bucket::Week);
    let (r, p) = folded.compare_periods(today, 28);
    let comparison = format!("{r} episodes in the last 28 days, {p} in the 28 before.");
    let chart = crate::web::pages::trends::weekly_episodes_chart(
        "client-weekly",
        "Episodes per week, last 12 weeks",
        &weekly,
        &comparison,
    );
    let sessions: Vec<(String, String)> = insight
        .iter()
        .filter(|x| x.kind() == EntryKind::Massage)
        .map(|x| {
            (
                x.id.to_string(),
                format!(
                    "{}: {}",
                    x.occurred_at.format("%-d %b %Y"),
                    x.data.summary()
                ),
            )
        })
        .collect();
    let fields = soap_fields(values, errors, &sessions);
    Ok(ClientPage {
        layout: Layout::new(client.display_name.clone(), "clients", csrf, None)
            .with_user(&access.therapist),
        client_id: cid.to_string(),
        name: client.display_name.clone(),
        scope: access.scope.label(),
        notice,
        disclaimer: DISCLAIMER,
        suggestions: views(&evaluated.evaluation),
        comparison,
        chart,
        may_write: access.scope.may_write_notes(),
        summary: summary(&fields, errors),
        fields,
        notes: note_views(&note_list, Some(tid), access.therapist.timezone.as_deref()),
        entries: last.iter().map(EntryView::of).collect(),
    })
}

/// `GET /clients/{client_id}`: the client's journal, read-only, with notes.
pub async fn get_client(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClientAccess(access): WebClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let notice = match q.get("done").map(String::as_str) {
        Some("note") => Some("Note saved.".to_string()),
        Some("addendum") => Some("Addendum added.".to_string()),
        _ => None,
    };
    render(
        StatusCode::OK,
        &client_page(
            &state,
            &csrf,
            &access,
            notice,
            &FormFields::default(),
            &FieldErrors::default(),
        )
        .await?,
    )
}

/// `POST /clients/{client_id}/notes` (`read_notes`).
pub async fn post_note(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClientAccess(access): WebClientAccess,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let cid = access.client.id;
    let saved = match parse_note(&form, true) {
        Ok(input) => notes::create(&state, &access, input).await,
        Err(errors) => Err(AppError::fields(errors)),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/clients/{cid}?done=note"))),
        Err(AppError::Validation { fields, .. }) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &client_page(&state, &csrf, &access, None, &form, &fields).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "sharing/note_edit.html")]
struct NoteEditPage {
    layout: Layout,
    client_id: String,
    note_id: String,
    name: String,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
}

fn edit_page(
    csrf: &CsrfToken,
    access: &crate::auth::access::ClientAccess,
    note_id: &str,
    values: &FormFields,
    errors: &FieldErrors,
) -> NoteEditPage {
    let fields = soap_fields(values, errors, &[]);
    NoteEditPage {
        layout: Layout::new("Edit note", "clients", csrf, None).with_user(&access.therapist),
        client_id: access.client.id.to_string(),
        note_id: note_id.to_string(),
        name: access.client.display_name.clone(),
        summary: summary(&fields, errors),
        fields,
    }
}

/// `GET /clients/{client_id}/notes/{note_id}/edit` (own drafts only).
pub async fn get_note_edit(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClientAccess(access): WebClientAccess,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let note_id = path.into_inner().1;
    let cid = access.client.id;
    let note = notes::own_draft(&state, cid, access.therapist.id, note_id.clone()).await?;
    let mut v = FormFields::default();
    v.set("subjective", note.soap.subjective);
    v.set("objective", note.soap.objective);
    v.set("assessment", note.soap.assessment);
    v.set("plan", note.soap.plan);
    render(
        StatusCode::OK,
        &edit_page(&csrf, &access, &note_id, &v, &FieldErrors::default()),
    )
}

/// `POST /clients/{client_id}/notes/{note_id}/edit`.
pub async fn post_note_edit(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClientAccess(access): WebClientAccess,
    path: web::Path<(String, String)>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let note_id = path.into_inner().1;
    let input = match parse_note(&form, false) {
        Ok(input) => input,
        Err(errors) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(&csrf, &access, &note_id, &form, &errors),
            );
        }
    };
    let cid = access.client.id;
    notes::update_draft(&state, &access, note_id, input).await?;
    Ok(see_other(&format!("/clients/{cid}?done=note")))
}

/// `POST /clients/{client_id}/notes/{note_id}/addenda`.
pub async fn post_addendum(
    state: web::Data<AppState>,
    WebClientAccess(access): WebClientAccess,
    path: web::Path<(String, String)>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let note_id = path.into_inner().1;
    let body = parse_addendum(&form).map_err(AppError::fields)?;
    let cid = access.client.id;
    notes::add_addendum(&state, &access, note_id, body).await?;
    Ok(see_other(&format!("/clients/{cid}?done=addendum")))
}

/// `GET /clients/{client_id}/report.pdf`: the client's doctor report of the last 90 days (the
/// grant check logs the read).
pub async fn get_client_report(
    state: web::Data<AppState>,
    WebClientAccess(access): WebClientAccess,
) -> Result<HttpResponse, PageError> {
    let d = crate::app::export::download(
        &state,
        &access.client,
        crate::app::export::Format::Pdf,
        None,
    )
    .await?;
    Ok(d.into_response())
}
