//! Service desk -> Tickets (the organization's queue) and MSP -> All tickets (every client the person reaches),
//! with their bulk actions (assign, status, priority).

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection;
use serde::Deserialize;

use super::models::{self, Priority, Ticket, TicketStatus, TicketType};
use super::queue::{self, QueueFilter, QueueRow, Reach, Sort, View};
use super::service::{self, Author, DeskEnv, DeskError};
use super::staff::{self, StaffMember};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::identity::org_context;
use crate::auth::{Identity, MspScope, Permission, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::orgs::clients::MspView;
use crate::orgs::{find_org, models as org_models};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, redirect, render};

/// Tickets one bulk action may change.
const MAX_BULK: usize = 100;

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    ticket_type: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    sort: String,
    #[serde(flatten)]
    list: ListQuery,
}

impl QueueQuery {
    fn filter(&self, reach: Reach, me: &UserId, now: chrono::NaiveDateTime) -> QueueFilter {
        QueueFilter {
            reach,
            view: View::parse(&self.view),
            me: Some(me.clone()),
            status: TicketStatus::parse(&self.status),
            priority: Priority::parse(&self.priority),
            ticket_type: TicketType::parse(&self.ticket_type),
            assignee: Some(self.assignee.trim().to_string()).filter(|a| !a.is_empty()),
            client: Some(self.client.trim().to_string()).filter(|c| !c.is_empty()),
            requester: None,
            search: self.list.search(),
            sort: Sort::parse(&self.sort),
            now,
        }
    }

    /// The query string without the page, for the pager and the view tabs.
    fn base(&self, view: &str) -> String {
        query_string(&[
            ("view", view),
            ("status", &self.status),
            ("priority", &self.priority),
            ("ticket_type", &self.ticket_type),
            ("assignee", &self.assignee),
            ("client", &self.client),
            ("sort", &self.sort),
            ("q", &self.list.search()),
        ])
    }
}

/// A saved-view tab.
pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "psa/tickets.html")]
struct QueuePage {
    page: PageContext,
    title: &'static str,
    action: &'static str,
    /// The MSP's queue across clients (a client column).
    across_clients: bool,
    tickets: Vec<QueueRow>,
    pager: Pager,
    tabs: Vec<Tab>,
    query: QueueQuery,
    search: String,
    client_name: String,
    assignees: Vec<StaffMember>,
    statuses: [TicketStatus; 6],
    priorities: [Priority; 4],
    types: [TicketType; 4],
    sorts: [Sort; 4],
    can_work: bool,
    empty_text: String,
}

fn tabs(path: &str, query: &QueueQuery) -> Vec<Tab> {
    let current = View::parse(&query.view);
    View::ALL
        .into_iter()
        .map(|v| {
            let base = query.base(if v == View::Open { "" } else { v.id() });
            let href = if base.is_empty() { path.to_string() } else { format!("{path}?{base}") };
            Tab { label: v.label(), href, current: v == current }
        })
        .collect()
}

fn empty_text(f: &QueueFilter) -> String {
    if !f.search.is_empty() {
        return format!("No ticket matches “{}”.", f.search);
    }
    match f.view {
        View::Mine => "No open tickets are assigned to you.".into(),
        View::Unassigned => "Every open ticket has someone on it.".into(),
        View::Breaching => "No ticket is due within the next hour.".into(),
        View::Breached => "No open ticket has breached its SLA.".into(),
        View::PendingCustomer => "No ticket is waiting on a customer.".into(),
        View::Open => "No open tickets. Nice.".into(),
        View::All => "No tickets yet.".into(),
    }
}

/// The organization's queue.
pub async fn org_queue(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let query = QueueQuery { client: String::new(), ..query.into_inner() };
    let filter = query.filter(Reach::Org(scope.org_id().clone()), &scope.user.id, state.clock.now());
    let (org, f, base) = (scope.org_id().clone(), filter.clone(), query.base(&query.view));
    let page_number = query.list.page();
    let (page, (tickets, pager), assignees) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            Ok((input.load(conn)?, queue::load(conn, &f, page_number, base)?, staff::workers(conn, &org_row)?))
        })
        .await?;
    render(QueuePage {
        page,
        title: "Tickets",
        action: "/tickets",
        across_clients: false,
        tickets,
        pager,
        tabs: tabs("/tickets", &query),
        search: filter.search.clone(),
        empty_text: empty_text(&filter),
        query,
        client_name: String::new(),
        assignees,
        statuses: TicketStatus::ALL,
        priorities: Priority::ALL,
        types: TicketType::ALL,
        sorts: Sort::ALL,
        can_work: scope.can(Permission::WorkTickets),
    })
}

