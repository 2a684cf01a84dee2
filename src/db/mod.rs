//! Database access: the backend chosen from DATABASE_URL, the pool, migrations, and helpers to run blocking
//! Diesel work off the async executor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection, TransactionManager,
};
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::redact_url;
use crate::error::AppError;

pub mod day;
pub mod ids;
pub mod locks;
pub mod settings;

pub use day::Day;
pub use ids::new_id;

diesel::define_sql_function! {
    /// Lower-cases text, so searches are case-insensitive on both backends (PostgreSQL's LIKE is not).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A multi-row INSERT, run on the concrete connection (MultiConnection cannot build batch inserts):
/// `batch_insert!(conn, table, &rows)` with `conn: &mut DbConnection`; keep a batch under the backends' bound
/// parameter limits (a few hundred rows).
#[macro_export]
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres(c) => {
                diesel::RunQueryDsl::execute(diesel::insert_into($table).values($rows), c)
            }
            $crate::db::DbConnection::Sqlite(c) => {
                diesel::RunQueryDsl::execute(diesel::insert_into($table).values($rows), c)
            }
        }
    };
}

/// One connection type over both backends. Keep the Sqlite variant last (see DESIGN.md).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbConnection::Sqlite(_))
    }
}

/// Which backend a database URL selects, decided from the scheme alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendUrl {
    Sqlite { path: String },
    Postgres { url: String },
}

impl BackendUrl {
    pub fn parse(url: &str) -> Result<BackendUrl, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(BackendUrl::Postgres { url: url.to_string() })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(BackendUrl::Sqlite { path: path.to_string() })
        } else {
            Err(DbError(format!("unsupported database URL '{}': use sqlite:// or postgres://", redact_url(url))))
        }
    }

    pub fn label(&self) -> String {
        match self {
            BackendUrl::Sqlite { path } => format!("SQLite at {path}"),
            BackendUrl::Postgres { url } => format!("PostgreSQL at {}", redact_url(url)),
        }
    }
}

/// A database problem at start-up, with the real cause (never hidden behind the multi-connection).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DbError(pub String);

/// Counts the SQL statements run through the pool (used by tests that prove a page's query count is bounded).
#[derive(Clone, Default)]
pub struct QueryCounter(Arc<AtomicU64>);

impl QueryCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Counts statements, and with `PALISADE_LOG=palisade::sql=trace` logs each one with its duration (for finding
/// the statement a slow page spends its time in; the text is only formatted when that level is on).
struct CountingInstrumentation {
    count: Arc<AtomicU64>,
    started: Option<std::time::Instant>,
}

impl Instrumentation for CountingInstrumentation {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.count.fetch_add(1, Ordering::Relaxed);
                if tracing::enabled!(target: "palisade::sql", tracing::Level::TRACE) {
                    self.started = Some(std::time::Instant::now());
                }
            }
            InstrumentationEvent::FinishQuery { query, .. } => {
                if let Some(started) = self.started.take() {
                    let us = started.elapsed().as_micros() as u64;
                    tracing::trace!(target: "palisade::sql", us, "{query}");
                }
            }
            _ => {}
        }
    }
}

/// Opens connections of the chosen backend directly (not through MultiConnection::establish, which would try
/// every backend in turn and report the wrong error).
pub struct Manager {
    backend: BackendUrl,
    counter: QueryCounter,
}

impl Manager {
    fn open(&self) -> Result<DbConnection, ConnectionError> {
        let mut conn = match &self.backend {
            BackendUrl::Postgres { url } => {
                let mut c = diesel::PgConnection::establish(url)?;
                // Every hot query is a static, prepared statement filtered by indexed keys: plan it once per
                // connection instead of re-planning at every bind (PostgreSQL's custom plans for the first
                // executions, and whenever it judges a custom plan cheaper).
                c.batch_execute("SET plan_cache_mode = force_generic_plan")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                DbConnection::Postgres(c)
            }
            BackendUrl::Sqlite { path } => {
                let mut c = diesel::SqliteConnection::establish(path)?;
                // Pages are read through a memory map (no read system call and copy per page) and a connection
                // keeps 8 MiB of them decoded: a pool of connections over a database of hundreds of megabytes.
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456; \
                     PRAGMA cache_size = -8192;",
                )
                .and_then(|()| use_wal(&mut c))
                .and_then(|()| c.batch_execute("PRAGMA synchronous = NORMAL;"))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                DbConnection::Sqlite(c)
            }
        };
        conn.set_instrumentation(CountingInstrumentation { count: self.counter.0.clone(), started: None });
        Ok(conn)
    }
}

