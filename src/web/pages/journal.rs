//! The client's journal: today, quick log, log forms, timeline, edit, delete and undo.

use crate::app::journal;
use crate::auth::Authenticated;
use crate::auth::csrf::CsrfToken;
use crate::domain::entry::*;
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::ids::EntryId;
use crate::domain::time::LocalZone;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::entries::{Created, Cursor};
use crate::web::entry_form::{form_values, local_input, parse_form_entry};
use crate::web::form::FormFields;
use crate::web::form::HtmlForm;
use crate::web::session::WebClient;
use crate::web::views::{EntryView, note_views};
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use std::collections::HashMap;

fn day_label(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// The device's UTC offset in minutes sent with a form, if it is a possible one.
pub(super) fn form_offset(form: &FormFields) -> Option<i32> {
    form.get("utc_offset")
        .and_then(|o| o.trim().parse::<i32>().ok())
        .filter(|o| o.abs() <= 18 * 60)
}

pub(super) fn zone_of(a: &Authenticated, form: Option<&FormFields>) -> LocalZone {
    LocalZone::pick(a.user.timezone.as_deref(), form.and_then(form_offset))
}

#[derive(Template)]
#[template(path = "journal/log_menu.html")]
struct LogMenu {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
}

/// `GET /log`: every kind of entry.
pub async fn get_log_menu(
    csrf: CsrfToken,
    WebClient(a): WebClient,
) -> Result<HttpResponse, PageError> {
    let kinds = EntryKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    render(
        StatusCode::OK,
        &LogMenu {
            layout: Layout::new("Log", "log", &csrf, Some(&a)),
            kinds,
        },
    )
}

#[derive(Template)]
#[template(path = "journal/log_form.html")]
struct LogForm {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    utc_offset: String,
    version: Option<i64>,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
}

const DURATIONS: &[(u32, &str)] = &[
    (15, "About 15 seconds"),
    (30, "About 30 seconds"),
    (60, "About 1 minute"),
    (120, "About 2 minutes"),
    (300, "About 5 minutes"),
    (600, "About 10 minutes"),
    (900, "About 15 minutes"),
    (1800, "About 30 minutes"),
    (3600, "About an hour"),
];

/// The "How long" choices, with a kept value that is not one of them (a timed episode) added.
pub(super) fn duration_choices(values: &FormFields) -> Vec<(String, String)> {
    let mut durations: Vec<(String, String)> = DURATIONS
        .iter()
        .map(|(s, l)| (s.to_string(), l.to_string()))
        .collect();
    if let Some(v) = values.get("duration_s").filter(|v| !v.is_empty())
        && !durations.iter().any(|(s, _)| s == v)
    {
        let label = v
            .parse::<u32>()
            .map(human_duration)
            .unwrap_or_else(|_| v.to_string());
        durations.push((v.to_string(), label));
    }
    durations
}

/// The form controls of a kind, filled with kept values and errors.
pub fn entry_widgets(kind: EntryKind, values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    let when = if kind == EntryKind::Event {
        "Starts"
    } else {
        "When"
    };
    let mut w = vec![b.datetime("occurred_at", when).required()];
    match kind {
        EntryKind::Episode => {
            let scale: Vec<(String, String)> =
                (0..=10).map(|i| (i.to_string(), i.to_string())).collect();
            let durations = duration_choices(values);
            w.extend([
                b.select::<BodySite>("body_site", "Where").required(),
                b.radios_of("intensity", "How strong", &scale)
                    .required()
                    .row()
                    .hint("0 = barely there, 10 = the worst you can imagine."),
                b.select_of("duration_s", "How long", &durations),
                b.radios::<Pattern>("pattern", "What it felt like"),
                b.checks::<Trigger>("triggers", "What may have set it off"),
                b.checks::<RedFlag>("red_flags", "Warning signs")
                    .hint("Any of these means: see a doctor."),
                b.checks::<Relief>("relief", "What helped"),
                b.textarea("notes", "Notes"),
            ]);
        }
        EntryKind::Hydration => w.extend([
            b.number("volume_ml", "How much (ml)", 1, 5000).required(),
            b.toggle("electrolytes", "With electrolytes (sports drink, salts)"),
        ]),
        EntryKind::HeatIce => w.extend([
            b.radios::<HeatIceMode>("mode", "Heat or ice").required(),
            b.number("minutes", "Minutes", 1, 120).required(),
            b.select::<BodySite>("body_site", "Where"),
        ]),
        EntryKind::Stretch => w.extend([
            b.number("minutes", "Minutes", 1, 240).required(),
            b.checks::<BodySite>("body_sites", "What you stretched"),
            b.text("routine", "Routine"),
        ]),
        EntryKind::Massage => w.extend([
            b.radios::<Technique>("technique", "Technique").required(),
            b.number("duration_min", "Minutes", 1, 480),
            b.radios::<Pressure>("pressure", "Pressure"),
            b.checks::<BodySite>("body_sites", "Areas worked on"),
            b.text("therapist", "Therapist"),
            b.textarea("notes", "Notes"),
        ]),
        EntryKind::Condition => w.extend([
            b.radios::<ConditionStatus>("status", "What is it")
                .required(),
            b.datetime("ended_at", "Ended")
                .hint("Leave empty while it lasts."),
            b.select::<BodySite>("body_site", "Where"),
            b.textarea("notes", "Notes"),
        ]),
        EntryKind::Event => {
            w.push(b.text("name", "What is it").required().hint(
                "A race, a performance, a long trip: Unknot can suggest a massage before it.",
            ))
        }
    }
    w
}

fn default_values(
    kind: EntryKind,
    local_now: &chrono::DateTime<chrono::FixedOffset>,
) -> FormFields {
    let mut v = FormFields::default();
    v.set("occurred_at", local_input(local_now));
    match kind {
        EntryKind::Hydration => v.set("volume_ml", "250"),
        EntryKind::HeatIce => v.set("minutes", "10"),
        EntryKind::Stretch => v.set("minutes", "5"),
        _ => {}
    }
    v
}

fn kind_from_path(raw: &str) -> Result<EntryKind, PageError> {
    EntryKind::parse(raw).ok_or(PageError(AppError::NotFound))
}

fn new_form(
    csrf: &CsrfToken,
    a: &Authenticated,
    kind: EntryKind,
    values: &FormFields,
    errors: FieldErrors,
) -> LogForm {
    let fields = entry_widgets(kind, values, &errors);
    LogForm {
        layout: Layout::new(format!("Log: {}", kind.label()), "log", csrf, Some(a)),
        heading: format!("Log: {}", kind.label().to_lowercase()),
        action: format!("/log/{}", kind.as_str()),
        submit: "Save",
        cancel: "/".into(),
        utc_offset: values.get("utc_offset").unwrap_or_default().to_string(),
        version: None,
        summary: summary(&fields, &errors),
        fields,
    }
}

/// `GET /log/{kind}`.
pub async fn get_log_form(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let kind = kind_from_path(&path)?;
    let values = default_values(kind, &zone_of(&a, None).at(state.now()));
    render(
        StatusCode::OK,
        &new_form(&csrf, &a, kind, &values, FieldErrors::default()),
    )
}

/// `POST /log/{kind}`: saves, or re-renders with every error and every typed value.
pub async fn post_log_form(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let kind = kind_from_path(&path)?;
    let now = state.now();
    match parse_form_entry(kind, &form, &zone_of(&a, Some(&form)), now) {
        Ok((occurred_at, data)) => {
            let flag = data.has_warning_sign();
            let e = NewEntry {
                id: EntryId::new_v7(),
                occurred_at,
                data,
            };
            let created = journal::create(&state, a.user.id, e).await?;
            debug_assert!(matches!(created, Created::New(_)));
            let mut to = format!("/?saved={}", kind.as_str());
            if flag {
                to.push_str("&flag=1");
            }
            Ok(see_other(&to))
        }
        Err(errors) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_form(&csrf, &a, kind, &form, errors),
        ),
    }
}

