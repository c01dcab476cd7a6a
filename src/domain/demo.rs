//! A demo journal: months of realistic entries, reproducible for a seed (the demo accounts and
//! the benchmarks use it).

use crate::domain::entry::*;
use crate::domain::ids::EntryId;
use crate::domain::time::LocalZone;
use chrono::{DateTime, Duration, NaiveTime, Utc};

/// Time zone of the demo client.
pub const DEMO_TZ: &str = "Europe/London";

/// A small deterministic generator (xorshift), so the demo is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Six months of entries ending at `now`, plus an upcoming event.
pub fn demo_entries(now: DateTime<Utc>) -> Vec<NewEntry> {
    history(now, 182, 0x5eed_cafe_f00d_1234)
}

/// `days` days of realistic entries ending at `now` (reproducible for a given `seed`), plus an
/// upcoming event. Used by the demo and by the benchmarks.
pub fn history(now: DateTime<Utc>, days: i64, seed: u64) -> Vec<NewEntry> {
    let zone = LocalZone::pick(Some(DEMO_TZ), None);
    let mut rng = Rng(seed.max(1));
    let mut out = Vec::new();
    let today = zone.at(now).date_naive();
    let at = |day: chrono::NaiveDate, h: u32, m: u32| {
        zone.resolve(day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()))
            .ok()
    };
    let push = |out: &mut Vec<NewEntry>,
                t: Option<chrono::DateTime<chrono::FixedOffset>>,
                data: EntryData| {
        if let Some(t) = t
            && t.with_timezone(&Utc) <= now
        {
            out.push(NewEntry {
                id: EntryId::new_v7(),
                occurred_at: t,
                data,
            });
        }
    };
    let sites = [
        BodySite::CalfLeft,
        BodySite::CalfRight,
        BodySite::HamstringLeft,
        BodySite::Neck,
        BodySite::LowerBack,
        BodySite::FootRight,
    ];
    for back in (0..days).rev() {
        let day = today - Duration::days(back);
        // Spasms get more frequent in the last two months (a worsening the rules can find).
        let episode_chance = if back < 60 { 45 } else { 25 };
        let marathon_training = back < 90;
        for _ in 0..rng.below(5) + 2 {
            let h = 7 + rng.below(14) as u32;
            push(
                &mut out,
                at(day, h, rng.below(60) as u32),
                EntryData::Hydration(Hydration {
                    volume_ml: rng.pick(&[200, 250, 330, 500]),
                    electrolytes: rng.chance(10),
                }),
            );
        }
        if rng.chance(if marathon_training { 55 } else { 30 }) {
            push(
                &mut out,
                at(day, 7, 15),
                EntryData::Stretch(Stretch {
                    minutes: rng.pick(&[5, 10, 15, 20]),
                    body_sites: vec![
                        BodySite::CalfLeft,
                        BodySite::CalfRight,
                        BodySite::HamstringLeft,
                    ],
                    routine: None,
                }),
            );
        }
        if rng.chance(episode_chance) {
            let site = rng.pick(&sites);
            let intensity = (3 + rng.below(5) + if back < 30 { 1 } else { 0 }) as u8;
            let night = rng.chance(40);
            let (h, m) = if night {
                (2 + rng.below(3) as u32, rng.below(60) as u32)
            } else {
                (12 + rng.below(9) as u32, rng.below(60) as u32)
            };
            let mut triggers = vec![];
            if marathon_training && rng.chance(50) {
                triggers.push(Trigger::Exercise);
            }
            if rng.chance(25) {
                triggers.push(Trigger::Dehydration);
            }
            if site == BodySite::Neck || site == BodySite::LowerBack {
                triggers.push(Trigger::ProlongedPosition);
            }
            if rng.chance(15) {
                triggers.push(Trigger::Stress);
            }
            let relief = if rng.chance(70) {
                vec![Relief::Stretch]
            } else {
                vec![Relief::Heat, Relief::Rest]
            };
            push(
                &mut out,
                at(day, h, m),
                EntryData::Episode(Episode {
                    body_site: site,
                    intensity,
                    duration_s: Some(rng.pick(&[20, 45, 60, 120, 300])),
                    pattern: Some(if night {
                        Pattern::Cramp
                    } else {
                        rng.pick(&[Pattern::Cramp, Pattern::Tonic, Pattern::Clonic])
                    }),
                    triggers,
                    red_flags: vec![],
                    relief: relief.clone(),
                    notes: night.then(|| "Woke me up.".to_string()),
                }),
            );
            if relief.contains(&Relief::Heat) {
                push(
                    &mut out,
                    at(day, (h + 1).min(23), m),
                    EntryData::HeatIce(HeatIce {
                        mode: HeatIceMode::Heat,
                        minutes: 10,
                        body_site: Some(site),
                    }),
                );
            }
        }
        if back % 14 == 3 {
            push(
                &mut out,
                at(day, 17, 30),
                EntryData::Massage(Massage {
                    technique: if back % 28 == 3 {
                        Technique::DeepTissue
                    } else {
                        Technique::Swedish
                    },
                    duration_min: Some(60),
                    pressure: Some(if back % 28 == 3 {
                        Pressure::Firm
                    } else {
                        Pressure::Medium
                    }),
                    body_sites: vec![BodySite::CalfLeft, BodySite::CalfRight, BodySite::Neck],
                    therapist: Some("Sam (Unknot demo)".into()),
                    notes: None,
                }),
            );
        }
        if back == 75 {
            let end = at(day + Duration::days(4), 9, 0).map(|t| crate::domain::time::rfc3339(&t));
            push(
                &mut out,
                at(day, 8, 0),
                EntryData::Condition(Condition {
                    status: ConditionStatus::Unwell,
                    ended_at: end,
                    body_site: None,
                    notes: Some("Flu, stayed in bed.".into()),
                }),
            );
        }
    }
    // An upcoming race, which only the future may hold.
    if let Some(t) = at(today + Duration::days(8), 9, 0) {
        out.push(NewEntry {
            id: EntryId::new_v7(),
            occurred_at: t,
            data: EntryData::Event(Event {
                name: "Half marathon".into(),
            }),
        });
    }
    out
}
