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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub purged_seq: i64,
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
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A row of `entries`.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub user_id: String,
    pub id: String,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub utc_offset_min: i32,
    pub data: String,
    pub field_versions: String,
    pub version: i64,
    pub deleted: bool,
    pub seq: i64,
    pub created_at: NaiveDateTime,
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
