//! "Spasm now": an episode in three taps — the button, a place on a body map, a strength — saved
//! at once at the current time, then an optional follow-up on the same screen ("It stopped",
//! what it felt like, warning signs, triggers, what helped, notes). Plain links and forms; the
//! page script runs the same steps on the device, offline too.

use crate::app::journal;
use crate::auth::Authenticated;
use crate::auth::csrf::CsrfToken;
use crate::domain::entry::*;
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::ids::EntryId;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::entry_form::{form_values, parse_form_data};
use crate::web::form::{FormFields, HtmlForm};
use crate::web::pages::journal::{duration_choices, zone_of};
use crate::web::session::WebClient;
use crate::web::views::clock;
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

/// One place on the body map: a rectangle in the figure's 120 × 300 box.
pub struct Region {
    pub site: &'static str,
    pub label: &'static str,
    pub x: u16,
    pub y: u16,
    pub w: u16,
    pub h: u16,
}

const fn r(site: BodySite, x: u16, y: u16, w: u16, h: u16) -> (BodySite, [u16; 4]) {
    (site, [x, y, w, h])
}

/// The front, facing you: the person's right side is on your left.
const FRONT: &[(BodySite, [u16; 4])] = &[
    r(BodySite::Neck, 50, 34, 20, 15),
    r(BodySite::ShoulderRight, 13, 50, 24, 24),
    r(BodySite::ShoulderLeft, 83, 50, 24, 24),
    r(BodySite::Chest, 39, 50, 42, 37),
    r(BodySite::Abdomen, 39, 89, 42, 32),
    r(BodySite::ArmRight, 13, 76, 22, 72),
    r(BodySite::ArmLeft, 85, 76, 22, 72),
    r(BodySite::HandRight, 11, 150, 26, 26),
    r(BodySite::HandLeft, 83, 150, 26, 26),
    r(BodySite::HipRight, 39, 123, 20, 25),
    r(BodySite::HipLeft, 61, 123, 20, 25),
    r(BodySite::QuadricepsRight, 39, 150, 20, 66),
    r(BodySite::QuadricepsLeft, 61, 150, 20, 66),
    r(BodySite::FootRight, 31, 266, 28, 24),
    r(BodySite::FootLeft, 61, 266, 28, 24),
];

/// The back, seen from behind: the person's left side is on your left.
const BACK: &[(BodySite, [u16; 4])] = &[
    r(BodySite::Neck, 50, 34, 20, 15),
    r(BodySite::UpperBack, 39, 50, 42, 43),
    r(BodySite::LowerBack, 39, 95, 42, 27),
    r(BodySite::GluteLeft, 39, 124, 20, 26),
    r(BodySite::GluteRight, 61, 124, 20, 26),
    r(BodySite::HamstringLeft, 39, 152, 20, 62),
    r(BodySite::HamstringRight, 61, 152, 20, 62),
    r(BodySite::CalfLeft, 39, 216, 20, 48),
    r(BodySite::CalfRight, 61, 216, 20, 48),
];

/// Outlines drawn for orientation only (not places to tap) on each figure.
const FRONT_SHAPES: &[[u16; 4]] = &[[41, 218, 16, 46], [63, 218, 16, 46]];
const BACK_SHAPES: &[[u16; 4]] = &[
    [13, 50, 24, 24],
    [83, 50, 24, 24],
    [13, 76, 22, 72],
    [85, 76, 22, 72],
    [11, 150, 26, 26],
    [83, 150, 26, 26],
    [31, 266, 28, 24],
    [61, 266, 28, 24],
];

/// One figure of the body map.
pub struct Figure {
    pub id: &'static str,
    pub caption: &'static str,
    /// The side of the person shown on your left and on your right.
    pub left: &'static str,
    pub right: &'static str,
    pub shapes: &'static [[u16; 4]],
    pub regions: Vec<Region>,
}

