//! Entries as CSV: one row per entry under a stable header, RFC 4180 quoting, ISO 8601 times
//! with their offsets, UTF-8 with a byte-order mark so spreadsheets read accents right, and text
//! that a spreadsheet would run as a formula neutralised.

use crate::domain::entry::{Entry, EntryData};
use crate::domain::fields::Choice;
use crate::domain::time::rfc3339;

/// The columns, in order (documented in the README; never reordered, only appended to).
pub const HEADER: &[&str] = &[
    "id",
    "kind",
    "occurred_at",
    "local_date",
    "local_time",
    "utc_offset",
    "body_site",
    "intensity",
    "duration_s",
    "pattern",
    "triggers",
    "red_flags",
    "relief",
    "volume_ml",
    "electrolytes",
    "mode",
    "minutes",
    "body_sites",
    "technique",
    "duration_min",
    "pressure",
    "therapist",
    "status",
    "ended_at",
    "name",
    "routine",
    "notes",
];

/// A cell of free text: one starting with `=`, `+`, `-` or `@` (or a tab or carriage return)
/// gets a leading apostrophe so a spreadsheet shows it instead of running it.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn list<C: Choice>(items: &[C]) -> String {
    items
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(neutralise).unwrap_or_default()
}

/// One entry's cells, in `HEADER` order.
fn row(e: &Entry) -> Vec<String> {
    let mut r: Vec<String> = vec![String::new(); HEADER.len()];
    let mut set = |name: &str, v: String| {
        if let Some(i) = HEADER.iter().position(|h| *h == name) {
            r[i] = v;
        }
    };
    let off = e.occurred_at.offset().local_minus_utc() / 60;
    set("id", e.id.to_string());
    set("kind", e.kind().as_str().into());
    set("occurred_at", rfc3339(&e.occurred_at));
    set("local_date", e.occurred_at.format("%Y-%m-%d").to_string());
    set("local_time", e.occurred_at.format("%H:%M").to_string());
    set(
        "utc_offset",
        format!(
            "UTC{}{:02}:{:02}",
            if off < 0 { '-' } else { '+' },
            off.abs() / 60,
            off.abs() % 60
        ),
    );
    match &e.data {
        EntryData::Episode(ep) => {
            set("body_site", ep.body_site.as_str().into());
            set("intensity", ep.intensity.to_string());
            set("duration_s", opt(ep.duration_s));
            set("pattern", opt(ep.pattern.map(|p| p.as_str())));
            set("triggers", list(&ep.triggers));
            set("red_flags", list(&ep.red_flags));
            set("relief", list(&ep.relief));
            set("notes", text(&ep.notes));
        }
        EntryData::Hydration(h) => {
            set("volume_ml", h.volume_ml.to_string());
            set("electrolytes", h.electrolytes.to_string());
        }
        EntryData::HeatIce(h) => {
            set("mode", h.mode.as_str().into());
            set("minutes", h.minutes.to_string());
            set("body_site", opt(h.body_site.map(|b| b.as_str())));
        }
        EntryData::Stretch(s) => {
            set("minutes", s.minutes.to_string());
            set("body_sites", list(&s.body_sites));
            set("routine", text(&s.routine));
        }
        EntryData::Massage(m) => {
            set("technique", m.technique.as_str().into());
            set("duration_min", opt(m.duration_min));
            set("pressure", opt(m.pressure.map(|p| p.as_str())));
            set("body_sites", list(&m.body_sites));
            set("therapist", text(&m.therapist));
            set("notes", text(&m.notes));
        }
        EntryData::Condition(c) => {
            set("status", c.status.as_str().into());
            set("ended_at", c.ended_at.clone().unwrap_or_default());
            set("body_site", opt(c.body_site.map(|b| b.as_str())));
            set("notes", text(&c.notes));
        }
        EntryData::Event(ev) => set("name", neutralise(&ev.name)),
    }
    r
}

/// The CSV file of `entries` (in the order given), with a UTF-8 byte-order mark.
pub fn write(entries: &[Entry]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = w.write_record(HEADER);
        for e in entries {
            let _ = w.write_record(row(e));
        }
        let _ = w.flush();
    }
    out
}
