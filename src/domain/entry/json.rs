//! Entry data as JSON: the object the API speaks and the text the store keeps.

use super::{EntryData, EntryKind};
use serde::Serialize;

impl EntryData {
    /// The data as a JSON object (the wire and storage form).
    pub fn to_json(&self) -> serde_json::Value {
        self.serialize_data(serde_json::value::Serializer)
            .unwrap_or(serde_json::Value::Null)
    }

    /// Writes the data as its JSON object straight to a serializer (what `to_json` gives).
    pub fn serialize_data<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EntryData::Episode(d) => d.serialize(s),
            EntryData::Hydration(d) => d.serialize(s),
            EntryData::HeatIce(d) => d.serialize(s),
            EntryData::Stretch(d) => d.serialize(s),
            EntryData::Massage(d) => d.serialize(s),
            EntryData::Condition(d) => d.serialize(s),
            EntryData::Event(d) => d.serialize(s),
        }
    }

    /// The data as JSON text (the storage form), written straight from the data rather than
    /// through a `serde_json::Value` (whose keys would come out sorted).
    pub fn to_json_text(&self) -> String {
        let mut out = Vec::with_capacity(256);
        match self.serialize_data(&mut serde_json::Serializer::new(&mut out)) {
            Ok(()) => String::from_utf8(out).unwrap_or_default(),
            Err(_) => self.to_json().to_string(),
        }
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
}
