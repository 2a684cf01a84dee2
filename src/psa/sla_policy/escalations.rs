//! Escalations: each rule of a ticket's policy becomes one row per ticket with the instant its threshold is
//! reached (kept in step with the due instants, removed when the target is met or the SLA is switched off), and
//! the scheduler's `sla.escalate` job fires the due ones every minute. A row is claimed and fired in one
//! transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite), so two instances fire each
//! escalation once, and one that was down fires what it missed when it is back. The same job records breaches
//! that no change of the ticket has noticed yet.

use actix_web::web;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::SlaChange;
use super::clocks::TicketClocks;
use super::models::{self, EscalationAction, Policy, RuleRow};
use crate::AppState;
use crate::db::ids::{OrgId, TicketEscalationId, TicketId};
use crate::db::{DbConnection, write_transaction};
use crate::jobs::JobResult;
use crate::jobs::claim::lock_skip_locked;
use crate::psa::tickets::conversation::{self, EventKind, NewEvent};
use crate::psa::tickets::mail::Message;
use crate::psa::tickets::models::{self as tickets_models, Ticket};
use crate::psa::tickets::service::{self, Author, DeskEnv, DeskError};
use crate::schema::{memberships, sla_escalation_rules, ticket_escalations, tickets, users};

crate::text_enum! {
    pub enum EscalationStatus {
        Pending = "pending",
        Fired = "fired",
    }
}

/// Escalations claimed per batch, and batches per run.
const BATCH: i64 = 50;
const MAX_BATCHES: usize = 20;

