//! Shares between a client and a therapist, and the access log of every therapist request.

use crate::domain::fields::Choice;
use crate::domain::ids::UserId;
use crate::domain::share::{Scope, code_hash};
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::rows::{User, UserRow};
use crate::store::schema::{access_log, shares, users};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

/// A row of `shares`.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = shares)]
pub struct ShareRow {
    pub id: String,
    pub client_id: String,
    pub code_hash: String,
    pub scope: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub redeemed_by: Option<String>,
    pub redeemed_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_access_at: Option<NaiveDateTime>,
}

/// A share as a client sees it.
#[derive(Clone, Debug)]
pub struct Share {
    pub id: String,
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub redeemed_by: Option<(UserId, String)>,
    pub revoked: bool,
    pub last_access_at: Option<DateTime<Utc>>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

/// Creates a share; the caller made the code and keeps it only to show it once.
pub fn create(
    conn: &mut DbConn,
    client: UserId,
    normalized_code: &str,
    scope: Scope,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let row = ShareRow {
        id: id.clone(),
        client_id: client.to_string(),
        code_hash: code_hash(normalized_code),
        scope: scope.as_str().into(),
        created_at: now.naive_utc(),
        expires_at: expires_at.naive_utc(),
        redeemed_by: None,
        redeemed_at: None,
        revoked_at: None,
        last_access_at: None,
    };
    diesel::insert_into(shares::table)
        .values(&row)
        .execute(conn)?;
    Ok(id)
}

/// Redeems a code for a therapist: only an unused, unexpired, unrevoked code works, once.
/// Returns the client and the scope.
pub fn redeem(
    conn: &mut DbConn,
    normalized_code: &str,
    therapist: UserId,
    now: DateTime<Utc>,
) -> Result<Option<(User, Scope)>, StoreError> {
    let hash = code_hash(normalized_code);
    let n = diesel::update(
        shares::table
            .filter(shares::code_hash.eq(&hash))
            .filter(shares::redeemed_by.is_null())
            .filter(shares::revoked_at.is_null())
            .filter(shares::expires_at.gt(now.naive_utc())),
    )
    .set((
        shares::redeemed_by.eq(Some(therapist.to_string())),
        shares::redeemed_at.eq(Some(now.naive_utc())),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    let (scope, client): (String, UserRow) = shares::table
        .inner_join(users::table.on(users::id.eq(shares::client_id)))
        .filter(shares::code_hash.eq(&hash))
        .select((shares::scope, users::all_columns))
        .first(conn)?;
    Ok(Some((
        User::try_from(client)?,
        Scope::parse(&scope).unwrap_or(Scope::Read),
    )))
}

/// A client's shares, newest first, with who redeemed them.
pub fn for_client(conn: &mut DbConn, client: UserId) -> Result<Vec<Share>, StoreError> {
    let rows: Vec<(ShareRow, Option<String>)> = shares::table
        .left_join(users::table.on(users::id.nullable().eq(shares::redeemed_by)))
        .filter(shares::client_id.eq(client.to_string()))
        .order(shares::created_at.desc())
        .select((shares::all_columns, users::display_name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, name)| Share {
            id: r.id,
            scope: Scope::parse(&r.scope).unwrap_or(Scope::Read),
            created_at: utc(r.created_at),
            expires_at: utc(r.expires_at),
            redeemed_by: r
                .redeemed_by
                .and_then(|id| UserId::parse(&id))
                .map(|id| (id, name.unwrap_or_default())),
            revoked: r.revoked_at.is_some(),
            last_access_at: r.last_access_at.map(utc),
        })
        .collect())
}

/// A client who shares with a therapist, with the best live scope.
#[derive(Clone, Debug)]
pub struct SharedClient {
    pub client: User,
    pub scope: Scope,
    pub expires_at: DateTime<Utc>,
}

/// Every client with a live grant to `therapist`.
pub fn clients_of(
    conn: &mut DbConn,
    therapist: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<SharedClient>, StoreError> {
    let rows: Vec<(String, NaiveDateTime, UserRow)> = shares::table
        .inner_join(users::table.on(users::id.eq(shares::client_id)))
        .filter(shares::redeemed_by.eq(therapist.to_string()))
        .filter(shares::revoked_at.is_null())
        .filter(shares::expires_at.gt(now.naive_utc()))
        .select((shares::scope, shares::expires_at, users::all_columns))
        .load(conn)?;
    let mut out: Vec<SharedClient> = Vec::new();
    for (scope, expires, row) in rows {
        let scope = Scope::parse(&scope).unwrap_or(Scope::Read);
        let user = User::try_from(row)?;
        match out.iter_mut().find(|c| c.client.id == user.id) {
            Some(c) => {
                if scope == Scope::ReadNotes {
                    c.scope = scope;
                }
                c.expires_at = c.expires_at.max(utc(expires));
            }
            None => out.push(SharedClient {
                client: user,
                scope,
                expires_at: utc(expires),
            }),
        }
    }
    Ok(out)
}

/// The best live scope `therapist` holds on `client`, if any.
pub fn live_scope(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Scope>, StoreError> {
    let scopes: Vec<String> = shares::table
        .filter(shares::client_id.eq(client.to_string()))
        .filter(shares::redeemed_by.eq(therapist.to_string()))
        .filter(shares::revoked_at.is_null())
        .filter(shares::expires_at.gt(now.naive_utc()))
        .select(shares::scope)
        .load(conn)?;
    Ok(scopes
        .iter()
        .filter_map(|s| Scope::parse(s))
        .max_by_key(|s| s.may_write_notes()))
}

/// Revokes one of the client's shares at once. 404 if it is not theirs.
pub fn revoke(
    conn: &mut DbConn,
    client: UserId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = diesel::update(
        shares::table
            .filter(shares::id.eq(id))
            .filter(shares::client_id.eq(client.to_string())),
    )
    .set(shares::revoked_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    crate::store::changed_one(n)
}

/// One therapist access.
#[derive(Clone, Debug)]
pub struct Access {
    pub at: DateTime<Utc>,
    /// `None`: someone with one of the client's report links.
    pub therapist_id: Option<String>,
    pub therapist_name: String,
    pub action: String,
    pub resource: String,
}

/// Records an access and stamps the grant's last access, in the caller's transaction.
pub fn record_access(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    action: &str,
    resource: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(access_log::table)
        .values((
            access_log::id.eq(uuid::Uuid::now_v7().to_string()),
            access_log::client_id.eq(client.to_string()),
            access_log::therapist_id.eq(therapist.to_string()),
            access_log::at.eq(now.naive_utc()),
            access_log::action.eq(action),
            access_log::resource.eq(resource),
        ))
        .execute(conn)?;
    diesel::update(
        shares::table
            .filter(shares::client_id.eq(client.to_string()))
            .filter(shares::redeemed_by.eq(therapist.to_string()))
            .filter(shares::revoked_at.is_null()),
    )
    .set(shares::last_access_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(())
}

/// A client's access log, newest first.
pub fn access_log_of(
    conn: &mut DbConn,
    client: UserId,
    limit: i64,
) -> Result<Vec<Access>, StoreError> {
    let rows: Vec<(NaiveDateTime, String, String, String, String)> = access_log::table
        .inner_join(users::table.on(users::id.eq(access_log::therapist_id)))
        .filter(access_log::client_id.eq(client.to_string()))
        .order((access_log::at.desc(), access_log::id.desc()))
        .limit(limit)
        .select((
            access_log::at,
            access_log::therapist_id,
            users::display_name,
            access_log::action,
            access_log::resource,
        ))
        .load(conn)?;
    let mut all: Vec<Access> = rows
        .into_iter()
        .map(
            |(at, therapist_id, therapist_name, action, resource)| Access {
                at: utc(at),
                therapist_id: Some(therapist_id),
                therapist_name,
                action,
                resource,
            },
        )
        .collect();
    all.extend(
        crate::store::report_links::views_of(conn, client, limit)?
            .into_iter()
            .map(|(at, resource)| Access {
                at,
                therapist_id: None,
                therapist_name: "Someone with your report link".into(),
                action: "read".into(),
                resource,
            }),
    );
    all.sort_by_key(|a| std::cmp::Reverse(a.at));
    all.truncate(limit.max(0) as usize);
    Ok(all)
}

/// Records one read per client (e.g. the therapist dashboard), in one transaction.
pub fn record_reads(
    conn: &mut DbConn,
    clients: &[UserId],
    therapist: UserId,
    resource: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for c in clients {
        record_access(conn, *c, therapist, "read", resource, now)?;
    }
    Ok(())
}
