//! Entry parsing and checks.

use super::*;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-05-12T12:00:00Z".parse().unwrap()
}

fn parse(v: serde_json::Value) -> Result<(NewEntry, Option<i64>), FieldErrors> {
    parse_json_entry(
        v.as_object().unwrap(),
        &["id", "kind", "occurred_at", "data"],
        now(),
    )
}

#[test]
fn episode_parses_with_its_offset_kept() {
    let (e, _) = parse(json!({
        "id": "0196c0de-0000-7000-8000-000000000001",
        "kind": "episode",
        "occurred_at": "2026-05-11T23:30:00+02:00",
        "data": {"body_site": "calf_left", "intensity": 7, "triggers": ["exercise", "heat"],
                 "red_flags": [], "relief": ["stretch"], "duration_s": 120}
    }))
    .unwrap();
    assert_eq!(rfc3339(&e.occurred_at), "2026-05-11T23:30:00+02:00");
    assert_eq!(e.occurred_at.date_naive().to_string(), "2026-05-11");
    match &e.data {
        EntryData::Episode(ep) => {
            assert_eq!(ep.body_site, BodySite::CalfLeft);
            assert_eq!(ep.intensity, 7);
            assert_eq!(ep.triggers, vec![Trigger::Exercise, Trigger::Heat]);
        }
        other => panic!("wrong data {other:?}"),
    }
    assert_eq!(
        e.data.to_json(),
        json!({"body_site":"calf_left","intensity":7,"duration_s":120,
               "triggers":["exercise","heat"],"relief":["stretch"]})
    );
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let err = parse(json!({
        "kind": "episode",
        "occurred_at": "yesterday",
        "colour": "red",
        "data": {"body_site": "elbow", "intensity": 11, "pattern": "wobbly",
                 "triggers": ["moon"], "notes": "x".repeat(2001), "mood": 3}
    }))
    .unwrap_err();
    for f in [
        "occurred_at",
        "colour",
        "data.body_site",
        "data.intensity",
        "data.pattern",
        "data.triggers",
        "data.notes",
        "data.mood",
    ] {
        assert!(err.get(f).is_some(), "missing error for {f}: {err:?}");
    }
    assert_eq!(
        err.get("data.intensity"),
        Some("must be a whole number from 0 to 10")
    );
}

#[test]
fn each_kind_requires_its_bold_fields() {
    let cases = [
        ("episode", vec!["data.body_site", "data.intensity"]),
        ("hydration", vec!["data.volume_ml"]),
        ("heat_ice", vec!["data.mode", "data.minutes"]),
        ("stretch", vec!["data.minutes"]),
        ("massage", vec!["data.technique"]),
        ("condition", vec!["data.status"]),
        ("event", vec!["data.name"]),
    ];
    for (kind, required) in cases {
        let err = parse(json!({"kind": kind, "occurred_at": "2026-05-12T08:00:00Z", "data": {}}))
            .unwrap_err();
        let mut keys: Vec<&str> = err.0.keys().map(String::as_str).collect();
        keys.sort();
        let mut want = required.clone();
        want.sort();
        assert_eq!(keys, want, "kind {kind}");
    }
}

#[test]
fn ranges_are_enforced_at_both_ends() {
    let ok = |kind: &str, data: serde_json::Value| {
        parse(json!({"kind": kind, "occurred_at": "2026-05-12T08:00:00Z", "data": data})).is_ok()
    };
    assert!(ok("hydration", json!({"volume_ml": 1})));
    assert!(ok("hydration", json!({"volume_ml": 5000})));
    assert!(!ok("hydration", json!({"volume_ml": 0})));
    assert!(!ok("hydration", json!({"volume_ml": 5001})));
    assert!(ok("heat_ice", json!({"mode": "ice", "minutes": 120})));
    assert!(!ok("heat_ice", json!({"mode": "ice", "minutes": 121})));
    assert!(ok("stretch", json!({"minutes": 240})));
    assert!(!ok("stretch", json!({"minutes": 241})));
    assert!(ok("episode", json!({"body_site": "neck", "intensity": 0})));
    assert!(!ok(
        "episode",
        json!({"body_site": "neck", "intensity": -1})
    ));
    assert!(!ok("hydration", json!({"volume_ml": "500"})));
}

#[test]
fn only_events_may_be_dated_more_than_a_day_ahead() {
    let later = "2026-05-14T12:00:00Z";
    assert!(
        parse(json!({"kind": "event", "occurred_at": later, "data": {"name": "Marathon"}})).is_ok()
    );
    let err = parse(json!({"kind": "hydration", "occurred_at": later, "data": {"volume_ml": 250}}))
        .unwrap_err();
    assert!(err.get("occurred_at").unwrap().contains("future"));
    assert!(parse(json!({"kind": "hydration", "occurred_at": "2026-05-13T11:59:00Z", "data": {"volume_ml": 250}})).is_ok());
}

#[test]
fn condition_end_must_follow_its_start() {
    let err = parse(
        json!({"kind": "condition", "occurred_at": "2026-05-10T08:00:00Z",
        "data": {"status": "unwell", "ended_at": "2026-05-09T08:00:00Z"}}),
    )
    .unwrap_err();
    assert_eq!(
        err.get("data.ended_at"),
        Some("must not be before the start")
    );
    let (ok, _) = parse(
        json!({"kind": "condition", "occurred_at": "2026-05-10T08:00:00Z",
        "data": {"status": "injury", "ended_at": "2026-05-11T08:00:00+01:00"}}),
    )
    .unwrap();
    assert_eq!(
        ok.data.to_json()["ended_at"],
        json!("2026-05-11T08:00:00+01:00")
    );
}

#[test]
fn durations_read_like_people_say_them() {
    assert_eq!(human_duration(45), "45 s");
    assert_eq!(human_duration(120), "2 min");
    assert_eq!(human_duration(3900), "1 h 5 min");
    assert_eq!(human_duration(7200), "2 h");
}

#[test]
fn stored_text_reads_back_as_the_same_data_for_every_kind() {
    let all = crate::domain::demo::demo_entries(now());
    for kind in EntryKind::ALL {
        let e = all
            .iter()
            .find(|e| e.data.kind() == *kind)
            .unwrap_or_else(|| panic!("the demo journal has no {kind:?}"));
        let text = e.data.to_json_text();
        assert_eq!(EntryData::from_json_str(*kind, &text).unwrap(), e.data);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            e.data.to_json()
        );
    }
}
