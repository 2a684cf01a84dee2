//! Access requests (`portal_access_requests`): a person asks on the portal's sign-in page, with a name and an
//! email on a domain of one of the client's contacts; the client's staff approve (access is granted as by an
//! invitation) or refuse.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::schema::{contacts, portal_access_requests as par};

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REFUSED: &str = "refused";

/// Pending requests shown on the Portal users page (the oldest first); more wait behind them.
pub const SHOWN: i64 = 50;

#[derive(Queryable, Clone, Debug)]
pub struct AccessRequest {
    pub id: String,
    pub name: String,
    pub email: String,
    pub created_at: NaiveDateTime,
}

/// Is the email's domain the domain of one of the client's (unarchived) contacts?
pub fn known_domain(conn: &mut DbConnection, org: &OrgId, email: &str) -> QueryResult<bool> {
    let Some((_, domain)) = email.rsplit_once('@') else { return Ok(false) };
    let known = contacts::table
        .filter(contacts::org_id.eq(org))
        .filter(contacts::email_domain.eq(domain.to_lowercase()))
        .filter(contacts::archived_at.is_null());
    diesel::select(diesel::dsl::exists(known)).get_result(conn)
}

/// Records a request, unless this email already has one pending (then nothing: the answer is the same).
/// Returns whether one was recorded.
pub fn record(conn: &mut DbConnection, org: &OrgId, name: &str, email: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let pending = par::table.filter(par::org_id.eq(org)).filter(par::email.eq(email)).filter(par::status.eq(PENDING));
    if diesel::select(diesel::dsl::exists(pending)).get_result(conn)? {
        return Ok(false);
    }
    diesel::insert_into(par::table)
        .values((
            par::id.eq(uuid::Uuid::now_v7().to_string()),
            par::org_id.eq(org),
            par::name.eq(name),
            par::email.eq(email),
            par::status.eq(PENDING),
            par::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn pending(conn: &mut DbConnection, org: &OrgId) -> QueryResult<(Vec<AccessRequest>, i64)> {
    let mine = || par::table.filter(par::org_id.eq(org)).filter(par::status.eq(PENDING));
    let shown = mine()
        .order((par::created_at.asc(), par::id.asc()))
        .limit(SHOWN)
        .select((par::id, par::name, par::email, par::created_at))
        .load(conn)?;
    let total = mine().count().get_result(conn)?;
    Ok((shown, total))
}

/// A pending request of the client by id, or None (decided, or another client's).
pub fn find_pending(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<AccessRequest>> {
    par::table
        .filter(par::org_id.eq(org))
        .filter(par::id.eq(id))
        .filter(par::status.eq(PENDING))
        .select((par::id, par::name, par::email, par::created_at))
        .first(conn)
        .optional()
}

/// Closes a pending request as approved or refused; false when it was no longer pending.
pub fn decide(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &str,
    status: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated =
        diesel::update(par::table.filter(par::org_id.eq(org)).filter(par::id.eq(id)).filter(par::status.eq(PENDING)))
            .set((par::status.eq(status), par::decided_by.eq(Some(by)), par::decided_at.eq(Some(now))))
            .execute(conn)?;
    Ok(updated == 1)
}
