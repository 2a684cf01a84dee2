//! Ticket queues: one organization's, and an MSP's across every client the person reaches (at their tier), with
//! saved views, filters, search, sorting by SLA due and pagination, in a fixed number of statements whatever the
//! number of tickets or clients. Every queue reads the `tickets` indexes that lead with `org_id` (or, across an
//! MSP's clients, with `msp_org_id`) and `unresolved, sla_due_at`.

use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::models::{Priority, TicketStatus, TicketType};
use crate::db::ids::{ContactId, OrgId, SlaPolicyId, TicketId, UserId};
use crate::db::{DbConnection, lower};
use crate::psa::sla_policy::display::{DueView, due_view};
use crate::schema::{contacts, organizations, technician_assignments, tickets, users};
use crate::web::pagination::{Pager, contains_pattern};

/// The saved views of every queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Open,
    Mine,
    Unassigned,
    /// Due within the next hour, not yet overdue.
    Breaching,
    /// Overdue now, or breached before.
    Breached,
    PendingCustomer,
    /// Every status, resolved and closed included.
    All,
}

impl View {
    pub const ALL: [View; 7] =
        [View::Open, View::Mine, View::Unassigned, View::Breaching, View::Breached, View::PendingCustomer, View::All];

    pub fn id(self) -> &'static str {
        match self {
            View::Open => "open",
            View::Mine => "mine",
            View::Unassigned => "unassigned",
            View::Breaching => "breaching",
            View::Breached => "breached",
            View::PendingCustomer => "pending",
            View::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            View::Open => "All open",
            View::Mine => "Mine",
            View::Unassigned => "Unassigned",
            View::Breaching => "Breaching within 1 hour",
            View::Breached => "Breached",
            View::PendingCustomer => "Pending customer",
            View::All => "Every status",
        }
    }

    pub fn parse(id: &str) -> View {
        View::ALL.into_iter().find(|v| v.id() == id).unwrap_or(View::Open)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Soonest SLA due first, tickets without an SLA last.
    Due,
    Updated,
    Newest,
    Oldest,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Due, Sort::Updated, Sort::Newest, Sort::Oldest];

    pub fn id(self) -> &'static str {
        match self {
            Sort::Due => "due",
            Sort::Updated => "updated",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Due => "SLA due",
            Sort::Updated => "Recently updated",
            Sort::Newest => "Newest",
            Sort::Oldest => "Oldest",
        }
    }

    pub fn parse(id: &str) -> Sort {
        Sort::ALL.into_iter().find(|s| s.id() == id).unwrap_or(Sort::Due)
    }
}

/// Whose tickets a queue shows.
#[derive(Clone, Debug)]
pub enum Reach {
    /// One organization's (the scope's).
    Org(OrgId),
    /// An MSP's own and its active clients': all of them, or (`user` set) the clients assigned to that person.
    Msp { msp: OrgId, assigned_to: Option<UserId> },
}

/// A queue's view, filters and search, as parsed from the query string.
#[derive(Clone, Debug)]
pub struct QueueFilter {
    pub reach: Reach,
    pub view: View,
    /// The person looking (the "mine" view).
    pub me: Option<UserId>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub ticket_type: Option<TicketType>,
    /// A user's id, or "none" for unassigned.
    pub assignee: Option<String>,
    /// One organization of an MSP queue (the client filter), already checked to be reachable or not.
    pub client: Option<String>,
    pub requester: Option<ContactId>,
    pub search: String,
    pub sort: Sort,
    pub now: NaiveDateTime,
}

