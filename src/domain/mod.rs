//! The pure core: entries and their parsed value types, field validation.
//! May import only std, chrono, chrono-tz, serde and uuid: no actix, diesel, askama, clock reads or I/O.

pub mod caution;
pub mod demo;
pub mod effect;
pub mod entry;
pub mod fields;
pub mod ids;
pub mod profile;
pub mod report;
pub mod rules;
pub mod share;
pub mod sync;
pub mod technique;
pub mod time;
pub mod trends;
