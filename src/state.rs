//! What every request handler can reach: the database, token keys, settings, the clock and
//! rate limits.

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::store::Db;
use chrono::{DateTime, Utc};
use governor::clock::{Clock, DefaultClock, Reference};
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
    demo_by_address: Keyed<C>,
    register_by_address: Keyed<C>,
    /// Failed password attempts per address; an address that used them up is blocked until
    /// its next attempt is allowed (successful sign-ins never count).
    login_failures_by_address: Keyed<C>,
    blocked: std::sync::Mutex<std::collections::HashMap<String, C::Instant>>,
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
            demo_by_address: keyed(quota(5, 600)),
            register_by_address: keyed(quota(20, 60)),
            login_failures_by_address: keyed(quota(50, 10)),
            blocked: Default::default(),
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
    /// A password attempt for `email` from `address`: every attempt counts for the email; an
    /// address is refused only after too many failed attempts.
    pub fn login(&self, email: &str, address: &str) -> Result<(), u64> {
        self.check(&self.login_by_email, &email.trim().to_lowercase())?;
        let until = self
            .blocked
            .lock()
            .ok()
            .and_then(|b| b.get(address).copied());
        match until {
            Some(until) if until > self.clock.now() => {
                let wait: Duration = until.duration_since(self.clock.now()).into();
                Err(wait.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }
    /// A failed password attempt from `address`.
    pub fn login_failed(&self, address: &str) {
        if let Err(n) = self
            .login_failures_by_address
            .check_key(&address.to_string())
            && let Ok(mut b) = self.blocked.lock()
        {
            b.insert(address.to_string(), n.earliest_possible());
        }
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
            &self.login_failures_by_address,
            &self.demo_by_address,
            &self.register_by_address,
        ];
        let now = self.clock.now();
        if let Ok(mut b) = self.blocked.lock() {
            b.retain(|_, until| *until > now);
        }
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
    /// Each served user's recent journal (see [`crate::store::recent`]).
    pub recent: Arc<crate::store::recent::RecentCache>,
}

impl AppState {
    /// What authentication reads: the same database, keys and clock.
    pub fn auth_context(&self) -> crate::auth::AuthContext {
        crate::auth::AuthContext {
            db: self.db.clone(),
            keys: self.keys.clone(),
            clock: self.clock.clone(),
            trusted_proxies: std::sync::Arc::new(self.settings.trusted_proxies.clone()),
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
    fn sign_ins_never_count_against_an_address_only_failures_do() {
        let clock = FakeRelativeClock::default();
        let limits = Limits::with_clock(clock.clone());
        for i in 0..200 {
            assert!(
                limits
                    .login(&format!("u{i}@example.com"), "10.0.0.9")
                    .is_ok(),
                "{i}"
            );
        }
        for _ in 0..51 {
            limits.login_failed("10.0.0.9");
        }
        let wait = limits.login("someone@example.com", "10.0.0.9").unwrap_err();
        assert!(wait >= 1);
        assert!(
            limits.login("someone@example.com", "10.0.0.10").is_ok(),
            "other addresses are fine"
        );
        clock.advance(Duration::from_secs(60));
        assert!(
            limits.login("someone@example.com", "10.0.0.9").is_ok(),
            "a minute later"
        );
    }

    #[test]
    fn idle_keys_are_forgotten_once_their_attempts_are_replenished() {
        let clock = FakeRelativeClock::default();
        let limits = Limits::with_clock(clock.clone());
        for i in 0..100 {
            limits
                .login(&format!("u{i}@example.com"), &format!("10.0.0.{i}"))
                .unwrap();
        }
        assert_eq!(limits.forget_idle(), 100, "recent attempts are remembered");
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