/// Applies a queue's conditions to a query over `tickets` (alone or joined): one definition for the page and its
/// count.
macro_rules! filtered {
    ($query:expr, $f:expr) => {{
        let f: &QueueFilter = $f;
        let mut q = $query;
        match &f.reach {
            Reach::Org(org) => q = q.filter(tickets::org_id.eq(org.clone())),
            Reach::Msp { msp, assigned_to } => {
                q = q.filter(tickets::msp_org_id.eq(msp.clone())).filter(tickets::org_id.ne_all(archived_clients(msp)));
                if let Some(user) = assigned_to {
                    let assigned = technician_assignments::table
                        .filter(technician_assignments::user_id.eq(user.clone()))
                        .select(technician_assignments::org_id);
                    q = q.filter(tickets::org_id.eq(msp.clone()).or(tickets::org_id.eq_any(assigned)));
                }
                if let Some(client) = &f.client {
                    q = q.filter(tickets::org_id.eq(client.clone()));
                }
            }
        }
        q = match f.view {
            View::All => q,
            View::PendingCustomer => q.filter(tickets::status.eq(TicketStatus::PendingCustomer)),
            // The bare column, so the partial indexes over open tickets apply (see their migration).
            _ => q.filter(tickets::unresolved),
        };
        match f.view {
            View::Mine => q = q.filter(tickets::assignee_user_id.eq(f.me.clone())),
            View::Unassigned => q = q.filter(tickets::assignee_user_id.is_null()),
            View::Breaching => {
                q = q
                    .filter(tickets::sla_due_at.gt(f.now))
                    .filter(tickets::sla_due_at.le(f.now + Duration::hours(1)))
                    .filter(tickets::sla_breached_at.is_null())
            }
            View::Breached => q = q.filter(tickets::sla_due_at.le(f.now).or(tickets::sla_breached_at.is_not_null())),
            _ => {}
        }
        if let Some(status) = f.status {
            q = q.filter(tickets::status.eq(status));
        }
        if let Some(priority) = f.priority {
            q = q.filter(tickets::priority.eq(priority));
        }
        if let Some(kind) = f.ticket_type {
            q = q.filter(tickets::ticket_type.eq(kind));
        }
        match f.assignee.as_deref() {
            None => {}
            Some("none") => q = q.filter(tickets::assignee_user_id.is_null()),
            Some(user) => q = q.filter(tickets::assignee_user_id.eq(user.to_string())),
        }
        if let Some(contact) = &f.requester {
            q = q.filter(tickets::requester_contact_id.eq(contact.clone()));
        }
        if !f.search.is_empty() {
            let pattern = contains_pattern(&f.search);
            let requesters = matched_contacts
                .filter(
                    lower(matched_contacts.field(contacts::name))
                        .like(pattern.clone())
                        .escape('\\')
                        .or(matched_contacts.field(contacts::email).like(pattern.clone()).escape('\\')),
                )
                .select(matched_contacts.field(contacts::id).nullable());
            let number = super::models::parse_number(&f.search).unwrap_or(0);
            q = q.filter(
                tickets::number
                    .eq(number)
                    .or(lower(tickets::subject).like(pattern).escape('\\'))
                    .or(tickets::requester_contact_id.eq_any(requesters)),
            );
        }
        q
    }};
}

diesel::alias!(organizations as archived_orgs: ArchivedOrgs, contacts as matched_contacts: MatchedContacts);

