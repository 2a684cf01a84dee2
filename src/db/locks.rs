//! Transaction-scoped PostgreSQL advisory locks, for writes that read before they write (a maximum to take the
//! next number from, a count to keep). SQLite runs one write transaction at a time, so there they are no-ops.
//! Each use has its own class (the first of the lock's two keys), listed here so that no two uses share one.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::DbConnection;
use super::ids::OrgId;

/// What a lock guards. The discriminant is the lock class: any constant no other lock (nor the migration lock,
/// which takes the one-key form) uses.
#[derive(Clone, Copy, Debug)]
pub enum LockClass {
    /// Taking the next knowledge-base search document id (`kb_articles.doc_id`), across organizations.
    KbDocIds = 7_305_010,
    /// Rebuilding an organization's kept heat-map cells (`risk_heat`).
    RiskHeat = 7_305_011,
    /// Rebuilding an organization's kept knowledge-base shelf counts (`kb_shelf_counts`).
    KbShelf = 7_305_012,
}

/// Holds the class's lock for `org` until the transaction ends: concurrent writers of the same organization take
/// their turn, each reading after the previous one committed; other organizations do not wait.
pub fn lock_org(conn: &mut DbConnection, class: LockClass, org: &OrgId) -> QueryResult<()> {
    lock(conn, class, org.as_str())
}

/// Holds the class's one lock (for everyone) until the transaction ends.
pub fn lock_all(conn: &mut DbConnection, class: LockClass) -> QueryResult<()> {
    lock(conn, class, "")
}

fn lock(conn: &mut DbConnection, class: LockClass, key: &str) -> QueryResult<()> {
    if conn.is_sqlite() {
        return Ok(());
    }
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind::<Integer, _>(class as i32)
        .bind::<Text, _>(key)
        .execute(conn)?;
    Ok(())
}
