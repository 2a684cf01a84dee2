//! Test harness: a fresh database per test (a SQLite file, or a PostgreSQL database cloned from a migrated
//! template), the real application with lettre's stub mail transport and a manual clock (starting at
//! `start_time()`; tests advance it), a cookie-keeping client, and fixture builders. Scheduled work runs only when a test
//! says so: `app.run_pending_jobs().await` (and `app.mail().await`, which delivers the outbox first).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{test, web};
use base64::Engine;
use diesel::prelude::*;

use palisade::AppState;
use palisade::auth::permissions::{Role, Tier};
use palisade::clock::Clock;
use palisade::config::Config;
use palisade::db::ids::{MailId, MembershipId, OrgId, UserId};
use palisade::db::{Db, DbConnection};
use palisade::jobs::JobOutcome;
use palisade::mail::OutgoingMail;
use palisade::orgs::models::{self, OrgKind};
use palisade::portal::brand::domain::MemoryDns;

pub const PASSWORD: &str = "correct horse battery staple";

/// Where every test's manual clock starts (tests move it with `app.clock().advance(...)`).
pub fn start_time() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(9, 0, 0).unwrap()
}

/// A database for one test, removed when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub fn create() -> TestDb {
        match std::env::var("PALISADE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => Self::postgres(&admin_url),
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                std::fs::copy(sqlite_template(), &path).expect("copy the SQLite template");
                let url = format!("sqlite://{}", path.display());
                TestDb { url, _dir: Some(dir), pg_drop: None }
            }
        }
    }

    fn postgres(admin_url: &str) -> TestDb {
        let template = pg_template(admin_url);
        let name = format!("palisade_t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(admin_url).expect("connect to PALISADE_TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin)
            .expect("create test db");
        TestDb { url: with_database(admin_url, &name), _dir: None, pg_drop: Some((admin_url.to_string(), name)) }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg_drop
            && let Ok(mut admin) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

/// The URL of another database on the same PostgreSQL server.
fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("postgres url has a database");
    format!("{base}/{name}")
}

/// A migrated template database, made once per test run (migrations run once, each test clones it).
fn pg_template(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("palisade_tpl_{}", std::process::id());
            let mut admin = diesel::PgConnection::establish(admin_url).expect("connect to PALISADE_TEST_DATABASE_URL");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .expect("drop");
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create template");
            let db = Db::open(&with_database(admin_url, &name), 1).expect("migrate template");
            load_catalog(&db);
            drop(db);
            name
        })
        .clone()
}

/// Loads the embedded compliance catalog, as start-up does.
fn load_catalog(db: &Db) {
    let mut conn = db.conn().expect("template connection");
    palisade::compliance::catalog::load::ensure_loaded(&mut conn).expect("load the catalog into the template");
}

/// A migrated SQLite database with the catalog loaded, made once per test run; each test copies the file.
fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: OnceLock<std::path::PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_templates(dir);
        let path = dir.join(format!("palisade-template-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let db = Db::open(&format!("sqlite://{}", path.display()), 1).expect("migrate the SQLite template");
        load_catalog(&db);
        // Everything into the main file, so that copying it alone copies the whole database.
        let mut conn = db.conn().expect("template connection");
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, "PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        drop(conn);
        drop(db);
        path
    })
}

/// Templates of earlier runs (one per process; a run takes minutes, not hours).
fn remove_stale_templates(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3 * 3600));
        if name.starts_with("palisade-template-") && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An application instance on an existing (migrated) database, answering DNS lookups from `dns`.
fn instance(config: Config, clock: Clock, dns: Arc<MemoryDns>) -> web::Data<AppState> {
    let pool = Db::open(&config.database_url, 4).expect("open test database");
    web::Data::new(AppState::new(config, pool).expect("application state").with_clock(clock).with_dns(dns))
}

/// A delivered message as the tests read it (bodies decoded).
pub fn delivered_mail(raw: &[u8]) -> OutgoingMail {
    let message = crate::mail::read_message(raw);
    OutgoingMail::new(&message.to, message.subject, message.text, message.html.unwrap_or_default())
}

pub fn test_config(database_url: &str, data_dir: &std::path::Path) -> Config {
    test_config_with(database_url, data_dir, &[])
}

