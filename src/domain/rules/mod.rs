//! The suggestion engine (RULES.md): a pure function of the journal, the evaluation instant and
//! the thresholds. One file per rule family; every rule is a small named function that returns
//! the entries that made it fire.

mod book;
mod caution;
mod context;
mod medical;
mod self_care;
pub mod sources;
pub mod thresholds;

pub use context::Ctx;
pub use thresholds::{ThresholdOverrides, Thresholds};

use crate::domain::caution::Caution;
use crate::domain::entry::Entry;
use crate::domain::ids::EntryId;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use std::sync::Arc;

/// What a client's journal holds for the engine.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    /// Entries (deleted ones are ignored), shared with the cache they may come from.
    pub entries: Arc<Vec<Entry>>,
    /// Health conditions from the profile.
    pub cautions: Vec<Caution>,
    /// The profile's IANA time zone, if set.
    pub timezone: Option<String>,
}

/// The kind of a suggestion, in output order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Urgent,
    MedicalReview,
    Caution,
    Book,
    SelfCare,
}

impl Kind {
    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Urgent => "Urgent",
            Kind::MedicalReview => "See a doctor",
            Kind::Caution => "Take care",
            Kind::Book => "Book a massage",
            Kind::SelfCare => "Self-care",
        }
    }
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Urgent => "urgent",
            Kind::MedicalReview => "medical_review",
            Kind::Caution => "caution",
            Kind::Book => "book",
            Kind::SelfCare => "self_care",
        }
    }
}

/// A suggested booking window (local dates, inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One explainable suggestion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub rule_id: &'static str,
    pub kind: Kind,
    pub title: String,
    pub message: String,
    pub because: String,
    /// The entries it cites, newest first (on the wire, their ids).
    #[serde(serialize_with = "entry_ids")]
    pub evidence: Vec<Entry>,
    /// The article or guidance it comes from, by its title.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_window: Option<Window>,
    /// The newest evidence instant (for ordering; not on the wire).
    #[serde(skip)]
    pub newest: Option<DateTime<Utc>>,
}

fn entry_ids<S: serde::Serializer>(list: &[Entry], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(|e| e.id))
}

impl Suggestion {
    /// The ids of the entries it cites, newest first.
    pub fn evidence_ids(&self) -> Vec<EntryId> {
        self.evidence.iter().map(|e| e.id).collect()
    }
}

/// A booking suggestion held back while something more important is active.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppressed {
    pub rule_id: &'static str,
    pub because: String,
    /// The window it would suggest (shown, so the person can plan for after the doctor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_window: Option<Window>,
}

/// The engine's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    pub suggestions: Vec<Suggestion>,
    pub suppressed: Vec<Suppressed>,
}

/// Shown wherever suggestions are.
pub const DISCLAIMER: &str =
    "Unknot is a journal, not a diagnosis. In an emergency, call your local emergency number.";

/// What a rule found.
pub struct Fired<'a> {
    /// The entries that made it fire.
    pub evidence: Vec<&'a Entry>,
    /// A sentence naming the evidence.
    pub because: String,
    /// Replaces the rule's standard message when the evidence calls for other words.
    pub message: Option<String>,
    /// For booking rules.
    pub window: Option<Window>,
}

impl<'a> Fired<'a> {
    /// A finding with evidence and a reason.
    pub fn new(evidence: Vec<&'a Entry>, because: String) -> Self {
        Self {
            evidence,
            because,
            message: None,
            window: None,
        }
    }
}

/// A catalogue entry.
pub struct Rule {
    pub id: &'static str,
    pub kind: Kind,
    pub title: &'static str,
    pub message: &'static str,
    pub source: &'static str,
    /// Whether an active finding holds back booking suggestions.
    pub suppresses_booking: bool,
    pub check: for<'a> fn(&Ctx<'a>, &Thresholds) -> Option<Fired<'a>>,
}

/// Every rule in catalogue order (RULES.md).
pub fn catalogue() -> Vec<&'static Rule> {
    medical::RULES
        .iter()
        .chain(caution::RULES)
        .chain(book::RULES)
        .chain(self_care::RULES)
        .collect()
}

/// Evaluates every rule at `now` and orders, suppresses and explains the results.
pub fn evaluate(journal: &Journal, now: DateTime<FixedOffset>, t: &Thresholds) -> Evaluation {
    let ctx = Ctx::new(journal, now);
    let mut fired: Vec<(usize, Suggestion)> = Vec::new();
    let mut blockers: Vec<String> = Vec::new();
    for (index, rule) in catalogue().into_iter().enumerate() {
        let Some(f) = (rule.check)(&ctx, t) else {
            continue;
        };
        if rule.suppresses_booking || matches!(rule.kind, Kind::Urgent | Kind::MedicalReview) {
            blockers.push(rule.title.to_string());
        }
        let mut evidence: Vec<&Entry> = f.evidence;
        evidence.sort_by_key(|e| std::cmp::Reverse(e.occurred_at.with_timezone(&Utc)));
        evidence.dedup_by_key(|e| e.id);
        let newest = evidence.first().map(|e| e.occurred_at.with_timezone(&Utc));
        let mut message = f.message.unwrap_or_else(|| rule.message.to_string());
        if rule.kind == Kind::Book && ctx.has_cautions() && rule.id != "pre-event" {
            message.push_str(
                " Ask for a light technique until a doctor has cleared deep tissue work.",
            );
        }
        fired.push((
            index,
            Suggestion {
                rule_id: rule.id,
                kind: rule.kind,
                title: rule.title.to_string(),
                message,
                because: f.because,
                evidence: evidence.into_iter().cloned().collect(),
                source: sources::in_words(rule.source),
                suggested_window: f.window,
                newest,
            },
        ));
    }
    let mut suppressed = Vec::new();
    if !blockers.is_empty() {
        let reason = format!("Not now: {} comes first.", blockers.join("; "));
        fired.retain(|(_, s)| {
            if s.kind == Kind::Book {
                suppressed.push(Suppressed {
                    rule_id: s.rule_id,
                    because: reason.clone(),
                    suggested_window: s.suggested_window,
                });
                false
            } else {
                true
            }
        });
    }
    fired.sort_by(|(ia, a), (ib, b)| {
        a.kind
            .cmp(&b.kind)
            .then(a.newest.is_none().cmp(&b.newest.is_none()))
            .then(b.newest.cmp(&a.newest))
            .then(ia.cmp(ib))
    });
    Evaluation {
        suggestions: fired.into_iter().map(|(_, s)| s).collect(),
        suppressed,
    }
}

#[cfg(test)]
mod tests;
