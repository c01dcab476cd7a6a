//! Sync for offline clients (API.md): exactly-once pushes with per-field merge, pulls by the
//! per-user change sequence, and tombstone purging.

use crate::domain::entry::Entry;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::sync::{FieldVersions, Op, Outcome, Step, decide};
use crate::store::StoreError;
use crate::store::entries::{owned_by, row_for, row_of, write_state};
use crate::store::rows::EntryRow;
use crate::store::rows::{sqlite_stamp, write_sqlite_stamp};
use crate::store::schema::{entries, sync_clients, users};
use crate::store::{DbConn, MultiBackend};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};
use diesel::sqlite::Sqlite;
use std::collections::HashMap;

/// A push refused as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    /// The client id belongs to another user.
    ForeignClient,
    /// A mutation id skipped ahead: nothing was applied; send from `expected`.
    Gap { expected: i64 },
}

/// Loads an entry with its field versions.
/// What one push reads and writes, batched: every entry it names is read in one query, new
/// entries are inserted many rows per statement, and the user's sequence is counted here and
/// written once (the user's row is locked for the whole push, so nobody else counts meanwhile).
struct Batch {
    user: UserId,
    /// The user's number, which their rows hold.
    num: i64,
    /// The stored state of each entry the push names (None: not stored).
    known: HashMap<EntryId, Option<(Entry, FieldVersions)>>,
    /// New rows not yet inserted.
    pending: Vec<EntryRow>,
    /// The last sequence number given out.
    seq: i64,
    seq_start: i64,
    /// The versions of an entry this push creates, and their stored JSON: the same for every
    /// entry of a push (its device wrote every field), so written once.
    created: Option<(FieldVersions, String)>,
}

/// Ids per lookup of stored entries (well under both backends' bound-parameter limits).
const LOOKUP_CHUNK: usize = 500;

/// The stored rows of `ids` (one user's). On PostgreSQL each id is looked up by the primary
/// key on its own (`OFFSET 0` keeps the planner from turning the lookups into a join): planned
/// as `id = ANY(…)` with no statistics yet on a young table, it scanned all of the user's rows
/// per push, and a first sync slowed with every batch.
fn stored(conn: &mut DbConn, user: i64, ids: &[String]) -> Result<Vec<EntryRow>, StoreError> {
    match conn {
        DbConn::Postgresql(pg) => Ok(diesel::sql_query(
            "SELECT e.* FROM unnest($2::text[]) AS k(id) CROSS JOIN LATERAL \
             (SELECT * FROM entries WHERE user_num = $1 AND id = k.id OFFSET 0) AS e",
        )
        .bind::<BigInt, _>(user)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(ids)
        .load(pg)?),
        DbConn::Sqlite(c) => Ok(SqliteStored {
            user,
            ids: serde_json::to_string(ids).unwrap_or_default(),
        }
        .load(c)?),
    }
}

/// The stored rows of a list of ids on SQLite, the list bound as one JSON array: the text of
/// the statement never changes, so it is prepared once per connection (an `IN` list of its own
/// length each time was parsed and planned again for every push).
struct SqliteStored {
    user: i64,
    ids: String,
}

impl QueryFragment<Sqlite> for SqliteStored {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        // The list drives and each id is one probe of the primary key (`CROSS JOIN` keeps that
        // order): `id IN (SELECT …)` first copied the whole list into a temporary index.
        // The ids are distinct (the keys of a map), so no row comes twice.
        out.push_sql("SELECT e.* FROM json_each(");
        out.push_bind_param::<Text, _>(&self.ids)?;
        out.push_sql(") AS k CROSS JOIN entries AS e WHERE e.user_num = ");
        out.push_bind_param::<BigInt, _>(&self.user)?;
        out.push_sql(" AND e.id = k.value");
        Ok(())
    }
}

impl diesel::query_builder::Query for SqliteStored {
    type SqlType = diesel::sql_types::Untyped;
}

fixed_text!(SqliteConnection => SqliteStored);

/// Rows per multi-row insert on PostgreSQL (well under its bound-parameter limit).
const INSERT_CHUNK: usize = 500;

