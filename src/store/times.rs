//! The time index of entries, kept apart from the table and filled in bulk.
//!
//! `entry_times` holds `(user_num, occurred_at, seq)` for each live entry whose `seq` is at most
//! the user's `users.timed_seq`. Any change to an entry gives it a new sequence number, and a
//! trigger then removes its row; what changed since `timed_seq` readers find by sequence
//! (the `entries_user_seq` index): at most [`SETTLE_MOST`] rows and one push more.
//!
//! Why not an index on `entries (user_num, occurred_at)`: a device's first push of entries whose
//! times are spread over months inserted into a different leaf of that index for nearly every
//! entry, and each leaf a commit touches is written whole to the log and again by the
//! checkpoint (twice the bytes of the same push in time order, `docs/PERFORMANCE.md`). Here such
//! a push only appends to the table; its times are added later, thousands in one transaction, so
//! each leaf is written once for many entries. They are added in sequence order: sorting them by
//! time first was 2.5 % of a push's instructions and wrote the same pages.
//!
//! Readers go through [`Timed`]: rows through `entry_times` and rows after `timed_seq`, merged
//! by [`merge`].

use crate::domain::ids::UserId;
use crate::store::rows::EntryRow;
use crate::store::schema::{entries, entry_times, users};
use crate::store::{DbConn, MultiBackend, Pool, StoreError};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};
use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

/// Changes whose times wait before a write adds them all, while the index is small.
pub const SETTLE_AT: i64 = 2048;

/// The most changes whose times may wait: a read by time reads them all by sequence.
pub const SETTLE_MOST: i64 = 16_384;

/// How many changes may wait while `timed_seq` are added: adding them writes about every leaf
/// of the user's index once, so the bigger it is, the more should wait to share that cost
/// (a quarter as many as are in it, from [`SETTLE_AT`] up to [`SETTLE_MOST`]).
pub fn may_wait(timed_seq: i64) -> i64 {
    (timed_seq / 4).clamp(SETTLE_AT, SETTLE_MOST)
}

/// A write of fewer changes than this (a form, a device's usual push) adds the waiting times at
/// once: one entry at a time costs what an index did, and readers find little by sequence.
pub const SMALL_WRITE: usize = 32;

/// Called by a write after it takes the user's row lock and before it writes rows of its own:
/// `seq` is the user's sequence before this write, `timed_seq` how far their times are added,
/// `changes` how many changes the write brings. Adds the times of the entries changed in
/// `timed_seq..=seq` if the write is small or they have grown to [`may_wait`].
pub fn settle_before(
    conn: &mut DbConn,
    num: i64,
    (seq, timed_seq): (i64, i64),
    changes: usize,
) -> Result<(), StoreError> {
    let waiting = seq - timed_seq;
    if waiting <= 0 || (changes >= SMALL_WRITE && waiting < may_wait(timed_seq)) {
        return Ok(());
    }
    match conn {
        DbConn::Sqlite(c) => {
            SqliteAddTimes {
                num,
                after: timed_seq,
                through: seq,
            }
            .execute(c)?;
        }
        DbConn::Postgresql(_) => {
            diesel::insert_into(entry_times::table)
                .values(
                    entries::table
                        .filter(entries::user_num.eq(num))
                        .filter(entries::seq.gt(timed_seq))
                        .filter(entries::seq.le(seq))
                        .filter(entries::deleted.eq(false))
                        .select((entries::user_num, entries::occurred_at, entries::seq)),
                )
                .into_columns((
                    entry_times::user_num,
                    entry_times::occurred_at,
                    entry_times::seq,
                ))
                .execute(conn)?;
        }
    }
    diesel::update(users::table.filter(users::num.eq(num)))
        .set(users::timed_seq.eq(seq))
        .execute(conn)?;
    Ok(())
}

/// [`settle_before`]'s insert on SQLite, `OR IGNORE`. No row it adds can be there already:
/// `entry_times` holds rows up to `timed_seq` only, and these come after it. What `OR IGNORE`
/// changes is that a failing row could no longer abort the statement half-way, so SQLite keeps
/// no statement journal for it: one of thousands of rows copied every page the insert touched
/// into that journal, which spilled into a temporary file past 64 KiB (624 of a push's 12,000
/// writes for 10,000 documents, and bytes counted as written). The statement both backends
/// know, `… ON CONFLICT DO NOTHING`, keeps the journal on SQLite (630 such writes, measured the
/// same way: its `NOT NULL` checks still abort), so PostgreSQL keeps its own insert above.
struct SqliteAddTimes {
    num: i64,
    after: i64,
    through: i64,
}