/// The MSP's queue across every client the person reaches (and the MSP's own tickets).
pub async fn msp_queue(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let view = MspView::of(&scope);
    let reach =
        Reach::Msp { msp: scope.msp_id().clone(), assigned_to: (!view.all_clients).then(|| view.user_id.clone()) };
    let mut filter = query.filter(reach, &scope.user.id, state.clock.now());
    let (msp, chosen, base, page_number) =
        (scope.msp_id().clone(), filter.client.clone(), query.base(&query.view), query.list.page());
    let (page, client_name, filter, (tickets, pager), assignees) = state
        .db
        .run(move |conn| {
            // A client filter names a client the person reaches (or the MSP itself), else nothing is shown.
            let client_name = match &chosen {
                None => String::new(),
                Some(id) if *id == msp.as_str() => find_org(conn, &msp)?.map(|o| o.name).unwrap_or_default(),
                Some(id) => match view.client(conn, id) {
                    Ok(client) => client.name,
                    Err(AppError::NotFound) => {
                        filter.client = Some(String::new());
                        String::new()
                    }
                    Err(e) => return Err(e),
                },
            };
            let staff = org_models::active_staff(conn, &msp)?
                .into_iter()
                .map(|s| StaffMember { user_id: s.user_id, name: s.name, email: s.email })
                .collect();
            let loaded = queue::load(conn, &filter, page_number, base)?;
            Ok((input.load(conn)?, client_name, filter, loaded, staff))
        })
        .await?;
    render(QueuePage {
        page,
        title: "All tickets",
        action: "/msp/tickets",
        across_clients: true,
        tickets,
        pager,
        tabs: tabs("/msp/tickets", &query),
        search: filter.search.clone(),
        empty_text: empty_text(&filter),
        query,
        client_name,
        assignees,
        statuses: TicketStatus::ALL,
        priorities: Priority::ALL,
        types: TicketType::ALL,
        sorts: Sort::ALL,
        can_work: scope.can(Permission::WorkTickets),
    })
}

/// A bulk action: which tickets, and what to set (empty: leave as it is).
#[derive(Clone, Debug, Default)]
pub struct BulkForm {
    tickets: Vec<String>,
    assignee: String,
    status: String,
    priority: String,
    back: String,
}

impl BulkForm {
    fn from_pairs(pairs: &[(String, String)]) -> BulkForm {
        let get =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        BulkForm {
            tickets: pairs.iter().filter(|(k, _)| k == "ticket").map(|(_, v)| v.clone()).collect(),
            assignee: get("bulk_assignee"),
            status: get("bulk_status"),
            priority: get("bulk_priority"),
            back: get("back"),
        }
    }

    /// What the action sets, or why it cannot run.
    fn changes(&self) -> Result<Changes, String> {
        if self.tickets.is_empty() {
            return Err("Tick the tickets to change first.".into());
        }
        if self.tickets.len() > MAX_BULK {
            return Err(format!("Change at most {MAX_BULK} tickets at once."));
        }
        let status = match self.status.as_str() {
            "" => None,
            s => Some(TicketStatus::parse(s).ok_or("Choose a status from the list.")?),
        };
        if status == Some(TicketStatus::Resolved) {
            return Err("Resolve tickets one at a time, each with its resolution.".into());
        }
        let priority = match self.priority.as_str() {
            "" => None,
            p => Some(Priority::parse(p).ok_or("Choose a priority from the list.")?),
        };
        let assignee = match self.assignee.as_str() {
            "" => None,
            "none" => Some(None),
            id => Some(Some(id.to_string())),
        };
        if status.is_none() && priority.is_none() && assignee.is_none() {
            return Err("Choose what to change: assignee, status or priority.".into());
        }
        Ok(Changes { status, priority, assignee })
    }
}

struct Changes {
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    /// Some(None): unassign.
    assignee: Option<Option<String>>,
}

