//! Watchers: staff and contacts who follow a ticket; public replies are emailed to them.

use diesel::prelude::*;

use super::conversation::{self, EventKind, NewEvent};
use super::models::Ticket;
use super::service::{Author, DeskError};
use crate::audit::{self, Action, Target};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, TicketId, TicketWatcherId, UserId};
use crate::schema::{contacts, ticket_watchers, users};

/// A watcher with the name and email to show and write to.
#[derive(Clone, Debug)]
pub struct Watcher {
    pub id: TicketWatcherId,
    pub user_id: Option<UserId>,
    pub contact_id: Option<ContactId>,
    pub name: String,
    pub email: String,
}

impl Watcher {
    pub fn kind(&self) -> &'static str {
        if self.user_id.is_some() { "Staff" } else { "Contact" }
    }
}

type Row = (
    TicketWatcherId,
    Option<UserId>,
    Option<ContactId>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A ticket's watchers (one statement).
pub fn of_ticket(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<Watcher>> {
    let rows: Vec<Row> = ticket_watchers::table
        .left_join(users::table)
        .left_join(contacts::table)
        .filter(ticket_watchers::org_id.eq(org))
        .filter(ticket_watchers::ticket_id.eq(ticket))
        .order((ticket_watchers::created_at.asc(), ticket_watchers::id.asc()))
        .select((
            ticket_watchers::id,
            ticket_watchers::user_id,
            ticket_watchers::contact_id,
            users::name.nullable(),
            users::email.nullable(),
            contacts::name.nullable(),
            contacts::email.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, contact_id, user_name, user_email, contact_name, contact_email)| Watcher {
            id,
            user_id,
            contact_id,
            name: user_name.or(contact_name).unwrap_or_default(),
            email: user_email.or(contact_email).unwrap_or_default(),
        })
        .collect())
}

/// Who is to watch.
pub enum WatcherRef<'a> {
    Staff(&'a UserId, &'a str),
    Contact(&'a ContactId, &'a str),
}

/// Adds a watcher (already checked to be the organization's staff or contact); false when already watching.
pub fn add(conn: &mut DbConnection, ticket: &Ticket, who: WatcherRef<'_>, author: &Author) -> Result<bool, DeskError> {
    let existing = of_ticket(conn, &ticket.org_id, &ticket.id)?;
    let (user, contact, name) = match who {
        WatcherRef::Staff(id, name) => (Some(id), None, name),
        WatcherRef::Contact(id, name) => (None, Some(id), name),
    };
    if existing.iter().any(|w| {
        (user.is_some() && w.user_id.as_ref() == user) || (contact.is_some() && w.contact_id.as_ref() == contact)
    }) {
        return Ok(false);
    }
    let now = author.at();
    diesel::insert_into(ticket_watchers::table)
        .values((
            ticket_watchers::id.eq(TicketWatcherId::new()),
            ticket_watchers::org_id.eq(&ticket.org_id),
            ticket_watchers::ticket_id.eq(&ticket.id),
            ticket_watchers::user_id.eq(user),
            ticket_watchers::contact_id.eq(contact),
            ticket_watchers::created_at.eq(now),
        ))
        .execute(conn)?;
    record(conn, ticket, author, &format!("{name} watches"))?;
    Ok(true)
}

/// Removes a watcher of the ticket by the watcher row's id (from a URL); false when there is no such watcher.
pub fn remove(conn: &mut DbConnection, ticket: &Ticket, watcher_id: &str, author: &Author) -> Result<bool, DeskError> {
    let Some(watcher) = of_ticket(conn, &ticket.org_id, &ticket.id)?.into_iter().find(|w| w.id == watcher_id) else {
        return Ok(false);
    };
    diesel::delete(
        ticket_watchers::table
            .filter(ticket_watchers::org_id.eq(&ticket.org_id))
            .filter(ticket_watchers::ticket_id.eq(&ticket.id))
            .filter(ticket_watchers::id.eq(&watcher.id)),
    )
    .execute(conn)?;
    record(conn, ticket, author, &format!("{} no longer watches", watcher.name))?;
    Ok(true)
}

fn record(conn: &mut DbConnection, ticket: &Ticket, author: &Author, details: &str) -> Result<(), DeskError> {
    let now = author.at();
    let name = author.name();
    let user = match &author.kind {
        super::service::AuthorKind::Staff(id) => Some(id),
        _ => None,
    };
    let event = NewEvent {
        kind: EventKind::Change,
        internal: true,
        author_user_id: user,
        author_contact_id: None,
        author_label: &name,
        body: "",
        details,
    };
    conversation::insert(conn, &ticket.org_id, &ticket.id, &event, now)?;
    let label = format!("#{} {}", ticket.number, ticket.subject);
    audit::record(
        conn,
        &author.actor,
        Some(&ticket.org_id),
        Action::TicketWatchersChanged,
        Target::new("ticket", &ticket.id, &label).details(details),
    )?;
    Ok(())
}
