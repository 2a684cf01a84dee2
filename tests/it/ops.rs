//! Running in production: security and cache headers, the JSON error shape, the request log, slow request
//! bodies, migrations with several instances, recovery from dropped database connections, the activity write
//! throttle and the operations settings.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Barrier, Mutex};

use actix_web::dev::Payload;
use actix_web::test as actix_test;
use bytes::Bytes;
use diesel::prelude::*;
use futures_util::StreamExt;

use crate::support::{TestApp, fixture};
use palisade::config::{Config, StorageSettings};
use palisade::db::{BackendUrl, Db};
use palisade::schema::organizations;

fn header(resp: &crate::support::Resp, name: &str) -> Option<String> {
    resp.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[actix_web::test]
async fn pages_are_never_cached_and_https_installations_send_hsts() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let login = c.get("/login").await;
    assert_eq!(header(&login, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(header(&login, "strict-transport-security"), None, "no HSTS over plain http");
    assert_eq!(header(&login, "x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header(&login, "content-security-policy").is_some_and(|csp| csp.contains("frame-ancestors 'none'")));
    c.sign_in("admin@northwind.test").await;
    for path in ["/msp/dashboard", "/settings/team", "/admin/mail"] {
        let page = c.get(path).await;
        page.assert_status(200);
        assert_eq!(header(&page, "cache-control").as_deref(), Some("no-store"), "{path}");
    }
    let not_found = c.get("/no/such/page").await;
    assert_eq!(header(&not_found, "cache-control").as_deref(), Some("no-store"));
    let css = c.get("/static/css/app.css").await;
    css.assert_status(200);
    assert_ne!(header(&css, "cache-control").as_deref(), Some("no-store"), "static files may be cached");

    let https = TestApp::with_config(&[("PALISADE_BASE_URL", "https://palisade.example.com")]).await;
    let mut c = https.client().await;
    let page = c.get("/login").await;
    assert_eq!(header(&page, "strict-transport-security").as_deref(), Some("max-age=63072000; includeSubDomains"));
    let css = c.get("/static/css/app.css").await;
    assert!(header(&css, "strict-transport-security").is_some(), "on every response");
}

#[actix_web::test]
async fn api_requests_get_errors_in_the_json_shape_with_a_stable_code() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let json = |resp: &crate::support::Resp| -> serde_json::Value {
        assert_eq!(header(resp, "content-type").as_deref(), Some("application/json"), "{}", resp.body);
        serde_json::from_str(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.body))
    };
    let missing = c.get("/api/v1/nothing").await;
    missing.assert_status(404);
    assert_eq!(json(&missing)["error"]["code"], "not_found");
    assert!(json(&missing)["error"]["message"].as_str().unwrap().contains("nothing here"));

    // Any route, when the client asks for JSON.
    let req = actix_test::TestRequest::get().uri("/settings/team").insert_header(("accept", "application/json"));
    let anonymous = c.send(req).await;
    assert_eq!(anonymous.status.as_u16(), 303, "a visitor's GET is still sent to sign in");
    let req =
        actix_test::TestRequest::post().uri("/settings/team/invite").insert_header(("accept", "application/json"));
    let refused = c.send(req).await;
    refused.assert_status(403);
    assert_eq!(json(&refused)["error"]["code"], "form_expired");
    c.sign_in("tech@northwind.test").await;
    let req = actix_test::TestRequest::get().uri("/admin/orgs").insert_header(("accept", "application/json"));
    let forbidden = c.send(req).await;
    forbidden.assert_status(403);
    assert_eq!(json(&forbidden)["error"]["code"], "forbidden");

    // Pages stay pages.
    c.get("/admin/orgs").await.assert_status(403).assert_contains("Not allowed");
}

/// Log lines written while `f` runs on this thread.
struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogWriter;
    fn make_writer(&'a self) -> LogWriter {
        LogWriter(self.0.clone())
    }
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn every_request_is_logged_with_route_status_user_and_organization_and_failures_with_their_cause() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::fmt()
        .with_writer(LogCapture(buffer.clone()))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let log = LogCapture(buffer);

    let mut c = app.client().await;
    c.sign_in("admin@northwind.test").await;
    let token = palisade::auth::tokens::new_token();
    c.get(&format!("/invitations/{token}")).await;
    c.get("/settings/team").await.assert_status(200);
    let text = log.text();
    let team = text.lines().find(|l| l.contains("route=/settings/team")).unwrap_or_else(|| panic!("{text}"));
    assert!(team.contains("method=GET") && team.contains("status=200") && team.contains("ms="), "{team}");
    assert!(team.contains(&format!("user_id={}", f.admin)) && team.contains(&format!("org_id={}", f.msp)), "{team}");
    assert!(text.contains("route=/invitations/{token}"), "the route pattern is logged");
    assert!(!text.contains(&token), "never the token in the path");
    // Inside a client, the organization of a request is the one it acts on: the client, or the MSP on MSP pages.
    c.switch_to(&f.t2).await;
    c.get("/msp/clients").await.assert_status(200);
    let text = log.text();
    let line = |route: &str| text.lines().rfind(|l| l.contains(&format!("route={route} "))).unwrap_or("").to_string();
    assert!(line("/overview").contains(&format!("org_id={}", f.t2)), "{}", line("/overview"));
    assert!(line("/msp/clients").contains(&format!("org_id={}", f.msp)), "{}", line("/msp/clients"));
    assert!(line("/msp/clients").contains(&format!("user_id={}", f.admin)), "{}", line("/msp/clients"));

    // A failure on our side: the cause chain in the log, once; a friendly page for the person.
    diesel::sql_query("DROP TABLE activity_log").execute(&mut app.conn()).unwrap();
    let failed = c.get("/settings/activity").await;
    failed.assert_status(500).assert_contains("Something went wrong").assert_not_contains("activity_log");
    let text = log.text();
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("request failed")).collect();
    assert_eq!(errors.len(), 1, "logged once:\n{text}");
    assert!(errors[0].contains("ERROR") && errors[0].contains("internal"), "{}", errors[0]);
    assert!(errors[0].contains("database: ") && errors[0].contains("activity_log"), "the cause: {}", errors[0]);
    assert!(errors[0].contains("route=/settings/activity"), "{}", errors[0]);
    let req = actix_test::TestRequest::get().uri("/settings/activity").insert_header(("accept", "application/json"));
    let json = c.send(req).await;
    json.assert_status(500);
    assert_eq!(
        json.body,
        r#"{"error":{"code":"internal","message":"We could not complete this request. Nothing was half-saved; please try again in a moment."}}"#
    );
}

