//! Sharing pages: a client's share codes and access log; a therapist's clients, the read-only
//! view of one client, and SOAP session notes.

use crate::api::insight::evaluate_user;
use crate::api::shares::{create_share, redeem};
use crate::auth::access::WebClientAccess;
use crate::auth::csrf::CsrfToken;
use crate::auth::extract::{WebClient, WebTherapist};
use crate::domain::entry::EntryKind;
use crate::domain::fields::{Choice, FieldErrors, FormFields};
use crate::domain::ids::{EntryId, UserId};
use crate::domain::rules::{DISCLAIMER, Kind};
use crate::domain::share::{DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, Scope, parse_new_share, parse_soap};
use crate::domain::trends::{Bucket, compare_periods, compute};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::notes::{self, Note};
use crate::store::{entries, shares};
use crate::web::charts::Chart;
use crate::web::form::HtmlForm;
use crate::web::pages::insight::{SuggestionView, views};
use crate::web::pages::journal::EntryView;
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Every sharing page route: (method, path). `configure` registers exactly these, and the
/// authorization matrix test needs a row for each.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/share"),
    ("POST", "/share"),
    ("POST", "/share/{id}/revoke"),
    ("GET", "/share/log"),
    ("GET", "/clients"),
    ("POST", "/clients/redeem"),
    ("GET", "/clients/{client_id}"),
    ("POST", "/clients/{client_id}/notes"),
    ("GET", "/clients/{client_id}/notes/{note_id}/edit"),
    ("POST", "/clients/{client_id}/notes/{note_id}/edit"),
    ("POST", "/clients/{client_id}/notes/{note_id}/addenda"),
];

fn route(method: &str, path: &str) -> actix_web::Route {
    match (method, path) {
        ("GET", "/share") => web::get().to(get_share),
        ("POST", "/share") => web::post().to(post_share),
        ("POST", "/share/{id}/revoke") => web::post().to(post_revoke),
        ("GET", "/share/log") => web::get().to(get_share_log),
        ("GET", "/clients") => web::get().to(get_clients),
        ("POST", "/clients/redeem") => web::post().to(post_redeem),
        ("GET", "/clients/{client_id}") => web::get().to(get_client),
        ("POST", "/clients/{client_id}/notes") => web::post().to(post_note),
        ("GET", "/clients/{client_id}/notes/{note_id}/edit") => web::get().to(get_note_edit),
        ("POST", "/clients/{client_id}/notes/{note_id}/edit") => web::post().to(post_note_edit),
        ("POST", "/clients/{client_id}/notes/{note_id}/addenda") => web::post().to(post_addendum),
        other => panic!("sharing page {other:?} has no handler"),
    }
}

/// Registers `ROUTES`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (method, path) in ROUTES {
        cfg.route(path, route(method, path));
    }
}

fn when(t: DateTime<Utc>, tz: Option<&str>) -> String {
    crate::domain::time::LocalZone::pick(tz, None)
        .at(t)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

// ---------- client: share codes ----------

struct NewCode {
    code: String,
    qr: String,
    expires: String,
    scope: &'static str,
}

struct GrantView {
    id: String,
    who: String,
    scope: &'static str,
    state: String,
    last_access: Option<String>,
    revocable: bool,
}

#[derive(Template)]
#[template(path = "sharing/share.html")]
struct SharePage {
    layout: Layout,
    notice: Option<String>,
    new_code: Option<NewCode>,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    grants: Vec<GrantView>,
}

/// A QR code (SVG) of the link that opens the redeem form with the code filled in.
fn qr_svg(req: &HttpRequest, code: &str) -> String {
    let info = req.connection_info();
    // The code travels in the fragment, which browsers never send: it stays out of server logs.
    let link = format!("{}://{}/clients#code={}", info.scheme(), info.host(), code);
    match qrcode::QrCode::new(link.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build();
            let start = svg.find("<svg").unwrap_or(0);
            svg[start..].replacen(
                "<svg ",
                "<svg role=\"img\" aria-label=\"QR code that opens this share code on your therapist's phone\" ",
                1,
            )
        }
        Err(_) => String::new(),
    }
}

