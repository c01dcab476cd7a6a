//! Sync for offline clients (API.md): exactly-once pushes with per-field merge, pulls by the
//! per-user change sequence, and tombstone purging.

use crate::domain::entry::{Entry, NewEntry, changed_fields};
use crate::domain::fields::Choice;
use crate::domain::ids::{EntryId, UserId};
use crate::error::AppError;
use crate::store::DbConn;
use crate::store::entries::next_seq;
use crate::store::rows::{EntryRow, split_local};
use crate::store::schema::{entries, sync_clients, users};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::{Map, Value, json};

/// A parsed mutation (or the reason it is rejected, which still advances `last_mid`).
#[derive(Clone, Debug)]
pub enum Op {
    /// Create or replace an entry, merged per field against `base_version`.
    Upsert { entry: NewEntry, base_version: i64 },
    /// Change some data fields (and maybe `occurred_at`); `null` removes an optional field.
    Patch {
        id: EntryId,
        fields: Map<String, Value>,
        base_version: i64,
    },
    /// Delete (a tombstone); deletes win over edits.
    Delete { id: EntryId },
    /// Refused with a reason.
    Invalid { error: String },
}

/// One field kept at its server value.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub field: String,
    pub server: Value,
    pub yours: Value,
}

/// What happened to one mutation.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Applied {
        version: i64,
        seq: i64,
    },
    Merged {
        version: i64,
        seq: i64,
        conflicts: Vec<Conflict>,
    },
    Duplicate,
    ConflictDeleted {
        version: i64,
    },
    Rejected {
        error: String,
    },
}

/// A push refused as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum PushError {
    /// The client id belongs to another user.
    ForeignClient,
    /// A mutation id skipped ahead: nothing was applied; send from `expected`.
    Gap { expected: i64 },
}

/// The value of `field` in an entry ("occurred_at" or a data field), as JSON.
fn field_value(occurred_at: &str, data: &Map<String, Value>, field: &str) -> Value {
    if field == "occurred_at" {
        Value::String(occurred_at.to_string())
    } else {
        data.get(field).cloned().unwrap_or(Value::Null)
    }
}

/// The version a field was last written at and by which sync client (`None`: the API or a page).
/// Stored as a number (pages, API) or `{"v": version, "by": client_id}` (sync).
fn field_version(fv: &Map<String, Value>, field: &str) -> (i64, Option<String>) {
    match fv.get(field) {
        Some(Value::Number(n)) => (n.as_i64().unwrap_or(1), None),
        Some(Value::Object(o)) => (
            o.get("v").and_then(Value::as_i64).unwrap_or(1),
            o.get("by").and_then(Value::as_str).map(str::to_string),
        ),
        // A field never changed since creation was last written at version 1.
        _ => (1, None),
    }
}

