//! The server clock: the one place request handling reads the time (the domain gets `now`
//! passed in).

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The server clock, which tests can move forward (to reach an expiry) without waiting.
#[derive(Clone, Default)]
pub struct ServerClock(Arc<AtomicI64>);

impl ServerClock {
    /// Now, plus any offset a test added.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
    /// Moves this clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
