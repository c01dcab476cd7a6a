//! The doctor report: what a doctor reads in a minute about a period of the journal, computed
//! from entries and an evaluation (pure; the PDF and the report page draw it).

use crate::domain::effect;
use crate::domain::entry::{
    BodySite, Condition, Entry, EntryData, Episode, Massage, RedFlag, Relief, Trigger,
};
use crate::domain::fields::Choice;
use crate::domain::rules::{Evaluation, Kind};
use crate::domain::trends::{Bucket, Trends, compute};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// A period of local dates, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 5 * 366;

impl Period {
    /// A checked period: `from` not after `to`, at most five years.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, &'static str> {
        if from > to {
            Err("must not be after the end of the period")
        } else if (to - from).num_days() >= MAX_DAYS {
            Err("the period may cover at most five years")
        } else {
            Ok(Self { from, to })
        }
    }
    /// The last `days` days up to `today`.
    pub fn last_days(today: NaiveDate, days: i64) -> Self {
        Self {
            from: today - Duration::days(days - 1),
            to: today,
        }
    }
    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
    /// The period of equal length just before.
    pub fn previous(&self) -> Self {
        Self {
            from: self.from - Duration::days(self.days()),
            to: self.from - Duration::days(1),
        }
    }
    /// Whether an entry's own local date lies in it.
    pub fn holds(&self, e: &Entry) -> bool {
        let d = e.occurred_at.date_naive();
        d >= self.from && d <= self.to
    }
}

/// Headline figures of a period's episodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Headline {
    pub episodes: u32,
    pub mean_intensity: Option<f64>,
    pub worst_intensity: Option<u8>,
    /// Seconds.
    pub longest: Option<u32>,
}

fn episodes<'a>(entries: &'a [Entry], p: &Period) -> Vec<(&'a Entry, &'a Episode)> {
    let mut out: Vec<_> = entries
        .iter()
        .filter(|e| !e.deleted && p.holds(e))
        .filter_map(|e| match &e.data {
            EntryData::Episode(ep) => Some((e, ep)),
            _ => None,
        })
        .collect();
    out.sort_by_key(|(e, _)| e.occurred_at);
    out
}

/// The headline figures of `p`.
pub fn headline(entries: &[Entry], p: &Period) -> Headline {
    let eps = episodes(entries, p);
    let n = eps.len() as u32;
    Headline {
        episodes: n,
        mean_intensity: (n > 0)
            .then(|| eps.iter().map(|(_, e)| f64::from(e.intensity)).sum::<f64>() / f64::from(n)),
        worst_intensity: eps.iter().map(|(_, e)| e.intensity).max(),
        longest: eps.iter().filter_map(|(_, e)| e.duration_s).max(),
    }
}

/// An episode with warning signs.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub at: chrono::DateTime<chrono::FixedOffset>,
    pub site: BodySite,
    pub signs: Vec<RedFlag>,
}

/// A medical suggestion active at the end of the period.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    pub urgent: bool,
    pub title: String,
    pub because: String,
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct Report {
    pub name: String,
    pub period: Period,
    pub this: Headline,
    pub before: Headline,
    pub warnings: Vec<Warning>,
    pub advice: Vec<Advice>,
    /// Episodes per week, body sites and triggers: the same numbers as the trends page.
    pub weekly: Trends,
    pub relief: Vec<(Relief, u32)>,
    pub stretch_min: u32,
    pub heat: u32,
    pub ice: u32,
    /// Mean water per day over the days water was logged, in ml.
    pub water_per_day: Option<u32>,
    pub massages: Vec<(NaiveDate, Massage)>,
    pub effects: Vec<String>,
    pub conditions: Vec<(NaiveDate, Condition)>,
    pub episodes: Vec<(chrono::DateTime<chrono::FixedOffset>, Episode)>,
}