async fn share_page(
    state: &AppState,
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    notice: Option<String>,
    new_code: Option<NewCode>,
    values: &FormFields,
    errors: &FieldErrors,
) -> Result<SharePage, PageError> {
    let uid = a.user.id;
    let now = state.now();
    let list = state.db.read(move |c| shares::for_client(c, uid)).await?;
    let tz = a.user.timezone.clone();
    let grants = list
        .into_iter()
        .map(|s| {
            let st = crate::domain::share::grant_state(
                s.redeemed_by.is_some(),
                s.expires_at,
                s.revoked.then_some(now),
                now,
            );
            use crate::domain::share::GrantState::*;
            let state_text = match st {
                Waiting => format!(
                    "Code not used yet · expires {}",
                    when(s.expires_at, tz.as_deref())
                ),
                Live => format!("Active until {}", when(s.expires_at, tz.as_deref())),
                Expired => "Expired".to_string(),
                Revoked => "Revoked".to_string(),
            };
            GrantView {
                who: s
                    .redeemed_by
                    .as_ref()
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| "Not used yet".into()),
                scope: s.scope.label(),
                state: state_text,
                last_access: s.last_access_at.map(|t| when(t, tz.as_deref())),
                revocable: matches!(st, Waiting | Live),
                id: s.id,
            }
        })
        .collect();
    let b = WidgetBuilder::new(values, errors);
    let fields = vec![
        b.radios::<Scope>("scope", "What may they do").required(),
        b.number(
            "expires_in_days",
            "Days the share lasts",
            MIN_DAYS,
            MAX_DAYS,
        )
        .hint("1 to 365 days; you can revoke it any time."),
    ];
    Ok(SharePage {
        layout: Layout::new("Share", "share", csrf, Some(a)),
        notice,
        new_code,
        summary: summary(&fields, errors),
        fields,
        grants,
    })
}

fn default_share_values() -> FormFields {
    let mut v = FormFields::default();
    v.set("scope", "read");
    v.set("expires_in_days", DEFAULT_DAYS.to_string());
    v
}

