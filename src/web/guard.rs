//! The per-route guard. Before any handler runs it:
//! 1. refuses control characters in the path or query string (a friendly 400) and strips them from form
//!    values (keeping tab, line feed and carriage return), once for every route;
//! 2. for API-key routes, resolves the bearer key (no cookie, no csrf); for every other state-changing request,
//!    checks the same-origin headers (WebSocket upgrades included) and the session csrf token;
//! 3. resolves the route's principal: the staff identity from the session (record open, user stamp unchanged,
//!    an active membership left, organization still reachable; on public routes too, optionally), a portal
//!    user in the portal's client, an auditor's grant, or an API key, and stores it for the extractors (the
//!    staff identity stays in the request when the route is refused too, for the error page's app shell and the
//!    request log);
//! 4. enforces the route's `Access`;
//! 5. for organization-scoped forms, refuses a submission whose `_org` is missing or names another
//!    organization than the one the request acts on (another tab switched client), keeping the input.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_session::SessionExt;
use actix_web::body::BoxBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::{Method, header};
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;

use crate::AppState;
use crate::auth::identity;
use crate::auth::portal;
use crate::auth::scope::Identity;
use crate::auth::tokens::constant_time_eq;
use crate::auth::{api_keys, auditor, session, sessions};
use crate::db::ids::OrgId;
use crate::error::{AppError, ContextChanged};
use crate::portal::auth::sessions as portal_sessions;
use crate::web::routes::{Access, Principal};

/// Largest urlencoded form body the guard will read.
const MAX_FORM_BYTES: usize = 256 * 1024;
/// How much of a multipart body the guard reads to find its leading `_csrf` and `_org` fields.
const MAX_MULTIPART_PREFIX: usize = 16 * 1024;

/// The organization an organization-scoped request acts on (the current one, or the person's MSP on MSP
/// routes): the one its forms must name in `_org`, and the one pages render into their forms.
#[derive(Clone, Debug)]
pub struct ActingOrg(pub OrgId);

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
                Err(err) => Ok(refusal(req, access, err)),
            }
        })
    }
}

/// A refused request: staff pages send visitors to sign in; everything else gets the error page.
fn refusal(req: ServiceRequest, access: Access, err: AppError) -> ServiceResponse<BoxBody> {
    let to_sign_in = matches!(access.principal(), Principal::Staff | Principal::PortalUser);
    if matches!(err, AppError::SignInRequired) && req.method() == Method::GET && to_sign_in {
        let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        // A portal page sends to the portal's own sign-in (by slug, or on the portal's domain).
        let sign_in = match (access.principal(), req.match_info().get("client_slug")) {
            (Principal::PortalUser, Some(slug)) => format!("/portal/{slug}/sign-in"),
            (Principal::PortalUser, None) => "/sign-in".to_string(),
            _ => "/login".to_string(),
        };
        let location = format!("{sign_in}?next={}", crate::web::urlencode(next));
        let response = HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        return req.into_response(response);
    }
    req.error_response(err)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn app_state(req: &ServiceRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::internal("no app state"))
}

async fn authorize(req: &mut ServiceRequest, access: Access) -> Result<(), AppError> {
    let state = app_state(req)?;
    refuse_control_characters(req)?;
    if access.principal() == Principal::ApiKey {
        return authorize_api_key(req, access, &state).await;
    }
    let fields = check_origin_and_tokens(req, &state).await?;
    match access.principal() {
        Principal::Anyone => load_identity(req.request(), &state).await.map(|_| ()),
        Principal::Staff => authorize_staff(req, access, fields.as_deref(), &state).await,
        Principal::PortalUser => authorize_portal(req, access, &state).await,
        Principal::Auditor => authorize_auditor(req, &state).await,
        Principal::ApiKey => unreachable!("API keys are resolved above"),
    }
}

