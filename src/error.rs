//! One error type for every handler, turned into a friendly page (never a stack trace, never a 500 for a
//! person's mistake), or into the JSON error shape `{"error": {"code": "not_found", "message": "..."}}` for API
//! requests (see `web::request_log`). Every variant has a stable `code()` that API clients can rely on.
//!
//! Internal errors keep their cause (`AppError::internal_from(context, source)`): the request log writes the
//! whole chain once ("database: connection closed: ..."), while the person sees only the friendly page.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not signed in (or the session ended): GET requests are sent to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The form's csrf token is missing or does not match the session.
    #[error("form expired")]
    FormExpired,
    /// A state-changing request from another site.
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A request body (form, upload) larger than allowed.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// A request body that did not arrive in time (a client trickling its upload).
    #[error("request body timed out")]
    RequestTimeout,
    /// A form rendered for one organization was posted after the user switched to another in another tab.
    #[error("organization context changed")]
    ContextChanged(Box<ContextChanged>),
    /// Our fault: a database, template, storage or mail failure. `context` says what we were doing; `source` is
    /// the underlying error, whose own chain the log shows.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
}

impl AppError {
    /// An internal error without an underlying cause.
    pub fn internal(context: impl Into<String>) -> AppError {
        AppError::Internal { context: context.into(), source: None }
    }

    /// An internal error caused by `source` (kept for the log's cause chain).
    pub fn internal_from(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> AppError {
        AppError::Internal { context: context.into(), source: Some(source.into()) }
    }

    /// The stable code of the JSON error shape (and of the request log).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::SignInRequired => "sign_in_required",
            AppError::BadRequest(_) => "bad_request",
            AppError::FormExpired => "form_expired",
            AppError::CrossOrigin => "cross_origin",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::ContextChanged(_) => "context_changed",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::RequestTimeout => "request_timeout",
            AppError::Internal { .. } => "internal",
        }
    }

    /// The error and every cause below it, on one line.
    pub fn chain(&self) -> String {
        error_chain(self)
    }
}

/// "outer: cause: cause of the cause", for logs.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own message; say each thing once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// What the context-changed page needs to offer the submission again in the right organization.
#[derive(Debug, Clone)]
pub struct ContextChanged {
    pub form_org_id: String,
    pub form_org_name: String,
    pub current_org_name: String,
    pub target: String,
    pub csrf: String,
    /// Submitted fields, except the tokens; password fields are dropped (never echoed back).
    pub fields: Vec<(String, String)>,
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::internal_from("database", other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal_from("template", e)
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    sign_in: bool,
}

#[derive(Template)]
#[template(path = "errors/context_changed.html")]
struct ContextChangedPage<'a> {
    c: &'a ContextChanged,
}

impl AppError {
    fn page_text(&self) -> (&'static str, String) {
        match self {
            AppError::NotFound => ("Not found", "There is nothing here, or it is not yours to see.".into()),
            AppError::Forbidden => (
                "Not allowed",
                "Your role in this organization does not allow this. Ask an administrator if you need it.".into(),
            ),
            AppError::SignInRequired => ("Please sign in", "Your session has ended. Sign in to continue.".into()),
            AppError::BadRequest(msg) => ("That did not work", msg.clone()),
            AppError::FormExpired => (
                "This form has expired",
                "Nothing was saved. Go back, reload the page and submit the form again.".into(),
            ),
            AppError::CrossOrigin => {
                ("Request refused", "This request came from another site and was refused. Nothing was changed.".into())
            }
            AppError::TooManyRequests { retry_after_secs } => (
                "Too many attempts",
                format!("For your security, please wait {} before trying again.", wait_text(*retry_after_secs)),
            ),
            AppError::ContextChanged(_) => ("Not saved", String::new()),
            AppError::PayloadTooLarge(msg) => ("Too large", msg.clone()),
            AppError::RequestTimeout => (
                "The request took too long",
                "Your browser sent the data too slowly and nothing was saved. Check your connection and try again."
                    .into(),
            ),
            AppError::Internal { .. } => (
                "Something went wrong",
                "We could not complete this request. Nothing was half-saved; please try again in a moment.".into(),
            ),
        }
    }
}

fn wait_text(secs: u64) -> String {
    if secs <= 60 { format!("{} seconds", secs.max(1)) } else { format!("{} minutes", secs.div_ceil(60)) }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::FormExpired | AppError::CrossOrigin => StatusCode::FORBIDDEN,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::ContextChanged(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The friendly page. (The request log writes internal errors with their cause chain, once.)
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let body = match self {
            AppError::ContextChanged(c) => ContextChangedPage { c }.render(),
            _ => {
                let (title, message) = self.page_text();
                let sign_in = matches!(self, AppError::SignInRequired);
                ErrorPage { status: status.as_u16(), title, message: &message, sign_in }.render()
            }
        }
        .unwrap_or_else(|_| "Something went wrong.".to_string());
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.body(body)
    }
}

impl AppError {
    /// The same error in the JSON shape API clients read: `{"error": {"code": "...", "message": "..."}}`.
    pub fn json_response(&self) -> HttpResponse {
        let message = match self {
            AppError::ContextChanged(c) => {
                format!(
                    "This request was made for {} but the current organization is {}.",
                    c.form_org_name, c.current_org_name
                )
            }
            _ => self.page_text().1,
        };
        let body = serde_json::json!({ "error": { "code": self.code(), "message": message } });
        let mut response = HttpResponse::build(self.status_code());
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.json(body)
    }
}

pub type AppResult<T> = Result<T, AppError>;
