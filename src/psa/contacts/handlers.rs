//! Service desk -> Contacts: the list (search, archived), adding and editing, archiving and a contact's tickets
//! (the CSV import's pages are `web::import_pages` over `import::ContactsImport`).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::ContactForm;
use super::models::{self, Contact, ContactInput, ContactStatus};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId};
use crate::error::{AppError, AppResult};
use crate::psa::tickets::queue::{self, QueueRow};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Deserialize, Default)]
pub struct ContactsQuery {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "psa/contacts.html")]
struct ContactsPage {
    page: PageContext,
    contacts: Vec<Contact>,
    pager: Pager,
    search: String,
    archived: bool,
    can_work: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ContactsQuery>,
) -> AppResult<HttpResponse> {
    let search = query.list.search();
    let archived = query.status == "archived";
    let status = if archived { ContactStatus::Archived } else { ContactStatus::Active };
    let page_number = query.list.page();
    let base_query = query_string(&[("q", &search), ("status", if archived { "archived" } else { "" })]);
    let (org, term) = (scope.org_id().clone(), search.clone());
    let (page, contacts, pager) = state
        .db
        .run(move |conn| {
            let pager = Pager::new(page_number, models::count(conn, &org, status, &term)?, base_query);
            let contacts = models::page(conn, &org, status, &term, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, contacts, pager))
        })
        .await?;
    render(ContactsPage { page, contacts, pager, search, archived, can_work: scope.can(Permission::WorkTickets) })
}

#[derive(Template)]
#[template(path = "psa/contact_form.html")]
struct ContactFormPage {
    page: PageContext,
    /// None for a new contact.
    contact: Option<Contact>,
    form: ContactForm,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    input: PageInput,
    contact: Option<Contact>,
    form: ContactForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    render_status(form_status(&errors), ContactFormPage { page, contact, form, errors })
}

pub async fn new_form(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    form_page(&state, input, None, ContactForm::default(), FieldErrors::default()).await
}

/// The form's contact, or its errors (the email must not belong to another contact of the organization).
fn validated(
    conn: &mut DbConnection,
    org: &OrgId,
    form: &ContactForm,
    except: Option<&ContactId>,
) -> Result<Result<ContactInput, FieldErrors>, AppError> {
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(email) = &input.email
        && models::email_taken(conn, org, email, except)?
    {
        let mut errors = FieldErrors::default();
        errors.add("email", "Another contact already has this email.");
        return Ok(Err(errors));
    }
    Ok(Ok(input))
}

fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &ContactId,
    name: &str,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("contact", id, name))
}

pub async fn create(c: Change, form: web::Form<ContactForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let (org, submitted) = (scope.org_id().clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let contact = match validated(conn, &org, &submitted, None)? {
                Ok(contact) => contact,
                Err(errors) => return Ok(Err(errors)),
            };
            let id = models::insert(conn, &org, &contact, actor.at)?;
            log(conn, &actor, &org, Action::ContactCreated, &id, &contact.name)?;
            Ok(Ok((id, contact.name)))
        })
        .await?;
    match outcome {
        Ok((id, name)) => {
            session::flash_ok(&session, format!("{name} is added."));
            Ok(redirect(&format!("/contacts/{id}")))
        }
        Err(errors) => form_page(&state, input, None, form, errors).await,
    }
}

/// A contact of the scope's organization, or 404.
async fn contact_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Contact> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

#[derive(Template)]
#[template(path = "psa/contact.html")]
struct ContactPage {
    page: PageContext,
    contact: Contact,
    tickets: Vec<QueueRow>,
    pager: Pager,
    can_work: bool,
    /// The staff member may invite people to the client's portal.
    can_invite: bool,
    /// The contact's portal account: (id, access active).
    portal: Option<(String, bool)>,
}

pub async fn detail(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let (org, id, page_number) = (scope.org_id().clone(), path.into_inner(), query.page());
    let (now, tz) = (state.clock.now(), scope.org.tz());
    let (page, contact, tickets, pager, portal) = state
        .db
        .run(move |conn| {
            let contact = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let (tickets, pager) = queue::of_contact(conn, &org, &contact.id, page_number, now, tz)?;
            let portal = crate::portal::auth::accounts::of_contact(conn, &org, &contact.id)?;
            Ok((input.load(conn)?, contact, tickets, pager, portal))
        })
        .await?;
    let can_invite = scope.can(Permission::ManagePortalUsers) && scope.org.kind != crate::orgs::OrgKind::Msp;
    render(ContactPage {
        page,
        contact,
        tickets,
        pager,
        can_work: scope.can(Permission::WorkTickets),
        can_invite,
        portal,
    })
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let contact = contact_of(&state, &scope, path.into_inner()).await?;
    let form = ContactForm::of(&contact);
    form_page(&state, input, Some(contact), form, FieldErrors::default()).await
}

pub async fn update(c: Change, path: web::Path<String>, form: web::Form<ContactForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let contact = contact_of(&state, &scope, path.into_inner()).await?;
    let (org, id, submitted) = (scope.org_id().clone(), contact.id.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let input = match validated(conn, &org, &submitted, Some(&id))? {
                Ok(input) => input,
                Err(errors) => return Ok(Err(errors)),
            };
            models::update(conn, &org, &id, &input, actor.at)?;
            log(conn, &actor, &org, Action::ContactUpdated, &id, &input.name)?;
            Ok(Ok(input.name))
        })
        .await?;
    match outcome {
        Ok(name) => {
            session::flash_ok(&session, format!("{name} is saved."));
            Ok(redirect(&format!("/contacts/{}", contact.id)))
        }
        Err(errors) => form_page(&state, input, Some(contact), form, errors).await,
    }
}

/// Archives a contact (`ARCHIVED`: kept on their tickets, no longer offered as a requester) or restores one.
pub async fn set_archived<const ARCHIVED: bool>(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (id, archived) = (path.into_inner(), ARCHIVED);
    let org = scope.org_id().clone();
    let (contact_id, outcome) = state
        .db
        .write(move |conn| {
            let contact = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            if contact.is_archived() == archived {
                let state = if archived { "archived" } else { "active" };
                return Ok((contact.id, Err(format!("{} is already {state}.", contact.name))));
            }
            models::set_archived(conn, &org, &contact.id, archived, actor.at)?;
            let action = if archived { Action::ContactArchived } else { Action::ContactRestored };
            log(conn, &actor, &org, action, &contact.id, &contact.name)?;
            let message = if archived {
                format!("{} is archived: kept on their tickets, no longer offered as a requester.", contact.name)
            } else {
                format!("{} is restored.", contact.name)
            };
            Ok((contact.id, Ok(message)))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&format!("/contacts/{contact_id}")))
}