#[actix_web::test]
async fn a_request_body_that_trickles_is_cut_off_with_408_and_the_connection_closed() {
    let app = TestApp::with_config(&[("PALISADE_BODY_TIMEOUT_SECS", "1")]).await;
    fixture::msp(&mut app.conn());
    let service = actix_test::init_service(palisade::app(app.state.clone())).await;
    // A form that announces 1000 bytes, sends 10 and then nothing.
    let request = actix_test::TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("content-length", "1000"))
        .to_request();
    let trickle = futures_util::stream::once(async {
        Ok::<_, actix_web::error::PayloadError>(Bytes::from_static(b"email=a%40"))
    })
    .chain(futures_util::stream::pending());
    let trickle: actix_http::BoxedPayloadStream = Box::pin(trickle);
    let (request, _) = request.replace_payload(Payload::Stream { payload: trickle });
    let response = actix_test::call_service(&service, request).await;
    assert_eq!(response.status().as_u16(), 408);
    assert_eq!(response.response().head().connection_type(), actix_web::http::ConnectionType::Close);
    let body = String::from_utf8(actix_test::read_body(response).await.to_vec()).unwrap();
    assert!(body.contains("The request took too long"), "{body}");
    // An ordinary form is not affected.
    let mut c = app.client().await;
    c.sign_in_with("admin@northwind.test", crate::support::PASSWORD).await.assert_status(303);
}