async fn authorize_staff(
    req: &mut ServiceRequest,
    access: Access,
    fields: Option<&[(String, String)]>,
    state: &AppState,
) -> Result<(), AppError> {
    let identity = load_identity(req.request(), state).await?.ok_or(AppError::SignInRequired)?;
    if access.is_org_scoped() {
        let acting = acting_org(&identity, access).ok_or(AppError::Forbidden)?;
        if let Some(fields) = fields {
            // A form for another organization is refused as such, before asking what the user may do.
            check_form_org(req, &identity, &acting, fields, state).await?;
        }
        req.extensions_mut().insert(ActingOrg(acting));
    }
    if !access.allows(Some(&identity)) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

async fn authorize_auditor(req: &mut ServiceRequest, state: &AppState) -> Result<(), AppError> {
    let session = req.get_session();
    let grant = session::auditor_grant(&session).ok_or(AppError::SignInRequired)?;
    let now = state.clock.now();
    let Some(scope) = state.db.run(move |conn| Ok(auditor::resolve(conn, &grant, now)?)).await? else {
        session::sign_out(&session);
        return Err(AppError::SignInRequired);
    };
    req.extensions_mut().insert(scope);
    Ok(())
}

/// Same-origin for state-changing requests and WebSocket upgrades (a cross-site page can open a socket with
/// the person's cookies); the form fields and their csrf token for state-changing ones (None for reads).
async fn check_origin_and_tokens(
    req: &mut ServiceRequest,
    state: &AppState,
) -> Result<Option<Vec<(String, String)>>, AppError> {
    let changes_state = is_state_changing(req.method());
    if changes_state || req.headers().contains_key(header::UPGRADE) {
        check_same_origin(req, state)?;
    }
    if !changes_state {
        return Ok(None);
    }
    let fields = read_form_fields(req).await?;
    check_csrf(req, &fields)?;
    Ok(Some(fields))
}

/// The organization an organization-scoped route acts on: the current one, or on MSP routes the person's MSP.
fn acting_org(identity: &Identity, access: Access) -> Option<OrgId> {
    match access {
        Access::Msp(_) => identity.msp.as_ref().map(|m| m.id.clone()),
        _ => identity.org.as_ref().map(|o| o.id.clone()),
    }
}

async fn authorize_api_key(req: &mut ServiceRequest, access: Access, state: &AppState) -> Result<(), AppError> {
    let Access::ApiKey(needed) = access else { return Err(AppError::Forbidden) };
    let key = api_keys::bearer_key(req).ok_or(AppError::SignInRequired)?;
    let scope = state.db.run(move |conn| Ok(api_keys::resolve(conn, &key)?)).await?.ok_or(AppError::SignInRequired)?;
    if !scope.has(needed) {
        return Err(AppError::Forbidden);
    }
    req.extensions_mut().insert(scope);
    Ok(())
}

/// A portal route: the client the path (or the host) names, and the portal session the cookie holds, which
/// must be bound to that client and still stand. A staff session plays no part (it never opens the portal as
/// an end user); a session of another client's portal gets "not found", as does an unknown client.
async fn authorize_portal(req: &mut ServiceRequest, access: Access, state: &AppState) -> Result<(), AppError> {
    let Access::Portal(needed) = access else { return Err(AppError::Forbidden) };
    let target = portal::target_of(req.request(), state);
    let session = req.get_session();
    let cookie = session::portal_record(&session);
    let now = state.clock.now();
    let probe = cookie.clone();
    let (client, resolved) = state
        .db
        .run(move |conn| {
            let Some(client) = portal::find_client(conn, &target)? else { return Ok((None, None)) };
            let Some(cookie) = probe.filter(|c| c.client == client.id.as_str()) else {
                return Ok((Some(client), None));
            };
            let resolved = portal_sessions::resolve(conn, &cookie.record, &cookie.stamp, &client.id)?;
            match &resolved {
                None => portal_sessions::end(conn, &cookie.record, now)?,
                Some(r) if now - r.last_seen_at >= sessions::LAST_SEEN_EVERY => {
                    portal_sessions::touch(conn, &cookie.record, now)?
                }
                Some(_) => {}
            }
            Ok((Some(client), resolved))
        })
        .await?;
    let client = client.ok_or(AppError::NotFound)?;
    let cookie = cookie.ok_or(AppError::SignInRequired)?;
    if cookie.client != client.id.as_str() {
        return Err(AppError::NotFound);
    }
    let Some(resolved) = resolved else {
        session::end_portal(&session);
        return Err(AppError::SignInRequired);
    };
    let scope = portal::scope_of(client, resolved);
    if !scope.can(needed) {
        return Err(AppError::Forbidden);
    }
    req.extensions_mut().insert(scope);
    Ok(())
}

/// Control characters never belong in an address: a percent-decoded path or query string with one is refused.
fn refuse_control_characters(req: &ServiceRequest) -> Result<(), AppError> {
    let has_control = |text: &str| crate::web::percent_decode(text).chars().any(char::is_control);
    if has_control(req.path()) || has_control(&req.query_string().replace('+', " ")) {
        return Err(AppError::BadRequest(
            "That address contains characters a link never has. Go back and follow the link again.".into(),
        ));
    }
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

/// The form fields the guard checks: the query string's, then an urlencoded body's (control characters
/// stripped, and the cleaned body put back for the handler) or a multipart body's leading text fields.
async fn read_form_fields(req: &mut ServiceRequest) -> Result<Vec<(String, String)>, AppError> {
    let mut fields: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let content_type = req.content_type().to_ascii_lowercase();
    if content_type == "application/x-www-form-urlencoded" {
        let body = read_body(req).await?;
        let parsed: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadRequest("The form could not be read. Reload the page and try again.".into()))?;
        let cleaned: Vec<(String, String)> =
            parsed.into_iter().map(|(k, v)| (strip_control(&k), strip_control(&v))).collect();
        let encoded = serde_urlencoded::to_string(&cleaned)
            .map_err(|_| AppError::BadRequest("The form could not be read. Reload the page and try again.".into()))?;
        fields.extend(cleaned);
        req.set_payload(Payload::from(web::Bytes::from(encoded)));
    } else if content_type == "multipart/form-data" {
        fields.extend(leading_multipart_fields(req).await?);
    }
    Ok(fields)
}

/// A form value without control characters, except tab, line feed and carriage return.
pub fn strip_control(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return text.to_string();
    }
    text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect()
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

/// The small text fields at the start of a multipart body (where forms put `_csrf` and `_org`), read without
/// consuming the body: what was read is put back in front of the rest for the handler.
async fn leading_multipart_fields(req: &mut ServiceRequest) -> Result<Vec<(String, String)>, AppError> {
    use futures_util::StreamExt;
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("boundary=")))
        .map(|b| format!("--{}", b.trim_matches('"')));
    let Some(boundary) = boundary else { return Ok(Vec::new()) };
    let mut payload = req.take_payload();
    let mut prefix = web::BytesMut::new();
    while prefix.len() < MAX_MULTIPART_PREFIX {
        match payload.next().await {
            Some(chunk) => prefix
                .extend_from_slice(&chunk.map_err(|_| AppError::BadRequest("The upload was interrupted.".into()))?),
            None => break,
        }
    }
    let prefix = prefix.freeze();
    let fields = parse_leading_parts(&prefix, &boundary);
    let rest = futures_util::stream::once(async move { Ok(prefix) }).chain(payload);
    req.set_payload(Payload::Stream { payload: Box::pin(rest) });
    Ok(fields)
}

