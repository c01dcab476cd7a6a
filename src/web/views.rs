//! Views shared by several pages: entries and notes as lists show them, times in a zone.

use crate::domain::entry::{Entry, EntryData};
use crate::domain::fields::Choice;
use crate::domain::ids::UserId;
use crate::domain::time::rfc3339;
use crate::store::notes::Note;
use chrono::{DateTime, Datelike, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An instant as people read it, in their time zone.
pub fn when(t: DateTime<Utc>, tz: Option<&str>) -> String {
    crate::domain::time::LocalZone::pick(tz, None)
        .at(t)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

fn labels<C: Choice>(items: &[C]) -> String {
    items
        .iter()
        .map(|c| c.label().to_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "07:30", as `%H:%M` writes it, without parsing a format per entry.
pub fn clock(t: chrono::NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "12 May", as `%-d %b` writes it, without parsing a format per entry.
pub fn short_day(t: chrono::NaiveDateTime) -> String {
    format!("{} {}", t.day(), MONTHS[t.month0() as usize])
}

/// "12 May 07:30": the day and time a suggestion's evidence and a therapist's client list show.
pub fn short_day_clock(t: chrono::NaiveDateTime) -> String {
    format!("{} {:02}:{:02}", short_day(t), t.hour(), t.minute())
}

/// An entry as list pages show it.
#[derive(Clone, Debug)]
pub struct EntryView {
    pub id: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub time: String,
    pub day: String,
    pub at_iso: String,
    pub summary: String,
    pub detail: String,
}

impl EntryView {
    /// The view of one entry.
    pub fn of(e: &Entry) -> Self {
        let mut detail: Vec<String> = Vec::new();
        if let EntryData::Episode(ep) = &e.data {
            if !ep.triggers.is_empty() {
                detail.push(format!("Triggers: {}", labels(&ep.triggers)));
            }
            if !ep.red_flags.is_empty() {
                detail.push(format!("Warning signs: {}", labels(&ep.red_flags)));
            }
            if !ep.relief.is_empty() {
                detail.push(format!("Helped: {}", labels(&ep.relief)));
            }
        }
        if let Some(n) = e.data.notes() {
            detail.push(n.to_string());
        }
        let local = e.occurred_at.naive_local();
        Self {
            id: e.id.to_string(),
            kind: e.kind().as_str(),
            kind_label: e.kind().label(),
            time: clock(local),
            day: short_day(local),
            at_iso: rfc3339(&e.occurred_at),
            summary: e.data.summary(),
            detail: detail.join(" · "),
        }
    }
}

/// A note as pages show it.
pub struct NoteView {
    pub id: String,
    pub client_id: String,
    pub author: String,
    pub date: String,
    pub session: Option<String>,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub is_final: bool,
    pub addenda: Vec<(String, String)>,
    pub can_edit: bool,
    pub can_amend: bool,
}

/// Views of notes; `editor` is the therapist looking (may edit own drafts, amend own finals).
pub fn note_views(list: &[Note], editor: Option<UserId>, tz: Option<&str>) -> Vec<NoteView> {
    list.iter()
        .map(|n| {
            let own = editor.is_some_and(|e| e.to_string() == n.therapist_id);
            NoteView {
                id: n.id.clone(),
                client_id: n.client_id.clone(),
                author: n.therapist_name.clone(),
                date: when(n.created_at, tz),
                session: n.session_entry_id.clone(),
                subjective: n.soap.subjective.clone(),
                objective: n.soap.objective.clone(),
                assessment: n.soap.assessment.clone(),
                plan: n.soap.plan.clone(),
                is_final: n.is_final,
                addenda: n
                    .addenda
                    .iter()
                    .map(|a| (when(a.created_at, tz), a.body.clone()))
                    .collect(),
                can_edit: own && !n.is_final,
                can_amend: own && n.is_final,
            }
        })
        .collect()
}

/// What an access-log line did, in words: `write` or `read` of `resource` (a request path, or
/// a report link's own description).
pub fn access_phrase(action: &str, resource: &str) -> String {
    if let Some(rest) = resource.strip_prefix("report link for ") {
        let (period, what) = rest.split_once(" (").unwrap_or((rest, "page)"));
        return match what.trim_end_matches(')') {
            "PDF" => format!("downloaded the report for {period} (PDF)"),
            _ => format!("opened the report for {period}"),
        };
    }
    let path = resource.split('?').next().unwrap_or(resource);
    let last = path.rsplit('/').next().unwrap_or_default();
    let write = action == "write";
    match (write, last) {
        (_, "(summary)") | (_, "clients (summary)") => "saw you in their list of clients".into(),
        (true, "addenda") => "added a dated addendum to a session note".into(),
        (true, "notes") => "wrote a session note".into(),
        (true, "edit") => "edited a draft session note".into(),
        (true, _) if path.contains("/notes/") => "edited a draft session note".into(),
        (false, "entries") => "viewed your entries".into(),
        (false, "suggestions") => "viewed your suggestions".into(),
        (false, "trends") => "viewed your trends".into(),
        (false, "notes") => "read the session notes about you".into(),
        (false, "edit") => "opened a draft session note".into(),
        (false, "export") | (false, "report.pdf") => "downloaded your report (PDF)".into(),
        (false, _) if path.starts_with("/clients/") && path.matches('/').count() == 2 => {
            "opened your journal".into()
        }
        (true, _) => "changed something in your journal".into(),
        (false, _) => "viewed your journal".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{EntryView, access_phrase};

    #[test]
    fn entry_times_read_as_the_format_strings_write_them() {
        for at in [
            "2026-05-10T08:05:00+02:00",
            "2026-12-31T23:59:00-05:00",
            "2026-01-01T00:00:00+13:45",
        ] {
            let t = chrono::DateTime::parse_from_rfc3339(at).unwrap();
            let e = crate::domain::entry::Entry {
                id: crate::domain::ids::EntryId::new_v7(),
                occurred_at: t,
                data: crate::domain::entry::EntryData::Hydration(crate::domain::entry::Hydration {
                    volume_ml: 250,
                    electrolytes: false,
                }),
                version: 1,
                deleted: false,
                seq: 1,
                updated_at: chrono::Utc::now(),
            };
            let v = EntryView::of(&e);
            assert_eq!(v.time, t.format("%H:%M").to_string(), "{at}");
            assert_eq!(v.day, t.format("%-d %b").to_string(), "{at}");
            let both = super::short_day_clock(t.naive_local());
            assert_eq!(both, t.format("%-d %b %H:%M").to_string(), "{at}");
        }
    }

    #[test]
    fn access_lines_read_as_sentences() {
        let c = "/api/v1/clients/0196c0de-0000-7000-8000-000000000002";
        assert_eq!(
            access_phrase("read", &format!("{c}/trends")),
            "viewed your trends"
        );
        assert_eq!(
            access_phrase("read", "/clients/0196c0de-0000-7000-8000-000000000002"),
            "opened your journal"
        );
        assert_eq!(
            access_phrase("write", &format!("{c}/notes")),
            "wrote a session note"
        );
        assert_eq!(
            access_phrase("write", &format!("{c}/notes/n1/addenda")),
            "added a dated addendum to a session note"
        );
        assert_eq!(
            access_phrase("read", "/clients (summary)"),
            "saw you in their list of clients"
        );
        assert_eq!(
            access_phrase("read", &format!("{c}/export")),
            "downloaded your report (PDF)"
        );
        assert_eq!(
            access_phrase("read", "report link for 1 May 2026 to 30 May 2026 (PDF)"),
            "downloaded the report for 1 May 2026 to 30 May 2026 (PDF)"
        );
        assert_eq!(
            access_phrase("read", "report link for 1 May 2026 to 30 May 2026 (page)"),
            "opened the report for 1 May 2026 to 30 May 2026"
        );
    }
}
