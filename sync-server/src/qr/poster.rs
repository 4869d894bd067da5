//! The QR code of a poster, drawn as SVG (scales to any print size).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The longest URL drawn (a code of any longer text would be too dense to scan from a
/// printed poster).
pub const MAX_URL_BYTES: usize = 300;

/// `url` as an SVG QR code at least `size` pixels wide, with medium error correction (a
/// poster survives a crease or a stain); `None` when the URL is too long to draw.
pub fn svg(url: &str, size: u32) -> Option<String> {
    if url.len() > MAX_URL_BYTES {
        return None;
    }
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(code.render::<svg::Color<'_>>().min_dimensions(size, size).dark_color(svg::Color("#000000")).light_color(svg::Color("#ffffff")).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_draws_as_an_svg_and_an_overlong_one_does_not() {
        let drawn = svg("http://127.0.0.1:8080/encuesta/GTO-E-T-01/7.0123456789abcdef0123456789abcdef", 300).expect("drawn");
        assert!(drawn.contains("<svg") && drawn.contains("</svg>"));
        assert!(svg(&"x".repeat(MAX_URL_BYTES + 1), 300).is_none());
    }
}
