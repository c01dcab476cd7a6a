//! Self-care effect: for each kind of self-care, the episode rate in the 48 hours after days with
//! it against days without it, over the last 90 days. An observation, never a claim of cause.

use crate::domain::entry::Entry;
use crate::domain::trends::Days;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// Fewer days than this on either side and nothing is said.
pub const MIN_DAYS: usize = 3;
/// The window looked at.
pub const DAYS: i64 = 90;

/// The kinds of self-care compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Care {
    Stretch,
    Heat,
    Ice,
    Hydration,
    Massage,
}

impl Care {
    const ALL: [Care; 5] = [
        Care::Stretch,
        Care::Heat,
        Care::Ice,
        Care::Hydration,
        Care::Massage,
    ];
    /// What the days "with it" are.
    pub fn label(self) -> &'static str {
        match self {
            Care::Stretch => "stretched",
            Care::Heat => "used heat",
            Care::Ice => "used ice",
            Care::Hydration => "drank 2 litres or more",
            Care::Massage => "had a massage",
        }
    }
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Care::Stretch => "stretch",
            Care::Heat => "heat",
            Care::Ice => "ice",
            Care::Hydration => "hydration",
            Care::Massage => "massage",
        }
    }
}

/// How the rates compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Fewer,
    AboutTheSame,
    More,
}

impl Verdict {
    /// In words.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fewer => "fewer",
            Verdict::AboutTheSame => "about the same",
            Verdict::More => "more",
        }
    }
}

/// One comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    pub care: Care,
    pub days_with: usize,
    pub days_without: usize,
    /// Episodes in the 48 hours after, per day.
    pub rate_with: f64,
    pub rate_without: f64,
    pub verdict: Verdict,
}

impl Effect {
    /// One sentence, worded as an observation.
    pub fn sentence(&self) -> String {
        format!(
            "On the {} days you {}, you logged {:.1} episodes in the next 48 hours on average; on the other {} days, {:.1}. That is {} — an observation from your journal, not proof of cause.",
            self.days_with,
            self.care.label(),
            self.rate_with,
            self.days_without,
            self.rate_without,
            self.verdict.as_str()
        )
    }
}

/// Compares every kind of self-care over the 90 dates ending two dates before `today`
/// (so every day's following 48 hours are complete). Kinds without enough days are left out.
pub fn compare(entries: &[Entry], today: NaiveDate, water_target_ml: u32) -> Vec<Effect> {
    compare_days(&Days::fold(entries), today, water_target_ml)
}

/// [`compare`] over a journal already folded by date.
pub fn compare_days(days: &Days, today: NaiveDate, water_target_ml: u32) -> Vec<Effect> {
    let last = today - Duration::days(2);
    let first = last - Duration::days(DAYS - 1);
    let mut done: BTreeMap<&'static str, BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut episodes: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for (d, _) in &days.episodes {
        *episodes.entry(*d).or_default() += 1;
    }
    for (d, c) in &days.care {
        for (care, yes) in [
            (Care::Stretch, c.stretches > 0),
            (Care::Heat, c.heat > 0),
            (Care::Ice, c.ice > 0),
            (Care::Massage, c.massage > 0),
            (
                Care::Hydration,
                c.water_ml > 0 && c.water_ml >= water_target_ml,
            ),
        ] {
            if yes {
                done.entry(care.as_str()).or_default().insert(*d);
            }
        }
    }
    let after = |d: NaiveDate| -> u32 {
        (1..=2)
            .map(|k| episodes.get(&(d + Duration::days(k))).copied().unwrap_or(0))
            .sum()
    };
    let mut out = Vec::new();
    for care in Care::ALL {
        let days = done.get(care.as_str()).cloned().unwrap_or_default();
        let (mut with, mut without) = (Vec::new(), Vec::new());
        let mut d = first;
        while d <= last {
            if days.contains(&d) {
                with.push(after(d))
            } else {
                without.push(after(d))
            }
            d += Duration::days(1);
        }
        if with.len() < MIN_DAYS || without.len() < MIN_DAYS {
            continue;
        }
        let mean = |v: &[u32]| f64::from(v.iter().sum::<u32>()) / v.len() as f64;
        let (rw, ro) = (mean(&with), mean(&without));
        let verdict = if (rw - ro).abs() <= 0.2 * ro.max(rw).max(0.1) {
            Verdict::AboutTheSame
        } else if rw < ro {
            Verdict::Fewer
        } else {
            Verdict::More
        };
        out.push(Effect {
            care,
            days_with: with.len(),
            days_without: without.len(),
            rate_with: rw,
            rate_without: ro,
            verdict,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{BodySite, EntryData, Episode, Stretch};
    use crate::domain::ids::EntryId;
    use chrono::{DateTime, Utc};

    fn at(d: NaiveDate, data: EntryData) -> Entry {
        let t = DateTime::parse_from_rfc3339(&format!("{d}T10:00:00+01:00")).unwrap();
        Entry {
            id: EntryId::new_v7(),
            occurred_at: t,
            data,
            version: 1,
            deleted: false,
            seq: 1,
            updated_at: Utc::now(),
        }
    }

    fn episode(d: NaiveDate) -> Entry {
        at(
            d,
            EntryData::Episode(Episode {
                body_site: BodySite::Neck,
                intensity: 4,
                duration_s: None,
                pattern: None,
                triggers: vec![],
                red_flags: vec![],
                relief: vec![],
                notes: None,
            }),
        )
    }

    #[test]
    fn stretching_days_followed_by_fewer_episodes_read_as_fewer_with_counts() {
        let today: NaiveDate = "2026-05-12".parse().unwrap();
        let mut entries = Vec::new();
        // Stretch every 10th day; episodes on every day except the two after a stretch.
        for k in 2..92 {
            let d = today - Duration::days(k);
            if k % 10 == 0 {
                entries.push(at(
                    d,
                    EntryData::Stretch(Stretch {
                        minutes: 5,
                        body_sites: vec![],
                        routine: None,
                    }),
                ));
            }
            let after_stretch = (k + 1) % 10 == 0 || (k + 2) % 10 == 0;
            if !after_stretch {
                entries.push(episode(d));
            }
        }
        let effects = compare(&entries, today, 2000);
        let s = effects
            .iter()
            .find(|e| e.care == Care::Stretch)
            .expect("enough days on both sides");
        assert_eq!(s.days_with, 9);
        assert_eq!(s.days_without, 81);
        assert_eq!(s.verdict, Verdict::Fewer);
        assert!(s.sentence().contains("not proof of cause"));
        assert!(
            effects.iter().all(|e| e.care != Care::Heat),
            "no heat logged: nothing said"
        );
    }

    #[test]
    fn fewer_than_three_days_on_a_side_says_nothing() {
        let today: NaiveDate = "2026-05-12".parse().unwrap();
        let entries = vec![
            at(
                today - Duration::days(5),
                EntryData::Stretch(Stretch {
                    minutes: 5,
                    body_sites: vec![],
                    routine: None,
                }),
            ),
            at(
                today - Duration::days(6),
                EntryData::Stretch(Stretch {
                    minutes: 5,
                    body_sites: vec![],
                    routine: None,
                }),
            ),
        ];
        assert!(compare(&entries, today, 2000).is_empty());
    }
}
