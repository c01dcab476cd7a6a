//! Journal entries: every query takes the owner's id; writes bump the owner's change sequence.

use crate::domain::entry::{Entry, EntryKind, NewEntry, changed_fields};
use crate::domain::fields::Choice;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::sync::FieldVersions;
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::rows::{EntryRow, split_local};
use crate::store::schema::{entries, entry_times, users};
use crate::store::times::{self, Cond, Timed};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

/// Bumps and returns the user's change sequence, with the user's number (what their rows hold).
/// As the first write of a transaction it also takes the per-user row lock, so changes of one
/// user commit in sequence order.
/// Adds the times of the user's earlier changes to the time index first ([`times`]).
pub fn next_seq(conn: &mut DbConn, user: UserId) -> Result<(i64, i64), StoreError> {
    let (seq, num, timed_seq) = diesel::update(users::table.find(user.to_string()))
        .set(users::seq.eq(users::seq + 1))
        .returning((users::seq, users::num, users::timed_seq))
        .get_result::<(i64, i64, i64)>(conn)?;
    times::settle_before(conn, num, (seq - 1, timed_seq), 1)?;
    Ok((seq, num))
}

/// Rows of `user`: `entries` holds the user's number, found by a subquery (no query of its own).
#[diesel::dsl::auto_type]
pub fn owned_by(user: UserId) -> _ {
    let id: String = user.to_string();
    entries::user_num.nullable().eq(users::table
        .filter(users::id.eq(id))
        .select(users::num)
        .single_value())
}

/// One row of `user`'s.
#[diesel::dsl::auto_type(no_type_alias)]
pub(crate) fn row_of(user: UserId, id: EntryId) -> _ {
    let id: String = id.to_string();
    let mine: owned_by = owned_by(user);
    entries::table.filter(mine).filter(entries::id.eq(id))
}

/// One entry of the user's, deleted or not.
pub fn find(conn: &mut DbConn, user: UserId, id: EntryId) -> Result<Option<Entry>, StoreError> {
    row_of(user, id)
        .first::<EntryRow>(conn)
        .optional()?
        .map(Entry::try_from)
        .transpose()
}

/// One live (not deleted) entry of the user's, or 404.
pub fn get_live(conn: &mut DbConn, user: UserId, id: EntryId) -> Result<Entry, StoreError> {
    match find(conn, user, id)? {
        Some(e) if !e.deleted => Ok(e),
        _ => Err(StoreError::NotFound),
    }
}

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

/// What creating an entry did.
#[derive(Debug)]
pub enum Created {
    /// A new row.
    New(Entry),
    /// The same id with the same content was already there (a replay).
    Existing(Entry),
}

/// The row of a new entry (version and sequence given).
pub(crate) fn row_for(
    user_num: i64,
    e: &NewEntry,
    version: i64,
    seq: i64,
    fv: String,
    created: NaiveDateTime,
    now: NaiveDateTime,
) -> EntryRow {
    let (occurred_at, utc_offset_min) = split_local(&e.occurred_at);
    EntryRow {
        user_num,
        id: e.id.to_string(),
        kind: e.data.kind().as_str().to_string(),
        occurred_at,
        utc_offset_min,
        data: e.data.to_json_text(),
        field_versions: fv,
        version,
        deleted: false,
        seq,
        created_at: created,
        updated_at: now,
    }
}

fn same_content(stored: &Entry, e: &NewEntry) -> bool {
    stored.occurred_at == e.occurred_at && stored.data == e.data
}

/// Stores a new entry made on a page or through the API. The same id again with the same
/// content is `Existing`; with other content (or after it was deleted) it is a `409 id_conflict`.
pub fn create(
    conn: &mut DbConn,
    user: UserId,
    e: &NewEntry,
    now: DateTime<Utc>,
) -> Result<Created, StoreError> {
    create_with(conn, user, e, &FieldVersions::created(None), now)
}

/// [`create`] with the field versions of its creator (a sync client).
pub fn create_with(
    conn: &mut DbConn,
    user: UserId,
    e: &NewEntry,
    versions: &FieldVersions,
    now: DateTime<Utc>,
) -> Result<Created, StoreError> {
    if let Some(stored) = find(conn, user, e.id)? {
        if !stored.deleted && same_content(&stored, e) {
            return Ok(Created::Existing(stored));
        }
        return Err(StoreError::EntryIdTaken);
    }
    let (seq, num) = next_seq(conn, user)?;
    let row = row_for(
        num,
        e,
        1,
        seq,
        versions.to_json(),
        now.naive_utc(),
        now.naive_utc(),
    );
    match diesel::insert_into(entries::table)
        .values(&row)
        .execute(conn)
    {
        Ok(_) => Ok(Created::New(Entry::try_from(row)?)),
        // Another request created the same id in between (PostgreSQL, concurrent posts).
        Err(e) if crate::store::is_unique_violation(&e) => Err(StoreError::EntryIdRace),
        Err(e) => Err(e.into()),
    }
}

