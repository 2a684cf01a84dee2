//! The service desk's one way to change tickets, for every area: the staff pages, inbound email, later the
//! portal and time tracking. Each function takes the organization (an `OrgId` from a scope, or from a row found
//! through one), the author (staff, contact or the system) at the author's time, and runs inside the caller's
//! write transaction (`Db::write`): the ticket change, the conversation entry, the activity log, the SLA
//! recomputation and the outgoing emails (outbox, threaded) happen together or not at all.
//!
//! ```ignore
//! state.db.write(move |conn| {
//!     let author = Author::contact(&contact, now);
//!     let opened = service::open_ticket(conn, &env, &contact.org_id, &author, NewTicket::new("Printer on fire", body))?;
//!     Ok(opened)
//! })
//! ```

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conversation::{self, EventKind, NewEvent};
use super::mail::{self, Message};
use super::models::{self, Priority, Ticket, TicketSource, TicketStatus, TicketType};
use super::{numbers, staff};
use crate::audit::{self, Action, Actor, Target};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, TicketAttachmentId, TicketEventId, TicketId, UserId};
use crate::error::AppError;
use crate::mail::MailAttachment;
use crate::orgs::{OrgKind, Organization, find_org};
use crate::psa::contacts::models::{self as contacts, Contact};
use crate::psa::sla_policy::{self, SlaChange};
use crate::psa::tickets::settings::{self as desk_settings, DeskSettings};
use crate::schema::{ticket_attachments, ticket_links, tickets};
use crate::storage::StoredFile;

/// What the service needs from the application beyond the database: the public address (links, Message-IDs)
/// and, when inbound email is on, the domain of the organizations' reply addresses (`slug@domain`).
#[derive(Clone, Debug)]
pub struct DeskEnv {
    pub base_url: String,
    pub reply_domain: Option<String>,
}

impl DeskEnv {
    pub fn of(state: &crate::AppState) -> DeskEnv {
        DeskEnv { base_url: state.config.base_url.clone(), reply_domain: state.config.inbound.domains.first().cloned() }
    }
}

/// Who is acting on a ticket.
#[derive(Clone, Debug)]
pub enum AuthorKind {
    Staff(UserId),
    Contact(ContactId),
    System,
}

/// The author of a change: who (for the conversation) and the activity log's actor (label, IP, time).
#[derive(Clone, Debug)]
pub struct Author {
    pub actor: Actor,
    pub kind: AuthorKind,
}

impl Author {
    /// A signed-in staff member (the request's actor).
    pub fn staff(actor: &Actor) -> Author {
        let kind = match &actor.user_id {
            Some(id) => AuthorKind::Staff(id.clone()),
            None => AuthorKind::System,
        };
        Author { actor: actor.clone(), kind }
    }

    /// A contact writing in (email, later the portal), at `at`.
    pub fn contact(contact: &Contact, at: NaiveDateTime) -> Author {
        let actor = Actor { user_id: None, label: contact.label(), ip: String::new(), user_agent: String::new(), at };
        Author { actor, kind: AuthorKind::Contact(contact.id.clone()) }
    }

    /// The application itself (recurring tickets, escalations, automatic closing).
    pub fn system(label: &str, at: NaiveDateTime) -> Author {
        Author { actor: Actor::system(label, at), kind: AuthorKind::System }
    }

    pub fn at(&self) -> NaiveDateTime {
        self.actor.at
    }

    fn user_id(&self) -> Option<&UserId> {
        match &self.kind {
            AuthorKind::Staff(id) => Some(id),
            _ => None,
        }
    }

    fn contact_id(&self) -> Option<&ContactId> {
        match &self.kind {
            AuthorKind::Contact(id) => Some(id),
            _ => None,
        }
    }

    fn is_contact(&self) -> bool {
        matches!(self.kind, AuthorKind::Contact(_))
    }

    /// The name the conversation shows ("Ann Lee").
    pub fn name(&self) -> String {
        crate::audit::sentences::actor_name(&self.actor.label)
    }

    fn event<'a>(
        &'a self,
        kind: EventKind,
        internal: bool,
        name: &'a str,
        body: &'a str,
        details: &'a str,
    ) -> NewEvent<'a> {
        NewEvent {
            kind,
            internal,
            author_user_id: self.user_id(),
            author_contact_id: self.contact_id(),
            author_label: name,
            body,
            details,
        }
    }
}

