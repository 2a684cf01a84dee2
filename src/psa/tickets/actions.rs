//! What the ticket page's forms do: reply or note (with attachments), properties (status, priority, assignee),
//! details, watchers, related tickets; downloading an attachment; opening a ticket by id from an email or the
//! MSP's queue.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::Deserialize;

use super::forms::{self, DetailsForm, PropertiesForm};
use super::models::{Priority, Ticket, TicketStatus, TicketType};
use super::page::{PageForms, ReplyForm, render_ticket, ticket_in_scope};
use super::service::{self, Author, DeskEnv, DeskError, Details, Landed, NewAttachment, Reply};
use super::watchers::{self, WatcherRef};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::identity::org_context;
use crate::auth::{Identity, Permission, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::orgs::find_org;
use crate::psa::contacts::models as contacts;
use crate::schema::{ticket_attachments, tickets};
use crate::storage::download::AttachmentFile;
use crate::storage::multipart::read_form;
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageInput, redirect};

fn ticket_path(number: i64) -> String {
    format!("/tickets/{number}")
}

/// Runs a change of one ticket of the scope's organization in one transaction; a refusal (rolled back) is
/// flashed. Redirects to the ticket.
async fn change<F>(state: &AppState, scope: &Scope, session: &Session, number: String, f: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Ticket) -> Result<String, DeskError> + Send + 'static,
{
    let org = scope.org_id().clone();
    let back = ticket_path(super::models::parse_number(&number).unwrap_or(0));
    let outcome = service::write(&state.db, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &number)?;
        f(conn, &ticket)
    })
    .await?;
    session::flash_outcome(session, outcome);
    Ok(redirect(&back))
}

/// A refusal of a form that names the field it belongs next to.
enum FormRefusal {
    Field(&'static str, String),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for FormRefusal {
    fn from(e: diesel::result::Error) -> FormRefusal {
        FormRefusal::Db(e)
    }
}

impl From<AppError> for FormRefusal {
    fn from(e: AppError) -> FormRefusal {
        FormRefusal::Db(match e {
            AppError::NotFound => diesel::result::Error::NotFound,
            _ => diesel::result::Error::RollbackTransaction,
        })
    }
}

/// Tags a service refusal with the field it is about.
fn at(field: &'static str) -> impl Fn(DeskError) -> FormRefusal {
    move |e| match e {
        DeskError::Refused(why) => FormRefusal::Field(field, why),
        DeskError::Db(e) => FormRefusal::Db(e),
    }
}

/// Runs a form's change in one transaction: Ok(Err(field, why)) when refused (nothing kept).
async fn write_form<T, F>(state: &AppState, f: F) -> AppResult<Result<T, (&'static str, String)>>
where
    F: FnOnce(&mut DbConnection) -> Result<T, FormRefusal> + Send + 'static,
    T: Send + 'static,
{
    match state.db.run(move |conn| Ok(crate::db::write_transaction(conn, f))).await? {
        Ok(value) => Ok(Ok(value)),
        Err(FormRefusal::Field(field, why)) => Ok(Err((field, why))),
        Err(FormRefusal::Db(e)) => Err(e.into()),
    }
}

/// Posts a reply or an internal note, with files; the typed text comes back with the reason on a refusal.
pub async fn reply(c: Change, path: web::Path<String>, payload: Multipart) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let number = path.into_inner();
    let org = scope.org_id().clone();
    let form = match read_form(payload, &state.storage, &["org", org.as_str(), "tickets"]).await {
        Ok(form) => form,
        Err(refused) => {
            let get = |k: &str| refused.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let reply =
                ReplyForm { body: get("body"), internal: get("visibility") == "internal", error: refused.message };
            return render_ticket(&state, &scope, input, number, PageForms { reply, ..Default::default() }).await;
        }
    };
    let internal = form.field("visibility") == "internal";
    let body = form.field("body").trim().to_string();
    let then_status = TicketStatus::parse(form.field("then_status"));
    let attachments: Vec<NewAttachment> =
        form.files.iter().map(|f| NewAttachment { filename: f.filename.clone(), stored: f.stored.clone() }).collect();
    let error = if body.chars().count() > 50_000 {
        Some("Keep a message under 50,000 characters (attach longer texts as files).".to_string())
    } else if body.is_empty() && attachments.is_empty() {
        Some("Write a message or attach a file.".to_string())
    } else {
        None
    };
    if let Some(error) = error {
        form.discard(&state.storage).await;
        let reply = ReplyForm { body, internal, error };
        return render_ticket(&state, &scope, input, number, PageForms { reply, ..Default::default() }).await;
    }
    let env = DeskEnv::of(&state);
    let (lookup, text) = (number.clone(), body.clone());
    let outcome = service::write(&state.db, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &lookup)?;
        let author = Author::staff(&actor);
        let reply = Reply { body: text, internal, attachments, message_id: None };
        let landed = service::add_reply(conn, &env, &org, &ticket.id, &author, reply)?;
        if let Some(status) = then_status {
            service::change_status(conn, &env, &org, &ticket.id, &author, status, "")?;
        }
        Ok(landed)
    })
    .await;
    match outcome {
        Ok(Ok(landed)) => {
            let number = match landed {
                Landed::OnTicket { ticket, .. } | Landed::NewTicket { ticket, .. } => ticket.number,
            };
            session::flash_ok(&session, if internal { "Note added." } else { "Reply sent." });
            Ok(redirect(&ticket_path(number)))
        }
        Ok(Err(error)) => {
            form.discard(&state.storage).await;
            let reply = ReplyForm { body, internal, error };
            render_ticket(&state, &scope, input, number, PageForms { reply, ..Default::default() }).await
        }
        Err(other) => {
            form.discard(&state.storage).await;
            Err(other)
        }
    }
}

