//! Keys the server generates once and keeps in its database.

use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::schema::server_keys;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// The stored value of `name`, created from `make` on first use.
pub fn get_or_create(
    conn: &mut DbConn,
    name: &str,
    now: DateTime<Utc>,
    make: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    if let Some(v) = server_keys::table
        .find(name)
        .select(server_keys::value)
        .first::<String>(conn)
        .optional()?
    {
        return Ok(v);
    }
    let value = make();
    diesel::insert_into(server_keys::table)
        .values((
            server_keys::name.eq(name),
            server_keys::value.eq(&value),
            server_keys::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(value)
}