/// Applies `incoming` over `stored`: fields another writer changed after `base_version` keep the
/// server value and are reported; the rest take the client's value.
#[allow(clippy::too_many_arguments)]
fn merge(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
    stored: &Entry,
    incoming: &NewEntry,
    only: Option<&[String]>,
    base_version: i64,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    if stored.kind() != incoming.data.kind() {
        return Ok(Outcome::Rejected {
            error: "kind cannot change".into(),
        });
    }
    let fv_text: String = entries::table
        .find((user.to_string(), stored.id.to_string()))
        .select(entries::field_versions)
        .first(conn)?;
    let mut fv: Map<String, Value> = serde_json::from_str(&fv_text).unwrap_or_default();
    let mut changed = changed_fields(stored, incoming);
    if let Some(named) = only {
        changed.retain(|f| named.contains(f));
    }
    let server_data = stored
        .data
        .to_json()
        .as_object()
        .cloned()
        .unwrap_or_default();
    let yours_data = incoming
        .data
        .to_json()
        .as_object()
        .cloned()
        .unwrap_or_default();
    let server_at = crate::domain::time::rfc3339(&stored.occurred_at);
    let yours_at = crate::domain::time::rfc3339(&incoming.occurred_at);
    let mut data = server_data.clone();
    let mut occurred_at = stored.occurred_at;
    let mut conflicts = Vec::new();
    let mut taken = Vec::new();
    for f in changed {
        // Only another writer's later change is a conflict: a device never conflicts with itself
        // (two offline edits of one field, or a replay after a lost response).
        let (server_v, writer) = field_version(&fv, &f);
        if server_v > base_version && writer.as_deref() != Some(client) {
            conflicts.push(Conflict {
                field: f.clone(),
                server: field_value(&server_at, &server_data, &f),
                yours: field_value(&yours_at, &yours_data, &f),
            });
        } else {
            if f == "occurred_at" {
                occurred_at = incoming.occurred_at;
            } else {
                match yours_data.get(&f) {
                    Some(v) => data.insert(f.clone(), v.clone()),
                    None => data.remove(&f),
                };
            }
            taken.push(f);
        }
    }
    if taken.is_empty() {
        return Ok(if conflicts.is_empty() {
            Outcome::Applied {
                version: stored.version,
                seq: stored.seq,
            }
        } else {
            Outcome::Merged {
                version: stored.version,
                seq: stored.seq,
                conflicts,
            }
        });
    }
    // Every field is valid on its own, so the merged data of one kind is valid too; check anyway.
    let merged = Value::Object(data);
    if crate::domain::entry::EntryData::from_json_str(stored.kind(), &merged.to_string()).is_err() {
        return Ok(Outcome::Rejected {
            error: "the merged entry would not be valid".into(),
        });
    }
    let version = stored.version + 1;
    for f in &taken {
        fv.insert(f.clone(), json!({"v": version, "by": client}));
    }
    let seq = next_seq(conn, user)?;
    let (at, off) = split_local(&occurred_at);
    diesel::update(entries::table.find((user.to_string(), stored.id.to_string())))
        .set((
            entries::occurred_at.eq(at),
            entries::utc_offset_min.eq(off),
            entries::data.eq(merged.to_string()),
            entries::field_versions.eq(Value::Object(fv).to_string()),
            entries::version.eq(version),
            entries::seq.eq(seq),
            entries::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(if conflicts.is_empty() {
        Outcome::Applied { version, seq }
    } else {
        Outcome::Merged {
            version,
            seq,
            conflicts,
        }
    })
}

fn apply(
    conn: &mut DbConn,
    user: UserId,
    client: &str,
    op: &Op,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    match op {
        Op::Invalid { error } => Ok(Outcome::Rejected {
            error: error.clone(),
        }),
        Op::Upsert {
            entry,
            base_version,
        } => match crate::store::entries::find(conn, user, entry.id)? {
            None => match crate::store::entries::create(conn, user, entry, now)? {
                crate::store::entries::Created::New(e)
                | crate::store::entries::Created::Existing(e) => Ok(Outcome::Applied {
                    version: e.version,
                    seq: e.seq,
                }),
            },
            Some(stored) if stored.deleted => Ok(Outcome::ConflictDeleted {
                version: stored.version,
            }),
            Some(stored) => merge(conn, user, client, &stored, entry, None, *base_version, now),
        },
        Op::Patch {
            id,
            fields,
            base_version,
        } => match crate::store::entries::find(conn, user, *id)? {
            None => Ok(Outcome::Rejected {
                error: "not_found: there is no such entry to patch".into(),
            }),
            Some(stored) if stored.deleted => Ok(Outcome::ConflictDeleted {
                version: stored.version,
            }),
            Some(stored) => {
                let mut data = stored
                    .data
                    .to_json()
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let mut occurred_at =
                    Value::String(crate::domain::time::rfc3339(&stored.occurred_at));
                for (k, v) in fields {
                    if k == "occurred_at" {
                        occurred_at = v.clone();
                    } else if v.is_null() {
                        data.remove(k);
                    } else {
                        data.insert(k.clone(), v.clone());
                    }
                }
                let body = json!({"id": id.to_string(), "kind": stored.kind().as_str(), "occurred_at": occurred_at, "data": data});
                let allowed = ["id", "kind", "occurred_at", "data"];
                match crate::domain::entry::parse_json_entry(
                    body.as_object().unwrap_or(&Map::new()),
                    &allowed,
                    now,
                ) {
                    Ok((patched, _)) => {
                        let named: Vec<String> = fields.keys().cloned().collect();
                        merge(
                            conn,
                            user,
                            client,
                            &stored,
                            &patched,
                            Some(&named),
                            *base_version,
                            now,
                        )
                    }
                    Err(errors) => Ok(Outcome::Rejected {
                        error: describe(&errors),
                    }),
                }
            }
        },
        Op::Delete { id } => match crate::store::entries::find(conn, user, *id)? {
            None => Ok(Outcome::Rejected {
                error: "not_found: there is no such entry to delete".into(),
            }),
            Some(stored) if stored.deleted => Ok(Outcome::Applied {
                version: stored.version,
                seq: stored.seq,
            }),
            Some(stored) => {
                let seq = next_seq(conn, user)?;
                let version = stored.version + 1;
                diesel::update(entries::table.find((user.to_string(), id.to_string())))
                    .set((
                        entries::deleted.eq(true),
                        entries::version.eq(version),
                        entries::seq.eq(seq),
                        entries::updated_at.eq(now.naive_utc()),
                    ))
                    .execute(conn)?;
                Ok(Outcome::Applied { version, seq })
            }
        },
    }
}

/// Applies a push in the caller's transaction. Returns the client's new `last_mid` and one
/// outcome per mutation, or refuses the whole push.
pub fn push(
    conn: &mut DbConn,
    user: UserId,
    client_id: &str,
    mutations: &[(i64, Op)],
    now: DateTime<Utc>,
) -> Result<Result<(i64, Vec<Outcome>), PushError>, AppError> {
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
) -> Result<Option<Pull>, AppError> {
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
pub fn purge_tombstones(conn: &mut DbConn, now: DateTime<Utc>) -> Result<usize, AppError> {
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

/// The wire form of an outcome.
pub fn outcome_json(mid: i64, o: &Outcome) -> Value {
    match o {
        Outcome::Applied { version, seq } => {
            json!({"mid": mid, "status": "applied", "version": version, "seq": seq})
        }
        Outcome::Merged {
            version,
            seq,
            conflicts,
        } => json!({
            "mid": mid, "status": "merged", "version": version, "seq": seq,
            "conflicts": conflicts.iter().map(|c| json!({"field": c.field, "server": c.server, "yours": c.yours})).collect::<Vec<_>>(),
        }),
        Outcome::Duplicate => json!({"mid": mid, "status": "duplicate"}),
        Outcome::ConflictDeleted { version } => {
            json!({"mid": mid, "status": "conflict_deleted", "version": version})
        }
        Outcome::Rejected { error } => json!({"mid": mid, "status": "rejected", "error": error}),
    }
}

/// Field errors as one sentence, for a rejected mutation.
pub fn describe(errors: &crate::domain::fields::FieldErrors) -> String {
    errors
        .0
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}
