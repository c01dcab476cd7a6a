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

/// Attempt limits against guessing (share codes, passwords) and abuse (demo accounts).
pub struct Limits {
    redeem_by_account: DefaultKeyedRateLimiter<String>,
    redeem_by_address: DefaultKeyedRateLimiter<String>,
    login_by_email: DefaultKeyedRateLimiter<String>,
    login_by_address: DefaultKeyedRateLimiter<String>,
    demo_by_address: DefaultKeyedRateLimiter<String>,
}

/// `burst` attempts at once, then one more every `every_s` seconds.
fn quota(burst: u32, every_s: u64) -> Quota {
    Quota::with_period(Duration::from_secs(every_s))
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            redeem_by_account: RateLimiter::keyed(quota(5, 180)),
            redeem_by_address: RateLimiter::keyed(quota(20, 45)),
            login_by_email: RateLimiter::keyed(quota(10, 60)),
            login_by_address: RateLimiter::keyed(quota(50, 10)),
            demo_by_address: RateLimiter::keyed(quota(5, 600)),
        }
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), u64> {
    let clock = DefaultClock::default();
    limiter
        .check_key(&key.to_string())
        .map_err(|n| n.wait_time_from(clock.now()).as_secs().max(1))
}

impl Limits {
    /// A share code attempt: `Err(seconds to wait)` once either limit is reached.
    pub fn redeem(&self, account: &str, address: &str) -> Result<(), u64> {
        check(&self.redeem_by_account, account)?;
        check(&self.redeem_by_address, address)
    }
    /// A password attempt for `email` from `address`.
    pub fn login(&self, email: &str, address: &str) -> Result<(), u64> {
        check(&self.login_by_email, &email.trim().to_lowercase())?;
        check(&self.login_by_address, address)
    }
    /// A new demo account from `address`.
    pub fn demo(&self, address: &str) -> Result<(), u64> {
        check(&self.demo_by_address, address)
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
    pub clock: Clock,
    pub limits: Arc<Limits>,
}

impl AppState {
    /// The server clock. The only clock read in request handling; the domain gets `now` passed in.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
