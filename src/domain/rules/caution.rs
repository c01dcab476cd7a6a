//! Caution rules: conditions under which massage should wait or be gentle.

use super::context::{Ctx, at, count, date, day};
use super::{Fired, Kind, Rule, Thresholds};
use crate::domain::entry::{ConditionStatus, Entry, EntryData, parse_instant};
use crate::domain::fields::Choice;
use chrono::{Duration, Utc};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ill-postpone",
        kind: Kind::Caution,
        title: "Wait with massage until you are well",
        message: "Massage while you have a cold, flu or fever can make you feel worse. Rest, drink, and book once you are well again.",
        source: "seed 001",
        suppresses_booking: true,
        check: ill_postpone,
    },
    Rule {
        id: "active-severe-spasm",
        kind: Kind::Caution,
        title: "A strong spasm: gentle measures only for now",
        message: "No deep pressure on a strong fresh spasm. Gentle stretching, warmth and rest first; massage once it has eased.",
        source: "seed 004",
        suppresses_booking: true,
        check: active_severe_spasm,
    },
    Rule {
        id: "injury-or-wound",
        kind: Kind::Caution,
        title: "No massage on an injury, wound or inflammation",
        message: "Keep massage away from an injured, wounded, infected or inflamed area until it has healed.",
        source: "seed 003, seed 004",
        suppresses_booking: true,
        check: injury_or_wound,
    },
    Rule {
        id: "caution-conditions",
        kind: Kind::Caution,
        title: "Check with a doctor before deep tissue work",
        message: "With the health conditions in your profile, ask your doctor before deep tissue massage, and tell your therapist about them.",
        source: "seed 004, seed 003",
        suppresses_booking: false,
        check: caution_conditions,
    },
];

/// An open condition: started at or before `now`, and not ended by `now`.
fn open_conditions<'a>(ctx: &Ctx<'a>, statuses: &[ConditionStatus]) -> Vec<&'a Entry> {
    ctx.past
        .iter()
        .filter(|e| match &e.data {
            EntryData::Condition(c) => {
                statuses.contains(&c.status)
                    && c.ended_at
                        .as_deref()
                        .and_then(|s| parse_instant(s).ok())
                        .is_none_or(|end| end.with_timezone(&Utc) > ctx.now)
            }
            _ => false,
        })
        .copied()
        .collect()
}

fn ill_postpone<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let ill: Vec<_> = open_conditions(ctx, &[ConditionStatus::Unwell])
        .into_iter()
        .filter(|e| ctx.within(e, Duration::days(t.ill_recent_days)))
        .collect();
    let first = ill.first()?;
    let because = format!("you logged feeling unwell on {}", day(date(first)));
    Some(Fired::new(ill, because))
}

fn active_severe_spasm<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let strong: Vec<_> = ctx
        .episodes_within(Duration::hours(t.severe_hours))
        .into_iter()
        .filter(|(_, ep)| i64::from(ep.intensity) >= t.severe_intensity)
        .map(|(e, _)| e)
        .collect();
    let newest = strong.last()?;
    let hours = (ctx.now - at(newest)).num_hours();
    let because = format!(
        "{} of intensity {} or more in the last {} hours (latest {} hours ago)",
        count(strong.len(), "episode", "episodes"),
        t.severe_intensity,
        t.severe_hours,
        hours
    );
    Some(Fired::new(strong, because))
}

fn injury_or_wound<'a>(ctx: &Ctx<'a>, _t: &Thresholds) -> Option<Fired<'a>> {
    let open = open_conditions(
        ctx,
        &[
            ConditionStatus::Injury,
            ConditionStatus::Wound,
            ConditionStatus::Infection,
            ConditionStatus::Inflammation,
        ],
    );
    let first = open.last()?;
    let what = match &first.data {
        EntryData::Condition(c) => c.status.label().to_lowercase(),
        _ => String::new(),
    };
    let because = format!("an open {what} logged on {}", day(date(first)));
    Some(Fired::new(open, because))
}

fn caution_conditions<'a>(ctx: &Ctx<'a>, _t: &Thresholds) -> Option<Fired<'a>> {
    if ctx.cautions.is_empty() {
        return None;
    }
    let names: Vec<String> = ctx
        .cautions
        .iter()
        .map(|c| c.label().to_lowercase())
        .collect();
    Some(Fired::new(
        Vec::new(),
        format!("your profile lists: {}", names.join(", ")),
    ))
}
