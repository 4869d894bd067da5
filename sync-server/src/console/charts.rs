//! Charts drawn on the server as SVG (no scripts, readable in print).

use maud::{Markup, html};

/// Width of an interval bar, in pixels.
pub const BAR_WIDTH: f64 = 220.0;

/// The x coordinate of a score on the 0–100 scale, clamped.
pub fn x_of(score: f64, width: f64) -> f64 {
    if !score.is_finite() {
        return 0.0;
    }
    (score.clamp(0.0, 100.0) / 100.0 * width * 10.0).round() / 10.0
}

/// A 95 % interval bar: grey axis 0–100 with ticks at 50 and 80, the interval as a bar,
/// the estimate as a dot; `label` is read by screen readers.
pub fn interval(value: f64, lower: f64, upper: f64, label: &str) -> Markup {
    let w = BAR_WIDTH;
    let (x, l, u) = (x_of(value, w), x_of(lower.min(upper), w), x_of(upper.max(lower), w));
    html! {
        svg.ci width=(w + 8.0) height="22" viewBox=(format!("-4 0 {} 22", w + 8.0)) role="img" aria-label=(label) {
            line x1="0" y1="11" x2=(w) y2="11" stroke="#d1d5db" stroke-width="2" {}
            @for t in [0.0, 50.0, 80.0, 100.0] {
                line x1=(x_of(t, w)) y1="6" x2=(x_of(t, w)) y2="16" stroke="#9ca3af" stroke-width="1" {}
            }
            rect x=(l) y="7" width=((u - l).max(1.0)) height="8" rx="3" fill="#93c5fd" {}
            circle cx=(x) cy="11" r="4.5" fill="#0b3d91" {}
        }
    }
}

/// One centro on a funnel plot.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    pub label: String,
    /// Effective sample size.
    pub n: f64,
    pub value: f64,
}

/// The control limit at sample size `n`: `target ± z·σ/√n` (`z` signed), on 0–100.
pub fn limit(target: f64, sigma: f64, n: f64, z: f64) -> f64 {
    if n <= 0.0 { if z < 0.0 { 0.0 } else { 100.0 } } else { (target + z * sigma / n.sqrt()).clamp(0.0, 100.0) }
}

/// The typical respondent-level standard deviation behind the centros' standard errors
/// (median of `se·√n`), for the funnel's limits.
pub fn pooled_sigma(pairs: &[(f64, f64)]) -> Option<f64> {
    let mut s: Vec<f64> = pairs.iter().filter(|(n, se)| *n > 0.0 && se.is_finite()).map(|(n, se)| se * n.sqrt()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    Some(s[s.len() / 2])
}

/// A funnel plot: each centro's score against its effective sample size, with the 95 %
/// (dashed) and 99.8 % (solid) limits around the category's mean.
pub fn funnel(points: &[FunnelPoint], target: f64, sigma: f64, label: &str) -> Markup {
    let (w, h, left, bottom) = (520.0, 280.0, 44.0, 34.0);
    let (pw, ph) = (w - left - 12.0, h - bottom - 10.0);
    let max_n = points.iter().map(|p| p.n).fold(10.0_f64, f64::max) * 1.05;
    let x = |n: f64| left + n / max_n * pw;
    let y = |v: f64| 10.0 + (100.0 - v.clamp(0.0, 100.0)) / 100.0 * ph;
    let curve = |z: f64| -> String {
        (1..=60)
            .map(|i| {
                let n = max_n * f64::from(i) / 60.0;
                format!("{:.1},{:.1}", x(n), y(limit(target, sigma, n, z)))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        svg.funnel width=(w) height=(h) viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(label) {
            rect x=(left) y="10" width=(pw) height=(ph) fill="#fff" stroke="#d1d5db" {}
            @for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(left) y1=(y(v)) x2=(left + pw) y2=(y(v)) stroke="#f3f4f6" {}
                text x=(left - 6.0) y=(y(v) + 4.0) text-anchor="end" font-size="11" fill="#4b5563" { (v) }
            }
            line x1=(left) y1=(y(target)) x2=(left + pw) y2=(y(target)) stroke="#6b7280" stroke-width="1.5" {}
            @for z in [1.96, -1.96] { polyline points=(curve(z)) fill="none" stroke="#0b3d91" stroke-dasharray="5 4" {} }
            @for z in [3.09, -3.09] { polyline points=(curve(z)) fill="none" stroke="#0b3d91" {} }
            @for p in points {
                circle cx=(format!("{:.1}", x(p.n))) cy=(format!("{:.1}", y(p.value))) r="5" fill="#b45309" fill-opacity="0.85" {
                    title { (p.label) ": " (format!("{:.1}", p.value)) " (n efectivo " (format!("{:.0}", p.n)) ")" }
                }
            }
            text x=(left + pw / 2.0) y=(h - 6.0) text-anchor="middle" font-size="12" fill="#374151" { "Tamaño efectivo de muestra" }
            text x="12" y=(10.0 + ph / 2.0) text-anchor="middle" font-size="12" fill="#374151" transform=(format!("rotate(-90 12 {})", 10.0 + ph / 2.0)) { "IGC" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_map_onto_the_bar_and_stay_inside_it() {
        assert_eq!(x_of(0.0, 200.0), 0.0);
        assert_eq!(x_of(50.0, 200.0), 100.0);
        assert_eq!(x_of(120.0, 200.0), 200.0);
        assert_eq!(x_of(-3.0, 200.0), 0.0);
        assert_eq!(x_of(f64::NAN, 200.0), 0.0);
    }

    #[test]
    fn an_interval_draws_its_bar_and_dot() {
        let svg = interval(72.5, 65.0, 80.0, "IGC 72.5").into_string();
        assert!(svg.contains(r#"cx="159.5""#), "{svg}");
        assert!(svg.contains(r#"x="143""#) && svg.contains(r#"width="33""#), "{svg}");
        assert!(svg.contains(r#"aria-label="IGC 72.5""#));
    }

    #[test]
    fn funnel_limits_narrow_with_sample_size_and_stay_on_the_scale() {
        assert_eq!(limit(70.0, 20.0, 100.0, 1.96), 73.92);
        assert!(limit(70.0, 20.0, 400.0, 1.96) < limit(70.0, 20.0, 100.0, 1.96));
        assert_eq!(limit(95.0, 40.0, 4.0, 3.09), 100.0);
        assert_eq!(limit(70.0, 20.0, 0.0, -1.96), 0.0);
        assert_eq!(pooled_sigma(&[(100.0, 2.0), (400.0, 1.0), (25.0, 5.0)]), Some(20.0));
        assert_eq!(pooled_sigma(&[]), None);
        let svg = funnel(&[FunnelPoint { label: "A".into(), n: 100.0, value: 72.0 }], 70.0, 20.0, "embudo").into_string();
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.contains("<title>A: 72.0 (n efectivo 100)</title>"), "{svg}");
    }
}
