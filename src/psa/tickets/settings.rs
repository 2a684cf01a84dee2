//! An organization's closing rules: resolution note before Resolved, closing resolved tickets after a while,
//! and the window in which a requester's reply reopens a resolved ticket.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::Ticket;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::schema::service_desk_settings as s;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskSettings {
    pub require_resolution_note: bool,
    /// Hours after which a resolved ticket closes by itself; 0 never.
    pub auto_close_hours: i32,
    /// Days after resolution within which a requester's reply reopens the ticket; 0 never.
    pub reopen_days: i32,
}

impl Default for DeskSettings {
    fn default() -> DeskSettings {
        DeskSettings { require_resolution_note: false, auto_close_hours: 72, reopen_days: 7 }
    }
}

impl DeskSettings {
    /// When a ticket resolved at `resolved_at` closes by itself.
    pub fn close_due(&self, resolved_at: NaiveDateTime) -> Option<NaiveDateTime> {
        (self.auto_close_hours > 0).then(|| resolved_at + Duration::hours(self.auto_close_hours.into()))
    }

    /// Does a requester's reply at `at` reopen this resolved or closed ticket?
    pub fn may_reopen(&self, ticket: &Ticket, at: NaiveDateTime) -> bool {
        let resolved = ticket.resolved_at.or(ticket.closed_at).unwrap_or(ticket.updated_at);
        self.reopen_days > 0 && at <= resolved + Duration::days(self.reopen_days.into())
    }
}

/// The organization's closing rules (the defaults until it sets its own).
pub fn of(conn: &mut DbConnection, org: &OrgId) -> QueryResult<DeskSettings> {
    let row: Option<(bool, i32, i32)> = s::table
        .find(org)
        .select((s::require_resolution_note, s::auto_close_hours, s::reopen_days))
        .first(conn)
        .optional()?;
    Ok(row
        .map(|(require_resolution_note, auto_close_hours, reopen_days)| DeskSettings {
            require_resolution_note,
            auto_close_hours,
            reopen_days,
        })
        .unwrap_or_default())
}

/// Saves the organization's closing rules (insert or update, without an upsert).
pub fn save(conn: &mut DbConnection, org: &OrgId, settings: &DeskSettings, now: NaiveDateTime) -> QueryResult<()> {
    let values = (
        s::require_resolution_note.eq(settings.require_resolution_note),
        s::auto_close_hours.eq(settings.auto_close_hours),
        s::reopen_days.eq(settings.reopen_days),
        s::updated_at.eq(now),
    );
    if diesel::update(s::table.find(org)).set(values).execute(conn)? == 0 {
        diesel::insert_into(s::table).values((s::org_id.eq(org), values)).execute(conn)?;
    }
    Ok(())
}
