//! What SLA policies do to tickets, stored: the pauses, the running next-response cycle, the time used before
//! a change of policy or priority, the due instants (`ticket_sla`, and the earliest on `tickets.sla_due_at` for
//! the queues), breaches with the instant they happened, the outcome of every target (the SLA report), and the
//! ticket's pending escalations (one per rule, fired once). Everything is recomputed from the ticket's facts by
//! `clocks` after each change, in the change's transaction.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;

use super::SlaChange;
use super::clocks::{TargetKind, TicketClocks, Used};
use super::models::{self, Policy};
use super::spec::PriorityTargets;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketId};
use crate::orgs::Organization;
use crate::psa::sla::Pause;
use crate::psa::tickets::conversation::{self, EventKind, NewEvent};
use crate::psa::tickets::models::{self as tickets_models, Ticket};
use crate::schema::{sla_outcomes, ticket_sla, ticket_sla_pauses, tickets};

/// The stored clocks of a ticket.
#[derive(Queryable, Selectable, Clone, Debug, Default)]
#[diesel(table_name = ticket_sla)]
pub struct SlaState {
    pub segment_started_at: NaiveDateTime,
    pub first_response_used_us: i64,
    pub next_response_used_us: i64,
    pub resolution_used_us: i64,
    pub next_response_started_at: Option<NaiveDateTime>,
    pub first_response_due_at: Option<NaiveDateTime>,
    pub next_response_due_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub first_response_breached_at: Option<NaiveDateTime>,
    pub next_response_breached_at: Option<NaiveDateTime>,
    pub resolution_breached_at: Option<NaiveDateTime>,
}

impl SlaState {
    pub fn due(&self, kind: TargetKind) -> Option<NaiveDateTime> {
        match kind {
            TargetKind::FirstResponse => self.first_response_due_at,
            TargetKind::NextResponse => self.next_response_due_at,
            TargetKind::Resolution => self.resolution_due_at,
        }
    }

    pub fn breached(&self, kind: TargetKind) -> Option<NaiveDateTime> {
        match kind {
            TargetKind::FirstResponse => self.first_response_breached_at,
            TargetKind::NextResponse => self.next_response_breached_at,
            TargetKind::Resolution => self.resolution_breached_at,
        }
    }

    fn used(&self) -> Used {
        Used {
            first_response: TimeDelta::microseconds(self.first_response_used_us),
            next_response: TimeDelta::microseconds(self.next_response_used_us),
            resolution: TimeDelta::microseconds(self.resolution_used_us),
        }
    }

    fn set_used(&mut self, used: Used) {
        let us = |d: TimeDelta| d.num_microseconds().unwrap_or(i64::MAX);
        self.first_response_used_us = us(used.first_response);
        self.next_response_used_us = us(used.next_response);
        self.resolution_used_us = us(used.resolution);
    }

    fn set_due(&mut self, kind: TargetKind, due: Option<NaiveDateTime>) {
        match kind {
            TargetKind::FirstResponse => self.first_response_due_at = due,
            TargetKind::NextResponse => self.next_response_due_at = due,
            TargetKind::Resolution => self.resolution_due_at = due,
        }
    }

    fn set_breached(&mut self, kind: TargetKind, at: Option<NaiveDateTime>) {
        match kind {
            TargetKind::FirstResponse => self.first_response_breached_at = at,
            TargetKind::NextResponse => self.next_response_breached_at = at,
            TargetKind::Resolution => self.resolution_breached_at = at,
        }
    }
}