/// Switches a SQLite connection to WAL. The switch needs the database to itself for a moment; when several
/// instances open a new database at once, SQLite answers "locked" at once instead of waiting for the busy
/// timeout (two connections each holding a shared lock and wanting an exclusive one would wait for each other), so
/// the switch is retried for as long as the busy timeout would have waited.
fn use_wal(c: &mut diesel::SqliteConnection) -> QueryResult<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match c.batch_execute("PRAGMA journal_mode = WAL;") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1").map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection whose server went away (PostgreSQL restarted, backend terminated) or that was returned in
    /// the middle of a transaction is dropped instead of going back to the pool: diesel marks its transaction
    /// manager broken when a query fails on a dead connection, so one failed request per stale connection is
    /// the whole cost, without a validity query on every checkout.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// The application's database handle: the pool plus the statement counter.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub counter: QueryCounter,
    pub backend: BackendUrl,
}

impl Db {
    /// Connects (creating the SQLite file's directory if needed), applies pending migrations, builds the pool.
    pub fn open(url: &str, pool_size: u32) -> Result<Db, DbError> {
        let backend = BackendUrl::parse(url)?;
        if let BackendUrl::Sqlite { path } = &backend
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError(format!("cannot create directory {} for SQLite: {e}", dir.display())))?;
        }
        let counter = QueryCounter::default();
        let manager = Manager { backend: backend.clone(), counter: counter.clone() };
        let mut first = manager.open().map_err(|e| DbError(format!("cannot connect to {}: {e}", backend.label())))?;
        run_migrations(&mut first).map_err(|e| DbError(format!("migrations failed on {}: {e}", backend.label())))?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .connection_timeout(std::time::Duration::from_secs(10))
            // A dead connection surfaces as one failed query, after which `has_broken` drops it; testing every
            // checkout would add a statement to every request.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| DbError(format!("cannot open a connection pool to {}: {e}", backend.label())))?;
        Ok(Db { pool, counter, backend })
    }

    /// Runs blocking database work on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| AppError::internal_from("database unavailable", e))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal_from("blocking task failed", e))?
    }

    /// Like `run`, inside one write transaction: all or nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_transaction(conn, f)).await
    }

    pub fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, DbError> {
        self.pool.get().map_err(|e| DbError(format!("database unavailable: {e}")))
    }
}

/// Key of the PostgreSQL advisory lock held while migrating ("palisade" in ASCII).
const MIGRATION_LOCK: i64 = 0x7061_6c69_7361_6465;

/// Applies every pending migration of the connection's backend, safely when several instances start at once.
///
/// PostgreSQL: under a session advisory lock, so a second instance waits, then finds nothing pending.
/// SQLite: all pending migrations in one immediate transaction (a second process waits on the write lock), with
/// foreign keys off so that a migration may rebuild a table, and `PRAGMA foreign_key_check` before committing:
/// a migration that leaves a dangling reference fails and changes nothing.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), String> {
    match conn {
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| format!("cannot take the migration lock: {e}"))?;
            let result = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()).map_err(|e| e.to_string());
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
            result?;
            unlocked.map_err(|e| format!("cannot release the migration lock: {e}"))
        }
        DbConnection::Sqlite(c) => migrate_sqlite(c, SQLITE_MIGRATIONS),
    }
}

/// Applies `migrations` to SQLite in one immediate transaction with foreign keys off, checking them before
/// committing (see `run_migrations`).
pub fn migrate_sqlite(
    c: &mut diesel::SqliteConnection,
    migrations: impl diesel::migration::MigrationSource<diesel::sqlite::Sqlite>,
) -> Result<(), String> {
    // Only outside a transaction does this pragma take effect.
    c.batch_execute("PRAGMA foreign_keys = OFF").map_err(|e| e.to_string())?;
    let result = AnsiTransactionManager::begin_transaction_sql(&mut *c, "BEGIN IMMEDIATE")
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let applied = c.run_pending_migrations(migrations).map(|_| ()).map_err(|e| e.to_string());
            let checked = applied.and_then(|()| foreign_key_violations(c));
            match checked {
                Ok(()) => AnsiTransactionManager::commit_transaction(&mut *c).map_err(|e| e.to_string()),
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(&mut *c);
                    Err(e)
                }
            }
        });
    let restored = c.batch_execute("PRAGMA foreign_keys = ON").map_err(|e| e.to_string());
    result.and(restored)
}

/// `PRAGMA foreign_key_check` as an error naming the first dangling references.
fn foreign_key_violations(c: &mut diesel::SqliteConnection) -> Result<(), String> {
    #[derive(QueryableByName)]
    struct Violation {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        rowid: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        parent: String,
    }
    let found: Vec<Violation> =
        diesel::sql_query("PRAGMA foreign_key_check").load(c).map_err(|e| format!("foreign key check: {e}"))?;
    if found.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = found
        .iter()
        .take(5)
        .map(|v| format!("{} row {} -> {}", v.table, v.rowid.map_or("?".into(), |r| r.to_string()), v.parent))
        .collect();
    Err(format!(
        "foreign key check failed after migrating ({} dangling references: {})",
        found.len(),
        listed.join(", ")
    ))
}

/// A transaction that takes the write lock up front on SQLite (BEGIN IMMEDIATE), so two writers queue on the
/// busy timeout instead of one failing when it upgrades from reading to writing.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}
