//! A stretch of the journal as a list shows it.

use super::{Entry, EntryData};

impl EntryData {
    /// The water it logs in ml (0 unless it is a drink).
    pub fn water_ml(&self) -> u32 {
        match self {
            EntryData::Hydration(h) => h.volume_ml,
            _ => 0,
        }
    }
}

/// What a list of a stretch of time shows: its newest entries (at most a screenful), how many
/// there are in all, and the water they add up to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logged {
    /// Newest first.
    pub newest: Vec<Entry>,
    pub count: usize,
    pub water_ml: u32,
}

impl Logged {
    /// From every entry of the stretch, newest first, keeping `limit` of them.
    pub fn of<'a>(newest_first: impl IntoIterator<Item = &'a Entry>, limit: usize) -> Self {
        let mut out = Logged::default();
        for e in newest_first {
            if out.newest.len() < limit {
                out.newest.push(e.clone());
            }
            out.count += 1;
            out.water_ml += e.data.water_ml();
        }
        out
    }
}
