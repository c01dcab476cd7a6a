//! Self-care rules: water, stretching, heat or ice, aftercare, movement breaks.

use super::context::{Ctx, at, count, date, day};
use super::{Fired, Kind, Rule, Thresholds};
use crate::domain::entry::{Entry, EntryData, Technique, Trigger};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "hydration-low",
        kind: Kind::SelfCare,
        title: "Drink more water",
        message: "Muscles cramp more easily when you are short of water. Aim for at least 2 litres a day, more on massage and training days.",
        source: "seed 003, seed 000, seed 004 (electrolytes)",
        suppresses_booking: false,
        check: hydration_low,
    },
    Rule {
        id: "stretch-gap",
        kind: Kind::SelfCare,
        title: "Stretch for 5 minutes",
        message: "A short daily stretch of the muscles that cramp keeps them from tightening again.",
        source: "seed 003, seed 000",
        suppresses_booking: false,
        check: stretch_gap,
    },
    Rule {
        id: "heat-or-ice",
        kind: Kind::SelfCare,
        title: "Heat or ice",
        message: "Use ice for 10 minutes on a fresh strain to calm it.",
        source: "seed 004, seed 003, seed 001",
        suppresses_booking: false,
        check: heat_or_ice,
    },
    Rule {
        id: "post-massage-soreness",
        kind: Kind::SelfCare,
        title: "Soreness after a deep massage",
        message: "Some soreness or spasm after deep tissue or trigger point work is usually normal and passes. Drink plenty, stretch gently and use warmth.",
        source: "seed 000",
        suppresses_booking: false,
        check: post_massage_soreness,
    },
    Rule {
        id: "movement-breaks",
        kind: Kind::SelfCare,
        title: "Take movement breaks",
        message: "Spasms after sitting or standing a long time: get up, walk and roll your shoulders every hour.",
        source: "seed 003, seed 001",
        suppresses_booking: false,
        check: movement_breaks,
    },
];

fn hydration_low<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let is_water = |e: &&Entry| matches!(e.data, EntryData::Hydration(_));
    let fortnight = ctx.now - Duration::days(14);
    let first = ctx.past.partition_point(|e| at(e) <= fortnight);
    if !ctx.past[first..].iter().any(is_water) {
        return None;
    }
    let target = t.hydration_target_ml;
    let on = |d: NaiveDate| ctx.on_date(d).filter(is_water).collect::<Vec<_>>();
    // A recent date with a session or an episode and too little water.
    for d in ctx.last_dates(3).into_iter().rev() {
        let busy: Vec<&Entry> = ctx
            .on_date(d)
            .filter(|e| matches!(e.data, EntryData::Massage(_) | EntryData::Episode(_)))
            .collect();
        let total = i64::from(ctx.water_on(d));
        if !busy.is_empty() && total < target {
            let because = format!(
                "{total} ml logged on {}, a day with a massage or spasm",
                day(d)
            );
            let mut evidence = busy;
            evidence.extend(on(d));
            return Some(Fired::new(evidence, because));
        }
    }
    // The mean of the (up to 3) most recent dates with water logged, within the last 7 dates.
    let recent: Vec<NaiveDate> = ctx
        .last_dates(7)
        .into_iter()
        .rev()
        .filter(|d| ctx.on_date(*d).any(|e| is_water(&e)))
        .take(3)
        .collect();
    if recent.is_empty() {
        return None;
    }
    let mean = recent
        .iter()
        .map(|d| i64::from(ctx.water_on(*d)))
        .sum::<i64>()
        / recent.len() as i64;
    if mean >= target {
        return None;
    }
    let because = format!(
        "{mean} ml a day on average over your last {} with water logged",
        count(recent.len(), "day", "days")
    );
    let evidence = recent.iter().flat_map(|d| on(*d)).collect();
    Some(Fired::new(evidence, because))
}

fn stretch_gap<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let eps = ctx.episodes_within(Duration::days(14));
    if eps.is_empty() {
        return None;
    }
    let dates = ctx.last_dates(t.stretch_gap_dates);
    let stretched = dates.iter().any(|d| {
        ctx.on_date(*d)
            .any(|e| matches!(e.data, EntryData::Stretch(_)))
    });
    if stretched {
        return None;
    }
    let because = format!(
        "{} in the last 14 days and no stretching logged in the last {} days",
        count(eps.len(), "episode", "episodes"),
        t.stretch_gap_dates
    );
    Some(Fired::new(
        eps.into_iter().map(|(e, _)| e).collect(),
        because,
    ))
}

fn heat_or_ice<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let fresh = ctx.episodes_within(Duration::hours(48));
    if fresh.is_empty() {
        return None;
    }
    let blocks = ctx
        .weekly_blocks_with_episodes()
        .iter()
        .filter(|b| **b)
        .count() as i64;
    let heat = blocks >= t.heat_min_blocks;
    let mut f = Fired::new(
        fresh.iter().map(|(e, _)| *e).collect(),
        format!(
            "{} in the last 48 hours; spasms in {blocks} of the last 8 weeks",
            count(fresh.len(), "episode", "episodes")
        ),
    );
    if heat {
        f.message = Some(
            "Your spasms keep coming back: warmth for 10 minutes (a heating pad or a warm shower) relaxes tight muscles."
                .into(),
        );
    }
    Some(f)
}

fn post_massage_soreness<'a>(ctx: &Ctx<'a>, _t: &Thresholds) -> Option<Fired<'a>> {
    let deep: Vec<&Entry> = ctx
        .sessions()
        .filter(|(_, m)| matches!(m.technique, Technique::DeepTissue | Technique::TriggerPoint))
        .map(|(e, _)| e)
        .collect();
    let followed = |s: &Entry| -> Vec<&'a Entry> {
        ctx.episodes()
            .filter(|(e, _)| at(e) > at(s) && at(e) - at(s) <= Duration::hours(48))
            .map(|(e, _)| e)
            .collect()
    };
    let mut evidence: Vec<&Entry> = Vec::new();
    let mut sessions_hit: BTreeMap<String, &Entry> = BTreeMap::new();
    for s in &deep {
        for e in followed(s) {
            if ctx.within(e, Duration::hours(48)) {
                evidence.push(e);
                sessions_hit.insert(s.id.to_string(), s);
            }
        }
    }
    let session = *sessions_hit.values().max_by_key(|s| at(s))?;
    let last_three: Vec<&Entry> = deep.iter().rev().take(3).copied().collect();
    let every_time = last_three.len() == 3 && last_three.iter().all(|s| !followed(s).is_empty());
    let because = format!(
        "a spasm within 48 hours of the deep massage on {}",
        day(date(session))
    );
    evidence.push(session);
    let mut f = Fired::new(evidence, because);
    if every_time {
        f.message = Some(
            "Some soreness after deep work is usually normal and passes, but your last 3 deep sessions were each followed by a spasm. Tell your therapist and ask about a lighter technique. Meanwhile drink plenty, stretch gently and use warmth."
                .into(),
        );
    }
    Some(f)
}

fn movement_breaks<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let eps: Vec<&Entry> = ctx
        .episodes_within(Duration::days(14))
        .into_iter()
        .filter(|(_, ep)| ep.triggers.contains(&Trigger::ProlongedPosition))
        .map(|(e, _)| e)
        .collect();
    if (eps.len() as i64) < t.movement_min_episodes {
        return None;
    }
    let because = format!(
        "{} after sitting or standing a long time in the last 14 days",
        count(eps.len(), "episode", "episodes")
    );
    Some(Fired::new(eps, because))
}