pub fn state_of(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Option<SlaState>> {
    ticket_sla::table
        .filter(ticket_sla::org_id.eq(org))
        .filter(ticket_sla::ticket_id.eq(ticket))
        .select(SlaState::as_select())
        .first(conn)
        .optional()
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

fn naive(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

/// The ticket's pauses, oldest first.
pub fn pauses_of(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket: &TicketId,
) -> QueryResult<Vec<(NaiveDateTime, Option<NaiveDateTime>)>> {
    ticket_sla_pauses::table
        .filter(ticket_sla_pauses::org_id.eq(org))
        .filter(ticket_sla_pauses::ticket_id.eq(ticket))
        .order(ticket_sla_pauses::started_at.asc())
        .select((ticket_sla_pauses::started_at, ticket_sla_pauses::ended_at))
        .load(conn)
}

/// Starts or ends the open pause so that the clock stands still exactly while the status pauses it. Returns
/// the pauses afterwards.
fn reconcile_pauses(
    conn: &mut DbConnection,
    ticket: &Ticket,
    pausing: bool,
    now: NaiveDateTime,
) -> QueryResult<Vec<Pause>> {
    let mut pauses = pauses_of(conn, &ticket.org_id, &ticket.id)?;
    let open = pauses.iter().any(|(_, end)| end.is_none());
    let rows = ticket_sla_pauses::table
        .filter(ticket_sla_pauses::org_id.eq(&ticket.org_id))
        .filter(ticket_sla_pauses::ticket_id.eq(&ticket.id));
    if pausing && !open {
        diesel::insert_into(ticket_sla_pauses::table)
            .values((
                ticket_sla_pauses::id.eq(crate::db::new_id()),
                ticket_sla_pauses::org_id.eq(&ticket.org_id),
                ticket_sla_pauses::ticket_id.eq(&ticket.id),
                ticket_sla_pauses::started_at.eq(now),
            ))
            .execute(conn)?;
        pauses.push((now, None));
    } else if !pausing && open {
        diesel::update(rows.filter(ticket_sla_pauses::ended_at.is_null()))
            .set(ticket_sla_pauses::ended_at.eq(Some(now)))
            .execute(conn)?;
        for pause in pauses.iter_mut().filter(|(_, end)| end.is_none()) {
            pause.1 = Some(now);
        }
    }
    Ok(pauses.into_iter().map(|(start, end)| (utc(start), end.map(utc))).collect())
}

fn clocks<'a>(
    policy: &'a Policy,
    targets: PriorityTargets,
    ticket: &Ticket,
    state: &SlaState,
    pauses: &'a [Pause],
) -> TicketClocks<'a> {
    TicketClocks {
        business: &policy.calendar,
        always: &policy.always,
        targets,
        created_at: utc(ticket.created_at),
        segment_start: utc(state.segment_started_at),
        used: state.used(),
        pauses,
        first_responded_at: ticket.first_responded_at.map(utc),
        next_response_started_at: state.next_response_started_at.map(utc),
        resolved_at: (!ticket.unresolved)
            .then(|| ticket.resolved_at.or(ticket.closed_at).unwrap_or(ticket.updated_at))
            .map(utc),
    }
}

/// "2026-03" in the policy's timezone.
fn month_of(at: NaiveDateTime, policy: &Policy) -> String {
    use chrono::TimeZone;
    policy.tz.from_utc_datetime(&at).format("%Y-%m").to_string()
}

/// Records that a target instance was met (or breached): one outcome row per ticket, target and cycle.
#[allow(clippy::too_many_arguments)]
fn record_outcome(
    conn: &mut DbConnection,
    ticket: &Ticket,
    policy: &Policy,
    kind: TargetKind,
    cycle: NaiveDateTime,
    due: NaiveDateTime,
    met: Option<NaiveDateTime>,
    breached: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = sla_outcomes::table
        .filter(sla_outcomes::org_id.eq(&ticket.org_id))
        .filter(sla_outcomes::ticket_id.eq(&ticket.id))
        .filter(sla_outcomes::target.eq(kind))
        .filter(sla_outcomes::cycle_started_at.eq(cycle));
    let exists: bool = diesel::select(diesel::dsl::exists(row)).get_result(conn)?;
    if exists {
        if let Some(met) = met {
            diesel::update(row.filter(sla_outcomes::met_at.is_null()))
                .set(sla_outcomes::met_at.eq(Some(met)))
                .execute(conn)?;
        }
        return Ok(());
    }
    let breached = breached.or(met.filter(|m| *m > due).map(|_| due));
    diesel::insert_into(sla_outcomes::table)
        .values((
            sla_outcomes::id.eq(crate::db::new_id()),
            sla_outcomes::org_id.eq(&ticket.org_id),
            sla_outcomes::ticket_id.eq(&ticket.id),
            sla_outcomes::target.eq(kind),
            sla_outcomes::priority.eq(ticket.priority.id()),
            sla_outcomes::cycle_started_at.eq(cycle),
            sla_outcomes::due_at.eq(due),
            sla_outcomes::met_at.eq(met),
            sla_outcomes::breached_at.eq(breached),
            sla_outcomes::month.eq(month_of(due, policy)),
            sla_outcomes::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn cycle_start(ticket: &Ticket, state: &SlaState, kind: TargetKind) -> NaiveDateTime {
    match kind {
        TargetKind::NextResponse => state.next_response_started_at.unwrap_or(ticket.created_at),
        _ => ticket.created_at,
    }
}

/// Which targets the change met (their outcome is recorded with the due instant they had).
fn met_by(change: &SlaChange, ticket: &Ticket, state: &SlaState) -> Vec<TargetKind> {
    let mut met = Vec::new();
    let done = !ticket.unresolved;
    let replied = matches!(change, SlaChange::StaffReplied);
    let finished = matches!(change, SlaChange::Status { from } if from.is_unresolved()) && done;
    if (replied || finished) && state.first_response_due_at.is_some() {
        met.push(TargetKind::FirstResponse);
    }
    if (replied || finished) && state.next_response_started_at.is_some() {
        met.push(TargetKind::NextResponse);
    }
    if finished && state.resolution_due_at.is_some() {
        met.push(TargetKind::Resolution);
    }
    met
}

/// Recomputes a ticket's SLA after `change` (see the module documentation).
pub fn sync(
    conn: &mut DbConnection,
    org: &Organization,
    ticket_id: &TicketId,
    now: NaiveDateTime,
    change: SlaChange,
) -> QueryResult<()> {
    let mut ticket = tickets_models::by_id(conn, &org.id, ticket_id)?.ok_or(diesel::result::Error::NotFound)?;
    let previous_state = state_of(conn, &org.id, &ticket.id)?;
    let policy = match (&change, &ticket.sla_policy_id) {
        (SlaChange::Opened, _) => {
            let policy = models::default_for(conn, org)?;
            let id = policy.as_ref().map(|p| p.id().clone());
            diesel::update(tickets::table.filter(tickets::org_id.eq(&org.id)).filter(tickets::id.eq(&ticket.id)))
                .set(tickets::sla_policy_id.eq(&id))
                .execute(conn)?;
            ticket.sla_policy_id = id;
            policy
        }
        (_, Some(id)) => models::by_id(conn, id)?,
        (_, None) => None,
    };
    let Some(policy) = policy.filter(|p| p.row.enabled) else {
        return switch_off(conn, &ticket);
    };
    let pauses = reconcile_pauses(conn, &ticket, policy.pauses_in(ticket.status), now)?;
    let mut state = previous_state
        .clone()
        .unwrap_or_else(|| SlaState { segment_started_at: ticket.created_at, ..SlaState::default() });
    // Targets met by this change: their outcome, with the due instant they had.
    for kind in met_by(&change, &ticket, &state) {
        if let Some(due) = state.due(kind) {
            record_outcome(
                conn,
                &ticket,
                &policy,
                kind,
                cycle_start(&ticket, &state, kind),
                due,
                Some(now),
                state.breached(kind),
                now,
            )?;
        }
    }
    if matches!(change, SlaChange::StaffReplied) || !ticket.unresolved {
        state.next_response_started_at = None;
        state.next_response_used_us = 0;
        state.next_response_breached_at = None;
    }
    if matches!(change, SlaChange::CustomerWrote)
        && ticket.first_responded_at.is_some()
        && state.next_response_started_at.is_none()
        && ticket.unresolved
    {
        state.next_response_started_at = Some(now);
        state.next_response_used_us = 0;
        state.next_response_breached_at = None;
    }
    // A new policy or priority: keep what each target used, measured the way it was measured until now.
    let old_targets = match &change {
        SlaChange::Priority { from } => Some((models::by_id(conn, &policy.row.id)?, *from)),
        SlaChange::Policy { previous: Some(old) } => Some((models::by_id(conn, old)?, ticket.priority)),
        _ => None,
    };
    if let Some((old_policy, old_priority)) = old_targets
        && previous_state.is_some()
    {
        let mut used = Used::default();
        if let Some(old) = old_policy.filter(|p| p.row.enabled) {
            let before = clocks(&old, old.targets.of(old_priority), &ticket, &state, &pauses);
            for kind in TargetKind::ALL {
                used.set(kind, before.used_by(kind, utc(now)));
            }
        }
        state.set_used(used);
        state.segment_started_at = now;
    }
    let current = clocks(&policy, policy.targets.of(ticket.priority), &ticket, &state, &pauses);
    let mut breaches = Vec::new();
    for kind in TargetKind::ALL {
        let due = current.due(kind).map(naive);
        state.set_due(kind, due);
        if let Some(due) = due
            && due <= now
            && state.breached(kind).is_none()
        {
            state.set_breached(kind, Some(due));
            breaches.push((kind, due));
        }
    }
    for (kind, due) in &breaches {
        record_outcome(
            conn,
            &ticket,
            &policy,
            *kind,
            cycle_start(&ticket, &state, *kind),
            *due,
            None,
            Some(*due),
            now,
        )?;
        let details = format!("{} SLA breached", kind.label());
        let event = NewEvent {
            kind: EventKind::Breach,
            internal: true,
            author_user_id: None,
            author_contact_id: None,
            author_label: "SLA",
            body: "",
            details: &details,
        };
        conversation::insert(conn, &org.id, &ticket.id, &event, now)?;
    }
    save(
        conn,
        &ticket,
        &state,
        previous_state.is_some(),
        pauses.iter().find(|(_, end)| end.is_none()).map(|(s, _)| naive(*s)),
    )?;
    super::escalations::schedule(conn, &ticket, &policy, &current)
}

/// Stores the clocks, and on the ticket what the queues read.
fn save(
    conn: &mut DbConnection,
    ticket: &Ticket,
    state: &SlaState,
    exists: bool,
    paused_since: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let values = (
        ticket_sla::segment_started_at.eq(state.segment_started_at),
        ticket_sla::first_response_used_us.eq(state.first_response_used_us),
        ticket_sla::next_response_used_us.eq(state.next_response_used_us),
        ticket_sla::resolution_used_us.eq(state.resolution_used_us),
        ticket_sla::next_response_started_at.eq(state.next_response_started_at),
        ticket_sla::first_response_due_at.eq(state.first_response_due_at),
        ticket_sla::next_response_due_at.eq(state.next_response_due_at),
        ticket_sla::resolution_due_at.eq(state.resolution_due_at),
        ticket_sla::first_response_breached_at.eq(state.first_response_breached_at),
        ticket_sla::next_response_breached_at.eq(state.next_response_breached_at),
        ticket_sla::resolution_breached_at.eq(state.resolution_breached_at),
    );
    let row =
        ticket_sla::table.filter(ticket_sla::org_id.eq(&ticket.org_id)).filter(ticket_sla::ticket_id.eq(&ticket.id));
    if exists {
        diesel::update(row).set(values).execute(conn)?;
    } else {
        diesel::insert_into(ticket_sla::table)
            .values((ticket_sla::ticket_id.eq(&ticket.id), ticket_sla::org_id.eq(&ticket.org_id), values))
            .execute(conn)?;
    }
    let earliest = TargetKind::ALL.into_iter().filter_map(|k| state.due(k)).min();
    let first_breach = [
        state.first_response_breached_at,
        state.next_response_breached_at,
        state.resolution_breached_at,
        ticket.sla_breached_at,
    ]
    .into_iter()
    .flatten()
    .min();
    diesel::update(tickets::table.filter(tickets::org_id.eq(&ticket.org_id)).filter(tickets::id.eq(&ticket.id)))
        .set((
            tickets::sla_due_at.eq(earliest),
            tickets::sla_breached_at.eq(first_breach),
            tickets::sla_paused_since.eq(paused_since),
        ))
        .execute(conn)?;
    Ok(())
}

/// No SLA applies (no policy, or it is switched off): no due instants, no pending escalations.
fn switch_off(conn: &mut DbConnection, ticket: &Ticket) -> QueryResult<()> {
    let row =
        ticket_sla::table.filter(ticket_sla::org_id.eq(&ticket.org_id)).filter(ticket_sla::ticket_id.eq(&ticket.id));
    diesel::update(row)
        .set((
            ticket_sla::first_response_due_at.eq(None::<NaiveDateTime>),
            ticket_sla::next_response_due_at.eq(None::<NaiveDateTime>),
            ticket_sla::resolution_due_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    diesel::update(tickets::table.filter(tickets::org_id.eq(&ticket.org_id)).filter(tickets::id.eq(&ticket.id)))
        .set((tickets::sla_due_at.eq(None::<NaiveDateTime>), tickets::sla_paused_since.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    super::escalations::clear_pending(conn, &ticket.org_id, &ticket.id)
}

/// The ticket's clocks now, for its page (time left in business time).
pub fn current(conn: &mut DbConnection, ticket: &Ticket) -> QueryResult<Option<(Policy, SlaState, Vec<Pause>)>> {
    let Some(id) = &ticket.sla_policy_id else { return Ok(None) };
    let Some(policy) = models::by_id(conn, id)?.filter(|p| p.row.enabled) else { return Ok(None) };
    let Some(state) = state_of(conn, &ticket.org_id, &ticket.id)? else { return Ok(None) };
    let pauses = pauses_of(conn, &ticket.org_id, &ticket.id)?.into_iter().map(|(s, e)| (utc(s), e.map(utc))).collect();
    Ok(Some((policy, state, pauses)))
}

/// Business time left of each running target at `now`.
pub fn left(
    policy: &Policy,
    ticket: &Ticket,
    state: &SlaState,
    pauses: &[Pause],
    kind: TargetKind,
    now: NaiveDateTime,
) -> Option<TimeDelta> {
    clocks(policy, policy.targets.of(ticket.priority), ticket, state, pauses).left(kind, utc(now))
}

/// Before a policy's calendar or targets change: each open ticket on it keeps the time its targets used so far
/// (measured on the old calendar) and starts a new segment now.
pub fn freeze(
    conn: &mut DbConnection,
    org: &OrgId,
    ticket_id: &TicketId,
    old: &Policy,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(ticket) = tickets_models::by_id(conn, org, ticket_id)? else { return Ok(()) };
    let Some(mut state) = state_of(conn, org, &ticket.id)? else { return Ok(()) };
    let pauses: Vec<Pause> = pauses_of(conn, org, &ticket.id)?.into_iter().map(|(s, e)| (utc(s), e.map(utc))).collect();
    let before = clocks(old, old.targets.of(ticket.priority), &ticket, &state, &pauses);
    let mut used = Used::default();
    for kind in TargetKind::ALL {
        used.set(kind, before.used_by(kind, utc(now)));
    }
    state.set_used(used);
    state.segment_started_at = now;
    diesel::update(ticket_sla::table.filter(ticket_sla::org_id.eq(org)).filter(ticket_sla::ticket_id.eq(&ticket.id)))
        .set((
            ticket_sla::segment_started_at.eq(state.segment_started_at),
            ticket_sla::first_response_used_us.eq(state.first_response_used_us),
            ticket_sla::next_response_used_us.eq(state.next_response_used_us),
            ticket_sla::resolution_used_us.eq(state.resolution_used_us),
        ))
        .execute(conn)
        .map(|_| ())
}
