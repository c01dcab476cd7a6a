//! The recent journal in memory: per user, every live entry of the last 190 days and the
//! newest older massage sessions, kept current from the same change feed devices sync from.
//!
//! A request passes the change sequence it read with the user's session; if the copy is older,
//! only the changes after it are read (usually a few rows), so the home page, suggestions and
//! trends stop re-reading and re-parsing a thousand rows per request. Another instance's writes
//! are seen the same way, because the sequence comes from the database. What [`RecentCache`]
//! answers is exactly what [`entries::for_insight`] and [`entries::in_local_range`] answer.

use crate::domain::entry::{Entry, EntryKind, Logged};
use crate::domain::ids::UserId;
use crate::store::entries::{self, Cursor, INSIGHT_DAYS, OLDER_SESSIONS};
use crate::store::rows::EntryRow;
use crate::store::schema::users;
use crate::store::{Db, DbConn, StoreError};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many days back a copy holds: the insight window (90 days) and the episodes the
/// three-month trends compare with (the 90 days before it).
pub const HELD_DAYS: i64 = 190;

/// How many days beyond what is asked a copy holds, so it serves for days before a reload.
const MARGIN_DAYS: i64 = 10;

/// Users whose recent journal one instance keeps (the least recently used are dropped).
pub const CACHED_USERS: usize = 128;

/// Entry copies one instance keeps in all (about 300 bytes each): past this, the least
/// recently used users' copies are dropped.
pub const CACHED_ENTRIES: usize = 100_000;

/// The most entries read from the database for one span the copy does not hold (a day).
const SPAN_MOST: i64 = 100_000;

/// One user's recent journal.
#[derive(Debug, Default)]
pub struct Recent {
    /// The user's change sequence this copy reflects; `None` until loaded.
    seq: Option<i64>,
    /// Every live entry after this instant (UTC) is here.
    since: NaiveDateTime,
    /// Live entries after `since`, by time, then id.
    entries: Vec<Entry>,
    /// The newest live massage sessions at or before `since`, newest first.
    older_sessions: Vec<Entry>,
    /// The last insight answer and the window start it was cut at.
    insight: Option<(NaiveDateTime, Arc<Vec<Entry>>)>,
}

/// What a change did to the copy.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The copy is current.
    Current,
    /// The change touched the older sessions; the copy must be loaded again.
    Reload,
}

fn at(e: &Entry) -> NaiveDateTime {
    e.occurred_at.naive_utc()
}

/// By time, then id (a UUID's bytes sort as its text does, the database's order).
fn order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    (at(a), a.id).cmp(&(at(b), b.id))
}

/// Applies the change `e` to the insight answer cut at window start `w`, in place unless an
/// evaluation still holds it; false if the answer must be cut again (the change touches the
/// massage sessions before the window, which are chosen by how recent they are).
fn patch_insight(list: &mut Arc<Vec<Entry>>, w: NaiveDateTime, e: &Entry) -> bool {
    let older = list.partition_point(|x| at(x) <= w);
    let is_massage = e.kind() == EntryKind::Massage;
    if list[..older].iter().any(|x| x.id == e.id) || (is_massage && !e.deleted && at(e) <= w) {
        return false;
    }
    let list = Arc::make_mut(list);
    if let Some(i) = list[older..].iter().position(|x| x.id == e.id) {
        list.remove(older + i);
    }
    if !e.deleted && at(e) > w {
        let i = list.partition_point(|x| order(x, e) == std::cmp::Ordering::Less);
        list.insert(i, e.clone());
    }
    true
}

impl Recent {
    /// A copy from what the database holds at `seq`.
    pub fn new(seq: i64, since: NaiveDateTime, mut recent: Vec<Entry>, older: Vec<Entry>) -> Self {
        recent.retain(|e| !e.deleted && at(e) > since);
        recent.sort_by(order);
        Self {
            seq: Some(seq),
            since,
            entries: recent,
            older_sessions: older,
            insight: None,
        }
    }

    /// How many entry copies this holds (the insight answer included).
    pub fn size(&self) -> usize {
        self.entries.len()
            + self.older_sessions.len()
            + self.insight.as_ref().map_or(0, |(_, l)| l.len())
    }

    /// Whether the copy reflects at least `seq` and holds everything after `from`.
    pub fn covers(&self, seq: i64, from: NaiveDateTime) -> bool {
        self.seq.is_some_and(|s| s >= seq) && self.since <= from
    }