/// Replaces an entry's time and data if `base_version` is current.
/// Returns `Err(Ok(current))` on a stale version so the caller can render the server copy.
pub fn update(
    conn: &mut DbConn,
    user: UserId,
    e: &NewEntry,
    base_version: i64,
    now: DateTime<Utc>,
) -> Result<Result<Entry, Entry>, StoreError> {
    let stored = get_live(conn, user, e.id)?;
    if stored.version != base_version {
        return Ok(Err(stored));
    }
    if stored.kind() != e.data.kind() {
        return Err(StoreError::KindChange);
    }
    let changed = changed_fields(&stored, e);
    if changed.is_empty() {
        return Ok(Ok(stored));
    }
    let version = stored.version + 1;
    let fv_text: String = row_of(user, e.id)
        .select(entries::field_versions)
        .first(conn)?;
    let mut fv = FieldVersions::from_json(&fv_text);
    for f in changed {
        fv.set(&f, version, None);
    }
    let (seq, _) = next_seq(conn, user)?;
    write_state(conn, user, e, &fv, (version, seq), now)?;
    Ok(Ok(get_live(conn, user, e.id)?))
}

/// Writes an edited entry's time, data, field versions, version and sequence number (an edit
/// here, or a merged edit of a sync push).
pub(crate) fn write_state(
    conn: &mut DbConn,
    user: UserId,
    e: &NewEntry,
    versions: &FieldVersions,
    (version, seq): (i64, i64),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (occurred_at, utc_offset_min) = split_local(&e.occurred_at);
    diesel::update(row_of(user, e.id))
        .set((
            entries::occurred_at.eq(occurred_at),
            entries::utc_offset_min.eq(utc_offset_min),
            entries::data.eq(e.data.to_json_text()),
            entries::field_versions.eq(versions.to_json()),
            entries::version.eq(version),
            entries::seq.eq(seq),
            entries::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks an entry deleted (a tombstone kept for sync). `Err(Ok(current))` on a stale version.
pub fn delete(
    conn: &mut DbConn,
    user: UserId,
    id: EntryId,
    base_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Result<(), Entry>, StoreError> {
    set_deleted(conn, user, id, true, base_version, now)
}

/// Brings back a deleted entry (undo).
pub fn restore(
    conn: &mut DbConn,
    user: UserId,
    id: EntryId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    set_deleted(conn, user, id, false, None, now).map(|_| ())
}

fn set_deleted(
    conn: &mut DbConn,
    user: UserId,
    id: EntryId,
    deleted: bool,
    base_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Result<(), Entry>, StoreError> {
    let stored = find(conn, user, id)?.ok_or(StoreError::NotFound)?;
    if stored.deleted == deleted {
        return if deleted {
            Err(StoreError::NotFound)
        } else {
            Ok(Ok(()))
        };
    }
    if let Some(v) = base_version
        && v != stored.version
    {
        return Ok(Err(stored));
    }
    let (seq, _) = next_seq(conn, user)?;
    diesel::update(row_of(user, id))
        .set((
            entries::deleted.eq(deleted),
            entries::version.eq(stored.version + 1),
            entries::seq.eq(seq),
            entries::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// Stores many new entries for one user in one transaction (demo data, imports).
pub fn insert_many(
    conn: &mut DbConn,
    user: UserId,
    list: &[NewEntry],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for e in list {
        if let Created::New(_) = create(conn, user, e, now)? {
            n += 1;
        }
    }
    Ok(n)
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

/// Brings back a deleted entry with `e`'s time and data (a restored backup).
pub fn revive(
    conn: &mut DbConn,
    user: UserId,
    e: &NewEntry,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let stored = find(conn, user, e.id)?.ok_or(StoreError::NotFound)?;
    let (seq, _) = next_seq(conn, user)?;
    let (occurred_at, utc_offset_min) = split_local(&e.occurred_at);
    diesel::update(row_of(user, e.id))
        .set((
            entries::occurred_at.eq(occurred_at),
            entries::utc_offset_min.eq(utc_offset_min),
            entries::data.eq(e.data.to_json_text()),
            entries::deleted.eq(false),
            entries::version.eq(stored.version + 1),
            entries::seq.eq(seq),
            entries::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes every entry of a user for good (the demo journal reset). Devices holding an older
/// pull cursor get `410 cursor_expired` and pull everything again.
pub fn delete_all(conn: &mut DbConn, user: UserId) -> Result<usize, StoreError> {
    let n = diesel::delete(entries::table.filter(owned_by(user))).execute(conn)?;
    let uid = user.to_string();
    // A new sequence, with everything up to it purged: every device (and every cached copy)
    // that had seen the removed entries has to read the journal again.
    diesel::update(users::table.find(&uid))
        .set((
            users::seq.eq(users::seq + 1),
            users::purged_seq.eq(users::seq + 1),
        ))
        .execute(conn)?;
    Ok(n)
}
