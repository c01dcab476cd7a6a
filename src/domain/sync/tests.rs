//! The merge's rules, as examples and as properties.

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
        Outcome::Merged { conflicts, .. } => conflicts.iter().map(|c| c.field.clone()).collect(),
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
