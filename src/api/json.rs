//! A JSON value that borrows its text from the request body.
//!
//! A sync push carries up to 500 entries. Read into a `serde_json::Value`, every name and every
//! string of every entry is a heap allocation of its own and every object a tree, all freed again
//! once the push is stored: about a quarter of a push's server CPU went to building, reading and
//! freeing that tree. Here names and strings without escapes are slices of the body, and an
//! object is one list. The field readers of the domain read either (`domain::fields::JsonValue`).

use crate::domain::fields::{JsonObject, JsonValue};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Any JSON value, its text borrowed from the input where it has no escapes.
#[derive(Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its members in the order written.
#[derive(Debug, PartialEq)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Json<'a> {
    /// The object, if this is one.
    pub fn into_object(self) -> Option<Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(o) => Value::Object(o.to_map()),
        }
    }
}

impl Object<'_> {
    /// The same object as a `serde_json::Map` (a repeated name keeps its last value, as there).
    pub fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> JsonValue for Json<'a> {
    type Object = Object<'a>;
    fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_number(&self) -> Option<Option<i64>> {
        match self {
            Json::Number(n) => Some(n.as_i64()),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<&[Self]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
    fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }
}

impl<'a> JsonObject for Object<'a> {
    type Value = Json<'a>;
    fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    /// Sorted, as `serde_json::Map` lists them: sorting is also what keeps this
    /// `n log n` for a body of many thousand names.
    fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.0.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
    /// Without sorting or a list of every name: each entry of a push is checked this way.
    fn names_outside(&self, allowed: &[&str]) -> Vec<&str> {
        crate::domain::fields::outside(self.0.iter().map(|(k, _)| k.as_ref()), allowed)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // serde_json gives no size; most objects of a push (a mutation, an entry, its data)
        // have four to eight members, so one allocation holds them.
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(4096));
        while let Some(Name(name)) = map.next_key()? {
            members.push((name, map.next_value()?));
        }
        Ok(Json::Object(Object(members)))
    }
}

/// A member's name, borrowed where it has no escapes.
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s)))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLES: &[&str] = &[
        r#"{"a": 1, "b": [true, null, -2, 3.5, 18446744073709551615], "c": {"d": "e\"\u00e9\n"}}"#,
        r#"{"name": "x", "name": "y", "n": -0, "big": 1e400}"#,
        r#"[1, "two", {"three": [3]}, {}]"#,
        r#""just text""#,
        r#"{"k\u0065y": "v", "emoji": "\ud83d\ude00"}"#,
    ];

    #[test]
    fn it_reads_what_serde_json_reads_the_same_way() {
        for text in SAMPLES {
            let ours = serde_json::from_str::<Json>(text).map(|j| j.to_value());
            let theirs = serde_json::from_str::<serde_json::Value>(text);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} against {b:?}"),
            }
        }
    }

    #[test]
    fn text_without_escapes_is_borrowed_and_a_repeated_name_keeps_its_last_value() {
        let text = r#"{"plain": "calf", "escaped": "a\nb", "plain": "neck"}"#;
        let o = serde_json::from_str::<Json>(text)
            .expect("valid JSON")
            .into_object()
            .expect("an object");
        assert!(matches!(
            o.get("plain"),
            Some(Json::Str(Cow::Borrowed("neck")))
        ));
        assert!(matches!(o.get("escaped"), Some(Json::Str(Cow::Owned(s))) if s == "a\nb"));
        assert_eq!(o.keys(), ["escaped", "plain"]);
        assert_eq!(
            Json::Object(o).to_value(),
            json!({"plain": "neck", "escaped": "a\nb"})
        );
    }

    #[test]
    fn names_are_listed_once_each_in_the_order_serde_json_lists_them() {
        let text = r#"{"zeta": 1, "alpha": 2, "zeta": 3, "mid": 4, "Alpha": 5, "\u0061": 6}"#;
        let ours = serde_json::from_str::<Json>(text)
            .expect("valid JSON")
            .into_object()
            .expect("an object");
        let theirs = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .expect("valid JSON");
        assert_eq!(ours.keys(), JsonObject::keys(&theirs));
    }

    #[test]
    fn numbers_read_as_whole_numbers_only_when_they_are_and_fit() {
        let v = serde_json::from_str::<Json>(r#"[7, -7, 7.0, 9223372036854775808, "7"]"#)
            .expect("valid JSON");
        let got: Vec<Option<Option<i64>>> = v
            .as_array()
            .expect("an array")
            .iter()
            .map(JsonValue::as_number)
            .collect();
        assert_eq!(
            got,
            [Some(Some(7)), Some(Some(-7)), Some(None), Some(None), None]
        );
    }
}
