//! Service desk -> New ticket: staff open a ticket for a contact (an existing one by email, or a new one named
//! on the form), with priority, type, category and assignee.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::NewTicketForm;
use super::models::{Priority, TicketSource, TicketStatus, TicketType};
use super::service::{self, Author, DeskEnv, DeskError, NewTicket};
use super::staff::{self, StaffMember};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId};
use crate::error::{AppError, AppResult};
use crate::orgs::find_org;
use crate::psa::contacts::models::{self as contacts, Contact, ContactInput};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

/// Contacts offered in the requester field's suggestions.
const SUGGESTED_CONTACTS: i64 = 200;

#[derive(Template)]
#[template(path = "psa/ticket_new.html")]
struct NewTicketPage {
    page: PageContext,
    form: NewTicketForm,
    errors: FieldErrors,
    contacts: Vec<Contact>,
    workers: Vec<StaffMember>,
    templates: Vec<super::templates::TicketTemplate>,
    priorities: [Priority; 4],
    types: [TicketType; 4],
    statuses: [TicketStatus; 4],
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    form: NewTicketForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, contacts, workers, templates) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            let templates = super::templates::templates_of(conn, &org_row)?;
            Ok((
                input.load(conn)?,
                contacts::active(conn, &org, SUGGESTED_CONTACTS)?,
                staff::workers(conn, &org_row)?,
                templates,
            ))
        })
        .await?;
    let status = form_status(&errors);
    let page = NewTicketPage {
        page,
        form,
        errors,
        contacts,
        workers,
        templates,
        priorities: Priority::ALL,
        types: TicketType::ALL,
        statuses: TicketStatus::UNRESOLVED,
    };
    render_status(status, page)
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    requester: String,
    #[serde(default)]
    template: String,
}

pub async fn new_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let (org, requester, template) = (scope.org_id().clone(), query.requester.clone(), query.template.clone());
    let (email, template) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            let email = contacts::find(conn, &org, &requester)?.and_then(|c| c.email);
            Ok((email, super::templates::template(conn, &org_row, &template)?))
        })
        .await?;
    let mut form = NewTicketForm {
        priority: Priority::Medium.id().into(),
        ticket_type: TicketType::Incident.id().into(),
        status: TicketStatus::New.id().into(),
        requester_email: email.unwrap_or_default(),
        ..Default::default()
    };
    if let Some(t) = template {
        (form.subject, form.description, form.category) = (t.subject, t.description, t.category);
        (form.priority, form.ticket_type) = (t.priority.id().into(), t.ticket_type.id().into());
    }
    form_page(&state, &scope, input, form, FieldErrors::default()).await
}

/// The requester named on the form: an existing active contact by email, a new contact when a name is given
/// too, or nobody. Field errors otherwise.
fn requester(
    conn: &mut DbConnection,
    org: &OrgId,
    form: &NewTicketForm,
    actor: &Actor,
    errors: &mut FieldErrors,
) -> Result<Option<ContactId>, AppError> {
    let typed = form.requester_email.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let email = forms::email(errors, "requester_email", typed);
    if errors.has("requester_email") {
        return Ok(None);
    }
    match contacts::find_by_email(conn, org, &email)? {
        Some(c) if c.is_archived() => {
            errors.add("requester_email", format!("{} is archived. Restore the contact first.", c.name));
            Ok(None)
        }
        Some(c) => Ok(Some(c.id)),
        None if form.requester_name.trim().is_empty() => {
            errors.add("requester_name", "No contact has this email yet: give their name to add them.");
            Ok(None)
        }
        None => {
            let name = forms::required(errors, "requester_name", &form.requester_name, "Name", 120);
            if !errors.is_empty() {
                return Ok(None);
            }
            let input = ContactInput { name: name.clone(), email: Some(email), ..Default::default() };
            let id = contacts::insert(conn, org, &input, actor.at)?;
            audit::record(conn, actor, Some(org), Action::ContactCreated, Target::new("contact", &id, &name))?;
            Ok(Some(id))
        }
    }
}

pub async fn create(c: Change, form: web::Form<NewTicketForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let valid = form.validate(&mut errors);
    let (org, env, submitted) = (scope.org_id().clone(), DeskEnv::of(&state), form.clone());
    let outcome = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| -> Result<Result<i64, FieldErrors>, DeskError> {
                let requester = requester(conn, &org, &submitted, &actor, &mut errors)?;
                let assignee = match submitted.assignee.trim() {
                    "" => None,
                    id => {
                        let org_row = find_org(conn, &org)?.ok_or(diesel::result::Error::NotFound)?;
                        let found = staff::is_worker(conn, &org_row, id)?;
                        if found.is_none() {
                            errors.add("assignee", "Choose someone who works this organization's tickets.");
                        }
                        found.map(|s| s.user_id)
                    }
                };
                let Some(valid) = valid.filter(|_| errors.is_empty()) else {
                    // Nothing of a refused form is kept (a contact it would have added included).
                    return Err(DeskError::Refused(String::new()));
                };
                let new = NewTicket {
                    subject: valid.subject,
                    description: valid.description,
                    requester,
                    priority: valid.priority,
                    ticket_type: valid.ticket_type,
                    category: valid.category,
                    status: valid.status,
                    assignee,
                    source: TicketSource::Staff,
                    attachments: Vec::new(),
                    message_id: None,
                    notify_requester: true,
                };
                let opened = service::open_ticket(conn, &env, &org, &Author::staff(&actor), new)?;
                Ok(Ok(opened.number))
            }))
            .map(|r| (r, errors))
        })
        .await?;
    match outcome {
        (Ok(Ok(number)), _) => {
            session::flash_ok(&session, format!("Ticket #{number} is open."));
            Ok(redirect(&format!("/tickets/{number}")))
        }
        (Err(DeskError::Refused(why)), mut errors) => {
            if !why.is_empty() {
                errors.add("subject", why);
            }
            form_page(&state, &scope, input, form, errors).await
        }
        (Ok(Err(errors)), _) => form_page(&state, &scope, input, form, errors).await,
        (Err(DeskError::Db(e)), _) => Err(e.into()),
    }
}
