//! Database rows and their mapping to domain types.

use crate::domain::caution::Caution;
use crate::domain::entry::{Entry, EntryData, EntryKind};
use crate::domain::fields::Choice;
use crate::domain::ids::{EntryId, UserId};
use crate::domain::profile::Role;
use crate::domain::rules::ThresholdOverrides;
use crate::store::StoreError;
use crate::store::schema::{entries, sessions, users};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

/// The backend the rows are read through.
type Backend = <crate::store::DbConn as diesel::Connection>::Backend;

/// A UTC instant read from a `Timestamp` column. SQLite stores it as text, which diesel parses
/// by trying chrono format strings one after another; this reads the one form diesel writes
/// (`2026-05-10 08:00:00.123456`) directly and leaves any other form to diesel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

/// `YYYY-MM-DD HH:MM:SS[.fraction]`, or `None` for any other form.
fn parse_stamp(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[16] != b':' {
        return None;
    }
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = num(20..b.len())?;
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?.and_hms_nano_opt(
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        nanos,
    )
}

/// `t` as diesel writes a `Timestamp` to SQLite (`%F %T%.f`: the fraction with 0, 3, 6 or 9
/// digits), without going through chrono's format interpreter.
pub fn sqlite_stamp(t: NaiveDateTime) -> String {
    let mut s = String::with_capacity(29);
    write_sqlite_stamp(&mut s, t);
    s
}

/// Writes [`sqlite_stamp`] of `t` at the end of `s` (a buffer used again row after row).
pub fn write_sqlite_stamp(s: &mut String, t: NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    let nanos = t.nanosecond();
    // Years outside 0..=9999 are rare enough to leave to chrono.
    if !(0..=9999).contains(&t.year()) || nanos >= 1_000_000_000 {
        use std::fmt::Write;
        let _ = write!(s, "{}", t.format("%F %T%.f"));
        return;
    }
    digits(s, t.year() as u32, 4);
    s.push('-');
    digits(s, t.month(), 2);
    s.push('-');
    digits(s, t.day(), 2);
    s.push(' ');
    digits(s, t.hour(), 2);
    s.push(':');
    digits(s, t.minute(), 2);
    s.push(':');
    digits(s, t.second(), 2);
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if width > 0 {
        s.push('.');
        digits(s, fraction, width);
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits (`n` has at most `width`).
fn digits(s: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        s.push(char::from(b'0' + (n / 10_u32.pow(place) % 10) as u8));
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for Stamp {
    fn from_sql(
        mut value: diesel::sqlite::SqliteValue<'_, '_, '_>,
    ) -> diesel::deserialize::Result<Self> {
        if let Some(t) = parse_stamp(value.read_text()) {
            return Ok(Stamp(t));
        }
        <NaiveDateTime as diesel::deserialize::FromSql<
            diesel::sql_types::Timestamp,
            diesel::sqlite::Sqlite,
        >>::from_sql(value)
        .map(Stamp)
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for Stamp {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        <NaiveDateTime as diesel::deserialize::FromSql<
            diesel::sql_types::Timestamp,
            diesel::pg::Pg,
        >>::from_sql(value)
        .map(Stamp)
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, Backend> for Stamp {
    fn from_sql(
        value: <Backend as diesel::backend::Backend>::RawValue<'_>,
    ) -> diesel::deserialize::Result<Self> {
        value.from_sql::<Self, diesel::sql_types::Timestamp>()
    }
}

/// A row of `users`.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub timezone: Option<String>,
    pub cautions: String,
    pub thresholds: String,
    pub seq: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
    pub purged_seq: i64,
    /// Given by the database on insert.
    #[diesel(skip_insertion)]
    pub num: i64,
    /// Starts at 0 (nothing written yet).
    #[diesel(skip_insertion)]
    pub timed_seq: i64,
}

/// A user as the rest of the app sees it.
#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub timezone: Option<String>,
    pub cautions: Vec<Caution>,
    pub thresholds: ThresholdOverrides,
    /// The journal's change sequence when this was read.
    pub seq: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("a user has a bad {what}"));
        let cautions: Vec<String> =
            serde_json::from_str(&r.cautions).map_err(|_| bad("cautions"))?;
        Ok(User {
            id: UserId::parse(&r.id).ok_or_else(|| bad("id"))?,
            email: r.email,
            display_name: r.display_name,
            role: Role::parse(&r.role).ok_or_else(|| bad("role"))?,
            timezone: r.timezone,
            cautions: cautions.iter().filter_map(|c| Caution::parse(c)).collect(),
            thresholds: {
                let stored: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&r.thresholds).map_err(|_| bad("thresholds"))?;
                ThresholdOverrides::lenient(stored.iter().map(|(k, v)| (k.as_str(), v.as_i64())))
            },
            seq: r.seq,
        })
    }
}

/// A row of `sessions`.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A row of `entries`.
#[derive(Clone, Debug, Queryable, QueryableByName, Insertable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub user_num: i64,
    pub id: String,
    pub kind: String,
    #[diesel(deserialize_as = Stamp)]
    pub occurred_at: NaiveDateTime,
    pub utc_offset_min: i32,
    pub data: String,
    pub field_versions: String,
    pub version: i64,
    pub deleted: bool,
    pub seq: i64,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Stamp)]
    pub updated_at: NaiveDateTime,
}