/// Inserts new rows. PostgreSQL takes them many rows per statement, one round trip each.
/// SQLite takes the rows of new entries (most of a push) many per statement too, in statements
/// of a few fixed sizes, each prepared once per connection; any other row is a statement of its
/// own. A statement costs about as much to start, bind and finish as its row costs to insert.
fn insert_rows(conn: &mut DbConn, rows: &[EntryRow]) -> Result<(), StoreError> {
    match conn {
        DbConn::Postgresql(c) => {
            for chunk in rows.chunks(INSERT_CHUNK) {
                diesel::insert_into(entries::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            // The rows of a push share their created and updated times: each is written once.
            let (mut created, mut updated) = (StampOf::default(), StampOf::default());
            let mut occurred: Vec<String> = Vec::new();
            let mut rest = rows;
            while let Some(first) = rest.first() {
                let run = rest
                    .iter()
                    .take(CREATE_SIZES[0])
                    .take_while(|r| is_created_like(r, first))
                    .count();
                // The biggest statement of new rows that fits, or else the first row alone.
                let n = CREATE_SIZES.into_iter().find(|&n| n <= run).unwrap_or(0);
                let (now, later) = rest.split_at(n.max(1));
                occurred.clear();
                occurred.extend(now.iter().map(|r| {
                    let mut text = String::with_capacity(32);
                    write_sqlite_stamp(&mut text, r.occurred_at);
                    text
                }));
                let created = created.of(first.created_at);
                match n {
                    64 => SqliteCreate::<64>::new(now, &occurred, created).execute(c)?,
                    16 => SqliteCreate::<16>::new(now, &occurred, created).execute(c)?,
                    4 => SqliteCreate::<4>::new(now, &occurred, created).execute(c)?,
                    1 => SqliteCreate::<1>::new(now, &occurred, created).execute(c)?,
                    _ => SqliteInsert {
                        row: first,
                        occurred: &occurred[0],
                        created,
                        updated: updated.of(first.updated_at),
                    }
                    .execute(c)?,
                };
                rest = later;
            }
        }
    }
    Ok(())
}

/// The sizes of SQLite's statements of many new rows, biggest first (a push of 100 takes four
/// statements, one of 500 eleven).
const CREATE_SIZES: [usize; 4] = [64, 16, 4, 1];

/// Whether `row` is a new entry's (version 1, not deleted, updated when created) whose user,
/// times and field versions are `first`'s, which must be a new entry's too: the rows one
/// [`SqliteCreate`] writes.
fn is_created_like(row: &EntryRow, first: &EntryRow) -> bool {
    row.version == 1
        && !row.deleted
        && row.created_at == row.updated_at
        && row.user_num == first.user_num
        && row.created_at == first.created_at
        && row.field_versions == first.field_versions
}

/// The text of the last time asked for, kept while the same time is asked for again.
#[derive(Default)]
struct StampOf(Option<(NaiveDateTime, String)>);

impl StampOf {
    fn of(&mut self, t: NaiveDateTime) -> &str {
        match &mut self.0 {
            Some((at, text)) if *at == t => {}
            slot => *slot = Some((t, sqlite_stamp(t))),
        }
        self.0.as_ref().map_or("", |(_, text)| text)
    }
}

/// The column list of an `INSERT` of entry rows.
const INSERT_INTO: &str = "INSERT INTO entries (user_num, id, kind, occurred_at, utc_offset_min, \
                           data, field_versions, version, deleted, seq, created_at, updated_at) \
                           VALUES ";

/// One entry row as an `INSERT` whose text never changes, with its times written by
/// [`sqlite_stamp`]. Diesel caches a prepared statement by its query's type only when the type
/// says its SQL is always the same, which neither `sql_query` nor its own insert of a row with
/// timestamps does, so each row was parsed and planned by SQLite again.
struct SqliteInsert<'a> {
    row: &'a EntryRow,
    occurred: &'a str,
    created: &'a str,
    updated: &'a str,
}

impl QueryFragment<Sqlite> for SqliteInsert<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        let r = self.row;
        out.push_sql(INSERT_INTO);
        out.push_sql("(");
        out.push_bind_param::<BigInt, _>(&r.user_num)?;
        for text in [r.id.as_str(), r.kind.as_str(), self.occurred] {
            out.push_sql(", ");
            out.push_bind_param::<Text, str>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&r.utc_offset_min)?;
        for text in [r.data.as_str(), r.field_versions.as_str()] {
            out.push_sql(", ");
            out.push_bind_param::<Text, str>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&r.version)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&r.deleted)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&r.seq)?;
        for text in [self.created, self.updated] {
            out.push_sql(", ");
            out.push_bind_param::<Text, str>(text)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

/// `N` rows of new entries that share their user, times and field versions (see
/// [`is_created_like`]) as one `INSERT` whose text depends only on `N`. Version 1 and "not
/// deleted" are part of the text, and what the rows share is bound once, in the first row, and
/// named again by number in the others: six values a row instead of twelve.
struct SqliteCreate<'a, const N: usize> {
    rows: &'a [EntryRow],
    occurred: &'a [String],
    created: &'a str,
}

