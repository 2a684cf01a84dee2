//! Slowing down repeated sign-in and token attempts, per client IP and per account: leaky buckets in memory per
//! instance, on the application's clock. Sign-in counts only failures (a person who keeps signing in
//! successfully is never refused), and a device that signed in to the account before keeps its own bucket
//! (`auth::device`), so somebody else's wrong guesses cannot lock the owner out. Memory is bounded: drained
//! buckets are forgotten whenever the map grows past its cap.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

use crate::clock::Clock;
use crate::error::AppError;

/// Most keys a limiter remembers; past it, drained buckets are dropped (and, under a flood of distinct keys,
/// all of them: forgetting is safe, it only lets a few more attempts through).
const MAX_KEYS: usize = 20_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Attempts counted and not yet drained, as of `at`.
    level: f64,
    at: NaiveDateTime,
}

/// Up to `burst` attempts at once, then one per `every`.
pub struct Limiter {
    burst: f64,
    every: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(burst: u32, every: Duration) -> Limiter {
        Limiter { burst: f64::from(burst), every, buckets: Mutex::new(HashMap::new()) }
    }

    fn drained(&self, bucket: Bucket, now: NaiveDateTime) -> f64 {
        let elapsed = (now - bucket.at).num_milliseconds().max(0) as f64;
        (bucket.level - elapsed / self.every.num_milliseconds().max(1) as f64).max(0.0)
    }

    /// Refuses when the key has no attempt left, without counting one.
    pub fn check(&self, key: &str, now: NaiveDateTime) -> Result<(), AppError> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let level = buckets.get(key).map(|b| self.drained(*b, now)).unwrap_or(0.0);
        if level + 1.0 > self.burst {
            let wait_ms = (level + 1.0 - self.burst) * self.every.num_milliseconds() as f64;
            return Err(AppError::TooManyRequests { retry_after_secs: ((wait_ms / 1000.0).ceil() as u64).max(1) });
        }
        Ok(())
    }

    /// Counts one attempt.
    pub fn record(&self, key: &str, now: NaiveDateTime) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let level = buckets.get(key).map(|b| self.drained(*b, now)).unwrap_or(0.0);
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            buckets.retain(|_, b| self.drained(*b, now) > 0.0);
            if buckets.len() >= MAX_KEYS {
                buckets.clear();
            }
        }
        buckets.insert(key.to_string(), Bucket { level: level + 1.0, at: now });
    }

    /// Checks, then counts the attempt (token pages: every attempt counts).
    pub fn hit(&self, key: &str, now: NaiveDateTime) -> Result<(), AppError> {
        self.check(key, now)?;
        self.record(key, now);
        Ok(())
    }

    pub fn remembered_keys(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

pub struct RateLimits {
    pub per_ip: Limiter,
    pub per_account: Limiter,
    clock: Clock,
}

/// Which bucket of an account an attempt counts against: the account's shared one for unknown devices, or the
/// device's own when it signed in to the account before.
pub fn account_key(email: &str, known_device: Option<&str>) -> String {
    let email = email.trim().to_lowercase();
    match known_device {
        Some(device) => format!("{email}#{device}"),
        None => email,
    }
}

impl RateLimits {
    /// Per IP: a burst of 20 attempts, then one every 3 seconds. Per account: 8, then one a minute.
    pub fn new(clock: Clock) -> Self {
        RateLimits {
            per_ip: Limiter::new(20, Duration::seconds(3)),
            per_account: Limiter::new(8, Duration::seconds(60)),
            clock,
        }
    }

    /// Counts one attempt from this IP (password reset, invitation, auditor and other token pages).
    pub fn check_ip(&self, ip: &str) -> Result<(), AppError> {
        self.per_ip.hit(ip, self.clock.now())
    }

    /// Counts one attempt for this account whatever its outcome (asking for a password reset link).
    pub fn check_account(&self, account_key: &str) -> Result<(), AppError> {
        self.per_account.hit(account_key, self.clock.now())
    }

    /// May this IP try a password for this account now? Counts nothing.
    pub fn password_allowed(&self, ip: &str, account_key: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        self.per_ip.check(ip, now)?;
        self.per_account.check(account_key, now)
    }

    /// A wrong password: counts against the IP and the account's bucket.
    pub fn password_failed(&self, ip: &str, account_key: &str) {
        let now = self.clock.now();
        self.per_ip.record(ip, now);
        self.per_account.record(account_key, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
    }

    #[test]
    fn a_bucket_refuses_past_its_burst_and_drains() {
        let limiter = Limiter::new(3, Duration::seconds(60));
        let t = start();
        for _ in 0..3 {
            limiter.hit("k", t).unwrap();
        }
        assert!(matches!(limiter.check("k", t), Err(AppError::TooManyRequests { retry_after_secs: 60 })));
        assert!(limiter.check("other", t).is_ok());
        assert!(limiter.check("k", t + Duration::seconds(61)).is_ok());
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = Limiter::new(3, Duration::seconds(1));
        let t = start();
        for i in 0..(MAX_KEYS + 500) {
            limiter.record(&format!("someone{i}@example.com"), t + Duration::seconds(i as i64 * 2));
        }
        assert!(limiter.remembered_keys() <= MAX_KEYS);
    }
}
