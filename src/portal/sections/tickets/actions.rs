//! What the end user does on tickets: open one (subject, description, a priority the client allows, files),
//! reply with files, close, reopen within the client's window. One transaction each, through the ticket service.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::pages::{ReplyForm, render_ticket};
use super::{Sees, Standing, author, standing, visible_ticket};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::portal::PortalScope;
use crate::auth::session;
use crate::error::{AppError, AppResult};
use crate::portal::Chrome;
use crate::portal::sections::{Ids, href, rules, section_on};
use crate::psa::tickets::forms as ticket_forms;
use crate::psa::tickets::models::TicketSource;
use crate::psa::tickets::models::{Priority, TicketStatus, TicketType};
use crate::psa::tickets::service::{self, DeskEnv, Landed, NewAttachment, NewTicket, Reply};
use crate::storage::multipart::{UploadForm, read_form};
use crate::web::forms::FieldErrors;
use crate::web::{form_status, redirect, render_status};

/// The new-ticket form as typed.
#[derive(Clone, Debug, Default)]
pub struct NewForm {
    pub subject: String,
    pub description: String,
    pub priority: String,
}

#[derive(Template)]
#[template(path = "portal/sections/ticket_new.html")]
struct NewPage {
    chrome: Chrome,
    form: NewForm,
    errors: FieldErrors,
    priorities: Vec<Priority>,
    can_write: bool,
}

async fn render_new(
    state: &AppState,
    portal: &PortalScope,
    session: &Session,
    form: NewForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = portal.org_id().clone();
    let rules = state.db.run(move |conn| Ok(rules::of(conn, &org)?)).await?;
    let chrome = Chrome::signed_in(portal, session, "tickets");
    let can_write = portal.account.contact_id.is_some();
    let status = form_status(&errors);
    let form = NewForm {
        priority: if form.priority.is_empty() { default_priority(&rules.priorities) } else { form.priority },
        ..form
    };
    render_status(status, NewPage { chrome, form, errors, priorities: rules.priorities, can_write })
}

/// Medium when the client allows it, else the least urgent it allows.
fn default_priority(allowed: &[Priority]) -> String {
    let medium = allowed.contains(&Priority::Medium).then_some(Priority::Medium);
    medium.or(allowed.last().copied()).map(|p| p.id().to_string()).unwrap_or_default()
}

/// `GET {base}/tickets/new`.
pub async fn new_form(state: web::Data<AppState>, portal: PortalScope, session: Session) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    render_new(&state, &portal, &session, NewForm::default(), FieldErrors::default()).await
}

fn files_of(form: &UploadForm) -> Vec<NewAttachment> {
    form.files.iter().map(|f| NewAttachment { filename: f.filename.clone(), stored: f.stored.clone() }).collect()
}

/// `POST {base}/tickets`: opens the ticket with the person's contact as requester; a priority the client does not
/// allow, an empty subject or a refused file comes back with the input kept (422).
pub async fn create(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let org = portal.org_id().clone();
    let upload = match read_form(payload, &state.storage, &["org", org.as_str(), "tickets"]).await {
        Ok(form) => form,
        Err(refused) => {
            let get = |k: &str| crate::web::forms::value(&refused.fields, k).to_string();
            let form = NewForm { subject: get("subject"), description: get("description"), priority: get("priority") };
            let mut errors = FieldErrors::default();
            errors.add("files", refused.message);
            return render_new(&state, &portal, &session, form, errors).await;
        }
    };
    let form = NewForm {
        subject: upload.field("subject").to_string(),
        description: upload.field("description").to_string(),
        priority: upload.field("priority").to_string(),
    };
    let lookup = org.clone();
    let rules = state.db.run(move |conn| Ok(rules::of(conn, &lookup)?)).await?;
    let mut errors = FieldErrors::default();
    let subject = ticket_forms::subject(&mut errors, &form.subject);
    let description = ticket_forms::description(&mut errors, "description", &form.description);
    let priority = Priority::parse(form.priority.trim()).filter(|p| rules.priorities.contains(p));
    if priority.is_none() {
        errors.add("priority", "Choose one of the priorities in the list.");
    }
    let Some(author) = author(&portal, &actor) else {
        upload.discard(&state.storage).await;
        errors.add("subject", "Your portal account is not linked to a contact yet: ask your support team to link it.");
        return render_new(&state, &portal, &session, form, errors).await;
    };
    let (Some(priority), true) = (priority, errors.is_empty()) else {
        upload.discard(&state.storage).await;
        return render_new(&state, &portal, &session, form, errors).await;
    };
    let new = NewTicket {
        subject,
        description,
        requester: portal.account.contact_id.clone(),
        priority,
        ticket_type: TicketType::Incident,
        category: String::new(),
        status: TicketStatus::New,
        assignee: None,
        source: TicketSource::Portal,
        attachments: files_of(&upload),
        message_id: None,
        notify_requester: true,
    };
    let env = DeskEnv::of(&state);
    let outcome = service::write(&state.db, move |conn| service::open_ticket(conn, &env, &org, &author, new)).await;
    match outcome {
        Ok(Ok(opened)) => {
            session::flash_ok(
                &session,
                format!("Ticket #{} is open: we will answer here and by email.", opened.number),
            );
            Ok(redirect(&href(&portal, &format!("/tickets/{}", opened.number))))
        }
        Ok(Err(why)) => {
            upload.discard(&state.storage).await;
            errors.add("subject", why);
            render_new(&state, &portal, &session, form, errors).await
        }
        Err(e) => {
            upload.discard(&state.storage).await;
            Err(e)
        }
    }
}