/// The archived clients of an MSP (their tickets leave the MSP's queue), as a subquery usable beside a join on
/// `organizations`.
#[allow(clippy::type_complexity)]
fn archived_clients(
    msp: &OrgId,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            diesel::query_source::Alias<ArchivedOrgs>,
            diesel::dsl::Eq<diesel::query_source::AliasedField<ArchivedOrgs, organizations::msp_org_id>, OrgId>,
        >,
        diesel::dsl::IsNotNull<diesel::query_source::AliasedField<ArchivedOrgs, organizations::archived_at>>,
    >,
    diesel::query_source::AliasedField<ArchivedOrgs, organizations::id>,
> {
    archived_orgs
        .filter(archived_orgs.field(organizations::msp_org_id).eq(msp.clone()))
        .filter(archived_orgs.field(organizations::archived_at).is_not_null())
        .select(archived_orgs.field(organizations::id))
}

/// One row of a queue.
#[derive(Clone, Debug)]
pub struct QueueRow {
    pub id: TicketId,
    pub org_id: OrgId,
    pub org_name: String,
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub requester: String,
    pub assignee: String,
    pub due: Option<DueView>,
    pub paused: bool,
    pub updated: String,
    policy: Option<SlaPolicyId>,
    due_at: Option<NaiveDateTime>,
}

type RowTuple = (
    (TicketId, OrgId, i64, String, TicketStatus, Priority, Option<NaiveDateTime>, Option<NaiveDateTime>),
    (Option<NaiveDateTime>, NaiveDateTime, Option<SlaPolicyId>),
    (String, String),
    Option<String>,
    Option<String>,
);

fn row(t: RowTuple, now: NaiveDateTime) -> QueueRow {
    let (
        (id, org_id, number, subject, status, priority, due_at, breached_at),
        (paused_since, updated_at, policy),
        (org_name, tz),
        requester,
        assignee,
    ) = t;
    let tz: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    QueueRow {
        id,
        org_id,
        org_name,
        number,
        subject,
        status,
        priority,
        requester: requester.unwrap_or_default(),
        assignee: assignee.unwrap_or_default(),
        due: due_at.filter(|_| status.is_unresolved()).map(|at| due_view(at, now, tz, breached_at.is_some())),
        paused: paused_since.is_some(),
        updated: crate::web::time::ago(updated_at, now),
        policy,
        due_at,
    }
}

/// Counts each row's time left in business time (wall time for 24x7 targets): the policies of the page's
/// tickets and their clocks, two statements whatever the page holds.
fn with_business_time(conn: &mut DbConnection, rows: &mut [QueueRow], now: NaiveDateTime) -> QueryResult<()> {
    use crate::psa::sla_policy::clocks::TargetKind;
    use crate::psa::sla_policy::models::{Policy, PolicyRow};
    use crate::psa::sla_policy::track::SlaState;
    use crate::schema::{sla_policies, ticket_sla};
    let policy_ids: Vec<SlaPolicyId> = rows.iter().filter_map(|r| r.policy.clone()).collect();
    let policies: Vec<Policy> = sla_policies::table
        .filter(sla_policies::id.eq_any(policy_ids))
        .select(PolicyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Policy::from_row)
        .collect::<QueryResult<_>>()?;
    let ids: Vec<TicketId> = rows.iter().map(|r| r.id.clone()).collect();
    let states: Vec<(TicketId, SlaState)> = ticket_sla::table
        .filter(ticket_sla::ticket_id.eq_any(ids))
        .select((ticket_sla::ticket_id, SlaState::as_select()))
        .load(conn)?;
    for row in rows.iter_mut() {
        let (Some(due), Some(at), Some(policy_id)) = (row.due.as_ref(), row.due_at, row.policy.as_ref()) else {
            continue;
        };
        let (Some(policy), Some((_, state))) =
            (policies.iter().find(|p| p.id() == policy_id), states.iter().find(|(id, _)| *id == row.id))
        else {
            continue;
        };
        let Some(kind) = TargetKind::ALL.into_iter().find(|k| state.due(*k) == Some(at)) else { continue };
        let targets = policy.targets.of(row.priority);
        let target = match kind {
            TargetKind::FirstResponse => targets.first_response,
            TargetKind::NextResponse => targets.next_response,
            TargetKind::Resolution => targets.resolution,
        };
        let Some(target) = target else { continue };
        let calendar = if target.around_the_clock { &policy.always } else { &policy.calendar };
        let left = calendar.business_time_between(now.and_utc(), at.and_utc());
        let tz: Tz = policy.tz;
        let mut view = crate::psa::sla_policy::display::due_view_business(at, now, tz, due.breached, left);
        view.local = due.local.clone();
        row.due = Some(view);
    }
    Ok(())
}

/// The number of tickets a queue holds.
pub fn count(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<i64> {
    filtered!(tickets::table.into_boxed(), f).count().get_result(conn)
}

/// One page of a queue: one statement (the client, requester and assignee names joined in).
pub fn page(conn: &mut DbConnection, f: &QueueFilter, pager: &Pager) -> QueryResult<Vec<QueueRow>> {
    let joined =
        tickets::table.inner_join(organizations::table).left_join(contacts::table).left_join(users::table).into_boxed();
    let mut q = filtered!(joined, f).limit(pager.per_page).offset(pager.offset());
    q = match f.sort {
        Sort::Due => {
            q.order((tickets::sla_due_at.is_null().asc(), tickets::sla_due_at.asc(), tickets::created_at.asc()))
        }
        Sort::Updated => q.order((tickets::updated_at.desc(), tickets::id.desc())),
        Sort::Newest => q.order((tickets::created_at.desc(), tickets::id.desc())),
        Sort::Oldest => q.order((tickets::created_at.asc(), tickets::id.asc())),
    };
    let rows: Vec<RowTuple> = q
        .select((
            (
                tickets::id,
                tickets::org_id,
                tickets::number,
                tickets::subject,
                tickets::status,
                tickets::priority,
                tickets::sla_due_at,
                tickets::sla_breached_at,
            ),
            (tickets::sla_paused_since, tickets::updated_at, tickets::sla_policy_id),
            (organizations::name, organizations::timezone),
            contacts::name.nullable(),
            users::name.nullable(),
        ))
        .load(conn)?;
    let mut rows: Vec<QueueRow> = rows.into_iter().map(|t| row(t, f.now)).collect();
    with_business_time(conn, &mut rows, f.now)?;
    Ok(rows)
}

/// A page of a queue with its pager: two statements.
pub fn load(
    conn: &mut DbConnection,
    f: &QueueFilter,
    page_number: i64,
    base_query: String,
) -> QueryResult<(Vec<QueueRow>, Pager)> {
    let pager = Pager::new(page_number, count(conn, f)?, base_query);
    Ok((page(conn, f, &pager)?, pager))
}

/// A contact's tickets, newest first.
pub fn of_contact(
    conn: &mut DbConnection,
    org: &OrgId,
    contact: &ContactId,
    page_number: i64,
    now: NaiveDateTime,
    _tz: Tz,
) -> QueryResult<(Vec<QueueRow>, Pager)> {
    let f = QueueFilter {
        reach: Reach::Org(org.clone()),
        view: View::All,
        me: None,
        status: None,
        priority: None,
        ticket_type: None,
        assignee: None,
        client: None,
        requester: Some(contact.clone()),
        search: String::new(),
        sort: Sort::Newest,
        now,
    };
    load(conn, &f, page_number, String::new())
}

/// Open tickets of an MSP's clients, for the MSP dashboard: the total over the clients the person reaches, and the
/// count of each `listed` client (the dashboard's page of clients, already limited to those the person reaches).
/// Two statements over the partial indexes of open tickets, whatever the number of clients.
pub fn open_tickets(
    conn: &mut DbConnection,
    msp: &OrgId,
    assigned_to: Option<&UserId>,
    listed: Vec<OrgId>,
) -> QueryResult<(i64, std::collections::HashMap<OrgId, i64>)> {
    let mut reached = tickets::table
        .filter(tickets::msp_org_id.eq(msp.clone()))
        .filter(tickets::unresolved)
        .filter(tickets::org_id.ne(msp.clone()))
        .filter(tickets::org_id.ne_all(archived_clients(msp)))
        .into_boxed();
    if let Some(user) = assigned_to {
        let assigned = technician_assignments::table
            .filter(technician_assignments::user_id.eq(user.clone()))
            .select(technician_assignments::org_id);
        reached = reached.filter(tickets::org_id.eq_any(assigned));
    }
    let total = reached.count().get_result(conn)?;
    let per_client: Vec<(OrgId, i64)> = tickets::table
        .filter(tickets::org_id.eq_any(listed))
        .filter(tickets::unresolved)
        .group_by(tickets::org_id)
        .select((tickets::org_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok((total, per_client.into_iter().collect()))
}
