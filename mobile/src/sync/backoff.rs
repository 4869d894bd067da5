//! Exponential backoff with full jitter, for retrying while offline: the n-th wait is
//! uniform in `[0, min(max, base · 2ⁿ)]`, so many phones coming back online at once do
//! not hit the server in step.

use std::time::Duration;

/// Retry delays for one stretch of failures; `reset` after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// Waits start at `base` and never exceed `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self { base, max: max.max(base), attempt: 0 }
    }

    /// The field default: from 2 s up to 5 min.
    pub fn field() -> Self {
        Self::new(Duration::from_secs(2), Duration::from_secs(300))
    }

    /// The ceiling of the next wait (before jitter).
    pub fn ceiling(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.attempt.min(30));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The next wait, given a uniform sample `u` in `[0, 1)`.
    pub fn next_with(&mut self, u: f64) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        ceiling.mul_f64(u.clamp(0.0, 1.0))
    }

    /// The next wait, with a random sample.
    pub fn next_delay(&mut self) -> Duration {
        self.next_with(fastrand::f64())
    }

    /// Failures so far in this stretch.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// A success: the next failure starts again from `base`.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_maximum_and_reset() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
        let waits: Vec<u64> = (0..8).map(|_| b.next_with(1.0).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        assert_eq!(b.next_with(1.0), Duration::from_secs(2));
    }

    #[test]
    fn jitter_stays_within_the_ceiling_and_survives_many_failures() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(300));
        for i in 0..10_000 {
            let ceiling = b.ceiling();
            let d = b.next_delay();
            assert!(d <= ceiling, "attempt {i}: {d:?} > {ceiling:?}");
        }
        assert_eq!(b.ceiling(), Duration::from_secs(300));
        assert_eq!(b.next_with(0.0), Duration::ZERO);
    }
}
