//! One received message, start to end: kept (raw, in file storage), parsed, screened (automatic replies,
//! bounces, our own mail, a sender over the rate limit, a message already received), routed, and put on a ticket
//! through the ticket service, with the stored message and its outcome written in the same transaction as the
//! ticket change. A message the service refuses is stored as rejected; nothing is ever half written.

use bytes::Bytes;
use chrono::{Duration, NaiveDateTime};

use super::models::{self, InboundMessage, Outcome, Source};
use super::parse::{self, InboundMail, Malformed};
use super::route::{self, Mailbox, Route, Sender};
use super::trim;
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::config::Config;
use crate::db::DbConnection;
use crate::db::ids::{InboundMessageId, OrgId};
use crate::error::AppError;
use crate::psa::contacts::models::{self as contacts, Contact, ContactInput};
use crate::psa::tickets::mail as ticket_mail;
use crate::psa::tickets::models::TicketSource;
use crate::psa::tickets::service::{
    self, Author, DeskEnv, DeskError, Landed, NewAttachment, NewTicket, Reply, TicketRef,
};
use crate::storage;

/// The longest text put on a ticket; the rest stays in the stored message.
const MAX_TICKET_TEXT: usize = 100_000;
/// The longest text kept in the stored message's columns (the raw message has it all).
const MAX_STORED_TEXT: usize = 1_000_000;

/// A message as a source hands it over.
#[derive(Clone, Debug)]
pub struct Received {
    pub source: Source,
    /// An IMAP message's identity (claims it); None for SMTP.
    pub source_ref: Option<String>,
    /// The SMTP envelope sender ("" for the null reverse path); None when the source has no envelope (IMAP).
    pub envelope_from: Option<String>,
    /// The SMTP envelope recipients, or the addresses the IMAP message names.
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
}

/// What became of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    pub id: InboundMessageId,
    pub outcome: Outcome,
    pub detail: String,
    pub routed_org: Option<OrgId>,
    pub ticket: Option<TicketRef>,
}

/// Keeps, parses, routes and records one message for `mailbox`. Errors are the database's or storage's (the
/// source should try again later: SMTP answers 451, IMAP leaves the message unseen); everything about the
/// message itself is an outcome.
pub async fn ingest(state: &AppState, mailbox: Mailbox, received: Received) -> Result<Processed, AppError> {
    let now = state.clock.now();
    let id = InboundMessageId::new();
    let limit = state.config.inbound.limit_bytes;
    let raw_key = if received.raw.len() as u64 <= limit {
        let key = storage::new_key(&["org", mailbox.head.as_str(), "inbound"]);
        match state.storage.put(&key, Bytes::from(received.raw.clone())).await {
            Ok(stored) => Some(stored.key),
            Err(storage::StorageError::TooLarge { .. }) => None,
            Err(e) => return Err(AppError::internal_from("storing an inbound message", e)),
        }
    } else {
        None
    };
    let parsed = if received.raw.len() as u64 > limit {
        Err(Malformed(format!("larger than the {} MB limit", limit / (1024 * 1024))))
    } else {
        parse::parse(&received.raw, received.envelope_from.as_deref())
    };
    let row = record(&id, &mailbox, &received, raw_key, &parsed, now);
    let mail = match parsed {
        Err(why) => return store_only(state, row, Outcome::Rejected, why.0).await,
        Ok(mail) => mail,
    };
    if let Some((outcome, detail)) = screen(&state.config, &mail) {
        return store_only(state, row, outcome, detail).await;
    }
    let files = keep_attachments(state, &mailbox, &mail).await?;
    let env = DeskEnv::of(state);
    let rate = state.config.inbound.rate_per_hour;
    let (landed_row, attempt) = (row.clone(), files.clone());
    let result = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| land(conn, &env, &mailbox, &mail, attempt, landed_row, rate)))
        })
        .await?;
    match result {
        Ok(processed) => {
            if !processed.outcome.landed() {
                forget(state, &files).await;
            }
            Ok(processed)
        }
        Err(DeskError::Refused(why)) => {
            forget(state, &files).await;
            store_only(state, row, Outcome::Rejected, why).await
        }
        Err(DeskError::Db(e)) => {
            forget(state, &files).await;
            Err(e.into())
        }
    }
}

