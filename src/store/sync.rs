//! Sync for offline clients (API.md): exactly-once pushes with per-field merge, pulls by the
//! per-user change sequence, and tombstone purging.

use crate::domain::entry::Entry;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::sync::{FieldVersions, Op, Outcome, Step, decide};
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::entries::{Created, next_seq};
use crate::store::rows::{EntryRow, split_local};
use crate::store::schema::{entries, sync_clients, users};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// A push refused as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    /// The client id belongs to another user.
    ForeignClient,
    /// A mutation id skipped ahead: nothing was applied; send from `expected`.
    Gap { expected: i64 },
}

/// Loads an entry with its field versions.
fn load(
    conn: &mut DbConn,
    user: UserId,
    id: EntryId,
) -> Result<Option<(Entry, FieldVersions)>, StoreError> {
    let row: Option<EntryRow> = entries::table
        .find((user.to_string(), id.to_string()))
        .first(conn)
        .optional()?;
    row.map(|r| {
        let fv = FieldVersions::from_json(&r.field_versions);
        Entry::try_from(r).map(|e| (e, fv))
    })
    .transpose()
}

fn op_id(op: &Op) -> Option<EntryId> {
    match op {
        Op::Upsert { entry, .. } => Some(entry.id),
        Op::Patch { id, .. } | Op::Delete { id } => Some(*id),
        Op::Invalid { .. } => None,
    }
}

/// Applies one mutation: the domain decides, this saves.
fn apply(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
    op: &Op,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let stored = match op_id(op) {
        Some(id) => load(conn, user, id)?,
        None => None,
    };
    let step = decide(stored.as_ref().map(|(e, fv)| (e, fv)), op, client, now);
    let key = |id: EntryId| (user.to_string(), id.to_string());
    Ok(match step {
        Step::Done(outcome) => outcome,
        Step::Create(entry) => {
            let versions = FieldVersions::created(Some(client));
            match crate::store::entries::create_with(conn, user, &entry, &versions, now)? {
                Created::New(e) | Created::Existing(e) => Outcome::Applied {
                    version: e.version,
                    seq: e.seq,
                },
            }
        }
        Step::Delete { id, version } => {
            let seq = next_seq(conn, user)?;
            diesel::update(entries::table.find(key(id)))
                .set((
                    entries::deleted.eq(true),
                    entries::version.eq(version),
                    entries::seq.eq(seq),
                    entries::updated_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
            Outcome::Applied { version, seq }
        }
        Step::Save {
            entry,
            versions,
            version,
            conflicts,
        } => {
            let seq = next_seq(conn, user)?;
            let (at, off) = split_local(&entry.occurred_at);
            diesel::update(entries::table.find(key(entry.id)))
                .set((
                    entries::occurred_at.eq(at),
                    entries::utc_offset_min.eq(off),
                    entries::data.eq(entry.data.to_json().to_string()),
                    entries::field_versions.eq(versions.to_json()),
                    entries::version.eq(version),
                    entries::seq.eq(seq),
                    entries::updated_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
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
    diesel::update(users::table.find(user.to_string()))
        .set(users::seq.eq(users::seq))
        .execute(conn)?;
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
    let mut outcomes = Vec::with_capacity(mutations.len());
    let mut applied_to = last;
    for (mid, op) in mutations {
        if *mid <= applied_to {
            outcomes.push(Outcome::Duplicate);
            continue;
        }
        outcomes.push(apply(conn, user, client_id, op, now)?);
        applied_to = *mid;
    }
    if applied_to != last {
        diesel::update(sync_clients::table.find(client_id))
            .set((
                sync_clients::last_mid.eq(applied_to),
                sync_clients::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(Ok((applied_to, outcomes)))
}

/// One page of changes after `since`: each entry once, in its latest state, in sequence order.
pub struct Pull {
    pub changes: Vec<Entry>,
    pub cursor: i64,
    pub has_more: bool,
    pub last_mid: Vec<(String, i64)>,
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
    let rows: Vec<EntryRow> = entries::table
        .filter(entries::user_id.eq(user.to_string()))
        .filter(entries::seq.gt(since))
        .order(entries::seq.asc())
        .limit(limit + 1)
        .load(conn)?;
    let has_more = rows.len() as i64 > limit;
    let changes: Vec<Entry> = rows
        .into_iter()
        .take(limit as usize)
        .map(Entry::try_from)
        .collect::<Result<_, _>>()?;
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
    let per_user: Vec<(String, Option<i64>)> = entries::table
        .filter(entries::deleted.eq(true))
        .filter(entries::updated_at.lt(cutoff))
        .group_by(entries::user_id)
        .select((entries::user_id, diesel::dsl::max(entries::seq)))
        .load(conn)?;
    for (user, max_seq) in &per_user {
        if let Some(m) = max_seq {
            diesel::update(users::table.find(user).filter(users::purged_seq.lt(*m)))
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
