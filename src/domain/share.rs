//! Sharing a journal with a therapist: one-use codes, scopes, and what each scope allows.

use crate::choice;
use crate::domain::fields::{FieldErrors, Fields, Reader};
use crate::domain::ids::EntryId;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The hash under which a secret handed to someone is stored: a (normalised) share code, or a
/// report link's token. Only the hash is kept, so the database never holds a usable secret.
pub fn code_hash(normalized: &str) -> String {
    Sha256::digest(normalized.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

choice!(
    /// What a therapist may do with a client's journal.
    Scope {
        Read => ("read", "Read my journal, trends and suggestions"),
        ReadNotes => ("read_notes", "Read, and write session notes"),
    }
);

impl Scope {
    /// Whether this scope allows writing session notes.
    pub fn may_write_notes(self) -> bool {
        self == Scope::ReadNotes
    }
}

/// Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand stays right.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code (12 × 5 bits = 60 bits of randomness).
pub const CODE_CHARS: usize = 12;
/// Shortest and longest share life, in days.
pub const MIN_DAYS: i64 = 1;
pub const MAX_DAYS: i64 = 365;
pub const DEFAULT_DAYS: i64 = 30;

/// A code like `7KQ2-M9XD-4RTB` from 60 random bits.
pub fn code_from(random: u64) -> String {
    let mut s = String::with_capacity(CODE_CHARS + 2);
    for i in 0..CODE_CHARS {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let v = (random >> (5 * (CODE_CHARS - 1 - i))) & 31;
        s.push(ALPHABET[v as usize] as char);
    }
    s
}

/// The canonical form of a typed code (case, spaces, dashes and look-alike letters forgiven),
/// or `None` if it cannot be a code.
pub fn normalize(input: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in input.chars() {
        let c = c.to_ascii_uppercase();
        let c = match c {
            ' ' | '-' | '\u{2010}'..='\u{2015}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

/// A share request, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewShare {
    pub scope: Scope,
    pub expires_in_days: i64,
}

/// Parses `{"scope", "expires_in_days"}` (days default to 30).
pub fn parse_new_share(src: &dyn Fields) -> Result<NewShare, FieldErrors> {
    let mut r = Reader::new(src);
    r.deny_unknown(&["scope", "expires_in_days"]);
    let scope = r.required_choice::<Scope>("scope");
    let days = r
        .int("expires_in_days", MIN_DAYS, MAX_DAYS)
        .unwrap_or(DEFAULT_DAYS);
    match scope {
        Some(scope) if r.errors.is_empty() => Ok(NewShare {
            scope,
            expires_in_days: days,
        }),
        _ => Err(r.errors),
    }
}

/// Where a share stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantState {
    /// Created, not yet redeemed.
    Waiting,
    /// Redeemed and usable.
    Live,
    Expired,
    Revoked,
}

/// The state of a share at `now`.
pub fn grant_state(
    redeemed: bool,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> GrantState {
    if revoked_at.is_some_and(|r| r <= now) {
        GrantState::Revoked
    } else if expires_at <= now {
        GrantState::Expired
    } else if redeemed {
        GrantState::Live
    } else {
        GrantState::Waiting
    }
}

/// A SOAP session note's four parts.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Soap {
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
}

/// Parses a note: four optional parts of up to 4000 characters, at least one filled in.
pub fn parse_soap(src: &dyn Fields, extra: &[&str]) -> Result<Soap, FieldErrors> {
    let mut r = Reader::new(src);
    let mut allowed = vec!["subjective", "objective", "assessment", "plan"];
    allowed.extend_from_slice(extra);
    r.deny_unknown(&allowed);
    let mut part = |name: &str| r.text(name, MAX_NOTE_TEXT).unwrap_or_default();
    let soap = Soap {
        subjective: part("subjective"),
        objective: part("objective"),
        assessment: part("assessment"),
        plan: part("plan"),
    };
    if r.errors.is_empty()
        && soap.subjective.is_empty()
        && soap.objective.is_empty()
        && soap.assessment.is_empty()
        && soap.plan.is_empty()
    {
        r.error(
            "subjective",
            "or another part of the note must be filled in",
        );
    }
    if r.errors.is_empty() {
        Ok(soap)
    } else {
        Err(r.errors)
    }
}

choice!(
    /// Whether a note may still change.
    NoteStatus {
        Draft => ("draft", "Draft"),
        Final => ("final", "Final"),
    }
);

/// Longest part of a note, and longest addendum.
pub const MAX_NOTE_TEXT: usize = 4000;

/// Refused link to a session.
pub const SESSION_REFUSED: &str = "must be the id of one of this client's massage sessions";

/// A note as a therapist writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteInput {
    pub soap: Soap,
    /// Saved as final (never changes again) rather than as a draft (the default).
    pub is_final: bool,
    /// The massage session the note is about (checked against the journal by the caller).
    pub session: Option<EntryId>,
}

/// Parses a new note (`with_session`) or an edit of a draft: every error at once.
pub fn parse_note(src: &dyn Fields, with_session: bool) -> Result<NoteInput, FieldErrors> {
    let extra: &[&str] = if with_session {
        &["status", "session_entry_id"]
    } else {
        &["status"]
    };
    let mut errors = FieldErrors::default();
    let soap = parse_soap(src, extra).map_err(|e| errors.merge(e)).ok();
    let mut r = Reader::new(src);
    let status = r.choice::<NoteStatus>("status");
    let session = if with_session {
        r.text("session_entry_id", 64).and_then(|s| {
            let id = EntryId::parse(s.trim());
            if id.is_none() {
                r.error("session_entry_id", SESSION_REFUSED);
            }
            id
        })
    } else {
        None
    };
    errors.merge(r.errors);
    match soap.filter(|_| errors.is_empty()) {
        Some(soap) => Ok(NoteInput {
            soap,
            is_final: status == Some(NoteStatus::Final),
            session,
        }),
        None => Err(errors),
    }
}

/// Parses an addendum to a final note: 1 to 4000 characters.
pub fn parse_addendum(src: &dyn Fields) -> Result<String, FieldErrors> {
    let mut r = Reader::new(src);
    r.deny_unknown(&["body"]);
    match r.required_text("body", MAX_NOTE_TEXT) {
        Some(body) if r.errors.is_empty() => Ok(body.trim().to_string()),
        _ => Err(r.errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::JsonFields;
    use chrono::Duration;

    #[test]
    fn codes_carry_sixty_bits_in_unambiguous_characters() {
        let c = code_from(u64::MAX);
        assert_eq!(c, "ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(code_from(0), "0000-0000-0000");
        let c = code_from(0x0123_4567_89ab_cdef);
        assert_eq!(c.len(), 14);
        assert!(!c.contains(['I', 'L', 'O', 'U']));
        assert_eq!(
            normalize(&c.to_lowercase().replace('-', " ")),
            Some(c.replace('-', ""))
        );
    }

    #[test]
    fn typed_codes_forgive_look_alikes_but_not_garbage() {
        assert_eq!(normalize("oo1l-ABCD-efgh"), Some("0011ABCDEFGH".into()));
        assert_eq!(normalize("ABCD-EFGH-JKM"), None, "too short");
        assert_eq!(
            normalize("ABCD-EFGH-JKMU"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(normalize("ABCD-EFGH-JKMÄ"), None);
    }

    #[test]
    fn grants_are_live_only_between_redeem_and_expiry_or_revocation() {
        let now = Utc::now();
        let later = now + Duration::days(1);
        assert_eq!(grant_state(false, later, None, now), GrantState::Waiting);
        assert_eq!(grant_state(true, later, None, now), GrantState::Live);
        assert_eq!(grant_state(true, now, None, now), GrantState::Expired);
        assert_eq!(
            grant_state(true, later, Some(now), now),
            GrantState::Revoked
        );
    }

    #[test]
    fn share_requests_default_to_thirty_days_within_one_to_365() {
        let ok = serde_json::json!({"scope": "read_notes"});
        assert_eq!(
            parse_new_share(&JsonFields(ok.as_object().unwrap())),
            Ok(NewShare {
                scope: Scope::ReadNotes,
                expires_in_days: 30
            })
        );
        let bad = serde_json::json!({"scope": "admin", "expires_in_days": 366});
        let e = parse_new_share(&JsonFields(bad.as_object().unwrap())).unwrap_err();
        assert!(e.get("scope").is_some() && e.get("expires_in_days").is_some());
        let empty = serde_json::json!({});
        assert!(parse_soap(&JsonFields(empty.as_object().unwrap()), &[]).is_err());
    }
}