fn figures() -> Vec<Figure> {
    vec![
        Figure {
            id: "front",
            caption: "Front",
            left: "Right",
            right: "Left",
            shapes: FRONT_SHAPES,
            regions: regions(FRONT),
        },
        Figure {
            id: "back",
            caption: "Back",
            left: "Left",
            right: "Right",
            shapes: BACK_SHAPES,
            regions: regions(BACK),
        },
    ]
}

fn regions(table: &[(BodySite, [u16; 4])]) -> Vec<Region> {
    table
        .iter()
        .map(|(site, [x, y, w, h])| Region {
            site: site.as_str(),
            label: site.label(),
            x: *x,
            y: *y,
            w: *w,
            h: *h,
        })
        .collect()
}

/// The follow-up fields: everything about an episode except where, how strong and when.
const FOLLOW_UP: &[&str] = &[
    "duration_s",
    "pattern",
    "red_flags",
    "triggers",
    "relief",
    "notes",
];

fn follow_up_widgets(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    vec![
        b.select_of("duration_s", "How long", &duration_choices(values)),
        b.radios::<Pattern>("pattern", "What it felt like"),
        b.checks::<RedFlag>("red_flags", "Any of these?")
            .hint("Any of these means: see a doctor. For chest pain, call your local emergency number now."),
        b.checks::<Trigger>("triggers", "What may have set it off"),
        b.checks::<Relief>("relief", "What helped"),
        b.textarea("notes", "Notes"),
    ]
}

#[derive(Template)]
#[template(path = "journal/spasm.html")]
struct SpasmPage {
    layout: Layout,
    /// `where`, `strength` or `after`.
    step: &'static str,
    summary: Vec<SummaryItem>,
    /// The new episode's id, made when the page is drawn so a repeated tap saves it once.
    id: String,
    site: String,
    site_label: String,
    sites: Vec<(&'static str, &'static str)>,
    figures: Vec<Figure>,
    scale: Vec<u8>,
    /// After saving: what was saved, in words, and where the follow-up posts.
    saved: String,
    after_action: String,
    version: i64,
    follow: Vec<Widget>,
}

impl SpasmPage {
    fn new(csrf: &CsrfToken, a: &Authenticated, step: &'static str) -> Self {
        Self {
            layout: Layout::new("Spasm now", "today", csrf, Some(a)),
            step,
            summary: Vec::new(),
            id: EntryId::new_v7().to_string(),
            site: String::new(),
            site_label: String::new(),
            sites: BodySite::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            figures: figures(),
            scale: (0..=10).collect(),
            saved: String::new(),
            after_action: String::new(),
            version: 0,
            follow: follow_up_widgets(&FormFields::default(), &FieldErrors::default()),
        }
    }

    fn at(mut self, site: Option<BodySite>) -> Self {
        if let Some(s) = site {
            self.site = s.as_str().to_string();
            self.site_label = s.label().to_string();
        }
        self
    }

    fn after(mut self, e: &Entry, values: &FormFields, errors: &FieldErrors) -> Self {
        if let EntryData::Episode(ep) = &e.data {
            self = self.at(Some(ep.body_site));
            self.saved = format!(
                "Saved: a spasm in your {}, {} out of 10, at {}.",
                ep.body_site.label().to_lowercase(),
                ep.intensity,
                clock(e.occurred_at.naive_local())
            );
        }
        self.id = e.id.to_string();
        self.after_action = format!("/spasm/{}", e.id);
        self.version = e.version;
        self.follow = follow_up_widgets(values, errors);
        self.summary = summary(&self.follow, errors);
        self
    }
}

/// `GET /spasm[?site=]`: the body map, or the strength buttons once a place is chosen.
pub async fn get_spasm(
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let site = q.get("site").and_then(|s| BodySite::parse(s));
    let step = if site.is_some() { "strength" } else { "where" };
    render(StatusCode::OK, &SpasmPage::new(&csrf, &a, step).at(site))
}

