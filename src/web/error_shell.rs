//! Not-found and forbidden pages for a signed-in person keep the app shell (sidebar, switcher, banner), so that
//! a wrong link or a refused action never strands them on a bare page. `AppError` renders the plain page (it has
//! no request to build the shell from); this middleware, inside the session middleware, replaces that body for
//! a signed-in person and keeps the status. Anyone else (signed out, a stale session) keeps the plain page. Who is
//! signed in is the route guard's answer (see `web::guard::signed_in_identity`), never read here from the session.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::{Error, FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use crate::AppState;
use crate::auth::scope::Identity;
use crate::error::AppError;
use crate::web::{PageContext, PageInput};

pub struct ErrorShell;

impl<S, B> Transform<S, ServiceRequest> for ErrorShell
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ErrorShellService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ErrorShellService { service: Rc::new(service) }))
    }
}

pub struct ErrorShellService<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for ErrorShellService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        // API requests get their errors as JSON (the request log middleware shapes them), never a page.
        let wants_json = crate::web::request_log::wants_json(&req);
        Box::pin(async move {
            let res = service.call(req).await?;
            if wants_json {
                return Ok(res.map_into_left_body());
            }
            let Some(refusal) = Refusal::of(&res) else { return Ok(res.map_into_left_body()) };
            let (req, res) = res.into_parts();
            match signed_in_page(&req, refusal).await {
                Some(page) => Ok(ServiceResponse::new(req, page).map_into_right_body()),
                None => Ok(ServiceResponse::new(req, res).map_into_left_body()),
            }
        })
    }
}

/// The refusals that get the shell.
#[derive(Clone, Copy)]
enum Refusal {
    NotFound,
    Forbidden,
}

impl Refusal {
    fn of<B>(res: &ServiceResponse<B>) -> Option<Refusal> {
        match res.response().error()?.as_error::<AppError>()? {
            AppError::NotFound => Some(Refusal::NotFound),
            AppError::Forbidden => Some(Refusal::Forbidden),
            _ => None,
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::Forbidden => StatusCode::FORBIDDEN,
        }
    }
}

#[derive(Template)]
#[template(path = "errors/error_shell.html")]
struct ErrorShellPage {
    page: PageContext,
    status: u16,
    title: &'static str,
    message: String,
    home: String,
}

/// The error page inside the shell, or None when nobody is signed in.
async fn signed_in_page(req: &HttpRequest, refusal: Refusal) -> Option<HttpResponse> {
    let state = req.app_data::<web::Data<AppState>>()?.clone();
    // The route guard keeps the identity it resolved, refused or not; an address no route matches had no guard.
    let identity = crate::web::guard::signed_in_identity(req).await?;
    let (title, message) = text(refusal, &identity);
    let home = crate::orgs::switcher::home_of(&identity);
    let input = PageInput::extract(req).await.ok()?;
    let mut page = state.db.run(move |conn| Ok(input.load(conn)?)).await.ok()?;
    // The refused address is not echoed (the switcher would offer it as the place to return to).
    page.path = home.clone();
    let body = ErrorShellPage { page, status: refusal.status().as_u16(), title, message, home }.render().ok()?;
    Some(HttpResponse::build(refusal.status()).content_type("text/html; charset=utf-8").body(body))
}

fn text(refusal: Refusal, identity: &Identity) -> (&'static str, String) {
    let org = identity.org.as_ref().map(|o| o.name.as_str());
    match (refusal, org) {
        (Refusal::NotFound, _) => (
            "Page not found",
            "There is nothing at this address, or it belongs to an organization you do not reach. Check the link, \
             or choose where to go from the navigation."
                .into(),
        ),
        (Refusal::Forbidden, Some(org)) => (
            "Not allowed",
            format!(
                "Your access in {org} does not include this. If you need it, ask an administrator of {org}, or switch \
                 to another organization."
            ),
        ),
        (Refusal::Forbidden, None) => (
            "Not allowed",
            "You have no organization selected that allows this. Choose one with Switch organization, or ask an \
             administrator to invite you."
                .into(),
        ),
    }
}
