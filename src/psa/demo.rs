//! The service desk of `palisade demo`: an SLA policy with an escalation rule, contacts and tickets with
//! conversations in every client; and, for load measurements, `--tickets N` tickets spread over the clients
//! with replies and notes, 1,500 of them unresolved under SLA.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, TicketEventId, TicketId, UserId};
use crate::error::AppError;
use crate::orgs::find_org;
use crate::psa::contacts::models::{self as contacts, ContactInput};
use crate::psa::sla_policy::SlaChange;
use crate::psa::sla_policy::spec::{CalendarSpec, Targets};
use crate::psa::tickets::models::{Priority, TicketSource, TicketStatus, TicketType};
use crate::psa::tickets::service::{self, Author, DeskEnv, NewTicket, Reply};
use crate::schema::{sla_escalation_rules, sla_policies, ticket_counters, ticket_events, tickets};

/// An MSP's default SLA policy (office hours in `timezone`, the standard targets) with a 75% resolution
/// escalation to the assignee.
pub fn default_policy(conn: &mut DbConnection, msp: &OrgId, timezone: &str, now: NaiveDateTime) -> QueryResult<String> {
    let id = crate::db::new_id();
    diesel::insert_into(sla_policies::table)
        .values((
            sla_policies::id.eq(&id),
            sla_policies::org_id.eq(msp),
            sla_policies::name.eq("Standard support"),
            sla_policies::timezone.eq(timezone),
            sla_policies::calendar.eq(serde_json::to_string(&CalendarSpec::office_hours()).unwrap_or_default()),
            sla_policies::targets.eq(serde_json::to_string(&Targets::standard()).unwrap_or_default()),
            sla_policies::pause_statuses.eq(TicketStatus::PendingCustomer.id()),
            sla_policies::is_default.eq(true),
            sla_policies::enabled.eq(true),
            sla_policies::created_at.eq(now),
            sla_policies::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::insert_into(sla_escalation_rules::table)
        .values((
            sla_escalation_rules::id.eq(crate::db::new_id()),
            sla_escalation_rules::org_id.eq(msp),
            sla_escalation_rules::policy_id.eq(&id),
            sla_escalation_rules::target.eq("resolution"),
            sla_escalation_rules::threshold_percent.eq(75),
            sla_escalation_rules::action.eq("notify_assignee"),
            sla_escalation_rules::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

const SUBJECTS: [(&str, Priority, TicketType); 6] = [
    ("Outlook keeps asking for the password", Priority::High, TicketType::Incident),
    ("New starter on Monday: laptop and accounts", Priority::Medium, TicketType::ServiceRequest),
    ("Printer on the second floor jams", Priority::Low, TicketType::Incident),
    ("VPN drops every few minutes", Priority::Critical, TicketType::Incident),
    ("Recurring backup warnings", Priority::Medium, TicketType::Problem),
    ("Move the file server to the new rack", Priority::Low, TicketType::Change),
];

/// The small demo: contacts and six tickets with conversations in each client, opened over the last days.
pub fn seed(
    conn: &mut DbConnection,
    msp: &OrgId,
    clients: &[OrgId],
    technician: &UserId,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let msp_row = find_org(conn, msp)?.ok_or(AppError::NotFound)?;
    default_policy(conn, msp, &msp_row.timezone, now - Duration::days(30))?;
    let env = DeskEnv { base_url: "http://127.0.0.1:8080".into(), reply_domain: None };
    let mut opened = 0;
    for (c, client) in clients.iter().enumerate() {
        let org = find_org(conn, client)?.ok_or(AppError::NotFound)?;
        let domain = format!("{}.example", org.slug);
        let people: Vec<ContactId> = ["Alex Morgan", "Jamie Chen", "Riley Patel"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let email = format!("{}@{domain}", name.split(' ').next().unwrap_or("x").to_lowercase());
                let input = ContactInput {
                    name: name.to_string(),
                    email: Some(email),
                    is_primary: i == 0,
                    ..Default::default()
                };
                contacts::insert(conn, client, &input, now - Duration::days(40))
            })
            .collect::<QueryResult<_>>()?;
        let tech = crate::psa::tickets::staff::is_worker(conn, &org, technician)?.map(|s| s.user_id);
        for (t, (subject, priority, ticket_type)) in SUBJECTS.iter().enumerate() {
            let opened_at = now - Duration::hours((t as i64 * 9 + c as i64 * 5) % 70 + 1);
            let requester = contacts::find(conn, client, &people[t % people.len()])?.ok_or(AppError::NotFound)?;
            let mut new = NewTicket::new(
                subject,
                "Reported by phone; details below.\n\n- happens since this morning\n- affects the whole team",
            );
            (new.priority, new.ticket_type, new.requester, new.source) =
                (*priority, *ticket_type, Some(requester.id.clone()), TicketSource::Email);
            new.assignee = tech.clone().filter(|_| t % 3 != 2);
            new.notify_requester = false;
            let ticket = service::open_ticket(conn, &env, client, &Author::contact(&requester, opened_at), new)?;
            let staff = Author::system("Tom Becker", opened_at + Duration::minutes(40));
            let staff = Author { kind: service::AuthorKind::Staff(technician.clone()), ..staff };
            if t % 2 == 0 {
                let reply = Reply {
                    body: "Thanks, looking into it now. Could you tell me when it started?".into(),
                    ..Default::default()
                };
                service::add_reply(conn, &env, client, &ticket.id, &staff, reply)?;
                let note = Reply {
                    body: "Checked the logs: certificate expired on the mail gateway.".into(),
                    internal: true,
                    ..Default::default()
                };
                service::add_reply(conn, &env, client, &ticket.id, &staff, note)?;
            }
            if t == 4 {
                let answer = Reply { body: "Since yesterday afternoon.".into(), ..Default::default() };
                service::add_reply(
                    conn,
                    &env,
                    client,
                    &ticket.id,
                    &Author::contact(&requester, opened_at + Duration::hours(2)),
                    answer,
                )?;
            }
            if t == 5 {
                let at = Author {
                    actor: crate::audit::Actor { at: opened_at + Duration::hours(3), ..staff.actor.clone() },
                    ..staff.clone()
                };
                service::change_status(
                    conn,
                    &env,
                    client,
                    &ticket.id,
                    &at,
                    TicketStatus::Resolved,
                    "Moved over the weekend; all shares checked.",
                )?;
            }
            opened += 1;
        }
    }
    Ok(opened)
}

/// `--tickets N` for load measurements: N tickets over the clients (a client's first tickets are its newest),
/// each with its description, a reply and, every third, an internal note; all resolved and closed except 1,500
/// (or N, when smaller), which are open under the MSP's default SLA policy. Written directly (no emails).
pub fn seed_scale(
    conn: &mut DbConnection,
    msp: &OrgId,
    clients: &[OrgId],
    total: usize,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    if clients.is_empty() || total == 0 {
        return Ok(0);
    }
    let msp_row = find_org(conn, msp)?.ok_or(AppError::NotFound)?;
    default_policy(conn, msp, &msp_row.timezone, now - Duration::days(400))?;
    let unresolved = total.min(1500);
    let mut numbers = vec![0i64; clients.len()];
    let mut open: Vec<(usize, TicketId)> = Vec::with_capacity(unresolved);
    for i in 0..total {
        let c = i % clients.len();
        numbers[c] += 1;
        let is_open = i >= total - unresolved;
        let created = now - Duration::minutes(((total - i) as i64) * 7);
        let (priority, kind) = (Priority::ALL[i % 4], TicketType::ALL[i % 4]);
        let id = TicketId::new();
        let status = if is_open { TicketStatus::UNRESOLVED[i % 4] } else { TicketStatus::Closed };
        let done = (!is_open).then_some(created + Duration::hours(5));
        diesel::insert_into(tickets::table)
            .values((
                tickets::id.eq(&id),
                tickets::org_id.eq(&clients[c]),
                tickets::msp_org_id.eq(msp),
                tickets::number.eq(numbers[c]),
                tickets::subject.eq(format!("{} #{i}", SUBJECTS[i % SUBJECTS.len()].0)),
                tickets::description.eq("Reported by email. The problem affects several people."),
                tickets::priority.eq(priority),
                tickets::ticket_type.eq(kind),
                tickets::status.eq(status),
                tickets::unresolved.eq(is_open),
                tickets::source.eq(TicketSource::Email),
                tickets::thread_message_id.eq(format!("<ticket.{id}@load.test>")),
                tickets::first_responded_at.eq(done.map(|d| d - Duration::hours(4))),
                tickets::resolved_at.eq(done),
                tickets::closed_at.eq(done),
                tickets::created_at.eq(created),
                tickets::updated_at.eq(done.unwrap_or(created)),
            ))
            .execute(conn)?;
        let events: Vec<(&str, bool, &str, NaiveDateTime)> = [
            Some(("created", false, "Reported by email. The problem affects several people.", created)),
            Some(("reply", false, "Thanks, we are looking into it.", created + Duration::minutes(30))),
            (i % 3 == 0).then_some((
                "note",
                true,
                "Checked the logs; nothing unusual.",
                created + Duration::minutes(45),
            )),
        ]
        .into_iter()
        .flatten()
        .collect();
        for (kind, internal, body, at) in events {
            diesel::insert_into(ticket_events::table)
                .values((
                    ticket_events::id.eq(TicketEventId::new()),
                    ticket_events::org_id.eq(&clients[c]),
                    ticket_events::ticket_id.eq(&id),
                    ticket_events::kind.eq(kind),
                    ticket_events::internal.eq(internal),
                    ticket_events::author_label.eq(if kind == "created" { "Requester" } else { "Technician" }),
                    ticket_events::body.eq(body),
                    ticket_events::created_at.eq(at),
                ))
                .execute(conn)?;
        }
        if is_open {
            open.push((c, id));
        }
    }
    for (c, next) in numbers.iter().enumerate() {
        diesel::insert_into(ticket_counters::table)
            .values((ticket_counters::org_id.eq(&clients[c]), ticket_counters::next_number.eq(next + 1)))
            .execute(conn)?;
    }
    for (c, id) in &open {
        let org = find_org(conn, &clients[*c])?.ok_or(AppError::NotFound)?;
        let created: NaiveDateTime = tickets::table.find(id).select(tickets::created_at).first(conn)?;
        crate::psa::sla_policy::sync(conn, &org, id, created, SlaChange::Opened)?;
    }
    Ok(total)
}
