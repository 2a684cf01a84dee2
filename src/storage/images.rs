//! Images people upload to be shown (logos): a PNG, JPEG or WebP by its bytes (the name and the browser's word
//! are not trusted; SVG is refused because it can carry script), within a size limit.

use super::multipart::UploadedFile;

/// The image types accepted, by sniffed content type, with the name people know them by.
pub const IMAGE_TYPES: &[(&str, &str)] = &[("image/png", "PNG"), ("image/jpeg", "JPEG"), ("image/webp", "WebP")];

/// Why `file` cannot be shown as an image of at most `max_bytes`, in words for the person; Ok when it can.
pub fn check_image(file: &UploadedFile, max_bytes: u64) -> Result<(), String> {
    if !IMAGE_TYPES.iter().any(|(t, _)| *t == file.stored.content_type) {
        return Err(format!("{} is not a PNG, JPEG or WebP image.", file.filename));
    }
    if file.stored.size > max_bytes {
        return Err(format!("{} is larger than {} KB. Choose a smaller image.", file.filename, max_bytes / 1024));
    }
    Ok(())
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
}
