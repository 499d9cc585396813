//! Slowing down password guessing, per client address.
//!
//! Failed sign-ins are counted per client address and user name, and per client address
//! across all names. After `PAIR_FREE` failures for one name from one address, or
//! `ADDRESS_FREE` from one address in all, each further attempt from there waits twice as
//! long as the one before (30 s up to 15 minutes), even with the right password. Someone
//! guessing at an account from elsewhere therefore never locks its owner out, and
//! spraying one password over many names is slowed like guessing at one. Counts are
//! forgotten after an hour without attempts.
//!
//! Behind a reverse proxy every client has the proxy's address unless the server is told
//! which header carries the real one (`--trust-proxy-header`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{AppError, AppResult};

#[derive(Default)]
pub struct LoginThrottle {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    by_pair: HashMap<(IpAddr, String), Record>,
    by_address: HashMap<IpAddr, Record>,
}

#[derive(Clone, Copy)]
struct Record {
    attempts: u32,
    last: Instant,
}

impl LoginThrottle {
    pub const PAIR_FREE: u32 = 5;
    pub const ADDRESS_FREE: u32 = 20;
    const FIRST_WAIT: Duration = Duration::from_secs(30);
    const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
    const FORGET_AFTER: Duration = Duration::from_secs(3600);
    const MAX_TRACKED: usize = 100_000;

    /// Counts an attempt to sign in as `name` from `address`, or refuses it (429) while
    /// the wait after earlier failures lasts. The attempt counts before the (slow)
    /// password check, so parallel guesses cannot slip through while earlier ones are
    /// being verified; `succeeded` and `cancelled` settle it afterwards.
    pub fn attempt(&self, address: IpAddr, name: &str) -> AppResult<()> {
        self.attempt_at(address, name, Instant::now())
    }

    fn attempt_at(&self, address: IpAddr, name: &str, now: Instant) -> AppResult<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pair = (address, name.to_owned());
        let waits = [
            state
                .by_pair
                .get(&pair)
                .map(|r| r.remaining(Self::PAIR_FREE, now)),
            state
                .by_address
                .get(&address)
                .map(|r| r.remaining(Self::ADDRESS_FREE, now)),
        ];
        if let Some(wait) = waits.into_iter().flatten().max().filter(|w| !w.is_zero()) {
            return Err(AppError::RateLimited(wait.as_secs().max(1)));
        }
        if state.by_pair.len() + state.by_address.len() >= Self::MAX_TRACKED {
            // Bound memory against floods of invented names: forget only the counts
            // whose last attempt is long past, never an active wait.
            state.by_pair.retain(|_, r| !r.forgotten(now));
            state.by_address.retain(|_, r| !r.forgotten(now));
        }
        state
            .by_pair
            .entry(pair)
            .or_insert(Record::new(now))
            .count(now);
        state
            .by_address
            .entry(address)
            .or_insert(Record::new(now))
            .count(now);
        Ok(())
    }

    /// The right password: the count for this name from this address starts over, and the
    /// attempt does not count against the address.
    pub fn succeeded(&self, address: IpAddr, name: &str) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.by_pair.remove(&(address, name.to_owned()));
        if let Some(record) = state.by_address.get_mut(&address) {
            record.attempts = record.attempts.saturating_sub(1);
        }
    }

    /// The attempt was never checked (the server was busy): it does not count.
    pub fn cancelled(&self, address: IpAddr, name: &str) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(record) = state.by_pair.get_mut(&(address, name.to_owned())) {
            record.attempts = record.attempts.saturating_sub(1);
        }
        if let Some(record) = state.by_address.get_mut(&address) {
            record.attempts = record.attempts.saturating_sub(1);
        }
    }

    fn wait_after(attempts: u32, free: u32) -> Duration {
        if attempts < free {
            return Duration::ZERO;
        }
        let exponent = (attempts - free).min(10);
        (Self::FIRST_WAIT * (1u32 << exponent)).min(Self::MAX_WAIT)
    }
}