    /// Applies the latest state of changed entries, read up to sequence `seq`.
    pub fn apply(&mut self, seq: i64, changes: Vec<Entry>) -> Applied {
        let Some(mine) = self.seq else {
            return Applied::Reload;
        };
        for e in changes.into_iter().filter(|e| e.seq > mine) {
            if self.older_sessions.iter().any(|o| o.id == e.id) {
                return Applied::Reload;
            }
            if let Some((w, list)) = &mut self.insight
                && !patch_insight(list, *w, &e)
            {
                self.insight = None;
            }
            self.entries.retain(|x| x.id != e.id);
            if e.deleted {
                continue;
            }
            if at(&e) > self.since {
                let i = self
                    .entries
                    .partition_point(|x| order(x, &e) == std::cmp::Ordering::Less);
                self.entries.insert(i, e);
            } else if e.kind() == EntryKind::Massage {
                return Applied::Reload;
            }
        }
        self.seq = Some(mine.max(seq));
        Applied::Current
    }

    /// [`entries::for_insight`] at `now`: live entries of the last 90 days (and future events)
    /// and the 10 newest massage sessions before them. Answered again only after a change, or
    /// when an entry has left the window since the last answer.
    pub fn insight(&mut self, now: DateTime<Utc>) -> Arc<Vec<Entry>> {
        let window = (now - Duration::days(INSIGHT_DAYS)).naive_utc();
        let first_after = |w: NaiveDateTime| self.entries.partition_point(|e| at(e) <= w);
        if let Some((w, list)) = &self.insight
            && first_after(*w) == first_after(window)
        {
            return list.clone();
        }
        let split = first_after(window);
        let mut older: Vec<&Entry> = self.entries[..split]
            .iter()
            .rev()
            .filter(|e| e.kind() == EntryKind::Massage)
            .chain(self.older_sessions.iter())
            .take(OLDER_SESSIONS)
            .collect();
        older.reverse();
        // Oldest first throughout, so the rules' sort finds it sorted.
        let list: Vec<Entry> = older
            .into_iter()
            .chain(&self.entries[split..])
            .cloned()
            .collect();
        let list = Arc::new(list);
        self.insight = Some((window, list.clone()));
        list
    }

    /// [`entries::in_local_range`] from the copy, if it reaches back far enough: the entries
    /// themselves, not copies.
    pub fn local_range(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        only: Option<EntryKind>,
    ) -> Option<impl Iterator<Item = &Entry>> {
        let (start, end) = entries::local_range_bounds(from, to);
        if start <= self.since {
            return None;
        }
        let first = self.entries.partition_point(|e| at(e) < start);
        Some(
            self.entries[first..]
                .iter()
                .take_while(move |e| at(e) < end)
                .filter(move |e| {
                    e.kind() != EntryKind::Event && only.is_none_or(|k| e.kind() == k)
                }),
        )
    }
}

impl Recent {
    /// [`entries::list`] of `[from, to)`, newest first, at most `limit`, if the copy reaches
    /// back to `from`.
    pub fn newest(&self, from: NaiveDateTime, to: NaiveDateTime, limit: usize) -> Option<Logged> {
        if from <= self.since {
            return None;
        }
        let first = self.entries.partition_point(|e| at(e) < from);
        let end = self.entries.partition_point(|e| at(e) < to);
        Some(Logged::of(
            self.entries[first..end.max(first)].iter().rev(),
            limit,
        ))
    }

    /// [`entries::list`] of a page of every live entry (of `kind`, if given) strictly older
    /// than `cursor`, newest first, if the copy holds the whole page and the entry after it.
    pub fn page(
        &self,
        cursor: Option<&Cursor>,
        kind: Option<EntryKind>,
        limit: usize,
    ) -> Option<(Vec<Entry>, Option<Cursor>)> {
        let end = match cursor {
            None => self.entries.len(),
            // The database compares the cursor's id as text; a UUID's text sorts as its bytes.
            Some(c) => self.entries.partition_point(|e| {
                at(e) < c.occurred_at
                    || (at(e) == c.occurred_at && e.id.to_string().as_str() < c.id.as_str())
            }),
        };
        let mut list: Vec<Entry> = self.entries[..end]
            .iter()
            .rev()
            .filter(|e| kind.is_none_or(|k| e.kind() == k))
            .take(limit + 1)
            .cloned()
            .collect();
        if list.len() <= limit {
            // The page may go on before what the copy holds.
            return None;
        }
        list.truncate(limit);
        let next = list.last().map(Cursor::after);
        Some((list, next))
    }

    /// [`entries::latest_of_kind`], if the copy holds one of that kind.
    pub fn latest_of_kind(&self, kind: EntryKind) -> Option<Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.kind() == kind)
            .cloned()
    }
}

