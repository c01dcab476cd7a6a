//! Entry forms: `datetime-local` inputs placed in the user's zone, and an entry's data as form
//! values for editing.

use crate::domain::entry::{
    Entry, EntryData, EntryKind, check_ended_at, check_time, parse_instant,
};
use crate::domain::fields::{FieldErrors, Reader};
use crate::domain::time::LocalZone;
use crate::web::form::FormFields;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

/// Parses a `datetime-local` input value (`2026-05-12T07:30`, seconds optional).
pub fn parse_local_input(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// The `datetime-local` value of a local time.
pub fn local_input(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn read_local_time(
    r: &mut Reader<'_>,
    name: &str,
    zone: &LocalZone,
    required: bool,
) -> Option<DateTime<FixedOffset>> {
    match r
        .raw_text(name)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        None => {
            if required {
                r.error(name, "is required: a date and time");
            }
            None
        }
        Some(s) => match parse_local_input(&s) {
            None => {
                r.error(name, "must be a date and time like 2026-05-12T07:30");
                None
            }
            Some(local) => match zone.resolve(local) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.error(name, e);
                    None
                }
            },
        },
    }
}

/// Parses an entry form: local times are placed in `zone`. Errors are keyed by plain field name.
pub fn parse_form_entry(
    kind: EntryKind,
    form: &FormFields,
    zone: &LocalZone,
    now: DateTime<Utc>,
) -> Result<(DateTime<FixedOffset>, EntryData), FieldErrors> {
    let mut r = Reader::new(form);
    let occurred_at = read_local_time(&mut r, "occurred_at", zone, true);
    if let Some(t) = occurred_at.as_ref()
        && let Err(e) = check_time(kind, t, now)
    {
        r.error("occurred_at", e);
    }
    let ended_at = if kind == EntryKind::Condition {
        read_local_time(&mut r, "ended_at", zone, false)
            .and_then(|end| check_ended_at(&mut r, &end, occurred_at.as_ref()))
    } else {
        None
    };
    let data = EntryData::read(kind, &mut r, ended_at);
    match (r.errors.is_empty(), occurred_at, data) {
        (true, Some(t), Some(d)) => Ok((t, d)),
        _ => Err(r.errors),
    }
}

/// An entry's data as form values (for the edit form).
pub fn form_values(e: &Entry) -> FormFields {
    let mut out = FormFields::default();
    out.0
        .push(("occurred_at".into(), local_input(&e.occurred_at)));
    if let serde_json::Value::Object(map) = e.data.to_json() {
        for (k, v) in map {
            match v {
                serde_json::Value::String(s) if k == "ended_at" => {
                    let local = parse_instant(&s).map(|t| local_input(&t)).unwrap_or(s);
                    out.0.push((k, local));
                }
                serde_json::Value::String(s) => out.0.push((k, s)),
                serde_json::Value::Number(n) => out.0.push((k, n.to_string())),
                serde_json::Value::Bool(true) => out.0.push((k, "on".into())),
                serde_json::Value::Array(items) => {
                    for i in items {
                        if let Some(s) = i.as_str() {
                            out.0.push((k.clone(), s.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Parses only an entry's data from a form (its time is kept as stored).
pub fn parse_form_data(kind: EntryKind, form: &FormFields) -> Result<EntryData, FieldErrors> {
    let mut r = Reader::new(form);
    let data = EntryData::read(kind, &mut r, None);
    match (r.errors.is_empty(), data) {
        (true, Some(d)) => Ok(d),
        _ => Err(r.errors),
    }
}