/// Why the service refused a change (shown to the person), or a database failure.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<AppError> for DeskError {
    fn from(e: AppError) -> DeskError {
        match e {
            AppError::NotFound => DeskError::Db(diesel::result::Error::NotFound),
            other => DeskError::Refused(other.to_string()),
        }
    }
}

impl From<DeskError> for AppError {
    fn from(e: DeskError) -> AppError {
        match e {
            DeskError::Refused(message) => AppError::BadRequest(message),
            DeskError::Db(e) => e.into(),
        }
    }
}

fn refuse<T>(message: impl Into<String>) -> Result<T, DeskError> {
    Err(DeskError::Refused(message.into()))
}

/// A file stored for a ticket (through `storage`) that a reply or a new ticket carries.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub filename: String,
    pub stored: StoredFile,
}

/// A ticket to open.
#[derive(Clone, Debug)]
pub struct NewTicket {
    pub subject: String,
    /// Markdown.
    pub description: String,
    pub requester: Option<ContactId>,
    pub priority: Priority,
    pub ticket_type: TicketType,
    pub category: String,
    pub status: TicketStatus,
    pub assignee: Option<UserId>,
    pub source: TicketSource,
    pub attachments: Vec<NewAttachment>,
    /// The Message-ID of the email that opened it, if one did.
    pub message_id: Option<String>,
    /// Send the requester the "we have your request" email.
    pub notify_requester: bool,
}

impl NewTicket {
    /// A Medium incident, New, unassigned, opened by staff, requester notified.
    pub fn new(subject: &str, description: &str) -> NewTicket {
        NewTicket {
            subject: subject.to_string(),
            description: description.to_string(),
            requester: None,
            priority: Priority::Medium,
            ticket_type: TicketType::Incident,
            category: String::new(),
            status: TicketStatus::New,
            assignee: None,
            source: TicketSource::Staff,
            attachments: Vec::new(),
            message_id: None,
            notify_requester: true,
        }
    }
}

/// A ticket that was opened (or that a message landed on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketRef {
    pub id: TicketId,
    pub number: i64,
}

impl TicketRef {
    fn of(ticket: &Ticket) -> TicketRef {
        TicketRef { id: ticket.id.clone(), number: ticket.number }
    }
}

fn org_row(conn: &mut DbConnection, org: &OrgId) -> Result<Organization, DeskError> {
    Ok(find_org(conn, org)?.ok_or(diesel::result::Error::NotFound)?)
}

