//! Settings -> Portal users (staff): the client's portal accounts and pending access requests; inviting a person
//! (from this page or a contact's page), sending an invitation again, "sees all the company's tickets", removing
//! access, approving or refusing a request. Every change is logged in its transaction.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::{self, Grant, PortalUserRow};
use super::mail::LinkMail;
use super::requests::{self, AccessRequest};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::ids::{ContactId, OrgId};
use crate::error::{AppError, AppResult};
use crate::portal::brand::handlers::portal_client;
use crate::psa::contacts::models as contacts_model;
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

pub const USERS_PATH: &str = "/settings/portal/users";

#[derive(Template)]
#[template(path = "portal/auth/users.html")]
struct UsersPage {
    page: PageContext,
    is_client: bool,
    /// Whether the person may open the portal's branding page (the eyebrow links there only then).
    can_brand: bool,
    accounts: Vec<PortalUserRow>,
    pager: Pager,
    requests: Vec<AccessRequest>,
    more_requests: i64,
    name: String,
    email: String,
    errors: FieldErrors,
    tz: chrono_tz::Tz,
}

impl UsersPage {
    /// A time in the organization's zone, or "Never".
    fn when(&self, at: &Option<chrono::NaiveDateTime>) -> String {
        at.as_ref().map_or_else(|| "Never".to_string(), |at| self.at(at))
    }

    fn at(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// GET /settings/portal/users
pub async fn page(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    users_page(&state, &scope, input, query.page(), InviteForm::default(), FieldErrors::default()).await
}

async fn users_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    page_number: i64,
    form: InviteForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let is_client = portal_client(scope).is_ok();
    let org = scope.org_id().clone();
    let (page, accounts, pager, (requests, total_requests)) = state
        .db
        .run(move |conn| {
            let pager = Pager::new(page_number, accounts::count(conn, &org)?, String::new());
            let accounts = accounts::page(conn, &org, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, accounts, pager, requests::pending(conn, &org)?))
        })
        .await?;
    let more_requests = total_requests - requests.len() as i64;
    let page = UsersPage {
        page,
        is_client,
        can_brand: scope.can(Permission::ManageBranding),
        accounts,
        pager,
        requests,
        more_requests,
        name: form.name,
        email: form.email,
        errors,
        tz: scope.org.tz(),
    };
    render_status(form_status(&page.errors), page)
}

/// The person an invitation names, or the form's errors.
fn invitee(form: &InviteForm) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Name", 100);
    let email = forms::email(&mut errors, "email", &form.email);
    if errors.is_empty() { Ok((name, email.to_lowercase())) } else { Err(errors) }
}

/// Grants access and logs `action` on the account's person, in one transaction; `Err` is why not.
async fn grant_logged(
    state: &AppState,
    org: &OrgId,
    actor: &Actor,
    who: Grant,
    action: Action,
    request: Option<String>,
) -> AppResult<Result<String, String>> {
    let (org, actor, base_url) = (org.clone(), actor.clone(), state.config.base_url.clone());
    state
        .db
        .write(move |conn| {
            let user = match accounts::grant(conn, &base_url, &org, who, actor.at)? {
                Ok(user) => user,
                // Nothing was written yet: a refused grant leaves the request pending.
                Err(why) => return Ok(Err(why)),
            };
            if let Some(id) = &request {
                let by = actor.user_id.clone().ok_or(AppError::NotFound)?;
                // Decided meanwhile by someone else: the error rolls the grant back.
                if !requests::decide(conn, &org, id, requests::APPROVED, &by, actor.at)? {
                    return Err(AppError::NotFound);
                }
            }
            let label = format!("{} <{}>", user.name, user.email);
            audit::record(conn, &actor, Some(&org), action, Target::new("user", &user.id, &label))?;
            Ok(Ok(user.email))
        })
        .await
}

/// POST /settings/portal/users: invites a person by name and email (their contact is the client's contact with
/// that email, or a new one).
pub async fn invite(c: Change, form: web::Form<InviteForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let org = portal_client(&scope)?;
    let form = form.into_inner();
    let (name, email) = match invitee(&form) {
        Ok(found) => found,
        Err(errors) => return users_page(&state, &scope, input, 1, form, errors).await,
    };
    let who = Grant { name, email, contact: None, mail: invitation(&actor) };
    match grant_logged(&state, &org, &actor, who, Action::PortalInvited, None).await? {
        Ok(email) => {
            session::flash_ok(&session, format!("An invitation is on its way to {email}. Its link works for 7 days."));
            Ok(redirect(USERS_PATH))
        }
        Err(why) => {
            let mut errors = FieldErrors::default();
            errors.add("email", why);
            users_page(&state, &scope, input, 1, form, errors).await
        }
    }
}

/// The invitation email, naming who sends it.
fn invitation(actor: &Actor) -> LinkMail {
    let inviter = actor.label.split(" <").next().unwrap_or("Your IT team").to_string();
    LinkMail::Invite { inviter }
}

