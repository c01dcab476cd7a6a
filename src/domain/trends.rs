//! Trends over a client's journal: counts and intensities per bucket, by body site, trigger and
//! hour of day, water per day and self-care per bucket. Every entry counts on its own local date.

use crate::domain::entry::{BodySite, Entry, EntryData, HeatIceMode, Trigger};
use chrono::{Datelike, Duration, NaiveDate, Timelike};
use std::collections::BTreeMap;

/// Bucket size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    /// Parses `day`, `week` or `month`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }
    /// The first date of the bucket holding `d` (weeks start on Monday).
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Bucket::Month => d.with_day(1).unwrap_or(d),
        }
    }
    /// The first date of the next bucket.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Duration::days(1),
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => {
                let (y, m) = if start.month() == 12 {
                    (start.year() + 1, 1)
                } else {
                    (start.year(), start.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(start + Duration::days(31))
            }
        }
    }
}

/// One bucket's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketStat {
    pub start: NaiveDate,
    pub episodes: u32,
    pub mean_intensity: Option<f64>,
    pub max_intensity: Option<u8>,
    pub water_ml: u32,
    pub stretch_min: u32,
    pub heat: u32,
    pub ice: u32,
    pub massage: u32,
}

/// Trends over `from..=to` (local dates).
#[derive(Clone, Debug, PartialEq)]
pub struct Trends {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub bucket: Bucket,
    pub series: Vec<BucketStat>,
    pub by_body_site: Vec<(BodySite, u32)>,
    pub by_trigger: Vec<(Trigger, u32)>,
    /// Episodes per 2-hour slot of the local day (index 0 = 00:00–01:59).
    pub by_hour: [u32; 12],
    pub episodes: u32,
}

/// What one local date's self-care and water add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayCare {
    pub water_ml: u32,
    pub stretches: u32,
    pub stretch_min: u32,
    pub heat: u32,
    pub ice: u32,
    pub massage: u32,
}

impl DayCare {
    fn add(&mut self, o: &DayCare) {
        self.water_ml += o.water_ml;
        self.stretches += o.stretches;
        self.stretch_min += o.stretch_min;
        self.heat += o.heat;
        self.ice += o.ice;
        self.massage += o.massage;
    }
}

/// What the charts read of one episode: its hour, intensity, place and triggers.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub hour: u32,
    pub intensity: u8,
    pub body_site: BodySite,
    pub triggers: Vec<Trigger>,
}

/// Live entries folded by local date in one pass: every date's self-care and water added up,
/// and what the charts read of each episode (the only entries they look at one by one). A busy
/// day of drinks costs one pass, whatever number of charts are drawn from it. It borrows
/// nothing, so it can be folded from the journal kept in memory without copying the entries.
#[derive(Clone, Debug, Default)]
pub struct Days {
    pub care: BTreeMap<NaiveDate, DayCare>,
    /// Episodes with their local date, in the order given.
    pub episodes: Vec<(NaiveDate, Mark)>,
}

