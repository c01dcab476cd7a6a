//! Newtype ids. Stored as text UUIDs so offline clients can mint their own.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
            /// Parses the canonical hyphenated text form (any UUID version).
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::try_parse(s.trim()).ok().map(Self)
            }
            /// The underlying UUID.
            pub fn uuid(&self) -> Uuid {
                self.0
            }
            /// The canonical text, as `to_string` writes it, without the formatting machinery
            /// (a push writes one per entry).
            pub fn text(&self) -> String {
                self.0
                    .hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer())
                    .to_owned()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

id_type!(
    /// A user account (client or therapist).
    UserId
);
id_type!(
    /// A journal entry, minted by whichever device created it.
    EntryId
);
id_type!(
    /// A server-side login session (one per cookie login or API token).
    SessionId
);

#[cfg(test)]
mod tests {
    use super::EntryId;

    #[test]
    fn ids_sort_as_their_text_does() {
        // The journal kept in memory orders entries of one instant by id, as the database
        // orders their text; both must agree, whatever the ids' versions.
        let mut ids: Vec<EntryId> = (0..200)
            .map(|i| {
                let u = if i % 2 == 0 {
                    uuid::Uuid::now_v7()
                } else {
                    uuid::Uuid::new_v4()
                };
                EntryId::from(u)
            })
            .collect();
        ids.sort();
        let text: Vec<String> = ids.iter().map(|i| i.text()).collect();
        let shown: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        assert_eq!(text, shown);
        let mut sorted = text.clone();
        sorted.sort();
        assert_eq!(text, sorted);
    }
}
