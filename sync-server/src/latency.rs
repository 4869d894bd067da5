//! How long the server takes to answer, per route: a histogram per minute for the last
//! hour, kept in memory by each server process (a process restarted starts empty), read as
//! p50/p95/p99 by administrators in the console.
//!
//! Durations fall into buckets growing by 20 % from 0.05 ms (the 80th ends past 100 s):
//! a percentile is the upper bound of its bucket, within 20 % of the true value. A route's
//! hour is 60 such histograms of 80 counters, about 20 KB.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The lower bound of the first bucket, in milliseconds.
const BASE_MS: f64 = 0.05;
/// How much each bucket's bound grows over the one before.
const RATIO: f64 = 1.2;
/// Buckets per histogram.
const BUCKETS: usize = 80;
/// Minutes kept.
const MINUTES: usize = 60;
/// The most routes tracked (route templates are a fixed set; this only bounds damage).
const MAX_ROUTES: usize = 500;

/// The upper bound of bucket `i`, in milliseconds.
fn upper_ms(i: usize) -> f64 {
    BASE_MS * RATIO.powi(i as i32 + 1)
}

/// The bucket a duration falls into.
fn bucket_of(ms: f64) -> usize {
    if ms.is_nan() || ms <= BASE_MS {
        return 0;
    }
    (((ms / BASE_MS).ln() / RATIO.ln()).floor() as usize).min(BUCKETS - 1)
}

#[derive(Debug, Clone)]
struct Minute {
    /// Minutes since the Unix epoch this histogram counts.
    at: u64,
    counts: [u32; BUCKETS],
}

#[derive(Debug, Clone)]
struct Window {
    minutes: Vec<Minute>,
}

impl Window {
    fn new() -> Self {
        Self { minutes: vec![Minute { at: u64::MAX, counts: [0; BUCKETS] }; MINUTES] }
    }

    fn record(&mut self, minute: u64, ms: f64) {
        let slot = &mut self.minutes[(minute % MINUTES as u64) as usize];
        if slot.at != minute {
            *slot = Minute { at: minute, counts: [0; BUCKETS] };
        }
        let b = bucket_of(ms);
        slot.counts[b] = slot.counts[b].saturating_add(1);
    }

    /// The counts of the hour ending at `minute`.
    fn hour(&self, minute: u64) -> [u64; BUCKETS] {
        let mut out = [0u64; BUCKETS];
        for m in self.minutes.iter().filter(|m| m.at != u64::MAX && m.at <= minute && minute - m.at < MINUTES as u64) {
            for (o, c) in out.iter_mut().zip(m.counts.iter()) {
                *o += u64::from(*c);
            }
        }
        out
    }
}

/// A route's last hour.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteLatency {
    /// `GET /api/v1/sync/pull`.
    pub route: String,
    pub requests: u64,
    /// Milliseconds (upper bounds of their buckets).
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// The `q` quantile (0–1) of `counts`, as its bucket's upper bound.
fn quantile(counts: &[u64; BUCKETS], total: u64, q: f64) -> f64 {
    let rank = ((total as f64) * q).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (i, c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return upper_ms(i);
        }
    }
    upper_ms(BUCKETS - 1)
}

/// Every route's latency histograms.
#[derive(Debug, Default)]
pub struct Latencies {
    routes: Mutex<HashMap<String, Window>>,
}

impl Latencies {
    /// Counts one request of `route` that took `took`, at `unix_seconds`.
    pub fn record(&self, route: &str, took: Duration, unix_seconds: u64) {
        let ms = took.as_secs_f64() * 1000.0;
        let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !routes.contains_key(route) && routes.len() >= MAX_ROUTES {
            return;
        }
        routes.entry(route.to_string()).or_insert_with(Window::new).record(unix_seconds / 60, ms);
    }

    /// The last hour before `unix_seconds`, per route with requests, slowest p99 first.
    pub fn last_hour(&self, unix_seconds: u64) -> Vec<RouteLatency> {
        let minute = unix_seconds / 60;
        let routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out: Vec<RouteLatency> = routes
            .iter()
            .filter_map(|(route, w)| {
                let counts = w.hour(minute);
                let total: u64 = counts.iter().sum();
                (total > 0).then(|| RouteLatency {
                    route: route.clone(),
                    requests: total,
                    p50_ms: quantile(&counts, total, 0.50),
                    p95_ms: quantile(&counts, total, 0.95),
                    p99_ms: quantile(&counts, total, 0.99),
                })
            })
            .collect();
        out.sort_by(|a, b| b.p99_ms.total_cmp(&a.p99_ms).then_with(|| a.route.cmp(&b.route)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_780_000_000;

    #[test]
    fn percentiles_fall_within_a_bucket_of_the_truth() {
        let l = Latencies::default();
        // 1..=100 ms, once each: p50 ≈ 50, p95 ≈ 95, p99 ≈ 99.
        for ms in 1..=100u64 {
            l.record("GET /x", Duration::from_millis(ms), NOW);
        }
        let r = &l.last_hour(NOW)[0];
        assert_eq!(r.requests, 100);
        for (got, truth) in [(r.p50_ms, 50.0), (r.p95_ms, 95.0), (r.p99_ms, 99.0)] {
            assert!(got >= truth && got <= truth * RATIO, "{got} for {truth}");
        }
    }

    #[test]
    fn only_the_last_hour_counts_and_slow_routes_come_first() {
        let l = Latencies::default();
        l.record("GET /old", Duration::from_millis(5), NOW - 3_700);
        l.record("GET /fast", Duration::from_millis(2), NOW - 600);
        l.record("POST /slow", Duration::from_millis(900), NOW);
        let hour = l.last_hour(NOW);
        let routes: Vec<&str> = hour.iter().map(|r| r.route.as_str()).collect();
        assert_eq!(routes, ["POST /slow", "GET /fast"], "the request of an hour ago is gone");
        // A minute slot reused an hour later starts again from zero.
        l.record("GET /fast", Duration::from_millis(2), NOW - 600 + 3_600);
        assert_eq!(l.last_hour(NOW + 3_000).iter().find(|r| r.route == "GET /fast").map(|r| r.requests), Some(1));
    }

    #[test]
    fn extreme_durations_land_in_the_end_buckets() {
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(f64::NAN), 0);
        assert_eq!(bucket_of(1e9), BUCKETS - 1);
        assert!(upper_ms(BUCKETS - 1) > 100_000.0);
        let l = Latencies::default();
        l.record("GET /x", Duration::from_secs(3_600), NOW);
        assert_eq!(l.last_hour(NOW)[0].p99_ms, upper_ms(BUCKETS - 1));
    }
}