/// Status (with the resolution note), priority and assignee.
pub async fn properties(
    c: Change,
    path: web::Path<String>,
    form: web::Form<PropertiesForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let number = path.into_inner();
    let mut errors = FieldErrors::default();
    let status = forms::choice(&mut errors, "status", &form.status, TicketStatus::parse, "a status");
    let priority = forms::choice(&mut errors, "priority", &form.priority, Priority::parse, "a priority");
    let note = forms::description(&mut errors, "resolution_note", &form.resolution_note);
    let (Some(status), Some(priority), true) = (status, priority, errors.is_empty()) else {
        return render_ticket(
            &state,
            &scope,
            input,
            number,
            PageForms { properties: Some((form, errors)), ..Default::default() },
        )
        .await;
    };
    let assignee = form.assignee.trim().to_string();
    let (org, env, lookup) = (scope.org_id().clone(), DeskEnv::of(&state), number.clone());
    let outcome = write_form(&state, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &lookup)?;
        let author = Author::staff(&actor);
        let assignee = match assignee.as_str() {
            "" => None,
            id => {
                let org_row = find_org(conn, &org)?.ok_or(diesel::result::Error::NotFound)?;
                match super::staff::is_worker(conn, &org_row, id)? {
                    Some(person) => Some(person.user_id),
                    None => {
                        let why = "Choose someone who works this organization's tickets.".to_string();
                        return Err(FormRefusal::Field("assignee", why));
                    }
                }
            }
        };
        let mut changed = service::set_priority(conn, &org, &ticket.id, &author, priority).map_err(at("priority"))?;
        changed |= service::assign(conn, &env, &org, &ticket.id, &author, assignee.as_ref()).map_err(at("assignee"))?;
        changed |= service::change_status(conn, &env, &org, &ticket.id, &author, status, &note)
            .map_err(at("resolution_note"))?;
        Ok((ticket.number, changed))
    })
    .await?;
    let again = |errors| PageForms { properties: Some((form, errors)), ..Default::default() };
    answer(
        Answer { state: &state, scope: &scope, input, session: &session, number },
        outcome,
        "Ticket updated.",
        errors,
        again,
    )
    .await
}

/// What a side form of the ticket page needs to answer.
struct Answer<'a> {
    state: &'a AppState,
    scope: &'a Scope,
    input: PageInput,
    session: &'a Session,
    number: String,
}

