//! Per-key rate limiting (a token bucket per device, and per username for enrolment), so
//! a runaway or stolen device cannot flood the server and passwords cannot be guessed fast.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// A bucket of `burst` requests, refilled at `per_second`.
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Most keys remembered before idle ones are forgotten.
const MAX_KEYS: usize = 100_000;

impl RateLimiter {
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self { burst: f64::from(burst), per_second, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: &str) -> bool {
        self.take(key).is_ok()
    }

    /// Whether `key`'s bucket has a request left, without taking it (for limits that count
    /// only failures): `Err` with the seconds until it has one.
    pub fn peek(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some((tokens, at)) = buckets.get(key) else { return Ok(()) };
        let tokens = (tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        if tokens >= 1.0 {
            Ok(())
        } else if self.per_second > 0.0 {
            Err(((1.0 - tokens) / self.per_second).ceil().max(1.0) as u64)
        } else {
            Err(u64::MAX / 2)
        }
    }

    /// Takes one request from `key`'s bucket, or says in how many whole seconds the next
    /// one will be there (for `Retry-After`).
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        // A poisoned lock means a thread panicked while holding it; the buckets are plain
        // numbers, still meaningful, so the limiter keeps working with them.
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_KEYS {
            let burst = self.burst;
            let rate = self.per_second;
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else if self.per_second > 0.0 {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        } else {
            Err(u64::MAX / 2)
        }
    }
}

/// The limits on failed logins (enrolment and console).
pub struct LoginLimits {
    /// Failures from one client address, whatever the usernames.
    pub per_client: RateLimiter,
    /// Failures for one username from one client address.
    pub per_client_user: RateLimiter,
    /// Failures for one username from everywhere: looser than the per-client limit, so
    /// that one place alone cannot lock the user out.
    pub per_user: RateLimiter,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            // 30 failures, then one every 10 s, from one address.
            per_client: RateLimiter::new(30, 0.1),
            // 10 failures, then one every 6 s, for one username from one address.
            per_client_user: RateLimiter::new(10, 1.0 / 6.0),
            // 60 failures, then one every 6 s, for one username: more than one address
            // alone can spend.
            per_user: RateLimiter::new(60, 1.0 / 6.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_other_keys_are_unaffected() {
        let limiter = RateLimiter::new(3, 0.0);
        assert!((0..3).all(|_| limiter.allow("a")));
        assert!(!limiter.allow("a"));
        assert!(limiter.allow("b"));
        let slow = RateLimiter::new(1, 0.1);
        assert_eq!(slow.take("k"), Ok(()));
        assert_eq!(slow.take("k"), Err(10));
    }
}
