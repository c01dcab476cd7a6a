//! A demo journal: months of realistic entries, reproducible for a seed (the demo accounts and
//! the benchmarks use it).

use crate::domain::entry::*;
use crate::domain::ids::EntryId;
use crate::domain::time::LocalZone;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};

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

/// Writes a demo journal day by day (the random draws happen in a fixed order per day).
struct Writer {
    zone: LocalZone,
    rng: Rng,
    now: DateTime<Utc>,
    out: Vec<NewEntry>,
}

const SITES: [BodySite; 6] = [
    BodySite::CalfLeft,
    BodySite::CalfRight,
    BodySite::HamstringLeft,
    BodySite::Neck,
    BodySite::LowerBack,
    BodySite::FootRight,
];

impl Writer {
    fn at(&self, day: NaiveDate, h: u32, m: u32) -> Option<DateTime<FixedOffset>> {
        self.zone
            .resolve(day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()))
            .ok()
    }

    /// Logs `data` at `t` unless that lies after `now`.
    fn push(&mut self, t: Option<DateTime<FixedOffset>>, data: EntryData) {
        if let Some(t) = t
            && t.with_timezone(&Utc) <= self.now
        {
            self.out.push(NewEntry {
                id: EntryId::new_v7(),
                occurred_at: t,
                data,
            });
        }
    }

    fn water(&mut self, day: NaiveDate) {
        for _ in 0..self.rng.below(5) + 2 {
            let h = 7 + self.rng.below(14) as u32;
            let m = self.rng.below(60) as u32;
            let data = EntryData::Hydration(Hydration {
                volume_ml: self.rng.pick(&[200, 250, 330, 500]),
                electrolytes: self.rng.chance(10),
            });
            self.push(self.at(day, h, m), data);
        }
    }

    fn stretch(&mut self, day: NaiveDate, training: bool) {
        if self.rng.chance(if training { 55 } else { 30 }) {
            let data = EntryData::Stretch(Stretch {
                minutes: self.rng.pick(&[5, 10, 15, 20]),
                body_sites: vec![
                    BodySite::CalfLeft,
                    BodySite::CalfRight,
                    BodySite::HamstringLeft,
                ],
                routine: None,
            });
            self.push(self.at(day, 7, 15), data);
        }
    }

    fn triggers(&mut self, site: BodySite, training: bool) -> Vec<Trigger> {
        let mut triggers = vec![];
        if training && self.rng.chance(50) {
            triggers.push(Trigger::Exercise);
        }
        if self.rng.chance(25) {
            triggers.push(Trigger::Dehydration);
        }
        if site == BodySite::Neck || site == BodySite::LowerBack {
            triggers.push(Trigger::ProlongedPosition);
        }
        if self.rng.chance(15) {
            triggers.push(Trigger::Stress);
        }
        triggers
    }

    /// Spasms get more frequent in the last two months (a worsening the rules can find).
    fn episode(&mut self, day: NaiveDate, back: i64, training: bool) {
        if !self.rng.chance(if back < 60 { 45 } else { 25 }) {
            return;
        }
        let site = self.rng.pick(&SITES);
        let intensity = (3 + self.rng.below(5) + if back < 30 { 1 } else { 0 }) as u8;
        let night = self.rng.chance(40);
        let (h, m) = if night {
            (2 + self.rng.below(3) as u32, self.rng.below(60) as u32)
        } else {
            (12 + self.rng.below(9) as u32, self.rng.below(60) as u32)
        };
        let triggers = self.triggers(site, training);
        let relief = if self.rng.chance(70) {
            vec![Relief::Stretch]
        } else {
            vec![Relief::Heat, Relief::Rest]
        };
        let duration_s = Some(self.rng.pick(&[20, 45, 60, 120, 300]));
        let pattern = Some(if night {
            Pattern::Cramp
        } else {
            self.rng
                .pick(&[Pattern::Cramp, Pattern::Tonic, Pattern::Clonic])
        });
        let data = EntryData::Episode(Episode {
            body_site: site,
            intensity,
            duration_s,
            pattern,
            triggers,
            red_flags: vec![],
            relief: relief.clone(),
            notes: night.then(|| "Woke me up.".to_string()),
        });
        self.push(self.at(day, h, m), data);
        if relief.contains(&Relief::Heat) {
            let data = EntryData::HeatIce(HeatIce {
                mode: HeatIceMode::Heat,
                minutes: 10,
                body_site: Some(site),
            });
            self.push(self.at(day, (h + 1).min(23), m), data);
        }
    }

    /// A massage every two weeks, deep tissue every four.
    fn massage(&mut self, day: NaiveDate, back: i64) {
        if back % 14 != 3 {
            return;
        }
        let deep = back % 28 == 3;
        let data = EntryData::Massage(Massage {
            technique: if deep {
                Technique::DeepTissue
            } else {
                Technique::Swedish
            },
            duration_min: Some(60),
            pressure: Some(if deep {
                Pressure::Firm
            } else {
                Pressure::Medium
            }),
            body_sites: vec![BodySite::CalfLeft, BodySite::CalfRight, BodySite::Neck],
            therapist: Some("Sam (Unknot demo)".into()),
            notes: None,
        });
        self.push(self.at(day, 17, 30), data);
    }

    fn flu(&mut self, day: NaiveDate) {
        let end = self
            .at(day + Duration::days(4), 9, 0)
            .map(|t| crate::domain::time::rfc3339(&t));
        let data = EntryData::Condition(Condition {
            status: ConditionStatus::Unwell,
            ended_at: end,
            body_site: None,
            notes: Some("Flu, stayed in bed.".into()),
        });
        self.push(self.at(day, 8, 0), data);
    }
}

/// `days` days of realistic entries ending at `now` (reproducible for a given `seed`), plus an
/// upcoming event. Used by the demo and by the benchmarks.
pub fn history(now: DateTime<Utc>, days: i64, seed: u64) -> Vec<NewEntry> {
    let zone = LocalZone::pick(Some(DEMO_TZ), None);
    let today = zone.at(now).date_naive();
    let mut w = Writer {
        zone,
        rng: Rng(seed.max(1)),
        now,
        out: Vec::new(),
    };
    for back in (0..days).rev() {
        let day = today - Duration::days(back);
        let training = back < 90;
        w.water(day);
        w.stretch(day, training);
        w.episode(day, back, training);
        w.massage(day, back);
        if back == 75 {
            w.flu(day);
        }
    }
    // An upcoming race, which only the future may hold.
    if let Some(t) = w.at(today + Duration::days(8), 9, 0) {
        w.out.push(NewEntry {
            id: EntryId::new_v7(),
            occurred_at: t,
            data: EntryData::Event(Event {
                name: "Half marathon".into(),
            }),
        });
    }
    w.out
}
