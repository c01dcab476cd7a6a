//! The JSON backup: everything a client owns (entries, profile, thresholds, the final notes
//! written about them), with a format version, and reading it back for a restore.

use crate::domain::caution::Caution;
use crate::domain::entry::{Entry, NewEntry, parse_json_entry};
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::rules::ThresholdOverrides;
use crate::domain::time::rfc3339;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// What a backup file says it is.
pub const FORMAT: &str = "unknot-backup";
/// The version this server writes and reads.
pub const VERSION: i64 = 1;
/// The largest backup accepted (a five-year journal is about 7 MB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// How many problems one answer lists.
const MAX_ERRORS: usize = 20;

/// A final session note, as the backup keeps it (read-only: a restore does not recreate notes).
pub struct NoteCopy {
    pub therapist_name: String,
    pub written_at: DateTime<Utc>,
    pub parts: [(&'static str, String); 4],
    pub addenda: Vec<(DateTime<Utc>, String)>,
}

/// What a backup holds besides entries.
pub struct Profile<'a> {
    pub display_name: &'a str,
    pub timezone: Option<&'a str>,
    pub cautions: &'a [Caution],
    pub thresholds: &'a ThresholdOverrides,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One entry as the backup keeps it, written without an intermediate JSON value.
struct EntryRef<'a>(&'a Entry);

struct DataRef<'a>(&'a crate::domain::entry::EntryData);

impl serde::Serialize for DataRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_data(s)
    }
}

impl serde::Serialize for EntryRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let e = self.0;
        let mut st = s.serialize_struct("Entry", 4)?;
        st.serialize_field("id", &e.id)?;
        st.serialize_field("kind", e.kind().as_str())?;
        st.serialize_field("occurred_at", &rfc3339(&e.occurred_at))?;
        st.serialize_field("data", &DataRef(&e.data))?;
        st.end()
    }
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    format: &'static str,
    version: i64,
    exported_at: String,
    profile: Value,
    entries: Vec<EntryRef<'a>>,
    notes: Vec<Value>,
}

/// The backup file (compact JSON: a five-year journal is a few megabytes).
pub fn write(
    profile: &Profile<'_>,
    entries: &[Entry],
    notes: &[NoteCopy],
    exported_at: DateTime<Utc>,
) -> Vec<u8> {
    let notes: Vec<Value> = notes
        .iter()
        .map(|n| {
            let mut v = json!({"therapist": n.therapist_name, "written_at": iso(n.written_at)});
            for (k, text) in &n.parts {
                v[*k] = json!(text);
            }
            v["addenda"] = n
                .addenda
                .iter()
                .map(|(at, body)| json!({"at": iso(*at), "body": body}))
                .collect();
            v
        })
        .collect();
    let doc = Doc {
        format: FORMAT,
        version: VERSION,
        exported_at: iso(exported_at),
        profile: json!({
            "display_name": profile.display_name,
            "timezone": profile.timezone,
            "cautions": profile.cautions.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "thresholds": serde_json::to_value(profile.thresholds).unwrap_or_default(),
        }),
        entries: entries
            .iter()
            .filter(|e| !e.deleted)
            .map(EntryRef)
            .collect(),
        notes,
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// A backup read back, every entry checked.
#[derive(Debug)]
pub struct Restore {
    pub timezone: Option<String>,
    pub cautions: Vec<Caution>,
    pub thresholds: ThresholdOverrides,
    pub entries: Vec<NewEntry>,
}

/// Reads a backup. Every problem is reported, keyed by where it is (`entries[3].data.intensity`),
/// and nothing is returned unless all of it is right.
pub fn read(bytes: &[u8], now: DateTime<Utc>) -> Result<Restore, FieldErrors> {
    let doc = document(bytes).map_err(|why| FieldErrors::one("file", why))?;
    let mut errors = FieldErrors::default();
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        errors.add(
            "format",
            format!("must be \"{FORMAT}\": this is not an Unknot backup"),
        );
    }
    match doc.get("version").and_then(Value::as_i64) {
        Some(VERSION) => {}
        Some(v) if v > VERSION => errors.add(
            "version",
            format!("{v} is newer than this server reads ({VERSION}); update Unknot first"),
        ),
        _ => errors.add("version", format!("must be {VERSION}")),
    }
    let (timezone, cautions, thresholds) = profile(doc.get("profile"), &mut errors);
    let entries = entries(doc.get("entries"), now, &mut errors);
    if errors.is_empty() {
        Ok(Restore {
            timezone,
            cautions,
            thresholds,
            entries,
        })
    } else {
        Err(errors)
    }
}

/// The file as a JSON object, or why it is not one.
fn document(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!("is larger than {} MB", MAX_BYTES / (1024 * 1024)));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("is JSON but not an Unknot backup (an object is expected)".into()),
        Err(e) => Err(format!(
            "is not JSON ({e}); choose the .json file Unknot exported"
        )),
    }
}

/// The profile settings a backup carries (unknown values are left out).
fn profile(
    profile: Option<&Value>,
    errors: &mut FieldErrors,
) -> (Option<String>, Vec<Caution>, ThresholdOverrides) {
    let field = |name: &str| profile.and_then(Value::as_object).and_then(|p| p.get(name));
    let timezone = field("timezone")
        .and_then(Value::as_str)
        .filter(|tz| crate::domain::time::is_known_timezone(tz))
        .map(str::to_string);
    let cautions = field("cautions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().and_then(Caution::parse))
                .collect()
        })
        .unwrap_or_default();
    let thresholds = match field("thresholds").and_then(Value::as_object) {
        Some(m) => ThresholdOverrides::parse(m.iter().map(|(k, v)| (k.as_str(), v.as_i64())))
            .unwrap_or_else(|e| {
                errors.merge(e);
                ThresholdOverrides::default()
            }),
        None => ThresholdOverrides::default(),
    };
    (timezone, cautions, thresholds)
}

/// Every entry, each checked; problems are keyed by where they are (`entries[3].data.intensity`).
fn entries(list: Option<&Value>, now: DateTime<Utc>, errors: &mut FieldErrors) -> Vec<NewEntry> {
    let Some(list) = list.and_then(Value::as_array) else {
        errors.add("entries", "is required: the list of entries");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        if errors.0.len() >= MAX_ERRORS {
            errors.add("entries", "have more problems than are listed here");
            break;
        }
        let Some(obj) = item.as_object() else {
            errors.add(&format!("entries[{i}]"), "must be an entry object");
            continue;
        };
        match parse_json_entry(obj, &["id", "kind", "occurred_at", "data"], now) {
            Ok((e, _)) if obj.contains_key("id") => out.push(e),
            Ok(_) => errors.add(&format!("entries[{i}].id"), "is required"),
            Err(es) => {
                for (k, v) in es.0 {
                    errors.add(&format!("entries[{i}].{k}"), v);
                }
            }
        }
    }
    out
}
