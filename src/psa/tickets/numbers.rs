//! Per-organization ticket numbers (#1, #2, ...) that never repeat or skip, whatever runs at the same time.
//!
//! Each organization has a counter row, advanced with `UPDATE ticket_counters SET next_number = next_number + 1`
//! inside the transaction that inserts the ticket: the update's row lock (PostgreSQL) or the immediate
//! transaction's write lock (SQLite) makes concurrent creations take turns, and a rolled-back creation rolls its
//! number back too. An organization's first ticket creates the row; when two first tickets race on PostgreSQL,
//! the loser's insert fails inside a savepoint and it takes the next number from the winner's row.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::schema::ticket_counters;

/// The organization's next ticket number, taken for the current transaction.
pub fn take(conn: &mut DbConnection, org: &OrgId) -> QueryResult<i64> {
    for _ in 0..2 {
        if let Some(number) = advance(conn, org)? {
            return Ok(number);
        }
        let created = conn.transaction(|conn| {
            diesel::insert_into(ticket_counters::table)
                .values((ticket_counters::org_id.eq(org), ticket_counters::next_number.eq(2i64)))
                .execute(conn)
        });
        match created {
            Ok(_) => return Ok(1),
            // Another transaction created the row first: take the next number from it.
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(other) => return Err(other),
        }
    }
    Err(diesel::result::Error::NotFound)
}

/// Advances an existing counter; None when the organization has none yet.
fn advance(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Option<i64>> {
    let updated = diesel::update(ticket_counters::table.find(org))
        .set(ticket_counters::next_number.eq(ticket_counters::next_number + 1))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    let next: i64 = ticket_counters::table.find(org).select(ticket_counters::next_number).first(conn)?;
    Ok(Some(next - 1))
}
