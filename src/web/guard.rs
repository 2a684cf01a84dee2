//! The per-route guard. Before any handler runs it:
//! 1. for state-changing requests, checks the same-origin headers and the session csrf token;
//! 2. resolves the signed-in identity from the session (user still active, session stamp unchanged,
//!    organization still reachable) and stores it in the request for the `Identity` / `Scope` extractors;
//! 3. enforces the route's `Access`;
//! 4. for organization-scoped forms, refuses a submission rendered for another organization than the current
//!    one (another tab switched client), keeping the input to offer it again.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_session::SessionExt;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::{Method, header};
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures_util::future::LocalBoxFuture;

use crate::AppState;
use crate::auth::scope::{Identity, resolve_identity};
use crate::auth::session;
use crate::auth::tokens::constant_time_eq;
use crate::error::{AppError, ContextChanged};
use crate::web::routes::Access;

/// Largest urlencoded form body the guard will read (multipart uploads carry their tokens in the query string).
const MAX_FORM_BYTES: usize = 256 * 1024;

pub struct Guard {
    access: Access,
}

impl Guard {
    pub fn new(access: Access) -> Guard {
        Guard { access }
    }
}

impl<S> Transform<S, ServiceRequest> for Guard
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error> + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = GuardService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(GuardService { service: Rc::new(service), access: self.access }))
    }
}

pub struct GuardService<S> {
    service: Rc<S>,
    access: Access,
}

impl<S> Service<ServiceRequest> for GuardService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error> + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let access = self.access;
        Box::pin(async move {
            match authorize(&mut req, access).await {
                Ok(()) => service.call(req).await,
                Err(err) => Ok(refusal(req, err)),
            }
        })
    }
}

/// A refused request: sign-in redirects for pages, the error page otherwise.
fn refusal(req: ServiceRequest, err: AppError) -> ServiceResponse<BoxBody> {
    if matches!(err, AppError::SignInRequired) && req.method() == Method::GET {
        let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let location = format!("/login?next={}", crate::web::urlencode(next));
        let response = HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        return req.into_response(response);
    }
    req.error_response(err)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn authorize(req: &mut ServiceRequest, access: Access) -> Result<(), AppError> {
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::internal("no app state"))?;
    let fields = if is_state_changing(req.method()) {
        check_same_origin(req, &state)?;
        let fields = read_form_fields(req).await?;
        check_csrf(req, &fields)?;
        Some(fields)
    } else {
        None
    };
    if access == Access::Public {
        return Ok(());
    }
    let identity = load_identity(req, &state).await?.ok_or(AppError::SignInRequired)?;
    // A form for another organization is refused as such, before asking what the user may do in this one.
    if access.is_org_scoped()
        && let Some(fields) = &fields
    {
        check_form_org(req, &identity, fields, &state).await?;
    }
    if !access.allows(Some(&identity)) {
        return Err(AppError::Forbidden);
    }
    req.extensions_mut().insert(identity);
    Ok(())
}

/// Sec-Fetch-Site when the browser sends it, else Origin; a request with neither (old clients, tools) still has
/// to pass the csrf token check.
fn check_same_origin(req: &ServiceRequest, state: &AppState) -> Result<(), AppError> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if site == "same-origin" { Ok(()) } else { Err(AppError::CrossOrigin) };
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let info = req.connection_info();
    let own = format!("{}://{}", info.scheme(), info.host());
    if origin == state.config.base_url || origin == own { Ok(()) } else { Err(AppError::CrossOrigin) }
}

/// The urlencoded fields of the body (read and then put back for the handler), plus the query string's
/// fields (where multipart forms carry their tokens).
async fn read_form_fields(req: &mut ServiceRequest) -> Result<Vec<(String, String)>, AppError> {
    let mut fields: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let is_urlencoded = req.content_type().eq_ignore_ascii_case("application/x-www-form-urlencoded");
    if is_urlencoded {
        let body = read_body(req).await?;
        let parsed: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadRequest("The form could not be read. Reload the page and try again.".into()))?;
        fields.extend(parsed);
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    Ok(fields)
}

async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("The form upload was interrupted.".into()))?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(AppError::BadRequest("The form is too large.".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn check_csrf(req: &ServiceRequest, fields: &[(String, String)]) -> Result<(), AppError> {
    let session = req.get_session();
    let expected = session::existing_csrf_token(&session).ok_or(AppError::FormExpired)?;
    let given = field(fields, "_csrf").or_else(|| req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()));
    match given {
        Some(token) if constant_time_eq(token, &expected) => Ok(()),
        _ => Err(AppError::FormExpired),
    }
}

async fn load_identity(req: &ServiceRequest, state: &web::Data<AppState>) -> Result<Option<Identity>, AppError> {
    let session = req.get_session();
    let Some((user_id, stamp)) = session::user(&session) else { return Ok(None) };
    let wanted_org = session::org(&session);
    let wanted = wanted_org.clone();
    let identity = state.db.run(move |conn| Ok(resolve_identity(conn, &user_id, &stamp, wanted.as_deref())?)).await?;
    match &identity {
        None => session::sign_out(&session),
        Some(identity) => {
            let resolved = identity.org.as_ref().map(|o| o.id.clone());
            if resolved != wanted_org
                && let Some(org_id) = resolved
            {
                session::set_org(&session, &org_id);
            }
        }
    }
    Ok(identity)
}

/// A form rendered for another organization than the current one is refused, its input kept.
async fn check_form_org(
    req: &ServiceRequest,
    identity: &Identity,
    fields: &[(String, String)],
    state: &web::Data<AppState>,
) -> Result<(), AppError> {
    let Some(form_org) = field(fields, "_org") else { return Ok(()) };
    let Some(current) = &identity.org else { return Ok(()) };
    if form_org == current.id {
        return Ok(());
    }
    let form_org_id = form_org.to_string();
    let (lookup, who) = (form_org_id.clone(), identity.clone());
    // Only an organization the user reaches is named (and offered for resubmission); any other is not found.
    let form_org_name = state
        .db
        .run(move |conn| Ok(crate::auth::scope::org_context(conn, &who, &lookup)?.map(|o| o.name)))
        .await?
        .ok_or(AppError::NotFound)?;
    let kept = fields.iter().filter(|(k, _)| k != "_csrf" && k != "_org" && !k.contains("password")).cloned().collect();
    Err(AppError::ContextChanged(Box::new(ContextChanged {
        form_org_id,
        form_org_name,
        current_org_name: current.name.clone(),
        target: req.path().to_string(),
        csrf: field(fields, "_csrf").unwrap_or_default().to_string(),
        fields: kept,
    })))
}
