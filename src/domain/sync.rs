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
    let server_data = data_map(&stored.data);
    let yours_data = data_map(&incoming.data);
    let server_at = rfc3339(&stored.occurred_at);
    let yours_at = rfc3339(&incoming.occurred_at);
    let mut data = server_data.clone();
    let mut occurred_at = stored.occurred_at;
    let mut conflicts = Vec::new();
    let mut taken = Vec::new();
    for f in changed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::{BodySite, EntryData, Episode};
    use chrono::{FixedOffset, TimeZone};
    use proptest::prelude::*;

    const A: &str = "0196c0de-0000-7000-8000-00000000000a";
    const B: &str = "0196c0de-0000-7000-8000-00000000000b";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 12, 12, 0, 0).unwrap()
    }

    fn episode(intensity: u8, notes: Option<&str>, duration_s: Option<u32>) -> NewEntry {
        NewEntry {
            id: EntryId::parse("0196c0de-0000-7000-8000-0000000000e1").unwrap(),
            occurred_at: FixedOffset::east_opt(3600)
                .unwrap()
                .with_ymd_and_hms(2026, 5, 12, 7, 30, 0)
                .unwrap(),
            data: EntryData::Episode(Episode {
                body_site: BodySite::CalfLeft,
                intensity,
                duration_s,
                pattern: None,
                triggers: vec![],
                red_flags: vec![],
                relief: vec![],
                notes: notes.map(str::to_string),
            }),
        }
    }

    /// One entry on a server, changed only through [`decide`], as the store does.
    #[derive(Clone, Debug, Default)]
    struct Server {
        entry: Option<(Entry, FieldVersions)>,
        seq: i64,
    }

    impl Server {
        fn push(&mut self, client: &str, op: &Op) -> Outcome {
            let stored = self.entry.as_ref().map(|(e, fv)| (e, fv));
            match decide(stored, op, client, now()) {
                Step::Done(o) => o,
                Step::Create(e) => self.save(e, FieldVersions::created(Some(client)), 1, vec![]),
                Step::Save {
                    entry,
                    versions,
                    version,
                    conflicts,
                } => self.save(entry, versions, version, conflicts),
                Step::Delete { version, .. } => {
                    self.seq += 1;
                    let (e, _) = self.entry.as_mut().expect("deletes a stored entry");
                    e.deleted = true;
                    e.version = version;
                    e.seq = self.seq;
                    Outcome::Applied {
                        version,
                        seq: self.seq,
                    }
                }
            }
        }

        fn save(
            &mut self,
            e: NewEntry,
            fv: FieldVersions,
            version: i64,
            conflicts: Vec<Conflict>,
        ) -> Outcome {
            self.seq += 1;
            let entry = Entry {
                id: e.id,
                occurred_at: e.occurred_at,
                data: e.data,
                version,
                deleted: false,
                seq: self.seq,
                updated_at: now(),
            };
            self.entry = Some((entry, fv));
            if conflicts.is_empty() {
                Outcome::Applied {
                    version,
                    seq: self.seq,
                }
            } else {
                Outcome::Merged {
                    version,
                    seq: self.seq,
                    conflicts,
                }
            }
        }

        fn data(&self) -> Option<(EntryData, bool)> {
            self.entry
                .as_ref()
                .map(|(e, _)| (e.data.clone(), e.deleted))
        }
    }

    fn upsert(e: NewEntry, base_version: i64) -> Op {
        Op::Upsert {
            entry: e,
            base_version,
        }
    }

    fn patch(fields: Value, base_version: i64) -> Op {
        Op::Patch {
            id: episode(1, None, None).id,
            fields: fields.as_object().unwrap().clone(),
            base_version,
        }
    }

    fn conflicts(o: &Outcome) -> Vec<String> {
        match o {
            Outcome::Merged { conflicts, .. } => {
                conflicts.iter().map(|c| c.field.clone()).collect()
            }
            _ => vec![],
        }
    }

    #[test]
    fn an_edit_made_before_the_device_learned_the_new_version_is_not_a_conflict() {
        // Offline create then edit, or a create whose response was lost: base_version stays 0.
        let mut s = Server::default();
        s.push(A, &upsert(episode(5, Some("first"), None), 0));
        let o = s.push(A, &upsert(episode(5, Some("second"), None), 0));
        assert!(matches!(o, Outcome::Applied { version: 2, .. }), "{o:?}");
        let o = s.push(A, &patch(json!({"notes": "third", "duration_s": 30}), 0));
        assert!(matches!(o, Outcome::Applied { version: 3, .. }), "{o:?}");
        assert_eq!(
            s.data().unwrap().0,
            episode(5, Some("third"), Some(30)).data
        );
    }

    #[test]
    fn another_device_s_later_change_keeps_the_server_value_and_is_reported() {
        let mut s = Server::default();
        s.push(A, &upsert(episode(5, Some("first"), None), 0));
        s.push(B, &patch(json!({"notes": "from B"}), 1));
        let o = s.push(A, &patch(json!({"notes": "from A", "intensity": 7}), 1));
        let Outcome::Merged { conflicts, .. } = &o else {
            panic!("{o:?}")
        };
        assert_eq!(
            conflicts,
            &vec![Conflict {
                field: "notes".into(),
                server: json!("from B"),
                yours: json!("from A"),
            }]
        );
        assert_eq!(s.data().unwrap().0, episode(7, Some("from B"), None).data);
    }

    #[test]
    fn page_and_api_writes_are_other_writers_to_a_sync_client() {
        let mut fv = FieldVersions::created(Some(A));
        fv.set("notes", 2, None);
        let back = FieldVersions::from_json(&fv.to_json());
        assert_eq!(back, fv);
        assert_eq!(back.get("notes").by, None);
        assert_eq!(back.get("intensity").by.as_deref(), Some(A));
        // Stored before creators were recorded: numbers only.
        let old = FieldVersions::from_json(r#"{"notes": 3}"#);
        assert_eq!(old.get("notes"), Written { v: 3, by: None });
        assert_eq!(old.get("intensity"), Written { v: 1, by: None });
    }

    #[test]
    fn a_patch_of_a_missing_or_invalid_entry_is_rejected() {
        let mut s = Server::default();
        let o = s.push(A, &patch(json!({"notes": "x"}), 0));
        assert!(matches!(o, Outcome::Rejected { .. }), "{o:?}");
        s.push(A, &upsert(episode(5, None, None), 0));
        let o = s.push(A, &patch(json!({"intensity": 11}), 1));
        let Outcome::Rejected { error } = o else {
            panic!("{o:?}")
        };
        assert!(error.contains("intensity"), "{error}");
        assert_eq!(s.data().unwrap().0, episode(5, None, None).data);
    }

    /// A random edit of the entry's fields, as a patch or a whole upsert.
    fn edit() -> impl Strategy<Value = (bool, u8, Option<String>, Option<u32>)> {
        (
            any::<bool>(),
            0u8..=10,
            proptest::option::of("[a-z]{1,6}"),
            proptest::option::of(1u32..600),
        )
    }

    fn op_of(e: &(bool, u8, Option<String>, Option<u32>), base: i64) -> Op {
        let (whole, intensity, notes, duration) = e;
        if *whole {
            upsert(episode(*intensity, notes.as_deref(), *duration), base)
        } else {
            patch(
                json!({"intensity": intensity, "notes": notes, "duration_s": duration}),
                base,
            )
        }
    }

    proptest! {
        #[test]
        fn a_replayed_mutation_changes_nothing(first in edit(), again in edit(), base in 0i64..3) {
            let mut s = Server::default();
            s.push(A, &upsert(episode(5, None, None), 0));
            s.push(B, &op_of(&first, 1));
            let op = op_of(&again, base);
            s.push(A, &op);
            let (before, seq) = (s.data(), s.seq);
            let o = s.push(A, &op);
            prop_assert_eq!(s.data(), before);
            prop_assert_eq!(s.seq, seq, "no new change for a replay: {:?}", o);
        }

        #[test]
        fn a_device_never_conflicts_with_its_own_writes_in_any_order(
            edits in proptest::collection::vec(edit(), 1..8),
            order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
            base_known in any::<bool>(),
        ) {
            let mut s = Server::default();
            s.push(A, &upsert(episode(5, Some("created"), None), 0));
            let mut ops: Vec<Op> = edits.iter().map(|e| op_of(e, if base_known { 1 } else { 0 })).collect();
            // Any arrival order of the device's own mutations.
            let n = ops.len();
            for i in (1..n).rev() {
                ops.swap(i, (order % (i as u64 + 1)) as usize);
            }
            for op in &ops {
                let o = s.push(A, op);
                prop_assert!(conflicts(&o).is_empty(), "{:?}", o);
                prop_assert!(!matches!(o, Outcome::Rejected { .. }), "{:?}", o);
            }
        }

        #[test]
        fn a_delete_wins_over_every_later_edit(
            before in proptest::collection::vec(edit(), 0..4),
            after in proptest::collection::vec(edit(), 1..6),
            deleter_is_a in any::<bool>(),
        ) {
            let mut s = Server::default();
            s.push(A, &upsert(episode(5, None, None), 0));
            for e in &before {
                s.push(B, &op_of(e, 1));
            }
            let deleter = if deleter_is_a { A } else { B };
            s.push(deleter, &Op::Delete { id: episode(1, None, None).id });
            let tomb = s.data();
            for e in &after {
                for client in [A, B] {
                    let o = s.push(client, &op_of(e, 0));
                    prop_assert!(matches!(o, Outcome::ConflictDeleted { .. }), "{:?}", o);
                }
            }
            prop_assert_eq!(s.data(), tomb);
            prop_assert!(s.data().unwrap().1, "still deleted");
        }

        #[test]
        fn two_devices_that_exchange_everything_converge(
            a in edit(), b in edit(), a_first in any::<bool>(),
        ) {
            // Both start from version 1, edit offline, push in either order, then pull.
            let mut s = Server::default();
            s.push(A, &upsert(episode(5, Some("shared"), None), 0));
            let (oa, ob) = if a_first {
                let oa = s.push(A, &op_of(&a, 1));
                (oa, s.push(B, &op_of(&b, 1)))
            } else {
                let ob = s.push(B, &op_of(&b, 1));
                (s.push(A, &op_of(&a, 1)), ob)
            };
            let server = s.data().unwrap().0;
            let server = server.to_json();
            let value = |e: &(bool, u8, Option<String>, Option<u32>), f: &str| match f {
                "intensity" => json!(e.1),
                "notes" => e.2.clone().map(Value::from).unwrap_or(Value::Null),
                _ => e.3.map(Value::from).unwrap_or(Value::Null),
            };
            let original = |f: &str| match f {
                "intensity" => json!(5),
                "notes" => json!("shared"),
                _ => Value::Null,
            };
            let (first, second, o_second) = if a_first { (&a, &b, &ob) } else { (&b, &a, &oa) };
            for f in ["intensity", "notes", "duration_s"] {
                let got = server.get(f).cloned().unwrap_or(Value::Null);
                let (v1, v2) = (value(first, f), value(second, f));
                // The first push of a field wins; the second device, which had not seen it, keeps
                // its own value only where the first left the field alone, and is told otherwise.
                let first_changed = v1 != original(f);
                let want = if first_changed { v1.clone() } else { v2.clone() };
                prop_assert_eq!(&got, &want, "{}", f);
                let told = conflicts(o_second).contains(&f.to_string());
                prop_assert_eq!(told, first_changed && v2 != v1, "{}: {:?}", f, o_second);
            }
        }
    }
}
