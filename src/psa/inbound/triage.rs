//! The MSP's triage queue: tickets opened in the MSP for senders no client claims (flagged in
//! `inbound_triage`), until staff move each to the client it belongs to. Moving opens the client's ticket
//! through the ticket service (the sender becomes, or is found as, the client's contact), closes the triage
//! ticket with an internal note saying where it went, and records the move so that later replies to the triage
//! ticket's thread land on the client's ticket.

use diesel::prelude::*;

use super::models;
use crate::audit::{self, Action, Actor, Target};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::orgs::clients::{ClientStatus, MspView};
use crate::psa::contacts::models::{self as contacts, ContactInput};
use crate::psa::tickets::models::{self as tickets, TicketSource, TicketStatus};
use crate::psa::tickets::service::{self, Author, DeskEnv, DeskError, NewAttachment, NewTicket, Reply};
use crate::schema::{organizations, ticket_attachments};
use crate::storage::StoredFile;

/// Where a triage ticket went.
#[derive(Clone, Debug)]
pub struct Moved {
    pub client_name: String,
    pub number: i64,
}

fn refuse<T>(why: &str) -> Result<T, DeskError> {
    Err(DeskError::Refused(why.to_string()))
}

/// Moves the MSP's triage ticket `ticket_id` to `client` (a client the person reaches: the caller checked).
pub fn move_ticket(
    conn: &mut DbConnection,
    env: &DeskEnv,
    msp: &OrgId,
    ticket_id: &str,
    client: &OrgId,
    client_name: &str,
    actor: &Actor,
) -> Result<Moved, DeskError> {
    let ticket = tickets::by_id(conn, msp, ticket_id)?.ok_or(diesel::result::Error::NotFound)?;
    let flag = models::triage_of(conn, msp, &ticket.id)?.ok_or(diesel::result::Error::NotFound)?;
    if flag.moved_at.is_some() {
        return refuse("This request was already moved to a client.");
    }
    if !ticket.unresolved {
        return refuse("This request is resolved or closed; it stays where it is.");
    }
    let requester = match contacts::find_by_email(conn, client, &flag.sender)? {
        Some(contact) if contact.is_archived() => {
            return refuse("The sender is an archived contact of that client: restore the contact first.");
        }
        Some(contact) => contact.id,
        None => {
            let name = if flag.sender_name.is_empty() {
                flag.sender.split('@').next().unwrap_or_default().to_string()
            } else {
                flag.sender_name.clone()
            };
            let input = ContactInput { name: name.clone(), email: Some(flag.sender.clone()), ..Default::default() };
            let id = contacts::insert(conn, client, &input, actor.at)?;
            audit::record(conn, actor, Some(client), Action::ContactCreated, Target::new("contact", &id, &name))?;
            id
        }
    };
    let author = Author::staff(actor);
    let description = without_sender_line(&ticket.description);
    let mut new = NewTicket::new(&ticket.subject, description);
    new.requester = Some(requester);
    new.priority = ticket.priority;
    new.source = TicketSource::Email;
    new.attachments = attachments_of(conn, msp, &ticket.id)?;
    let opened = service::open_ticket(conn, env, client, &author, new)?;
    let note = Reply {
        body: format!("Moved to {} as ticket #{}.", crate::psa::inbound::trim::to_markdown(client_name), opened.number),
        internal: true,
        ..Reply::default()
    };
    service::add_reply(conn, env, msp, &ticket.id, &author, note)?;
    service::change_status(conn, env, msp, &ticket.id, &author, TicketStatus::Closed, "")?;
    models::mark_moved(conn, msp, &ticket.id, client, &opened.id, actor.user_id.as_ref(), actor.at)?;
    let label = format!("#{} {}", ticket.number, ticket.subject);
    let target = Target::new("ticket", &ticket.id, &label).details(format!("{client_name} as #{}", opened.number));
    audit::record(conn, actor, Some(msp), Action::InboundTriageMoved, target)?;
    Ok(Moved { client_name: client_name.to_string(), number: opened.number })
}

/// The triage ticket's description without the "From:" line triage put first (the client's ticket names its
/// requester).
fn without_sender_line(description: &str) -> &str {
    match description.strip_prefix("**From:** ") {
        Some(rest) => rest.split_once("\n\n").map_or("", |(_, body)| body),
        None => description,
    }
}

/// The files of a ticket, to carry to the client's ticket (same stored objects).
fn attachments_of(conn: &mut DbConnection, org: &OrgId, ticket: &str) -> QueryResult<Vec<NewAttachment>> {
    let rows: Vec<(String, String, i64, String, String)> = ticket_attachments::table
        .filter(ticket_attachments::org_id.eq(org))
        .filter(ticket_attachments::ticket_id.eq(ticket))
        .filter(ticket_attachments::internal.eq(false))
        .select((
            ticket_attachments::filename,
            ticket_attachments::storage_key,
            ticket_attachments::size,
            ticket_attachments::sha256,
            ticket_attachments::content_type,
        ))
        .order(ticket_attachments::created_at.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(filename, key, size, sha256, content_type)| NewAttachment {
            filename,
            stored: StoredFile { key, size: size as u64, sha256, content_type },
        })
        .collect())
}

/// The active clients the person reaches, by name (the "move to" list).
pub fn reachable_clients(conn: &mut DbConnection, view: &MspView, limit: i64) -> QueryResult<Vec<(OrgId, String)>> {
    organizations::table
        .filter(view.filter(ClientStatus::Active, ""))
        .order(organizations::name.asc())
        .limit(limit)
        .select((organizations::id, organizations::name))
        .load(conn)
}
