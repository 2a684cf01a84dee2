//! SLA policies (business calendars, targets per priority, pausing statuses, escalation rules) and what they
//! do to tickets: the due instants stored on each ticket, pauses, escalations and breaches. The computations
//! are pure (`clocks`, on the engine `psa::sla`); `track` stores their results in the change's transaction.

pub mod clocks;
pub mod display;
pub mod escalations;
pub mod forms;
pub mod handlers;
pub mod models;
pub mod report;
pub mod spec;
pub mod track;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::ids::{SlaPolicyId, TicketId};
use crate::orgs::Organization;
use crate::psa::tickets::models::{Priority, Ticket, TicketStatus};
use clocks::TargetKind;

/// What just happened to a ticket, for its SLA clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlaChange {
    Opened,
    Status {
        from: TicketStatus,
    },
    Priority {
        from: Priority,
    },
    Policy {
        previous: Option<SlaPolicyId>,
    },
    StaffReplied,
    CustomerWrote,
    /// Time passed (the scheduler noticing a due instant).
    Tick,
}

/// Recomputes a ticket's SLA after a change (see `track`).
pub fn sync(
    conn: &mut DbConnection,
    org: &Organization,
    ticket: &TicketId,
    now: NaiveDateTime,
    change: SlaChange,
) -> QueryResult<()> {
    track::sync(conn, org, ticket, now, change)
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

/// The ticket's due instants with the business time left, in the organization's timezone.
pub fn ticket_sla(
    conn: &mut DbConnection,
    org: &Organization,
    ticket: &Ticket,
    now: NaiveDateTime,
) -> QueryResult<TicketSla> {
    let paused = ticket.sla_paused_since.is_some();
    let Some((policy, state, pauses)) = track::current(conn, ticket)? else {
        return Ok(TicketSla { paused, ..TicketSla::default() });
    };
    let tz = org.tz();
    let view = |kind: TargetKind| {
        let due = state.due(kind).filter(|_| ticket.unresolved)?;
        let left = track::left(&policy, ticket, &state, &pauses, kind, now).unwrap_or_default();
        Some(display::due_view_business(due, now, tz, state.breached(kind).is_some(), left))
    };
    Ok(TicketSla {
        policy_name: Some(policy.row.name.clone()),
        first_response: view(TargetKind::FirstResponse),
        next_response: view(TargetKind::NextResponse),
        resolution: view(TargetKind::Resolution),
        paused,
    })
}

/// The scheduled jobs of SLA policies.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![crate::jobs::Job::new(
        "sla.escalate",
        "Fire SLA escalations and record breaches",
        chrono::Duration::minutes(1),
        escalations::run,
    )]
}
