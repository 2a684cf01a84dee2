//! The ticket page: the ticket with its SLA due instants, its conversation (replies, internal notes and
//! events) with attachments, watchers, related tickets, and the forms that work it. A fixed number of
//! statements whatever the length of the conversation.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono_tz::Tz;
use diesel::prelude::*;

use super::conversation::{self, Event, EventKind};
use super::forms::{DetailsForm, PropertiesForm};
use super::models::{self, Priority, Ticket, TicketStatus, TicketType};
use super::staff::{self, StaffMember};
use super::watchers::{self, Watcher};
use crate::AppState;
use crate::auth::{Permission, Scope};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketAttachmentId, TicketEventId, TicketId};
use crate::error::{AppError, AppResult};
use crate::orgs::Organization;
use crate::psa::assets::tickets::{self as ticket_assets, LinkedAsset};
use crate::psa::contacts::models::Contact;
use crate::psa::sla_policy::display::DueView;
use crate::psa::sla_policy::{self, TicketSla};
use crate::psa::time::ticket::{self as ticket_time, TicketTime};
use crate::schema::{contacts, organizations, ticket_attachments, ticket_links, tickets};
use crate::web::filters;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, render_status};

/// A file of the conversation.
#[derive(Clone, Debug, Queryable)]
pub struct AttachmentRow {
    pub id: TicketAttachmentId,
    pub event_id: Option<TicketEventId>,
    pub internal: bool,
    pub filename: String,
    pub size: i64,
}

impl AttachmentRow {
    pub fn size_text(&self) -> String {
        match self.size {
            s if s < 1024 => format!("{s} B"),
            s if s < 1024 * 1024 => format!("{} KB", s / 1024),
            s => format!("{:.1} MB", s as f64 / (1024.0 * 1024.0)),
        }
    }
}

/// A related ticket.
#[derive(Clone, Debug)]
pub struct Related {
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
}

/// The reply form as it comes back after a refusal (nothing typed is lost).
#[derive(Clone, Debug, Default)]
pub struct ReplyForm {
    pub body: String,
    pub internal: bool,
    pub error: String,
}

/// The page's forms as they come back to the person.
#[derive(Default)]
pub struct PageForms {
    pub reply: ReplyForm,
    /// A canned response to start the reply with (`?canned=` on the ticket page).
    pub canned: Option<String>,
    pub properties: Option<(PropertiesForm, FieldErrors)>,
    pub details: Option<(DetailsForm, FieldErrors)>,
    /// The time entry form (psa::time).
    pub time: Option<(crate::psa::time::forms::EntryForm, FieldErrors)>,
}

impl PageForms {
    fn has_errors(&self) -> bool {
        !self.reply.error.is_empty()
            || self.properties.as_ref().is_some_and(|(_, e)| !e.is_empty())
            || self.details.as_ref().is_some_and(|(_, e)| !e.is_empty())
            || self.time.as_ref().is_some_and(|(_, e)| !e.is_empty())
    }
}

#[derive(Template)]
#[template(path = "psa/ticket.html")]
struct TicketPage {
    page: PageContext,
    ticket: Ticket,
    requester: Option<Contact>,
    assignee: String,
    merged_into: Option<i64>,
    events: Vec<Event>,
    attachments: Vec<AttachmentRow>,
    watchers: Vec<Watcher>,
    related: Vec<Related>,
    /// The assets the ticket is about (psa::assets::tickets).
    assets: Vec<LinkedAsset>,
    workers: Vec<StaffMember>,
    sla: TicketSla,
    /// The SLA policies the ticket may be put under: (id, name).
    policies: Vec<(String, String)>,
    canned: Vec<super::templates::CannedResponse>,
    tz: Tz,
    can_work: bool,
    reply: ReplyForm,
    properties: PropertiesForm,
    properties_errors: FieldErrors,
    details: DetailsForm,
    details_errors: FieldErrors,
    statuses: [TicketStatus; 6],
    priorities: [Priority; 4],
    types: [TicketType; 4],
    /// The time section, for the MSP's staff who log time.
    time: Option<TicketTime>,
}

