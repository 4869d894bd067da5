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

/// The scale of the interval bars, for a column's header: the numbers under the ticks
/// every bar has (0, 50, 80, 100).
pub fn axis() -> Markup {
    let w = BAR_WIDTH;
    html! {
        svg.axis width=(w + 24.0) height="22" viewBox=(format!("-12 0 {} 22", w + 24.0)) aria-hidden="true" focusable="false" {
            @for t in [0.0, 50.0, 80.0, 100.0] {
                text x=(x_of(t, w)) y="17" text-anchor="middle" font-size="16" fill="#374151" { (t) }
            }
        }
    }
}

/// What the interval bars show, said once under their table.
pub fn interval_legend() -> Markup {
    html! {
        p.legend {
            svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" { circle cx="8" cy="8" r="5" fill="#0b3d91" {} }
            " estimación · "
            svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" { rect x="0" y="4" width="28" height="8" rx="3" fill="#93c5fd" {} }
            " intervalo de 95 % · marcas en 0, 50, 80 y 100"
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

/// Round steps for an axis from 0 to `max`: about five of them.
pub fn ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0];
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
    (0..).map(|i| f64::from(i) * step).take_while(|t| *t <= max + 1e-9).collect()
}

/// A funnel plot: each centro's score against its effective sample size, the category's
/// mean, and (when `sigma` is known) the 95 % (dashed) and 99.8 % (solid) limits around
/// it; numbered axes and a legend.
pub fn funnel(points: &[FunnelPoint], target: f64, sigma: Option<f64>, label: &str) -> Markup {
    let (w, h, left, bottom) = (640.0, 320.0, 52.0, 52.0);
    let (pw, ph) = (w - left - 16.0, h - bottom - 12.0);
    let max_n = points.iter().map(|p| p.n).fold(10.0_f64, f64::max) * 1.05;
    let x = |n: f64| left + n / max_n * pw;
    let y = |v: f64| 12.0 + (100.0 - v.clamp(0.0, 100.0)) / 100.0 * ph;
    let curve = |sigma: f64, z: f64| -> String {
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
            rect x=(left) y="12" width=(pw) height=(ph) fill="#fff" stroke="#d1d5db" {}
            @for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(left) y1=(y(v)) x2=(left + pw) y2=(y(v)) stroke="#e5e7eb" {}
                text x=(left - 6.0) y=(y(v) + 5.0) text-anchor="end" font-size="16" fill="#374151" { (v) }
            }
            @for t in ticks(max_n) {
                line x1=(x(t)) y1=(12.0 + ph) x2=(x(t)) y2=(18.0 + ph) stroke="#6b7280" {}
                text x=(x(t)) y=(34.0 + ph) text-anchor="middle" font-size="16" fill="#374151" { (t) }
            }
            line.mean x1=(left) y1=(y(target)) x2=(left + pw) y2=(y(target)) stroke="#374151" stroke-width="2" {}
            @if let Some(sigma) = sigma {
                @for z in [1.96, -1.96] { polyline points=(curve(sigma, z)) fill="none" stroke="#0b3d91" stroke-dasharray="6 4" {} }
                @for z in [3.09, -3.09] { polyline points=(curve(sigma, z)) fill="none" stroke="#0b3d91" {} }
            }
            @for p in points {
                circle cx=(format!("{:.1}", x(p.n))) cy=(format!("{:.1}", y(p.value))) r="6" fill="#b45309" fill-opacity="0.85" {
                    title { (p.label) ": " (format!("{:.1}", p.value)) " (n efectivo " (format!("{:.0}", p.n)) ")" }
                }
            }
            text x=(left + pw / 2.0) y=(h - 4.0) text-anchor="middle" font-size="16" fill="#374151" { "Tamaño efectivo de muestra" }
            text x="16" y=(12.0 + ph / 2.0) text-anchor="middle" font-size="16" fill="#374151" transform=(format!("rotate(-90 16 {})", 12.0 + ph / 2.0)) { "IGC" }
        }
        ul.legend {
            li { svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" { circle cx="8" cy="8" r="6" fill="#b45309" {} } " un centro" }
            li { svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" { line x1="0" y1="8" x2="28" y2="8" stroke="#374151" stroke-width="2" {} } " media de la categoría (" (format!("{target:.1}")) ")" }
            @if sigma.is_some() {
                li { svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" { line x1="0" y1="8" x2="28" y2="8" stroke="#0b3d91" stroke-dasharray="6 4" {} } " límites de 95 %" }
                li { svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" { line x1="0" y1="8" x2="28" y2="8" stroke="#0b3d91" {} } " límites de 99.8 %" }
            } @else {
                li.muted { "Sin límites de control: ningún centro tiene aún error estándar." }
            }
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
        let svg = funnel(&[FunnelPoint { label: "A".into(), n: 100.0, value: 72.0 }], 70.0, Some(20.0), "embudo").into_string();
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.contains("<title>A: 72.0 (n efectivo 100)</title>"), "{svg}");
        assert!(svg.contains("media de la categoría (70.0)"), "a legend names the mean: {svg}");
        let bare = funnel(&[FunnelPoint { label: "A".into(), n: 0.0, value: 72.0 }], 70.0, None, "embudo").into_string();
        assert_eq!(bare.matches("<polyline").count(), 0, "no limits without a standard error");
        assert!(bare.contains("<circle"), "the centros are drawn all the same");
    }

    #[test]
    fn axes_step_by_round_numbers() {
        assert_eq!(ticks(105.0), [0.0, 50.0, 100.0]);
        assert_eq!(ticks(10.5), [0.0, 5.0, 10.0]);
        assert_eq!(ticks(420.0), [0.0, 100.0, 200.0, 300.0, 400.0]);
        assert_eq!(ticks(0.0), [0.0]);
    }
}