/// The test configuration with variables set as the environment would set them; an empty value unsets one
/// (e.g. `("PALISADE_MAIL_TRANSPORT", "")` so that `PALISADE_SMTP_HOST` alone selects SMTP).
pub fn test_config_with(database_url: &str, data_dir: &std::path::Path, vars: &[(&str, &str)]) -> Config {
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
    let mut env: HashMap<&str, String> = HashMap::from([
        ("PALISADE_DATA_DIR", data_dir.display().to_string()),
        ("DATABASE_URL", database_url.to_string()),
        ("PALISADE_SESSION_KEY", key),
        ("PALISADE_MAIL_TRANSPORT", "memory".to_string()),
        ("PALISADE_BASE_URL", "http://localhost".to_string()),
        ("PALISADE_DB_POOL_SIZE", "4".to_string()),
    ]);
    for (name, value) in vars {
        env.insert(name, value.to_string());
    }
    Config::from_lookup(|k| env.get(k).filter(|v| !v.is_empty()).cloned()).expect("test config")
}

/// The application under test with its own database.
pub struct TestApp {
    pub state: web::Data<AppState>,
    /// The DNS the application sees: tests create records here (`app.dns.set(name, &[value])`).
    pub dns: Arc<MemoryDns>,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_config(&[]).await
    }

    /// The application with some settings changed (see `test_config_with`).
    pub async fn with_config(vars: &[(&str, &str)]) -> TestApp {
        let db = TestDb::create();
        let dir = tempfile::tempdir().expect("data dir");
        let config = test_config_with(&db.url, dir.path(), vars);
        let dns = Arc::new(MemoryDns::default());
        let state = instance(config, Clock::manual(start_time()), dns.clone());
        TestApp { state, dns, _db: db, _dir: dir }
    }

    /// Another instance of the application on the same database and data directory (its own pool, scheduler
    /// and instance id), sharing this one's clock: what a second server behind the load balancer is.
    pub fn second_instance(&self) -> web::Data<AppState> {
        instance((*self.state.config).clone(), self.state.clock.clone(), self.dns.clone())
    }

    /// Now, on the application's clock.
    pub fn now(&self) -> chrono::NaiveDateTime {
        self.state.clock.now()
    }

    /// An installation that has been onboarded (so sign-in pages are live).
    pub async fn onboarded() -> TestApp {
        let app = TestApp::new().await;
        let mut conn = app.conn();
        palisade::db::settings::set(&mut conn, palisade::db::settings::ONBOARDED_AT, "2026-01-01", app.now()).unwrap();
        app
    }

    /// An app with the MSP fixture (`fixture::msp`).
    pub async fn with_msp() -> (TestApp, fixture::Msp) {
        let app = TestApp::new().await;
        let f = fixture::msp(&mut app.conn());
        (app, f)
    }

    /// An app with the MSP fixture and another tenant (`fixture::other`).
    pub async fn with_tenants() -> (TestApp, fixture::Msp, fixture::Other) {
        let app = TestApp::new().await;
        let (f, other) = {
            let mut conn = app.conn();
            (fixture::msp(&mut conn), fixture::other(&mut conn))
        };
        (app, f, other)
    }

    pub fn conn(&self) -> r2d2::PooledConnection<palisade::db::Manager> {
        self.state.db.conn().expect("test connection")
    }

    pub async fn client(
        &self,
    ) -> Client<impl Service<actix_http::Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>>
    {
        let svc = test::init_service(palisade::app(self.state.clone())).await;
        Client { svc, cookies: HashMap::new(), csrf: None, org: None, ip: "10.0.0.1".into(), bearer: None, host: None }
    }

    /// A client signed in (through the sign-in form) as `email`, on its home page.
    pub async fn signed_in(
        &self,
        email: &str,
    ) -> Client<impl Service<actix_http::Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>>
    {
        let mut c = self.client().await;
        c.sign_in(email).await;
        c
    }

    /// The application's clock: manual, standing still at `start_time()` until a test moves it
    /// (`app.clock().advance(Duration::minutes(5))`).
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Runs every scheduled job now (each does the work that is due at the clock's time), as the scheduler's
    /// timer would, and returns what each did.
    pub async fn run_pending_jobs(&self) -> Vec<JobOutcome> {
        self.state.jobs.run_all(&self.state).await.expect("the scheduler ran")
    }

    /// Every email delivered so far, oldest first, after delivering what is due in the outbox.
    pub async fn mail(&self) -> Vec<OutgoingMail> {
        self.run_pending_jobs().await;
        self.state.mailer.delivered().await.iter().map(|raw| delivered_mail(raw.as_bytes())).collect()
    }

    /// The portal link (path and query, without the host) in the newest email to `to` whose text has a line
    /// containing `marker` ("/link/" for a sign-in link, "/welcome/" for an invitation, "/reset/"), or None. The
    /// browser tests take their emailed sign-in link from here.
    pub async fn portal_link_for(&self, to: &str, marker: &str) -> Option<String> {
        let mail = self.mail().await;
        let text = &mail.iter().rev().find(|m| m.to == to && m.text.contains(marker))?.text;
        let line = text.lines().find(|l| l.contains(marker))?;
        let url = line.split_whitespace().find(|w| w.contains(marker))?;
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        after_scheme.find('/').map(|at| after_scheme[at..].to_string())
    }

    /// SQL statements run so far through the pool.
    pub fn queries(&self) -> u64 {
        self.state.db.counter.get()
    }

    /// The statements one GET of `path` runs once warm: the page is fetched twice (both must answer 200), and the
    /// second is counted, so one-off work of a first visit (a session touch, a lazy catalog load) stays out.
    pub async fn statements_of<S, B>(&self, client: &mut Client<S>, path: &str) -> u64
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        client.get(path).await.assert_status(200);
        let before = self.queries();
        client.get(path).await.assert_status(200);
        self.queries() - before
    }
}

