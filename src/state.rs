//! What every request handler can reach: the database, token keys, settings, the clock and
//! rate limits.

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::store::Db;
use chrono::{DateTime, Utc};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Attempt limits against guessing (share codes, passwords) and abuse (demo accounts), per key
/// (an account, an email or an address). Kept in this process's memory only.
pub struct Limits<C: Clock + Clone = DefaultClock> {
    clock: C,
    redeem_by_account: Keyed<C>,
    redeem_by_address: Keyed<C>,
    login_by_email: Keyed<C>,
    login_by_address: Keyed<C>,
    demo_by_address: Keyed<C>,
    register_by_address: Keyed<C>,
}

type Keyed<C> =
    RateLimiter<String, DefaultKeyedStateStore<String>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// `burst` attempts at once, then one more every `every_s` seconds.
fn quota(burst: u32, every_s: u64) -> Quota {
    Quota::with_period(Duration::from_secs(every_s))
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for Limits {
    fn default() -> Self {
        Self::with_clock(DefaultClock::default())
    }
}

impl<C: Clock + Clone> Limits<C> {
    /// Limits that read time from `clock`.
    pub fn with_clock(clock: C) -> Self {
        let keyed = |q| RateLimiter::hashmap_with_clock(q, clock.clone());
        Self {
            redeem_by_account: keyed(quota(5, 180)),
            redeem_by_address: keyed(quota(20, 45)),
            login_by_email: keyed(quota(10, 60)),
            login_by_address: keyed(quota(50, 10)),
            demo_by_address: keyed(quota(5, 600)),
            register_by_address: keyed(quota(20, 60)),
            clock,
        }
    }

    fn check(&self, limiter: &Keyed<C>, key: &str) -> Result<(), u64> {
        limiter
            .check_key(&key.to_string())
            .map_err(|n| n.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// A share code attempt: `Err(seconds to wait)` once either limit is reached.
    pub fn redeem(&self, account: &str, address: &str) -> Result<(), u64> {
        self.check(&self.redeem_by_account, account)?;
        self.check(&self.redeem_by_address, address)
    }
    /// A password attempt for `email` from `address`.
    pub fn login(&self, email: &str, address: &str) -> Result<(), u64> {
        self.check(&self.login_by_email, &email.trim().to_lowercase())?;
        self.check(&self.login_by_address, address)
    }
    /// A new account from `address`: 20 at once, then one a minute (stops enumerating emails).
    pub fn register(&self, address: &str) -> Result<(), u64> {
        self.check(&self.register_by_address, address)
    }
    /// A new demo account from `address`.
    pub fn demo(&self, address: &str) -> Result<(), u64> {
        self.check(&self.demo_by_address, address)
    }

    /// Forgets every key whose attempts are fully replenished, so memory does not grow with every
    /// address ever seen; returns how many keys are still remembered.
    pub fn forget_idle(&self) -> usize {
        let all = [
            &self.redeem_by_account,
            &self.redeem_by_address,
            &self.login_by_email,
            &self.login_by_address,
            &self.demo_by_address,
            &self.register_by_address,
        ];
        all.iter()
            .map(|l| {
                l.retain_recent();
                l.shrink_to_fit();
                l.len()
            })
            .sum()
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
    pub clock: crate::clock::ServerClock,
    pub limits: Arc<Limits>,
}

impl AppState {
    /// What authentication reads: the same database, keys and clock.
    pub fn auth_context(&self) -> crate::auth::AuthContext {
        crate::auth::AuthContext {
            db: self.db.clone(),
            keys: self.keys.clone(),
            clock: self.clock.clone(),
        }
    }

    /// The server clock. The only clock read in request handling; the domain gets `now` passed in.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn idle_keys_are_forgotten_once_their_attempts_are_replenished() {
        let clock = FakeRelativeClock::default();
        let limits = Limits::with_clock(clock.clone());
        for i in 0..100 {
            limits
                .login(&format!("u{i}@example.com"), &format!("10.0.0.{i}"))
                .unwrap();
        }
        assert_eq!(limits.forget_idle(), 200, "recent attempts are remembered");
        clock.advance(Duration::from_secs(60 * 60));
        assert_eq!(limits.forget_idle(), 0, "an hour later nothing is kept");
        for _ in 0..10 {
            limits.login("ana@example.com", "10.0.0.1").unwrap();
        }
        assert!(
            limits.login("ana@example.com", "10.0.0.1").is_err(),
            "limits still hold"
        );
    }
}