fn counted<C: Choice + Ord>(items: impl Iterator<Item = C>) -> Vec<(C, u32)> {
    let mut m: BTreeMap<C, u32> = BTreeMap::new();
    for c in items {
        *m.entry(c).or_default() += 1;
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Builds the report of `period` from the entries of it and of the period before (`entries`),
/// and the evaluation at its end.
pub fn build(
    name: &str,
    entries: &[Entry],
    period: Period,
    evaluation: &Evaluation,
    water_target_ml: u32,
) -> Report {
    let live: Vec<&Entry> = entries
        .iter()
        .filter(|e| !e.deleted && period.holds(e))
        .collect();
    let eps = episodes(entries, &period);
    let warnings = eps
        .iter()
        .filter(|(_, e)| !e.red_flags.is_empty())
        .map(|(x, e)| Warning {
            at: x.occurred_at,
            site: e.body_site,
            signs: e.red_flags.clone(),
        })
        .collect();
    let advice = evaluation
        .suggestions
        .iter()
        .filter(|s| matches!(s.kind, Kind::Urgent | Kind::MedicalReview))
        .map(|s| Advice {
            urgent: s.kind == Kind::Urgent,
            title: s.title.clone(),
            because: s.because.clone(),
        })
        .collect();
    let (mut stretch_min, mut heat, mut ice) = (0, 0, 0);
    let mut water: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    let mut massages = Vec::new();
    let mut conditions = Vec::new();
    for e in &live {
        let day = e.occurred_at.date_naive();
        match &e.data {
            EntryData::Stretch(s) => stretch_min += s.minutes,
            EntryData::HeatIce(h) if h.mode.as_str() == "heat" => heat += 1,
            EntryData::HeatIce(_) => ice += 1,
            EntryData::Hydration(h) => *water.entry(day).or_default() += h.volume_ml,
            EntryData::Massage(m) => massages.push((day, m.clone())),
            EntryData::Condition(c) => conditions.push((day, c.clone())),
            _ => {}
        }
    }
    massages.sort_by_key(|m| m.0);
    conditions.sort_by_key(|c| c.0);
    let water_per_day =
        (!water.is_empty()).then(|| water.values().sum::<u32>() / water.len() as u32);
    let period_entries: Vec<Entry> = live.iter().map(|e| (*e).clone()).collect();
    Report {
        name: name.to_string(),
        period,
        this: headline(entries, &period),
        before: headline(entries, &period.previous()),
        warnings,
        advice,
        weekly: compute(&period_entries, period.from, period.to, Bucket::Week),
        relief: counted(eps.iter().flat_map(|(_, e)| e.relief.iter().copied())),
        stretch_min,
        heat,
        ice,
        water_per_day,
        massages,
        effects: effect::compare(entries, period.to, water_target_ml)
            .iter()
            .map(|e| e.sentence())
            .collect(),
        conditions,
        episodes: eps
            .iter()
            .map(|(x, e)| (x.occurred_at, (*e).clone()))
            .collect(),
    }
}

/// The headline figures as text: (figure, this period, the period before).
pub fn figures(r: &Report) -> Vec<(&'static str, String, String)> {
    let dash = || "–".to_string();
    let mean = |h: &Headline| {
        h.mean_intensity
            .map(|m| format!("{m:.1}"))
            .unwrap_or_else(dash)
    };
    let worst = |h: &Headline| {
        h.worst_intensity
            .map(|w| format!("{w} of 10"))
            .unwrap_or_else(dash)
    };
    let longest = |h: &Headline| {
        h.longest
            .map(crate::domain::entry::human_duration)
            .unwrap_or_else(dash)
    };
    vec![
        (
            "Episodes",
            r.this.episodes.to_string(),
            r.before.episodes.to_string(),
        ),
        ("Mean intensity (0 to 10)", mean(&r.this), mean(&r.before)),
        ("Worst intensity", worst(&r.this), worst(&r.before)),
        ("Longest episode", longest(&r.this), longest(&r.before)),
    ]
}

/// Every episode as text: when, where, intensity, how long, warning signs, triggers and notes.
pub fn episode_rows(r: &Report) -> Vec<[String; 6]> {
    r.episodes
        .iter()
        .map(|(at, e)| {
            let mut notes: Vec<String> = e
                .triggers
                .iter()
                .map(|t| t.label().to_lowercase())
                .collect();
            notes.extend(e.notes.clone());
            [
                at.format("%-d %b %Y %H:%M").to_string(),
                e.body_site.label().to_string(),
                format!("{}/10", e.intensity),
                e.duration_s
                    .map(crate::domain::entry::human_duration)
                    .unwrap_or_else(|| "–".into()),
                e.red_flags
                    .iter()
                    .map(|f| f.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                notes.join("; "),
            ]
        })
        .collect()
}

/// Triggers noted in the period, most first.
pub fn triggers(r: &Report) -> Vec<(Trigger, u32)> {
    r.weekly.by_trigger.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{NewEntry, Pattern};
    use crate::domain::ids::EntryId;
    use chrono::{FixedOffset, TimeZone, Utc};

    fn ep(day: u32, intensity: u8, secs: u32, flags: Vec<RedFlag>) -> Entry {
        let n = NewEntry {
            id: EntryId::new_v7(),
            occurred_at: FixedOffset::east_opt(3600)
                .unwrap()
                .with_ymd_and_hms(2026, 5, day, 8, 0, 0)
                .unwrap(),
            data: EntryData::Episode(Episode {
                body_site: BodySite::CalfLeft,
                intensity,
                duration_s: Some(secs),
                pattern: Some(Pattern::Cramp),
                triggers: vec![Trigger::Exercise],
                red_flags: flags,
                relief: vec![Relief::Stretch],
                notes: None,
            }),
        };
        Entry {
            id: n.id,
            occurred_at: n.occurred_at,
            data: n.data,
            version: 1,
            deleted: false,
            seq: 1,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn headline_figures_compare_the_period_with_the_one_before() {
        let p = Period::new(
            NaiveDate::from_ymd_opt(2026, 5, 11).unwrap(),
            NaiveDate::from_ymd_opt(2026, 5, 20).unwrap(),
        )
        .unwrap();
        assert_eq!(
            p.previous().from,
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
        );
        let list = vec![
            ep(2, 3, 60, vec![]),
            ep(12, 4, 30, vec![]),
            ep(15, 8, 900, vec![RedFlag::Numbness]),
        ];
        let r = build("Ana", &list, p, &Evaluation::default(), 2000);
        assert_eq!(r.this.episodes, 2);
        assert_eq!(r.this.mean_intensity, Some(6.0));
        assert_eq!(r.this.worst_intensity, Some(8));
        assert_eq!(r.this.longest, Some(900));
        assert_eq!(r.before.episodes, 1);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].signs, vec![RedFlag::Numbness]);
        assert_eq!(
            r.weekly.episodes, 2,
            "the same count as the trends of the period"
        );
        assert_eq!(r.relief, vec![(Relief::Stretch, 2)]);
        assert_eq!(r.episodes.len(), 2);
    }

    #[test]
    fn a_period_ends_after_it_starts_and_spans_at_most_five_years() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(Period::new(d(2026, 5, 2), d(2026, 5, 1)).is_err());
        assert!(Period::new(d(2020, 1, 1), d(2026, 5, 1)).is_err());
        assert_eq!(Period::new(d(2026, 5, 1), d(2026, 5, 1)).unwrap().days(), 1);
    }
}