impl TicketPage {
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
    fn files_of(&self, event: &TicketEventId) -> Vec<&AttachmentRow> {
        self.attachments.iter().filter(|a| a.event_id.as_ref() == Some(event)).collect()
    }
    fn event_text(&self, event: &Event) -> String {
        describe(event)
    }
    fn due(&self, view: &Option<DueView>) -> Option<DueView> {
        view.clone()
    }
    fn policy_is(&self, id: &str) -> bool {
        self.ticket.sla_policy_id.as_ref().is_some_and(|p| p.as_str() == id)
    }
}

/// One line of history for an event entry.
pub fn describe(event: &Event) -> String {
    let who = &event.author_label;
    let details = event.details.as_str();
    let status =
        |id: &str| TicketStatus::parse(id.trim()).map(|s| s.label().to_string()).unwrap_or_else(|| id.to_string());
    let priority =
        |id: &str| Priority::parse(id.trim()).map(|p| p.label().to_string()).unwrap_or_else(|| id.to_string());
    let arrow = |f: &dyn Fn(&str) -> String| match details.split_once(" -> ") {
        Some((a, b)) => format!("from {} to {}", f(a), f(b)),
        None => details.to_string(),
    };
    match event.kind {
        EventKind::Status => format!("{who} changed the status {}", arrow(&status)),
        EventKind::Priority => format!("{who} changed the priority {}", arrow(&priority)),
        EventKind::Assignment if details == "unassigned" => format!("{who} unassigned the ticket"),
        EventKind::Assignment => format!("{who} assigned the ticket {details}"),
        EventKind::Change => format!("{who}: {details}"),
        EventKind::Merge | EventKind::Link | EventKind::Sla | EventKind::Escalation | EventKind::Breach => {
            format!("{who}: {details}")
        }
        EventKind::Created | EventKind::Reply | EventKind::Note => String::new(),
    }
}

/// The ticket of the scope's organization with this number (from the URL), or 404.
pub fn ticket_in_scope(conn: &mut DbConnection, org: &OrgId, number: &str) -> Result<Ticket, AppError> {
    let number = models::parse_number(number).ok_or(AppError::NotFound)?;
    models::by_number(conn, org, number)?.ok_or(AppError::NotFound)
}