/// Back to the ticket saying what happened, or the form again with the refusal next to its field.
async fn answer(
    a: Answer<'_>,
    outcome: Result<(i64, bool), (&'static str, String)>,
    done: &str,
    mut errors: FieldErrors,
    again: impl FnOnce(FieldErrors) -> PageForms,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok((number, changed)) => {
            session::flash_ok(a.session, if changed { done } else { "Nothing changed." });
            Ok(redirect(&ticket_path(number)))
        }
        Err((field, why)) => {
            errors.add(field, why);
            render_ticket(a.state, a.scope, a.input, a.number, again(errors)).await
        }
    }
}

/// Subject, type, category and requester.
pub async fn details(c: Change, path: web::Path<String>, form: web::Form<DetailsForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let number = path.into_inner();
    let mut errors = FieldErrors::default();
    let subject = forms::subject(&mut errors, &form.subject);
    let ticket_type = forms::choice(&mut errors, "ticket_type", &form.ticket_type, TicketType::parse, "a type");
    let category = forms::category(&mut errors, &form.category);
    let email = form.requester_email.trim().to_lowercase();
    if !errors.is_empty() {
        return render_ticket(
            &state,
            &scope,
            input,
            number,
            PageForms { details: Some((form, errors)), ..Default::default() },
        )
        .await;
    }
    let (org, lookup) = (scope.org_id().clone(), number.clone());
    let outcome = write_form(&state, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &lookup)?;
        let requester = if email.is_empty() {
            None
        } else {
            match contacts::find_by_email(conn, &org, &email)? {
                Some(c) if !c.is_archived() => Some(c.id),
                _ => {
                    let why = "No active contact has this email. Add the contact first.".to_string();
                    return Err(FormRefusal::Field("requester_email", why));
                }
            }
        };
        let Some(ticket_type) = ticket_type else {
            return Err(FormRefusal::Field("ticket_type", "Choose a type from the list.".into()));
        };
        let details = Details { subject, ticket_type, category, requester };
        let changed =
            service::set_details(conn, &org, &ticket.id, &Author::staff(&actor), details).map_err(at("subject"))?;
        Ok((ticket.number, changed))
    })
    .await?;
    let again = |errors| PageForms { details: Some((form, errors)), ..Default::default() };
    answer(
        Answer { state: &state, scope: &scope, input, session: &session, number },
        outcome,
        "Details saved.",
        errors,
        again,
    )
    .await
}

#[derive(Deserialize)]
pub struct WatcherForm {
    /// A staff member's user id, or a contact's email.
    #[serde(default)]
    watcher: String,
}

pub async fn add_watcher(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<WatcherForm>,
) -> AppResult<HttpResponse> {
    let who = form.watcher.trim().to_string();
    change(&state, &scope, &session, path.into_inner(), move |conn, ticket| {
        let author = Author::staff(&actor);
        let org = find_org(conn, &ticket.org_id)?.ok_or(diesel::result::Error::NotFound)?;
        let added = if let Some(person) = super::staff::is_worker(conn, &org, &who)? {
            watchers::add(conn, ticket, WatcherRef::Staff(&person.user_id, &person.name), &author)?
        } else if let Some(contact) = contacts::find_by_email(conn, &ticket.org_id, &who)?.filter(|c| !c.is_archived())
        {
            watchers::add(conn, ticket, WatcherRef::Contact(&contact.id, &contact.name), &author)?
        } else {
            return Err(DeskError::Refused(
                "Choose a staff member, or enter the email of one of this organization's contacts.".into(),
            ));
        };
        Ok(if added { "Watcher added.".into() } else { "Already watching.".into() })
    })
    .await
}

