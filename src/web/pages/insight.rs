//! Insight pages: suggestions with their reasons.

use crate::app::insight::evaluate_current;
use crate::auth::csrf::CsrfToken;
use crate::domain::fields::Choice;
use crate::domain::rules::{self, DISCLAIMER, Evaluation, Suggestion};
use crate::state::AppState;
use crate::web::session::WebClient;
use crate::web::views::short_day_clock;
use crate::web::{Layout, PageError, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

/// A suggestion as pages show it.
#[derive(Clone, Debug)]
pub struct SuggestionView {
    pub rule_id: &'static str,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub message: String,
    pub because: String,
    pub source: String,
    pub window: Option<String>,
    /// (entry id, "Spasm episode, 12 May 07:30: Left calf, intensity 6/10")
    pub evidence: Vec<(String, String)>,
}

/// Page views of the suggestions, with their evidence described.
pub fn views(e: &Evaluation) -> Vec<SuggestionView> {
    e.suggestions.iter().map(view).collect()
}

/// The page view of one suggestion, with its evidence described.
pub fn view(s: &Suggestion) -> SuggestionView {
    SuggestionView {
        rule_id: s.rule_id,
        kind: s.kind.as_str(),
        kind_label: s.kind.label(),
        title: s.title.clone(),
        message: s.message.clone(),
        because: s.because.clone(),
        source: s.source.clone(),
        window: s.suggested_window.map(|w| {
            if w.from == w.to {
                format!("Book on {}", w.from.format("%A %-d %B"))
            } else {
                format!(
                    "Book between {} and {}",
                    w.from.format("%A %-d %B"),
                    w.to.format("%A %-d %B")
                )
            }
        }),
        evidence: s
            .evidence
            .iter()
            .map(|x| {
                (
                    x.id.to_string(),
                    format!(
                        "{}, {}: {}",
                        x.kind().label(),
                        short_day_clock(x.occurred_at.naive_local()),
                        x.data.summary()
                    ),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "journal/insights.html")]
struct InsightsPage {
    layout: Layout,
    disclaimer: &'static str,
    suggestions: Vec<SuggestionView>,
    /// Held-back booking suggestions: title, when it would suit, why not now.
    suppressed: Vec<(String, Option<String>, String)>,
}

/// When a held-back booking would suit, in a sentence.
fn later_booking(w: &rules::Window) -> String {
    format!(
        "When a doctor has seen you, a massage between {} and {} would suit.",
        w.from.format("%a %-d %b"),
        w.to.format("%a %-d %b")
    )
}

/// `GET /insights`.
pub async fn get_insights(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
) -> Result<HttpResponse, PageError> {
    let kept = evaluate_current(&state, &a.user).await?;
    let e = &kept.evaluation;
    let titles: HashMap<&str, &str> = rules::catalogue().iter().map(|r| (r.id, r.title)).collect();
    let page = InsightsPage {
        layout: Layout::new("Suggestions", "insights", &csrf, Some(&a)),
        disclaimer: DISCLAIMER,
        suggestions: views(e),
        suppressed: e
            .suppressed
            .iter()
            .map(|s| {
                (
                    titles
                        .get(s.rule_id)
                        .copied()
                        .unwrap_or(s.rule_id)
                        .to_string(),
                    s.suggested_window.as_ref().map(later_booking),
                    s.because.clone(),
                )
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// Technique advice as the page shows it.
pub struct AdviceView {
    pub technique: Option<&'static str>,
    pub pressure: &'static str,
    pub why: String,
    pub aftercare: Vec<String>,
}

#[derive(Template)]
#[template(path = "journal/technique.html")]
struct TechniquePage {
    layout: Layout,
    fields: Vec<crate::web::widgets::Widget>,
    summary: Vec<crate::web::widgets::SummaryItem>,
    advice: Option<AdviceView>,
    disclaimer: &'static str,
}

/// `GET /technique[?body_site=…&feel=…]`: the selector form, and its answer once filled in.
pub async fn get_technique(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, PageError> {
    use crate::domain::technique::{Cause, Course, Feel, Pressure, parse_question, select};
    use crate::web::widgets::{WidgetBuilder, summary};
    let values = crate::web::form::FormFields::parse(req.query_string().as_bytes());
    let asked = !values.0.is_empty();
    let (errors, advice) = if asked {
        match parse_question(&values) {
            Ok(q) => {
                let e = evaluate_current(&state, &a.user).await?;
                let adv = select(&q, &e.evaluation);
                (
                    crate::domain::fields::FieldErrors::default(),
                    Some(AdviceView {
                        technique: adv.technique.map(|t| t.label()),
                        pressure: adv.pressure.unwrap_or_default(),
                        why: adv.why,
                        aftercare: adv.aftercare,
                    }),
                )
            }
            Err(errors) => (errors, None),
        }
    } else {
        (crate::domain::fields::FieldErrors::default(), None)
    };
    let b = WidgetBuilder::new(&values, &errors);
    let fields = vec![
        b.select::<crate::domain::entry::BodySite>("body_site", "Where")
            .required(),
        b.radios::<Feel>("feel", "How does it feel").required(),
        b.radios::<Course>("duration", "How long has it been going on")
            .required(),
        b.radios::<Cause>("cause", "What probably caused it"),
        b.radios::<Pressure>("pressure", "Pressure you like")
            .required(),
    ];
    let page = TechniquePage {
        layout: Layout::new("Technique", "insights", &csrf, Some(&a)),
        summary: summary(&fields, &errors),
        fields,
        advice,
        disclaimer: DISCLAIMER,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}
