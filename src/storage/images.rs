//! Images people upload to be shown (logos, favicons): a PNG, JPEG or WebP (favicons: PNG or ICO) by its bytes
//! (the name and the browser's word are not trusted; SVG is refused because it can carry script), within a size
//! limit, and for favicons within a pixel size read from the image's header.

use super::multipart::UploadedFile;

/// The image types accepted, by sniffed content type, with the name people know them by.
pub const IMAGE_TYPES: &[(&str, &str)] = &[("image/png", "PNG"), ("image/jpeg", "JPEG"), ("image/webp", "WebP")];

/// The favicon types accepted.
pub const FAVICON_TYPES: &[(&str, &str)] = &[("image/png", "PNG"), ("image/vnd.microsoft.icon", "ICO")];

/// Why `file` cannot be shown as an image of at most `max_bytes`, in words for the person; Ok when it can.
pub fn check_image(file: &UploadedFile, max_bytes: u64) -> Result<(), String> {
    check_image_of(file, max_bytes, IMAGE_TYPES)
}

/// `check_image` for another list of accepted types.
pub fn check_image_of(file: &UploadedFile, max_bytes: u64, types: &[(&str, &str)]) -> Result<(), String> {
    if !types.iter().any(|(t, _)| *t == file.stored.content_type) {
        let names: Vec<&str> = types.iter().map(|(_, name)| *name).collect();
        let listed = match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        return Err(format!("{} is not a {listed} image.", file.filename));
    }
    if file.stored.size > max_bytes {
        return Err(format!("{} is larger than {} KB. Choose a smaller image.", file.filename, max_bytes / 1024));
    }
    Ok(())
}

/// The width and height a PNG or ICO declares in its header (an ICO's largest image; 0 in an ICO entry means
/// 256), None when the bytes are neither.
pub fn pixel_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
        return Some((be(16)?, be(20)?));
    }
    if bytes.starts_with(&[0, 0, 1, 0]) {
        let count = usize::from(u16::from_le_bytes([*bytes.get(4)?, *bytes.get(5)?]));
        let side = |b: u8| if b == 0 { 256 } else { u32::from(b) };
        let entries = (0..count).map(|i| bytes.get(6 + 16 * i..8 + 16 * i)).collect::<Option<Vec<_>>>()?;
        return entries.into_iter().map(|e| (side(e[0]), side(e[1]))).max();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::StoredFile;

    fn upload(content_type: &str, size: u64) -> UploadedFile {
        let stored = StoredFile { key: "k".into(), size, sha256: String::new(), content_type: content_type.into() };
        UploadedFile { field: "logo".into(), filename: "logo.png".into(), stored }
    }

    #[test]
    fn only_raster_images_within_the_limit_pass() {
        assert_eq!(check_image(&upload("image/png", 1024), 2048), Ok(()));
        assert_eq!(check_image(&upload("image/webp", 2048), 2048), Ok(()));
        let too_big = check_image(&upload("image/jpeg", 4096), 2048).unwrap_err();
        assert!(too_big.contains("larger than 2 KB"), "{too_big}");
        for refused in ["image/svg+xml", "text/plain; charset=utf-8", "application/pdf", "image/gif"] {
            assert!(check_image(&upload(refused, 10), 2048).unwrap_err().contains("not a PNG, JPEG or WebP"));
        }
    }

    #[test]
    fn favicons_are_png_or_ico_and_their_pixel_size_is_read() {
        assert_eq!(check_image_of(&upload("image/vnd.microsoft.icon", 10), 2048, FAVICON_TYPES), Ok(()));
        let jpeg = check_image_of(&upload("image/jpeg", 10), 2048, FAVICON_TYPES).unwrap_err();
        assert_eq!(jpeg, "logo.png is not a PNG or ICO image.");
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 0, 48, 0, 0, 2, 0]);
        assert_eq!(pixel_size(&png), Some((48, 512)));
        // Two entries: 16 x 16, and 0 x 0 (= 256 x 256).
        let mut ico = vec![0, 0, 1, 0, 2, 0];
        ico.extend([16, 16].into_iter().chain([0; 14]));
        ico.extend([0; 16]);
        assert_eq!(pixel_size(&ico), Some((256, 256)));
        assert_eq!(pixel_size(&ico[..20]), None, "a truncated directory");
        assert_eq!(pixel_size(b"GIF89a"), None);
    }
}
