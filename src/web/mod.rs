//! Cross-cutting web pieces: the route table and its guard, page context, forms, pagination, headers.

pub mod body_deadline;
pub mod change;
pub mod charts;
pub mod context;
pub mod csv;
pub mod csv_import;
pub mod error_shell;
pub mod filters;
pub mod forms;
pub mod guard;
pub mod headers;
pub mod import_pages;
pub mod markdown;
pub mod pagination;
pub mod request_log;
pub mod routes;
pub mod time;

pub use context::{PageContext, PageInput, PublicPage};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::error::AppResult;

/// 303 See Other: the answer to a successful POST (POST -> redirect -> GET).
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", location)).finish()
}

pub fn render(t: impl Template) -> AppResult<HttpResponse> {
    render_status(StatusCode::OK, t)
}

/// The buffer a page is rendered into: most pages fit (a list of 50 rows with charts is 50 KB), so the page is
/// not copied again each time the buffer doubles; askama's own estimate counts only the template's fixed text.
const PAGE_BUFFER: usize = 64 * 1024;

pub fn render_status<T: Template>(status: StatusCode, t: T) -> AppResult<HttpResponse> {
    let mut page = String::with_capacity(PAGE_BUFFER.max(T::SIZE_HINT));
    t.render_into(&mut page)?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page))
}

/// A form page's status: 200, or 422 when it comes back with errors.
pub fn form_status(errors: &forms::FieldErrors) -> StatusCode {
    if errors.is_empty() { StatusCode::OK } else { form_status_invalid() }
}

pub fn form_status_invalid() -> StatusCode {
    StatusCode::UNPROCESSABLE_ENTITY
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).map(|s| s[1..].to_string()).unwrap_or_default()
}

/// A same-site path to return to after an action, or None. Only a path made of printable ASCII is accepted:
/// no scheme, no "//host" or "/\\host", and no control character or space anywhere (browsers drop tabs and
/// line breaks from URLs, so "/\t/evil.example" would become "//evil.example").
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let printable = next.chars().all(|c| c.is_ascii_graphic());
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    (printable && local).then(|| next.to_string())
}

/// Percent-decodes text (a path or query string) leniently: malformed escapes stay as they are, and invalid
/// UTF-8 is replaced, so the result can be checked for characters the raw text hides.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client's IP address for rate limits and the activity log (X-Forwarded-For only when trusted).
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    let info = req.connection_info();
    let raw = if trust_proxy { info.realip_remote_addr() } else { info.peer_addr() };
    let Some(raw) = raw else { return "unknown".into() };
    match raw.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().to_string(),
        Err(_) => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_local() {
        assert_eq!(safe_next(Some("/settings/team")), Some("/settings/team".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None);
        assert_eq!(safe_next(Some("/\n/evil.example")), None);
        assert_eq!(safe_next(Some("/a\0b")), None);
        assert_eq!(safe_next(Some("/clients?q=a%20b&page=2")), Some("/clients?q=a%20b&page=2".into()));
    }

    #[test]
    fn percent_decoding_reveals_hidden_characters() {
        assert_eq!(percent_decode("/%09/evil"), "/\t/evil");
        assert_eq!(percent_decode("a%00b"), "a\0b");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