/// Reads a user's recent journal: the sequence first, then what it covers.
pub fn load(conn: &mut DbConn, user: UserId, since: NaiveDateTime) -> Result<Recent, StoreError> {
    let (seq, num, timed_seq): (i64, i64, i64) = users::table
        .find(user.to_string())
        .select((users::seq, users::num, users::timed_seq))
        .first(conn)?;
    let timed = crate::store::times::Timed { num, timed_seq };
    let (recent, older) = entries::recent_and_sessions(conn, &[timed], since)?;
    let parse = |rows: Vec<EntryRow>| -> Result<Vec<Entry>, StoreError> {
        rows.into_iter().map(Entry::try_from).collect()
    };
    Ok(Recent::new(seq, since, parse(recent)?, parse(older)?))
}

/// The user's sequence and the latest state of every entry changed after `after`; `None` when
/// deletions after it were purged (the copy must be loaded again).
pub fn changes(
    conn: &mut DbConn,
    user: UserId,
    after: i64,
) -> Result<Option<(i64, Vec<Entry>)>, StoreError> {
    let (seq, purged): (i64, i64) = users::table
        .find(user.to_string())
        .select((users::seq, users::purged_seq))
        .first(conn)?;
    if after < purged {
        return Ok(None);
    }
    let list = crate::store::sync::changed_after(conn, user, after, i64::MAX)?;
    let top = list.iter().map(|e| e.seq).max().unwrap_or(after).max(seq);
    Ok(Some((top, list)))
}

/// One user's copy, when it was last used and how many entry copies it holds.
#[derive(Debug)]
struct Slot {
    recent: Arc<Mutex<Recent>>,
    used: u64,
    size: Arc<AtomicUsize>,
}

