//! Palisade: compliance and PSA for managed service providers. This file builds the application: state,
//! middleware and the routes of every area.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod db;
pub mod error;
pub mod mail;
pub mod orgs;
pub mod psa;
pub mod schema;
pub mod web;

use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, Error, middleware, web as aweb};

use crate::auth::ratelimit::RateLimits;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;

/// Shared by every request.
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mailer: Mailer,
    pub limits: RateLimits,
    /// Every "now" of the application (tests use a manual clock).
    pub clock: clock::Clock,
}

impl AppState {
    pub fn new(config: Config, db: Db, mailer: Mailer) -> AppState {
        AppState::with_clock(config, db, mailer, clock::Clock::system())
    }

    /// The state on a given clock (tests use a manual one).
    pub fn with_clock(config: Config, db: Db, mailer: Mailer, clock: clock::Clock) -> AppState {
        AppState { config: Arc::new(config), db, mailer, limits: RateLimits::new(clock.clone()), clock }
    }

    /// An absolute link for emails.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }
}

pub const SESSION_COOKIE: &str = "palisade_session";

/// The whole application, ready for `HttpServer::new` or `actix_web::test::init_service`.
pub fn app(
    state: aweb::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let key = Key::from(&state.config.session_key);
    let session = SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(SESSION_COOKIE.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(state.config.secure_cookies())
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::days(7)))
        .build();
    App::new()
        .app_data(state)
        .app_data(aweb::FormConfig::default().limit(256 * 1024).error_handler(|_, _| {
            error::AppError::BadRequest("The form could not be read. Reload the page and try again.".into()).into()
        }))
        .app_data(aweb::QueryConfig::default().error_handler(|_, _| {
            error::AppError::BadRequest("That link has a malformed query. Go back and try again.".into()).into()
        }))
        .wrap(session)
        .wrap(web::headers::security_headers())
        .wrap(middleware::Compress::default())
        .configure(|cfg| web::routes::register(cfg, web::routes::all()))
        .service(actix_files::Files::new("/static", static_dir()).prefer_utf8(true))
        .default_service(aweb::to(|| async { Err::<actix_web::HttpResponse, _>(error::AppError::NotFound) }))
}

/// static/ next to the binary's crate (development) or PALISADE_STATIC_DIR.
fn static_dir() -> std::path::PathBuf {
    std::env::var_os("PALISADE_STATIC_DIR")
        .map(Into::into)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static"))
}
