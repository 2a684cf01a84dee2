//! One error type for every handler, turned into a friendly page (never a stack trace, never a 500 for a
//! person's mistake).

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
    /// A form rendered for one organization was posted after the user switched to another in another tab.
    #[error("organization context changed")]
    ContextChanged(Box<ContextChanged>),
    #[error("internal error: {0}")]
    Internal(String),
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
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
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
            AppError::Internal(_) => (
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
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
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

pub type AppResult<T> = Result<T, AppError>;
