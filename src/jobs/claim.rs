//! Claiming due rows so that two instances (or two runs of one job) never take the same one.
//!
//! The pattern, for any table with a due time (see `mail::outbox::claim_due`):
//! ```ignore
//! crate::db::write_transaction(conn, |conn| {
//!     let due = lock_skip_locked!(conn, table.filter(due_at.le(now)).order(due_at).limit(50).select(Row::as_select()))?;
//!     // mark them taken (status, a lease in the due column) in the same transaction
//! })
//! ```
//! On PostgreSQL the select is `FOR UPDATE SKIP LOCKED`: rows another transaction is claiming are skipped rather
//! than waited for, and the ones returned stay locked until the transaction commits. On SQLite the immediate
//! transaction of `write_transaction` already holds the database's write lock, so a plain select is enough.

/// Loads a select's rows locked for this transaction, skipping rows locked by others (see the module docs):
/// `lock_skip_locked!(conn, query)` with `conn: &mut DbConnection`, inside [`crate::db::write_transaction`].
/// Write the query expression in the call (not a variable built before it): each backend's arm builds its own
/// copy, since a `Selectable`'s select clause is typed by backend.
///
/// A macro because `FOR UPDATE SKIP LOCKED` exists only for PostgreSQL in diesel's types: each backend gets the
/// query its own way, and the bounds a generic function would need name diesel-private types.
#[macro_export]
macro_rules! lock_skip_locked {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres(pg) => {
                diesel::RunQueryDsl::load(diesel::QueryDsl::skip_locked(diesel::QueryDsl::for_update($query)), pg)
            }
            $crate::db::DbConnection::Sqlite(sqlite) => diesel::RunQueryDsl::load($query, sqlite),
        }
    };
}

pub use crate::lock_skip_locked;