impl Days {
    /// Folds `entries` (deleted ones are skipped). Runs of one date, as in a list in time
    /// order, are added up before they touch the map.
    pub fn fold<'e>(entries: impl IntoIterator<Item = &'e Entry>) -> Self {
        let mut out = Days::default();
        let mut run: Option<(NaiveDate, DayCare)> = None;
        for e in entries.into_iter().filter(|e| !e.deleted) {
            let d = e.occurred_at.date_naive();
            let mut care = DayCare::default();
            match &e.data {
                EntryData::Episode(ep) => {
                    let mark = Mark {
                        hour: e.occurred_at.hour(),
                        intensity: ep.intensity,
                        body_site: ep.body_site,
                        triggers: ep.triggers.clone(),
                    };
                    out.episodes.push((d, mark));
                    continue;
                }
                EntryData::Hydration(h) => care.water_ml = h.volume_ml,
                EntryData::Stretch(s) => {
                    care.stretches = 1;
                    care.stretch_min = s.minutes;
                }
                EntryData::HeatIce(h) if h.mode == HeatIceMode::Heat => care.heat = 1,
                EntryData::HeatIce(_) => care.ice = 1,
                EntryData::Massage(_) => care.massage = 1,
                _ => continue,
            }
            match &mut run {
                Some((day, sum)) if *day == d => sum.add(&care),
                _ => {
                    if let Some((day, sum)) = run.replace((d, care)) {
                        out.care.entry(day).or_default().add(&sum);
                    }
                }
            }
        }
        if let Some((day, sum)) = run {
            out.care.entry(day).or_default().add(&sum);
        }
        out
    }

    /// Adds `later` (folded from entries after this one's) to this.
    pub fn merge(&mut self, later: Days) {
        for (d, c) in later.care {
            self.care.entry(d).or_default().add(&c);
        }
        self.episodes.extend(later.episodes);
    }

    /// Trends over `from..=to`.
    pub fn trends(&self, from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Trends {
        let mut series: BTreeMap<NaiveDate, BucketStat> = BTreeMap::new();
        let mut start = bucket.start(from);
        while start <= to {
            series.insert(
                start,
                BucketStat {
                    start,
                    ..Default::default()
                },
            );
            start = bucket.next(start);
        }
        if from > to {
            return Trends::empty(from, to, bucket, series);
        }
        for (d, c) in self.care.range(from..=to) {
            if let Some(stat) = series.get_mut(&bucket.start(*d)) {
                stat.water_ml += c.water_ml;
                stat.stretch_min += c.stretch_min;
                stat.heat += c.heat;
                stat.ice += c.ice;
                stat.massage += c.massage;
            }
        }
        let mut intensity_sum: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        let mut sites: BTreeMap<BodySite, u32> = BTreeMap::new();
        let mut triggers: BTreeMap<Trigger, u32> = BTreeMap::new();
        let mut by_hour = [0u32; 12];
        let mut total = 0;
        for (d, ep) in self.episodes.iter().filter(|(d, _)| *d >= from && *d <= to) {
            let Some(stat) = series.get_mut(&bucket.start(*d)) else {
                continue;
            };
            total += 1;
            stat.episodes += 1;
            stat.max_intensity = Some(stat.max_intensity.unwrap_or(0).max(ep.intensity));
            *intensity_sum.entry(stat.start).or_default() += u32::from(ep.intensity);
            *sites.entry(ep.body_site).or_default() += 1;
            for t in &ep.triggers {
                *triggers.entry(*t).or_default() += 1;
            }
            by_hour[(ep.hour / 2) as usize] += 1;
        }
        for (key, sum) in intensity_sum {
            if let Some(stat) = series.get_mut(&key)
                && stat.episodes > 0
            {
                stat.mean_intensity = Some(f64::from(sum) / f64::from(stat.episodes));
            }
        }
        let mut by_body_site: Vec<_> = sites.into_iter().collect();
        by_body_site.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut by_trigger: Vec<_> = triggers.into_iter().collect();
        by_trigger.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Trends {
            by_body_site,
            by_trigger,
            by_hour,
            episodes: total,
            ..Trends::empty(from, to, bucket, series)
        }
    }

    /// Episodes in the last `days` local dates (today included) and in the `days` before those.
    pub fn compare_periods(&self, today: NaiveDate, days: i64) -> (u32, u32) {
        let recent_from = today - Duration::days(days - 1);
        let earlier_from = recent_from - Duration::days(days);
        let mut out = (0, 0);
        for (d, _) in &self.episodes {
            if *d >= recent_from && *d <= today {
                out.0 += 1;
            } else if *d >= earlier_from && *d < recent_from {
                out.1 += 1;
            }
        }
        out
    }
}

impl Trends {
    fn empty(
        from: NaiveDate,
        to: NaiveDate,
        bucket: Bucket,
        series: BTreeMap<NaiveDate, BucketStat>,
    ) -> Self {
        Trends {
            from,
            to,
            bucket,
            series: series.into_values().collect(),
            by_body_site: Vec::new(),
            by_trigger: Vec::new(),
            by_hour: [0; 12],
            episodes: 0,
        }
    }
}