impl QueryFragment<Sqlite> for SqliteAddTimes {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(
            "INSERT OR IGNORE INTO entry_times (user_num, occurred_at, seq) \
             SELECT user_num, occurred_at, seq FROM entries WHERE user_num = ",
        );
        out.push_bind_param::<BigInt, _>(&self.num)?;
        out.push_sql(" AND seq > ");
        out.push_bind_param::<BigInt, _>(&self.after)?;
        out.push_sql(" AND seq <= ");
        out.push_bind_param::<BigInt, _>(&self.through)?;
        out.push_sql(" AND NOT deleted");
        Ok(())
    }
}

fixed_text!(SqliteConnection => SqliteAddTimes);

/// Takes `user`'s row lock (every write of theirs takes it first, so their changes commit in
/// sequence order) and reads their sequence, number and `timed_seq` in the same statement;
/// `None` if the user is gone.
pub fn lock(conn: &mut DbConn, user: UserId) -> Result<Option<(i64, i64, i64)>, StoreError> {
    bump(conn, user, 0)
}

/// Takes `user`'s row lock and adds `step` to their sequence: their new sequence, number and
/// `timed_seq`; `None` if the user is gone.
pub fn bump(
    conn: &mut DbConn,
    user: UserId,
    step: i64,
) -> Result<Option<(i64, i64, i64)>, StoreError> {
    Ok(Bump {
        user: user.to_string(),
        step,
    }
    .get_result::<(i64, i64, i64)>(conn)
    .optional()?)
}

/// Sets `user`'s sequence (under their row lock, taken first).
pub fn set_seq(conn: &mut DbConn, user: UserId, seq: i64) -> Result<(), StoreError> {
    SetSeq {
        user: user.to_string(),
        seq,
    }
    .execute(conn)?;
    Ok(())
}

/// `UPDATE users SET seq = seq + step … RETURNING`, whose text never changes. Diesel prepares
/// each of its own `UPDATE`s again at every run (a changeset's text may differ from one run to
/// the next), and every write of a user runs this one: prepared once per connection, it saves
/// SQLite's parsing and planning of it per write.
struct Bump {
    user: String,
    step: i64,
}

impl QueryFragment<MultiBackend> for Bump {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE users SET seq = seq + ");
        out.push_bind_param::<BigInt, _>(&self.step)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(&self.user)?;
        out.push_sql(" RETURNING seq, num, timed_seq");
        Ok(())
    }
}

impl Query for Bump {
    type SqlType = (BigInt, BigInt, BigInt);
}

/// `UPDATE users SET seq = …`, whose text never changes (as [`Bump`]).
struct SetSeq {
    user: String,
    seq: i64,
}

impl QueryFragment<MultiBackend> for SetSeq {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE users SET seq = ");
        out.push_bind_param::<BigInt, _>(&self.seq)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(&self.user)?;
        Ok(())
    }
}

fixed_text!(DbConn => Bump, SetSeq);

/// Adds all of `user`'s waiting times now, under their row lock (nothing if the user is gone).
pub fn settle_now(conn: &mut DbConn, user: UserId) -> Result<(), StoreError> {
    match lock(conn, user)? {
        Some((seq, num, timed_seq)) => settle_before(conn, num, (seq, timed_seq), 0),
        None => Ok(()),
    }
}

/// How long a user's big pushes must have stopped before a thread adds their waiting times.
pub const QUIET: Duration = Duration::from_millis(200);

/// Adds the waiting times of users whose big pushes have stopped for [`QUIET`], on a thread of
/// its own with a connection from the write pool: a device's first sync leaves nothing for
/// reads to find by sequence once it is done, while the times of its pushes are still added
/// thousands at once. The thread stops once every copy of this is dropped.
#[derive(Clone, Debug)]
pub struct Settler(SyncSender<UserId>);

impl Settler {
    /// Starts the thread; `wrote` runs after each of its commits.
    pub fn start(pool: Pool, wrote: impl Fn() + Send + 'static) -> std::io::Result<Settler> {
        let (tell, told) = mpsc::sync_channel(1024);
        std::thread::Builder::new()
            .name("unknot-settle".into())
            .spawn(move || settle_when_quiet(&pool, &told, &wrote))?;
        Ok(Settler(tell))
    }

