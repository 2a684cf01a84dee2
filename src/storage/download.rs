//! Serving a stored file as a download: always an attachment (never rendered by the browser in our origin), the
//! sniffed content type, `nosniff`, a sandboxing CSP, not cached, and the person's filename escaped safely
//! (`filename*` in UTF-8, an ASCII fallback in `filename`).

use actix_web::HttpResponse;
use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};

use super::{Storage, StoredFile};
use crate::error::AppError;

/// A file's row in an attachments table (a ticket's, an article's, an asset's): what serving it needs. Select it
/// with [`file_columns!`](crate::file_columns) after finding the row through the scope.
#[derive(diesel::Queryable, Clone, Debug)]
pub struct AttachmentFile {
    pub key: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub filename: String,
}

impl AttachmentFile {
    /// Streams the file as an attachment under the name it was uploaded with.
    pub async fn serve(self, storage: &Storage) -> Result<HttpResponse, AppError> {
        let AttachmentFile { key, size, sha256, content_type, filename } = self;
        attachment(storage, &StoredFile { key, size: size as u64, sha256, content_type }, &filename).await
    }
}

/// The columns of an [`AttachmentFile`] in an attachments table: `file_columns!(kb_attachments)` (the table's module in
/// scope).
#[macro_export]
macro_rules! file_columns {
    ($table:ident) => {
        ($table::storage_key, $table::size, $table::sha256, $table::content_type, $table::filename)
    };
}

/// Streams `file` from storage as an attachment called `filename` (what the person uploaded it as).
pub async fn attachment(storage: &Storage, file: &StoredFile, filename: &str) -> Result<HttpResponse, AppError> {
    let (size, stream) = storage.open(&file.key).await?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, file.content_type.as_str()))
        .insert_header((header::CONTENT_LENGTH, size))
        .insert_header(content_disposition(filename))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"));
    Ok(response.streaming(stream))
}

/// `attachment; filename="report_2026.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`.
pub fn content_disposition(filename: &str) -> ContentDisposition {
    let name = clean_filename(filename);
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii_fallback(&name)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    }
}

/// The last path segment, without control characters, at most 200 characters; "download" when nothing is left.
pub fn clean_filename(filename: &str) -> String {
    let last = filename.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() { "download".into() } else { trimmed.to_string() }
}

/// Printable ASCII only, quotes and backslashes replaced, for clients that ignore `filename*`.
fn ascii_fallback(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_are_escaped_for_the_header() {
        let header = content_disposition("r\u{e9}sum\u{e9} \"final\".pdf").to_string();
        assert!(header.starts_with("attachment; "), "{header}");
        assert!(header.contains("filename=\"r_sum_ _final_.pdf\""), "{header}");
        assert!(header.contains("filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf"), "{header}");
    }

    #[test]
    fn paths_and_control_characters_are_dropped() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\ann\\report.xlsx"), "report.xlsx");
        assert_eq!(clean_filename("a\r\nSet-Cookie: x.txt"), "aSet-Cookie: x.txt");
        assert_eq!(clean_filename("..."), "download");
        assert_eq!(clean_filename(""), "download");
    }
}
