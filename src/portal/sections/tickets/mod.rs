//! Portal -> Tickets: the end user's tickets (those they asked for, or the company's when their account says
//! so), opening one, following its public conversation, replying, closing and reopening. Every change goes
//! through `psa::tickets::service`, so the conversation, the SLA, the emails and the activity log are the
//! staff desk's.

pub mod actions;
pub mod pages;

pub use actions::{close, create, new_form, reopen, reply};
pub use pages::{attachment, list, show};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::Actor;
use crate::auth::portal::PortalScope;
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId};
use crate::error::AppError;
use crate::psa::tickets::models::{Ticket, TicketStatus, parse_number};
use crate::psa::tickets::service::{Author, AuthorKind};
use crate::schema::tickets;

/// Which of the client's tickets the person sees.
#[derive(Clone, Debug)]
pub enum Sees {
    /// Those they are the requester of (their contact's).
    Own(ContactId),
    /// Every ticket of the company.
    Company,
    /// None: an account not linked to a contact, without the company's tickets.
    Nothing,
}

impl Sees {
    pub fn of(portal: &PortalScope) -> Sees {
        match (&portal.account.contact_id, portal.account.sees_company_tickets) {
            (_, true) => Sees::Company,
            (Some(contact), false) => Sees::Own(contact.clone()),
            (None, false) => Sees::Nothing,
        }
    }
}

/// Narrows a query over `tickets` (alone or joined) to the client's tickets the person sees, merged ones left
/// out (their conversation lives on in the ticket they were merged into).
macro_rules! visible {
    ($query:expr, $org:expr, $sees:expr) => {{
        let q = $query.filter(tickets::org_id.eq($org.clone())).filter(tickets::merged_into_ticket_id.is_null());
        match $sees {
            Sees::Own(contact) => q.filter(tickets::requester_contact_id.eq(contact.clone())),
            Sees::Company => q,
            Sees::Nothing => q.filter(tickets::id.eq("")),
        }
    }};
}
pub(crate) use visible;

/// The ticket a URL's number names, if the person sees it; 404 otherwise (another client's, someone else's).
pub fn visible_ticket(conn: &mut DbConnection, org: &OrgId, sees: &Sees, number: &str) -> Result<Ticket, AppError> {
    let number = parse_number(number).ok_or(AppError::NotFound)?;
    let query = visible!(tickets::table.into_boxed(), org, sees).filter(tickets::number.eq(number));
    query.select(Ticket::as_select()).first(conn).optional()?.ok_or(AppError::NotFound)
}

/// The end user as the author of a ticket change: their contact in the conversation, their account in the
/// activity log. None when their account is linked to no contact (they cannot write on tickets).
pub fn author(portal: &PortalScope, request: &Actor) -> Option<Author> {
    let contact = portal.account.contact_id.clone()?;
    let actor = Actor { user_id: Some(portal.user.id.clone()), label: portal.user.label(), ..request.clone() };
    Some(Author { actor, kind: AuthorKind::Contact(contact) })
}

/// Until when a closed (or resolved) ticket may be reopened from the portal; None when it is still open or the
/// client allows no reopening.
pub fn reopen_until(ticket: &Ticket, reopen_days: i32) -> Option<NaiveDateTime> {
    if ticket.status.is_unresolved() || reopen_days <= 0 {
        return None;
    }
    let ended = ticket.closed_at.or(ticket.resolved_at).unwrap_or(ticket.updated_at);
    Some(ended + Duration::days(reopen_days.into()))
}

/// Where the ticket stands for the end user: still open, closed but reopenable now, or closed for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Open,
    Reopenable,
    Final,
}

pub fn standing(ticket: &Ticket, reopen_days: i32, now: NaiveDateTime) -> Standing {
    if ticket.status.is_unresolved() {
        return Standing::Open;
    }
    match reopen_until(ticket, reopen_days) {
        Some(until) if now <= until => Standing::Reopenable,
        _ => Standing::Final,
    }
}

/// The statuses the end user reads, in their words.
pub fn status_label(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "Received",
        TicketStatus::Open | TicketStatus::OnHold => "In progress",
        TicketStatus::PendingCustomer => "Waiting for you",
        TicketStatus::Resolved => "Resolved",
        TicketStatus::Closed => "Closed",
    }
}