/// Brings the ticket's pending escalations in step with its clocks: one per rule not fired yet, at the instant
/// its share of the target is reached; none for a target that does not run now (met, paused, not set).
pub fn schedule(
    conn: &mut DbConnection,
    ticket: &Ticket,
    policy: &Policy,
    clocks: &TicketClocks<'_>,
) -> QueryResult<()> {
    let rules = models::rules_of(conn, &policy.row)?;
    let existing: Vec<(TicketEscalationId, String, EscalationStatus, NaiveDateTime)> = ticket_escalations::table
        .filter(ticket_escalations::org_id.eq(&ticket.org_id))
        .filter(ticket_escalations::ticket_id.eq(&ticket.id))
        .select((
            ticket_escalations::id,
            ticket_escalations::rule_id,
            ticket_escalations::status,
            ticket_escalations::fire_at,
        ))
        .load(conn)?;
    let mine = ticket_escalations::table
        .filter(ticket_escalations::org_id.eq(&ticket.org_id))
        .filter(ticket_escalations::ticket_id.eq(&ticket.id));
    // Pending rows of rules that no longer apply (another policy) go.
    for (id, rule_id, status, _) in &existing {
        if *status == EscalationStatus::Pending && !rules.iter().any(|r| r.id == rule_id.as_str()) {
            diesel::delete(mine.filter(ticket_escalations::id.eq(id))).execute(conn)?;
        }
    }
    for rule in &rules {
        let row = existing.iter().find(|(_, rule_id, _, _)| rule.id == rule_id.as_str());
        if matches!(row, Some((_, _, EscalationStatus::Fired, _))) {
            continue;
        }
        let fire_at = clocks.at_share(rule.target, i64::from(rule.threshold_percent) * 10).map(|at| at.naive_utc());
        match (row, fire_at) {
            (Some((id, _, _, current)), Some(at)) if *current != at => {
                diesel::update(mine.filter(ticket_escalations::id.eq(id)))
                    .set(ticket_escalations::fire_at.eq(at))
                    .execute(conn)?;
            }
            (Some(_), Some(_)) => {}
            (Some((id, _, _, _)), None) => {
                diesel::delete(mine.filter(ticket_escalations::id.eq(id))).execute(conn)?;
            }
            (None, Some(at)) => {
                diesel::insert_into(ticket_escalations::table)
                    .values((
                        ticket_escalations::id.eq(TicketEscalationId::new()),
                        ticket_escalations::org_id.eq(&ticket.org_id),
                        ticket_escalations::ticket_id.eq(&ticket.id),
                        ticket_escalations::rule_id.eq(&rule.id),
                        ticket_escalations::fire_at.eq(at),
                        ticket_escalations::status.eq(EscalationStatus::Pending),
                        ticket_escalations::created_at.eq(ticket.updated_at),
                    ))
                    .execute(conn)?;
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Removes a ticket's pending escalations (its SLA is off).
pub fn clear_pending(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<()> {
    diesel::delete(
        ticket_escalations::table
            .filter(ticket_escalations::org_id.eq(org))
            .filter(ticket_escalations::ticket_id.eq(ticket))
            .filter(ticket_escalations::status.eq(EscalationStatus::Pending)),
    )
    .execute(conn)
    .map(|_| ())
}

/// The `sla.escalate` job: fires due escalations, then records breaches nobody has noticed yet.
pub async fn run(state: web::Data<AppState>) -> JobResult {
    let env = DeskEnv::of(&state);
    let mut fired = 0;
    for _ in 0..MAX_BATCHES {
        let now = state.clock.now();
        let env = env.clone();
        let batch = state.db.run(move |conn| Ok(write_transaction(conn, |conn| fire_due(conn, &env, now))?)).await?;
        fired += batch;
        if batch < BATCH as usize {
            break;
        }
    }
    let now = state.clock.now();
    let breached = state.db.run(move |conn| Ok(write_transaction(conn, |conn| notice_breaches(conn, now))?)).await?;
    Ok(format!("{fired} escalations fired, {breached} tickets with new breaches"))
}

type Due = (TicketEscalationId, OrgId, TicketId, String);

/// Claims up to a batch of due escalations and fires them, in the caller's transaction.
fn fire_due(conn: &mut DbConnection, env: &DeskEnv, now: NaiveDateTime) -> Result<usize, DeskError> {
    let due: Vec<Due> = lock_skip_locked!(
        conn,
        ticket_escalations::table
            .filter(ticket_escalations::status.eq(EscalationStatus::Pending))
            .filter(ticket_escalations::fire_at.le(now))
            .order((ticket_escalations::fire_at.asc(), ticket_escalations::id.asc()))
            .limit(BATCH)
            .select((
                ticket_escalations::id,
                ticket_escalations::org_id,
                ticket_escalations::ticket_id,
                ticket_escalations::rule_id
            ))
    )?;
    for (id, org, ticket, rule) in &due {
        diesel::update(
            ticket_escalations::table.filter(ticket_escalations::org_id.eq(org)).filter(ticket_escalations::id.eq(id)),
        )
        .set((ticket_escalations::status.eq(EscalationStatus::Fired), ticket_escalations::fired_at.eq(Some(now))))
        .execute(conn)?;
        // The rule may belong to the MSP whose policy the client uses: found by its id, which came from our row.
        let rule: Option<RuleRow> =
            sla_escalation_rules::table.find(rule).select(RuleRow::as_select()).first(conn).optional()?;
        let Some(ticket) = tickets_models::by_id(conn, org, ticket)? else { continue };
        if let Some(rule) = rule {
            fire(conn, env, &ticket, &rule, now)?;
        }
    }
    Ok(due.len())
}

/// What one rule does to one ticket, with an internal entry saying so.
fn fire(
    conn: &mut DbConnection,
    env: &DeskEnv,
    ticket: &Ticket,
    rule: &RuleRow,
    now: NaiveDateTime,
) -> Result<(), DeskError> {
    let org = crate::orgs::find_org(conn, &ticket.org_id)?.ok_or(diesel::result::Error::NotFound)?;
    let author = Author::system("SLA escalation", now);
    let reached = format!("{}% of the {} target reached", rule.threshold_percent, rule.target.label().to_lowercase());
    let outcome = match rule.action {
        EscalationAction::NotifyAssignee => match &ticket.assignee_user_id {
            Some(user) => {
                let people = recipients_users(conn, &[user.to_string()])?;
                notify(conn, env, &org, ticket, &people, &reached, now)?
            }
            None => "nobody to notify: the ticket is unassigned".to_string(),
        },
        EscalationAction::NotifyUser => {
            let users: Vec<String> = rule.user_id.iter().map(|u| u.to_string()).collect();
            let people = recipients_users(conn, &users)?;
            notify(conn, env, &org, ticket, &people, &reached, now)?
        }
        EscalationAction::NotifyRole => {
            let role = rule.role.unwrap_or(crate::auth::permissions::Role::MspAdmin);
            let mut orgs = vec![ticket.org_id.to_string()];
            orgs.extend(org.msp_org_id.as_ref().map(|m| m.to_string()));
            let people: Vec<(String, String)> = memberships::table
                .inner_join(users::table)
                .filter(memberships::org_id.eq_any(orgs))
                .filter(memberships::role.eq(role))
                .filter(memberships::deactivated_at.is_null())
                .select((users::name, users::email))
                .load(conn)?;
            notify(conn, env, &org, ticket, &people, &reached, now)?
        }
        EscalationAction::Reassign => match &rule.user_id {
            Some(user) => match service::assign(conn, env, &ticket.org_id, &ticket.id, &author, Some(user)) {
                Ok(_) => "reassigned".to_string(),
                Err(DeskError::Refused(why)) => format!("not reassigned: {why}"),
                Err(e) => return Err(e),
            },
            None => "nobody to reassign to".to_string(),
        },
        EscalationAction::RaisePriority => {
            let raised = ticket.priority.raised();
            service::set_priority(conn, &ticket.org_id, &ticket.id, &author, raised)?;
            format!("priority raised to {}", raised.label())
        }
    };
    let details = format!("Escalation: {reached}; {outcome}");
    let event = NewEvent {
        kind: EventKind::Escalation,
        internal: true,
        author_user_id: None,
        author_contact_id: None,
        author_label: "SLA",
        body: "",
        details: &details,
    };
    conversation::insert(conn, &ticket.org_id, &ticket.id, &event, now)?;
    let label = format!("#{} {}", ticket.number, ticket.subject);
    crate::audit::record(
        conn,
        &author.actor,
        Some(&ticket.org_id),
        crate::audit::Action::TicketEscalated,
        crate::audit::Target::new("ticket", &ticket.id, &label).details(details.clone()),
    )?;
    Ok(())
}

fn recipients_users(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    users::table.filter(users::id.eq_any(ids)).select((users::name, users::email)).load(conn)
}

fn notify(
    conn: &mut DbConnection,
    env: &DeskEnv,
    org: &crate::orgs::Organization,
    ticket: &Ticket,
    people: &[(String, String)],
    reached: &str,
    now: NaiveDateTime,
) -> Result<String, DeskError> {
    if people.is_empty() {
        return Ok("nobody to notify".into());
    }
    let link = format!("{}/tickets/by-id/{}", env.base_url, ticket.id);
    for (_, email) in people {
        let message = Message {
            subject: crate::psa::tickets::mail::subject_line(ticket, "SLA escalation: "),
            intro: format!("Ticket #{} of {} needs attention: {reached}.", ticket.number, org.name),
            body: "",
            closing: vec![format!("Open it: {link}")],
            attachments: Vec::new(),
        };
        service::staff_mail(conn, env, org, ticket, email, &message, now)?;
    }
    let names: Vec<&str> = people.iter().map(|(name, _)| name.as_str()).collect();
    Ok(format!("notified {}", names.join(", ")))
}

/// Records breaches of open tickets whose earliest due instant has passed without a change noticing it.
fn notice_breaches(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, DeskError> {
    use crate::schema::ticket_sla;
    let overdue: Vec<(OrgId, TicketId)> = lock_skip_locked!(
        conn,
        tickets::table
            .inner_join(ticket_sla::table.on(ticket_sla::ticket_id.eq(tickets::id)))
            .filter(tickets::unresolved.eq(true))
            .filter(tickets::sla_due_at.le(now))
            .filter(
                ticket_sla::first_response_due_at
                    .le(now)
                    .and(ticket_sla::first_response_breached_at.is_null())
                    .or(ticket_sla::next_response_due_at.le(now).and(ticket_sla::next_response_breached_at.is_null()))
                    .or(ticket_sla::resolution_due_at.le(now).and(ticket_sla::resolution_breached_at.is_null())),
            )
            .order(tickets::sla_due_at.asc())
            .limit(200)
            .select((tickets::org_id, tickets::id))
    )?;
    let orgs = crate::orgs::find_orgs(conn, overdue.iter().map(|(org, _)| org))?;
    for (org, ticket) in &overdue {
        let org = orgs.get(org).ok_or(diesel::result::Error::NotFound)?;
        super::track::sync(conn, org, ticket, now, SlaChange::Tick)?;
    }
    Ok(overdue.len())
}
