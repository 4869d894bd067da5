//! Faces for the 5-point scale, drawn as SVG (no emoji font needed, readable in sun).

use dioxus::prelude::*;

/// The mouth of face 1 (very bad) … 5 (very good), as an SVG path.
fn mouth(level: u8) -> &'static str {
    match level {
        1 => "M15 35 Q24 25 33 35",
        2 => "M16 34 Q24 29 32 34",
        3 => "M16 32 L32 32",
        4 => "M16 30 Q24 35 32 30",
        _ => "M14 29 Q24 40 34 29",
    }
}

fn colour(level: u8) -> &'static str {
    match level {
        1 => "#b91c1c",
        2 => "#c2410c",
        3 => "#a16207",
        4 => "#4d7c0f",
        _ => "#15803d",
    }
}

#[component]
pub fn Face(level: u8) -> Element {
    rsx! {
        svg { class: "face", view_box: "0 0 48 48", width: "44", height: "44", "aria-hidden": "true",
            circle { cx: "24", cy: "24", r: "21", fill: "#fff", stroke: colour(level), stroke_width: "3" }
            circle { cx: "17", cy: "19", r: "2.6", fill: colour(level) }
            circle { cx: "31", cy: "19", r: "2.6", fill: colour(level) }
            path { d: mouth(level), fill: "none", stroke: colour(level), stroke_width: "3", stroke_linecap: "round" }
        }
    }
}
