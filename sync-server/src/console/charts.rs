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
}
