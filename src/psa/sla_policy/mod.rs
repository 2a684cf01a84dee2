//! SLA policies (business calendars, targets per priority, pausing statuses, escalation rules) and what they
//! do to tickets: the due instants stored on each ticket, pauses, escalations and breaches.

pub mod display;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::ids::{SlaPolicyId, TicketId};
use crate::orgs::Organization;
use crate::psa::tickets::models::TicketStatus;

/// What just happened to a ticket, for its SLA clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlaChange {
    Opened,
    Status { from: TicketStatus },
    Priority,
    Policy { previous: Option<SlaPolicyId> },
    StaffReplied,
    CustomerWrote,
}

/// Recomputes a ticket's SLA after a change.
pub fn sync(
    _conn: &mut DbConnection,
    _org: &Organization,
    _ticket: &TicketId,
    _now: NaiveDateTime,
    _change: SlaChange,
) -> QueryResult<()> {
    Ok(())
}

/// A ticket's SLA as its page shows it.
#[derive(Clone, Debug, Default)]
pub struct TicketSla {
    pub policy_name: Option<String>,
    pub first_response: Option<display::DueView>,
    pub next_response: Option<display::DueView>,
    pub resolution: Option<display::DueView>,
    pub paused: bool,
}

/// The ticket's stored due instants, as its page shows them.
pub fn ticket_sla(
    _conn: &mut DbConnection,
    _org: &Organization,
    ticket: &crate::psa::tickets::models::Ticket,
    _now: NaiveDateTime,
) -> QueryResult<TicketSla> {
    Ok(TicketSla { paused: ticket.sla_paused_since.is_some(), ..TicketSla::default() })
}