/// The ticket (as `ticket_in_scope` finds it) with its requester, a contact of the same organization, and its
/// organization: one statement.
fn with_requester(
    conn: &mut DbConnection,
    org: &OrgId,
    number: &str,
) -> Result<(Ticket, Option<Contact>, Organization), AppError> {
    let number = models::parse_number(number).ok_or(AppError::NotFound)?;
    let requester = contacts::table
        .on(contacts::id.nullable().eq(tickets::requester_contact_id).and(contacts::org_id.eq(org.clone())));
    tickets::table
        .inner_join(organizations::table)
        .left_join(requester)
        .filter(tickets::org_id.eq(org))
        .filter(tickets::number.eq(number))
        .select((Ticket::as_select(), Option::<Contact>::as_select(), Organization::as_select()))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn attachments_of(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<AttachmentRow>> {
    ticket_attachments::table
        .filter(ticket_attachments::org_id.eq(org))
        .filter(ticket_attachments::ticket_id.eq(ticket))
        .order((ticket_attachments::created_at.asc(), ticket_attachments::id.asc()))
        .select((
            ticket_attachments::id,
            ticket_attachments::event_id,
            ticket_attachments::internal,
            ticket_attachments::filename,
            ticket_attachments::size,
        ))
        .load(conn)
}

/// The tickets related to one, both directions of the pair table, in one statement.
pub fn related_of(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<Related>> {
    let ids = ticket_links::table
        .filter(ticket_links::org_id.eq(org.clone()))
        .filter(ticket_links::ticket_id.eq(ticket.clone()))
        .select(ticket_links::related_ticket_id);
    let reverse = ticket_links::table
        .filter(ticket_links::org_id.eq(org.clone()))
        .filter(ticket_links::related_ticket_id.eq(ticket.clone()))
        .select(ticket_links::ticket_id);
    let rows: Vec<(i64, String, TicketStatus)> = tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::id.eq_any(ids).or(tickets::id.eq_any(reverse)))
        .order(tickets::number.asc())
        .select((tickets::number, tickets::subject, tickets::status))
        .load(conn)?;
    Ok(rows.into_iter().map(|(number, subject, status)| Related { number, subject, status }).collect())
}

/// Renders the ticket page (200, or 422 when a form comes back with errors).
pub async fn render_ticket(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    number: String,
    forms: PageForms,
) -> AppResult<HttpResponse> {
    let org_id = scope.org_id().clone();
    let now = state.clock.now();
    let tz = scope.org.tz();
    let (time_scope, timer) = (scope.clone(), input.identity().timer.clone());
    let mut forms = forms;
    let time_form = forms.time.take();
    let has_errors = forms.has_errors() || time_form.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let loaded = state
        .db
        .run(move |conn| {
            let (ticket, requester, org) = with_requester(conn, &org_id, &number)?;
            let merged_into = match &ticket.merged_into_ticket_id {
                Some(id) => models::by_id(conn, &org_id, id)?.map(|t| t.number),
                None => None,
            };
            let events = conversation::of_ticket(conn, &org_id, &ticket.id)?;
            let attachments = attachments_of(conn, &org_id, &ticket.id)?;
            let watchers = watchers::of_ticket(conn, &org_id, &ticket.id)?;
            let related = related_of(conn, &org_id, &ticket.id)?;
            let assets = ticket_assets::of_ticket(conn, &org_id, &ticket.id)?;
            let workers = staff::workers(conn, &org)?;
            let sla = sla_policy::ticket_sla(conn, &org, &ticket, now)?;
            let policies = sla_policy::models::usable(conn, &org)?
                .into_iter()
                .filter(|p| p.enabled)
                .map(|p| (p.id.to_string(), p.name))
                .collect::<Vec<_>>();
            let canned = super::templates::canned_of(conn, &org)?;
            let today = crate::psa::time::models::local_day(now, tz);
            let time = ticket_time::load(conn, &time_scope, timer.as_ref(), &ticket.id, today, time_form)?;
            let page = input.load(conn)?;
            Ok((
                page,
                ticket,
                requester,
                merged_into,
                events,
                attachments,
                watchers,
                related,
                workers,
                (sla, policies, canned, time, assets),
            ))
        })
        .await?;
    let (
        page,
        ticket,
        requester,
        merged_into,
        events,
        attachments,
        watchers,
        related,
        workers,
        (sla, policies, canned, time, assets),
    ) = loaded;
    if forms.reply.body.is_empty()
        && let Some(c) = canned.iter().find(|c| Some(c.id.as_str()) == forms.canned.as_deref())
    {
        forms.reply.body = c.body.clone();
    }
    let status = if has_errors { crate::web::form_status_invalid() } else { actix_web::http::StatusCode::OK };
    let assignee = workers
        .iter()
        .find(|w| Some(&w.user_id) == ticket.assignee_user_id.as_ref())
        .map(|w| w.name.clone())
        .unwrap_or_default();
    let (properties, properties_errors) = forms.properties.unwrap_or_else(|| {
        let form = PropertiesForm {
            status: ticket.status.id().into(),
            priority: ticket.priority.id().into(),
            assignee: ticket.assignee_user_id.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            resolution_note: ticket.resolution_note.clone(),
        };
        (form, FieldErrors::default())
    });
    let (details, details_errors) = forms.details.unwrap_or_else(|| {
        let form = DetailsForm {
            subject: ticket.subject.clone(),
            ticket_type: ticket.ticket_type.id().into(),
            category: ticket.category.clone(),
            requester_email: requester.as_ref().map(|c| c.email_text().to_string()).unwrap_or_default(),
        };
        (form, FieldErrors::default())
    });
    render_status(
        status,
        TicketPage {
            page,
            can_work: scope.can(Permission::WorkTickets) && !ticket.is_merged(),
            ticket,
            requester,
            assignee,
            merged_into,
            events,
            attachments,
            watchers,
            related,
            assets,
            workers,
            sla,
            policies,
            canned,
            tz,
            reply: forms.reply,
            properties,
            properties_errors,
            details,
            details_errors,
            statuses: TicketStatus::ALL,
            priorities: Priority::ALL,
            types: TicketType::ALL,
            time,
        },
    )
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    canned: Option<String>,
    /// A knowledge-base article whose link starts the reply ("insert link" on the ticket's article search).
    #[serde(default)]
    article: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let mut forms = PageForms { canned: query.canned, ..Default::default() };
    if let Some(article) = query.article {
        forms.reply.body = crate::psa::kb::ticket::link_text(&state, &scope, article).await?.unwrap_or_default();
    }
    render_ticket(&state, &scope, input, path.into_inner(), forms).await
}
