//! Journal entries: the seven kinds, their typed data, checks, and reading them from JSON-shaped
//! values (request bodies, stored data, sync patches).

mod json;
mod logged;
#[cfg(test)]
mod tests;
mod values;

pub use logged::Logged;
pub use values::*;

use crate::domain::fields::{Choice, FieldErrors, JsonObject, JsonValue, MAX_TEXT, Reader};
use crate::domain::ids::EntryId;
use crate::domain::time::rfc3339;
use chrono::{DateTime, Duration, DurationRound, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// A spasm or cramp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub body_site: BodySite,
    pub intensity: u8,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration_s: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pattern: Option<Pattern>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub triggers: Vec<Trigger>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub red_flags: Vec<RedFlag>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub relief: Vec<Relief>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notes: Option<String>,
}

impl Episode {
    /// The same episode logged again ("same as last time"): without its notes and warning signs,
    /// which belong to that one time.
    pub fn repeated(&self) -> Episode {
        Episode {
            notes: None,
            red_flags: Vec::new(),
            ..self.clone()
        }
    }
}

/// Something drunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hydration {
    pub volume_ml: u32,
    #[serde(skip_serializing_if = "is_false", default)]
    pub electrolytes: bool,
}

/// Heat or ice applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeatIce {
    pub mode: HeatIceMode,
    pub minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body_site: Option<BodySite>,
}

/// Stretching done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stretch {
    pub minutes: u32,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub body_sites: Vec<BodySite>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub routine: Option<String>,
}

/// A massage session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Massage {
    pub technique: Technique,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pressure: Option<Pressure>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub body_sites: Vec<BodySite>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub therapist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notes: Option<String>,
}

/// Illness or injury, open until `ended_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub status: ConditionStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ended_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body_site: Option<BodySite>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notes: Option<String>,
}

/// An upcoming event (a race, a performance); `occurred_at` is its start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
}

/// The typed data of an entry.
#[derive(Clone, Debug, PartialEq)]
pub enum EntryData {
    Episode(Episode),
    Hydration(Hydration),
    HeatIce(HeatIce),
    Stretch(Stretch),
    Massage(Massage),
    Condition(Condition),
    Event(Event),
}

/// The longest a single episode may be logged as lasting (a day).
pub const MAX_DURATION_S: i64 = 86_400;
/// How far ahead of the server clock an entry other than an event may be dated.
pub const MAX_FUTURE: Duration = Duration::days(1);

fn read_episode(r: &mut Reader<'_>) -> Option<Episode> {
    let body_site = r.required_choice::<BodySite>("body_site");
    let intensity = r.required_int("intensity", 0, 10);
    let duration_s = r.int("duration_s", 0, MAX_DURATION_S);
    let pattern = r.choice::<Pattern>("pattern");
    let triggers = r.choices::<Trigger>("triggers");
    let red_flags = r.choices::<RedFlag>("red_flags");
    let relief = r.choices::<Relief>("relief");
    let notes = r.text("notes", MAX_TEXT);
    Some(Episode {
        body_site: body_site?,
        intensity: intensity? as u8,
        duration_s: duration_s.map(|d| d as u32),
        pattern,
        triggers,
        red_flags,
        relief,
        notes,
    })
}

fn read_massage(r: &mut Reader<'_>) -> Option<Massage> {
    let technique = r.required_choice::<Technique>("technique");
    let duration_min = r.int("duration_min", 1, 480);
    let pressure = r.choice::<Pressure>("pressure");
    let body_sites = r.choices::<BodySite>("body_sites");
    let therapist = r.text("therapist", MAX_TEXT);
    let notes = r.text("notes", MAX_TEXT);
    Some(Massage {
        technique: technique?,
        duration_min: duration_min.map(|d| d as u32),
        pressure,
        body_sites,
        therapist,
        notes,
    })
}