/// Parses `name="..."` text parts from the start of a multipart body, stopping at the first file part or at
/// the end of what was read.
fn parse_leading_parts(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let mut fields = Vec::new();
    for part in text.split(boundary).skip(1) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { break };
        if head.contains("filename=") {
            break;
        }
        let Some(name) = head.split("name=\"").nth(1).and_then(|rest| rest.split('"').next()) else { break };
        let Some(value) = value.strip_suffix("\r\n") else { break };
        fields.push((name.to_string(), strip_control(value)));
    }
    fields
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

/// The staff identity of a request that no route guard saw (an address no route matches), resolved as the guard
/// resolves it: for the error pages that keep the signed-in person's app shell.
pub async fn signed_in_identity(req: &HttpRequest) -> Option<Identity> {
    let state = req.app_data::<web::Data<AppState>>()?.clone();
    load_identity(req, &state).await.ok().flatten()
}

/// The staff identity the session cookie names, if it still stands (see `auth::identity::resolve`), resolved
/// once per request and kept in the request: for the extractors when the route lets the person in, for the
/// error page's app shell when it does not. A cookie whose session no longer stands is cleared, and its record
/// ended (a person with no active membership left keeps no session). The record's "last seen" is refreshed at
/// most once a minute.
async fn load_identity(req: &HttpRequest, state: &AppState) -> Result<Option<Identity>, AppError> {
    if let Some(identity) = req.extensions().get::<Identity>() {
        return Ok(Some(identity.clone()));
    }
    let session = req.get_session();
    let Some((session_id, stamp)) = session::signed_in_record(&session) else { return Ok(None) };
    let wanted_org = session::org(&session).unwrap_or_default();
    let now = state.clock.now();
    let wanted = wanted_org.clone();
    let resolved = state
        .db
        .run(move |conn| {
            let resolved = identity::resolve(conn, &session_id, &stamp, &wanted)?;
            match &resolved {
                None => end_record(conn, &session_id, now)?,
                Some(r) if now - r.last_seen_at >= sessions::LAST_SEEN_EVERY => {
                    sessions::touch(conn, &r.identity.session_id, now)?
                }
                Some(_) => {}
            }
            Ok(resolved)
        })
        .await?;
    let Some(resolved) = resolved else {
        session::sign_out(&session);
        return Ok(None);
    };
    let identity = resolved.identity;
    if let Some(org) = &identity.org
        && org.id.as_str() != wanted_org
    {
        session::set_org(&session, &org.id);
    }
    req.extensions_mut().insert(identity.clone());
    Ok(Some(identity))
}

