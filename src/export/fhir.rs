//! A FHIR R4 `Bundle` of type `collection`: the Patient (display name only), one Observation per
//! spasm episode (pain severity, LOINC 72514-3, as an integer; body site; time span; warning
//! signs as components), hydration as Observations, stretching, heat, ice and massage as
//! Procedures, and illness or injury as Conditions.

use crate::domain::entry::{Entry, EntryData, Episode};
use crate::domain::fields::Choice;
use crate::domain::ids::UserId;
use crate::domain::time::rfc3339;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";

fn text(t: &str) -> Value {
    json!({"text": t})
}

fn reference(user: UserId) -> Value {
    json!({"reference": format!("urn:uuid:{user}"), "display": "the patient"})
}

fn episode(e: &Entry, ep: &Episode, user: UserId) -> Value {
    let start = rfc3339(&e.occurred_at);
    let mut period = json!({"start": start});
    if let Some(s) = ep.duration_s {
        period["end"] = json!(rfc3339(&(e.occurred_at + Duration::seconds(i64::from(s)))));
    }
    let mut components = vec![json!({
        "code": {"coding": [{"system": LOINC, "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}]},
        "valueInteger": ep.intensity,
    })];
    for f in &ep.red_flags {
        components.push(
            json!({"code": text(&format!("Warning sign: {}", f.label())), "valueBoolean": true}),
        );
    }
    let mut o = json!({
        "resourceType": "Observation",
        "id": e.id.to_string(),
        "status": "final",
        "code": {"coding": [{"system": SNOMED, "code": "45352006", "display": "Spasm"}], "text": "Muscle spasm or cramp"},
        "subject": reference(user),
        "effectivePeriod": period,
        "bodySite": text(ep.body_site.label()),
        "component": components,
    });
    let mut notes: Vec<String> = Vec::new();
    if !ep.triggers.is_empty() {
        notes.push(format!("Possible triggers: {}", labels(&ep.triggers)));
    }
    if !ep.relief.is_empty() {
        notes.push(format!("Helped: {}", labels(&ep.relief)));
    }
    if let Some(n) = &ep.notes {
        notes.push(n.clone());
    }
    if !notes.is_empty() {
        o["note"] = notes.iter().map(|t| json!({"text": t})).collect();
    }
    o
}

fn labels<C: Choice>(items: &[C]) -> String {
    items
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn procedure(
    e: &Entry,
    user: UserId,
    what: &str,
    minutes: Option<u32>,
    site: Option<&str>,
    note: Option<&str>,
) -> Value {
    let mut p = json!({
        "resourceType": "Procedure",
        "id": e.id.to_string(),
        "status": "completed",
        "code": text(what),
        "subject": reference(user),
    });
    match minutes {
        Some(m) => {
            p["performedPeriod"] = json!({
                "start": rfc3339(&e.occurred_at),
                "end": rfc3339(&(e.occurred_at + Duration::minutes(i64::from(m)))),
            })
        }
        None => p["performedDateTime"] = json!(rfc3339(&e.occurred_at)),
    }
    if let Some(s) = site {
        p["bodySite"] = json!([text(s)]);
    }
    if let Some(n) = note {
        p["note"] = json!([{"text": n}]);
    }
    p
}

fn resource(e: &Entry, user: UserId) -> Option<Value> {
    Some(match &e.data {
        EntryData::Episode(ep) => episode(e, ep, user),
        EntryData::Hydration(h) => json!({
            "resourceType": "Observation",
            "id": e.id.to_string(),
            "status": "final",
            "code": text(if h.electrolytes { "Fluid intake, with electrolytes" } else { "Fluid intake" }),
            "subject": reference(user),
            "effectiveDateTime": rfc3339(&e.occurred_at),
            "valueQuantity": {"value": h.volume_ml, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"},
        }),
        EntryData::Stretch(s) => procedure(
            e,
            user,
            "Stretching",
            Some(s.minutes),
            None,
            s.routine.as_deref(),
        ),
        EntryData::HeatIce(h) => procedure(
            e,
            user,
            &format!("{} applied", h.mode.label()),
            Some(h.minutes),
            h.body_site.map(|b| b.label()),
            None,
        ),
        EntryData::Massage(m) => procedure(
            e,
            user,
            &format!("Massage: {}", m.technique.label()),
            m.duration_min,
            None,
            m.notes.as_deref(),
        ),
        EntryData::Condition(c) => {
            let mut v = json!({
                "resourceType": "Condition",
                "id": e.id.to_string(),
                "clinicalStatus": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": if c.ended_at.is_some() { "resolved" } else { "active" },
                }]},
                "code": text(c.status.label()),
                "subject": reference(user),
                "onsetDateTime": rfc3339(&e.occurred_at),
            });
            if let Some(end) = &c.ended_at {
                v["abatementDateTime"] = json!(end);
            }
            if let Some(n) = &c.notes {
                v["note"] = json!([{"text": n}]);
            }
            v
        }
        EntryData::Event(_) => return None,
    })
}

/// The Bundle of `entries` for the patient `user` called `name`.
pub fn bundle(user: UserId, name: &str, entries: &[Entry], at: DateTime<Utc>) -> Value {
    let mut list = vec![json!({
        "fullUrl": format!("urn:uuid:{user}"),
        "resource": {"resourceType": "Patient", "id": user.to_string(), "name": [{"text": name}]},
    })];
    for e in entries.iter().filter(|e| !e.deleted) {
        if let Some(r) = resource(e, user) {
            list.push(json!({"fullUrl": format!("urn:uuid:{}", e.id), "resource": r}));
        }
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "entry": list,
    })
}
