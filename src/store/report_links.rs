//! Report links for a doctor: created, listed, revoked, opened by token (stored as a hash), and
//! every view kept for the client's access log.

use crate::domain::ids::UserId;
use crate::domain::share::code_hash;
use crate::store::schema::report_links as rl;
use crate::store::schema::report_views as rv;
use crate::store::{DbConn, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

/// A report link as its owner sees it.
#[derive(Clone, Debug)]
pub struct ReportLink {
    pub id: String,
    pub client_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub views: i64,
    pub last_viewed_at: Option<DateTime<Utc>>,
}

type Row = (
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    i64,
    Option<NaiveDateTime>,
);

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

fn link(r: Row) -> Result<ReportLink, StoreError> {
    let date = |s: &str| {
        s.parse::<NaiveDate>()
            .map_err(|_| StoreError::Corrupt(format!("a report link has a bad date {s}")))
    };
    Ok(ReportLink {
        from: date(&r.2)?,
        to: date(&r.3)?,
        id: r.0,
        client_id: r.1,
        created_at: utc(r.4),
        expires_at: utc(r.5),
        revoked: r.6.is_some(),
        views: r.7,
        last_viewed_at: r.8.map(utc),
    })
}

fn columns() -> (
    rl::id,
    rl::client_id,
    rl::from_date,
    rl::to_date,
    rl::created_at,
    rl::expires_at,
    rl::revoked_at,
    rl::views,
    rl::last_viewed_at,
) {
    (
        rl::id,
        rl::client_id,
        rl::from_date,
        rl::to_date,
        rl::created_at,
        rl::expires_at,
        rl::revoked_at,
        rl::views,
        rl::last_viewed_at,
    )
}

/// Stores a new link; `token` is kept only as its hash.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut DbConn,
    client: UserId,
    token: &str,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(rl::table)
        .values((
            rl::id.eq(&id),
            rl::client_id.eq(client.to_string()),
            rl::token_hash.eq(code_hash(token)),
            rl::from_date.eq(from.to_string()),
            rl::to_date.eq(to.to_string()),
            rl::created_at.eq(now.naive_utc()),
            rl::expires_at.eq(expires_at.naive_utc()),
            rl::views.eq(0i64),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A client's links, newest first.
pub fn for_client(conn: &mut DbConn, client: UserId) -> Result<Vec<ReportLink>, StoreError> {
    rl::table
        .filter(rl::client_id.eq(client.to_string()))
        .order((rl::created_at.desc(), rl::id.desc()))
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(link)
        .collect()
}

/// Revokes one of the client's links at once (404 if it is not theirs).
pub fn revoke(
    conn: &mut DbConn,
    client: UserId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = diesel::update(
        rl::table
            .filter(rl::id.eq(id))
            .filter(rl::client_id.eq(client.to_string())),
    )
    .set(rl::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    crate::store::changed_one(n)
}

/// The live link behind `token` (not revoked, not expired), counting this view (described by
/// `resource`) in the same transaction; `None` for an unknown, expired or revoked one.
pub fn open(
    conn: &mut DbConn,
    token: &str,
    resource: impl FnOnce(&ReportLink) -> String,
    now: DateTime<Utc>,
) -> Result<Option<ReportLink>, StoreError> {
    let found = rl::table
        .filter(rl::token_hash.eq(code_hash(token)))
        .filter(rl::revoked_at.is_null())
        .filter(rl::expires_at.gt(now.naive_utc()))
        .select(columns())
        .first::<Row>(conn)
        .optional()?;
    let Some(row) = found else { return Ok(None) };
    let l = link(row)?;
    diesel::update(rl::table.find(&l.id))
        .set((
            rl::views.eq(rl::views + 1),
            rl::last_viewed_at.eq(Some(now.naive_utc())),
        ))
        .execute(conn)?;
    diesel::insert_into(rv::table)
        .values((
            rv::id.eq(uuid::Uuid::now_v7().to_string()),
            rv::link_id.eq(&l.id),
            rv::client_id.eq(&l.client_id),
            rv::at.eq(now.naive_utc()),
            rv::resource.eq(resource(&l)),
        ))
        .execute(conn)?;
    Ok(Some(l))
}

/// The client's report views, newest first: (when, what).
pub fn views_of(
    conn: &mut DbConn,
    client: UserId,
    limit: i64,
) -> Result<Vec<(DateTime<Utc>, String)>, StoreError> {
    Ok(rv::table
        .filter(rv::client_id.eq(client.to_string()))
        .order((rv::at.desc(), rv::id.desc()))
        .limit(limit)
        .select((rv::at, rv::resource))
        .load::<(NaiveDateTime, String)>(conn)?
        .into_iter()
        .map(|(at, r)| (utc(at), r))
        .collect())
}