/// `GET /share`.
pub async fn get_share(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let notice = (q.get("done").map(String::as_str) == Some("revoked"))
        .then(|| "Share revoked: it stopped working at once.".to_string());
    let page = share_page(
        &state,
        &csrf,
        &a,
        notice,
        None,
        &default_share_values(),
        &FieldErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

/// `POST /share`: creates a code and shows it once.
pub async fn post_share(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    match parse_new_share(&form) {
        Ok(new) => {
            let (_, code, expires) = create_share(&state, a.user.id, new).await?;
            let shown = NewCode {
                qr: qr_svg(&req, &code),
                code,
                expires: when(expires, a.user.timezone.as_deref()),
                scope: new.scope.label(),
            };
            let page = share_page(
                &state,
                &csrf,
                &a,
                None,
                Some(shown),
                &default_share_values(),
                &FieldErrors::default(),
            )
            .await?;
            render(StatusCode::CREATED, &page)
        }
        Err(errors) => {
            let page = share_page(&state, &csrf, &a, None, None, &form, &errors).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// `POST /share/{id}/revoke`.
pub async fn post_revoke(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    path: web::Path<String>,
    _form: HtmlForm,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (uid, now) = (a.user.id, state.now());
    state
        .db
        .write(move |c| shares::revoke(c, uid, &id, now))
        .await?;
    Ok(see_other("/share?done=revoked"))
}

/// A note as pages show it.
pub struct NoteView {
    pub id: String,
    pub client_id: String,
    pub author: String,
    pub date: String,
    pub session: Option<String>,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub is_final: bool,
    pub addenda: Vec<(String, String)>,
    pub can_edit: bool,
    pub can_amend: bool,
}

/// Views of notes; `editor` is the therapist looking (may edit own drafts, amend own finals).
pub fn note_views(list: &[Note], editor: Option<UserId>, tz: Option<&str>) -> Vec<NoteView> {
    list.iter()
        .map(|n| {
            let own = editor.is_some_and(|e| e.to_string() == n.therapist_id);
            NoteView {
                id: n.id.clone(),
                client_id: n.client_id.clone(),
                author: n.therapist_name.clone(),
                date: when(n.created_at, tz),
                session: n.session_entry_id.clone(),
                subjective: n.soap.subjective.clone(),
                objective: n.soap.objective.clone(),
                assessment: n.soap.assessment.clone(),
                plan: n.soap.plan.clone(),
                is_final: n.is_final,
                addenda: n
                    .addenda
                    .iter()
                    .map(|a| (when(a.created_at, tz), a.body.clone()))
                    .collect(),
                can_edit: own && !n.is_final,
                can_amend: own && n.is_final,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "sharing/log.html")]
struct LogPage {
    layout: Layout,
    accesses: Vec<(String, String, String)>,
    notes: Vec<NoteView>,
}

/// `GET /share/log`: every therapist access and every final note.
pub async fn get_share_log(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
) -> Result<HttpResponse, PageError> {
    let uid = a.user.id;
    let (log, list) = state
        .db
        .read(move |c| {
            Ok((
                shares::access_log_of(c, uid, 500)?,
                notes::for_client(c, uid, None)?,
            ))
        })
        .await?;
    let tz = a.user.timezone.as_deref();
    let accesses = log
        .iter()
        .map(|x| {
            let what = format!(
                "{} {}",
                if x.action == "write" { "Wrote" } else { "Read" },
                x.resource
            );
            (when(x.at, tz), x.therapist_name.clone(), what)
        })
        .collect();
    let page = LogPage {
        layout: Layout::new("Access log", "share", &csrf, Some(&a)),
        accesses,
        notes: note_views(&list, None, tz),
    };
    render(StatusCode::OK, &page)
}

// ---------- therapist: clients ----------

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

async fn clients_page(
    state: &AppState,
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    values: &FormFields,
    errors: &FieldErrors,
) -> Result<ClientsPage, PageError> {
    let tid = a.user.id;
    let now = state.now();
    // Two queries for the whole list: the grants, then every client's recent entries.
    let (list, mut recent) = state
        .db
        .write(move |c| {
            let list = shares::clients_of(c, tid, now)?;
            let ids: Vec<UserId> = list.iter().map(|s| s.client.id).collect();
            let recent = entries::for_insight_many(c, &ids, now)?;
            shares::record_reads(c, &ids, tid, "/clients (summary)", now)?;
            Ok((list, recent))
        })
        .await?;
    let mut rows: Vec<ClientRow> = list
        .into_iter()
        .map(|s| {
            let list = recent.remove(&s.client.id).unwrap_or_default();
            let (e, journal) = evaluate_user(&s.client, list, now.fixed_offset());
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
                    .map(|x| x.occurred_at.format("%-d %b %H:%M").to_string())
                    .unwrap_or_else(|| "none in 90 days".into()),
                booking,
                rank: (severity, std::cmp::Reverse(now14)),
            }
        })
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
    match redeem(&state, &req, &a.user, &code).await {
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
    let (cid, tid, now) = (client.id, access.therapist.id, state.now());
    let today = crate::api::trends::today_for(client, now);
    let from = Bucket::Week.start(today) - Duration::weeks(11);
    let (recent, insight, note_list, last) = state
        .db
        .read(move |c| {
            let recent = entries::in_local_range(c, cid, from - Duration::days(28), today, None)?;
            let insight = entries::for_insight(c, cid, now)?;
            let note_list = notes::for_client(c, cid, Some(tid))?;
            let q = entries::ListQuery {
                limit: 30,
                to: Some(now + Duration::seconds(1)),
                ..Default::default()
            };
            let last = entries::list(c, cid, &q)?.0;
            Ok((recent, insight, note_list, last))
        })
        .await?;
    let (e, journal) = evaluate_user(client, insight, now.fixed_offset());
    let weekly = compute(&recent, from, today, Bucket::Week);
    let (r, p) = compare_periods(&recent, today, 28);
    let comparison = format!("{r} episodes in the last 28 days, {p} in the 28 before.");
    let chart =
        crate::web::pages::trends::weekly_episodes_chart("client-weekly", &weekly, &comparison);
    let sessions: Vec<(String, String)> = journal
        .entries
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
        suggestions: views(&e, &journal),
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

fn session_of(form: &FormFields) -> Result<Option<EntryId>, FieldErrors> {
    match form
        .get("session_entry_id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(s) => EntryId::parse(s)
            .map(Some)
            .ok_or_else(|| FieldErrors::one("session_entry_id", notes::SESSION_REFUSED)),
    }
}

/// `POST /clients/{client_id}/notes` (`read_notes`).
pub async fn post_note(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClientAccess(access): WebClientAccess,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let parsed = parse_soap(&form, &[]).and_then(|soap| session_of(&form).map(|s| (soap, s)));
    let (soap, session) = match parsed {
        Ok(ok) => ok,
        Err(errors) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &client_page(&state, &csrf, &access, None, &form, &errors).await?,
            );
        }
    };
    let is_final = form.get("status") == Some("final");
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    state
        .db
        .write(move |c| {
            if let Some(s) = session {
                notes::check_session(c, cid, s)?;
            }
            notes::create(c, cid, tid, session, &soap, is_final, now)
        })
        .await?;
    Ok(see_other(&format!("/clients/{cid}?done=note")))
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

async fn own_draft(
    state: &AppState,
    access: &crate::auth::access::ClientAccess,
    note_id: &str,
) -> Result<Note, PageError> {
    let (cid, tid, id) = (access.client.id, access.therapist.id, note_id.to_string());
    let note = state
        .db
        .read(move |c| notes::visible(c, cid, tid, &id))
        .await?;
    if note.therapist_id != tid.to_string() {
        return Err(AppError::NotFound.into());
    }
    if note.is_final {
        return Err(AppError::Conflict {
            code: "note_final",
            message: "This note is final and cannot change; add a dated addendum instead.".into(),
            current: None,
        }
        .into());
    }
    Ok(note)
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
    let note = own_draft(&state, &access, &note_id).await?;
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
    let soap = match parse_soap(&form, &[]) {
        Ok(s) => s,
        Err(errors) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(&csrf, &access, &note_id, &form, &errors),
            );
        }
    };
    let finalize = form.get("status") == Some("final");
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    state
        .db
        .write(move |c| notes::update_draft(c, cid, tid, &note_id, &soap, finalize, now))
        .await?;
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
    let body = form
        .get("body")
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::field("body", "is required: 1 to 4000 characters").into());
    }
    let (cid, tid, now) = (access.client.id, access.therapist.id, state.now());
    state
        .db
        .write(move |c| notes::add_addendum(c, cid, tid, &note_id, &body, now))
        .await?;
    Ok(see_other(&format!("/clients/{cid}?done=addendum")))
}
