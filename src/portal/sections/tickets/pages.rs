//! The ticket pages an end user reads: the list (open, closed or all; paginated) and one ticket's public
//! conversation with its reply, close and reopen forms; downloading a public attachment.

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::{Sees, Standing, standing, status_label, visible, visible_ticket};
use crate::AppState;
use crate::auth::portal::PortalScope;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketEventId};
use crate::error::{AppError, AppResult};
use crate::portal::Chrome;
use crate::portal::sections::{Ids, rules, section_on};
use crate::psa::tickets::conversation::{self, Event, EventKind};
use crate::psa::tickets::models::{Priority, Ticket, TicketStatus};
use crate::psa::tickets::page::{AttachmentRow, attachments_of};
use crate::schema::{contacts, ticket_attachments, tickets};
use crate::storage::download::AttachmentFile;
use crate::web::pagination::{Pager, query_string};
use crate::web::{filters, render_status};

/// Which tickets the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Open,
    Closed,
    All,
}

impl Filter {
    pub const ALL: [Filter; 3] = [Filter::Open, Filter::Closed, Filter::All];

    fn parse(id: &str) -> Filter {
        Filter::ALL.into_iter().find(|f| f.id() == id).unwrap_or(Filter::Open)
    }
    pub fn id(self) -> &'static str {
        match self {
            Filter::Open => "open",
            Filter::Closed => "closed",
            Filter::All => "all",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Filter::Open => "Open",
            Filter::Closed => "Closed",
            Filter::All => "All",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<String>,
}

/// A line of the list.
#[derive(Queryable, Clone, Debug)]
pub struct TicketLine {
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub requester: Option<String>,
    pub updated_at: NaiveDateTime,
}

#[derive(Template)]
#[template(path = "portal/sections/tickets.html")]
struct ListPage {
    chrome: Chrome,
    filter: Filter,
    lines: Vec<TicketLine>,
    pager: Pager,
    company: bool,
    linked: bool,
    now: NaiveDateTime,
}

impl ListPage {
    fn status_text(&self, status: &TicketStatus) -> &'static str {
        status_label(*status)
    }
    fn ago(&self, at: &NaiveDateTime) -> String {
        crate::web::time::ago(*at, self.now)
    }
}

/// `GET {base}/tickets`: two statements (count and page) whatever the number of tickets.
pub async fn list(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let filter = Filter::parse(&query.status);
    let page = crate::web::pagination::ListQuery { page: query.page.clone(), q: None }.page();
    let (org, sees) = (portal.org_id().clone(), Sees::of(&portal));
    let company = matches!(sees, Sees::Company);
    let (total, lines) = state.db.run(move |conn| Ok(load_page(conn, &org, &sees, filter, page)?)).await?;
    let pager = Pager::new(page, total, query_string(&[("status", filter.id())]));
    let chrome = Chrome::signed_in(&portal, &session, "tickets");
    let linked = portal.account.contact_id.is_some();
    let now = state.clock.now();
    render_status(StatusCode::OK, ListPage { chrome, filter, lines, pager, company, linked, now })
}

fn load_page(
    conn: &mut DbConnection,
    org: &OrgId,
    sees: &Sees,
    filter: Filter,
    page: i64,
) -> QueryResult<(i64, Vec<TicketLine>)> {
    let query = || {
        let q = visible!(tickets::table.left_join(contacts::table).into_boxed(), org, sees);
        match filter {
            Filter::Open => q.filter(tickets::unresolved.eq(true)),
            Filter::Closed => q.filter(tickets::unresolved.eq(false)),
            Filter::All => q,
        }
    };
    let total: i64 = query().count().get_result(conn)?;
    let pager = Pager::new(page, total, String::new());
    let lines = query()
        .order((tickets::updated_at.desc(), tickets::id.desc()))
        .limit(pager.per_page)
        .offset(pager.offset())
        .select((
            tickets::number,
            tickets::subject,
            tickets::status,
            tickets::priority,
            contacts::name.nullable(),
            tickets::updated_at,
        ))
        .load(conn)?;
    Ok((total, lines))
}