/// Splits a local time into its UTC instant and its offset in minutes.
pub fn split_local(t: &DateTime<FixedOffset>) -> (NaiveDateTime, i32) {
    (t.naive_utc(), t.offset().local_minus_utc() / 60)
}

/// Joins a UTC instant and an offset in minutes back into local time.
pub fn join_local(
    utc: NaiveDateTime,
    offset_min: i32,
) -> Result<DateTime<FixedOffset>, StoreError> {
    let off = FixedOffset::east_opt(offset_min * 60)
        .ok_or_else(|| StoreError::Corrupt("an entry offset is out of range".into()))?;
    Ok(off.from_utc_datetime(&utc))
}

impl TryFrom<EntryRow> for Entry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("an entry has a bad {what}"));
        let kind = EntryKind::parse(&r.kind).ok_or_else(|| bad("kind"))?;
        Ok(Entry {
            id: EntryId::parse(&r.id).ok_or_else(|| bad("id"))?,
            occurred_at: join_local(r.occurred_at, r.utc_offset_min)?,
            data: EntryData::from_json_str(kind, &r.data).map_err(|_| bad("data"))?,
            version: r.version,
            deleted: r.deleted,
            seq: r.seq,
            updated_at: Utc.from_utc_datetime(&r.updated_at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_written_as_diesel_writes_them() {
        for (y, mo, d) in [(1, 1, 1), (999, 12, 31), (2026, 10, 20), (9999, 12, 31)] {
            let day = chrono::NaiveDate::from_ymd_opt(y, mo, d).unwrap();
            let t = day.and_hms_nano_opt(19, 40, 10, 5_000).unwrap();
            assert_eq!(sqlite_stamp(t), t.format("%F %T%.f").to_string());
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        for nanos in [
            0,
            1,
            999,
            1_000,
            120_000,
            1_000_000,
            123_000_000,
            999_999_999,
        ] {
            for (h, m, sec) in [(0, 0, 0), (8, 5, 7), (23, 59, 59)] {
                let t = day.and_hms_nano_opt(h, m, sec, nanos).unwrap();
                let written = sqlite_stamp(t);
                assert_eq!(written, t.format("%F %T%.f").to_string());
                assert_eq!(parse_stamp(&written), Some(t));
            }
        }
        // A leap second and a year past 9999 still match diesel's form.
        let leap = day.and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        assert_eq!(sqlite_stamp(leap), leap.format("%F %T%.f").to_string());
        let far = chrono::NaiveDate::from_ymd_opt(12026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(sqlite_stamp(far), far.format("%F %T%.f").to_string());
    }

    #[test]
    fn stamps_read_as_diesel_reads_them() {
        for text in [
            "2026-05-10 08:00:00",
            "2026-05-10 08:00:00.1",
            "2026-05-10 08:00:00.123456",
            "1999-12-31 23:59:59.999999999",
            "2026-02-28 00:00:00.000001",
        ] {
            let diesel = NaiveDateTime::parse_from_str(text, "%F %T%.f").unwrap();
            assert_eq!(parse_stamp(text), Some(diesel), "{text}");
        }
        // Other forms are left to diesel's own parser.
        for text in [
            "2026-05-10T08:00:00",
            "2026-05-10 08:00",
            "2026-02-30 08:00:00",
            "2026-05-10 25:00:00",
            "2026-05-10 08:00:00.",
            "2026-05-10 08:00:00+02:00",
            "2461000.5",
            "2026-0a-10 08:00:00",
        ] {
            assert_eq!(parse_stamp(text), None, "{text}");
        }
    }
}
