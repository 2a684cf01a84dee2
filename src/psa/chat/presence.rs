//! Whether anybody can take a chat now: the client's business hours (its SLA calendar) and staff with the chat
//! console open. An open console is a `chat_presence` row, whichever instance holds the socket, refreshed while
//! it stays open; a row not refreshed for `STALE_AFTER` (its instance died) no longer counts.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::StaffReach;
use crate::db::DbConnection;
use crate::db::ids::{ChatPresenceId, OrgId};
use crate::orgs::Organization;
use crate::schema::{chat_presence, technician_assignments};

/// How often an open console refreshes its row.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(30);
/// A row older than this no longer counts.
const STALE_AFTER: Duration = Duration::minutes(2);

/// A console opened: its presence row.
pub fn arrive(conn: &mut DbConnection, reach: &StaffReach, now: NaiveDateTime) -> QueryResult<ChatPresenceId> {
    let id = ChatPresenceId::new();
    diesel::insert_into(chat_presence::table)
        .values((
            chat_presence::id.eq(&id),
            chat_presence::msp_org_id.eq(&reach.msp),
            chat_presence::user_id.eq(&reach.user),
            chat_presence::all_clients.eq(reach.all_clients),
            chat_presence::seen_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn refresh(conn: &mut DbConnection, id: &ChatPresenceId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(chat_presence::table.find(id)).set(chat_presence::seen_at.eq(now)).execute(conn).map(|_| ())
}

pub fn leave(conn: &mut DbConnection, id: &ChatPresenceId) -> QueryResult<()> {
    diesel::delete(chat_presence::table.find(id)).execute(conn).map(|_| ())
}

/// Someone who reaches the client has the console open. One statement.
pub fn staff_online(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, now: NaiveDateTime) -> QueryResult<bool> {
    let assigned = technician_assignments::table
        .filter(technician_assignments::org_id.eq(client))
        .select(technician_assignments::user_id);
    let n: i64 = chat_presence::table
        .filter(chat_presence::msp_org_id.eq(msp))
        .filter(chat_presence::seen_at.gt(now - STALE_AFTER))
        .filter(chat_presence::all_clients.eq(true).or(chat_presence::user_id.eq_any(assigned)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Why a client's end users cannot chat right now, if they cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The client has no MSP to answer.
    NoTeam,
    /// Outside the client's business hours.
    Closed,
    /// Nobody has the console open.
    NobodyOnline,
}

impl Unavailable {
    pub fn message(self) -> &'static str {
        match self {
            Unavailable::NoTeam | Unavailable::NobodyOnline => {
                "Nobody from the support team is available to chat right now."
            }
            Unavailable::Closed => "We are outside our business hours right now.",
        }
    }
}

/// Whether the client's end users can chat now: the MSP answering, or why not.
pub fn availability(
    conn: &mut DbConnection,
    client: &Organization,
    now: NaiveDateTime,
) -> QueryResult<Result<OrgId, Unavailable>> {
    let Some(msp) = client.msp_org_id.clone() else { return Ok(Err(Unavailable::NoTeam)) };
    let policy = crate::psa::sla_policy::models::default_for(conn, client)?;
    if let Some(policy) = policy
        && !policy.calendar.is_open(now.and_utc())
    {
        return Ok(Err(Unavailable::Closed));
    }
    if !staff_online(conn, &msp, &client.id, now)? {
        return Ok(Err(Unavailable::NobodyOnline));
    }
    Ok(Ok(msp))
}
