//! What the rules look at: live entries up to `now`, local dates, rolling windows.

use crate::domain::caution::Caution;
use crate::domain::entry::{Entry, EntryData, Episode, Massage};
use crate::domain::rules::Journal;
use crate::domain::time::LocalZone;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use std::cell::OnceCell;

/// How many local dates up to today [`Ctx::on_date`] answers from its index (the rules look
/// back at most 14 dates, or as many as a stretch threshold names).
const INDEXED_DATES: i64 = 15;

/// The evaluation context.
pub struct Ctx<'a> {
    /// The evaluation instant.
    pub now: DateTime<Utc>,
    /// Today's local date (profile time zone, else the offset `now` was given in).
    pub today: NaiveDate,
    /// The zone "today" is read in.
    pub zone: LocalZone,
    /// Live entries at or before `now`, oldest first.
    pub past: Vec<&'a Entry>,
    /// Live events at any time, soonest first.
    pub events: Vec<&'a Entry>,
    /// The episodes of `past`, oldest first (most rules read only these).
    episodes: Vec<(&'a Entry, &'a Episode)>,
    /// Profile cautions.
    pub cautions: &'a [Caution],
    /// The live entries up to now on each of the last [`INDEXED_DATES`] dates and the day
    /// after today (an entry's own date may be ahead of the profile's), oldest first: built on
    /// first use, so rules asking about several recent dates read each entry's date once,
    /// however many entries a day holds.
    recent_dates: OnceCell<Vec<Vec<&'a Entry>>>,
}

/// The UTC instant of an entry.
pub fn at(e: &Entry) -> DateTime<Utc> {
    e.occurred_at.with_timezone(&Utc)
}

/// The entry's own local date.
pub fn date(e: &Entry) -> NaiveDate {
    e.occurred_at.date_naive()
}

/// "12 May".
pub fn day(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

/// "1 episode" / "3 episodes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Left and right count as one region.
pub fn region(site: &str) -> &str {
    site.strip_suffix("_left")
        .or_else(|| site.strip_suffix("_right"))
        .unwrap_or(site)
}

impl<'a> Ctx<'a> {
    /// Builds the context for `journal` at `now`.
    pub fn new(journal: &'a Journal, now: DateTime<FixedOffset>) -> Self {
        let zone = match journal.timezone.as_deref() {
            Some(tz) => LocalZone::pick(Some(tz), None),
            None => LocalZone::Fixed(*now.offset()),
        };
        let now_utc = now.with_timezone(&Utc);
        let mut past: Vec<&Entry> = journal
            .entries
            .iter()
            .filter(|e| !e.deleted && at(e) <= now_utc && !matches!(e.data, EntryData::Event(_)))
            .collect();
        past.sort_by_key(|e| at(e));
        let mut events: Vec<&Entry> = journal
            .entries
            .iter()
            .filter(|e| !e.deleted && matches!(e.data, EntryData::Event(_)))
            .collect();
        events.sort_by_key(|e| at(e));
        let episodes = past
            .iter()
            .filter_map(|e| match &e.data {
                EntryData::Episode(ep) => Some((*e, ep)),
                _ => None,
            })
            .collect();
        Self {
            now: now_utc,
            today: zone.at(now_utc).date_naive(),
            zone,
            past,
            events,
            episodes,
            cautions: &journal.cautions,
            recent_dates: OnceCell::new(),
        }
    }

    /// Whether the profile lists any caution.
    pub fn has_cautions(&self) -> bool {
        !self.cautions.is_empty()
    }

    /// `now - d < t <= now`.
    pub fn within(&self, e: &Entry, d: Duration) -> bool {
        let t = at(e);
        t > self.now - d && t <= self.now
    }

    /// Episodes, oldest first.
    pub fn episodes(&self) -> impl Iterator<Item = (&'a Entry, &'a Episode)> + '_ {
        self.episodes.iter().copied()
    }

    /// Live entries up to now whose own local date is `d`, oldest first.
    pub fn on_date(&self, d: NaiveDate) -> impl Iterator<Item = &'a Entry> + '_ {
        let first = self.today - Duration::days(INDEXED_DATES - 1);
        let slot = |d: NaiveDate| usize::try_from((d - first).num_days()).ok();
        let dates = self.recent_dates.get_or_init(|| {
            let mut dates = vec![Vec::new(); INDEXED_DATES as usize + 1];
            for e in self.near(first, self.today + Duration::days(1)) {
                if let Some(list) = slot(date(e)).and_then(|i| dates.get_mut(i)) {
                    list.push(e);
                }
            }
            dates
        });
        let indexed = slot(d).and_then(|i| dates.get(i));
        let others = indexed
            .is_none()
            .then(|| self.near(d, d).filter(move |e| date(e) == d));
        let indexed = indexed.map_or(&[][..], Vec::as_slice);
        indexed.iter().copied().chain(others.into_iter().flatten())
    }

    /// Live entries up to now whose own local date may fall in `from..=to`. Offsets reach at
    /// most 14 hours either side of UTC, so only entries within a day of those dates are looked at.
    fn near(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &'a Entry> + '_ {
        let utc = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let (lo, hi) = (utc(from - Duration::days(1)), utc(to + Duration::days(2)));
        let first = self.past.partition_point(|e| at(e) < lo);
        let end = self.past.partition_point(|e| at(e) < hi).max(first);
        self.past[first..end].iter().copied()
    }

    /// Episodes after `t`, oldest first.
    pub fn episodes_after(
        &self,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = (&'a Entry, &'a Episode)> + '_ {
        let first = self.episodes.partition_point(|(e, _)| at(e) <= t);
        self.episodes[first..].iter().copied()
    }

    /// Episodes within the last `d`, oldest first.
    pub fn episodes_within(&self, d: Duration) -> Vec<(&'a Entry, &'a Episode)> {
        self.episodes_after(self.now - d).collect()
    }

    /// Massage sessions, oldest first.
    pub fn sessions(&self) -> impl Iterator<Item = (&'a Entry, &'a Massage)> + '_ {
        self.past.iter().filter_map(|e| match &e.data {
            EntryData::Massage(m) => Some((*e, m)),
            _ => None,
        })
    }

    /// The last `n` local dates: today and the `n - 1` before it.
    pub fn last_dates(&self, n: i64) -> Vec<NaiveDate> {
        (0..n.max(0))
            .rev()
            .map(|k| self.today - Duration::days(k))
            .collect()
    }

    /// Which of the 8 rolling 7-day blocks ending at `now` hold an episode (index 0 = newest).
    pub fn weekly_blocks_with_episodes(&self) -> [bool; 8] {
        let mut blocks = [false; 8];
        for (e, _) in self.episodes() {
            let age = self.now - at(e);
            if age < Duration::zero() {
                continue;
            }
            // Block k holds now - 7(k+1) days < t <= now - 7k days, i.e. 7k <= age < 7(k+1) days.
            let micros = age.num_microseconds().unwrap_or(i64::MAX);
            let k = micros / Duration::days(7).num_microseconds().unwrap_or(i64::MAX);
            if (0..8).contains(&k) {
                blocks[k as usize] = true;
            }
        }
        blocks
    }

    /// Total water logged per local date.
    pub fn water_on(&self, d: NaiveDate) -> u32 {
        self.on_date(d).map(|e| e.data.water_ml()).sum()
    }
}
