//! The request log and the error format: one tracing span per request carrying the method, the route pattern
//! (never the raw path, which can hold tokens), the status, the latency and, once the guard has resolved them,
//! the user and the organization the request acted on (the MSP on MSP routes; the portal's client; the auditor's
//! or API key's organization). One `info` event per request (target `palisade::request`), plus one `error`
//! event with the whole cause chain when a request fails on our side.
//!
//! API requests (under `/api/`, or asking for `Accept: application/json`) get every error in the JSON shape
//! `{"error": {"code": "...", "message": "..."}}` instead of the HTML page.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use tracing::Instrument;

use crate::auth::api_keys::ApiKeyScope;
use crate::auth::auditor::AuditorScope;
use crate::auth::portal::PortalScope;
use crate::auth::scope::Identity;
use crate::db::ids::{OrgId, UserId};
use crate::error::AppError;
use crate::web::guard::ActingOrg;

pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let started = std::time::Instant::now();
    let json = wants_json(&req);
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        route = tracing::field::Empty,
        status = tracing::field::Empty,
        ms = tracing::field::Empty,
        user_id = tracing::field::Empty,
        org_id = tracing::field::Empty,
    );
    let response = next.call(req).instrument(span.clone()).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "(no route)".into());
    span.record("route", tracing::field::display(&route));
    let (user_id, org_id) = principal(response.request());
    if let Some(user_id) = user_id {
        span.record("user_id", tracing::field::display(user_id));
    }
    if let Some(org_id) = org_id {
        span.record("org_id", tracing::field::display(org_id));
    }
    let response = match response.response().error() {
        Some(error) => {
            let app_error = error.as_error::<AppError>();
            if let Some(e @ AppError::Internal { .. }) = app_error {
                tracing::error!(parent: &span, code = e.code(), error = %e.chain(), "request failed");
            } else if app_error.is_none() && response.status().is_server_error() {
                tracing::error!(parent: &span, error = %error, "request failed");
            }
            if json {
                let body = match app_error {
                    Some(e) => e.json_response(),
                    None => json_for_status(response.status(), &error.to_string()),
                };
                let (request, _) = response.into_parts();
                ServiceResponse::new(request, body).map_into_right_body()
            } else {
                response.map_into_left_body()
            }
        }
        None if json && response.status() == StatusCode::METHOD_NOT_ALLOWED => {
            let (request, _) = response.into_parts();
            let body = json_for_status(StatusCode::METHOD_NOT_ALLOWED, "This method is not allowed here.");
            ServiceResponse::new(request, body).map_into_right_body()
        }
        None => response.map_into_left_body(),
    };
    span.record("status", response.status().as_u16());
    span.record("ms", started.elapsed().as_secs_f64() * 1000.0);
    tracing::info!(target: "palisade::request", parent: &span, "request");
    Ok(response)
}

/// Who the guard resolved for the request (refused or not) and the organization it acted on.
fn principal(req: &HttpRequest) -> (Option<UserId>, Option<OrgId>) {
    let extensions = req.extensions();
    if let Some(key) = extensions.get::<ApiKeyScope>() {
        return (None, Some(key.org_id().clone()));
    }
    if let Some(auditor) = extensions.get::<AuditorScope>() {
        return (None, Some(auditor.org_id().clone()));
    }
    let user = extensions.get::<Identity>().map(|identity| identity.user.id.clone());
    let org = match (extensions.get::<PortalScope>(), extensions.get::<ActingOrg>(), extensions.get::<Identity>()) {
        (Some(portal), _, _) => Some(portal.org_id().clone()),
        (None, Some(ActingOrg(acting)), _) => Some(acting.clone()),
        (None, None, Some(identity)) => identity.org.as_ref().map(|org| org.id.clone()),
        (None, None, None) => None,
    };
    (user, org)
}

/// API requests: under /api/, or asking for JSON first.
pub fn wants_json(req: &ServiceRequest) -> bool {
    req.path().starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.trim_start().starts_with("application/json"))
}

/// The JSON error shape for an error that is not ours (the framework's own, e.g. a malformed JSON body).
fn json_for_status(status: StatusCode, message: &str) -> HttpResponse {
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "sign_in_required",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let message = if status.is_server_error() { "We could not complete this request." } else { message };
    HttpResponse::build(status).json(serde_json::json!({ "error": { "code": code, "message": message } }))
}