/// A response as a person sees it.
pub struct Resp {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: actix_web::http::header::HeaderMap,
}

impl Resp {
    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text)
    }
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body:\n{}", excerpt(&self.body));
        self
    }
    #[track_caller]
    pub fn assert_redirect(&self, to: &str) -> &Self {
        assert!(
            self.status.is_redirection(),
            "expected a redirect to {to}, got {}:\n{}",
            self.status,
            excerpt(&self.body)
        );
        assert_eq!(self.location.as_deref(), Some(to));
        self
    }
    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "expected {text:?} in:\n{}", excerpt(&self.body));
        self
    }
    #[track_caller]
    pub fn assert_not_contains(&self, text: &str) -> &Self {
        assert!(!self.body.contains(text), "did not expect {text:?} in:\n{}", excerpt(&self.body));
        self
    }
}

fn excerpt(body: &str) -> String {
    let text = strip_tags(body);
    text.chars().take(3000).collect()
}

/// The visible text of an HTML page (roughly), for readable failure messages.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cookie-keeping client over the in-process application. Forms get the csrf token and organization of
/// the last page seen, as a browser would send them.
pub struct Client<S> {
    svc: S,
    cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    pub org: Option<String>,
    pub ip: String,
    /// An API key sent as `Authorization: Bearer` with every request.
    pub bearer: Option<String>,
    /// The Host header of every request when set (a client's own portal domain).
    pub host: Option<String>,
}

fn hidden_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_string())
}