pub async fn remove_watcher(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (number, watcher) = path.into_inner();
    change(&state, &scope, &session, number, move |conn, ticket| {
        // The watcher's id comes from the URL: one that is not this ticket's is not found.
        if watchers::remove(conn, ticket, &watcher, &Author::staff(&actor))? {
            Ok("Watcher removed.".into())
        } else {
            Err(diesel::result::Error::NotFound.into())
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct NumberForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    confirm: String,
}

fn other_ticket(conn: &mut DbConnection, ticket: &Ticket, number: &str) -> Result<Ticket, DeskError> {
    let Some(n) = super::models::parse_number(number) else {
        return Err(DeskError::Refused("Enter the number of another ticket, like 42.".into()));
    };
    match super::models::by_number(conn, &ticket.org_id, n)? {
        Some(other) if other.id != ticket.id => Ok(other),
        Some(_) => Err(DeskError::Refused("Choose another ticket than this one.".into())),
        None => Err(DeskError::Refused(format!("There is no ticket #{n} here."))),
    }
}

pub async fn add_related(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<NumberForm>,
) -> AppResult<HttpResponse> {
    let number = form.number.clone();
    change(&state, &scope, &session, path.into_inner(), move |conn, ticket| {
        let other = other_ticket(conn, ticket, &number)?;
        let org = find_org(conn, &ticket.org_id)?.ok_or(diesel::result::Error::NotFound)?;
        let linked = service::link_tickets(conn, &org, ticket, &other, &Author::staff(&actor))?;
        Ok(if linked {
            format!("Related to #{}.", other.number)
        } else {
            format!("Already related to #{}.", other.number)
        })
    })
    .await
}

pub async fn remove_related(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (number, related) = path.into_inner();
    change(&state, &scope, &session, number, move |conn, ticket| {
        let other = other_ticket(conn, ticket, &related)?;
        if super::merge::unlink(conn, ticket, &other, &Author::staff(&actor))? {
            Ok(format!("No longer related to #{}.", other.number))
        } else {
            Err(DeskError::Refused(format!("#{} is not related to this ticket.", other.number)))
        }
    })
    .await
}

/// Merges this ticket into another (its conversation and files move there).
pub async fn merge(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<NumberForm>,
) -> AppResult<HttpResponse> {
    let (number, confirmed) = (form.number.clone(), form.confirm == "1");
    let source = path.into_inner();
    let back = ticket_path(super::models::parse_number(&source).unwrap_or(0));
    let org = scope.org_id().clone();
    let outcome = service::write(&state.db, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &source)?;
        if !confirmed {
            return Err(DeskError::Refused("Tick the box to confirm the merge: it cannot be undone.".into()));
        }
        let target = other_ticket(conn, &ticket, &number)?;
        super::merge::merge(conn, &ticket, &target, &Author::staff(&actor))?;
        Ok(target.number)
    })
    .await?;
    match outcome {
        Ok(target) => {
            session::flash_ok(&session, format!("Merged into #{target}."));
            Ok(redirect(&ticket_path(target)))
        }
        Err(why) => {
            session::flash_error(&session, why);
            Ok(redirect(&back))
        }
    }
}

/// Downloads a file of a ticket of the scope's organization.
pub async fn attachment(
    state: web::Data<AppState>,
    scope: Scope,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (number, id) = path.into_inner();
    let org = scope.org_id().clone();
    let file = state
        .db
        .run(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &number)?;
            let row: AttachmentFile = ticket_attachments::table
                .filter(ticket_attachments::org_id.eq(&org))
                .filter(ticket_attachments::ticket_id.eq(&ticket.id))
                .filter(ticket_attachments::id.eq(&id))
                .select(crate::file_columns!(ticket_attachments))
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            Ok(row)
        })
        .await?;
    file.serve(&state.storage).await
}

/// The organization `org` as the person's context for a link into its service desk (a ticket, an asset): its id
/// when they reach it there with the right to see the desk, else 404 (whether it exists does not leak).
pub fn desk_context(conn: &mut DbConnection, identity: &Identity, org: &str) -> Result<OrgId, AppError> {
    let context = org_context(conn, identity, org)?.ok_or(AppError::NotFound)?;
    if !context.perms.contains(Permission::ViewTickets) {
        return Err(AppError::NotFound);
    }
    Ok(context.id)
}

/// A ticket by id (emailed links, the MSP's queue): moves the person into the ticket's organization when they
/// reach it there with the right to see tickets, and opens it; 404 for anyone else.
pub async fn by_id(
    state: web::Data<AppState>,
    identity: Identity,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let who = identity.clone();
    let (org_id, number) = state
        .db
        .run(move |conn| {
            let row: Option<(String, i64)> = tickets::table
                .filter(tickets::id.eq(&id))
                .select((tickets::org_id, tickets::number))
                .first(conn)
                .optional()?;
            let (org, number) = row.ok_or(AppError::NotFound)?;
            Ok((desk_context(conn, &who, &org)?, number))
        })
        .await?;
    session::set_org(&session, &org_id);
    Ok(redirect(&ticket_path(number)))
}