#[derive(Template)]
#[template(path = "journal/timeline.html")]
struct TimelinePage {
    layout: Layout,
    /// The period shown whole (for printing), if one was chosen.
    period: Option<String>,
    from: String,
    to: String,
    notes: Vec<crate::web::views::NoteView>,
    undo: Option<String>,
    notice: Option<String>,
    days: Vec<DayView>,
    next_cursor: Option<String>,
    /// The filter: every kind as (value, words), the chosen one, the words searched, and the
    /// query string that keeps them on the next page.
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    search: String,
    filtered: bool,
    keep: String,
}

struct DayView {
    key: String,
    label: String,
    entries: Vec<EntryView>,
}

/// Entries grouped by their own local date, in the order given.
fn by_day(list: &[Entry]) -> Vec<DayView> {
    let mut days: Vec<DayView> = Vec::new();
    for e in list {
        let d = e.occurred_at.date_naive();
        let key = d.format("%Y-%m-%d").to_string();
        match days.last_mut() {
            Some(day) if day.key == key => day.entries.push(EntryView::of(e)),
            _ => days.push(DayView {
                key,
                label: day_label(d),
                entries: vec![EntryView::of(e)],
            }),
        }
    }
    days
}

/// Entries per timeline page.
pub const TIMELINE_PAGE: i64 = 50;

