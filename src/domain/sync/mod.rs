//! The sync merge, as a pure function: what one mutation from a device does to one entry.
//! The store loads the entry and its field versions, asks [`decide`], and saves the step.
//!
//! Rules (API.md, Sync): a field another writer changed after the device's `base_version` keeps
//! the server value and is reported as a conflict; a device never conflicts with its own earlier
//! writes (including creating the entry), whatever `base_version` it sends; deletes win.

use crate::domain::entry::{Entry, NewEntry, changed_fields, parse_json_entry};
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::ids::EntryId;
use crate::domain::time::rfc3339;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

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

/// Which writer last changed a field, and at which entry version. `by` is the sync client id;
/// `None` is a page or the API (which check whole-entry versions instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub v: i64,
    pub by: Option<String>,
}

/// The key under which the creator of an entry is stored.
const CREATOR: &str = "*";

/// Per-field writers of one entry. A field with no record of its own was last written when the
/// entry was created, at version 1, by its creator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldVersions {
    pub created_by: Option<String>,
    pub fields: BTreeMap<String, Written>,
}

impl FieldVersions {
    /// The versions of an entry just created by `by`.
    pub fn created(by: Option<&str>) -> Self {
        Self {
            created_by: by.map(str::to_string),
            fields: BTreeMap::new(),
        }
    }

    /// Who last wrote `field`.
    pub fn get(&self, field: &str) -> Written {
        self.fields.get(field).cloned().unwrap_or(Written {
            v: 1,
            by: self.created_by.clone(),
        })
    }

    /// Records a write of `field` at `v` by `by`.
    pub fn set(&mut self, field: &str, v: i64, by: Option<&str>) {
        self.fields.insert(
            field.to_string(),
            Written {
                v,
                by: by.map(str::to_string),
            },
        );
    }

    /// The stored text: a JSON object of field → version (a page or API write) or
    /// `{"v", "by"}` (a sync client's), and `"*"` → the creator.
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        if let Some(c) = &self.created_by {
            m.insert(CREATOR.into(), json!(c));
        }
        for (k, w) in &self.fields {
            let v = match &w.by {
                None => json!(w.v),
                Some(by) => json!({"v": w.v, "by": by}),
            };
            m.insert(k.clone(), v);
        }
        Value::Object(m).to_string()
    }

    /// Reads the stored text; anything unreadable counts as never written since creation.
    pub fn from_json(text: &str) -> Self {
        let m: Map<String, Value> = serde_json::from_str(text).unwrap_or_default();
        let mut out = Self::default();
        for (k, v) in m {
            if k == CREATOR {
                out.created_by = v.as_str().map(str::to_string);
                continue;
            }
            let w = match v {
                Value::Number(n) => Written {
                    v: n.as_i64().unwrap_or(1),
                    by: None,
                },
                Value::Object(o) => Written {
                    v: o.get("v").and_then(Value::as_i64).unwrap_or(1),
                    by: o.get("by").and_then(Value::as_str).map(str::to_string),
                },
                _ => continue,
            };
            out.fields.insert(k, w);
        }
        out
    }
}

/// What the store does for one mutation.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Store a new entry created by the pushing client.
    Create(NewEntry),
    /// Save the merged entry at `version` with these field versions; `conflicts` name the
    /// fields that kept the server value.
    Save {
        entry: NewEntry,
        versions: FieldVersions,
        version: i64,
        conflicts: Vec<Conflict>,
    },
    /// Mark the entry deleted at `version`.
    Delete { id: EntryId, version: i64 },
    /// Nothing to store; this is the answer (the stored `seq` fills `Applied`/`Merged`).
    Done(Outcome),
}

/// The value of `field` in an entry ("occurred_at" or a data field), as JSON.
fn field_value(occurred_at: &str, data: &Map<String, Value>, field: &str) -> Value {
    if field == "occurred_at" {
        Value::String(occurred_at.to_string())
    } else {
        data.get(field).cloned().unwrap_or(Value::Null)
    }
}

fn data_map(e: &crate::domain::entry::EntryData) -> Map<String, Value> {
    e.to_json().as_object().cloned().unwrap_or_default()
}

/// The result of taking a device's changed fields.
struct Taken {
    data: Map<String, Value>,
    occurred_at: chrono::DateTime<chrono::FixedOffset>,
    conflicts: Vec<Conflict>,
    taken: Vec<String>,
}