impl<S, B> Client<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub async fn get(&mut self, path: &str) -> Resp {
        let req = test::TestRequest::get().uri(path);
        self.send(req).await
    }

    /// POSTs a form; adds `_csrf` and `_org` from the last page when the fields do not carry them.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if !pairs.iter().any(|(k, _)| k == "_csrf")
            && let Some(token) = &self.csrf
        {
            pairs.push(("_csrf".into(), token.clone()));
        }
        if !pairs.iter().any(|(k, _)| k == "_org")
            && let Some(org) = &self.org
        {
            pairs.push(("_org".into(), org.clone()));
        }
        self.post_pairs(path, &pairs).await
    }

    /// POSTs an upload form (`multipart/form-data`) as a browser does: `_csrf` and `_org` of the last page first,
    /// then the text fields, then the file, if any, as (field, filename, content).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        const BOUNDARY: &str = "----palisade-test-boundary-7MA4YWxkTrZu0gW";
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(token) = &self.csrf {
            pairs.push(("_csrf".into(), token.clone()));
        }
        if let Some(org) = &self.org {
            pairs.push(("_org".into(), org.clone()));
        }
        pairs.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in &pairs {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((field, filename, content)) = file {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", format!("multipart/form-data; boundary={BOUNDARY}")))
            .set_payload(body);
        self.send(req).await
    }

    /// POSTs exactly these fields (no tokens added).
    pub async fn post_pairs(&mut self, path: &str, pairs: &[(String, String)]) -> Resp {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body);
        self.send(req).await
    }

    pub async fn send(&mut self, mut req: test::TestRequest) -> Resp {
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.insert_header(("cookie", cookie));
        }
        req = req.peer_addr(format!("{}:40000", self.ip).parse().unwrap());
        if let Some(key) = &self.bearer {
            req = req.insert_header(("authorization", format!("Bearer {key}")));
        }
        if let Some(host) = &self.host {
            req = req.insert_header(("host", host.as_str()));
        }
        let resp = test::call_service(&self.svc, req.to_request()).await;
        let status = resp.status();
        let headers = resp.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap_or("");
            let first = text.split(';').next().unwrap_or("");
            if let Some((name, val)) = first.split_once('=') {
                let expired = text.to_ascii_lowercase().contains("max-age=0");
                if expired || val.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), val.to_string());
                }
            }
        }
        let location = headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = test::read_body(resp).await;
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(token) = hidden_value(&body, "_csrf") {
            self.csrf = Some(token);
        }
        if let Some(org) = hidden_value(&body, "_org") {
            self.org = Some(org);
        }
        Resp { status, location, body, headers }
    }

    /// Follows a redirect with a GET.
    pub async fn follow(&mut self, resp: &Resp) -> Resp {
        let to = resp.location.clone().expect("a redirect");
        self.get(&to).await
    }

    /// Signs in through the real form; panics unless it succeeds.
    pub async fn sign_in(&mut self, email: &str) -> Resp {
        self.sign_in_with(email, PASSWORD).await.assert_status(303);
        let resp = self.get("/start").await;
        let to = resp.location.clone().unwrap_or_else(|| "/overview".into());
        self.get(&to).await
    }

    /// Signs in to a client's portal through its own sign-in form (`base` is `/portal/{slug}`, or "" on the
    /// client's domain); panics unless it succeeds. Returns the portal's front page.
    pub async fn portal_sign_in(&mut self, base: &str, email: &str) -> Resp {
        let resp = self.portal_sign_in_with(base, email, PASSWORD).await;
        resp.assert_status(303);
        self.follow(&resp).await
    }

    pub async fn portal_sign_in_with(&mut self, base: &str, email: &str, password: &str) -> Resp {
        self.get(&format!("{base}/sign-in")).await;
        self.post(&format!("{base}/sign-in"), &[("email", email), ("password", password)]).await
    }

    pub async fn sign_in_with(&mut self, email: &str, password: &str) -> Resp {
        self.get("/login").await;
        self.post("/login", &[("email", email), ("password", password)]).await
    }

    /// Invites through Settings -> Team Members of the current organization, opening the page first as a person
    /// would.
    pub async fn invite(&mut self, email: &str, role: &str) -> Resp {
        self.get("/settings/team").await;
        self.post("/settings/team/invite", &[("email", email), ("role", role)]).await
    }

    /// Switches the current organization through the sidebar switcher.
    pub async fn switch_to(&mut self, org_id: &str) -> Resp {
        let resp = self.post("/switch", &[("org_id", org_id)]).await;
        resp.assert_status(303);
        self.follow(&resp).await
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    /// The value of a cookie the client holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Sets (or replaces) a cookie, as a copied cookie would be replayed.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }
}

/// Fixture builders: rows inserted directly, as a seed would (at the start of every test's manual clock).
pub mod fixture {
    use super::*;