/// A database nothing has touched yet: a new PostgreSQL database, or a new SQLite file.
struct EmptyDatabase {
    url: String,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl EmptyDatabase {
    fn new() -> EmptyDatabase {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("PALISADE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin) => {
                let name = format!("palisade_empty_{}", uuid::Uuid::now_v7().simple());
                let mut conn = diesel::PgConnection::establish(&admin).unwrap();
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).unwrap();
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                EmptyDatabase { url, _dir: dir, pg: Some((admin, name)) }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
                EmptyDatabase { url, _dir: dir, pg: None }
            }
        }
    }
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
        }
    }
}

#[test]
fn instances_starting_together_on_an_empty_database_both_come_up() {
    let db = EmptyDatabase::new();
    let barrier = Arc::new(Barrier::new(3));
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let (url, barrier) = (db.url.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Db::open(&url, 2).map(|_| ()).map_err(|e| e.to_string())
            })
        })
        .collect();
    for start in starts {
        assert_eq!(start.join().unwrap(), Ok(()), "every instance migrates or finds the work done");
    }
    let opened = Db::open(&db.url, 1).unwrap();
    let applied = fixture::count(&mut opened.conn().unwrap(), "SELECT COUNT(*) AS n FROM __diesel_schema_migrations");
    let expected = std::fs::read_dir("migrations/sqlite").unwrap().count() as i64;
    assert_eq!(applied, expected, "each migration applied once");
}

#[test]
fn a_sqlite_migration_that_leaves_a_dangling_reference_fails_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, up: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("up.sql"), up).unwrap();
        std::fs::write(path.join("down.sql"), "SELECT 1;").unwrap();
    };
    write("2026-01-01-000001_parents", "CREATE TABLE parents (id TEXT PRIMARY KEY NOT NULL);");
    write(
        "2026-01-01-000002_children",
        "CREATE TABLE children (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT NOT NULL REFERENCES parents (id));\n\
         INSERT INTO children (id, parent_id) VALUES ('c1', 'no-such-parent');",
    );
    let path = dir.path().join("test.db");
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let migrations = diesel_migrations::FileBasedMigrations::from_path(dir.path()).unwrap();
    let failed = palisade::db::migrate_sqlite(&mut conn, migrations).unwrap_err();
    assert!(failed.contains("foreign key check failed") && failed.contains("children"), "{failed}");
    let tables = fixture_count_sqlite(
        &mut conn,
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('parents', 'children')",
    );
    assert_eq!(tables, 0, "the whole run was rolled back");
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        foreign_keys: i64,
    }
    let flag: Flag = diesel::sql_query("PRAGMA foreign_keys").get_result(&mut conn).unwrap();
    assert_eq!(flag.foreign_keys, 1, "foreign keys are back on");
}

fn fixture_count_sqlite(conn: &mut diesel::SqliteConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[actix_web::test]
async fn requests_recover_once_the_pool_drops_connections_the_server_ended() {
    let app = TestApp::new().await;
    let BackendUrl::Postgres { url } = app.state.db.backend.clone() else {
        eprintln!("(PostgreSQL only: connection termination does not apply to SQLite)");
        return;
    };
    let mut c = app.client().await;
    // Fill the pool: several requests at once hold several connections.
    let health = || actix_test::TestRequest::get().uri("/healthz");
    for _ in 0..4 {
        c.send(health()).await.assert_status(200);
    }
    let conns: Vec<_> = (0..4).map(|_| app.state.db.conn().unwrap()).collect();
    drop(conns);
    let database = url.rsplit('/').next().unwrap().to_string();
    let admin = std::env::var("PALISADE_TEST_DATABASE_URL").unwrap();
    let mut admin = diesel::PgConnection::establish(&admin).unwrap();
    #[derive(QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let ended: Ended = diesel::sql_query(format!(
        "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
         WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    ))
    .get_result(&mut admin)
    .unwrap();
    assert!(ended.n >= 4, "the app's connections were ended ({})", ended.n);

    // Each stale connection can fail one request, then the pool has dropped it.
    let mut failures = 0;
    for _ in 0..4 {
        if c.send(health()).await.status.as_u16() != 200 {
            failures += 1;
        }
    }
    assert!(failures <= 4);
    for _ in 0..10 {
        c.send(health()).await.assert_status(200);
    }
}

