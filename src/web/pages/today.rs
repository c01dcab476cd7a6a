//! The client's home page: today's entries, the one-tap buttons and "Spasm now".

use crate::app::insight::evaluate_current;
use crate::app::journal::{self, Quick};
use crate::auth::csrf::CsrfToken;
use crate::domain::entry::*;
use crate::domain::fields::Choice;
use crate::domain::ids::EntryId;
use crate::domain::profile::Role;
use crate::domain::rules::Kind;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::form::HtmlForm;
use crate::web::pages::insight::{SuggestionView, view};
use crate::web::pages::journal::zone_of;
use crate::web::session::{WebClient, WebUser};
use crate::web::views::EntryView;
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use std::collections::HashMap;

/// A one-tap button: the form value it posts, its text, and the entry it logs as JSON
/// (`{"kind","data"}`) so the page script can save it on the device when offline.
pub struct QuickButton {
    pub action: &'static str,
    pub label: &'static str,
    pub entry: String,
}

#[derive(Template)]
#[template(path = "journal/today.html")]
struct TodayPage {
    layout: Layout,
    today_label: String,
    notice: Option<String>,
    /// The entry just logged by a one-tap button, which can be undone.
    undo: Option<String>,
    quick: Vec<QuickButton>,
    /// The newest of today's entries.
    entries: Vec<EntryView>,
    /// Today's entries not listed here (on the timeline).
    more_today: usize,
    /// Water logged today, all of it.
    water_ml: u32,
    disclaimer: &'static str,
    /// Urgent suggestions, shown above the quick log.
    urgent: Vec<SuggestionView>,
    suggestions: Vec<SuggestionView>,
    more_suggestions: usize,
}

/// Suggestions shown on the home page; the rest are on `/insights`.
const HOME_SUGGESTIONS: usize = 3;

/// Quick-log actions: (value, button text).
const QUICK: &[(&str, &str)] = &[
    ("water_250", "+250 ml water"),
    ("water_500", "+500 ml water"),
    ("stretch_5", "Stretched 5 min"),
    ("heat_10", "Heat 10 min"),
    ("ice_10", "Ice 10 min"),
];
const REPEAT: (&str, &str) = ("repeat_episode", "Same episode as last time");

/// What a fixed one-tap button logs.
fn quick_data(action: &str) -> Option<EntryData> {
    let heat_ice = |mode| {
        EntryData::HeatIce(HeatIce {
            mode,
            minutes: 10,
            body_site: None,
        })
    };
    Some(match action {
        "water_250" | "water_500" => EntryData::Hydration(Hydration {
            volume_ml: if action == "water_250" { 250 } else { 500 },
            electrolytes: false,
        }),
        "stretch_5" => EntryData::Stretch(Stretch {
            minutes: 5,
            body_sites: vec![],
            routine: None,
        }),
        "heat_10" => heat_ice(HeatIceMode::Heat),
        "ice_10" => heat_ice(HeatIceMode::Ice),
        _ => return None,
    })
}

fn button((action, label): (&'static str, &'static str), data: &EntryData) -> QuickButton {
    let entry = serde_json::json!({ "kind": data.kind().as_str(), "data": data.to_json() });
    QuickButton {
        action,
        label,
        entry: entry.to_string(),
    }
}

fn quick_buttons(last_episode: Option<&Entry>) -> Vec<QuickButton> {
    let mut out = Vec::new();
    if let Some(Entry {
        data: EntryData::Episode(ep),
        ..
    }) = last_episode
    {
        out.push(button(REPEAT, &EntryData::Episode(ep.repeated())));
    }
    for &(action, label) in QUICK {
        if let Some(data) = quick_data(action) {
            out.push(button((action, label), &data));
        }
    }
    out
}

fn saved_notice(q: &HashMap<String, String>) -> Option<String> {
    if q.get("done").is_some_and(|d| d == "undone") {
        return Some("Undone: that entry is deleted.".into());
    }
    let kind = q.get("saved").and_then(|k| EntryKind::parse(k))?;
    let mut s = format!("Saved: {}.", kind.label().to_lowercase());
    if q.get("flag").is_some() {
        s.push_str(" You noted a warning sign: please see a doctor about it. For chest pain, call your local emergency number now.");
    }
    Some(s)
}

/// `GET /`: today for a client, the client list for a therapist, the login page otherwise.
pub async fn get_today(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    user: Option<WebUser>,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let Some(WebUser(a)) = user else {
        return Ok(see_other("/login"));
    };
    if a.user.role == Role::Therapist {
        return crate::web::pages::clients::therapist_home(&state, &csrf, &a).await;
    }
    let now = state.now();
    let zone = zone_of(&a, None);
    let today = zone.at(now).date_naive();
    let start = zone
        .resolve(today.and_hms_opt(0, 0, 0).unwrap_or_default())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - Duration::hours(24));
    let (logged, last_episode) = journal::today(&state, &a.user, start).await?;
    let evaluation = evaluate_current(&state, &a.user).await?;
    // Views (evidence described) only of the suggestions this page shows.
    let (urgent, others): (Vec<_>, Vec<_>) = evaluation
        .evaluation
        .suggestions
        .iter()
        .partition(|s| s.kind == Kind::Urgent);
    let more_suggestions = others.len().saturating_sub(HOME_SUGGESTIONS);
    let urgent: Vec<SuggestionView> = urgent.into_iter().map(view).collect();
    let suggestions = others
        .into_iter()
        .take(HOME_SUGGESTIONS)
        .map(view)
        .collect();
    let undo = q
        .get("undo")
        .and_then(|id| EntryId::parse(id))
        .filter(|id| logged.newest.iter().any(|e| e.id == *id))
        .map(|id| id.to_string());
    let page = TodayPage {
        disclaimer: crate::domain::rules::DISCLAIMER,
        urgent,
        suggestions,
        more_suggestions,
        layout: Layout::new("Today", "today", &csrf, Some(&a)),
        today_label: today.format("%A %-d %B").to_string(),
        notice: saved_notice(&q),
        undo,
        quick: quick_buttons(last_episode.as_ref()),
        entries: logged.newest.iter().map(EntryView::of).collect(),
        more_today: logged.count - logged.newest.len(),
        water_ml: logged.water_ml,
    };
    render(StatusCode::OK, &page)
}

/// `POST /quick`: one-tap logging, timed now; the page then offers to undo it.
pub async fn post_quick(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let at = zone_of(&a, Some(&form)).at(state.now());
    let action = form.get("action").unwrap_or_default();
    let quick = match action {
        "repeat_episode" => Quick::RepeatEpisode,
        other => Quick::Data(
            quick_data(other)
                .ok_or_else(|| AppError::field("action", "must be one of the quick-log buttons"))?,
        ),
    };
    let e = journal::quick_log(&state, a.user.id, quick, at).await?;
    Ok(see_other(&format!(
        "/?saved={}&undo={}",
        e.data.kind().as_str(),
        e.id
    )))
}
