//! Stored inbound messages (every message received, with what became of it) and triage flags: rows and queries.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{InboundMessageId, OrgId, TicketId, UserId};
use crate::db::{DbConnection, MultiBackend};
use crate::schema::{inbound_messages, inbound_triage, organizations, technician_assignments, tickets};

crate::text_enum! {
    /// Where a message came from.
    pub enum Source {
        Smtp = "smtp",
        Imap = "imap",
        /// Staff asked for a stored message to be processed again.
        Reprocess = "reprocess",
    }
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Smtp => "SMTP receiver",
            Source::Imap => "IMAP mailbox",
            Source::Reprocess => "Processed again",
        }
    }
}

crate::text_enum! {
    /// What became of a message.
    pub enum Outcome {
        TicketOpened = "ticket_opened",
        ReplyAdded = "reply_added",
        /// A reply to a ticket closed past the reopen window: a new ticket linked to it.
        FollowUpOpened = "follow_up_opened",
        /// No client claims the sender: a ticket in the MSP's triage queue.
        Triaged = "triaged",
        AutoReply = "auto_reply",
        Bounce = "bounce",
        /// Sent by this installation itself (or to itself): answering would loop.
        Loop = "loop",
        /// The same message (Message-ID) already landed.
        Duplicate = "duplicate",
        RateLimited = "rate_limited",
        Rejected = "rejected",
    }
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::TicketOpened => "Ticket opened",
            Outcome::ReplyAdded => "Added to ticket",
            Outcome::FollowUpOpened => "Follow-up ticket opened",
            Outcome::Triaged => "Sent to triage",
            Outcome::AutoReply => "Ignored: automatic reply",
            Outcome::Bounce => "Ignored: delivery failure",
            Outcome::Loop => "Ignored: mail loop",
            Outcome::Duplicate => "Ignored: already received",
            Outcome::RateLimited => "Held: too many from this sender",
            Outcome::Rejected => "Rejected",
        }
    }

    /// The message is on a ticket.
    pub fn landed(self) -> bool {
        matches!(self, Outcome::TicketOpened | Outcome::ReplyAdded | Outcome::FollowUpOpened | Outcome::Triaged)
    }

    /// Processing it again could change the outcome (staff may offer it).
    pub fn may_reprocess(self) -> bool {
        matches!(self, Outcome::RateLimited | Outcome::Rejected | Outcome::Loop)
    }
}

/// A stored message: written once by `ingest`, read by the staff pages.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = inbound_messages)]
pub struct InboundMessage {
    pub id: InboundMessageId,
    pub org_id: OrgId,
    pub received_at: NaiveDateTime,
    pub source: Source,
    pub source_ref: Option<String>,
    pub envelope_from: String,
    pub recipients: String,
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    pub message_id: String,
    pub size: i64,
    pub raw_key: Option<String>,
    pub body_text: String,
    pub trimmed_text: String,
    pub parsed: String,
    pub outcome: Outcome,
    pub outcome_detail: String,
    pub routed_org_id: Option<OrgId>,
    pub ticket_id: Option<TicketId>,
    pub processed_at: NaiveDateTime,
}

impl InboundMessage {
    /// The ticket's id for links ("" when it landed on none).
    pub fn ticket_id_text(&self) -> &str {
        self.ticket_id.as_ref().map_or("", |t| t.as_str())
    }

    /// "Ann Lee <ann@legal.test>".
    pub fn sender(&self) -> String {
        if self.from_name.is_empty() {
            self.from_address.clone()
        } else {
            format!("{} <{}>", self.from_name, self.from_address)
        }
    }
}

pub fn insert(conn: &mut DbConnection, row: &InboundMessage) -> QueryResult<()> {
    diesel::insert_into(inbound_messages::table).values(row).execute(conn).map(|_| ())
}

/// Whether a message with this source reference (an IMAP UID) was already taken by some instance.
pub fn source_ref_taken(conn: &mut DbConnection, source_ref: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(inbound_messages::table.filter(inbound_messages::source_ref.eq(source_ref))))
        .get_result(conn)
}

/// Messages from `sender` to the mailbox since `since` (the per-sender rate limit).
pub fn count_from(conn: &mut DbConnection, org: &OrgId, sender: &str, since: NaiveDateTime) -> QueryResult<i64> {
    inbound_messages::table
        .filter(inbound_messages::org_id.eq(org))
        .filter(inbound_messages::from_address.eq(sender))
        .filter(inbound_messages::received_at.ge(since))
        .count()
        .get_result(conn)
}

/// Whether a message with this Message-ID already landed on a ticket of the mailbox.
pub fn already_landed(conn: &mut DbConnection, org: &OrgId, message_id: &str) -> QueryResult<bool> {
    let landed: Vec<&str> = Outcome::ALL.iter().filter(|o| o.landed()).map(|o| o.id()).collect();
    diesel::select(diesel::dsl::exists(
        inbound_messages::table
            .filter(inbound_messages::org_id.eq(org))
            .filter(inbound_messages::message_id.eq(message_id))
            .filter(inbound_messages::outcome.eq_any(landed)),
    ))
    .get_result(conn)
}

/// Which of an MSP's stored messages a person sees: all of them, or (`limited_to` a technician) those that
/// landed nowhere, in the MSP, or in a client assigned to them.
#[derive(Clone, Debug)]
pub struct Reach {
    pub msp: OrgId,
    pub limited_to: Option<UserId>,
}

type Filter = Box<dyn BoxableExpression<inbound_messages::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