/// POST /contacts/{contact_id}/portal-invite: invites the contact (who must have an email) to the portal.
pub async fn invite_contact(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let (lookup, id) = (org.clone(), path.into_inner());
    let contact = state.db.run(move |conn| contacts_model::find(conn, &lookup, &id)?.ok_or(AppError::NotFound)).await?;
    let back = format!("/contacts/{}", contact.id);
    let Some(email) = contact.email.clone().filter(|_| !contact.is_archived()) else {
        session::flash_error(&session, "Only an active contact with an email can be invited to the portal.");
        return Ok(redirect(&back));
    };
    let contact_id: ContactId = contact.id.clone();
    let who = Grant { name: contact.name, email, contact: Some(contact_id), mail: invitation(&actor) };
    let outcome = grant_logged(&state, &org, &actor, who, Action::PortalInvited, None).await?;
    session::flash_outcome(
        &session,
        outcome.map(|email| format!("An invitation is on its way to {email}. Its link works for 7 days.")),
    );
    Ok(redirect(&back))
}

/// The client's portal account named in the path, or 404.
async fn account_of(
    state: &AppState,
    org: &OrgId,
    id: String,
) -> AppResult<(String, crate::auth::users::User, Option<ContactId>)> {
    let org = org.clone();
    state.db.run(move |conn| accounts::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

/// POST /settings/portal/users/{account_id}/resend: a new invitation link (the older one dies); restores access
/// that was removed.
pub async fn resend(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let (_, user, contact) = account_of(&state, &org, path.into_inner()).await?;
    let who = Grant { name: user.name, email: user.email, contact, mail: invitation(&actor) };
    let outcome = grant_logged(&state, &org, &actor, who, Action::PortalInvited, None).await?;
    session::flash_outcome(&session, outcome.map(|email| format!("The invitation is sent again to {email}.")));
    Ok(redirect(USERS_PATH))
}

#[derive(Deserialize)]
pub struct TicketsForm {
    #[serde(default)]
    company: String,
}

/// POST /settings/portal/users/{account_id}/tickets: "sees all the company's tickets" (company=1) or only
/// their own.
pub async fn set_tickets(c: Change, path: web::Path<String>, form: web::Form<TicketsForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let (account, user, _) = account_of(&state, &org, path.into_inner()).await?;
    let on = form.company == "1";
    let what = if on { "all the company's tickets" } else { "only their own tickets" };
    let (label, user_id) = (format!("{} <{}>", user.name, user.email), user.id.clone());
    state
        .db
        .write(move |conn| {
            accounts::set_sees_company_tickets(conn, &org, &account, on, actor.at)?;
            let target = Target::new("user", &user_id, &label).details(what);
            Ok(audit::record(conn, &actor, Some(&org), Action::PortalTicketsScopeChanged, target)?)
        })
        .await?;
    session::flash_ok(&session, format!("{} now sees {what} in the portal.", user.name));
    Ok(redirect(USERS_PATH))
}

/// POST /settings/portal/users/{account_id}/remove: deactivates the membership and ends the person's portal
/// sessions now.
pub async fn remove(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let (_, user, _) = account_of(&state, &org, path.into_inner()).await?;
    let label = format!("{} <{}>", user.name, user.email);
    let user_id = user.id.clone();
    state
        .db
        .write(move |conn| {
            accounts::remove_access(conn, &org, &user_id, actor.at)?;
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::PortalAccessRemoved,
                Target::new("user", &user_id, &label),
            )?)
        })
        .await?;
    session::flash_ok(&session, format!("{} can no longer sign in to the portal.", user.name));
    Ok(redirect(USERS_PATH))
}

/// The client's pending request named in the path, or 404.
async fn request_of(state: &AppState, org: &OrgId, id: String) -> AppResult<AccessRequest> {
    let org = org.clone();
    state.db.run(move |conn| requests::find_pending(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

/// POST /settings/portal/requests/{request_id}/approve: grants access as an invitation does (to the contact
/// with that email, or a new contact) and tells the person.
pub async fn approve(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let request = request_of(&state, &org, path.into_inner()).await?;
    let who = Grant { name: request.name, email: request.email, contact: None, mail: LinkMail::Approved };
    let outcome = grant_logged(&state, &org, &actor, who, Action::PortalAccessApproved, Some(request.id)).await?;
    session::flash_outcome(&session, outcome.map(|email| format!("{email} is let in; an email tells them how.")));
    Ok(redirect(USERS_PATH))
}

/// POST /settings/portal/requests/{request_id}/refuse
pub async fn refuse(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let org = portal_client(&scope)?;
    let request = request_of(&state, &org, path.into_inner()).await?;
    let by = actor.user_id.clone().ok_or(AppError::NotFound)?;
    let label = format!("{} <{}>", request.name, request.email);
    state
        .db
        .write(move |conn| {
            if !requests::decide(conn, &org, &request.id, requests::REFUSED, &by, actor.at)? {
                return Err(AppError::NotFound);
            }
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::PortalAccessRefused,
                Target::new("access_request", &request.id, &label),
            )?)
        })
        .await?;
    session::flash_ok(&session, "The request is refused.");
    Ok(redirect(USERS_PATH))
}
