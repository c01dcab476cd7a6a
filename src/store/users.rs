//! Users and their login sessions.

use crate::domain::fields::Choice;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::profile::{ProfileDetails, Registration};
use crate::domain::rules::ThresholdOverrides;
use crate::store::StoreError;
use crate::store::rows::{SessionRow, User, UserRow};
use crate::store::schema::{sessions, users};
use crate::store::{DbConn, MultiBackend, is_unique_violation};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::{Text, Timestamp};

/// Creates an account; a taken email is a `409 email_taken`.
pub fn insert_user(
    conn: &mut DbConn,
    reg: &Registration,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<UserId, StoreError> {
    let id = UserId::new_v7();
    let row = UserRow {
        id: id.to_string(),
        email: reg.email.as_str().to_string(),
        password_hash,
        display_name: reg.display_name.clone(),
        role: reg.role.as_str().to_string(),
        timezone: reg.timezone.clone(),
        cautions: "[]".into(),
        thresholds: "{}".into(),
        seq: 0,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        purged_seq: 0,
        // Not inserted: the database numbers the user.
        num: 0,
        timed_seq: 0,
    };
    match diesel::insert_into(users::table).values(&row).execute(conn) {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(StoreError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

/// The user with this (normalised) email and their password hash.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<(User, String)>, StoreError> {
    let row = users::table
        .filter(users::email.eq(email))
        .first::<UserRow>(conn)
        .optional()?;
    row.map(|r| {
        let hash = r.password_hash.clone();
        User::try_from(r).map(|u| (u, hash))
    })
    .transpose()
}

/// The user with this id and their password hash.
pub fn find_with_hash(conn: &mut DbConn, id: UserId) -> Result<(User, String), StoreError> {
    let r = users::table.find(id.to_string()).first::<UserRow>(conn)?;
    let hash = r.password_hash.clone();
    Ok((User::try_from(r)?, hash))
}

/// Changes the password hash and revokes every session of the user.
pub fn set_password(
    conn: &mut DbConn,
    id: UserId,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(users::table.find(id.to_string()))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    revoke_all_sessions(conn, id, now)
}

/// Saves name, time zone and cautions.
pub fn update_details(
    conn: &mut DbConn,
    id: UserId,
    p: &ProfileDetails,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let cautions: Vec<&str> = p.cautions.iter().map(|c| c.as_str()).collect();
    diesel::update(users::table.find(id.to_string()))
        .set((
            users::display_name.eq(&p.display_name),
            users::timezone.eq(&p.timezone),
            users::cautions.eq(serde_json::to_string(&cautions).unwrap_or_else(|_| "[]".into())),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Saves threshold overrides.
pub fn update_thresholds(
    conn: &mut DbConn,
    id: UserId,
    t: &ThresholdOverrides,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(users::table.find(id.to_string()))
        .set((
            users::thresholds.eq(serde_json::to_string(t).unwrap_or_else(|_| "{}".into())),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Starts a session that lasts until `expires_at`.
pub fn create_session(
    conn: &mut DbConn,
    user: UserId,
    kind: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<SessionId, StoreError> {
    let id = SessionId::from(uuid::Uuid::new_v4());
    let row = SessionRow {
        id: id.to_string(),
        user_id: user.to_string(),
        kind: kind.to_string(),
        created_at: now.naive_utc(),
        expires_at: expires_at.naive_utc(),
        revoked_at: None,
    };
    diesel::insert_into(sessions::table)
        .values(&row)
        .execute(conn)?;
    Ok(id)
}

/// The user behind a live (not revoked, not expired) session of theirs.
pub fn live_session_user(
    conn: &mut DbConn,
    session: SessionId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Option<User>, StoreError> {
    let row = SessionUser {
        session: session.to_string(),
        user: user.to_string(),
        now: now.naive_utc(),
    }
    .get_result::<UserRow>(conn)
    .optional()?;
    row.map(User::try_from).transpose()
}

/// The user of a live session, as one statement whose text never changes. Every signed-in
/// request runs it: built from diesel's parts, the query was walked twice per run (to see
/// whether it may be kept prepared, then to bind it), which cost more than SQLite's run of it.
struct SessionUser {
    session: String,
    user: String,
    now: NaiveDateTime,
}

impl QueryFragment<MultiBackend> for SessionUser {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        // The columns as the schema lists them (what `UserRow` reads), written by diesel.
        out.push_sql("SELECT ");
        users::all_columns.walk_ast(out.reborrow())?;
        out.push_sql(
            " FROM sessions INNER JOIN users ON users.id = sessions.user_id \
             WHERE sessions.id = ",
        );
        out.push_bind_param::<Text, _>(&self.session)?;
        out.push_sql(" AND sessions.user_id = ");
        out.push_bind_param::<Text, _>(&self.user)?;
        out.push_sql(" AND sessions.revoked_at IS NULL AND sessions.expires_at > ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" LIMIT 1");
        Ok(())
    }
}

impl Query for SessionUser {
    type SqlType = users::SqlType;
}

fixed_text!(DbConn => SessionUser);

/// Revokes one session.
pub fn revoke_session(
    conn: &mut DbConn,
    session: SessionId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(sessions::table.find(session.to_string()))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    Ok(())
}

/// Revokes every session of a user.
pub fn revoke_all_sessions(
    conn: &mut DbConn,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(sessions::table.filter(sessions::user_id.eq(user.to_string())))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    Ok(())
}

/// Removes sessions that ended more than a day ago.
pub fn purge_sessions(conn: &mut DbConn, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let cutoff = (now - chrono::Duration::days(1)).naive_utc();
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.lt(cutoff))).execute(conn)?)
}

/// Deletes a client's account; the database deletes with it their entries, profile, shares and
/// grants, report links, access log, sessions and the notes written about them.
pub fn delete_client(conn: &mut DbConn, id: UserId) -> Result<(), StoreError> {
    let n = diesel::delete(users::table.find(id.to_string())).execute(conn)?;
    crate::store::changed_one(n)
}

/// Retires a therapist's account: sessions, grants and draft notes are deleted and no one can
/// sign in to it again, but the row stays so the final notes in clients' records keep the name
/// they were signed with.
pub fn retire_therapist(
    conn: &mut DbConn,
    id: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use crate::store::schema::{notes, shares};
    let uid = id.to_string();
    diesel::delete(sessions::table.filter(sessions::user_id.eq(&uid))).execute(conn)?;
    diesel::delete(shares::table.filter(shares::redeemed_by.eq(&uid))).execute(conn)?;
    diesel::delete(
        notes::table
            .filter(notes::therapist_id.eq(&uid))
            .filter(notes::status.eq("draft")),
    )
    .execute(conn)?;
    diesel::update(users::table.find(&uid))
        .set((
            users::email.eq(format!("deleted-{uid}@deleted.invalid")),
            users::password_hash.eq("!"),
            users::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}
