//! Sync for offline clients (API.md): exactly-once pushes with per-field merge, pulls by the
//! per-user change sequence, and tombstone purging.

use crate::domain::entry::Entry;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::sync::{FieldVersions, Op, Outcome, Step, decide};
use crate::store::StoreError;
use crate::store::entries::{owned_by, row_for, row_of, write_state};
use crate::store::rows::EntryRow;
use crate::store::schema::{entries, sync_clients, users};
use crate::store::{DbConn, MultiBackend};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Text, Timestamp};
use std::collections::HashMap;

/// The entries of a push by id. Ids come from the client, at most 500 a push, so a fast hash
/// with a seed per process does (SipHash was 1.4 % of a push's instructions).
type Known = HashMap<EntryId, Option<(Entry, FieldVersions)>, foldhash::fast::RandomState>;

mod bulk;

/// A push refused as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    /// The client id belongs to another user.
    ForeignClient,
    /// A mutation id skipped ahead: nothing was applied; send from `expected`.
    Gap { expected: i64 },
}

/// What one push reads and writes, batched: every entry it names is read in one query, new
/// entries are inserted many rows per statement, and the user's sequence is counted here and
/// written once (the user's row is locked for the whole push, so nobody else counts meanwhile).
struct Batch {
    user: UserId,
    /// The user's number, which their rows hold.
    num: i64,
    /// The stored state of each entry the push names (None: not stored).
    known: Known,
    /// New rows not yet inserted.
    pending: Vec<EntryRow>,
    /// The last sequence number given out.
    seq: i64,
    seq_start: i64,
    /// The versions of an entry this push creates, and their stored JSON: the same for every
    /// entry of a push (its device wrote every field), so written once.
    created: Option<(FieldVersions, String)>,
}

impl Batch {
    /// A batch for the named entries of `ops`, counting on from the user's sequence `seq`.
    fn start(
        conn: &mut DbConn,
        (user, num): (UserId, i64),
        seq: i64,
        ops: &[&Op],
    ) -> Result<Batch, StoreError> {
        let mut known: Known = ops
            .iter()
            .filter_map(|op| op_id(op))
            .map(|id| (id, None))
            .collect();
        let ids: Vec<String> = known.keys().map(EntryId::text).collect();
        for r in bulk::stored(conn, num, ids)? {
            let fv = FieldVersions::from_json(&r.field_versions);
            let e = Entry::try_from(r)?;
            known.insert(e.id, Some((e, fv)));
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
        bulk::insert_rows(conn, &self.pending)?;
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
