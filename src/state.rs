//! What every request handler can reach: the database, token keys, settings, the clock and
//! rate limits.

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::store::Db;
use chrono::{DateTime, Utc};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The server clock, which tests can move forward (to reach an expiry) without waiting.
#[derive(Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    /// Now, plus any offset a test added.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
    /// Moves this clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

/// Limits on guessing share codes: per account and per peer address.
pub struct RedeemLimits {
    by_account: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<String>,
}

impl Default for RedeemLimits {
    fn default() -> Self {
        let quota = |burst: u32, every: u64| {
            Quota::with_period(Duration::from_secs(every))
                .expect("a non-zero period")
                .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
        };
        Self {
            // 5 tries, then one more every 3 minutes, per account; 20 then one per 45 s per address.
            by_account: RateLimiter::keyed(quota(5, 180)),
            by_address: RateLimiter::keyed(quota(20, 45)),
        }
    }
}

impl RedeemLimits {
    /// `Err(seconds to wait)` once either limit is reached; each call counts as an attempt.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let clock = DefaultClock::default();
        let wait = |r: Result<(), governor::NotUntil<_>>| {
            r.map_err(|n| n.wait_time_from(clock.now()).as_secs().max(1))
        };
        wait(self.by_account.check_key(&account.to_string()))?;
        wait(self.by_address.check_key(&address.to_string()))
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
    pub clock: Clock,
    pub redeem_limits: Arc<RedeemLimits>,
}

impl AppState {
    /// The server clock. The only clock read in request handling; the domain gets `now` passed in.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