fn ticket_row(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> Result<Ticket, DeskError> {
    Ok(models::by_id(conn, org, ticket)?.ok_or(diesel::result::Error::NotFound)?)
}

fn requester_of(conn: &mut DbConnection, ticket: &Ticket) -> QueryResult<Option<Contact>> {
    match &ticket.requester_contact_id {
        Some(id) => contacts::find(conn, &ticket.org_id, id),
        None => Ok(None),
    }
}

pub fn log(
    conn: &mut DbConnection,
    author: &Author,
    ticket: &Ticket,
    action: Action,
    details: String,
) -> QueryResult<()> {
    let label = format!("#{} {}", ticket.number, ticket.subject);
    audit::record(
        conn,
        &author.actor,
        Some(&ticket.org_id),
        action,
        Target::new("ticket", &ticket.id, &label).details(details),
    )
}

/// An internal line of the ticket's history written by another area (an asset linked), the ticket touched.
pub fn history_line(
    conn: &mut DbConnection,
    ticket: &Ticket,
    author: &Author,
    kind: EventKind,
    details: &str,
) -> QueryResult<()> {
    let (name, now) = (author.name(), author.at());
    conversation::insert(conn, &ticket.org_id, &ticket.id, &author.event(kind, true, &name, "", details), now)?;
    touch(conn, ticket, now)
}

fn touch(conn: &mut DbConnection, ticket: &Ticket, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(tickets::table.filter(tickets::org_id.eq(&ticket.org_id)).filter(tickets::id.eq(&ticket.id)))
        .set(tickets::updated_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

/// The MSP whose cross-client queue shows an organization's tickets: its MSP, or itself when it is one.
fn queue_msp(org: &Organization) -> Option<OrgId> {
    match org.kind {
        OrgKind::Msp => Some(org.id.clone()),
        _ => org.msp_org_id.clone(),
    }
}

/// Checks what a new ticket names: the requester is an active contact of the organization, the assignee works
/// its tickets.
fn check_people(
    conn: &mut DbConnection,
    org: &Organization,
    requester: Option<&ContactId>,
    assignee: Option<&UserId>,
) -> Result<(), DeskError> {
    if let Some(id) = requester {
        match contacts::find(conn, &org.id, id)? {
            Some(c) if !c.is_archived() => {}
            _ => return refuse("Choose an active contact of this organization as the requester."),
        }
    }
    if let Some(user) = assignee
        && staff::is_worker(conn, org, user)?.is_none()
    {
        return refuse("Assign the ticket to someone who works this organization's tickets.");
    }
    Ok(())
}

/// Opens a ticket: its number, the "created" entry with the description, its attachments, the thread's first
/// Message-ID, the SLA clocks, the activity log, and the requester's email ("we have your request").
pub fn open_ticket(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org_id: &OrgId,
    author: &Author,
    new: NewTicket,
) -> Result<TicketRef, DeskError> {
    let org = org_row(conn, org_id)?;
    let subject: String = new.subject.trim().chars().take(200).collect();
    if subject.is_empty() {
        return refuse("A ticket needs a subject.");
    }
    check_people(conn, &org, new.requester.as_ref(), new.assignee.as_ref())?;
    let now = author.at();
    let id = TicketId::new();
    let number = numbers::take(conn, &org.id)?;
    let root = new.message_id.clone().unwrap_or_else(|| mail::own_root(&id, &env.base_url));
    let (resolved_at, closed_at) = match new.status {
        TicketStatus::Resolved => (Some(now), None),
        TicketStatus::Closed => (Some(now), Some(now)),
        _ => (None, None),
    };
    diesel::insert_into(tickets::table)
        .values((
            tickets::id.eq(&id),
            tickets::org_id.eq(&org.id),
            tickets::msp_org_id.eq(queue_msp(&org)),
            tickets::number.eq(number),
            tickets::subject.eq(&subject),
            tickets::description.eq(&new.description),
            tickets::requester_contact_id.eq(&new.requester),
            tickets::priority.eq(new.priority),
            tickets::ticket_type.eq(new.ticket_type),
            tickets::category.eq(new.category.trim()),
            tickets::status.eq(new.status),
            tickets::unresolved.eq(new.status.is_unresolved()),
            tickets::assignee_user_id.eq(&new.assignee),
            tickets::source.eq(new.source),
            tickets::created_by_user_id.eq(author.user_id()),
            tickets::thread_message_id.eq(&root),
            tickets::last_customer_reply_at.eq(author.is_contact().then_some(now)),
            tickets::resolved_at.eq(resolved_at),
            tickets::closed_at.eq(closed_at),
            tickets::created_at.eq(now),
            tickets::updated_at.eq(now),
        ))
        .execute(conn)?;
    let ticket = ticket_row(conn, &org.id, &id)?;
    let name = author.name();
    let event = conversation::insert(
        conn,
        &org.id,
        &id,
        &author.event(EventKind::Created, false, &name, &new.description, new.source.id()),
        now,
    )?;
    attach(conn, &ticket, &event, false, &name, &new.attachments, now)?;
    mail::remember_message_id(conn, &org.id, &id, &root, now)?;
    sla_policy::sync(conn, &org, &id, now, SlaChange::Opened)?;
    let details = format!("priority {}, status {}", new.priority.id(), new.status.id());
    log(conn, author, &ticket, Action::TicketCreated, details)?;
    if let Some(assignee) = &new.assignee {
        notify_assignee(conn, env, &org, &ticket, assignee, author)?;
    }
    if new.notify_requester
        && let Some(requester) = requester_of(conn, &ticket)?
        && let Some(email) = &requester.email
    {
        let message = Message {
            subject: mail::subject_line(&ticket, ""),
            intro: format!(
                "We have your request and opened ticket #{} for it. Reply to this email to add to it.",
                number
            ),
            body: &new.description,
            closing: Vec::new(),
            attachments: mail_attachments(&new.attachments),
        };
        mail::send_to_contacts(conn, env, &org, &ticket, std::slice::from_ref(email), &message, now)?;
    }
    Ok(TicketRef { id, number })
}

fn mail_attachments(files: &[NewAttachment]) -> Vec<MailAttachment> {
    files
        .iter()
        .map(|f| MailAttachment {
            filename: f.filename.clone(),
            content_type: f.stored.content_type.clone(),
            storage_key: f.stored.key.clone(),
        })
        .collect()
}

fn attach(
    conn: &mut DbConnection,
    ticket: &Ticket,
    event: &TicketEventId,
    internal: bool,
    by: &str,
    files: &[NewAttachment],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for file in files {
        diesel::insert_into(ticket_attachments::table)
            .values((
                ticket_attachments::id.eq(TicketAttachmentId::new()),
                ticket_attachments::org_id.eq(&ticket.org_id),
                ticket_attachments::ticket_id.eq(&ticket.id),
                ticket_attachments::event_id.eq(Some(event)),
                ticket_attachments::internal.eq(internal),
                ticket_attachments::filename.eq(&file.filename),
                ticket_attachments::storage_key.eq(&file.stored.key),
                ticket_attachments::size.eq(file.stored.size as i64),
                ticket_attachments::sha256.eq(&file.stored.sha256),
                ticket_attachments::content_type.eq(&file.stored.content_type),
                ticket_attachments::uploaded_by_label.eq(by),
                ticket_attachments::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A message on a ticket: a public reply, or (staff only) an internal note.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    /// Markdown.
    pub body: String,
    pub internal: bool,
    pub attachments: Vec<NewAttachment>,
    /// The Message-ID of the email it came in, if it did.
    pub message_id: Option<String>,
}

/// Where a message landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landed {
    /// On the ticket (or, for a merged ticket, the one it was merged into); `reopened` when a requester's reply
    /// reopened it within the reopen window.
    OnTicket { ticket: TicketRef, reopened: bool },
    /// A requester wrote to a ticket closed past the reopen window: a new ticket linked to it.
    NewTicket { ticket: TicketRef, follows: TicketRef },
}

/// The ticket a merged ticket now lives in (following a chain of merges).
fn survivor(conn: &mut DbConnection, org: &OrgId, mut ticket: Ticket) -> Result<Ticket, DeskError> {
    for _ in 0..16 {
        match ticket.merged_into_ticket_id.clone() {
            Some(next) => ticket = ticket_row(conn, org, &next)?,
            None => return Ok(ticket),
        }
    }
    refuse("This ticket was merged too many times to follow.")
}

/// Adds a reply or a note. A staff reply is emailed to the requester and watchers and meets the first (or next)
/// response; a requester's reply restarts the next-response clock, takes a ticket out of "Pending customer",
/// reopens a resolved or closed ticket within the organization's reopen window, and past it opens a new ticket
/// that links to the old one. A message to a merged ticket goes to the ticket it was merged into.
pub fn add_reply(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    reply: Reply,
) -> Result<Landed, DeskError> {
    if reply.body.trim().is_empty() && reply.attachments.is_empty() {
        return refuse("Write a message or attach a file.");
    }
    if reply.internal && !matches!(author.kind, AuthorKind::Staff(_)) {
        return refuse("Only staff write internal notes.");
    }
    let org = org_row(conn, org_id)?;
    let first = ticket_row(conn, &org.id, ticket_id)?;
    let ticket = survivor(conn, &org.id, first)?;
    let now = author.at();
    if author.is_contact() && !ticket.unresolved {
        let settings = desk_settings::of(conn, &org.id)?;
        if !settings.may_reopen(&ticket, now) {
            return follow_up(conn, env, &org, &ticket, author, reply);
        }
        change_status_in(conn, env, &org, &ticket, author, TicketStatus::Open, "", &settings)?;
        let ticket = ticket_row(conn, &org.id, &ticket.id)?;
        post(conn, env, &org, &ticket, author, &reply)?;
        return Ok(Landed::OnTicket { ticket: TicketRef::of(&ticket), reopened: true });
    }
    post(conn, env, &org, &ticket, author, &reply)?;
    if author.is_contact() && ticket.status == TicketStatus::PendingCustomer {
        let settings = desk_settings::of(conn, &org.id)?;
        let ticket = ticket_row(conn, &org.id, &ticket.id)?;
        change_status_in(conn, env, &org, &ticket, author, TicketStatus::Open, "", &settings)?;
    }
    Ok(Landed::OnTicket { ticket: TicketRef::of(&ticket), reopened: false })
}

/// Writes a message on the ticket with its effects (response times, SLA, emails, activity log).
fn post(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    author: &Author,
    reply: &Reply,
) -> Result<(), DeskError> {
    let now = author.at();
    let name = author.name();
    let kind = if reply.internal { EventKind::Note } else { EventKind::Reply };
    let event = conversation::insert(
        conn,
        &org.id,
        &ticket.id,
        &author.event(kind, reply.internal, &name, &reply.body, ""),
        now,
    )?;
    attach(conn, ticket, &event, reply.internal, &name, &reply.attachments, now)?;
    if let Some(message_id) = &reply.message_id {
        mail::remember_message_id(conn, &org.id, &ticket.id, message_id, now)?;
    }
    let target = tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id));
    let change = match (&author.kind, reply.internal) {
        (_, true) => None,
        (AuthorKind::Staff(_), false) => {
            diesel::update(target)
                .set((
                    tickets::first_responded_at.eq(ticket.first_responded_at.or(Some(now))),
                    tickets::last_staff_reply_at.eq(now),
                    tickets::updated_at.eq(now),
                ))
                .execute(conn)?;
            Some(SlaChange::StaffReplied)
        }
        (AuthorKind::Contact(_), false) => {
            diesel::update(target)
                .set((tickets::last_customer_reply_at.eq(now), tickets::updated_at.eq(now)))
                .execute(conn)?;
            Some(SlaChange::CustomerWrote)
        }
        (AuthorKind::System, false) => {
            diesel::update(target).set(tickets::updated_at.eq(now)).execute(conn)?;
            None
        }
    };
    if reply.internal {
        touch(conn, ticket, now)?;
    }
    if let Some(change) = change {
        sla_policy::sync(conn, org, &ticket.id, now, change)?;
    }
    let action = if reply.internal { Action::TicketNoted } else { Action::TicketReplied };
    log(conn, author, ticket, action, format!("{} attachments", reply.attachments.len()))?;
    if !reply.internal {
        let recipients = public_recipients(conn, ticket, author)?;
        let message = Message {
            subject: mail::subject_line(ticket, "Re: "),
            intro: format!("{name} wrote on ticket #{}:", ticket.number),
            body: &reply.body,
            closing: vec!["Reply to this email to answer.".into()],
            attachments: mail_attachments(&reply.attachments),
        };
        mail::send_to_contacts(conn, env, org, ticket, &recipients, &message, now)?;
    }
    Ok(())
}

/// Who a public message goes to: the requester and the watchers, except its author.
fn public_recipients(conn: &mut DbConnection, ticket: &Ticket, author: &Author) -> QueryResult<Vec<String>> {
    let mut recipients: Vec<String> = Vec::new();
    if let Some(requester) = requester_of(conn, ticket)?
        && Some(&requester.id) != author.contact_id()
        && let Some(email) = requester.email
    {
        recipients.push(email);
    }
    for watcher in super::watchers::of_ticket(conn, &ticket.org_id, &ticket.id)? {
        let is_author = match (&watcher.user_id, &watcher.contact_id) {
            (Some(user), _) => Some(user) == author.user_id(),
            (_, Some(contact)) => Some(contact) == author.contact_id(),
            _ => false,
        };
        if !is_author && !watcher.email.is_empty() && !recipients.contains(&watcher.email) {
            recipients.push(watcher.email);
        }
    }
    Ok(recipients)
}

/// A requester wrote to a ticket closed past the reopen window: a new ticket for the same requester, linked to
/// the old one, with the message as its description.
fn follow_up(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    old: &Ticket,
    author: &Author,
    reply: Reply,
) -> Result<Landed, DeskError> {
    let new = NewTicket {
        subject: format!("Re: {}", old.subject),
        description: reply.body,
        requester: author.contact_id().cloned().or_else(|| old.requester_contact_id.clone()),
        priority: old.priority,
        ticket_type: old.ticket_type,
        category: old.category.clone(),
        status: TicketStatus::New,
        assignee: None,
        source: TicketSource::Email,
        attachments: reply.attachments,
        message_id: reply.message_id,
        notify_requester: true,
    };
    let opened = open_ticket(conn, env, &org.id, author, new)?;
    let ticket = ticket_row(conn, &org.id, &opened.id)?;
    link_tickets(conn, org, &ticket, old, author)?;
    Ok(Landed::NewTicket { ticket: opened, follows: TicketRef::of(old) })
}

/// Changes a ticket's status (resolving needs the resolution note when the organization's closing rules say
/// so), with its event, SLA pauses, closing time and the requester's "resolved" email.
pub fn change_status(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    status: TicketStatus,
    resolution_note: &str,
) -> Result<bool, DeskError> {
    let org = org_row(conn, org_id)?;
    let ticket = ticket_row(conn, &org.id, ticket_id)?;
    if ticket.is_merged() {
        return refuse(format!("Ticket #{} was merged into another ticket; work on that one.", ticket.number));
    }
    let settings = desk_settings::of(conn, &org.id)?;
    change_status_in(conn, env, &org, &ticket, author, status, resolution_note, &settings)
}

/// The status change itself; false when the ticket already had that status.
#[allow(clippy::too_many_arguments)]
fn change_status_in(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    author: &Author,
    status: TicketStatus,
    resolution_note: &str,
    settings: &DeskSettings,
) -> Result<bool, DeskError> {
    if ticket.status == status {
        return Ok(false);
    }
    let note = resolution_note.trim();
    let resolving = status == TicketStatus::Resolved;
    if resolving && settings.require_resolution_note && note.is_empty() {
        return refuse("Write a resolution note: this organization resolves tickets with one.");
    }
    let books = ticket.msp_org_id.as_ref().unwrap_or(&org.id);
    if resolving && settings.require_time_entry && !crate::psa::time::models::ticket_has_time(conn, books, &ticket.id)?
    {
        return refuse(format!(
            "Log time on ticket #{} before resolving it: this organization resolves tickets with at least one time entry.",
            ticket.number
        ));
    }
    let now = author.at();
    let (resolved_at, closed_at, close_due_at) = match status {
        TicketStatus::Resolved => (Some(now), None, settings.close_due(now)),
        TicketStatus::Closed => (ticket.resolved_at.or(Some(now)), Some(now), None),
        _ => (None, None, None),
    };
    let note = if resolving && !note.is_empty() { note.to_string() } else { ticket.resolution_note.clone() };
    diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
        .set((
            tickets::status.eq(status),
            tickets::unresolved.eq(status.is_unresolved()),
            tickets::resolved_at.eq(resolved_at),
            tickets::closed_at.eq(closed_at),
            tickets::close_due_at.eq(close_due_at),
            tickets::resolution_note.eq(&note),
            tickets::updated_at.eq(now),
        ))
        .execute(conn)?;
    let details = format!("{} -> {}", ticket.status.id(), status.id());
    let name = author.name();
    conversation::insert(conn, &org.id, &ticket.id, &author.event(EventKind::Status, false, &name, "", &details), now)?;
    sla_policy::sync(conn, org, &ticket.id, now, SlaChange::Status { from: ticket.status })?;
    log(conn, author, ticket, Action::TicketStatusChanged, details)?;
    if resolving
        && let Some(requester) = requester_of(conn, ticket)?
        && let Some(email) = &requester.email
    {
        let mut closing = Vec::new();
        if settings.reopen_days > 0 {
            closing.push(format!(
                "Not solved? Reply to this email within {} days and we will reopen the ticket.",
                settings.reopen_days
            ));
        }
        let message = Message {
            subject: mail::subject_line(ticket, "Resolved: "),
            intro: format!("Ticket #{} is resolved.", ticket.number),
            body: &note,
            closing,
            attachments: Vec::new(),
        };
        mail::send_to_contacts(conn, env, org, ticket, std::slice::from_ref(email), &message, now)?;
    }
    Ok(true)
}

/// Assigns a ticket (None: unassigned) and tells the new assignee by email, unless they assigned themselves.
pub fn assign(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    assignee: Option<&UserId>,
) -> Result<bool, DeskError> {
    let org = org_row(conn, org_id)?;
    let ticket = ticket_row(conn, &org.id, ticket_id)?;
    if ticket.assignee_user_id.as_ref() == assignee {
        return Ok(false);
    }
    check_people(conn, &org, None, assignee)?;
    let now = author.at();
    diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
        .set((tickets::assignee_user_id.eq(assignee), tickets::updated_at.eq(now)))
        .execute(conn)?;
    let assignee_name = match assignee {
        Some(user) => staff::is_worker(conn, &org, user)?.map(|s| s.name).unwrap_or_default(),
        None => String::new(),
    };
    let details = if assignee_name.is_empty() { "unassigned".to_string() } else { format!("to {assignee_name}") };
    let name = author.name();
    conversation::insert(
        conn,
        &org.id,
        &ticket.id,
        &author.event(EventKind::Assignment, false, &name, "", &details),
        now,
    )?;
    log(conn, author, &ticket, Action::TicketAssigned, details)?;
    if let Some(user) = assignee {
        notify_assignee(conn, env, &org, &ticket, user, author)?;
    }
    Ok(true)
}

fn notify_assignee(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    assignee: &UserId,
    author: &Author,
) -> Result<(), DeskError> {
    if author.user_id() == Some(assignee) {
        return Ok(());
    }
    let Some(person) = staff::is_worker(conn, org, assignee)? else { return Ok(()) };
    let link = format!("{}/tickets/by-id/{}", env.base_url, ticket.id);
    let message = Message {
        subject: mail::subject_line(ticket, "Assigned to you: "),
        intro: format!("{} assigned ticket #{} of {} to you.", author.name(), ticket.number, org.name),
        body: "",
        closing: vec![format!("Open it: {link}")],
        attachments: Vec::new(),
    };
    staff_mail(conn, env, org, ticket, &person.email, &message, author.at())
}

/// A notice to a staff member: not threaded with the requester's conversation.
pub(crate) fn staff_mail(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &Organization,
    ticket: &Ticket,
    to: &str,
    message: &Message<'_>,
    now: NaiveDateTime,
) -> Result<(), DeskError> {
    mail::send(conn, env, org, ticket, &[to.to_string()], message, now)?;
    Ok(())
}

/// Changes the priority; the SLA due instants follow from the time already used.
pub fn set_priority(
    conn: &mut DbConnection,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    priority: Priority,
) -> Result<bool, DeskError> {
    let org = org_row(conn, org_id)?;
    let ticket = ticket_row(conn, &org.id, ticket_id)?;
    if ticket.priority == priority {
        return Ok(false);
    }
    let now = author.at();
    diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
        .set((tickets::priority.eq(priority), tickets::updated_at.eq(now)))
        .execute(conn)?;
    let details = format!("{} -> {}", ticket.priority.id(), priority.id());
    let name = author.name();
    conversation::insert(
        conn,
        &org.id,
        &ticket.id,
        &author.event(EventKind::Priority, false, &name, "", &details),
        now,
    )?;
    sla_policy::sync(conn, &org, &ticket.id, now, SlaChange::Priority { from: ticket.priority })?;
    log(conn, author, &ticket, Action::TicketPriorityChanged, details)?;
    Ok(true)
}

/// The descriptive fields staff edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    pub subject: String,
    pub ticket_type: TicketType,
    pub category: String,
    pub requester: Option<ContactId>,
}

/// Changes subject, type, category or requester, with one "change" entry naming what changed.
pub fn set_details(
    conn: &mut DbConnection,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    details: Details,
) -> Result<bool, DeskError> {
    let org = org_row(conn, org_id)?;
    let ticket = ticket_row(conn, &org.id, ticket_id)?;
    let subject: String = details.subject.trim().chars().take(200).collect();
    if subject.is_empty() {
        return refuse("A ticket needs a subject.");
    }
    if details.requester != ticket.requester_contact_id {
        check_people(conn, &org, details.requester.as_ref(), None)?;
    }
    let category = details.category.trim().to_string();
    let mut changed = Vec::new();
    if subject != ticket.subject {
        changed.push(format!("subject: {} -> {subject}", ticket.subject));
    }
    if details.ticket_type != ticket.ticket_type {
        changed.push(format!("type: {} -> {}", ticket.ticket_type.label(), details.ticket_type.label()));
    }
    if category != ticket.category {
        changed.push(format!("category: {} -> {category}", ticket.category));
    }
    if details.requester != ticket.requester_contact_id {
        let name = match &details.requester {
            Some(id) => contacts::find(conn, &org.id, id)?.map(|c| c.name).unwrap_or_default(),
            None => "nobody".into(),
        };
        changed.push(format!("requester: {name}"));
    }
    if changed.is_empty() {
        return Ok(false);
    }
    let now = author.at();
    diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
        .set((
            tickets::subject.eq(&subject),
            tickets::ticket_type.eq(details.ticket_type),
            tickets::category.eq(&category),
            tickets::requester_contact_id.eq(&details.requester),
            tickets::updated_at.eq(now),
        ))
        .execute(conn)?;
    let text = changed.join("; ");
    let name = author.name();
    conversation::insert(conn, &org.id, &ticket.id, &author.event(EventKind::Change, false, &name, "", &text), now)?;
    log(conn, author, &ticket, Action::TicketUpdated, text)?;
    Ok(true)
}

/// Marks two tickets of one organization as related (both show the link); false when they already are.
pub fn link_tickets(
    conn: &mut DbConnection,
    org: &Organization,
    a: &Ticket,
    b: &Ticket,
    author: &Author,
) -> Result<bool, DeskError> {
    if a.id == b.id {
        return refuse("A ticket cannot be related to itself.");
    }
    let (first, second) = if a.id < b.id { (a, b) } else { (b, a) };
    let exists: bool = diesel::select(diesel::dsl::exists(
        ticket_links::table
            .filter(ticket_links::ticket_id.eq(&first.id))
            .filter(ticket_links::related_ticket_id.eq(&second.id)),
    ))
    .get_result(conn)?;
    if exists {
        return Ok(false);
    }
    let now = author.at();
    diesel::insert_into(ticket_links::table)
        .values((
            ticket_links::id.eq(crate::db::ids::TicketLinkId::new()),
            ticket_links::org_id.eq(&org.id),
            ticket_links::ticket_id.eq(&first.id),
            ticket_links::related_ticket_id.eq(&second.id),
            ticket_links::created_at.eq(now),
        ))
        .execute(conn)?;
    let name = author.name();
    for (this, other) in [(a, b), (b, a)] {
        let details = format!("related to #{}", other.number);
        conversation::insert(conn, &org.id, &this.id, &author.event(EventKind::Link, true, &name, "", &details), now)?;
        touch(conn, this, now)?;
    }
    log(conn, author, a, Action::TicketLinked, format!("#{} and #{}", a.number, b.number))?;
    Ok(true)
}

/// Runs `f` in one write transaction: a refusal rolls back everything `f` wrote and comes back as `Ok(Err(why))`
/// for the page to show; database failures are errors.
pub async fn write<T, F>(db: &crate::db::Db, f: F) -> Result<Result<T, String>, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, DeskError> + Send + 'static,
    T: Send + 'static,
{
    match db.run(move |conn| Ok(crate::db::write_transaction(conn, f))).await? {
        Ok(value) => Ok(Ok(value)),
        Err(DeskError::Refused(why)) => Ok(Err(why)),
        Err(DeskError::Db(e)) => Err(e.into()),
    }
}

/// Puts a ticket under another SLA policy (one the organization may use) or none; its clocks keep the time
/// already used, and switching the SLA off clears its pending escalations.
pub fn set_policy(
    conn: &mut DbConnection,
    org_id: &OrgId,
    ticket_id: &TicketId,
    author: &Author,
    policy: Option<&crate::db::ids::SlaPolicyId>,
) -> Result<bool, DeskError> {
    let org = org_row(conn, org_id)?;
    let ticket = ticket_row(conn, &org.id, ticket_id)?;
    if ticket.sla_policy_id.as_ref() == policy {
        return Ok(false);
    }
    let name = match policy {
        Some(id) => match crate::psa::sla_policy::models::usable_by_id(conn, &org, id)? {
            Some(p) => p.row.name,
            None => return refuse("Choose one of the SLA policies offered."),
        },
        None => "no SLA".to_string(),
    };
    let now = author.at();
    diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
        .set((tickets::sla_policy_id.eq(policy), tickets::updated_at.eq(now)))
        .execute(conn)?;
    let details = format!("SLA policy: {name}");
    let who = author.name();
    conversation::insert(conn, &org.id, &ticket.id, &author.event(EventKind::Sla, true, &who, "", &details), now)?;
    sla_policy::sync(conn, &org, &ticket.id, now, SlaChange::Policy { previous: ticket.sla_policy_id.clone() })?;
    log(conn, author, &ticket, Action::TicketPolicyChanged, name)?;
    Ok(true)
}
