//! How many records a push carries: it grows while the server answers quickly and shrinks
//! after a failure or a slow answer, between [`MIN`] and the protocol's limit, and a batch
//! never exceeds the protocol's body size. Over a slow link (each exchange +300 ms) a
//! large outbox drains in a few big pushes instead of many small ones; a dropped answer
//! costs at most one batch of re-sending.

use std::time::Duration;

use shared::protocol::MAX_PUSH_RECORDS;

/// The first batch.
pub const START: usize = 100;
/// The smallest batch.
pub const MIN: usize = 10;
/// An answer this quick lets the next batch double.
pub const QUICK: Duration = Duration::from_secs(5);
/// An answer slower than this halves the next batch.
pub const SLOW: Duration = Duration::from_secs(20);

/// The size of the next push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize {
    records: usize,
    quick: Duration,
    slow: Duration,
}

impl Default for BatchSize {
    fn default() -> Self {
        Self { records: START, quick: QUICK, slow: SLOW }
    }
}

impl BatchSize {
    /// Batches that grow after every full batch answered, however long it took (tests
    /// that count requests on a machine of any speed).
    pub fn always_growing() -> Self {
        Self { quick: Duration::MAX, slow: Duration::MAX, ..Self::default() }
    }

    /// Records to take for the next push.
    pub fn records(self) -> usize {
        self.records
    }

    /// A push was answered after `took`; `full` when it carried all the records asked for
    /// when it was taken (only a full batch says the link could take more). With pushes
    /// overlapping, the size may have grown since: it grows from where it is.
    pub fn answered(&mut self, full: bool, took: Duration) {
        if took > self.slow {
            self.records = (self.records / 2).max(MIN);
        } else if took <= self.quick && full {
            self.records = (self.records * 2).min(MAX_PUSH_RECORDS);
        }
    }

    /// A push failed (no answer, or a refusal of the whole body).
    pub fn failed(&mut self) {
        self.records = (self.records / 2).max(MIN);
    }
}

/// How many of `sizes` (each record's JSON length, in order) fit in one push body of at
/// most `max_bytes`, leaving `overhead` for the envelope; at least one.
pub fn fitting(sizes: &[usize], max_bytes: usize, overhead: usize) -> usize {
    let mut used = overhead;
    let mut n = 0;
    for s in sizes {
        used += s + 1;
        if used > max_bytes && n > 0 {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_grow_while_answers_are_quick_and_shrink_after_failures() {
        let mut b = BatchSize::default();
        assert_eq!(b.records(), START);
        let quick = Duration::from_millis(400);
        for want in [200, 400, 500, 500] {
            b.answered(true, quick);
            assert_eq!(b.records(), want);
        }
        b.failed();
        assert_eq!(b.records(), 250);
        b.answered(true, Duration::from_secs(30));
        assert_eq!(b.records(), 125, "a slow answer halves it");
        b.answered(false, quick);
        assert_eq!(b.records(), 125, "a short last batch says nothing about the link");
        b.answered(true, Duration::from_secs(10));
        assert_eq!(b.records(), 125, "neither quick nor slow: unchanged");
        for _ in 0..20 {
            b.failed();
        }
        assert_eq!(b.records(), MIN);
    }

    #[test]
    fn a_batch_stays_under_the_body_limit_but_always_carries_one() {
        assert_eq!(fitting(&[100, 100, 100], 1_000, 50), 3);
        assert_eq!(fitting(&[400, 400, 400], 1_000, 50), 2);
        assert_eq!(fitting(&[5_000, 10], 1_000, 50), 1, "a record larger than the limit still goes alone (the server says why)");
        assert_eq!(fitting(&[], 1_000, 50), 0);
    }
}