impl EntryData {
    /// The entry kind of this data.
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryData::Episode(_) => EntryKind::Episode,
            EntryData::Hydration(_) => EntryKind::Hydration,
            EntryData::HeatIce(_) => EntryKind::HeatIce,
            EntryData::Stretch(_) => EntryKind::Stretch,
            EntryData::Massage(_) => EntryKind::Massage,
            EntryData::Condition(_) => EntryKind::Condition,
            EntryData::Event(_) => EntryKind::Event,
        }
    }

    /// The field names a kind's data may carry.
    pub fn field_names(kind: EntryKind) -> &'static [&'static str] {
        match kind {
            EntryKind::Episode => &[
                "body_site",
                "intensity",
                "duration_s",
                "pattern",
                "triggers",
                "red_flags",
                "relief",
                "notes",
            ],
            EntryKind::Hydration => &["volume_ml", "electrolytes"],
            EntryKind::HeatIce => &["mode", "minutes", "body_site"],
            EntryKind::Stretch => &["minutes", "body_sites", "routine"],
            EntryKind::Massage => &[
                "technique",
                "duration_min",
                "pressure",
                "body_sites",
                "therapist",
                "notes",
            ],
            EntryKind::Condition => &["status", "ended_at", "body_site", "notes"],
            EntryKind::Event => &["name"],
        }
    }

    /// Parses a kind's data from any field source, collecting all errors.
    /// `ended_at` is read by the caller (it is a time) and passed in already checked.
    pub fn read(kind: EntryKind, r: &mut Reader<'_>, ended_at: Option<String>) -> Option<Self> {
        r.deny_unknown(Self::field_names(kind));
        let data = match kind {
            EntryKind::Episode => EntryData::Episode(read_episode(r)?),
            EntryKind::Hydration => {
                let volume_ml = r.required_int("volume_ml", 1, 5000);
                let electrolytes = r.boolean("electrolytes").unwrap_or(false);
                EntryData::Hydration(Hydration {
                    volume_ml: volume_ml? as u32,
                    electrolytes,
                })
            }
            EntryKind::HeatIce => {
                let mode = r.required_choice::<HeatIceMode>("mode");
                let minutes = r.required_int("minutes", 1, 120);
                let body_site = r.choice::<BodySite>("body_site");
                EntryData::HeatIce(HeatIce {
                    mode: mode?,
                    minutes: minutes? as u32,
                    body_site,
                })
            }
            EntryKind::Stretch => {
                let minutes = r.required_int("minutes", 1, 240);
                let body_sites = r.choices::<BodySite>("body_sites");
                let routine = r.text("routine", MAX_TEXT);
                EntryData::Stretch(Stretch {
                    minutes: minutes? as u32,
                    body_sites,
                    routine,
                })
            }
            EntryKind::Massage => EntryData::Massage(read_massage(r)?),
            EntryKind::Condition => {
                let status = r.required_choice::<ConditionStatus>("status");
                let body_site = r.choice::<BodySite>("body_site");
                let notes = r.text("notes", MAX_TEXT);
                EntryData::Condition(Condition {
                    status: status?,
                    ended_at,
                    body_site,
                    notes,
                })
            }
            EntryKind::Event => {
                let name = r.required_text("name", 200);
                EntryData::Event(Event { name: name? })
            }
        };
        r.errors.is_empty().then_some(data)
    }

    /// A one-line summary for lists.
    pub fn summary(&self) -> String {
        match self {
            EntryData::Episode(e) => {
                let mut s = format!("{}, intensity {}/10", e.body_site.label(), e.intensity);
                if let Some(d) = e.duration_s {
                    s.push_str(&format!(", {}", human_duration(d)));
                }
                if let Some(p) = e.pattern {
                    s.push_str(&format!(", {}", p.label().to_lowercase()));
                }
                s
            }
            EntryData::Hydration(h) => {
                let extra = if h.electrolytes {
                    " with electrolytes"
                } else {
                    ""
                };
                format!("{} ml{extra}", h.volume_ml)
            }
            EntryData::HeatIce(h) => {
                let site = h
                    .body_site
                    .map(|b| format!(" on {}", b.label().to_lowercase()))
                    .unwrap_or_default();
                format!("{} for {} min{site}", h.mode.label(), h.minutes)
            }
            EntryData::Stretch(s) => {
                let sites = list_labels(&s.body_sites);
                if sites.is_empty() {
                    format!("{} min", s.minutes)
                } else {
                    format!("{} min: {}", s.minutes, sites)
                }
            }
            EntryData::Massage(m) => {
                let mut s = m.technique.label().to_string();
                if let Some(d) = m.duration_min {
                    s.push_str(&format!(", {d} min"));
                }
                if let Some(p) = m.pressure {
                    s.push_str(&format!(", {} pressure", p.label().to_lowercase()));
                }
                s
            }
            EntryData::Condition(c) => {
                let mut s = c.status.label().to_string();
                if let Some(b) = c.body_site {
                    s.push_str(&format!(", {}", b.label().to_lowercase()));
                }
                s
            }
            EntryData::Event(e) => e.name.clone(),
        }
    }

    /// Whether this is an episode with a warning sign (which calls for a doctor).
    pub fn has_warning_sign(&self) -> bool {
        matches!(self, EntryData::Episode(ep) if !ep.red_flags.is_empty())
    }

    /// Free-text notes, if the kind has them.
    pub fn notes(&self) -> Option<&str> {
        match self {
            EntryData::Episode(e) => e.notes.as_deref(),
            EntryData::Massage(m) => m.notes.as_deref(),
            EntryData::Condition(c) => c.notes.as_deref(),
            EntryData::Stretch(s) => s.routine.as_deref(),
            _ => None,
        }
    }
}

