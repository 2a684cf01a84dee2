//! A ticket's conversation: public replies, internal notes and the events that tell what happened (status,
//! assignment, priority, merges, SLA), oldest first. Internal entries never leave the staff app.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, TicketEventId, TicketId, UserId};
use crate::schema::ticket_events;

crate::text_enum! {
    pub enum EventKind {
        Created = "created",
        /// A public message (staff reply or the requester's message).
        Reply = "reply",
        /// An internal note.
        Note = "note",
        Status = "status",
        Priority = "priority",
        Assignment = "assignment",
        /// Subject, type, category, requester or watchers changed.
        Change = "change",
        Merge = "merge",
        Link = "link",
        /// The SLA policy changed.
        Sla = "sla",
        Escalation = "escalation",
        Breach = "breach",
    }
}

impl EventKind {
    /// Entries that carry a message people wrote (shown as a message, not a line of history).
    pub fn is_message(self) -> bool {
        matches!(self, EventKind::Created | EventKind::Reply | EventKind::Note)
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ticket_events)]
pub struct Event {
    pub id: TicketEventId,
    pub org_id: OrgId,
    pub ticket_id: TicketId,
    pub kind: EventKind,
    pub internal: bool,
    pub author_user_id: Option<UserId>,
    pub author_contact_id: Option<ContactId>,
    pub author_label: String,
    pub body: String,
    pub details: String,
    pub created_at: NaiveDateTime,
}

/// A new entry of the conversation.
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub internal: bool,
    pub author_user_id: Option<&'a UserId>,
    pub author_contact_id: Option<&'a ContactId>,
    pub author_label: &'a str,
    pub body: &'a str,
    pub details: &'a str,
}

pub fn insert(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
    event: &NewEvent<'_>,
    at: NaiveDateTime,
) -> QueryResult<TicketEventId> {
    let id = TicketEventId::new();
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::id.eq(&id),
            ticket_events::org_id.eq(org),
            ticket_events::ticket_id.eq(ticket),
            ticket_events::kind.eq(event.kind),
            ticket_events::internal.eq(event.internal),
            ticket_events::author_user_id.eq(event.author_user_id),
            ticket_events::author_contact_id.eq(event.author_contact_id),
            ticket_events::author_label.eq(event.author_label),
            ticket_events::body.eq(event.body),
            ticket_events::details.eq(event.details),
            ticket_events::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The whole conversation of a ticket, oldest first (one statement).
pub fn of_ticket(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<Event>> {
    ticket_events::table
        .filter(ticket_events::org_id.eq(org))
        .filter(ticket_events::ticket_id.eq(ticket))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select(Event::as_select())
        .load(conn)
}

/// The public part of a conversation: what a requester may ever see (emails, the portal).
pub fn public_of_ticket(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<Event>> {
    ticket_events::table
        .filter(ticket_events::org_id.eq(org))
        .filter(ticket_events::ticket_id.eq(ticket))
        .filter(ticket_events::internal.eq(false))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select(Event::as_select())
        .load(conn)
}