/// Takes each changed field from `incoming` unless its last writer is someone else after
/// `base_version`; those keep the server value and are reported.
fn take(
    stored: &Entry,
    versions: &FieldVersions,
    incoming: &NewEntry,
    changed: &[String],
    base_version: i64,
    client: &str,
) -> Taken {
    let server_data = data_map(&stored.data);
    let yours_data = data_map(&incoming.data);
    let server_at = rfc3339(&stored.occurred_at);
    let yours_at = rfc3339(&incoming.occurred_at);
    let mut data = server_data.clone();
    let mut occurred_at = stored.occurred_at;
    let mut conflicts = Vec::new();
    let mut taken = Vec::new();
    for f in changed.iter().cloned() {
        let w = versions.get(&f);
        if w.v > base_version && w.by.as_deref() != Some(client) {
            conflicts.push(Conflict {
                server: field_value(&server_at, &server_data, &f),
                yours: field_value(&yours_at, &yours_data, &f),
                field: f,
            });
            continue;
        }
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
    Taken {
        data,
        occurred_at,
        conflicts,
        taken,
    }
}

/// Merges `incoming` over `stored` for `client`: a changed field (limited to `only` when given)
/// whose last writer is someone else, after `base_version`, keeps the server value.
pub fn merge(
    stored: &Entry,
    versions: &FieldVersions,
    incoming: &NewEntry,
    only: Option<&[String]>,
    base_version: i64,
    client: &str,
) -> Step {
    if stored.kind() != incoming.data.kind() {
        return Step::Done(Outcome::Rejected {
            error: "kind cannot change".into(),
        });
    }
    let mut changed = changed_fields(stored, incoming);
    if let Some(named) = only {
        changed.retain(|f| named.contains(f));
    }
    let Taken {
        data,
        occurred_at,
        conflicts,
        taken,
    } = take(stored, versions, incoming, &changed, base_version, client);
    if taken.is_empty() {
        return Step::Done(if conflicts.is_empty() {
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
    let Ok(data) = crate::domain::entry::EntryData::from_json_str(
        stored.kind(),
        &Value::Object(data).to_string(),
    ) else {
        return Step::Done(Outcome::Rejected {
            error: "the merged entry would not be valid".into(),
        });
    };
    let version = stored.version + 1;
    let mut versions = versions.clone();
    for f in &taken {
        versions.set(f, version, Some(client));
    }
    Step::Save {
        entry: NewEntry {
            id: stored.id,
            occurred_at,
            data,
        },
        versions,
        version,
        conflicts,
    }
}

/// Field errors as one sentence, for a rejected mutation.
pub fn describe(errors: &FieldErrors) -> String {
    errors
        .0
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The entry a patch asks for: the stored one with `fields` changed (`null` removes one).
fn patched(
    stored: &Entry,
    fields: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<NewEntry, FieldErrors> {
    let mut data = data_map(&stored.data);
    let mut occurred_at = Value::String(rfc3339(&stored.occurred_at));
    for (k, v) in fields {
        if k == "occurred_at" {
            occurred_at = v.clone();
        } else if v.is_null() {
            data.remove(k);
        } else {
            data.insert(k.clone(), v.clone());
        }
    }
    let body = json!({"id": stored.id.to_string(), "kind": stored.kind().as_str(), "occurred_at": occurred_at, "data": data});
    let empty = Map::new();
    parse_json_entry(
        body.as_object().unwrap_or(&empty),
        &["id", "kind", "occurred_at", "data"],
        now,
    )
    .map(|(e, _)| e)
}

/// Decides what one mutation from `client` does to the stored entry (`None`: no such entry).
pub fn decide(
    stored: Option<(&Entry, &FieldVersions)>,
    op: &Op,
    client: &str,
    now: DateTime<Utc>,
) -> Step {
    let rejected = |error: &str| {
        Step::Done(Outcome::Rejected {
            error: error.to_string(),
        })
    };
    match (op, stored) {
        (Op::Invalid { error }, _) => rejected(error),
        (Op::Upsert { entry, .. }, None) => Step::Create(entry.clone()),
        (Op::Patch { .. }, None) => rejected("not_found: there is no such entry to patch"),
        (Op::Delete { .. }, None) => rejected("not_found: there is no such entry to delete"),
        (Op::Delete { .. }, Some((s, _))) if s.deleted => Step::Done(Outcome::Applied {
            version: s.version,
            seq: s.seq,
        }),
        (_, Some((s, _))) if s.deleted => {
            Step::Done(Outcome::ConflictDeleted { version: s.version })
        }
        (Op::Delete { .. }, Some((s, _))) => Step::Delete {
            id: s.id,
            version: s.version + 1,
        },
        (
            Op::Upsert {
                entry,
                base_version,
            },
            Some((s, fv)),
        ) => merge(s, fv, entry, None, *base_version, client),
        (
            Op::Patch {
                fields,
                base_version,
                ..
            },
            Some((s, fv)),
        ) => match patched(s, fields, now) {
            Ok(p) => {
                let named: Vec<String> = fields.keys().cloned().collect();
                merge(s, fv, &p, Some(&named), *base_version, client)
            }
            Err(errors) => rejected(&describe(&errors)),
        },
    }
}
