//! Tickets: their kinds of values (priority, status, type, source), the ticket row and the lookups every page
//! and the service use. Changes go through `tickets::service`, never straight to these tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, SlaPolicyId, TicketId, UserId};
use crate::schema::tickets;

crate::text_enum! {
    /// How urgent a ticket is; each has its own SLA targets.
    pub enum Priority {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::Critical => "Critical",
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }

    /// One step more urgent (Critical stays Critical): what an escalation's "raise priority" does.
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Medium,
            Priority::Medium => Priority::High,
            Priority::High | Priority::Critical => Priority::Critical,
        }
    }
}

crate::text_enum! {
    /// Where a ticket is in its life.
    pub enum TicketStatus {
        New = "new",
        Open = "open",
        PendingCustomer = "pending_customer",
        OnHold = "on_hold",
        Resolved = "resolved",
        Closed = "closed",
    }
}

impl TicketStatus {
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::New => "New",
            TicketStatus::Open => "Open",
            TicketStatus::PendingCustomer => "Pending customer",
            TicketStatus::OnHold => "On hold",
            TicketStatus::Resolved => "Resolved",
            TicketStatus::Closed => "Closed",
        }
    }

    /// Still to be worked on (the queues' "open").
    pub fn is_unresolved(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }

    /// The statuses still to be worked on.
    pub const UNRESOLVED: [TicketStatus; 4] =
        [TicketStatus::New, TicketStatus::Open, TicketStatus::PendingCustomer, TicketStatus::OnHold];
}

crate::text_enum! {
    pub enum TicketType {
        Incident = "incident",
        ServiceRequest = "service_request",
        Problem = "problem",
        Change = "change",
    }
}

impl TicketType {
    pub fn label(self) -> &'static str {
        match self {
            TicketType::Incident => "Incident",
            TicketType::ServiceRequest => "Service request",
            TicketType::Problem => "Problem",
            TicketType::Change => "Change",
        }
    }
}

crate::text_enum! {
    /// How a ticket came in.
    pub enum TicketSource {
        Staff = "staff",
        Email = "email",
        Portal = "portal",
        Recurring = "recurring",
    }
}

impl TicketSource {
    pub fn label(self) -> &'static str {
        match self {
            TicketSource::Staff => "Staff",
            TicketSource::Email => "Email",
            TicketSource::Portal => "Portal",
            TicketSource::Recurring => "Recurring schedule",
        }
    }
}

/// A ticket row, as pages and the service read it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: TicketId,
    pub org_id: OrgId,
    pub msp_org_id: Option<OrgId>,
    pub number: i64,
    pub subject: String,
    pub description: String,
    pub requester_contact_id: Option<ContactId>,
    pub priority: Priority,
    pub ticket_type: TicketType,
    pub category: String,
    pub status: TicketStatus,
    pub unresolved: bool,
    pub assignee_user_id: Option<UserId>,
    pub source: TicketSource,
    pub merged_into_ticket_id: Option<TicketId>,
    pub created_by_user_id: Option<UserId>,
    pub resolution_note: String,
    pub thread_message_id: String,
    pub first_responded_at: Option<NaiveDateTime>,
    pub last_customer_reply_at: Option<NaiveDateTime>,
    pub last_staff_reply_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub close_due_at: Option<NaiveDateTime>,
    pub sla_policy_id: Option<SlaPolicyId>,
    pub sla_due_at: Option<NaiveDateTime>,
    pub sla_breached_at: Option<NaiveDateTime>,
    pub sla_paused_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Ticket {
    /// "#42".
    pub fn reference(&self) -> String {
        format!("#{}", self.number)
    }

    pub fn is_merged(&self) -> bool {
        self.merged_into_ticket_id.is_some()
    }
}

/// A ticket of the organization by its number (what URLs carry), or None.
pub fn by_number(conn: &mut DbConnection, org: &OrgId, number: i64) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::number.eq(number))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// A ticket of the organization by id, or None (ids from other organizations are not found).
pub fn by_id(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::id.eq(id))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// A ticket number from a URL segment ("42"); None for anything else.
pub fn parse_number(text: &str) -> Option<i64> {
    text.trim().trim_start_matches('#').parse::<i64>().ok().filter(|n| *n >= 1)
}

/// A ticket shown in an MSP's queue (its own, or one of its clients'), by id; None otherwise. Whether the person
/// reaches that client is the caller's question.
pub fn of_msp(conn: &mut DbConnection, msp: &OrgId, id: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::msp_org_id.eq(msp))
        .filter(tickets::id.eq(id))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}
