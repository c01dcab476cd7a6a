//! Journal entries: every query takes the owner's id; writes bump the owner's change sequence.
//! Reads by time are in [`by_time`] (re-exported here).

use crate::domain::entry::{Entry, NewEntry, changed_fields};
use crate::domain::fields::Choice;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::sync::FieldVersions;
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::rows::{EntryRow, split_local};
use crate::store::schema::{entries, users};
use crate::store::times;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

mod by_time;
pub use by_time::*;

/// Bumps and returns the user's change sequence, with the user's number (what their rows hold).
/// As the first write of a transaction it also takes the per-user row lock, so changes of one
/// user commit in sequence order.
/// Adds the times of the user's earlier changes to the time index first ([`times`]).
pub fn next_seq(conn: &mut DbConn, user: UserId) -> Result<(i64, i64), StoreError> {
    let (seq, num, timed_seq) = times::bump(conn, user, 1)?.ok_or(StoreError::NotFound)?;
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
        id: e.id.text(),
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
