//! Cross-cutting web pieces: the route table and its guard, page context, forms, pagination, headers.

pub mod body_deadline;
pub mod charts;
pub mod context;
pub mod error_shell;
pub mod filters;
pub mod forms;
pub mod guard;
pub mod headers;
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

pub fn render_status(status: StatusCode, t: impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(t.render()?))
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

/// A local path to return to after an action (never another site: "//evil.example" and "https://..." are refused).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains("://");
    local.then(|| next.to_string())
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
    }
}
