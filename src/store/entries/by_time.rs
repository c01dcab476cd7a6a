//! Reads of journal entries by time: the timeline's pages, ranges of local dates, the rules'
//! window and exports, through the time index kept apart from the table ([`times`]).

use crate::domain::entry::{Entry, EntryKind};
use crate::domain::fields::Choice;
use crate::domain::ids::{EntryId, UserId};
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::rows::EntryRow;
use crate::store::schema::{entries, entry_times};
use crate::store::times::{self, Cond, Timed};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

/// Where a newest-first listing continues: strictly older than this entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub occurred_at: NaiveDateTime,
    pub id: String,
}

impl Cursor {
    /// The position just after `e` in newest-first order.
    pub fn after(e: &Entry) -> Self {
        Self {
            occurred_at: e.occurred_at.naive_utc(),
            id: e.id.to_string(),
        }
    }

    /// The opaque text form.
    pub fn encode(&self) -> String {
        format!(
            "{}_{}",
            self.occurred_at.and_utc().timestamp_micros(),
            self.id
        )
    }
    /// Parses the opaque text form.
    pub fn decode(s: &str) -> Option<Self> {
        let (micros, id) = s.split_once('_')?;
        let t = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
        EntryId::parse(id)?;
        Some(Self {
            occurred_at: t.naive_utc(),
            id: id.to_string(),
        })
    }
}

