//! What every request handler can reach: the database, token keys, settings, the clock and
//! rate limits.

use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::domain::ids::UserId;
use crate::domain::rules::Evaluation;
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
    /// Each served user's last evaluation at the server clock.
    pub evaluations: Arc<Evaluations>,
}

/// What an evaluation at the server clock depends on besides the entries: the journal's change
/// sequence, the profile, and the minute.
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluationKey {
    pub seq: i64,
    pub minute: i64,
    pub timezone: Option<String>,
    pub cautions: Vec<crate::domain::caution::Caution>,
    pub thresholds: crate::domain::rules::thresholds::ThresholdOverrides,
}

/// One value per served user, kept while the key it was made under still holds, for the
/// [`crate::store::recent::CACHED_USERS`] users served most recently. Kept in this process's
/// memory only; keys hold the journal's change sequence, which comes from the database, so
/// another instance's writes are seen.
pub struct Kept<K, V> {
    users: std::sync::Mutex<std::collections::HashMap<UserId, Memo<K, V>>>,
    tick: std::sync::atomic::AtomicU64,
}

struct Memo<K, V> {
    key: K,
    value: Arc<V>,
    used: u64,
}

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept {
            users: Default::default(),
            tick: Default::default(),
        }
    }
}

impl<K: PartialEq, V> Kept<K, V> {
    fn users(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<UserId, Memo<K, V>>> {
        self.users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn tick(&self) -> u64 {
        self.tick.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The value kept for `user` if it was made under `key`.
    pub fn get(&self, user: UserId, key: &K) -> Option<Arc<V>> {
        let tick = self.tick();
        let mut users = self.users();
        let memo = users.get_mut(&user).filter(|m| m.key == *key)?;
        memo.used = tick;
        Some(memo.value.clone())
    }

    /// The value kept for `user` under `key`, or else the one `make` makes, which is then kept.
    /// Nothing is held locked while it is made.
    pub async fn get_or_make<E>(
        &self,
        user: UserId,
        key: K,
        make: impl std::future::Future<Output = Result<Arc<V>, E>>,
    ) -> Result<Arc<V>, E> {
        if let Some(kept) = self.get(user, &key) {
            return Ok(kept);
        }
        let made = make.await?;
        self.put(user, key, made.clone());
        Ok(made)
    }

    /// Keeps `value` for `user`, dropping the least recently used user's past the bound.
    pub fn put(&self, user: UserId, key: K, value: Arc<V>) {
        let used = self.tick();
        let mut users = self.users();
        if !users.contains_key(&user) && users.len() >= crate::store::recent::CACHED_USERS {
            let oldest = users.iter().min_by_key(|(_, m)| m.used).map(|(u, _)| *u);
            if let Some(u) = oldest {
                users.remove(&u);
            }
        }
        users.insert(user, Memo { key, value, used });
    }
}

/// The last evaluation of each served user's journal (see
/// [`crate::app::insight::evaluate_current`]).
pub type Evaluations = Kept<EvaluationKey, Evaluated>;

/// An evaluation and the instant it was made at.
#[derive(Debug)]
pub struct Evaluated {
    pub evaluation: Evaluation,
    pub at: DateTime<chrono::FixedOffset>,
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

#[cfg(test)]
mod memo_tests {
    use super::*;
    use crate::domain::caution::Caution;

    fn key(seq: i64, minute: i64) -> EvaluationKey {
        EvaluationKey {
            seq,
            minute,
            timezone: None,
            cautions: vec![],
            thresholds: Default::default(),
        }
    }

    fn evaluated() -> Arc<Evaluated> {
        Arc::new(Evaluated {
            evaluation: Evaluation {
                suggestions: vec![],
                suppressed: vec![],
            },
            at: Utc::now().fixed_offset(),
        })
    }

    #[test]
    fn an_evaluation_is_kept_for_its_own_journal_profile_and_minute_only() {
        let memo = Evaluations::default();
        let (user, kept) = (UserId::new_v7(), evaluated());
        memo.put(user, key(7, 100), kept.clone());
        let got = memo.get(user, &key(7, 100)).expect("kept");
        assert!(Arc::ptr_eq(&got, &kept));
        assert!(
            memo.get(user, &key(8, 100)).is_none(),
            "the journal changed"
        );
        assert!(memo.get(user, &key(7, 101)).is_none(), "a minute passed");
        let mut careful = key(7, 100);
        careful.cautions = vec![Caution::Dvt];
        assert!(memo.get(user, &careful).is_none(), "the profile changed");
        let mut zoned = key(7, 100);
        zoned.timezone = Some("Europe/Berlin".into());
        assert!(memo.get(user, &zoned).is_none(), "the time zone changed");
        assert!(memo.get(UserId::new_v7(), &key(7, 100)).is_none());
    }

    #[actix_rt::test]
    async fn a_value_is_made_once_per_key_and_a_failure_is_not_kept() {
        let memo = Evaluations::default();
        let user = UserId::new_v7();
        let made = std::cell::Cell::new(0);
        let make = || async {
            made.set(made.get() + 1);
            Ok::<_, ()>(evaluated())
        };
        let first = memo.get_or_make(user, key(1, 1), make()).await.unwrap();
        let again = memo.get_or_make(user, key(1, 1), make()).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(made.get(), 1);
        memo.get_or_make(user, key(2, 1), make()).await.unwrap();
        assert_eq!(made.get(), 2, "a new key is made anew");
        assert!(
            memo.get_or_make(user, key(3, 1), async { Err(()) })
                .await
                .is_err()
        );
        assert!(
            memo.get(user, &key(3, 1)).is_none(),
            "a failure is not kept"
        );
        assert!(memo.get(user, &key(2, 1)).is_some());
    }

    #[test]
    fn only_the_most_recently_served_users_are_kept() {
        let memo = Evaluations::default();
        let users: Vec<UserId> = (0..crate::store::recent::CACHED_USERS + 1)
            .map(|_| UserId::new_v7())
            .collect();
        for u in &users[..crate::store::recent::CACHED_USERS] {
            memo.put(*u, key(1, 1), evaluated());
        }
        // The first is served again, so the second is the one dropped for a newcomer.
        assert!(memo.get(users[0], &key(1, 1)).is_some());
        memo.put(*users.last().unwrap(), key(1, 1), evaluated());
        assert!(memo.get(users[0], &key(1, 1)).is_some());
        assert!(memo.get(users[1], &key(1, 1)).is_none());
        assert!(memo.get(*users.last().unwrap(), &key(1, 1)).is_some());
        assert_eq!(memo.users().len(), crate::store::recent::CACHED_USERS);
    }
}