    /// Says `user` just pushed changes whose times wait. A full queue drops the word: the
    /// times then wait for the user's next write, as they may.
    pub fn pushed(&self, user: UserId) {
        match self.0.try_send(user) {
            Ok(()) | Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

fn settle_when_quiet(pool: &Pool, told: &Receiver<UserId>, wrote: &dyn Fn()) {
    let mut last: HashMap<UserId, Instant> = HashMap::new();
    loop {
        let heard = match last.values().min() {
            None => told.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(first) => {
                told.recv_timeout((*first + QUIET).saturating_duration_since(Instant::now()))
            }
        };
        // Whoever is due goes next, heard of or not: others pushing on must not hold them up.
        match heard {
            Ok(user) => {
                last.insert(user, Instant::now());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        let quiet: Vec<UserId> = last
            .iter()
            .filter(|(_, at)| now.duration_since(**at) >= QUIET)
            .map(|(u, _)| *u)
            .collect();
        for user in quiet {
            last.remove(&user);
            let done = pool
                .get()
                .map_err(StoreError::from)
                .and_then(|mut c| c.transaction::<_, StoreError, _>(|c| settle_now(c, user)));
            match done {
                Ok(()) => wrote(),
                Err(e) => tracing::warn!(error = %e, "adding waiting entry times failed"),
            }
        }
    }
}

/// Where a user's entries are for a read by time: their number, and the sequence up to which
/// their times are in `entry_times` (read first, so a concurrent settle cannot hide a row: rows
/// after it are read by sequence whether or not they have been added since).
#[derive(Clone, Copy, Debug)]
pub struct Timed {
    pub num: i64,
    pub timed_seq: i64,
}

impl Timed {
    /// `user`'s, or `None` for an unknown user.
    pub fn of(conn: &mut DbConn, user: UserId) -> Result<Option<Timed>, StoreError> {
        Ok(users::table
            .find(user.to_string())
            .select((users::num, users::timed_seq))
            .first::<(i64, i64)>(conn)
            .optional()?
            .map(|(num, timed_seq)| Timed { num, timed_seq }))
    }

    /// Each known user's of `list`.
    pub fn of_many(
        conn: &mut DbConn,
        list: &[UserId],
    ) -> Result<HashMap<i64, (UserId, Timed)>, StoreError> {
        let ids: Vec<String> = list.iter().map(|u| u.to_string()).collect();
        Ok(users::table
            .filter(users::id.eq_any(&ids))
            .select((users::id, users::num, users::timed_seq))
            .load::<(String, i64, i64)>(conn)?
            .into_iter()
            .filter_map(|(id, num, timed_seq)| {
                Some((num, (UserId::parse(&id)?, Timed { num, timed_seq })))
            })
            .collect())
    }

    /// The rows not yet in `entry_times`: `entries` filtered by this.
    pub fn waiting(&self) -> Cond<entries::table> {
        Box::new(
            entries::user_num
                .eq(self.num)
                .and(entries::seq.gt(self.timed_seq)),
        )
    }
}

/// The rows of any of `of` not yet in `entry_times`.
pub fn waiting_of(of: &[Timed]) -> Cond<entries::table> {
    let mut each = of.iter().map(Timed::waiting);
    let first = each
        .next()
        .unwrap_or_else(|| Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0")));
    each.fold(first, |all, one| Box::new(all.or(one)))
}

/// A condition on a query's rows, boxed so one list of them applies to either way of reading.
pub type Cond<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// `entry_times` joined with the entries its rows name.
#[diesel::dsl::auto_type]
pub fn with_entries() -> _ {
    entry_times::table.inner_join(
        entries::table.on(entries::user_num
            .eq(entry_times::user_num)
            .and(entries::seq.eq(entry_times::seq))),
    )
}

/// One row per entry from the two ways of reading (an entry changed between the two reads can
/// come from both: its later state is kept), in no particular order.
pub fn merge(through_times: Vec<EntryRow>, by_seq: Vec<EntryRow>) -> Vec<EntryRow> {
    if by_seq.is_empty() {
        return through_times;
    }
    let mut at: HashMap<(i64, String), usize> = HashMap::with_capacity(by_seq.len());
    let mut out = by_seq;
    for (i, r) in out.iter().enumerate() {
        at.insert((r.user_num, r.id.clone()), i);
    }
    for r in through_times {
        match at.get(&(r.user_num, r.id.clone())) {
            Some(&i) if out[i].seq >= r.seq => {}
            Some(&i) => out[i] = r,
            None => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bigger_the_index_the_more_changes_wait_up_to_a_bound() {
        assert_eq!(may_wait(0), SETTLE_AT);
        assert_eq!(may_wait(8_192), SETTLE_AT);
        assert_eq!(may_wait(40_000), 10_000);
        assert_eq!(may_wait(10_000_000), SETTLE_MOST);
    }
}
