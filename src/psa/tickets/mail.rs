//! The emails a ticket sends: to its requester and watchers (created, public reply, resolved with the reopen
//! hint) and to staff (assignment, escalation). Each goes through the outbox in the caller's transaction, in the
//! organization's name, threaded: every email names the ticket's first Message-ID in In-Reply-To and References,
//! and its own Message-ID is remembered (`ticket_message_ids`) so that replies find their ticket. Subjects carry
//! "[#number]" as well, for mail clients that drop the headers.
//!
//! Only public text is ever put in these emails: callers pass the public reply or the ticket's description,
//! never an internal note.
//!
//! Notices to the requester and watchers (`send_to_contacts`) wear the client's portal brand (name, logo,
//! colors) and link to the ticket in the portal when it shows tickets; staff notices (`send`) stay plain.

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::Ticket;
use super::service::DeskEnv;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketId};
use crate::mail::{self, MailAttachment, MailHeaders, OutgoingMail};
use crate::orgs::Organization;
use crate::portal::brand::{EmailBrand, email_brand};
use crate::schema::ticket_message_ids;
use crate::web::markdown::{Markdown, to_html};

#[derive(Template)]
#[template(path = "mail/ticket.txt")]
struct TicketText<'a> {
    intro: &'a str,
    body: &'a str,
    closing: &'a [String],
    org_name: &'a str,
    reference: &'a str,
    portal_link: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/ticket.html")]
struct TicketHtml<'a> {
    intro: &'a str,
    body: &'a str,
    body_html: Markdown,
    closing: &'a [String],
    org_name: &'a str,
    reference: &'a str,
    brand: Option<&'a EmailBrand>,
    portal_link: Option<&'a str>,
}

/// What one ticket email says.
pub struct Message<'a> {
    pub subject: String,
    pub intro: String,
    /// Markdown written by people (a public reply, the description); "" for none.
    pub body: &'a str,
    pub closing: Vec<String>,
    pub attachments: Vec<MailAttachment>,
}

/// Remembers a Message-ID as belonging to a ticket (sent by us, or received).
pub fn remember_message_id(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
    message_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let known: bool =
        diesel::select(diesel::dsl::exists(ticket_message_ids::table.find(message_id))).get_result(conn)?;
    if !known {
        diesel::insert_into(ticket_message_ids::table)
            .values((
                ticket_message_ids::message_id.eq(message_id),
                ticket_message_ids::org_id.eq(org),
                ticket_message_ids::ticket_id.eq(ticket),
                ticket_message_ids::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The ticket whose thread a Message-ID belongs to (for replies coming back by email).
pub fn ticket_of_message_id(conn: &mut DbConnection, message_id: &str) -> QueryResult<Option<(OrgId, TicketId)>> {
    ticket_message_ids::table
        .find(message_id)
        .select((ticket_message_ids::org_id, ticket_message_ids::ticket_id))
        .first(conn)
        .optional()
}

/// The Message-ID a new ticket's thread starts with when no email started it.
pub fn own_root(ticket: &TicketId, base_url: &str) -> String {
    let host = base_url.split("://").nth(1).unwrap_or("palisade.local").split([':', '/']).next().unwrap_or("");
    format!("<ticket.{ticket}@{host}>")
}

/// "[#42] Printer on fire".
pub fn subject_line(ticket: &Ticket, prefix: &str) -> String {
    format!("{prefix}[#{}] {}", ticket.number, ticket.subject)
}

/// Queues one plain email per recipient (staff notices), threaded on the ticket; replies go to the
/// organization's inbound address when inbound email is on.
pub fn send(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    recipients: &[String],
    message: &Message<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    deliver(conn, env, org, ticket, recipients, message, None, now)
}

/// `send` for the ticket's requester and watchers: in the client's portal brand, with a link to the ticket in
/// the portal (an MSP's own tickets go out plain: it has no portal).
pub fn send_to_contacts(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    recipients: &[String],
    message: &Message<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let brand = email_brand(conn, &env.base_url, &org.id)?;
    deliver(conn, env, org, ticket, recipients, message, brand.as_ref(), now)
}

#[allow(clippy::too_many_arguments)]
fn deliver(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    recipients: &[String],
    message: &Message<'_>,
    brand: Option<&EmailBrand>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let root = ticket.thread_message_id.clone();
    let reference = ticket.reference();
    let sender = brand.map_or(org.name.as_str(), |b| b.name.as_str());
    let portal_link = brand.filter(|b| b.tickets_in_portal).map(|b| b.link(&format!("/tickets/{}", ticket.number)));
    let text = TicketText {
        intro: &message.intro,
        body: message.body,
        closing: &message.closing,
        org_name: sender,
        reference: &reference,
        portal_link: portal_link.as_deref(),
    }
    .render()
    .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    let html = TicketHtml {
        intro: &message.intro,
        body: message.body,
        body_html: to_html(message.body),
        closing: &message.closing,
        org_name: sender,
        reference: &reference,
        brand,
        portal_link: portal_link.as_deref(),
    }
    .render()
    .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    for to in recipients {
        let message_id = mail::new_message_id(&env.base_url);
        let mut outgoing = OutgoingMail::new(to, message.subject.clone(), text.clone(), html.clone()).for_org(&org.id);
        outgoing.headers = MailHeaders {
            message_id: Some(message_id.clone()),
            in_reply_to: Some(root.clone()),
            references: vec![root.clone()],
            reply_to: env.reply_domain.as_ref().map(|domain| format!("{}@{domain}", org.slug)),
            from_name: Some(sender.to_string()),
        };
        outgoing.attachments = message.attachments.clone();
        mail::enqueue(conn, now, &outgoing)?;
        remember_message_id(conn, &org.id, &ticket.id, &message_id, now)?;
    }
    Ok(())
}