/// `POST /spasm`: the third tap. Saves the episode now and opens its follow-up.
pub async fn post_spasm(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let site = form.get("site").and_then(BodySite::parse);
    let intensity = form
        .get("intensity")
        .and_then(|i| i.trim().parse::<u8>().ok())
        .filter(|i| *i <= 10);
    let (Some(body_site), Some(intensity)) = (site, intensity) else {
        let mut errors = FieldErrors::default();
        if site.is_none() {
            errors.add("body_site", "is required: tap a place on the body map");
        }
        if intensity.is_none() {
            errors.add("intensity", "is required: a number from 0 to 10");
        }
        let mut page =
            SpasmPage::new(&csrf, &a, if site.is_some() { "strength" } else { "where" }).at(site);
        page.summary = summary(&[], &errors);
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let id = form
        .get("id")
        .and_then(EntryId::parse)
        .unwrap_or_else(EntryId::new_v7);
    let new = NewEntry {
        id,
        occurred_at: zone_of(&a, Some(&form)).at(state.now()),
        data: EntryData::Episode(Episode {
            body_site,
            intensity,
            duration_s: None,
            pattern: None,
            triggers: Vec::new(),
            red_flags: Vec::new(),
            relief: Vec::new(),
            notes: None,
        }),
    };
    let saved = journal::log_once(&state, a.user.id, new).await?;
    Ok(see_other(&format!("/spasm/{}", saved.id)))
}

async fn episode(state: &AppState, a: &Authenticated, raw: &str) -> Result<Entry, PageError> {
    let id = EntryId::parse(raw).ok_or(PageError(AppError::NotFound))?;
    let e = journal::get(state, a.user.id, id).await?;
    match e.kind() {
        EntryKind::Episode => Ok(e),
        _ => Err(PageError(AppError::NotFound)),
    }
}

/// `GET /spasm/{id}`: the saved episode and its optional follow-up.
pub async fn get_after(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let e = episode(&state, &a, &path).await?;
    let page =
        SpasmPage::new(&csrf, &a, "after").after(&e, &form_values(&e), &FieldErrors::default());
    render(StatusCode::OK, &page)
}

/// `POST /spasm/{id}`: the follow-up. "It stopped" records the time since the start as the
/// duration and stays on the page; "Save" goes home (with the warning-sign message if one is
/// ticked). Only the follow-up fields change; where, how strong and when stay as saved.
pub async fn post_after(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let stored = episode(&state, &a, &path).await?;
    let mut values = form_values(&stored);
    values.0.retain(|(k, _)| !FOLLOW_UP.contains(&k.as_str()));
    values.0.extend(
        form.0
            .iter()
            .filter(|(k, _)| FOLLOW_UP.contains(&k.as_str()))
            .cloned(),
    );
    let stopped = form.get("stopped").is_some();
    if stopped {
        let since = (state.now() - stored.occurred_at.to_utc()).num_seconds();
        values.set("duration_s", since.clamp(1, MAX_DURATION_S).to_string());
    }
    let data = match parse_form_data(EntryKind::Episode, &values) {
        Ok(d) => d,
        Err(errors) => {
            let page = SpasmPage::new(&csrf, &a, "after").after(&stored, &values, &errors);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let flag = data.has_warning_sign();
    let new = NewEntry {
        id: stored.id,
        occurred_at: stored.occurred_at,
        data,
    };
    if let Err(current) = journal::update(&state, a.user.id, new, stored.version).await? {
        let errors = FieldErrors::one(
            "notes",
            "— this episode was changed on another device at the same moment. What you chose is kept below; save again.",
        );
        let page = SpasmPage::new(&csrf, &a, "after").after(&current, &values, &errors);
        return render(StatusCode::CONFLICT, &page);
    }
    Ok(see_other(&if stopped {
        format!("/spasm/{}", stored.id)
    } else if flag {
        "/?saved=episode&flag=1".to_string()
    } else {
        "/?saved=episode".to_string()
    }))
}
