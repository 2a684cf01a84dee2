//! Palisade: compliance and PSA for managed service providers. This file builds the application: state,
//! middleware and the routes of every area.

pub mod audit;
pub mod auth;
pub mod billing;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod db;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod orgs;
pub mod portal;
pub mod psa;
pub mod schema;
pub mod storage;
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
use crate::jobs::Scheduler;
use crate::mail::Mailer;
use crate::storage::Storage;

/// Shared by every request and by the scheduler's jobs.
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mailer: Mailer,
    pub storage: Storage,
    /// The jobs of every area and this instance's identity in their leases.
    pub jobs: Scheduler,
    pub limits: RateLimits,
    /// Every "now" of the application (tests use a manual clock).
    pub clock: clock::Clock,
    /// TXT lookups that verify a client's portal domain (tests: `portal::brand::domain::MemoryDns`).
    pub dns: Arc<dyn portal::brand::domain::TxtResolver>,
    /// Live chat's events to this instance's sockets (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL).
    pub chat: psa::chat::ChatHub,
}

impl AppState {
    /// The state of one instance: the mailer and file storage the configuration names, every registered job,
    /// on the system clock.
    pub fn new(config: Config, db: Db) -> Result<AppState, String> {
        let clock = clock::Clock::system();
        Ok(AppState {
            mailer: Mailer::from_config(&config)?,
            storage: Storage::from_config(&config)?,
            jobs: Scheduler::new(jobs::registry()),
            chat: psa::chat::ChatHub::new(&db.backend),
            config: Arc::new(config),
            db,
            limits: RateLimits::new(clock.clone()),
            clock,
            dns: Arc::new(portal::brand::domain::SystemDns::new()),
        })
    }

    /// The same state with another DNS resolver (tests: `MemoryDns`).
    pub fn with_dns(mut self, dns: Arc<dyn portal::brand::domain::TxtResolver>) -> AppState {
        self.dns = dns;
        self
    }

    /// The same state on another clock (tests: `Clock::manual`); the rate limits start afresh on it.
    pub fn with_clock(mut self, clock: clock::Clock) -> AppState {
        self.limits = RateLimits::new(clock.clone());
        self.clock = clock;
        self
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
        .wrap(web::error_shell::ErrorShell)
        .wrap(session)
        .wrap(middleware::from_fn(web::request_log::request_log))
        .wrap(middleware::from_fn(web::headers::security_headers))
        .wrap(middleware::Compress::default())
        .wrap(middleware::from_fn(web::body_deadline::body_deadline))
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
