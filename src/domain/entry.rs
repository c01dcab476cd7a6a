//! Journal entries: the seven kinds, their typed data, and parsing from JSON or forms.

use crate::choice;
use crate::domain::fields::{Choice, FieldErrors, MAX_TEXT, Reader};
use crate::domain::ids::EntryId;
use crate::domain::time::LocalZone;
use crate::domain::time::rfc3339;
use chrono::{DateTime, Duration, DurationRound, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

choice!(
    /// What was logged.
    EntryKind {
        Episode => ("episode", "Spasm episode"),
        Hydration => ("hydration", "Water"),
        HeatIce => ("heat_ice", "Heat or ice"),
        Stretch => ("stretch", "Stretching"),
        Massage => ("massage", "Massage session"),
        Condition => ("condition", "Illness or injury"),
        Event => ("event", "Upcoming event"),
    }
);

choice!(
    /// Where on the body.
    BodySite {
        Neck => ("neck", "Neck"),
        ShoulderLeft => ("shoulder_left", "Left shoulder"),
        ShoulderRight => ("shoulder_right", "Right shoulder"),
        UpperBack => ("upper_back", "Upper back"),
        LowerBack => ("lower_back", "Lower back"),
        Chest => ("chest", "Chest"),
        Abdomen => ("abdomen", "Abdomen"),
        ArmLeft => ("arm_left", "Left arm"),
        ArmRight => ("arm_right", "Right arm"),
        HandLeft => ("hand_left", "Left hand"),
        HandRight => ("hand_right", "Right hand"),
        HipLeft => ("hip_left", "Left hip"),
        HipRight => ("hip_right", "Right hip"),
        GluteLeft => ("glute_left", "Left glute"),
        GluteRight => ("glute_right", "Right glute"),
        QuadricepsLeft => ("quadriceps_left", "Left thigh (front)"),
        QuadricepsRight => ("quadriceps_right", "Right thigh (front)"),
        HamstringLeft => ("hamstring_left", "Left thigh (back)"),
        HamstringRight => ("hamstring_right", "Right thigh (back)"),
        CalfLeft => ("calf_left", "Left calf"),
        CalfRight => ("calf_right", "Right calf"),
        FootLeft => ("foot_left", "Left foot"),
        FootRight => ("foot_right", "Right foot"),
        Other => ("other", "Somewhere else"),
    }
);

choice!(
    /// How the spasm behaved.
    Pattern {
        Clonic => ("clonic", "Twitching (on and off)"),
        Tonic => ("tonic", "Locked (sustained)"),
        Cramp => ("cramp", "Cramp"),
        Unknown => ("unknown", "Not sure"),
    }
);

choice!(
    /// What may have set it off.
    Trigger {
        Exercise => ("exercise", "Exercise"),
        Dehydration => ("dehydration", "Not enough to drink"),
        Heat => ("heat", "Hot weather"),
        Cold => ("cold", "Cold"),
        ProlongedPosition => ("prolonged_position", "Sitting or standing a long time"),
        AfterMassage => ("after_massage", "After a massage"),
        Fatigue => ("fatigue", "Tiredness"),
        LongBreak => ("long_break", "Long break from activity"),
        Stress => ("stress", "Stress"),
        Unknown => ("unknown", "Not sure"),
    }
);

choice!(
    /// Symptoms that call for a doctor rather than self-care.
    RedFlag {
        ChestPain => ("chest_pain", "Chest pain"),
        Numbness => ("numbness", "Numbness or tingling"),
        Weakness => ("weakness", "Weakness"),
        SwellingRedness => ("swelling_redness", "Swelling or redness"),
        AfterFluidLoss => ("after_fluid_loss", "After sweating, vomiting or diarrhoea"),
        MuscleWasting => ("muscle_wasting", "Muscle getting smaller"),
        NotRelieved => ("not_relieved", "Nothing relieved it"),
    }
);

choice!(
    /// What helped.
    Relief {
        Stretch => ("stretch", "Stretching"),
        Heat => ("heat", "Heat"),
        Ice => ("ice", "Ice"),
        Massage => ("massage", "Massage"),
        Hydration => ("hydration", "Drinking"),
        Rest => ("rest", "Rest"),
        Medication => ("medication", "Medication"),
    }
);

choice!(
    /// Heat or ice.
    HeatIceMode {
        Heat => ("heat", "Heat"),
        Ice => ("ice", "Ice"),
    }
);

choice!(
    /// Massage technique.
    Technique {
        Swedish => ("swedish", "Swedish"),
        DeepTissue => ("deep_tissue", "Deep tissue"),
        Myofascial => ("myofascial", "Myofascial release"),
        TriggerPoint => ("trigger_point", "Trigger point"),
        Other => ("other", "Other"),
    }
);

choice!(
    /// Massage pressure.
    Pressure {
        Light => ("light", "Light"),
        Medium => ("medium", "Medium"),
        Firm => ("firm", "Firm"),
    }
);

choice!(
    /// What kind of illness or injury.
    ConditionStatus {
        Unwell => ("unwell", "Unwell (cold, flu, fever)"),
        Injury => ("injury", "Injury"),
        Wound => ("wound", "Wound"),
        Infection => ("infection", "Infection"),
        Inflammation => ("inflammation", "Inflammation"),
    }
);

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
            EntryKind::Episode => {
                let body_site = r.required_choice::<BodySite>("body_site");
                let intensity = r.required_int("intensity", 0, 10);
                let duration_s = r.int("duration_s", 0, MAX_DURATION_S);
                let pattern = r.choice::<Pattern>("pattern");
                let triggers = r.choices::<Trigger>("triggers");
                let red_flags = r.choices::<RedFlag>("red_flags");
                let relief = r.choices::<Relief>("relief");
                let notes = r.text("notes", MAX_TEXT);
                EntryData::Episode(Episode {
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
            EntryKind::Massage => {
                let technique = r.required_choice::<Technique>("technique");
                let duration_min = r.int("duration_min", 1, 480);
                let pressure = r.choice::<Pressure>("pressure");
                let body_sites = r.choices::<BodySite>("body_sites");
                let therapist = r.text("therapist", MAX_TEXT);
                let notes = r.text("notes", MAX_TEXT);
                EntryData::Massage(Massage {
                    technique: technique?,
                    duration_min: duration_min.map(|d| d as u32),
                    pressure,
                    body_sites,
                    therapist,
                    notes,
                })
            }
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

    /// The data as a JSON object (the wire and storage form).
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            EntryData::Episode(d) => serde_json::to_value(d),
            EntryData::Hydration(d) => serde_json::to_value(d),
            EntryData::HeatIce(d) => serde_json::to_value(d),
            EntryData::Stretch(d) => serde_json::to_value(d),
            EntryData::Massage(d) => serde_json::to_value(d),
            EntryData::Condition(d) => serde_json::to_value(d),
            EntryData::Event(d) => serde_json::to_value(d),
        };
        v.unwrap_or(serde_json::Value::Null)
    }

    /// Rebuilds stored data straight from its JSON text (no intermediate value).
    pub fn from_json_str(kind: EntryKind, s: &str) -> Result<Self, serde_json::Error> {
        Ok(match kind {
            EntryKind::Episode => EntryData::Episode(serde_json::from_str(s)?),
            EntryKind::Hydration => EntryData::Hydration(serde_json::from_str(s)?),
            EntryKind::HeatIce => EntryData::HeatIce(serde_json::from_str(s)?),
            EntryKind::Stretch => EntryData::Stretch(serde_json::from_str(s)?),
            EntryKind::Massage => EntryData::Massage(serde_json::from_str(s)?),
            EntryKind::Condition => EntryData::Condition(serde_json::from_str(s)?),
            EntryKind::Event => EntryData::Event(serde_json::from_str(s)?),
        })
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
pub fn parse_json_entry(
    body: &serde_json::Map<String, serde_json::Value>,
    allowed_top: &[&str],
    now: DateTime<Utc>,
) -> Result<(NewEntry, Option<i64>), FieldErrors> {
    let src = crate::domain::fields::JsonFields(body);
    let mut r = Reader::new(&src);
    r.deny_unknown(allowed_top);
    let id = match r.raw_text("id") {
        Some(s) => match EntryId::parse(&s) {
            Some(id) => Some(id),
            None => {
                r.error("id", "must be a UUID (v7 preferred)");
                None
            }
        },
        None if body.contains_key("id") => {
            r.error("id", "must be a UUID string");
            None
        }
        None => Some(EntryId::new_v7()),
    };
    let kind = r.required_choice::<EntryKind>("kind");
    let occurred_at = match r.raw_text("occurred_at") {
        Some(s) => match parse_instant(&s) {
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
    let data = match (kind, body.get("data")) {
        (Some(k), Some(serde_json::Value::Object(map))) => {
            let dsrc = crate::domain::fields::JsonFields(map);
            let mut dr = Reader::with_prefix(&dsrc, "data.");
            let ended_at = read_ended_at_json(&mut dr, occurred_at.as_ref());
            let d = EntryData::read(k, &mut dr, ended_at);
            errors.merge(dr.errors);
            d
        }
        (_, Some(serde_json::Value::Object(_))) => None,
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
    match parse_instant(&raw) {
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
    form: &crate::domain::fields::FormFields,
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
pub fn form_values(e: &Entry) -> crate::domain::fields::FormFields {
    let mut out = crate::domain::fields::FormFields::default();
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

#[cfg(test)]
mod tests {
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
            let err =
                parse(json!({"kind": kind, "occurred_at": "2026-05-12T08:00:00Z", "data": {}}))
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
            parse(json!({"kind": kind, "occurred_at": "2026-05-12T08:00:00Z", "data": data}))
                .is_ok()
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
            parse(json!({"kind": "event", "occurred_at": later, "data": {"name": "Marathon"}}))
                .is_ok()
        );
        let err =
            parse(json!({"kind": "hydration", "occurred_at": later, "data": {"volume_ml": 250}}))
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
}