impl Record {
    fn new(now: Instant) -> Self {
        Record {
            attempts: 0,
            last: now,
        }
    }

    fn forgotten(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) >= LoginThrottle::FORGET_AFTER
    }

    fn remaining(&self, free: u32, now: Instant) -> Duration {
        if self.forgotten(now) {
            return Duration::ZERO;
        }
        LoginThrottle::wait_after(self.attempts, free)
            .saturating_sub(now.saturating_duration_since(self.last))
    }

    fn count(&mut self, now: Instant) {
        if self.forgotten(now) {
            self.attempts = 0;
        }
        self.attempts += 1;
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    #[test]
    fn a_few_attempts_per_name_then_waits_but_only_from_that_address() {
        let throttle = LoginThrottle::default();
        for _ in 0..LoginThrottle::PAIR_FREE {
            assert!(throttle.attempt(ip(1), "alice").is_ok());
        }
        assert!(
            matches!(throttle.attempt(ip(1), "alice"), Err(AppError::RateLimited(s)) if s >= 29)
        );
        assert!(
            throttle.attempt(ip(1), "bob").is_ok(),
            "other names are not affected"
        );
        assert!(
            throttle.attempt(ip(2), "alice").is_ok(),
            "the owner elsewhere is not locked out"
        );
        throttle.succeeded(ip(1), "alice");
        assert!(throttle.attempt(ip(1), "alice").is_ok());
    }

    #[test]
    fn spraying_many_names_from_one_address_is_slowed_too() {
        let throttle = LoginThrottle::default();
        for n in 0..LoginThrottle::ADDRESS_FREE {
            assert!(throttle.attempt(ip(3), &format!("user{n}")).is_ok());
        }
        assert!(matches!(
            throttle.attempt(ip(3), "someone-new"),
            Err(AppError::RateLimited(_))
        ));
        assert!(throttle.attempt(ip(4), "someone-new").is_ok());
    }

    #[test]
    fn waits_end_double_and_are_forgotten() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..LoginThrottle::PAIR_FREE {
            throttle.attempt_at(ip(5), "carol", start).unwrap();
        }
        let after = |secs| start + Duration::from_secs(secs);
        assert!(throttle.attempt_at(ip(5), "carol", after(29)).is_err());
        assert!(throttle.attempt_at(ip(5), "carol", after(31)).is_ok());
        // Now six attempts: the next wait is 60 s from the last one.
        assert!(throttle.attempt_at(ip(5), "carol", after(31 + 59)).is_err());
        assert!(throttle.attempt_at(ip(5), "carol", after(31 + 61)).is_ok());
        let hour_later = after(31 + 61 + 3600);
        for _ in 0..LoginThrottle::PAIR_FREE {
            assert!(throttle.attempt_at(ip(5), "carol", hour_later).is_ok());
        }
    }

    #[test]
    fn cancelled_attempts_do_not_count() {
        let throttle = LoginThrottle::default();
        for _ in 0..LoginThrottle::PAIR_FREE * 3 {
            throttle.attempt(ip(6), "dan").unwrap();
            throttle.cancelled(ip(6), "dan");
        }
        assert!(throttle.attempt(ip(6), "dan").is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_exceed_the_free_ones() {
        let throttle = std::sync::Arc::new(LoginThrottle::default());
        let allowed: usize = (0..60)
            .map(|_| {
                let throttle = throttle.clone();
                std::thread::spawn(move || throttle.attempt(ip(7), "erin").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum();
        assert_eq!(allowed, LoginThrottle::PAIR_FREE as usize);
    }

    #[test]
    fn wait_doubles_and_is_capped() {
        assert_eq!(LoginThrottle::wait_after(4, 5), Duration::ZERO);
        assert_eq!(LoginThrottle::wait_after(5, 5), Duration::from_secs(30));
        assert_eq!(LoginThrottle::wait_after(6, 5), Duration::from_secs(60));
        assert_eq!(LoginThrottle::wait_after(40, 5), LoginThrottle::MAX_WAIT);
    }
}
