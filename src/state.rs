//! What every request handler can reach: the database, token keys and settings.

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::store::Db;
use chrono::{DateTime, Utc};

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
}

impl AppState {
    /// The server clock. The only clock read in request handling; the domain gets `now` passed in.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