/// A newest-first listing request.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Only entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only this kind.
    pub kind: Option<EntryKind>,
    /// At most this many.
    pub limit: i64,
    /// Continue after this entry.
    pub cursor: Option<Cursor>,
    /// Only entries whose data holds this text, ignoring case (a coarse filter: callers check
    /// the field they mean).
    pub text: Option<String>,
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on SQLite and PostgreSQL for ASCII letters.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern matching `text` anywhere in an entry's stored JSON, escaped as stored.
fn like_pattern(text: &str) -> String {
    let json = serde_json::to_string(&text.to_lowercase()).unwrap_or_default();
    let inner = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default();
    let escaped = inner
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// What [`list`] asks of each row, whichever way it is read: live, and the query's filters.
fn listed<QS: 'static>(q: &ListQuery) -> Vec<Cond<QS>>
where
    entries::occurred_at: SelectableExpression<QS>,
    entries::id: SelectableExpression<QS>,
    entries::kind: SelectableExpression<QS>,
    entries::data: SelectableExpression<QS>,
    entries::deleted: SelectableExpression<QS>,
{
    let mut conds: Vec<Cond<QS>> = vec![Box::new(entries::deleted.eq(false))];
    if let Some(from) = q.from {
        conds.push(Box::new(entries::occurred_at.ge(from.naive_utc())));
    }
    if let Some(to) = q.to {
        conds.push(Box::new(entries::occurred_at.lt(to.naive_utc())));
    }
    if let Some(kind) = q.kind {
        conds.push(Box::new(entries::kind.eq(kind.as_str())));
    }
    if let Some(text) = &q.text {
        conds.push(Box::new(
            lower(entries::data).like(like_pattern(text)).escape('\\'),
        ));
    }
    if let Some(c) = &q.cursor {
        conds.push(Box::new(
            entries::occurred_at
                .lt(c.occurred_at)
                .or(entries::occurred_at
                    .eq(c.occurred_at)
                    .and(entries::id.lt(c.id.clone()))),
        ));
    }
    conds
}

/// Live entries newest first, and the cursor for the next page if there is one.
pub fn list(
    conn: &mut DbConn,
    user: UserId,
    q: &ListQuery,
) -> Result<(Vec<Entry>, Option<Cursor>), StoreError> {
    let Some(timed) = Timed::of(conn, user)? else {
        return Ok((Vec::new(), None));
    };
    // Through the time index, in its order: the same bounds on its own column let it seek.
    let mut through = times::with_entries()
        .filter(entry_times::user_num.eq(timed.num))
        .select(entries::all_columns)
        .into_boxed();
    if let Some(from) = q.from {
        through = through.filter(entry_times::occurred_at.ge(from.naive_utc()));
    }
    if let Some(to) = q.to {
        through = through.filter(entry_times::occurred_at.lt(to.naive_utc()));
    }
    if let Some(c) = &q.cursor {
        through = through.filter(entry_times::occurred_at.le(c.occurred_at));
    }
    for c in listed(q) {
        through = through.filter(c);
    }
    let through = through
        .order((entry_times::occurred_at.desc(), entries::id.desc()))
        .limit(q.limit + 1)
        .load::<EntryRow>(conn)?;
    let mut by_seq = entries::table.filter(timed.waiting()).into_boxed();
    for c in listed(q) {
        by_seq = by_seq.filter(c);
    }
    let by_seq = by_seq
        .order((entries::occurred_at.desc(), entries::id.desc()))
        .limit(q.limit + 1)
        .load::<EntryRow>(conn)?;
    let mut rows = times::merge(through, by_seq);
    rows.sort_unstable_by(|a, b| (&b.occurred_at, &b.id).cmp(&(&a.occurred_at, &a.id)));
    let more = rows.len() as i64 > q.limit;
    rows.truncate(q.limit as usize);
    let next = if more {
        rows.last().map(|r| Cursor {
            occurred_at: r.occurred_at,
            id: r.id.clone(),
        })
    } else {
        None
    };
    let list = rows
        .into_iter()
        .map(Entry::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((list, next))
}

/// The newest live entry of a kind.
pub fn latest_of_kind(
    conn: &mut DbConn,
    user: UserId,
    kind: EntryKind,
) -> Result<Option<Entry>, StoreError> {
    let q = ListQuery {
        kind: Some(kind),
        limit: 1,
        ..Default::default()
    };
    Ok(list(conn, user, &q)?.0.into_iter().next())
}

/// How far back the insight rules read.
pub const INSIGHT_DAYS: i64 = 90;

/// Massage sessions older than the insight window that the rules still read, per user.
pub const OLDER_SESSIONS: usize = 10;

/// What the suggestion engine needs: live entries of the last 90 days (and every future event),
/// plus the 10 newest massage sessions however old. Cost grows with recent entries, not history.
pub fn for_insight(
    conn: &mut DbConn,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, StoreError> {
    Ok(for_insight_of(conn, &[user], now)?
        .remove(&user)
        .unwrap_or_default())
}

/// Live entries of the users `of` after `since`, oldest first, and their live massage sessions
/// at or before it, newest first (for one user only the [`OLDER_SESSIONS`] kept are read, not
/// years of them).
pub fn recent_and_sessions(
    conn: &mut DbConn,
    of: &[Timed],
    since: NaiveDateTime,
) -> Result<(Vec<EntryRow>, Vec<EntryRow>), StoreError> {
    if of.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let nums: Vec<i64> = of.iter().map(|t| t.num).collect();
    let through = times::with_entries()
        .filter(entry_times::user_num.eq_any(&nums))
        .filter(entry_times::occurred_at.gt(since))
        .filter(entries::deleted.eq(false))
        .select(entries::all_columns)
        .load::<EntryRow>(conn)?;
    let by_seq = entries::table
        .filter(times::waiting_of(of))
        .filter(entries::deleted.eq(false))
        .filter(entries::occurred_at.gt(since))
        .load::<EntryRow>(conn)?;
    let mut recent = times::merge(through, by_seq);
    recent.sort_unstable_by(|a, b| (&a.occurred_at, &a.id).cmp(&(&b.occurred_at, &b.id)));
    let session = EntryKind::Massage.as_str();
    let mut through = times::with_entries()
        .filter(entry_times::user_num.eq_any(&nums))
        .filter(entry_times::occurred_at.le(since))
        .filter(entries::deleted.eq(false))
        .filter(entries::kind.eq(session))
        .select(entries::all_columns)
        .order((entry_times::occurred_at.desc(), entries::id.desc()))
        .into_boxed();
    if of.len() == 1 {
        through = through.limit(OLDER_SESSIONS as i64);
    }
    let through = through.load::<EntryRow>(conn)?;
    let by_seq = entries::table
        .filter(times::waiting_of(of))
        .filter(entries::deleted.eq(false))
        .filter(entries::kind.eq(session))
        .filter(entries::occurred_at.le(since))
        .load::<EntryRow>(conn)?;
    let mut older = times::merge(through, by_seq);
    older.sort_unstable_by(|a, b| (&b.occurred_at, &b.id).cmp(&(&a.occurred_at, &a.id)));
    if of.len() == 1 {
        older.truncate(OLDER_SESSIONS);
    }
    Ok((recent, older))
}

/// [`for_insight`] for many users in a few queries (the therapist dashboard: no query per
/// client).
pub fn for_insight_of(
    conn: &mut DbConn,
    users: &[UserId],
    now: DateTime<Utc>,
) -> Result<HashMap<UserId, Vec<Entry>>, StoreError> {
    let since = (now - chrono::Duration::days(INSIGHT_DAYS)).naive_utc();
    let owners = Timed::of_many(conn, users)?;
    let of: Vec<Timed> = owners.values().map(|(_, t)| *t).collect();
    let (recent, older_sessions) = recent_and_sessions(conn, &of, since)?;
    let mut out: HashMap<UserId, Vec<Entry>> = users.iter().map(|u| (*u, Vec::new())).collect();
    let mut older: HashMap<i64, usize> = HashMap::new();
    for r in recent {
        if let Some(list) = owners.get(&r.user_num).and_then(|(u, _)| out.get_mut(u)) {
            list.push(Entry::try_from(r)?);
        }
    }
    for r in older_sessions {
        let seen = older.entry(r.user_num).or_default();
        *seen += 1;
        if *seen <= OLDER_SESSIONS
            && let Some(list) = owners.get(&r.user_num).and_then(|(u, _)| out.get_mut(u))
        {
            list.push(Entry::try_from(r)?);
        }
    }
    Ok(out)
}

/// The UTC instants `[start, end)` within which an entry's own local date may fall in
/// `from..=to`.
pub fn local_range_bounds(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> (NaiveDateTime, NaiveDateTime) {
    let at = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default();
    (
        at(from - chrono::Duration::days(1)),
        at(to + chrono::Duration::days(2)),
    )
}

/// Live entries whose own local date may fall in `from..=to`, optionally of one kind only (the
/// caller filters by local date; offsets reach at most 14 hours either side of UTC).
pub fn in_local_range(
    conn: &mut DbConn,
    user: UserId,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    only: Option<EntryKind>,
) -> Result<Vec<Entry>, StoreError> {
    let (start, end) = local_range_bounds(from, to);
    let kinds = Kinds {
        events: false,
        only,
    };
    let rows = between(conn, user, (Some(start), Some(end)), kinds)?;
    rows.into_iter().map(Entry::try_from).collect()
}

/// Which kinds a read by time range keeps.
#[derive(Clone, Copy, Debug)]
struct Kinds {
    /// Upcoming events too.
    events: bool,
    /// Only this kind.
    only: Option<EntryKind>,
}

impl Kinds {
    /// Live rows of these kinds, whichever way they are read.
    fn conds<QS: 'static>(self) -> Vec<Cond<QS>>
    where
        entries::kind: SelectableExpression<QS>,
        entries::deleted: SelectableExpression<QS>,
    {
        let mut conds: Vec<Cond<QS>> = vec![Box::new(entries::deleted.eq(false))];
        if !self.events {
            conds.push(Box::new(entries::kind.ne(EntryKind::Event.as_str())));
        }
        if let Some(k) = self.only {
            conds.push(Box::new(entries::kind.eq(k.as_str())));
        }
        conds
    }
}

/// Live rows of `user`'s of `kinds` in `[start, end)` (either end open), oldest first.
fn between(
    conn: &mut DbConn,
    user: UserId,
    (start, end): (Option<NaiveDateTime>, Option<NaiveDateTime>),
    kinds: Kinds,
) -> Result<Vec<EntryRow>, StoreError> {
    let Some(timed) = Timed::of(conn, user)? else {
        return Ok(Vec::new());
    };
    let mut through = times::with_entries()
        .filter(entry_times::user_num.eq(timed.num))
        .select(entries::all_columns)
        .into_boxed();
    let mut by_seq = entries::table.filter(timed.waiting()).into_boxed();
    if let Some(start) = start {
        through = through.filter(entry_times::occurred_at.ge(start));
        by_seq = by_seq.filter(entries::occurred_at.ge(start));
    }
    if let Some(end) = end {
        through = through.filter(entry_times::occurred_at.lt(end));
        by_seq = by_seq.filter(entries::occurred_at.lt(end));
    }
    for c in kinds.conds() {
        through = through.filter(c);
    }
    for c in kinds.conds() {
        by_seq = by_seq.filter(c);
    }
    let through = through
        .order((entry_times::occurred_at.asc(), entries::id.asc()))
        .load::<EntryRow>(conn)?;
    let mut rows = times::merge(through, by_seq.load::<EntryRow>(conn)?);
    rows.sort_unstable_by(|a, b| (&a.occurred_at, &a.id).cmp(&(&b.occurred_at, &b.id)));
    Ok(rows)
}

/// Live entries of every kind (events too) whose own local date may fall in `from..=to`, either
/// end open, oldest first; the caller keeps those whose local date is in range.
pub fn for_export(
    conn: &mut DbConn,
    user: UserId,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<Entry>, StoreError> {
    let start = from.and_then(|f| (f - chrono::Duration::days(1)).and_hms_opt(0, 0, 0));
    let end = to.and_then(|t| (t + chrono::Duration::days(2)).and_hms_opt(0, 0, 0));
    let kinds = Kinds {
        events: true,
        only: None,
    };
    between(conn, user, (start, end), kinds)?
        .into_iter()
        .map(Entry::try_from)
        .collect()
}
