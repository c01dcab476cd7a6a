//! What the store can fail with: facts about the data, with no HTTP status and no sentences for
//! people (the edges choose those).

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row (or it belongs to someone else).
    #[error("not found")]
    NotFound,
    /// An account with this email exists.
    #[error("the email is taken")]
    EmailTaken,
    /// An entry with this id exists with other content (or was deleted).
    #[error("the entry id is taken")]
    EntryIdTaken,
    /// Another request created the same entry id at the same moment.
    #[error("the entry id was taken concurrently")]
    EntryIdRace,
    /// A final note cannot change.
    #[error("the note is final")]
    NoteFinal,
    /// A draft takes edits, not addenda.
    #[error("the note is a draft")]
    NoteDraft,
    /// An entry's kind cannot change.
    #[error("the entry kind cannot change")]
    KindChange,
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(diesel::result::Error),
    /// No connection could be had.
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A stored row does not read back (a bug or a hand edit).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// The blocking task running the work failed.
    #[error("background task: {0}")]
    Task(String),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => StoreError::NotFound,
            other => StoreError::Database(other),
        }
    }
}
