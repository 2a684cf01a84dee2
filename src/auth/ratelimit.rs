//! Slowing down repeated sign-in and token attempts: per client IP and per account (governor's keyed limiters,
//! in memory per instance).

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

pub struct RateLimits {
    per_ip: DefaultKeyedRateLimiter<String>,
    per_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new()
    }
}

fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every)
        .unwrap_or_else(|| unreachable!("non-zero period"))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    /// Per IP: a burst of 20 attempts, then one every 3 seconds. Per account: 8 attempts, then one a minute.
    pub fn new() -> Self {
        RateLimits {
            per_ip: RateLimiter::keyed(quota(20, Duration::from_secs(3))),
            per_account: RateLimiter::keyed(quota(8, Duration::from_secs(60))),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from this IP (sign-in, password reset, invitation or other token pages).
    pub fn check_ip(&self, ip: &str) -> Result<(), AppError> {
        self.per_ip.check_key(&ip.to_string()).map_err(|not_until| self.too_many(not_until))
    }

    /// Counts one sign-in attempt for this account, whoever makes it and from wherever.
    pub fn check_account(&self, email: &str) -> Result<(), AppError> {
        self.per_account.check_key(&email.trim().to_lowercase()).map_err(|not_until| self.too_many(not_until))
    }

    fn too_many(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> AppError {
        let wait = not_until.wait_time_from(self.clock.now());
        AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) }
    }
}