impl<'a, const N: usize> SqliteCreate<'a, N> {
    /// The first `N` of `rows` with their occurred times written by [`write_sqlite_stamp`].
    /// Panics if there are fewer: the text of the statement would not be the one prepared.
    fn new(rows: &'a [EntryRow], occurred: &'a [String], created: &'a str) -> Self {
        assert!(rows.len() >= N && occurred.len() >= N);
        Self {
            rows: &rows[..N],
            occurred: &occurred[..N],
            created,
        }
    }
}

impl<const N: usize> QueryFragment<Sqlite> for SqliteCreate<'_, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(INSERT_INTO);
        for (i, (r, occurred)) in self.rows.iter().zip(self.occurred).enumerate() {
            // The first row binds values 1 to 9; of them the user is 1, the field versions 7
            // and the created time 9, which the other rows name again.
            if i == 0 {
                out.push_sql("(");
                out.push_bind_param::<BigInt, _>(&r.user_num)?;
                out.push_sql(", ");
            } else {
                out.push_sql(", (?1, ");
            }
            for text in [r.id.as_str(), r.kind.as_str(), occurred.as_str()] {
                out.push_bind_param::<Text, str>(text)?;
                out.push_sql(", ");
            }
            out.push_bind_param::<Integer, _>(&r.utc_offset_min)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, str>(r.data.as_str())?;
            if i == 0 {
                out.push_sql(", ");
                out.push_bind_param::<Text, str>(r.field_versions.as_str())?;
                out.push_sql(", 1, 0, ");
                out.push_bind_param::<BigInt, _>(&r.seq)?;
                out.push_sql(", ");
                out.push_bind_param::<Text, str>(self.created)?;
                out.push_sql(", ?9)");
            } else {
                out.push_sql(", ?7, 1, 0, ");
                out.push_bind_param::<BigInt, _>(&r.seq)?;
                out.push_sql(", ?9, ?9)");
            }
        }
        Ok(())
    }
}

impl<const N: usize> diesel::query_builder::QueryId for SqliteCreate<'_, N> {
    type QueryId = SqliteCreate<'static, N>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const N: usize> diesel::RunQueryDsl<SqliteConnection> for SqliteCreate<'_, N> {}