/// `GET /timeline[?cursor=]`: newest first, grouped by each entry's own local date.
pub async fn get_timeline(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let cursor = q.get("cursor").and_then(|c| Cursor::decode(c));
    let filter = journal::TimelineFilter {
        kind: q.get("kind").and_then(|k| EntryKind::parse(k)),
        notes: q
            .get("q")
            .map(|t| t.trim().chars().take(200).collect::<String>())
            .filter(|t| !t.is_empty()),
    };
    let date = |k: &str| q.get(k).and_then(|v| v.trim().parse::<NaiveDate>().ok());
    let period = match (date("from"), date("to")) {
        (Some(f), Some(t)) => {
            Some(crate::domain::report::Period::new(f, t).map_err(|e| AppError::field("from", e))?)
        }
        _ => None,
    };
    let journal::TimelinePage {
        entries: list,
        next,
        notes: note_list,
    } = match period {
        Some(p) => journal::TimelinePage {
            entries: journal::in_period(&state, a.user.id, p.from, p.to).await?,
            next: None,
            notes: Vec::new(),
        },
        None => journal::timeline(&state, &a.user, cursor, TIMELINE_PAGE, filter.clone()).await?,
    };
    let days = by_day(&list);
    let notice = match q.get("done").map(String::as_str) {
        Some("restored") => Some("Entry restored.".to_string()),
        Some("updated") => Some("Entry updated.".to_string()),
        _ => None,
    };
    let page = TimelinePage {
        period: period.map(|p| {
            format!(
                "{} to {}",
                p.from.format("%-d %b %Y"),
                p.to.format("%-d %b %Y")
            )
        }),
        from: period.map(|p| p.from.to_string()).unwrap_or_default(),
        to: period.map(|p| p.to.to_string()).unwrap_or_default(),
        notes: note_views(&note_list, None, a.user.timezone.as_deref()),
        layout: Layout::new("Timeline", "timeline", &csrf, Some(&a)),
        undo: q
            .get("deleted")
            .and_then(|d| EntryId::parse(d))
            .map(|d| d.to_string()),
        notice,
        days,
        next_cursor: next.map(|c| c.encode()),
        kinds: EntryKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        kind: filter
            .kind
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        search: filter.notes.clone().unwrap_or_default(),
        filtered: filter.kind.is_some() || filter.notes.is_some(),
        keep: form_urlencoded::Serializer::new(String::new())
            .extend_pairs(filter.kind.map(|k| ("kind", k.as_str())))
            .extend_pairs(filter.notes.as_deref().map(|t| ("q", t)))
            .finish(),
    };
    render(StatusCode::OK, &page)
}