/// The reply form as typed, with why it was refused.
#[derive(Clone, Debug, Default)]
pub struct ReplyForm {
    pub body: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "portal/sections/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    ticket: Ticket,
    events: Vec<Event>,
    attachments: Vec<AttachmentRow>,
    standing: Standing,
    reopen_days: i32,
    can_write: bool,
    reply: ReplyForm,
}

impl TicketPage {
    fn when(&self, at: &NaiveDateTime) -> String {
        crate::web::time::local(*at, chrono_tz::UTC)
    }
    fn files_of(&self, event: &TicketEventId) -> Vec<&AttachmentRow> {
        self.attachments.iter().filter(|a| a.event_id.as_ref() == Some(event)).collect()
    }
    fn status_text(&self) -> &'static str {
        status_label(self.ticket.status)
    }
    /// A status entry in the end user's words ("Ann Lee: Resolved"), from its details ("open -> resolved").
    fn status_change(&self, event: &Event) -> String {
        let to = event.details.rsplit("-> ").next().and_then(|id| TicketStatus::parse(id.trim()));
        match to {
            Some(status) => format!("{}: {}", event.author_label, status_label(status)),
            None => event.author_label.clone(),
        }
    }
    fn is(&self, standing: &str) -> bool {
        match standing {
            "open" => self.standing == Standing::Open,
            "reopenable" => self.standing == Standing::Reopenable,
            _ => self.standing == Standing::Final,
        }
    }
}

/// `GET {base}/tickets/{number}`.
pub async fn show(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    path: web::Path<Ids>,
) -> AppResult<HttpResponse> {
    let number = path.into_inner().number;
    render_ticket(&state, &portal, &session, number, ReplyForm::default(), StatusCode::OK).await
}

/// The ticket page, with the reply form as given (kept input and its error after a refusal).
pub async fn render_ticket(
    state: &AppState,
    portal: &PortalScope,
    session: &Session,
    number: String,
    reply: ReplyForm,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let (org, sees) = (portal.org_id().clone(), Sees::of(portal));
    let (ticket, events, attachments, rules) = state
        .db
        .run(move |conn| {
            let ticket = visible_ticket(conn, &org, &sees, &number)?;
            let events = conversation::public_of_ticket(conn, &org, &ticket.id)?;
            let attachments: Vec<AttachmentRow> =
                attachments_of(conn, &org, &ticket.id)?.into_iter().filter(|a| !a.internal).collect();
            Ok((ticket, events, attachments, rules::of(conn, &org)?))
        })
        .await?;
    let standing = standing(&ticket, rules.reopen_days, state.clock.now());
    let chrome = Chrome::signed_in(portal, session, "tickets");
    let can_write = portal.account.contact_id.is_some();
    let events = events.into_iter().filter(|e| e.kind.is_message() || e.kind == EventKind::Status).collect();
    let page =
        TicketPage { chrome, ticket, events, attachments, standing, reopen_days: rules.reopen_days, can_write, reply };
    render_status(status, page)
}

/// `GET {base}/tickets/{number}/attachments/{attachment_id}`: a file of the public conversation.
pub async fn attachment(
    state: web::Data<AppState>,
    portal: PortalScope,
    path: web::Path<Ids>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let Ids { number, attachment_id: id, .. } = path.into_inner();
    let (org, sees) = (portal.org_id().clone(), Sees::of(&portal));
    let file = state
        .db
        .run(move |conn| {
            let ticket = visible_ticket(conn, &org, &sees, &number)?;
            let file: AttachmentFile = ticket_attachments::table
                .filter(ticket_attachments::org_id.eq(&org))
                .filter(ticket_attachments::ticket_id.eq(&ticket.id))
                .filter(ticket_attachments::internal.eq(false))
                .filter(ticket_attachments::id.eq(&id))
                .select(crate::file_columns!(ticket_attachments))
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            Ok(file)
        })
        .await?;
    file.serve(&state.storage).await
}
