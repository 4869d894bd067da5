//! Exact accumulation and the interval formulas.
//!
//! Values are quantised to 2⁻³² (≈ 2·10⁻¹⁰, invisible at two decimals) and summed as
//! integers, so a sum is exact and the same in any input order; every float that follows is
//! computed from those integers in a fixed (sorted) order. That is what makes a score table
//! reproducible "to the last digit" whatever order the data arrived in.

/// 2³²: the fixed-point scale of [`ExactSum`].
const SCALE: f64 = 4_294_967_296.0;

/// Count, sum and sum of squares of values in [0, 100], exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum {
    n: u64,
    sum: i128,
    sum_sq: i128,
}

/// Quantises `y` to the fixed-point grid.
pub(crate) fn quantize(y: f64) -> i64 {
    (y.clamp(-1e6, 1e6) * SCALE).round() as i64
}

/// A fixed-point sum back to a float.
pub(crate) fn unquantize(sum: i128) -> f64 {
    sum as f64 / SCALE
}

impl ExactSum {
    /// Adds one value.
    pub fn add(&mut self, y: f64) {
        let q = i128::from(quantize(y));
        self.n += 1;
        self.sum += q;
        self.sum_sq += q * q;
    }

    /// Takes back one value added before (exact: integers).
    pub fn remove(&mut self, y: f64) {
        let q = i128::from(quantize(y));
        self.n = self.n.saturating_sub(1);
        self.sum -= q;
        self.sum_sq -= q * q;
    }

    /// Merges another accumulation.
    pub fn merge(&mut self, other: &ExactSum) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// How many values.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The sum, as a float.
    pub fn sum(&self) -> f64 {
        self.sum as f64 / SCALE
    }

    /// The mean, when there is a value.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / SCALE / self.n as f64)
    }

    /// Σ (y − ȳ)², exact up to the final division (0 when all values are equal).
    pub fn sum_sq_dev(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let n = i128::from(self.n as i64);
        let centered = n.checked_mul(self.sum_sq).and_then(|a| self.sum.checked_mul(self.sum).map(|b| a - b));
        let value = match centered {
            Some(c) => c as f64 / n as f64,
            // Beyond i128 (tens of millions of values in one cell): fall back to floats.
            None => self.sum_sq as f64 - (self.sum as f64) * (self.sum as f64) / n as f64,
        };
        value.max(0.0) / (SCALE * SCALE)
    }

    /// The simple standard error of the mean, √(Σ(y−ȳ)² / (n(n−1))), for n ≥ 2.
    pub fn simple_se(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.sum_sq_dev() / (self.n as f64 * (self.n as f64 - 1.0))).sqrt())
    }

    /// The sample standard deviation, for n ≥ 2.
    pub fn sample_sd(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.sum_sq_dev() / (self.n as f64 - 1.0)).sqrt())
    }
}

/// A proportion with its 95 % Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    /// Successes.
    pub k: u64,
    /// Trials.
    pub n: u64,
    /// k / n.
    pub p: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The Wilson score interval of k successes in n trials; `None` when n = 0.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<Proportion> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = z * z;
    let center = p + z2 / (2.0 * nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let den = 1.0 + z2 / nf;
    Some(Proportion { k, n, p, lower: ((center - half) / den).max(0.0), upper: ((center + half) / den).min(1.0) })
}

/// `mean ± z·se`, clipped to [0, 100].
pub fn interval(mean: f64, se: f64, z: f64) -> (f64, f64) {
    ((mean - z * se).clamp(0.0, 100.0), (mean + z * se).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn exact_sums_do_not_depend_on_order() {
        let values = [12.5, 100.0, 0.1, 33.333333333333336, 87.5, 0.30000000000000004];
        let mut a = ExactSum::default();
        let mut b = ExactSum::default();
        values.iter().for_each(|v| a.add(*v));
        values.iter().rev().for_each(|v| b.add(*v));
        assert_eq!(a, b);
        assert_eq!(a.mean().map(f64::to_bits), b.mean().map(f64::to_bits));
    }

    #[test]
    fn equal_values_have_exactly_zero_spread() {
        let mut s = ExactSum::default();
        for _ in 0..1000 {
            s.add(66.66666666666667);
        }
        assert_eq!(s.sum_sq_dev(), 0.0);
        assert_eq!(s.simple_se(), Some(0.0));
    }

    #[test]
    fn simple_se_by_hand() {
        // 50, 75, 100: mean 75, Σ(y−ȳ)² = 1250, SE = √(1250 / 6) = 14.4337567…
        let mut s = ExactSum::default();
        [50.0, 75.0, 100.0].iter().for_each(|v| s.add(*v));
        assert!(close(s.simple_se().expect("n ≥ 2"), (1250.0f64 / 6.0).sqrt()));
        assert!(close(s.sample_sd().expect("n ≥ 2"), 25.0));
        let mut one = ExactSum::default();
        one.add(40.0);
        assert_eq!(one.simple_se(), None);
    }

    #[test]
    fn wilson_by_hand() {
        // 8 of 10, z = 1.96: center (0.8 + 0.19208) / 1.38416, half 1.96·√(0.016 + 0.00096) / 1.38416.
        let w = wilson(8, 10, 1.96).expect("n > 0");
        let den = 1.0 + 1.96f64.powi(2) / 10.0;
        let center = 0.8 + 1.96f64.powi(2) / 20.0;
        let half = 1.96 * (0.8 * 0.2 / 10.0 + 1.96f64.powi(2) / 400.0).sqrt();
        assert!(close(w.lower, (center - half) / den));
        assert!(close(w.upper, (center + half) / den));
        assert!((w.lower - 0.49016).abs() < 1e-5 && (w.upper - 0.94331).abs() < 1e-5, "{w:?}");
        assert_eq!(wilson(0, 0, 1.96), None);
        let none = wilson(0, 50, 1.96).expect("n > 0");
        assert_eq!(none.lower, 0.0);
        assert!(none.upper > 0.0);
    }
}