#[actix_web::test]
async fn activity_marks_the_organization_at_most_once_a_minute() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let stamp = |ago: chrono::Duration| {
        diesel::update(organizations::table.find(&f.t2))
            .set(organizations::last_activity_at.eq(app.now() - ago))
            .execute(&mut app.conn())
            .unwrap();
    };
    let stored = || -> chrono::NaiveDateTime {
        organizations::table.find(&f.t2).select(organizations::last_activity_at).first(&mut app.conn()).unwrap()
    };
    let actor = palisade::audit::Actor::system("test", app.now());
    let record = || {
        palisade::audit::record(
            &mut app.conn(),
            &actor,
            Some(&f.t2),
            palisade::audit::Action::ClientUpdated,
            palisade::audit::Target::new("x", "1", "x"),
        )
        .unwrap()
    };
    stamp(chrono::Duration::seconds(30));
    let recent = stored();
    record();
    assert_eq!(stored(), recent, "marked less than a minute ago: not written again");
    stamp(chrono::Duration::minutes(2));
    let old = stored();
    record();
    assert!(stored() > old + chrono::Duration::minutes(1), "older than a minute: brought up to now");
}

fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.entry("PALISADE_DATA_DIR".into()).or_insert_with(|| dir.path().display().to_string());
    Config::from_lookup(|k| map.get(k).cloned()).map_err(|e| e.to_string())
}

#[test]
fn operations_settings_have_working_defaults_and_clear_errors() {
    let defaults = config(&[]).unwrap();
    assert!(defaults.jobs_enabled);
    assert_eq!(defaults.upload_limit_bytes, 25 * 1024 * 1024);
    assert_eq!(defaults.storage, StorageSettings::Directory(defaults.data_dir.join("files")));
    assert!(!config(&[("PALISADE_JOBS", "off")]).unwrap().jobs_enabled);

    let s3 = config(&[
        ("PALISADE_STORAGE_URL", "s3://acme-evidence/palisade/prod/"),
        ("PALISADE_S3_ENDPOINT", "http://127.0.0.1:9000/"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ])
    .unwrap();
    let StorageSettings::S3(settings) = &s3.storage else { panic!("{:?}", s3.storage) };
    assert_eq!(
        (settings.bucket.as_str(), settings.prefix.as_str(), settings.region.as_str()),
        ("acme-evidence", "palisade/prod", "eu-west-1")
    );
    assert_eq!(settings.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert!(!format!("{s3:?}").contains("very-secret-key"), "never the secret in logs");

    for (var, value, message) in [
        ("PALISADE_JOBS", "sometimes", "PALISADE_JOBS"),
        ("PALISADE_UPLOAD_LIMIT_MB", "0", "PALISADE_UPLOAD_LIMIT_MB"),
        ("PALISADE_BODY_TIMEOUT_SECS", "forever", "PALISADE_BODY_TIMEOUT_SECS"),
        ("PALISADE_STORAGE_URL", "ftp://files", "must be file://DIRECTORY or s3://BUCKET[/PREFIX]"),
        ("PALISADE_STORAGE_URL", "s3://A_B", "is not an S3 bucket name"),
        ("PALISADE_STORAGE_URL", "s3://bucket/a/../b", "is not a usable key prefix"),
        ("PALISADE_STORAGE_URL", "file://", "needs a directory"),
    ] {
        let error = config(&[(var, value)]).unwrap_err();
        assert!(error.contains(message), "{var}={value}: {error}");
    }
    let error = config(&[("PALISADE_STORAGE_URL", "s3://bucket"), ("AWS_ACCESS_KEY_ID", "only-half")]).unwrap_err();
    assert!(error.contains("AWS_SECRET_ACCESS_KEY"), "{error}");
    let error = config(&[("PALISADE_STORAGE_URL", "s3://bucket"), ("PALISADE_S3_ENDPOINT", "minio:9000")]).unwrap_err();
    assert!(error.contains("PALISADE_S3_ENDPOINT"), "{error}");
}
