//! Accounts and profiles: roles, emails, password policy, profile updates.

use crate::choice;
use crate::domain::caution::Caution;
use crate::domain::fields::{FieldErrors, Fields, Reader};
use crate::domain::rules::ThresholdOverrides;
use crate::domain::time::is_known_timezone;

choice!(
    /// What an account is for.
    Role {
        Client => ("client", "I keep a journal"),
        Therapist => ("therapist", "I am a massage therapist"),
    }
);

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes, checked before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest display name.
pub const MAX_DISPLAY_NAME: usize = 100;

/// A normalised (trimmed, lower-case) email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks the rough shape of an address: one `@`, a dot in the domain, no spaces.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(s.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                   && !domain.ends_with('.') && !domain.contains('@'));
        if ok {
            Ok(Self(s))
        } else {
            Err("must be an email address like name@example.com".into())
        }
    }
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password's length; returns it unchanged.
pub fn check_password(p: &str) -> Result<(), String> {
    if p.len() > MAX_PASSWORD_BYTES {
        return Err(format!("must be at most {MAX_PASSWORD_BYTES} bytes"));
    }
    if p.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// A registration request, checked.
#[derive(Clone, Debug)]
pub struct Registration {
    pub email: Email,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub timezone: Option<String>,
}

/// Reads a time zone field: empty means unset; otherwise an IANA name.
pub fn read_timezone(r: &mut Reader<'_>) -> Option<String> {
    let tz = r.text("timezone", 64)?;
    if is_known_timezone(&tz) {
        Some(tz)
    } else {
        r.error(
            "timezone",
            "must be an IANA time zone name like Europe/Berlin, or empty",
        );
        None
    }
}

/// Parses a registration from JSON or a form.
pub fn parse_registration(src: &dyn Fields) -> Result<Registration, FieldErrors> {
    let mut r = Reader::new(src);
    r.deny_unknown(&["email", "password", "display_name", "role", "timezone"]);
    let email = match r.raw_text("email") {
        Some(e) => Email::parse(e).map_err(|m| r.error("email", m)).ok(),
        None => {
            r.error("email", "is required: an email address");
            None
        }
    };
    let password = r.raw_text("password").unwrap_or_default().to_string();
    if let Err(m) = check_password(&password) {
        r.error("password", m);
    }
    let display_name = r.required_text("display_name", MAX_DISPLAY_NAME);
    let role = r.required_choice::<Role>("role");
    let timezone = read_timezone(&mut r);
    match (r.errors.is_empty(), email, display_name, role) {
        (true, Some(email), Some(display_name), Some(role)) => Ok(Registration {
            email,
            password,
            display_name: display_name.trim().to_string(),
            role,
            timezone,
        }),
        _ => Err(r.errors),
    }
}

/// What a person says about themselves: display name, time zone, cautions.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileDetails {
    pub display_name: String,
    pub timezone: Option<String>,
    pub cautions: Vec<Caution>,
}

/// A whole profile update: the details and the threshold overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileUpdate {
    pub details: ProfileDetails,
    pub thresholds: ThresholdOverrides,
}

/// Parses the details of a profile; `extra` names further fields the caller reads itself.
pub fn parse_details(src: &dyn Fields, extra: &[&str]) -> Result<ProfileDetails, FieldErrors> {
    let mut r = Reader::new(src);
    let mut allowed = vec!["display_name", "timezone", "cautions"];
    allowed.extend_from_slice(extra);
    r.deny_unknown(&allowed);
    let display_name = r.required_text("display_name", MAX_DISPLAY_NAME);
    let timezone = read_timezone(&mut r);
    let cautions = r.choices::<Caution>("cautions");
    match (r.errors.is_empty(), display_name) {
        (true, Some(display_name)) => Ok(ProfileDetails {
            display_name,
            timezone,
            cautions,
        }),
        _ => Err(r.errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields::JsonFields;
    use serde_json::json;

    #[test]
    fn registration_normalises_email_and_checks_every_field() {
        let body = json!({"email": "  Ana@Example.COM ", "password": "correct horse", "display_name": "Ana", "role": "client"});
        let reg = parse_registration(&JsonFields(body.as_object().unwrap())).unwrap();
        assert_eq!(reg.email.as_str(), "ana@example.com");
        let bad = json!({"email": "nope", "password": "short", "display_name": "", "role": "admin", "timezone": "Mars/Base"});
        let err = parse_registration(&JsonFields(bad.as_object().unwrap())).unwrap_err();
        assert_eq!(err.get("password"), Some("must be at least 10 characters"));
        assert_eq!(err.get("role"), Some("must be one of client, therapist"));
        for f in ["email", "display_name", "timezone"] {
            assert!(err.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn huge_passwords_are_refused_before_hashing() {
        assert!(
            check_password(&"a".repeat(1025))
                .unwrap_err()
                .contains("1024 bytes")
        );
        assert!(check_password(&"a".repeat(1024)).is_ok());
        assert!(check_password("ééééééééé").is_err());
        assert!(check_password("éééééééééé").is_ok());
    }
}