fn list_labels<C: Choice>(items: &[C]) -> String {
    items
        .iter()
        .map(|c| c.label().to_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "45 s", "3 min", "1 h 5 min".
pub fn human_duration(seconds: u32) -> String {
    match seconds {
        0..=89 => format!("{seconds} s"),
        90..=3599 => format!("{} min", (seconds + 30) / 60),
        _ => {
            let m = (seconds + 30) / 60;
            if m.is_multiple_of(60) {
                format!("{} h", m / 60)
            } else {
                format!("{} h {} min", m / 60, m % 60)
            }
        }
    }
}

/// A checked entry ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEntry {
    pub id: EntryId,
    pub occurred_at: DateTime<FixedOffset>,
    pub data: EntryData,
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub occurred_at: DateTime<FixedOffset>,
    pub data: EntryData,
    pub version: i64,
    pub deleted: bool,
    pub seq: i64,
    pub updated_at: DateTime<Utc>,
}

impl Entry {
    /// The entry kind.
    pub fn kind(&self) -> EntryKind {
        self.data.kind()
    }
}

/// Checks an entry's time: not more than a day ahead of `now`, except events.
pub fn check_time(
    kind: EntryKind,
    occurred_at: &DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    if kind != EntryKind::Event && occurred_at.with_timezone(&Utc) > now + MAX_FUTURE {
        return Err("must not be more than a day in the future (only events can be)".into());
    }
    if occurred_at.with_timezone(&Utc) < now - Duration::days(365 * 100) {
        return Err("must be within the last 100 years".into());
    }
    Ok(())
}

/// Parses an RFC 3339 timestamp field.
pub fn parse_instant(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .and_then(|t| t.duration_trunc(Duration::microseconds(1)).ok())
        .ok_or_else(|| {
            "must be an RFC 3339 date-time with a UTC offset, e.g. 2026-05-12T07:30:00+02:00"
                .to_string()
        })
        .and_then(|t| {
            let off = t.offset().local_minus_utc();
            if (-12 * 3600..=14 * 3600).contains(&off) {
                Ok(t)
            } else {
                Err("must have a real UTC offset, from -12:00 to +14:00".to_string())
            }
        })
}

/// Parses a whole JSON entry body: `id`, `kind`, `occurred_at`, `data`, optional `version`.
/// Returns the entry and the `version` if one was given.
pub fn parse_json_entry<O: JsonObject>(
    body: &O,
    allowed_top: &[&str],
    now: DateTime<Utc>,
) -> Result<(NewEntry, Option<i64>), FieldErrors> {
    let src = crate::domain::fields::JsonFields(body);
    let mut r = Reader::new(&src);
    r.deny_unknown(allowed_top);
    let id = match r.raw_text("id") {
        Some(s) => match EntryId::parse(s) {
            Some(id) => Some(id),
            None => {
                r.error("id", "must be a UUID (v7 preferred)");
                None
            }
        },
        None if body.get("id").is_some() => {
            r.error("id", "must be a UUID string");
            None
        }
        None => Some(EntryId::new_v7()),
    };
    let kind = r.required_choice::<EntryKind>("kind");
    let occurred_at = match r.raw_text("occurred_at") {
        Some(s) => match parse_instant(s) {
            Ok(t) => Some(t),
            Err(e) => {
                r.error("occurred_at", e);
                None
            }
        },
        None => {
            r.error(
                "occurred_at",
                "is required: an RFC 3339 date-time with offset",
            );
            None
        }
    };
    let version = if allowed_top.contains(&"version") {
        r.int("version", 0, i64::MAX)
    } else {
        None
    };
    if let (Some(k), Some(t)) = (kind, occurred_at.as_ref())
        && let Err(e) = check_time(k, t, now)
    {
        r.error("occurred_at", e);
    }
    let mut errors = r.errors;
    let data = match (kind, body.get("data").map(|d| d.as_object())) {
        (Some(k), Some(Some(map))) => {
            let dsrc = crate::domain::fields::JsonFields(map);
            let mut dr = Reader::with_prefix(&dsrc, "data.");
            let ended_at = read_ended_at_json(&mut dr, occurred_at.as_ref());
            let d = EntryData::read(k, &mut dr, ended_at);
            errors.merge(dr.errors);
            d
        }
        (_, Some(Some(_))) => None,
        (_, _) => {
            errors.add("data", "is required: an object with the kind's fields");
            None
        }
    };
    match (errors.is_empty(), id, occurred_at, data) {
        (true, Some(id), Some(occurred_at), Some(data)) => Ok((
            NewEntry {
                id,
                occurred_at,
                data,
            },
            version,
        )),
        _ => Err(errors),
    }
}

fn read_ended_at_json(
    r: &mut Reader<'_>,
    occurred_at: Option<&DateTime<FixedOffset>>,
) -> Option<String> {
    let raw = r.raw_text("ended_at")?;
    match parse_instant(raw) {
        Ok(t) => check_ended_at(r, &t, occurred_at),
        Err(e) => {
            r.error("ended_at", e);
            None
        }
    }
}

/// Checks a condition's end against its start; records an error or returns the stored text.
pub fn check_ended_at(
    r: &mut Reader<'_>,
    ended: &DateTime<FixedOffset>,
    occurred_at: Option<&DateTime<FixedOffset>>,
) -> Option<String> {
    if let Some(start) = occurred_at
        && ended < start
    {
        r.error("ended_at", "must not be before the start");
        return None;
    }
    Some(rfc3339(ended))
}

/// Fields of `new` whose value differs from `old` (top-level data keys, plus `occurred_at`).
pub fn changed_fields(old: &Entry, new: &NewEntry) -> Vec<String> {
    let mut out = Vec::new();
    if old.occurred_at != new.occurred_at {
        out.push("occurred_at".to_string());
    }
    let a = old.data.to_json();
    let b = new.data.to_json();
    let empty = serde_json::Map::new();
    let am = a.as_object().unwrap_or(&empty);
    let bm = b.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = am.keys().chain(bm.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        if am.get(k) != bm.get(k) {
            out.push(k.clone());
        }
    }
    out
}
