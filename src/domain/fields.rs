//! Field-by-field parsing shared by JSON bodies and HTML forms.
//! Errors are collected, not first-fail, so a form can show all of them at once.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Longest text accepted in any free-text field.
pub const MAX_TEXT: usize = 2000;

/// Field name → what is wrong with it and what is allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    /// Records the first error for `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message for one field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    /// Moves every error of `other` in, prefixing nothing.
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(k).or_insert(v);
        }
    }
    /// A single-field error set.
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::default();
        e.add(field, message);
        e
    }
}

/// A source of named raw values: a JSON object or an HTML form. Text is lent, not copied: a
/// reader copies what it keeps (a sync push reads hundreds of entries per request).
pub trait Fields {
    /// The names present in the input that are not in `allowed` (used to refuse unknown JSON
    /// fields), in any order, a repeated name perhaps more than once; nothing is allocated when
    /// every name is allowed.
    fn names_outside(&self, allowed: &[&str]) -> Vec<&str>;
    /// Whether unknown names are an error (JSON) or ignored (forms carry CSRF tokens and buttons).
    fn strict(&self) -> bool;
    /// A text value; `Ok(None)` when absent or empty.
    fn text(&self, name: &str) -> Result<Option<&str>, String>;
    /// A whole number; `Ok(None)` when absent or empty.
    fn int(&self, name: &str) -> Result<Option<i64>, String>;
    /// A yes/no value; `Ok(None)` when absent.
    fn boolean(&self, name: &str) -> Result<Option<bool>, String>;
    /// A list of text values; empty when absent.
    fn list(&self, name: &str) -> Result<Vec<&str>, String>;
}

/// What reading fields needs of a JSON value, whichever type holds it: `serde_json::Value`, or
/// a value that borrows its text from the request body (the sync push, which reads hundreds of
/// entries per request).
pub trait JsonValue: Sized {
    /// The object type of this representation.
    type Object: JsonObject<Value = Self>;
    fn is_null(&self) -> bool;
    fn as_str(&self) -> Option<&str>;
    /// `Some` for any number; inside, the number if it is a whole one that fits an `i64`.
    fn as_number(&self) -> Option<Option<i64>>;
    fn as_bool(&self) -> Option<bool>;
    fn as_array(&self) -> Option<&[Self]>;
    fn as_object(&self) -> Option<&Self::Object>;
}

/// A JSON object: named values, the last of a repeated name counting (as in `serde_json`).
pub trait JsonObject {
    type Value: JsonValue<Object = Self>;
    fn get(&self, name: &str) -> Option<&Self::Value>;
    /// Each name once.
    fn keys(&self) -> Vec<&str>;
    /// The names not in `allowed`, in any order (a repeated one perhaps more than once).
    fn names_outside(&self, allowed: &[&str]) -> Vec<&str> {
        outside(self.keys().into_iter(), allowed)
    }
}

/// The names of `names` not in `allowed`; nothing is allocated when every name is allowed.
pub fn outside<'a>(names: impl Iterator<Item = &'a str>, allowed: &[&str]) -> Vec<&'a str> {
    names.filter(|n| !allowed.contains(n)).collect()
}

impl JsonValue for serde_json::Value {
    type Object = serde_json::Map<String, serde_json::Value>;
    fn is_null(&self) -> bool {
        self.is_null()
    }
    fn as_str(&self) -> Option<&str> {
        self.as_str()
    }
    fn as_number(&self) -> Option<Option<i64>> {
        self.as_number().map(serde_json::Number::as_i64)
    }
    fn as_bool(&self) -> Option<bool> {
        self.as_bool()
    }
    fn as_array(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn as_object(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.as_object()
    }
}

impl JsonObject for serde_json::Map<String, serde_json::Value> {
    type Value = serde_json::Value;
    fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.get(name)
    }
    fn keys(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

/// A JSON object as a field source.
pub struct JsonFields<'a, O = serde_json::Map<String, serde_json::Value>>(pub &'a O);

impl<O: JsonObject> JsonFields<'_, O> {
    /// The value of `name`; `null` counts as absent.
    fn present(&self, name: &str) -> Option<&O::Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }
}

impl<O: JsonObject> Fields for JsonFields<'_, O> {
    fn names_outside(&self, allowed: &[&str]) -> Vec<&str> {
        self.0.names_outside(allowed)
    }
    fn strict(&self) -> bool {
        true
    }
    fn text(&self, name: &str) -> Result<Option<&str>, String> {
        self.present(name)
            .map(|v| v.as_str().ok_or("must be a string"))
            .transpose()
            .map_err(String::from)
    }
    fn int(&self, name: &str) -> Result<Option<i64>, String> {
        self.present(name)
            .map(|v| v.as_number().flatten().ok_or("must be a whole number"))
            .transpose()
            .map_err(String::from)
    }
    fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        self.present(name)
            .map(|v| v.as_bool().ok_or("must be true or false"))
            .transpose()
            .map_err(String::from)
    }
    fn list(&self, name: &str) -> Result<Vec<&str>, String> {
        let Some(v) = self.present(name) else {
            return Ok(Vec::new());
        };
        v.as_array()
            .and_then(|items| items.iter().map(|v| v.as_str()).collect::<Option<Vec<_>>>())
            .ok_or_else(|| "must be a list of strings".into())
    }
}