fn entry_id(raw: &str) -> Result<EntryId, PageError> {
    EntryId::parse(raw).ok_or(PageError(AppError::NotFound))
}

fn edit_form(
    csrf: &CsrfToken,
    a: &Authenticated,
    e: &Entry,
    values: &FormFields,
    errors: FieldErrors,
    version: i64,
) -> LogForm {
    let kind = e.kind();
    let fields = entry_widgets(kind, values, &errors);
    LogForm {
        layout: Layout::new(format!("Edit: {}", kind.label()), "timeline", csrf, Some(a)),
        heading: format!("Edit: {}", kind.label().to_lowercase()),
        action: format!("/entries/{}/edit", e.id),
        submit: "Save changes",
        cancel: "/timeline".into(),
        utc_offset: values
            .get("utc_offset")
            .map(str::to_string)
            .unwrap_or_else(|| (e.occurred_at.offset().local_minus_utc() / 60).to_string()),
        version: Some(version),
        summary: summary(&fields, &errors),
        fields,
    }
}

/// `GET /entries/{id}/edit`.
pub async fn get_edit(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = entry_id(&path)?;
    let e = journal::get(&state, a.user.id, id).await?;
    let values = form_values(&e);
    render(
        StatusCode::OK,
        &edit_form(&csrf, &a, &e, &values, FieldErrors::default(), e.version),
    )
}

/// `POST /entries/{id}/edit`: keeps the entry's own UTC offset; a stale version re-renders the form.
pub async fn post_edit(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let id = entry_id(&path)?;
    let stored = journal::get(&state, a.user.id, id).await?;
    let now = state.now();
    let offset = form_offset(&form).unwrap_or(stored.occurred_at.offset().local_minus_utc() / 60);
    let zone = LocalZone::pick(None, Some(offset));
    let version = form
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(stored.version);
    match parse_form_entry(stored.kind(), &form, &zone, now) {
        Ok((occurred_at, data)) => {
            let new = NewEntry {
                id,
                occurred_at,
                data,
            };
            let outcome = journal::update(&state, a.user.id, new, version).await?;
            match outcome {
                Ok(_) => Ok(see_other("/timeline?done=updated")),
                Err(current) => {
                    let errors = FieldErrors::one(
                        "occurred_at",
                        "— this entry was changed on another device after you opened it. Your changes are kept below; save again to replace the other version.",
                    );
                    render(
                        StatusCode::CONFLICT,
                        &edit_form(&csrf, &a, &current, &form, errors, current.version),
                    )
                }
            }
        }
        Err(errors) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &edit_form(&csrf, &a, &stored, &form, errors, version),
        ),
    }
}

/// `POST /entries/{id}/delete`: a tombstone, with undo offered on the timeline; `back=today` is
/// the home page's "Undo" of a one-tap log, which returns home.
pub async fn post_delete(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let id = entry_id(&path)?;
    // An entry already deleted elsewhere is simply gone: undo is offered either way.
    journal::delete(&state, a.user.id, id, None).await?.ok();
    if form.get("back") == Some("today") {
        return Ok(see_other("/?done=undone"));
    }
    Ok(see_other(&format!("/timeline?deleted={id}")))
}

/// `POST /entries/{id}/restore`: undo a delete.
pub async fn post_restore(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    path: web::Path<String>,
    _form: HtmlForm,
) -> Result<HttpResponse, PageError> {
    let id = entry_id(&path)?;
    journal::restore(&state, a.user.id, id).await?;
    Ok(see_other("/timeline?done=restored"))
}
