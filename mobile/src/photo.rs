//! Photos are downscaled on the device before they are stored and uploaded: at most
//! [`MAX_SIDE`] pixels on the longer side, re-encoded as JPEG. Evidence stays legible;
//! uploads stay small on field networks.

use std::io::Cursor;

use image::ImageReader;
use image::codecs::jpeg::JpegEncoder;

/// The longer side of a stored photo, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of stored photos.
pub const QUALITY: u8 = 80;
/// Larger originals are refused (a camera photo is a few MiB).
pub const MAX_INPUT_BYTES: usize = 40 * 1024 * 1024;

/// Why a photo was refused. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("La foto es demasiado grande (más de 40 MB).")]
    TooLarge,
    #[error("El archivo no es una foto que la app pueda leer (JPEG o PNG).")]
    Unreadable,
    #[error("No se pudo preparar la foto.")]
    Encode,
}

/// The photo as stored: downscaled if needed, JPEG.
pub fn downscale(raw: &[u8]) -> Result<Vec<u8>, PhotoError> {
    downscale_to(raw, MAX_SIDE)
}

/// The photo as stored with its longer side at most `max_side` pixels (an image
/// question's `max-pixels`), JPEG.
pub fn downscale_to(raw: &[u8], max_side: u32) -> Result<Vec<u8>, PhotoError> {
    let max_side = max_side.clamp(16, MAX_SIDE);
    if raw.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(raw)).with_guessed_format().map_err(|_| PhotoError::Unreadable)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| PhotoError::Unreadable)?;
    let img = if img.width().max(img.height()) > max_side { img.resize(max_side, max_side, image::imageops::FilterType::Triangle) } else { img };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(&img.to_rgb8()).map_err(|_| PhotoError::Encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
        out
    }

    #[test]
    fn large_photos_are_downscaled_to_the_longer_side() {
        let small = downscale(&png(4000, 3000)).expect("photo");
        let img = image::load_from_memory(&small).expect("jpeg");
        assert_eq!((img.width(), img.height()), (1600, 1200));
        assert_eq!(image::guess_format(&small).expect("format"), image::ImageFormat::Jpeg);
    }

    #[test]
    fn small_photos_keep_their_size_and_junk_is_refused() {
        let img = image::load_from_memory(&downscale(&png(640, 480)).expect("photo")).expect("jpeg");
        assert_eq!((img.width(), img.height()), (640, 480));
        assert!(matches!(downscale(b"not a photo"), Err(PhotoError::Unreadable)));
        assert!(matches!(downscale(&[]), Err(PhotoError::Unreadable)));
    }
}
