//! What every benchmark binary prints its figures with (included by `#[path]`; each bench
//! is its own crate).
// Each bench uses some of these.
#![allow(dead_code)]

/// The 1-, 5- and 15-minute load averages, as the figures are recorded with.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// The commit the figures were taken at.
pub fn commit() -> String {
    std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

/// The `p` quantile (0–1) of `sorted`, nearest rank.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
