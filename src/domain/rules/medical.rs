//! Urgent and medical-review rules: warning signs and patterns that call for a doctor.

use super::context::{Ctx, at, count, date, day, region};
use super::{Fired, Kind, Rule, Thresholds};
use crate::domain::entry::{BodySite, EntryData, Episode, RedFlag};
use crate::domain::fields::Choice;
use chrono::Duration;
use std::collections::BTreeSet;

const CLINICAL: &str = "clinical guidance (NHS, Mayo Clinic, Merck Manual)";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "red-flag-chest",
        kind: Kind::Urgent,
        title: "Chest pain needs a doctor now",
        message: "A spasm in the chest or with chest pain can be a heart problem. If it is happening now or comes back, call your local emergency number; otherwise see a doctor today.",
        source: CLINICAL,
        suppresses_booking: true,
        check: red_flag_chest,
    },
    Rule {
        id: "red-flag-neuro",
        kind: Kind::MedicalReview,
        title: "See a doctor about numbness or weakness",
        message: "Numbness, tingling or weakness with a spasm can mean a nerve is involved. Please see a doctor before more massage.",
        source: "seed 001 (nerve compression), seed 004 (neurological symptoms), seed 003 (when massage is not enough)",
        suppresses_booking: true,
        check: red_flag_neuro,
    },
    Rule {
        id: "red-flag-local",
        kind: Kind::MedicalReview,
        title: "See a doctor about swelling, redness or a shrinking muscle",
        message: "Swelling, redness or a muscle getting smaller are not usual for cramps. Please have a doctor look at it before massage there.",
        source: "clinical guidance, seed 004 (inflammation)",
        suppresses_booking: true,
        check: red_flag_local,
    },
    Rule {
        id: "red-flag-fluid-loss",
        kind: Kind::MedicalReview,
        title: "Cramps after losing fluids: check with a doctor",
        message: "Cramps after heavy sweating, vomiting, diarrhoea or water tablets can mean your salts are out of balance. Drink, and check with a doctor or pharmacist.",
        source: "seed 001 (electrolytes), clinical guidance",
        suppresses_booking: true,
        check: red_flag_fluid_loss,
    },
    Rule {
        id: "long-cramp",
        kind: Kind::MedicalReview,
        title: "A cramp lasted more than 10 minutes",
        message: "Cramps usually pass within minutes. One that lasts longer than 10 minutes is worth showing to a doctor.",
        source: CLINICAL,
        suppresses_booking: true,
        check: long_cramp,
    },
    Rule {
        id: "frequent-episodes",
        kind: Kind::MedicalReview,
        title: "Spasms are frequent: worth a doctor's view",
        message: "Regular spasms can have a cause a doctor can treat. Take your Unknot report of the last 90 days to the appointment.",
        source: "seed 000 (regular spasms), seed 001 (frequent spasms)",
        suppresses_booking: true,
        check: frequent_episodes,
    },
    Rule {
        id: "worsening-trend",
        kind: Kind::MedicalReview,
        title: "Your spasms are getting worse",
        message: "Spasms that get more frequent or stronger over weeks should be checked by a doctor.",
        source: "seed 004 (worsening)",
        suppresses_booking: true,
        check: worsening_trend,
    },
    Rule {
        id: "persistent-after-massage",
        kind: Kind::MedicalReview,
        title: "Pain has kept coming back since a massage",
        message: "Pain in a treated area that keeps returning for about three weeks after a massage should be checked by a doctor.",
        source: "seed 001 (pain lasting about three weeks after a massage)",
        suppresses_booking: true,
        check: persistent_after_massage,
    },
    Rule {
        id: "self-care-not-helping",
        kind: Kind::MedicalReview,
        title: "Self-care is not stopping the spasms",
        message: "You have been drinking and stretching regularly and the spasms continue. A doctor can look for other causes.",
        source: "seed 004, seed 000",
        suppresses_booking: true,
        check: self_care_not_helping,
    },
];

fn with_flags<'a>(
    ctx: &Ctx<'a>,
    days: i64,
    pred: impl Fn(&Episode) -> bool,
) -> Vec<&'a crate::domain::entry::Entry> {
    ctx.episodes_within(Duration::days(days))
        .into_iter()
        .filter(|(_, ep)| pred(ep))
        .map(|(e, _)| e)
        .collect()
}

fn flagged<'a>(
    evidence: Vec<&'a crate::domain::entry::Entry>,
    what: &str,
    days: i64,
    ctx: &Ctx<'a>,
) -> Option<Fired<'a>> {
    let newest = evidence.last().map(|e| date(e))?;
    let because = format!(
        "{} with {what} in the last {days} days (latest {})",
        count(evidence.len(), "episode", "episodes"),
        day(newest)
    );
    let _ = ctx;
    Some(Fired::new(evidence, because))
}

fn red_flag_chest<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let days = t.red_flag_chest_days;
    let ev = with_flags(ctx, days, |ep| {
        ep.body_site == BodySite::Chest || ep.red_flags.contains(&RedFlag::ChestPain)
    });
    flagged(ev, "chest pain or in the chest", days, ctx)
}

fn red_flag_neuro<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let days = t.red_flag_days;
    let ev = with_flags(ctx, days, |ep| {
        ep.red_flags.contains(&RedFlag::Numbness) || ep.red_flags.contains(&RedFlag::Weakness)
    });
    flagged(ev, "numbness or weakness", days, ctx)
}

fn red_flag_local<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let days = t.red_flag_days;
    let ev = with_flags(ctx, days, |ep| {
        ep.red_flags.contains(&RedFlag::SwellingRedness)
            || ep.red_flags.contains(&RedFlag::MuscleWasting)
    });
    flagged(ev, "swelling, redness or muscle wasting", days, ctx)
}

