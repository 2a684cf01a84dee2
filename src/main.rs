//! The `palisade` command: serve (default), migrate, demo, catalog.

use std::process::ExitCode;

use actix_web::{HttpServer, web};
use clap::{Parser, Subcommand};

use palisade::config::Config;
use palisade::db::Db;
use palisade::jobs::Scheduler;
use palisade::{AppState, app};

/// mimalloc instead of the system allocator: a page builds and drops thousands of small strings, which glibc's
/// malloc served at 14% of a list page's CPU, and glibc kept each thread's peak (19 MiB per argon2 call) long
/// after it was freed. Figures in docs/PERFORMANCE.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "palisade", version, about = "Compliance and PSA for managed service providers")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply pending database migrations and load the compliance catalog, then exit.
    Migrate,
    /// Seed a realistic demo (an MSP, its clients, staff in every role) and print the sign-ins.
    Demo {
        /// Instead, seed a large installation for load measurements with this many clients.
        #[arg(long)]
        clients: Option<usize>,
        #[command(flatten)]
        scale: palisade::orgs::demo::Scale,
    },
    /// The compliance catalog embedded in this binary (no database needed).
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
}

#[derive(Subcommand)]
enum CatalogAction {
    /// Print the whole catalog as JSON: frameworks, requirements, common controls, mappings, sources.
    Export,
    /// Print the crosswalk between two frameworks as CSV: for each assessable requirement of FROM, the
    /// requirements of TO linked to it through a common control (primary or related).
    Crosswalk {
        /// A framework id, e.g. hipaa
        from: String,
        /// Another framework id, e.g. nist-csf-2
        to: String,
    },
    /// Validate the catalog and print per-framework counts and coverage, and the agreement with each published
    /// crosswalk; exit status 1 on any problem (agreement under 90% or exceptions at 10% or more included).
    Check {
        /// Check a data directory laid out like src/compliance/catalog/data instead of the embedded catalog.
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Catalog { action }) = &cli.command {
        return catalog_command(action);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    init_logging(&config.log_level);
    let db = match Db::open(&config.database_url, config.db_pool_size) {
        Ok(db) => db,
        Err(e) => return fail(format!("database error: {e}")),
    };
    if let Err(e) = load_catalog(&db) {
        return fail(e);
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, db),
        Command::Migrate => {
            println!("Migrations applied and compliance catalog loaded on {}.", db.backend.label());
            ExitCode::SUCCESS
        }
        Command::Demo { clients, scale } => {
            match clients.map_or_else(
                || palisade::orgs::demo::seed(&db),
                |clients| palisade::orgs::demo::seed_scale(&db, &palisade::orgs::demo::Scale { clients, ..scale }),
            ) {
                Ok(report) => {
                    println!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("demo: {e}")),
            }
        }
        Command::Catalog { .. } => unreachable!("handled before opening the database"),
    }
}

/// `palisade catalog ...`: pure data, no configuration or database.
fn catalog_command(action: &CatalogAction) -> ExitCode {
    use palisade::compliance::catalog::{crosswalk, data, export, validate};
    match action {
        CatalogAction::Export => match data::embedded() {
            Ok(catalog) => {
                use std::io::Write;
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout().lock(), "{}", export::to_json(catalog));
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("the catalog does not parse:\n{e}")),
        },
        CatalogAction::Crosswalk { from, to } => {
            let catalog = match data::embedded() {
                Ok(catalog) => catalog,
                Err(e) => return fail(format!("the catalog does not parse:\n{e}")),
            };
            let ids: Vec<&str> = catalog.frameworks.iter().map(|f| f.header.id.as_str()).collect();
            if from == to {
                return fail("pick two different frameworks");
            }
            match crosswalk::catalog_lines(catalog, from, to) {
                Some(lines) => {
                    use std::io::Write;
                    let _ = write!(std::io::stdout().lock(), "{}", crosswalk::to_csv(from, to, &lines));
                    ExitCode::SUCCESS
                }
                None => fail(format!("unknown framework; the catalog has: {}", ids.join(", "))),
            }
        }
        CatalogAction::Check { dir } => {
            let report = match dir {
                Some(dir) => validate::check_dir(dir),
                None => validate::check_embedded(),
            };
            use std::io::Write;
            let _ = write!(std::io::stdout().lock(), "{}", report.to_text());
            if report.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
    }
}

/// Loads the embedded compliance catalog after migrations (one query when it is already current).
fn load_catalog(db: &Db) -> Result<(), String> {
    use palisade::compliance::catalog::{data, load};
    let started = std::time::Instant::now();
    let catalog = data::embedded().map_err(|e| format!("the embedded catalog does not parse:\n{e}"))?;
    let parsed = started.elapsed();
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let outcome = load::load(&mut conn, catalog).map_err(|e| format!("loading the compliance catalog failed: {e}"))?;
    tracing::info!(
        parse_ms = parsed.as_millis() as u64,
        load_ms = (started.elapsed() - parsed).as_millis() as u64,
        "{outcome}"
    );
    // A catalog version that adds mappings adds the controls organizations now need (state never touched).
    let index = palisade::compliance::program::index::embedded().map_err(|e| e.to_string())?;
    let now = palisade::clock::Clock::system().now();
    let refreshed = palisade::compliance::program::sync::after_catalog_load(&mut conn, index, now)
        .map_err(|e| format!("bringing compliance programs in step with the catalog failed: {e}"))?;
    if refreshed > 0 {
        tracing::info!("{refreshed} compliance programs brought in step with catalog {}", index.version);
    }
    Ok(())
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("palisade: {message}");
    ExitCode::FAILURE
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

/// Slow clients cannot hold connections: the request head within 10 s, idle keep-alive connections closed after
/// 15 s, 5 s to close a connection. (Request bodies: `web::body_deadline`.)
const REQUEST_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);
const DISCONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn serve(config: Config, db: Db) -> ExitCode {
    let bind = config.bind;
    let workers = config.workers;
    let jobs_enabled = config.jobs_enabled;
    let mail = config.mail_label();
    // The state is built inside the runtime: the SMTP transport's connection pool starts a task of its own.
    let result = actix_web::rt::System::new().block_on(async move {
        let state = match AppState::new(config, db) {
            Ok(state) => web::Data::new(state),
            Err(e) => return Err(format!("configuration error: {e}")),
        };
        tracing::info!(
            database = %state.db.backend.label(),
            mail = %mail,
            storage = %state.storage.label(),
            jobs = if jobs_enabled { "on" } else { "off (PALISADE_JOBS=off)" },
            "starting Palisade on http://{bind}"
        );
        if jobs_enabled {
            actix_web::rt::spawn(Scheduler::run_forever(state.clone()));
        }
        if let Some(addr) = state.config.inbound.smtp_bind {
            palisade::psa::inbound::smtp::start(state.clone(), addr)
                .await
                .map_err(|e| format!("cannot receive email on {addr}: {e}"))?;
        }
        let server = HttpServer::new(move || app(state.clone()))
            .workers(workers)
            .client_request_timeout(REQUEST_HEAD_TIMEOUT)
            .client_disconnect_timeout(DISCONNECT_TIMEOUT)
            .keep_alive(KEEP_ALIVE)
            .bind(bind)
            .map_err(|e| format!("cannot serve on {bind}: {e}"))?;
        server.run().await.map_err(|e| format!("the server stopped: {e}"))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}
