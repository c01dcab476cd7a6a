//! How a push reads and writes entry rows many at once: the stored rows of the ids it names in
//! one lookup, and its new rows in multi-row `INSERT`s whose text never changes (SQLite) or in
//! chunks (PostgreSQL).

use crate::store::rows::EntryRow;
use crate::store::rows::{sqlite_stamp, write_sqlite_stamp};
use crate::store::schema::entries;
use crate::store::{DbConn, StoreError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use diesel::sqlite::Sqlite;

/// Ids per lookup of stored entries (well under both backends' bound-parameter limits).
const LOOKUP_CHUNK: usize = 500;

/// The stored rows of `ids` (one user's), [`LOOKUP_CHUNK`] ids per query.
///
/// On SQLite, ids that sort after the greatest id the user has stored are not looked up: none
/// of them can be stored. Ids are made in time order (UUIDv7), so a device's new entries are
/// nearly always such, and looking each one up was 3.5 % of a push's instructions. SQLite
/// compares the column as bytes (its collation is `BINARY`), as `str` does here, and finds the
/// greatest from the primary key's index in one probe. On PostgreSQL the column sorts by the
/// database's collation, so every id is looked up there.
pub(super) fn stored(
    conn: &mut DbConn,
    user: i64,
    mut ids: Vec<String>,
) -> Result<Vec<EntryRow>, StoreError> {
    if let DbConn::Sqlite(c) = conn {
        let greatest: Option<String> = entries::table
            .filter(entries::user_num.eq(user))
            .select(diesel::dsl::max(entries::id))
            .first(c)?;
        match greatest {
            Some(greatest) => ids.retain(|id| *id <= greatest),
            None => return Ok(Vec::new()),
        }
    }
    let mut rows = Vec::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        rows.extend(stored_chunk(conn, user, chunk)?);
    }
    Ok(rows)
}

/// [`stored`] for at most [`LOOKUP_CHUNK`] ids. On PostgreSQL each id is looked up by the
/// primary key on its own (`OFFSET 0` keeps the planner from turning the lookups into a join):
/// planned as `id = ANY(…)` with no statistics yet on a young table, it scanned all of the
/// user's rows per push, and a first sync slowed with every batch.
fn stored_chunk(conn: &mut DbConn, user: i64, ids: &[String]) -> Result<Vec<EntryRow>, StoreError> {
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
pub(super) fn insert_rows(conn: &mut DbConn, rows: &[EntryRow]) -> Result<(), StoreError> {
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

fixed_text!(SqliteConnection => SqliteCreate<'_, const N>);

fixed_text!(SqliteConnection => SqliteInsert<'_>);