impl Reach {
    fn filter(&self) -> Filter {
        let mine: Filter = Box::new(inbound_messages::org_id.eq(self.msp.clone()));
        let Some(user) = &self.limited_to else { return mine };
        let assigned = technician_assignments::table
            .filter(technician_assignments::user_id.eq(user.clone()))
            .select(technician_assignments::org_id);
        let routed = inbound_messages::routed_org_id.assume_not_null();
        Box::new(
            mine.and(
                inbound_messages::routed_org_id.is_null().or(routed.eq(self.msp.clone())).or(routed.eq_any(assigned)),
            ),
        )
    }
}

pub fn count(conn: &mut DbConnection, reach: &Reach) -> QueryResult<i64> {
    inbound_messages::table.filter(reach.filter()).count().get_result(conn)
}

/// One row of the staff list: the message, the organization it landed in and the ticket's number.
#[derive(Clone, Debug)]
pub struct ListedMessage {
    pub message: InboundMessage,
    pub routed_org: Option<String>,
    pub ticket_number: Option<i64>,
}

/// The messages with the names of the organizations they landed in and their tickets' numbers: two
/// statements whatever the number of messages.
fn listed(conn: &mut DbConnection, messages: Vec<InboundMessage>) -> QueryResult<Vec<ListedMessage>> {
    let orgs: Vec<OrgId> = messages.iter().filter_map(|m| m.routed_org_id.clone()).collect();
    let ticket_ids: Vec<TicketId> = messages.iter().filter_map(|m| m.ticket_id.clone()).collect();
    let names: HashMap<OrgId, String> = if orgs.is_empty() {
        HashMap::new()
    } else {
        organizations::table
            .filter(organizations::id.eq_any(orgs))
            .select((organizations::id, organizations::name))
            .load::<(OrgId, String)>(conn)?
            .into_iter()
            .collect()
    };
    let numbers: HashMap<TicketId, i64> = if ticket_ids.is_empty() {
        HashMap::new()
    } else {
        tickets::table
            .filter(tickets::id.eq_any(ticket_ids))
            .select((tickets::id, tickets::number))
            .load::<(TicketId, i64)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(messages
        .into_iter()
        .map(|message| ListedMessage {
            routed_org: message.routed_org_id.as_ref().and_then(|o| names.get(o).cloned()),
            ticket_number: message.ticket_id.as_ref().and_then(|t| numbers.get(t).copied()),
            message,
        })
        .collect())
}

/// A page of the messages the person sees, newest first, with where each landed: at most three statements.
pub fn page(conn: &mut DbConnection, reach: &Reach, limit: i64, offset: i64) -> QueryResult<Vec<ListedMessage>> {
    let messages = inbound_messages::table
        .filter(reach.filter())
        .order((inbound_messages::received_at.desc(), inbound_messages::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(InboundMessage::as_select())
        .load(conn)?;
    listed(conn, messages)
}

/// One message the person sees, by id from a URL; None otherwise.
pub fn find(conn: &mut DbConnection, reach: &Reach, id: &str) -> QueryResult<Option<ListedMessage>> {
    let messages = inbound_messages::table
        .filter(reach.filter())
        .filter(inbound_messages::id.eq(id))
        .select(InboundMessage::as_select())
        .limit(1)
        .load(conn)?;
    Ok(listed(conn, messages)?.pop())
}

/// A ticket waiting in the MSP's triage queue, or one moved out of it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = inbound_triage)]
pub struct Triage {
    pub ticket_id: TicketId,
    pub org_id: OrgId,
    pub sender: String,
    pub sender_name: String,
    pub moved_to_org_id: Option<OrgId>,
    pub moved_to_ticket_id: Option<TicketId>,
    pub moved_by_user_id: Option<UserId>,
    pub moved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn flag_triage(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
    sender: &str,
    sender_name: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(inbound_triage::table)
        .values((
            inbound_triage::ticket_id.eq(ticket),
            inbound_triage::org_id.eq(org),
            inbound_triage::sender.eq(sender),
            inbound_triage::sender_name.eq(sender_name),
            inbound_triage::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The triage flag of a ticket of the organization, if it has one.
pub fn triage_of(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Option<Triage>> {
    inbound_triage::table
        .filter(inbound_triage::org_id.eq(org))
        .filter(inbound_triage::ticket_id.eq(ticket))
        .select(Triage::as_select())
        .first(conn)
        .optional()
}

pub fn mark_moved(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
    to_org: &OrgId,
    to_ticket: &TicketId,
    by: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        inbound_triage::table
            .filter(inbound_triage::org_id.eq(org))
            .filter(inbound_triage::ticket_id.eq(ticket))
            .filter(inbound_triage::moved_at.is_null()),
    )
    .set((
        inbound_triage::moved_to_org_id.eq(to_org),
        inbound_triage::moved_to_ticket_id.eq(to_ticket),
        inbound_triage::moved_by_user_id.eq(by),
        inbound_triage::moved_at.eq(now),
    ))
    .execute(conn)
}

/// A ticket waiting in triage, with its number and subject, for the staff page.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub triage: Triage,
    pub number: i64,
    pub subject: String,
}

/// The tickets waiting in the mailbox's triage queue, oldest first (at most `limit`): one statement.
pub fn waiting(conn: &mut DbConnection, org: &OrgId, limit: i64) -> QueryResult<Vec<Waiting>> {
    let rows: Vec<(Triage, i64, String)> = inbound_triage::table
        .inner_join(tickets::table.on(tickets::id.eq(inbound_triage::ticket_id)))
        .filter(inbound_triage::org_id.eq(org))
        .filter(inbound_triage::moved_at.is_null())
        .filter(tickets::org_id.eq(org))
        .filter(tickets::unresolved.eq(true))
        .order(inbound_triage::created_at.asc())
        .limit(limit)
        .select((Triage::as_select(), tickets::number, tickets::subject))
        .load(conn)?;
    Ok(rows.into_iter().map(|(triage, number, subject)| Waiting { triage, number, subject }).collect())
}
