//! The `palisade` command: serve (default), migrate, demo, catalog.

use std::process::ExitCode;

use actix_web::{HttpServer, web};
use clap::{Parser, Subcommand};

use palisade::config::Config;
use palisade::db::Db;
use palisade::mail::Mailer;
use palisade::{AppState, app};

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
        /// With --clients: how many users in all.
        #[arg(long, default_value_t = 5000)]
        users: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    init_logging(&config.log_level);
    let db = match Db::open(&config.database_url, config.db_pool_size) {
        Ok(db) => db,
        Err(e) => return fail(format!("database error: {e}")),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, db),
        Command::Migrate => {
            println!("Migrations applied on {}.", db.backend.label());
            ExitCode::SUCCESS
        }
        Command::Demo { clients, users } => match clients.map_or_else(
            || palisade::orgs::demo::seed(&db),
            |clients| palisade::orgs::demo::seed_scale(&db, clients, users),
        ) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("demo: {e}")),
        },
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("palisade: {message}");
    ExitCode::FAILURE
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

fn serve(config: Config, db: Db) -> ExitCode {
    let mailer = match Mailer::from_config(&config) {
        Ok(m) => m,
        Err(e) => return fail(format!("configuration error: {e}")),
    };
    let bind = config.bind;
    let workers = config.workers;
    tracing::info!(database = %db.backend.label(), mail = %config.mail_label(), "starting Palisade on http://{bind}");
    let state = web::Data::new(AppState::new(config, db, mailer));
    let result = actix_web::rt::System::new()
        .block_on(async move { HttpServer::new(move || app(state.clone())).workers(workers).bind(bind)?.run().await });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot serve on {bind}: {e}")),
    }
}