/// Applies the changes to one ticket inside a savepoint: a refusal undoes this ticket's part only.
fn apply(
    conn: &mut DbConnection,
    env: &DeskEnv,
    ticket: &Ticket,
    changes: &Changes,
    author: &Author,
) -> Result<bool, DeskError> {
    conn.transaction(|conn| {
        let org = &ticket.org_id;
        let mut changed = false;
        if let Some(priority) = changes.priority {
            changed |= service::set_priority(conn, org, &ticket.id, author, priority)?;
        }
        if let Some(assignee) = &changes.assignee {
            let org_row = find_org(conn, org)?.ok_or(diesel::result::Error::NotFound)?;
            let user = match assignee {
                Some(id) => Some(
                    staff::is_worker(conn, &org_row, id)?
                        .ok_or_else(|| DeskError::Refused("not a worker".into()))?
                        .user_id,
                ),
                None => None,
            };
            changed |= service::assign(conn, env, org, &ticket.id, author, user.as_ref())?;
        }
        if let Some(status) = changes.status {
            changed |= service::change_status(conn, env, org, &ticket.id, author, status, "")?;
        }
        Ok(changed)
    })
}

fn summary(changed: usize, skipped: usize) -> String {
    let mut text = format!("{changed} ticket{} changed.", if changed == 1 { "" } else { "s" });
    if skipped > 0 {
        text.push_str(&format!(
            " {skipped} left as they were (not yours to change here, or the change does not apply to them)."
        ));
    }
    text
}

/// Runs a bulk action: `pick` finds each ticket the person may change (None: left as it is).
async fn bulk<F>(
    state: &AppState,
    session: &Session,
    actor: Actor,
    pairs: &[(String, String)],
    home: &'static str,
    mut pick: F,
) -> AppResult<HttpResponse>
where
    F: FnMut(&mut DbConnection, &str) -> Result<Option<Ticket>, AppError> + Send + 'static,
{
    let form = BulkForm::from_pairs(pairs);
    let back = crate::web::safe_next(Some(&form.back)).filter(|b| b.starts_with(home)).unwrap_or_else(|| home.into());
    let changes = match form.changes() {
        Ok(changes) => changes,
        Err(why) => {
            session::flash_error(session, why);
            return Ok(redirect(&back));
        }
    };
    let env = DeskEnv::of(state);
    let (changed, skipped) = state
        .db
        .write(move |conn| {
            let author = Author::staff(&actor);
            let (mut changed, mut skipped) = (0, 0);
            for id in &form.tickets {
                let Some(ticket) = pick(conn, id)?.filter(|t| !t.is_merged()) else {
                    skipped += 1;
                    continue;
                };
                match apply(conn, &env, &ticket, &changes, &author) {
                    Ok(true) => changed += 1,
                    Ok(false) | Err(DeskError::Refused(_)) => skipped += 1,
                    Err(DeskError::Db(e)) => return Err(e.into()),
                }
            }
            Ok((changed, skipped))
        })
        .await?;
    session::flash_ok(session, summary(changed, skipped));
    Ok(redirect(&back))
}

/// Bulk change of tickets of the organization's queue.
pub async fn org_bulk(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    bulk(&state, &session, actor, &form, "/tickets", move |conn, id| Ok(models::by_id(conn, &org, id)?)).await
}

/// Bulk change from the MSP's queue: each ticket must be in an organization where the person works tickets
/// (their MSP, or a client they reach at T2 or T3).
pub async fn msp_bulk(
    state: web::Data<AppState>,
    scope: MspScope,
    identity: Identity,
    actor: Actor,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let msp = scope.msp_id().clone();
    let mut workable: HashMap<OrgId, bool> = HashMap::new();
    bulk(&state, &session, actor, &form, "/msp/tickets", move |conn, id| {
        let Some(ticket) = models::of_msp(conn, &msp, id)? else { return Ok(None) };
        let may = match workable.get(&ticket.org_id) {
            Some(may) => *may,
            None => {
                let context = org_context(conn, &identity, &ticket.org_id)?;
                let may = context.is_some_and(|c| c.perms.contains(Permission::WorkTickets));
                workable.insert(ticket.org_id.clone(), may);
                may
            }
        };
        Ok(may.then_some(ticket))
    })
    .await
}