/// Ends a session record that no longer stands (whoever it belongs to; a no-op when unknown or already ended).
fn end_record(
    conn: &mut crate::db::DbConnection,
    session_id: &str,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<()> {
    use crate::schema::sessions as s;
    use diesel::prelude::*;
    diesel::update(s::table.filter(s::id.eq(session_id)).filter(s::ended_at.is_null()))
        .set(s::ended_at.eq(Some(now)))
        .execute(conn)
        .map(|_| ())
}

/// A form must name the organization it was rendered for, and it must be the one the request acts on; a
/// missing `_org` is refused (nothing is applied to whatever organization the session holds), a different
/// one is refused with the input kept, to offer it again there.
async fn check_form_org(
    req: &ServiceRequest,
    identity: &Identity,
    acting: &OrgId,
    fields: &[(String, String)],
    state: &AppState,
) -> Result<(), AppError> {
    let from_header = req.headers().get("x-palisade-org").and_then(|v| v.to_str().ok());
    let Some(form_org) = field(fields, "_org").or(from_header) else { return Err(AppError::FormExpired) };
    if form_org == acting.as_str() {
        return Ok(());
    }
    let form_org_id = form_org.to_string();
    let (lookup, who) = (form_org_id.clone(), identity.clone());
    // Only an organization the user reaches is named (and offered for resubmission); any other is not found.
    let form_org_name = state
        .db
        .run(move |conn| Ok(identity::org_context(conn, &who, &lookup)?.map(|o| o.name)))
        .await?
        .ok_or(AppError::NotFound)?;
    let current_org_name = current_name(identity, acting);
    let kept = fields.iter().filter(|(k, _)| k != "_csrf" && k != "_org" && !k.contains("password")).cloned().collect();
    Err(AppError::ContextChanged(Box::new(ContextChanged {
        form_org_id,
        form_org_name,
        current_org_name,
        target: req.path().to_string(),
        csrf: field(fields, "_csrf").unwrap_or_default().to_string(),
        fields: kept,
    })))
}

fn current_name(identity: &Identity, acting: &OrgId) -> String {
    let from_msp = identity.msp.as_ref().filter(|m| &m.id == acting).map(|m| m.name.clone());
    let from_org = identity.org.as_ref().filter(|o| &o.id == acting).map(|o| o.name.clone());
    from_msp.or(from_org).unwrap_or_default()
}