/// A closed set of text values with a human label each.
pub trait Choice: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The wire value.
    fn as_str(self) -> &'static str;
    /// The label people read.
    fn label(self) -> &'static str;
    /// Parses a wire value.
    fn parse(s: &str) -> Option<Self>;
    /// "one of a, b, c" for error messages.
    fn allowed() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
        format!("one of {}", names.join(", "))
    }
}

/// Declares a `Choice` enum with wire values and labels.
#[macro_export]
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => ($wire:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $crate::domain::fields::Choice for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }
            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
            fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some(Self::$variant),)+ _ => None }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::fields::Choice::as_str(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            /// Reads the wire value where it lies (stored entries are read back by the thousand).
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Wire;
                impl serde::de::Visitor<'_> for Wire {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " wire value"))
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        <$name as $crate::domain::fields::Choice>::parse(s)
                            .ok_or_else(|| E::custom(format!("unknown value {s}")))
                    }
                }
                d.deserialize_str(Wire)
            }
        }
    };
}

/// Why text with control characters is refused.
pub const CONTROL_REFUSED: &str =
    "must not contain control characters (line breaks and tabs are fine)";

/// Whether `s` holds a control character other than a line break or a tab.
pub fn has_control(s: &str) -> bool {
    // Most text is printable ASCII, line breaks and tabs: that is checked a byte at a time.
    let plain = |b: &u8| (0x20..0x7f).contains(b) || *b == b'\n' || *b == b'\t';
    !s.as_bytes().iter().all(plain) && s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// Reads fields from a source, collecting every error.
pub struct Reader<'a> {
    src: &'a dyn Fields,
    /// Errors gathered so far.
    pub errors: FieldErrors,
    /// Prefix added to field names in error keys (e.g. `data.`).
    prefix: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader whose error keys are the plain field names.
    pub fn new(src: &'a dyn Fields) -> Self {
        Self::with_prefix(src, "")
    }
    /// A reader whose error keys carry `prefix`.
    pub fn with_prefix(src: &'a dyn Fields, prefix: &'static str) -> Self {
        Self {
            src,
            errors: FieldErrors::default(),
            prefix,
        }
    }

    fn fail(&mut self, name: &str, msg: impl Into<String>) {
        let key = format!("{}{}", self.prefix, name);
        self.errors.add(&key, msg);
    }

    /// Refuses names not in `allowed` when the source is strict.
    pub fn deny_unknown(&mut self, allowed: &[&str]) {
        if !self.src.strict() {
            return;
        }
        let src = self.src;
        for name in src.names_outside(allowed) {
            let list = allowed.join(", ");
            self.fail(name, format!("is not a known field (allowed: {list})"));
        }
    }

    /// Optional text up to `max` characters; empty counts as absent. Line breaks (CRLF from a
    /// form becomes LF) and tabs are kept; any other control character is refused, on every
    /// backend alike.
    pub fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let got = self.src.text(name).map(|t| {
            t.map(|s| {
                // A byte search first: a two-byte pattern sets up a substring search per call.
                if s.as_bytes().contains(&b'\r') && s.contains("\r\n") {
                    Cow::Owned(s.replace("\r\n", "\n"))
                } else {
                    Cow::Borrowed(s)
                }
            })
        });
        if let Ok(Some(s)) = &got
            && has_control(s)
        {
            self.fail(name, CONTROL_REFUSED);
            return None;
        }
        match got {
            // No more bytes than `max` is no more characters either.
            Ok(Some(s)) if s.len() > max && s.chars().count() > max => {
                self.fail(name, format!("must be at most {max} characters"));
                None
            }
            Ok(Some(s)) if s.trim().is_empty() => None,
            Ok(v) => v.map(Cow::into_owned),
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Required text of 1 to `max` characters.
    pub fn required_text(&mut self, name: &str, max: usize) -> Option<String> {
        let v = self.text(name, max);
        if v.is_none() && !self.has_error(name) {
            self.fail(name, format!("is required (1 to {max} characters)"));
        }
        v
    }

    fn has_error(&self, name: &str) -> bool {
        self.errors
            .0
            .contains_key(&format!("{}{}", self.prefix, name))
    }

    /// Optional whole number in `lo..=hi`.
    pub fn int(&mut self, name: &str, lo: i64, hi: i64) -> Option<i64> {
        match self.src.int(name) {
            Ok(Some(n)) if (lo..=hi).contains(&n) => Some(n),
            Ok(Some(_)) | Err(_) => {
                self.fail(name, format!("must be a whole number from {lo} to {hi}"));
                None
            }
            Ok(None) => None,
        }
    }

    /// Required whole number in `lo..=hi`.
    pub fn required_int(&mut self, name: &str, lo: i64, hi: i64) -> Option<i64> {
        let v = self.int(name, lo, hi);
        if v.is_none() && !self.has_error(name) {
            self.fail(
                name,
                format!("is required: a whole number from {lo} to {hi}"),
            );
        }
        v
    }

    /// Optional yes/no.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.src.boolean(name) {
            Ok(v) => v,
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Optional value from a closed set.
    pub fn choice<C: Choice>(&mut self, name: &str) -> Option<C> {
        match self.src.text(name) {
            Ok(None) => None,
            Ok(Some(s)) => match C::parse(s.trim()) {
                Some(c) => Some(c),
                None => {
                    self.fail(name, format!("must be {}", C::allowed()));
                    None
                }
            },
            Err(_) => {
                self.fail(name, format!("must be {}", C::allowed()));
                None
            }
        }
    }

    /// Required value from a closed set.
    pub fn required_choice<C: Choice>(&mut self, name: &str) -> Option<C> {
        let v = self.choice::<C>(name);
        if v.is_none() && !self.has_error(name) {
            self.fail(name, format!("is required: {}", C::allowed()));
        }
        v
    }

    /// A list of values from a closed set, duplicates dropped, order kept.
    pub fn choices<C: Choice + PartialEq>(&mut self, name: &str) -> Vec<C> {
        match self.src.list(name) {
            Ok(items) => {
                let mut out: Vec<C> = Vec::with_capacity(items.len());
                for item in items {
                    match C::parse(item.trim()) {
                        Some(c) if !out.contains(&c) => out.push(c),
                        Some(_) => {}
                        None => {
                            self.fail(name, format!("each item must be {}", C::allowed()));
                            return Vec::new();
                        }
                    }
                }
                out
            }
            Err(_) => {
                self.fail(name, format!("must be a list, each item {}", C::allowed()));
                Vec::new()
            }
        }
    }

    /// Records an error computed elsewhere.
    pub fn error(&mut self, name: &str, msg: impl Into<String>) {
        self.fail(name, msg);
    }

    /// The source's raw text for `name` (no checks).
    pub fn raw_text(&self, name: &str) -> Option<&'a str> {
        self.src.text(name).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::choice!(Colour { Red => ("red", "Red"), Blue => ("blue", "Blue") });

    #[test]
    fn reader_collects_every_error_with_the_allowed_values() {
        let json = serde_json::json!({"n": 11, "c": "green", "x": 1, "t": "a".repeat(2001)});
        let map = json.as_object().unwrap();
        let src = JsonFields(map);
        let mut r = Reader::new(&src);
        r.deny_unknown(&["n", "c", "t", "req"]);
        assert_eq!(r.int("n", 0, 10), None);
        assert_eq!(r.choice::<Colour>("c"), None);
        assert_eq!(r.text("t", MAX_TEXT), None);
        assert_eq!(r.required_int("req", 1, 5), None);
        let e = &r.errors;
        assert_eq!(e.get("n"), Some("must be a whole number from 0 to 10"));
        assert_eq!(e.get("c"), Some("must be one of red, blue"));
        assert!(e.get("x").unwrap().starts_with("is not a known field"));
        assert_eq!(e.get("t"), Some("must be at most 2000 characters"));
        assert_eq!(
            e.get("req"),
            Some("is required: a whole number from 1 to 5")
        );
    }

    #[test]
    fn control_characters_are_found_in_ascii_and_beyond_and_text_lengths_count_characters() {
        let by_char = |s: &str| s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
        for s in [
            "plain words",
            "line\nbreak\tand tab",
            "a\u{0}b",
            "bell\u{7}",
            "del\u{7f}",
            "carriage\rreturn",
            "café, crème",
            "next line\u{85}",
            "c1 end\u{9f}",
            "emoji 😀 and \u{a0} no-break space",
            "",
        ] {
            assert_eq!(has_control(s), by_char(s), "{s:?}");
        }
        let map = serde_json::json!({"t": "é".repeat(2000), "u": "é".repeat(2001)});
        let src = JsonFields(map.as_object().unwrap());
        let mut r = Reader::new(&src);
        assert_eq!(r.text("t", MAX_TEXT).map(|t| t.chars().count()), Some(2000));
        assert_eq!(r.text("u", MAX_TEXT), None);
        assert_eq!(r.errors.get("u"), Some("must be at most 2000 characters"));
    }

    #[test]
    fn a_choice_reads_its_wire_value_escaped_or_not_and_nothing_else() {
        assert_eq!(Colour::parse("blue"), Some(Colour::Blue));
        assert_eq!(Colour::parse("Blue"), None);
        let read = |s: &str| serde_json::from_str::<Vec<Colour>>(s).map_err(|e| e.to_string());
        assert_eq!(
            read(r#"["red","bl\u0075e"]"#),
            Ok(vec![Colour::Red, Colour::Blue])
        );
        assert!(
            read(r#"["green"]"#)
                .unwrap_err()
                .starts_with("unknown value green")
        );
        assert!(read("[1]").is_err());
        let text = serde_json::to_string(&[Colour::Blue, Colour::Red]).unwrap();
        assert_eq!(text, r#"["blue","red"]"#);
    }
}