/// The stored message before its outcome is known.
fn record(
    id: &InboundMessageId,
    mailbox: &Mailbox,
    received: &Received,
    raw_key: Option<String>,
    parsed: &Result<InboundMail, Malformed>,
    now: NaiveDateTime,
) -> InboundMessage {
    let empty = InboundMail::default();
    let mail = parsed.as_ref().unwrap_or(&empty);
    let summary = serde_json::json!({
        "recipients": mail.recipients,
        "thread_ids": mail.thread_ids,
        "auto_reply": mail.auto_reply,
        "bounce": mail.bounce,
        "attachments": mail.attachments.iter().map(|a| serde_json::json!({
            "filename": a.filename, "size": a.bytes.len()
        })).collect::<Vec<_>>(),
    });
    InboundMessage {
        id: id.clone(),
        org_id: mailbox.head.clone(),
        received_at: now,
        source: received.source,
        source_ref: received.source_ref.clone(),
        envelope_from: clip(received.envelope_from.as_deref().unwrap_or(""), 254),
        recipients: clip(&received.recipients.join(", "), 2000),
        from_address: mail.from.clone(),
        from_name: mail.from_name.clone(),
        subject: mail.subject.clone(),
        message_id: mail.message_id.clone(),
        size: received.raw.len() as i64,
        raw_key,
        body_text: clip(&mail.text, MAX_STORED_TEXT),
        trimmed_text: clip(&mail.trimmed, MAX_STORED_TEXT),
        parsed: summary.to_string(),
        outcome: Outcome::Rejected,
        outcome_detail: String::new(),
        routed_org_id: None,
        ticket_id: None,
        processed_at: now,
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Messages that never reach routing: automatic replies, bounces, and mail from this installation itself.
fn screen(config: &Config, mail: &InboundMail) -> Option<(Outcome, String)> {
    let own_sender =
        config.mail_from.parse::<lettre::message::Mailbox>().ok().map(|m| m.email.to_string().to_lowercase());
    let from_domain = mail.from.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    if own_sender.as_deref() == Some(mail.from.as_str()) || config.inbound.domains.iter().any(|d| d == from_domain) {
        return Some((Outcome::Loop, format!("sent from this installation's own address {}", mail.from)));
    }
    if let Some(why) = &mail.bounce {
        return Some((Outcome::Bounce, why.clone()));
    }
    if let Some(why) = &mail.auto_reply {
        return Some((Outcome::AutoReply, why.clone()));
    }
    None
}

async fn store_only(
    state: &AppState,
    mut row: InboundMessage,
    outcome: Outcome,
    detail: String,
) -> Result<Processed, AppError> {
    row.outcome = outcome;
    row.outcome_detail = clip(&detail, 500);
    let processed =
        Processed { id: row.id.clone(), outcome, detail: row.outcome_detail.clone(), routed_org: None, ticket: None };
    state.db.write(move |conn| Ok(models::insert(conn, &row)?)).await?;
    Ok(processed)
}

/// The attachments in file storage, under the mailbox's organization, before the transaction.
async fn keep_attachments(
    state: &AppState,
    mailbox: &Mailbox,
    mail: &InboundMail,
) -> Result<Vec<NewAttachment>, AppError> {
    let mut files = Vec::new();
    for attachment in &mail.attachments {
        let key = storage::new_key(&["org", mailbox.head.as_str(), "tickets"]);
        match state.storage.put(&key, Bytes::from(attachment.bytes.clone())).await {
            Ok(stored) => files.push(NewAttachment { filename: attachment.filename.clone(), stored }),
            // One file over the upload limit is left out; the message still lands, and the raw message keeps it.
            Err(storage::StorageError::TooLarge { .. }) => continue,
            Err(e) => {
                forget(state, &files).await;
                return Err(AppError::internal_from("storing an inbound attachment", e));
            }
        }
    }
    Ok(files)
}

async fn forget(state: &AppState, files: &[NewAttachment]) {
    for file in files {
        if let Err(e) = state.storage.delete(&file.stored.key).await {
            tracing::warn!(key = %file.stored.key, "could not remove an unused inbound attachment: {e}");
        }
    }
}

/// Inside the write transaction: the rate limit and duplicate checks, the route, the ticket change, the row.
fn land(
    conn: &mut DbConnection,
    env: &DeskEnv,
    mailbox: &Mailbox,
    mail: &InboundMail,
    files: Vec<NewAttachment>,
    mut row: InboundMessage,
    rate_per_hour: i64,
) -> Result<Processed, DeskError> {
    let now = row.received_at;
    let (outcome, detail, routed_org, ticket) = match check_limits(conn, mailbox, mail, &row, rate_per_hour)? {
        Some((outcome, detail)) => (outcome, detail, None, None),
        None => {
            let sender = route::identify(conn, mailbox, &mail.from)?;
            let route = route::decide(conn, mailbox, &sender, &mail.from, &mail.thread_ids, &mail.subject)?;
            apply(conn, env, mailbox, mail, &sender, route, files, now)?
        }
    };
    row.outcome = outcome;
    row.outcome_detail = clip(&detail, 500);
    row.routed_org_id = routed_org.clone();
    row.ticket_id = ticket.as_ref().map(|t| t.id.clone());
    models::insert(conn, &row)?;
    Ok(Processed { id: row.id, outcome, detail: row.outcome_detail, routed_org, ticket })
}

fn check_limits(
    conn: &mut DbConnection,
    mailbox: &Mailbox,
    mail: &InboundMail,
    row: &InboundMessage,
    rate_per_hour: i64,
) -> Result<Option<(Outcome, String)>, DeskError> {
    if !mail.message_id.is_empty() && models::already_landed(conn, &mailbox.head, &mail.message_id)? {
        return Ok(Some((Outcome::Duplicate, format!("{} already landed", mail.message_id))));
    }
    if row.source != Source::Reprocess {
        let recent = models::count_from(conn, &mailbox.head, &mail.from, row.received_at - Duration::hours(1))?;
        if recent >= rate_per_hour {
            return Ok(Some((Outcome::RateLimited, format!("{recent} messages from {} in the last hour", mail.from))));
        }
    }
    Ok(None)
}

type Applied = (Outcome, String, Option<OrgId>, Option<TicketRef>);

#[allow(clippy::too_many_arguments)]
fn apply(
    conn: &mut DbConnection,
    env: &DeskEnv,
    mailbox: &Mailbox,
    mail: &InboundMail,
    sender: &Sender,
    route: Route,
    files: Vec<NewAttachment>,
    now: NaiveDateTime,
) -> Result<Applied, DeskError> {
    // A Message-ID some ticket already knows (resent, or forged) must not tie this message to that thread.
    let message_id =
        if mail.message_id.is_empty() || ticket_mail::ticket_of_message_id(conn, &mail.message_id)?.is_some() {
            None
        } else {
            Some(mail.message_id.clone())
        };
    let body = trim::to_markdown(&clip(&mail.trimmed, MAX_TICKET_TEXT));
    match route {
        Route::Reply { org, ticket, via } => {
            let author = author_in(conn, sender, &org, mail, now)?;
            let reply = Reply { body, internal: false, attachments: files, message_id };
            match service::add_reply(conn, env, &org, &ticket, &author, reply)? {
                Landed::OnTicket { ticket, reopened } => {
                    let how = if reopened { ", which reopened it" } else { "" };
                    let detail = format!("added to #{} (found by {via}){how}", ticket.number);
                    Ok((Outcome::ReplyAdded, detail, Some(org), Some(ticket)))
                }
                Landed::NewTicket { ticket, follows } => {
                    let detail =
                        format!("#{} was closed too long ago to reopen: opened #{}", follows.number, ticket.number);
                    Ok((Outcome::FollowUpOpened, detail, Some(org), Some(ticket)))
                }
            }
        }
        Route::Open { org, via } => {
            let author = author_in(conn, sender, &org, mail, now)?;
            let mut new = NewTicket::new(&subject_of(mail), &body);
            new.requester = match &author.kind {
                service::AuthorKind::Contact(id) => Some(id.clone()),
                _ => None,
            };
            new.source = TicketSource::Email;
            new.attachments = files;
            new.message_id = message_id;
            let opened = service::open_ticket(conn, env, &org, &author, new)?;
            let detail = format!("opened #{} ({via})", opened.number);
            Ok((Outcome::TicketOpened, detail, Some(org), Some(opened)))
        }
        Route::Triage { why } => {
            let label = sender_label(mail);
            let author = Author::system(&label, now);
            let description = format!("**From:** {}\n\n{body}", trim::to_markdown(&label));
            let mut new = NewTicket::new(&subject_of(mail), &description);
            new.source = TicketSource::Email;
            new.attachments = files;
            new.message_id = message_id;
            new.notify_requester = false;
            let opened = service::open_ticket(conn, env, &mailbox.head, &author, new)?;
            models::flag_triage(conn, &mailbox.head, &opened.id, &mail.from, &mail.from_name, now)?;
            let detail = format!("opened #{} in triage: {why}", opened.number);
            Ok((Outcome::Triaged, detail, Some(mailbox.head.clone()), Some(opened)))
        }
    }
}

fn subject_of(mail: &InboundMail) -> String {
    if mail.subject.trim().is_empty() { "(no subject)".into() } else { mail.subject.clone() }
}

/// "Ann Lee <ann@legal.test>", or the address alone.
fn sender_label(mail: &InboundMail) -> String {
    if mail.from_name.is_empty() { mail.from.clone() } else { format!("{} <{}>", mail.from_name, mail.from) }
}

/// Who writes on a ticket of `org`: the sender's contact there, a contact made now for a sender whose domain
/// matched `org`, or (a triage sender) the sender's name as the system's label.
fn author_in(
    conn: &mut DbConnection,
    sender: &Sender,
    org: &OrgId,
    mail: &InboundMail,
    now: NaiveDateTime,
) -> Result<Author, DeskError> {
    if let Some(contact) = sender.contact_in(org) {
        return Ok(Author::contact(contact, now));
    }
    if matches!(sender, Sender::Domain(domain_org) if domain_org == org) {
        let contact = new_contact(conn, org, mail, now)?;
        return Ok(Author::contact(&contact, now));
    }
    Ok(Author::system(&sender_label(mail), now))
}

/// A contact for a sender whose domain is the organization's, recorded in the activity log.
fn new_contact(
    conn: &mut DbConnection,
    org: &OrgId,
    mail: &InboundMail,
    now: NaiveDateTime,
) -> Result<Contact, DeskError> {
    let name = if mail.from_name.is_empty() {
        mail.from.split('@').next().unwrap_or_default().to_string()
    } else {
        mail.from_name.chars().take(120).collect()
    };
    let input = ContactInput { name: name.clone(), email: Some(mail.from.clone()), ..Default::default() };
    let id = contacts::insert(conn, org, &input, now)?;
    let actor = crate::audit::Actor::system(&format!("{name} <{}> (by email)", mail.from), now);
    audit::record(conn, &actor, Some(org), Action::ContactCreated, Target::new("contact", &id, &name))?;
    Ok(contacts::find(conn, org, &id)?.ok_or(diesel::result::Error::NotFound)?)
}