/// Computes trends from entries (deleted ones and those outside the range are skipped).
pub fn compute(entries: &[Entry], from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Trends {
    Days::fold(entries).trends(from, to, bucket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{Episode, Hydration};
    use crate::domain::ids::EntryId;
    use chrono::{DateTime, Utc};

    fn at(s: &str, data: EntryData) -> Entry {
        Entry {
            id: EntryId::new_v7(),
            occurred_at: DateTime::parse_from_rfc3339(s).unwrap(),
            data,
            version: 1,
            deleted: false,
            seq: 1,
            updated_at: Utc::now(),
        }
    }

    fn ep(s: &str, site: BodySite, intensity: u8, triggers: Vec<Trigger>) -> Entry {
        at(
            s,
            EntryData::Episode(Episode {
                body_site: site,
                intensity,
                duration_s: None,
                pattern: None,
                triggers,
                red_flags: vec![],
                relief: vec![],
                notes: None,
            }),
        )
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_day_adds_up_the_same_whatever_order_its_entries_come_in() {
        let water = |t: &str, ml| {
            at(
                t,
                EntryData::Hydration(Hydration {
                    volume_ml: ml,
                    electrolytes: false,
                }),
            )
        };
        let stretch = |t: &str| {
            at(
                t,
                EntryData::Stretch(crate::domain::entry::Stretch {
                    minutes: 5,
                    body_sites: vec![],
                    routine: None,
                }),
            )
        };
        let mut deleted = water("2026-05-12T10:00:00Z", 4000);
        deleted.deleted = true;
        let entries = vec![
            water("2026-05-11T08:00:00Z", 250),
            water("2026-05-11T09:00:00Z", 250),
            stretch("2026-05-11T10:00:00Z"),
            ep("2026-05-11T11:00:00Z", BodySite::Neck, 5, vec![]),
            water("2026-05-11T12:00:00Z", 500),
            // Still the 11th in UTC, already the 12th where it was logged.
            water("2026-05-12T00:30:00+02:00", 300),
            water("2026-05-12T07:00:00Z", 200),
            deleted,
            stretch("2026-05-12T08:00:00Z"),
            stretch("2026-05-12T09:00:00Z"),
        ];
        let folded = Days::fold(&entries);
        let on = |s: &str| folded.care.get(&d(s)).copied().unwrap_or_default();
        assert_eq!(
            (on("2026-05-11").water_ml, on("2026-05-11").stretches),
            (1000, 1)
        );
        assert_eq!(
            (on("2026-05-12").water_ml, on("2026-05-12").stretch_min),
            (500, 10),
            "a deleted drink does not count"
        );
        assert_eq!(folded.episodes.len(), 1);
        let want = compute(&entries, d("2026-05-11"), d("2026-05-12"), Bucket::Day);
        let mut reversed = entries.clone();
        reversed.reverse();
        let mut interleaved = entries.clone();
        interleaved.sort_by_key(|e| e.occurred_at.timestamp() % 7);
        for other in [reversed, interleaved] {
            let got = compute(&other, d("2026-05-11"), d("2026-05-12"), Bucket::Day);
            assert_eq!(got, want);
        }
        assert_eq!(
            want.series.iter().map(|s| s.water_ml).collect::<Vec<_>>(),
            vec![1000, 500]
        );
        // The trends page folds the older episodes and the recent days apart, then merges.
        for split in 0..=entries.len() {
            let mut merged = Days::fold(&entries[..split]);
            merged.merge(Days::fold(&entries[split..]));
            let got = merged.trends(d("2026-05-11"), d("2026-05-12"), Bucket::Day);
            assert_eq!(got, want, "split after {split} entries");
        }
    }

    #[test]
    fn weekly_buckets_start_on_monday_and_use_each_entrys_local_date() {
        let entries = vec![
            ep(
                "2026-05-10T23:30:00+02:00",
                BodySite::CalfLeft,
                4,
                vec![Trigger::Exercise],
            ),
            ep(
                "2026-05-11T00:30:00+02:00",
                BodySite::CalfLeft,
                8,
                vec![Trigger::Exercise, Trigger::Heat],
            ),
            ep("2026-05-13T14:00:00Z", BodySite::Neck, 6, vec![]),
            at(
                "2026-05-13T09:00:00Z",
                EntryData::Hydration(Hydration {
                    volume_ml: 500,
                    electrolytes: false,
                }),
            ),
        ];
        let t = compute(&entries, d("2026-05-04"), d("2026-05-17"), Bucket::Week);
        assert_eq!(t.series.len(), 2);
        assert_eq!(t.series[0].start, d("2026-05-04"));
        assert_eq!(
            t.series[0].episodes, 1,
            "23:30 on Sunday 10 May stays in that week"
        );
        assert_eq!(t.series[1].episodes, 2);
        assert_eq!(t.series[1].mean_intensity, Some(7.0));
        assert_eq!(t.series[1].max_intensity, Some(8));
        assert_eq!(t.series[1].water_ml, 500);
        assert_eq!(
            t.by_body_site,
            vec![(BodySite::CalfLeft, 2), (BodySite::Neck, 1)]
        );
        assert_eq!(
            t.by_trigger,
            vec![(Trigger::Exercise, 2), (Trigger::Heat, 1)]
        );
        assert_eq!(t.by_hour[11], 1, "23:30 local is the 22–24 slot");
        assert_eq!(t.by_hour[0], 1);
        assert_eq!(t.by_hour[7], 1);
    }

    #[test]
    fn months_and_days_cover_the_whole_range_with_empty_buckets() {
        let t = compute(&[], d("2025-12-15"), d("2026-02-03"), Bucket::Month);
        let starts: Vec<String> = t.series.iter().map(|s| s.start.to_string()).collect();
        assert_eq!(starts, vec!["2025-12-01", "2026-01-01", "2026-02-01"]);
        assert_eq!(
            compute(&[], d("2026-02-27"), d("2026-03-02"), Bucket::Day)
                .series
                .len(),
            4
        );
    }

    #[test]
    fn periods_compare_the_last_28_dates_with_the_28_before() {
        let entries = vec![
            ep("2026-05-12T08:00:00Z", BodySite::Neck, 3, vec![]),
            ep("2026-04-15T08:00:00Z", BodySite::Neck, 3, vec![]),
            ep("2026-04-14T08:00:00Z", BodySite::Neck, 3, vec![]),
            ep("2026-03-17T08:00:00Z", BodySite::Neck, 3, vec![]),
        ];
        assert_eq!(
            Days::fold(&entries).compare_periods(d("2026-05-12"), 28),
            (2, 1)
        );
    }
}