fixed_text!(SqliteConnection => SqliteInsert<'_>);

impl Batch {
    /// A batch for the named entries of `ops`, counting on from the user's sequence `seq`.
    fn start(
        conn: &mut DbConn,
        (user, num): (UserId, i64),
        seq: i64,
        ops: &[&Op],
    ) -> Result<Batch, StoreError> {
        let mut known: HashMap<EntryId, Option<(Entry, FieldVersions)>> = ops
            .iter()
            .filter_map(|op| op_id(op))
            .map(|id| (id, None))
            .collect();
        let ids: Vec<String> = known.keys().map(EntryId::text).collect();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            for r in stored(conn, num, chunk)? {
                let fv = FieldVersions::from_json(&r.field_versions);
                let e = Entry::try_from(r)?;
                known.insert(e.id, Some((e, fv)));
            }
        }
        Ok(Batch {
            user,
            num,
            known,
            pending: Vec::new(),
            seq,
            seq_start: seq,
            created: None,
        })
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Inserts the new rows waiting (before anything updates a row).
    fn flush(&mut self, conn: &mut DbConn) -> Result<(), StoreError> {
        insert_rows(conn, &self.pending)?;
        self.pending.clear();
        Ok(())
    }

    /// Writes what is left: new rows, and the user's sequence.
    fn finish(mut self, conn: &mut DbConn) -> Result<(), StoreError> {
        self.flush(conn)?;
        if self.seq != self.seq_start {
            crate::store::times::set_seq(conn, self.user, self.seq)?;
        }
        Ok(())
    }

    /// Writes an entry's new state (a merged edit) with the next sequence number.
    fn save(
        &mut self,
        conn: &mut DbConn,
        entry: &crate::domain::entry::NewEntry,
        versions: &FieldVersions,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.flush(conn)?;
        let seq = self.next_seq();
        write_state(conn, self.user, entry, versions, (version, seq), now)?;
        if let Some(Some((e, fv))) = self.known.get_mut(&entry.id) {
            e.occurred_at = entry.occurred_at;
            e.data = entry.data.clone();
            e.version = version;
            e.seq = seq;
            e.deleted = false;
            *fv = versions.clone();
        }
        Ok(seq)
    }

    /// Applies one mutation: the domain decides, this saves.
    fn apply(
        &mut self,
        conn: &mut DbConn,
        client: &str,
        op: &Op,
        now: DateTime<Utc>,
    ) -> Result<Outcome, StoreError> {
        let id = op_id(op);
        let stored = id.and_then(|id| self.known.get(&id).cloned().flatten());
        let step = decide(stored.as_ref().map(|(e, fv)| (e, fv)), op, client, now);
        Ok(match step {
            Step::Done(outcome) => outcome,
            Step::Create(entry) => {
                let (versions, json) = self.created.get_or_insert_with(|| {
                    let v = FieldVersions::created(Some(client));
                    let json = v.to_json();
                    (v, json)
                });
                let (versions, json) = (versions.clone(), json.clone());
                let seq = self.next_seq();
                let row = row_for(
                    self.num,
                    &entry,
                    1,
                    seq,
                    json,
                    now.naive_utc(),
                    now.naive_utc(),
                );
                self.pending.push(row);
                // What later mutations of this push see (the row itself is not read back).
                let stored = Entry {
                    id: entry.id,
                    occurred_at: entry.occurred_at,
                    data: entry.data,
                    version: 1,
                    deleted: false,
                    seq,
                    updated_at: now,
                };
                self.known.insert(stored.id, Some((stored, versions)));
                Outcome::Applied { version: 1, seq }
            }
            Step::Delete { id, version } => {
                self.flush(conn)?;
                let seq = self.next_seq();
                diesel::update(row_of(self.user, id))
                    .set((
                        entries::deleted.eq(true),
                        entries::version.eq(version),
                        entries::seq.eq(seq),
                        entries::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                if let Some(Some((e, _))) = self.known.get_mut(&id) {
                    e.deleted = true;
                    e.version = version;
                    e.seq = seq;
                }
                Outcome::Applied { version, seq }
            }
            Step::Save {
                entry,
                versions,
                version,
                conflicts,
            } => {
                let seq = self.save(conn, &entry, &versions, version, now)?;
                if conflicts.is_empty() {
                    Outcome::Applied { version, seq }
                } else {
                    Outcome::Merged {
                        version,
                        seq,
                        conflicts,
                    }
                }
            }
        })
    }
}

fn op_id(op: &Op) -> Option<EntryId> {
    match op {
        Op::Upsert { entry, .. } => Some(entry.id),
        Op::Patch { id, .. } | Op::Delete { id } => Some(*id),
        Op::Invalid { .. } => None,
    }
}

/// Applies a push in the caller's transaction. Returns the client's new `last_mid` and one
/// outcome per mutation, or refuses the whole push.
pub fn push(
    conn: &mut DbConn,
    user: UserId,
    client_id: &str,
    mutations: &[(i64, Op)],
    now: DateTime<Utc>,
) -> Result<Result<(i64, Vec<Outcome>), PushError>, StoreError> {
    // The per-user row lock first: pushes of one user are serialized, so sequence order is
    // commit order and last_mid cannot race.
    // The lock and the current sequence in one statement.
    let (seq, num, timed_seq) =
        crate::store::times::lock(conn, user)?.ok_or(StoreError::NotFound)?;
    let bound: Option<(String, i64)> = sync_clients::table
        .find(client_id)
        .select((sync_clients::user_id, sync_clients::last_mid))
        .first(conn)
        .optional()?;
    let last = match bound {
        Some((owner, _)) if owner != user.to_string() => return Ok(Err(PushError::ForeignClient)),
        Some((_, last)) => last,
        None => {
            diesel::insert_into(sync_clients::table)
                .values((
                    sync_clients::client_id.eq(client_id),
                    sync_clients::user_id.eq(user.to_string()),
                    sync_clients::last_mid.eq(0i64),
                    sync_clients::created_at.eq(now.naive_utc()),
                    sync_clients::updated_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
            0
        }
    };
    let mut cursor = last;
    for (mid, _) in mutations {
        if *mid <= cursor {
            continue;
        }
        if *mid != cursor + 1 {
            return Ok(Err(PushError::Gap {
                expected: cursor + 1,
            }));
        }
        cursor = *mid;
    }
    let fresh: Vec<&Op> = mutations
        .iter()
        .filter(|(mid, _)| *mid > last)
        .map(|(_, op)| op)
        .collect();
    crate::store::times::settle_before(conn, num, (seq, timed_seq), fresh.len())?;
    let mut batch = Batch::start(conn, (user, num), seq, &fresh)?;
    let mut outcomes = Vec::with_capacity(mutations.len());
    let mut applied_to = last;
    for (mid, op) in mutations {
        if *mid <= applied_to {
            outcomes.push(Outcome::Duplicate);
            continue;
        }
        outcomes.push(batch.apply(conn, client_id, op, now)?);
        applied_to = *mid;
    }
    batch.finish(conn)?;
    if applied_to != last {
        SetLastMid {
            client: client_id,
            last_mid: applied_to,
            at: now.naive_utc(),
        }
        .execute(conn)?;
    }
    Ok(Ok((applied_to, outcomes)))
}

/// `UPDATE sync_clients SET last_mid = …`, whose text never changes, so it is prepared once per
/// connection (diesel prepares its own `UPDATE`s again at every run; this runs at every push).
struct SetLastMid<'a> {
    client: &'a str,
    last_mid: i64,
    at: NaiveDateTime,
}

impl QueryFragment<MultiBackend> for SetLastMid<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE sync_clients SET last_mid = ");
        out.push_bind_param::<BigInt, _>(&self.last_mid)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(" WHERE client_id = ");
        out.push_bind_param::<Text, _>(self.client)?;
        Ok(())
    }
}

fixed_text!(DbConn => SetLastMid<'_>);

/// One page of changes after `since`: each entry once, in its latest state, in sequence order.
pub struct Pull {
    pub changes: Vec<Entry>,
    pub cursor: i64,
    pub has_more: bool,
    pub last_mid: Vec<(String, i64)>,
}

/// The latest state of each of `user`'s entries changed after sequence `since`, in sequence
/// order, at most `limit`.
pub fn changed_after(
    conn: &mut DbConn,
    user: UserId,
    since: i64,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    entries::table
        .filter(owned_by(user))
        .filter(entries::seq.gt(since))
        .order(entries::seq.asc())
        .limit(limit)
        .load::<EntryRow>(conn)?
        .into_iter()
        .map(Entry::try_from)
        .collect()
}

/// Changes after `since`; `None` when `since` is older than purged tombstones (410).
pub fn pull(
    conn: &mut DbConn,
    user: UserId,
    since: i64,
    limit: i64,
) -> Result<Option<Pull>, StoreError> {
    let purged: i64 = users::table
        .find(user.to_string())
        .select(users::purged_seq)
        .first(conn)?;
    if since > 0 && since < purged {
        return Ok(None);
    }
    let mut changes = changed_after(conn, user, since, limit + 1)?;
    let has_more = changes.len() as i64 > limit;
    changes.truncate(limit as usize);
    let cursor = changes.last().map(|e| e.seq).unwrap_or(since);
    let last_mid = sync_clients::table
        .filter(sync_clients::user_id.eq(user.to_string()))
        .select((sync_clients::client_id, sync_clients::last_mid))
        .load(conn)?;
    Ok(Some(Pull {
        changes,
        cursor,
        has_more,
        last_mid,
    }))
}

/// How long tombstones are kept.
pub const TOMBSTONE_DAYS: i64 = 90;

/// Removes tombstones older than 90 days and remembers, per user, the highest sequence removed.
pub fn purge_tombstones(conn: &mut DbConn, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let cutoff = (now - chrono::Duration::days(TOMBSTONE_DAYS)).naive_utc();
    let per_user: Vec<(i64, Option<i64>)> = entries::table
        .filter(entries::deleted.eq(true))
        .filter(entries::updated_at.lt(cutoff))
        .group_by(entries::user_num)
        .select((entries::user_num, diesel::dsl::max(entries::seq)))
        .load(conn)?;
    for (num, max_seq) in &per_user {
        if let Some(m) = max_seq {
            diesel::update(
                users::table
                    .filter(users::num.eq(num))
                    .filter(users::purged_seq.lt(*m)),
            )
            .set(users::purged_seq.eq(*m))
            .execute(conn)?;
        }
    }
    Ok(diesel::delete(
        entries::table
            .filter(entries::deleted.eq(true))
            .filter(entries::updated_at.lt(cutoff)),
    )
    .execute(conn)?)
}