/// `POST {base}/tickets/{number}/reply`: a public message with files. A ticket closed within the reopen window
/// is reopened first; past it, the person is told to open a new ticket.
pub async fn reply(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    path: web::Path<Ids>,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let number = path.into_inner().number;
    let org = portal.org_id().clone();
    let refused = |body: String, error: String| ReplyForm { body, error };
    let upload = match read_form(payload, &state.storage, &["org", org.as_str(), "tickets"]).await {
        Ok(form) => form,
        Err(why) => {
            let body = crate::web::forms::value(&why.fields, "body").to_string();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render_ticket(&state, &portal, &session, number, refused(body, why.message), status).await;
        }
    };
    let body = upload.field("body").trim().to_string();
    let attachments = files_of(&upload);
    let error = if body.chars().count() > 50_000 {
        Some("Keep a message under 50,000 characters (attach longer texts as files).")
    } else if body.is_empty() && attachments.is_empty() {
        Some("Write a message or attach a file.")
    } else {
        None
    };
    let author = author(&portal, &actor);
    let error = error.or(author.is_none().then_some("Your portal account is not linked to a contact yet."));
    let (None, Some(author)) = (error, author) else {
        upload.discard(&state.storage).await;
        let why = refused(body, error.unwrap_or_default().to_string());
        return render_ticket(&state, &portal, &session, number, why, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let (env, sees, lookup, text) = (DeskEnv::of(&state), Sees::of(&portal), number.clone(), body.clone());
    let outcome = service::write(&state.db, move |conn| {
        let ticket = visible_ticket(conn, &org, &sees, &lookup)?;
        let rules = rules::of(conn, &org)?;
        match standing(&ticket, rules.reopen_days, author.at()) {
            Standing::Final => return Err(service::DeskError::Refused(closed_for_good(rules.reopen_days))),
            Standing::Reopenable => {
                service::change_status(conn, &env, &org, &ticket.id, &author, TicketStatus::Open, "")?;
            }
            Standing::Open => {}
        }
        let reply = Reply { body: text, internal: false, attachments, message_id: None };
        service::add_reply(conn, &env, &org, &ticket.id, &author, reply)
    })
    .await;
    match outcome {
        Ok(Ok(landed)) => {
            let number = match landed {
                Landed::OnTicket { ticket, .. } | Landed::NewTicket { ticket, .. } => ticket.number,
            };
            session::flash_ok(&session, "Your message was sent.");
            Ok(redirect(&href(&portal, &format!("/tickets/{number}"))))
        }
        Ok(Err(why)) => {
            upload.discard(&state.storage).await;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_ticket(&state, &portal, &session, number, refused(body, why), status).await
        }
        Err(e) => {
            upload.discard(&state.storage).await;
            Err(e)
        }
    }
}

fn closed_for_good(reopen_days: i32) -> String {
    if reopen_days > 0 {
        format!("This ticket was closed more than {reopen_days} days ago: open a new ticket instead.")
    } else {
        "This ticket is closed: open a new ticket instead.".to_string()
    }
}

/// Sets the status of a visible ticket (closing, reopening) when `allowed` says the ticket may take it.
async fn set_status(
    state: &AppState,
    portal: &PortalScope,
    session: &Session,
    actor: &Actor,
    number: String,
    to: TicketStatus,
    allowed: fn(Standing) -> Result<(), String>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.tickets)?;
    let author = author(portal, actor).ok_or(AppError::NotFound)?;
    let (org, sees, env) = (portal.org_id().clone(), Sees::of(portal), DeskEnv::of(state));
    let lookup = number.clone();
    let outcome = service::write(&state.db, move |conn| {
        let ticket = visible_ticket(conn, &org, &sees, &lookup)?;
        let rules = rules::of(conn, &org)?;
        allowed(standing(&ticket, rules.reopen_days, author.at())).map_err(service::DeskError::Refused)?;
        service::change_status(conn, &env, &org, &ticket.id, &author, to, "")?;
        Ok(match to {
            TicketStatus::Closed => format!("Ticket #{} is closed.", ticket.number),
            _ => format!("Ticket #{} is open again.", ticket.number),
        })
    })
    .await?;
    session::flash_outcome(session, outcome);
    Ok(redirect(&href(portal, &format!("/tickets/{number}"))))
}

/// `POST {base}/tickets/{number}/close`: the person's issue is solved.
pub async fn close(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    path: web::Path<Ids>,
) -> AppResult<HttpResponse> {
    let number = path.into_inner().number;
    let allowed = |s: Standing| match s {
        Standing::Final => Err("This ticket is already closed.".to_string()),
        _ => Ok(()),
    };
    set_status(&state, &portal, &session, &actor, number, TicketStatus::Closed, allowed).await
}

/// `POST {base}/tickets/{number}/reopen`: within the client's reopen window after closing.
pub async fn reopen(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    path: web::Path<Ids>,
) -> AppResult<HttpResponse> {
    let number = path.into_inner().number;
    let allowed = |s: Standing| match s {
        Standing::Open => Err("This ticket is still open.".to_string()),
        Standing::Reopenable => Ok(()),
        Standing::Final => Err("This ticket was closed too long ago to reopen: open a new ticket instead.".to_string()),
    };
    set_status(&state, &portal, &session, &actor, number, TicketStatus::Open, allowed).await
}