/// The recent journals of the users this instance served lately.
#[derive(Debug, Default)]
pub struct RecentCache {
    users: Mutex<HashMap<UserId, Slot>>,
    tick: AtomicU64,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RecentCache {
    fn slot(&self, user: UserId) -> (Arc<Mutex<Recent>>, Arc<AtomicUsize>) {
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        let mut map = locked(&self.users);
        let total = |map: &HashMap<UserId, Slot>| -> usize {
            map.values().map(|s| s.size.load(Ordering::Relaxed)).sum()
        };
        let new = usize::from(!map.contains_key(&user));
        while map.len() + new > CACHED_USERS || total(&map) > CACHED_ENTRIES {
            let oldest = map
                .iter()
                .filter(|(u, _)| **u != user)
                .min_by_key(|(_, s)| s.used)
                .map(|(u, _)| *u);
            match oldest {
                Some(u) => map.remove(&u),
                None => break,
            };
        }
        let slot = map.entry(user).or_insert_with(|| Slot {
            recent: Arc::new(Mutex::new(Recent::default())),
            used: tick,
            size: Arc::new(AtomicUsize::new(0)),
        });
        slot.used = tick;
        (slot.recent.clone(), slot.size.clone())
    }

    /// Runs `f` on `user`'s copy once it reflects sequence `seq` (what the request read with
    /// the session) and holds everything after `from`; a copy loaded for it holds the last
    /// [`HELD_DAYS`] before `now` at least.
    pub async fn with<T>(
        &self,
        db: &Db,
        (user, seq): (UserId, i64),
        now: DateTime<Utc>,
        from: NaiveDateTime,
        f: impl Fn(&mut Recent) -> T,
    ) -> Result<T, StoreError> {
        let since = (now - Duration::days(HELD_DAYS))
            .naive_utc()
            .min(from - Duration::days(MARGIN_DAYS));
        let (slot, size) = self.slot(user);
        for _ in 0..3 {
            let held = {
                let mut r = locked(&slot);
                if r.covers(seq, from) {
                    let answer = f(&mut r);
                    size.store(r.size(), Ordering::Relaxed);
                    return Ok(answer);
                }
                r.seq.filter(|_| r.since <= from)
            };
            let applied = match held {
                Some(after) => match db.read(move |c| changes(c, user, after)).await? {
                    Some((top, list)) => locked(&slot).apply(top, list),
                    None => Applied::Reload,
                },
                None => Applied::Reload,
            };
            if applied == Applied::Reload {
                let fresh = db.read(move |c| load(c, user, since)).await?;
                let mut r = locked(&slot);
                if !r.covers(fresh.seq.unwrap_or(0), from) {
                    *r = fresh;
                }
            }
        }
        // Writes kept racing the reads: answer from a copy made for this request.
        let mut fresh = db.read(move |c| load(c, user, since)).await?;
        Ok(f(&mut fresh))
    }

    /// [`entries::for_insight`] for `user` at `now`, from memory when current.
    pub async fn for_insight(
        &self,
        db: &Db,
        user: UserId,
        seq: i64,
        now: DateTime<Utc>,
    ) -> Result<Arc<Vec<Entry>>, StoreError> {
        let from = (now - Duration::days(INSIGHT_DAYS)).naive_utc();
        self.with(db, (user, seq), now, from, |r| r.insight(now))
            .await
    }

    /// A page of [`entries::list`] without a time span or text (the timeline's), from the copy
    /// when it holds the page; `None` when the page reaches back before it.
    pub async fn page(
        &self,
        db: &Db,
        (user, seq): (UserId, i64),
        now: DateTime<Utc>,
        (cursor, kind, limit): (Option<&Cursor>, Option<EntryKind>, usize),
    ) -> Result<Option<(Vec<Entry>, Option<Cursor>)>, StoreError> {
        let window = (now - Duration::days(INSIGHT_DAYS)).naive_utc();
        self.with(db, (user, seq), now, window, |r| {
            r.page(cursor, kind, limit)
        })
        .await
    }

    /// What the home page shows: the live entries of `[from, to)` (the newest `limit` of them,
    /// how many and their water) and the newest episode ever logged.
    pub async fn today(
        &self,
        db: &Db,
        user: UserId,
        seq: i64,
        (now, from, to): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
        limit: usize,
    ) -> Result<(Logged, Option<Entry>), StoreError> {
        let window = (now - Duration::days(INSIGHT_DAYS)).naive_utc();
        let (start, end) = (from.naive_utc(), to.naive_utc());
        let (list, last) = self
            .with(db, (user, seq), now, start.min(window), |r| {
                let last = r.latest_of_kind(EntryKind::Episode);
                (r.newest(start, end, limit), last)
            })
            .await?;
        let list = match list {
            Some(list) => list,
            None => {
                // Every entry of the span, to count them and add up their water.
                let q = entries::ListQuery {
                    from: Some(from),
                    to: Some(to),
                    limit: SPAN_MOST,
                    ..Default::default()
                };
                let all = db.read(move |c| entries::list(c, user, &q)).await?.0;
                Logged::of(&all, limit)
            }
        };
        let last = match last {
            Some(e) => Some(e),
            None => {
                db.read(move |c| entries::latest_of_kind(c, user, EntryKind::Episode))
                    .await?
            }
        };
        Ok((list, last))
    }

    /// [`entries::in_local_range`] for `user`, from memory when the range is recent.
    pub async fn in_local_range(
        &self,
        db: &Db,
        user: UserId,
        seq: i64,
        now: DateTime<Utc>,
        range: (NaiveDate, NaiveDate),
        only: Option<EntryKind>,
    ) -> Result<Vec<Entry>, StoreError> {
        self.read_local_range(db, (user, seq), now, range, only, |list| {
            list.cloned().collect()
        })
        .await
    }

    /// What `read` makes of [`entries::in_local_range`] for `user`: from the copy in memory
    /// (under its lock, without copying the entries) when the range is recent, else from the
    /// database.
    pub async fn read_local_range<T>(
        &self,
        db: &Db,
        (user, seq): (UserId, i64),
        now: DateTime<Utc>,
        (from, to): (NaiveDate, NaiveDate),
        only: Option<EntryKind>,
        read: impl Fn(&mut dyn Iterator<Item = &Entry>) -> T,
    ) -> Result<T, StoreError> {
        let window = (now - Duration::days(INSIGHT_DAYS)).naive_utc();
        let (start, _) = entries::local_range_bounds(from, to);
        let held = (now - Duration::days(HELD_DAYS - MARGIN_DAYS / 2)).naive_utc();
        if start > held {
            let got = self
                .with(db, (user, seq), now, start.min(window), |r| {
                    r.local_range(from, to, only)
                        .map(|mut list| read(&mut list))
                })
                .await?;
            if let Some(answer) = got {
                return Ok(answer);
            }
        }
        let list = db
            .read(move |c| entries::in_local_range(c, user, from, to, only))
            .await?;
        Ok(read(&mut list.iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_at_most_its_users_and_entries_dropping_the_least_recently_used() {
        let cache = RecentCache::default();
        let users: Vec<UserId> = (0..CACHED_USERS + 20).map(|_| UserId::new_v7()).collect();
        for u in &users {
            cache.slot(*u);
        }
        let map = locked(&cache.users);
        assert_eq!(map.len(), CACHED_USERS);
        assert!(
            !map.contains_key(&users[0]),
            "the first one used went first"
        );
        assert!(map.contains_key(&users[CACHED_USERS + 19]));
        drop(map);
        // One user holding more than the budget pushes everyone else out, but stays itself.
        let (_, size) = cache.slot(users[CACHED_USERS]);
        size.store(CACHED_ENTRIES + 1, Ordering::Relaxed);
        cache.slot(users[CACHED_USERS]);
        assert_eq!(locked(&cache.users).len(), 1);
        cache.slot(users[1]);
        let map = locked(&cache.users);
        assert_eq!(map.len(), 1);
        assert!(map.contains_key(&users[1]));
    }
}