fn red_flag_fluid_loss<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let days = t.red_flag_fluid_days;
    let ev = with_flags(ctx, days, |ep| {
        ep.red_flags.contains(&RedFlag::AfterFluidLoss)
    });
    flagged(ev, "fluid loss", days, ctx)
}

fn long_cramp<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let limit = t.long_cramp_seconds;
    let ev = with_flags(ctx, 30, |ep| {
        ep.duration_s.is_some_and(|d| i64::from(d) > limit)
    });
    flagged(
        ev,
        format!("a duration over {} minutes", limit / 60).as_str(),
        30,
        ctx,
    )
}

fn frequent_episodes<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let month: Vec<_> = ctx
        .episodes_within(Duration::days(30))
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let cluster = t.frequent_cluster_count as usize;
    // The newest episode E with cluster - 1 or more others in (E - 7 days, E].
    for (i, e) in month.iter().enumerate().rev() {
        let window: Vec<_> = month[..=i]
            .iter()
            .filter(|o| at(o) > at(e) - Duration::days(7))
            .copied()
            .collect();
        if window.len() >= cluster {
            let because = format!(
                "{} in the 7 days to {}",
                count(window.len(), "episode", "episodes"),
                day(date(e))
            );
            return Some(Fired::new(window, because));
        }
    }
    if month.len() >= t.frequent_month_count as usize {
        let because = format!(
            "{} in the last 30 days",
            count(month.len(), "episode", "episodes")
        );
        return Some(Fired::new(month, because));
    }
    None
}

fn worsening_trend<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let recent = ctx.episodes_within(Duration::days(28));
    let earlier: Vec<_> = ctx
        .episodes()
        .filter(|(e, _)| {
            let a = at(e);
            a > ctx.now - Duration::days(56) && a <= ctx.now - Duration::days(28)
        })
        .collect();
    if (earlier.len() as i64) < t.worsening_min_earlier {
        return None;
    }
    let (r, p) = (recent.len() as i64, earlier.len() as i64);
    let more = r * 100 >= p * t.worsening_ratio_pct && r >= t.worsening_min_recent;
    let mean = |v: &[(&crate::domain::entry::Entry, &Episode)]| {
        v.iter().map(|(_, ep)| f64::from(ep.intensity)).sum::<f64>() / v.len() as f64
    };
    let stronger = r >= 3 && mean(&recent) - mean(&earlier) >= t.worsening_intensity_rise as f64;
    if !(more || stronger) {
        return None;
    }
    let because = if more {
        format!(
            "{} in the last 28 days, {} in the 28 before",
            count(r as usize, "episode", "episodes"),
            p
        )
    } else {
        format!(
            "mean intensity {:.1} in the last 28 days, {:.1} in the 28 before",
            mean(&recent),
            mean(&earlier)
        )
    };
    Some(Fired::new(
        recent.into_iter().map(|(e, _)| e).collect(),
        because,
    ))
}

fn persistent_after_massage<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let sessions: Vec<_> = ctx.sessions().collect();
    for (i, (s, m)) in sessions.iter().enumerate().rev() {
        let regions: BTreeSet<&str> = m.body_sites.iter().map(|b| region(b.as_str())).collect();
        let mut evidence = Vec::new();
        for r in &regions {
            // Episodes at this region after the session, before a newer session listing it.
            let next = sessions[i + 1..]
                .iter()
                .find(|(_, later)| later.body_sites.iter().any(|b| region(b.as_str()) == *r))
                .map(|(e, _)| at(e));
            let eps: Vec<_> = ctx
                .episodes_after(at(s))
                .take_while(|(e, _)| next.is_none_or(|n| at(e) < n))
                .filter(|(_, ep)| region(ep.body_site.as_str()) == *r)
                .map(|(e, _)| e)
                .collect();
            let dates: BTreeSet<_> = eps.iter().map(|e| date(e)).collect();
            let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
                continue;
            };
            let recent = eps
                .last()
                .is_some_and(|e| ctx.within(e, Duration::days(14)));
            if dates.len() as i64 >= t.persistent_min_dates
                && (*last - *first).num_days() >= t.persistent_span_dates
                && recent
            {
                evidence.extend(eps);
            }
        }
        if !evidence.is_empty() {
            let dates: BTreeSet<_> = evidence.iter().map(|e| date(e)).collect();
            let because = format!(
                "episodes on {} dates in a treated area since the massage on {}",
                dates.len(),
                day(date(s))
            );
            evidence.push(s);
            return Some(Fired::new(evidence, because));
        }
    }
    None
}

fn self_care_not_helping<'a>(ctx: &Ctx<'a>, t: &Thresholds) -> Option<Fired<'a>> {
    let eps = ctx.episodes_within(Duration::days(14));
    if (eps.len() as i64) < t.not_helping_min_episodes {
        return None;
    }
    let stretched: BTreeSet<_> = ctx
        .past
        .iter()
        .filter(|e| matches!(e.data, EntryData::Stretch(_)))
        .map(|e| date(e))
        .collect();
    let cared = ctx
        .last_dates(14)
        .into_iter()
        .filter(|d| stretched.contains(d) || i64::from(ctx.water_on(*d)) >= t.hydration_target_ml)
        .count() as i64;
    if cared < t.not_helping_min_dates {
        return None;
    }
    let because = format!(
        "{} in the last 14 days, with self-care logged on {cared} of those 14 days",
        count(eps.len(), "episode", "episodes")
    );
    Some(Fired::new(
        eps.into_iter().map(|(e, _)| e).collect(),
        because,
    ))
}
