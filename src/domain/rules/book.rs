//! Booking rules: when a massage is likely to help, with a suggested window.

use super::context::{Ctx, at, count, date, day};
use super::{Fired, Kind, Rule, Thresholds, Window};
use crate::domain::entry::EntryData;
use chrono::Duration;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "acute-course",
        kind: Kind::Book,
        title: "Book a short course of massage",
        message: "For new spasms, a course of 2 to 3 sessions a week for 2 weeks helps most. Book the first within the next few days.",
        source: "seed 003",
        suppresses_booking: false,
        check: acute_course,
    },
    Rule {
        id: "chronic-maintenance",
        kind: Kind::Book,
        title: "Time for your regular massage",
        message: "Your spasms come back week after week. A weekly session (or every other week) keeps them down; book one this week.",
        source: "seed 003, seed 000 (weekly or every other week)",
        suppresses_booking: false,
        check: chronic_maintenance,
    },
    Rule {
        id: "maintenance-lapsed",
        kind: Kind::Book,
        title: "Your massage routine has lapsed",
        message: "You had regular sessions, and spasms have come back since the last one. Book your next session soon.",
        source: "seed 000",
        suppresses_booking: false,
        check: maintenance_lapsed,
    },
    Rule {
        id: "pre-event",
        kind: Kind::Book,
        title: "Book a massage before your event",
        message: "A deep tissue session about 48 hours before an event prepares the muscles. Book it before the date shown.",
        source: "seed 003",
        suppresses_booking: false,
        check: pre_event,
    },
];

fn window(ctx: &Ctx<'_>, days: i64) -> Option<Window> {
    Some(Window {
        from: ctx.today,
        to: ctx.today + Duration::days(days),
    })
}

fn acute_course<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let recent = ctx.episodes_within(Duration::days(14));
    let (first, _) = recent.first()?;
    let quiet_before = !ctx.episodes().any(|(e, _)| {
        let a = at(e);
        a < at(first) && a >= at(first) - Duration::days(t.acute_quiet_days)
    });
    let sessions = ctx
        .sessions()
        .filter(|(e, _)| ctx.within(e, Duration::days(7)))
        .count();
    if !quiet_before || sessions >= 2 {
        return None;
    }
    let because = format!(
        "{} since {}, after {} days without any",
        count(recent.len(), "episode", "episodes"),
        day(date(first)),
        t.acute_quiet_days
    );
    let mut f = Fired::new(recent.into_iter().map(|(e, _)| e).collect(), because);
    f.window = window(ctx, 3);
    Some(f)
}

fn chronic_maintenance<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let blocks = ctx
        .weekly_blocks_with_episodes()
        .iter()
        .filter(|b| **b)
        .count() as i64;
    if blocks < t.chronic_min_blocks {
        return None;
    }
    let last = ctx.sessions().last().map(|(e, _)| e);
    if last.is_some_and(|s| ctx.now - at(s) < Duration::days(t.chronic_session_gap_days)) {
        return None;
    }
    let eps: Vec<_> = ctx
        .episodes_within(Duration::days(56))
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let since = match last {
        Some(s) => format!("last massage on {}", day(date(s))),
        None => "no massage logged".to_string(),
    };
    let because = format!("episodes in {blocks} of the last 8 weeks; {since}");
    let mut f = Fired::new(eps, because);
    f.window = window(ctx, 7);
    Some(f)
}

fn maintenance_lapsed<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let sessions: Vec<_> = ctx.sessions().map(|(e, _)| e).collect();
    let last = *sessions.last()?;
    let series: Vec<_> = sessions
        .iter()
        .filter(|s| at(s) > at(last) - Duration::days(60))
        .copied()
        .collect();
    if (series.len() as i64) < t.lapsed_min_sessions
        || ctx.now - at(last) < Duration::days(t.lapsed_after_days)
    {
        return None;
    }
    let since: Vec<_> = ctx
        .episodes()
        .filter(|(e, _)| at(e) > at(last))
        .map(|(e, _)| e)
        .collect();
    if since.is_empty() {
        return None;
    }
    let because = format!(
        "{} in the 60 days to {}, and {} since",
        count(series.len(), "session", "sessions"),
        day(date(last)),
        count(since.len(), "episode", "episodes")
    );
    let mut evidence = series;
    evidence.extend(since);
    let mut f = Fired::new(evidence, because);
    f.window = window(ctx, 3);
    Some(f)
}

fn pre_event<'a>(ctx: &Ctx<'a>, _t: &Thresholds) -> Option<Fired<'a>> {
    let event = ctx.events.iter().find(|e| {
        let a = at(e);
        a >= ctx.now + Duration::days(2) && a <= ctx.now + Duration::days(10)
    })?;
    let name = match &event.data {
        EntryData::Event(ev) => ev.name.clone(),
        _ => String::new(),
    };
    let latest = ctx.zone.at(at(event) - Duration::hours(48)).date_naive();
    let because = format!("“{name}” starts on {}", day(date(event)));
    let mut f = Fired::new(vec![*event], because);
    f.window = Some(Window {
        from: ctx.today,
        to: latest.max(ctx.today),
    });
    if ctx.has_cautions() {
        f.message = Some(
            "A massage about 48 hours before an event prepares the muscles. With the conditions in your profile, ask for a light technique until a doctor has cleared deep tissue work."
                .into(),
        );
    }
    Some(f)
}