    /// One password hash shared by every fixture user (hashing is deliberately slow).
    pub fn password_hash() -> &'static str {
        static HASH: OnceLock<String> = OnceLock::new();
        HASH.get_or_init(|| palisade::auth::password::hash_password(PASSWORD))
    }

    pub fn user(conn: &mut DbConnection, email: &str, name: &str) -> UserId {
        palisade::auth::users::insert(conn, email, name, password_hash(), false, start_time()).unwrap()
    }

    pub fn super_admin(conn: &mut DbConnection, email: &str, name: &str) -> UserId {
        palisade::auth::users::insert(conn, email, name, password_hash(), true, start_time()).unwrap()
    }

    pub fn org(conn: &mut DbConnection, kind: OrgKind, name: &str) -> OrgId {
        let slug = palisade::web::forms::slugify(name);
        let new = models::NewOrg {
            kind,
            name,
            slug: &slug,
            timezone: "America/New_York",
            contact_email: "",
            seat_limit: models::DEFAULT_SEAT_LIMIT,
        };
        models::insert_org(conn, &new, start_time()).unwrap()
    }

    pub fn client_of(conn: &mut DbConnection, msp: &OrgId, name: &str, tier: Tier) -> OrgId {
        let id = org(conn, OrgKind::Client, name);
        models::link_client(conn, msp, &id, tier).unwrap();
        id
    }

    pub fn member(conn: &mut DbConnection, org: &OrgId, user: &UserId, role: Role) -> MembershipId {
        models::insert_membership(conn, org, user, role, start_time()).unwrap()
    }

    /// A client's end user of the portal: a user with a PORTAL_USER membership in `client` and a portal account
    /// linked to `contact` (seeing only their own tickets unless `sees_company_tickets`).
    pub fn portal_user(
        conn: &mut DbConnection,
        client: &OrgId,
        email: &str,
        name: &str,
        contact: Option<&palisade::db::ids::ContactId>,
        sees_company_tickets: bool,
    ) -> UserId {
        use palisade::schema::portal_accounts as pa;
        let id = user(conn, email, name);
        member(conn, client, &id, Role::PortalUser);
        diesel::insert_into(pa::table)
            .values((
                pa::id.eq(uuid::Uuid::now_v7().to_string()),
                pa::org_id.eq(client.as_str()),
                pa::user_id.eq(id.as_str()),
                pa::contact_id.eq(contact.map(|c| c.as_str().to_string())),
                pa::sees_company_tickets.eq(sees_company_tickets),
                pa::created_at.eq(start_time()),
                pa::updated_at.eq(start_time()),
            ))
            .execute(conn)
            .unwrap();
        id
    }

    /// Puts a membership on its organization's compliance team.
    pub fn on_compliance_team(conn: &mut DbConnection, membership: &MembershipId) {
        use palisade::schema::memberships;
        diesel::update(memberships::table.find(membership.as_str()))
            .set(memberships::compliance_team.eq(true))
            .execute(conn)
            .unwrap();
    }

    pub fn assign(conn: &mut DbConnection, client: &OrgId, users: &[&UserId]) {
        let ids: Vec<UserId> = users.iter().map(|u| (*u).clone()).collect();
        models::set_assignments(conn, client, &ids, start_time()).unwrap();
    }

    /// An open invitation into `org` (its token is thrown away).
    pub fn invitation(conn: &mut DbConnection, org: &OrgId) -> String {
        use palisade::schema::invitations;
        let id = palisade::db::new_id();
        diesel::insert_into(invitations::table)
            .values((
                invitations::id.eq(&id),
                invitations::org_id.eq(org),
                invitations::email.eq("invitee@fixture.test"),
                invitations::role.eq(Role::Employee),
                invitations::token_hash.eq(palisade::auth::tokens::hash_token(&palisade::auth::tokens::new_token())),
                invitations::expires_at.eq(start_time() + chrono::Duration::days(7)),
                invitations::created_at.eq(start_time()),
            ))
            .execute(conn)
            .unwrap();
        id
    }

    /// An email about `org` that failed for good (what Administration -> Email offers to retry).
    pub fn failed_mail(conn: &mut DbConnection, org: &OrgId, now: chrono::NaiveDateTime) -> MailId {
        use palisade::mail::{OutgoingMail, SendError, outbox};
        let mail = OutgoingMail::new("bounced@fixture.test", "Welcome", "Hello".into(), String::new()).for_org(org);
        let id = outbox::enqueue(conn, now, &mail).unwrap();
        for row in outbox::claim_due(conn, now, 100).unwrap().iter().filter(|row| row.id == id) {
            outbox::mark_failed_attempt(conn, row, now, &SendError::permanent("mailbox unavailable")).unwrap();
        }
        id
    }

    /// Adopts a framework in `org` as the frameworks page does (default scope), creating its controls.
    pub fn adopt(conn: &mut DbConnection, org: &OrgId, framework: &str, now: chrono::NaiveDateTime) {
        use palisade::compliance::frameworks::models::set_adopted;
        use palisade::compliance::program::{index, sync, today};
        let scoping = palisade::compliance::program::scoping::Scoping::default();
        set_adopted(conn, org, framework, true, &scoping, now).unwrap();
        let day = today(now, chrono_tz::America::New_York);
        sync::refresh(conn, index::embedded().unwrap(), org, day, now).unwrap();
        sync::ensure_scheduled(conn, org, now + chrono::Duration::days(1), now).unwrap();
    }

    /// An evidence item of `org` holding one stored file (revision 1), submitted by `by` and linked to
    /// `controls` (which the organization's adopted frameworks must need).
    pub async fn evidence_file(
        app: &TestApp,
        org: &OrgId,
        by: &UserId,
        title: &str,
        controls: &[&str],
    ) -> palisade::db::ids::EvidenceId {
        use palisade::compliance::evidence::models::{self, EvidenceKind, EvidenceSource, NewEvidence};
        use palisade::storage::multipart::UploadedFile;
        let key = palisade::storage::new_key(&["org", org, "evidence"]);
        let stored = app.state.storage.put(&key, bytes::Bytes::from_static(b"%PDF-1.7 fixture")).await.unwrap();
        let file = UploadedFile { field: "file".into(), filename: "policy.pdf".into(), stored };
        let now = app.now();
        let day = palisade::db::Day::from(now.date());
        let new = NewEvidence {
            title,
            source: EvidenceSource::File,
            kind: EvidenceKind::Document,
            url: "",
            body: "",
            effective_on: day,
            valid_until: day.plus_months(12),
        };
        let mut conn = app.conn();
        let id = models::insert(&mut conn, org, &new, by, now).unwrap();
        models::add_revision(&mut conn, org, &id, &file, (new.effective_on, new.valid_until), by, now).unwrap();
        let controls: Vec<String> = controls.iter().map(|c| c.to_string()).collect();
        models::link(&mut conn, org, &id, &controls, by, now).unwrap();
        models::resummarize(&mut conn, org, &controls, now).unwrap();
        id
    }

    /// A business associate agreement of `org`; its id.
    pub fn baa(conn: &mut DbConnection, org: &OrgId, now: chrono::NaiveDateTime) -> String {
        use palisade::schema::baa_agreements as b;
        let id = palisade::db::new_id();
        diesel::insert_into(b::table)
            .values((
                b::id.eq(&id),
                b::org_id.eq(org.as_str()),
                b::associate.eq("Fixture Billing Service"),
                b::status.eq("active"),
                b::signed_on.eq("2026-01-02"),
                b::created_at.eq(now),
                b::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
        id
    }

    /// An open data-subject request of `org`; its id.
    pub fn dsr(conn: &mut DbConnection, org: &OrgId, now: chrono::NaiveDateTime) -> String {
        use palisade::schema::dsr_requests as d;
        let id = palisade::db::new_id();
        diesel::insert_into(d::table)
            .values((
                d::id.eq(&id),
                d::org_id.eq(org.as_str()),
                d::requester.eq("Ref. fixture"),
                d::kind.eq("access"),
                d::received_on.eq("2026-03-01"),
                d::due_on.eq("2026-04-01"),
                d::status.eq("open"),
                d::created_at.eq(now),
                d::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
        id
    }

    pub fn count(conn: &mut DbConnection, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    }

    /// An MSP with three clients (one per tier), staff in every MSP role and an admin in each client.
    pub struct Msp {
        pub msp: OrgId,
        pub t1: OrgId,
        pub t2: OrgId,
        pub t3: OrgId,
        pub admin: UserId,
        pub msp_admin: UserId,
        pub tech: UserId,
        pub client_admin: UserId,
    }

    pub const MSP_NAME: &str = "Northwind Managed IT";

    pub fn msp(conn: &mut DbConnection) -> Msp {
        let msp = org(conn, OrgKind::Msp, MSP_NAME);
        let t1 = client_of(conn, &msp, "Tier One Dental", Tier::Monitor);
        let t2 = client_of(conn, &msp, "Tier Two Legal", Tier::Operate);
        let t3 = client_of(conn, &msp, "Tier Three Health", Tier::Manage);
        let admin = super_admin(conn, "admin@northwind.test", "Morgan Admin");
        member(conn, &msp, &admin, Role::Admin);
        let msp_admin = user(conn, "mspadmin@northwind.test", "Priya MspAdmin");
        member(conn, &msp, &msp_admin, Role::MspAdmin);
        let tech = user(conn, "tech@northwind.test", "Tom Tech");
        member(conn, &msp, &tech, Role::MspTechnician);
        assign(conn, &t2, &[&tech]);
        let client_admin = user(conn, "owner@tiertwo.test", "Olive Owner");
        member(conn, &t2, &client_admin, Role::Admin);
        palisade::db::settings::set(conn, palisade::db::settings::ONBOARDED_AT, "2026-01-01", start_time()).unwrap();
        Msp { msp, t1, t2, t3, admin, msp_admin, tech, client_admin }
    }

    /// Another MSP with one client: the "other tenant" of cross-tenant tests.
    pub struct Other {
        pub msp: OrgId,
        pub client: OrgId,
        pub admin: UserId,
    }

    pub const OTHER_NAME: &str = "Contoso Rival IT";
    pub const OTHER_CLIENT: &str = "Rival Client Bakery";

    pub fn other(conn: &mut DbConnection) -> Other {
        let msp = org(conn, OrgKind::Msp, OTHER_NAME);
        let client = client_of(conn, &msp, OTHER_CLIENT, Tier::Manage);
        let admin = user(conn, "admin@contoso.test", "Rita Rival");
        member(conn, &msp, &admin, Role::Admin);
        Other { msp, client, admin }
    }
}

/// Reading pages the way a person scans them: one table row, one labelled figure, the banner.
pub mod page {
    /// The first table row (`<tr>...</tr>`) that contains `needle` (panics when there is none).
    #[track_caller]
    pub fn row(body: &str, needle: &str) -> String {
        body.split("<tr")
            .skip(1)
            .map(|rest| {
                format!("<tr{}", &rest[..rest.find("</tr>").map(|end| end + "</tr>".len()).unwrap_or(rest.len())])
            })
            .find(|row| row.contains(needle))
            .unwrap_or_else(|| panic!("no table row with {needle:?} on the page"))
    }

    /// Is there a table row containing `needle`?
    pub fn has_row(body: &str, needle: &str) -> bool {
        body.split("<tr").skip(1).any(|rest| rest[..rest.find("</tr>").unwrap_or(rest.len())].contains(needle))
    }

    /// The text of the element marked `data-testid="{id}"` up to its first child tag.
    #[track_caller]
    pub fn testid(body: &str, id: &str) -> String {
        let marker = format!("data-testid=\"{id}\"");
        let at = body.find(&marker).unwrap_or_else(|| panic!("no {marker} on the page"));
        let rest = &body[at..];
        let open_end = rest.find('>').expect("tag end") + 1;
        let text = &rest[open_end..];
        text[..text.find('<').unwrap_or(text.len())].trim().to_string()
    }

    /// The organization banner's visible text.
    pub fn banner(body: &str) -> String {
        let part = body.split("data-testid=\"org-banner\"").nth(1).unwrap_or("");
        super::strip_tags(part.split("</div>").next().unwrap_or(""))
    }

    /// How many times `needle` occurs.
    pub fn occurrences(body: &str, needle: &str) -> usize {
        body.matches(needle).count()
    }
}

/// Database checks shared by the area tests.
pub mod db {
    use chrono::NaiveDateTime;
    use diesel::prelude::*;
    use palisade::db::DbConnection;
    use palisade::schema::{activity_log, invitations, memberships, organizations, technician_assignments, users};

    /// The id of a user's membership in an organization.
    pub fn membership_id(conn: &mut DbConnection, org: &str, user: &str) -> String {
        memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::user_id.eq(user))
            .select(memberships::id)
            .first(conn)
            .expect("membership")
    }

    /// (role, compliance_team, deactivated) of a membership.
    pub fn membership(conn: &mut DbConnection, id: &str) -> (String, bool, bool) {
        let (role, team, off): (String, bool, Option<NaiveDateTime>) = memberships::table
            .find(id)
            .select((memberships::role, memberships::compliance_team, memberships::deactivated_at))
            .first(conn)
            .expect("membership");
        (role, team, off.is_some())
    }

    /// The id of an organization's contact by email.
    pub fn contact_id(conn: &mut DbConnection, org: &str, email: &str) -> String {
        use palisade::schema::contacts;
        contacts::table
            .filter(contacts::org_id.eq(org))
            .filter(contacts::email.eq(email))
            .select(contacts::id)
            .first(conn)
            .expect("contact")
    }

    /// The id of an organization's ticket by number.
    pub fn ticket_id(conn: &mut DbConnection, org: &str, number: i64) -> String {
        use palisade::schema::tickets;
        tickets::table
            .filter(tickets::org_id.eq(org))
            .filter(tickets::number.eq(number))
            .select(tickets::id)
            .first(conn)
            .expect("ticket")
    }

    /// The id of an organization's ticket attachment by file name.
    pub fn attachment_id(conn: &mut DbConnection, org: &str, filename: &str) -> String {
        use palisade::schema::ticket_attachments as a;
        a::table
            .filter(a::org_id.eq(org))
            .filter(a::filename.eq(filename))
            .select(a::id)
            .first(conn)
            .expect("attachment")
    }

    pub fn user_id(conn: &mut DbConnection, email: &str) -> Option<String> {
        users::table.filter(users::email.eq(email)).select(users::id).first(conn).optional().unwrap()
    }

    /// One activity-log entry, as the tests check it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Logged {
        pub actor_user_id: Option<palisade::db::ids::UserId>,
        pub target_id: String,
        pub target_label: String,
        pub details: String,
    }

    /// The entries of `action` in an organization's log, oldest first.
    pub fn logged(conn: &mut DbConnection, org: &str, action: &str) -> Vec<Logged> {
        let rows: Vec<(Option<palisade::db::ids::UserId>, String, String, String)> = activity_log::table
            .filter(activity_log::org_id.eq(org))
            .filter(activity_log::action.eq(action))
            .order((activity_log::created_at.asc(), activity_log::id.asc()))
            .select((
                activity_log::actor_user_id,
                activity_log::target_id,
                activity_log::target_label,
                activity_log::details,
            ))
            .load(conn)
            .unwrap();
        rows.into_iter()
            .map(|(actor_user_id, target_id, target_label, details)| Logged {
                actor_user_id,
                target_id,
                target_label,
                details,
            })
            .collect()
    }

    /// Everything a forbidden or cross-tenant request could change, as comparable text.
    pub fn snapshot(conn: &mut DbConnection) -> Vec<String> {
        let mut out = Vec::new();
        let orgs: Vec<(String, String, String, String, i32, Option<NaiveDateTime>)> = organizations::table
            .order(organizations::id)
            .select((
                organizations::id,
                organizations::kind,
                organizations::name,
                organizations::slug,
                organizations::seat_limit,
                organizations::archived_at,
            ))
            .load(conn)
            .unwrap();
        out.extend(orgs.iter().map(|r| format!("org {r:?}")));
        let members: Vec<(String, String, String, String, bool, Option<NaiveDateTime>)> = memberships::table
            .order(memberships::id)
            .select((
                memberships::id,
                memberships::org_id,
                memberships::user_id,
                memberships::role,
                memberships::compliance_team,
                memberships::deactivated_at,
            ))
            .load(conn)
            .unwrap();
        out.extend(members.iter().map(|r| format!("membership {r:?}")));
        let links: Vec<(String, Option<String>, Option<String>)> = organizations::table
            .filter(organizations::msp_org_id.is_not_null())
            .order(organizations::id)
            .select((organizations::id, organizations::msp_org_id, organizations::tier))
            .load(conn)
            .unwrap();
        out.extend(links.iter().map(|r| format!("msp_client {r:?}")));
        let assigned: Vec<(String, String)> = technician_assignments::table
            .order((technician_assignments::org_id, technician_assignments::user_id))
            .select((technician_assignments::org_id, technician_assignments::user_id))
            .load(conn)
            .unwrap();
        out.extend(assigned.iter().map(|r| format!("assignment {r:?}")));
        type InvitationTuple =
            (String, String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let invited: Vec<InvitationTuple> = invitations::table
            .order(invitations::id)
            .select((
                invitations::id,
                invitations::org_id,
                invitations::role,
                invitations::token_hash,
                invitations::expires_at,
                invitations::accepted_at,
                invitations::revoked_at,
            ))
            .load(conn)
            .unwrap();
        out.extend(invited.iter().map(|r| format!("invitation {r:?}")));
        let people: Vec<(String, String, String)> =
            users::table.order(users::id).select((users::id, users::email, users::name)).load(conn).unwrap();
        out.extend(people.iter().map(|r| format!("user {r:?}")));
        let entries: i64 = activity_log::table.count().get_result(conn).unwrap();
        out.push(format!("activity entries {entries}"));
        out
    }
}

/// Every row of every table, all columns, as text (table name -> sorted rows), for "nothing changed" checks.
/// `owned` keeps, per table, only the rows a tenant owns (see `access_matrix::tenant_rows`); None keeps all.
pub fn table_snapshot(
    conn: &mut DbConnection,
    keep: &dyn Fn(&str, &[String]) -> Option<String>,
) -> std::collections::BTreeMap<String, Vec<String>> {
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let sqlite = conn.is_sqlite();
    let tables: Vec<String> = diesel::sql_query(if sqlite {
        "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '__diesel%' ORDER BY name"
    } else {
        "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name NOT LIKE '__diesel%' ORDER BY table_name"
    })
    .load::<Text>(conn)
    .unwrap()
    .into_iter()
    .map(|r| r.t)
    .collect();
    let mut out = std::collections::BTreeMap::new();
    for table in tables {
        let columns: Vec<String> = diesel::sql_query(if sqlite {
            format!("SELECT name AS t FROM pragma_table_info('{table}') ORDER BY cid")
        } else {
            format!(
                "SELECT column_name::text AS t FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name = '{table}' ORDER BY ordinal_position"
            )
        })
        .load::<Text>(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.t)
        .collect();
        let Some(filter) = keep(&table, &columns) else { continue };
        let row = if sqlite {
            columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ")
        } else {
            "CAST(x AS TEXT)".to_string()
        };
        let sql = format!("SELECT {row} AS t FROM \"{table}\" AS x WHERE {filter} ORDER BY 1");
        let rows = diesel::sql_query(sql).load::<Text>(conn).unwrap().into_iter().map(|r| r.t).collect();
        out.insert(table, rows);
    }
    out
}

/// The invitation token in an email's link.
#[track_caller]
pub fn invitation_token(mail: &OutgoingMail) -> String {
    let marker = "/invitations/";
    let at = mail.text.find(marker).unwrap_or_else(|| panic!("no invitation link in:\n{}", mail.text)) + marker.len();
    mail.text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}
