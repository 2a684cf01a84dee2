//! The portal's sign-in (password), sign-out and account page (name, password).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::Permission;
use crate::auth::handlers::{LoginForm, NameForm, PasswordForm, SIGN_IN_FAILED, checked_new_password, save_own_name};
use crate::auth::password::verify_blocking;
use crate::auth::permissions::Role;
use crate::auth::portal::{PortalClient, PortalScope};
use crate::auth::ratelimit::account_key;
use crate::auth::session::{self, PortalCookie};
use crate::auth::users::{self, User};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, SessionId};
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::portal::auth::sessions;
use crate::schema::memberships;
use crate::web::forms::FieldErrors;
use crate::web::{form_status, redirect, render, render_status, safe_next};

#[derive(Template)]
#[template(path = "portal/auth/sign_in.html")]
pub(crate) struct SignInPage {
    pub chrome: Chrome,
    pub email: String,
    pub next: String,
    pub error: String,
    /// The "email me a sign-in link" form: its address, its error, and whether a link was asked for.
    pub link_email: String,
    pub link_error: String,
    pub link_sent: bool,
}

impl SignInPage {
    pub fn new(chrome: Chrome, next: String) -> SignInPage {
        let (email, error, link_email, link_error) = Default::default();
        SignInPage { chrome, email, next, error, link_email, link_error, link_sent: false }
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET {base}/sign-in`: the portal's sign-in form, in the client's brand.
pub async fn sign_in_page(
    client: PortalClient,
    session: Session,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let next = next_in(&client, query.next.as_deref()).unwrap_or_default();
    render(SignInPage::new(Chrome::public(client, &session, "sign-in"), next))
}

/// A page of this portal to return to after sign-in, or None (another portal's or a staff page is not one).
pub(crate) fn next_in(client: &PortalClient, next: Option<&str>) -> Option<String> {
    let next = safe_next(next)?;
    let inside = client.base.is_empty() || next == client.base || next.starts_with(&format!("{}/", client.base));
    inside.then_some(next)
}

/// `POST {base}/sign-in`: a password sign-in into this client's portal, rate limited like the staff sign-in.
/// Only someone whose membership in this client allows the portal gets a portal session.
pub async fn sign_in(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let bucket = account_key(&email, None);
    state.limits.password_allowed(&actor.ip, &bucket)?;
    let (lookup, org) = (email.clone(), client.id.clone());
    let candidate = state
        .db
        .run(move |conn| {
            let Some(user) = users::find_by_email(conn, &lookup)? else { return Ok(None) };
            let role = role_in(conn, &org, &user)?;
            Ok(Some((user, role)))
        })
        .await?;
    let stored = candidate.as_ref().map(|(user, _)| user.password_hash.clone());
    let verified = verify_blocking(form.password.clone(), stored).await?;
    let next = next_in(&client, Some(&form.next)).unwrap_or_default();
    let refuse = |error: String, status: StatusCode, chrome: Chrome| {
        let page = SignInPage { email: form.email.clone(), error, ..SignInPage::new(chrome, next.clone()) };
        render_status(status, page)
    };
    let (user, role) = match candidate {
        Some(found) if verified => found,
        _ => {
            state.limits.password_failed(&actor.ip, &bucket);
            // Logged in the client only for one of its own people (a stranger's guesses are not its business).
            let member_of_client = candidate.as_ref().is_some_and(|(_, role)| role.is_some());
            let org = member_of_client.then(|| client.id.clone());
            record_refusal(&state, &actor, org, &email, Action::SignInFailed).await?;
            return refuse(
                SIGN_IN_FAILED.into(),
                StatusCode::UNAUTHORIZED,
                Chrome::public(client, &session, "sign-in"),
            );
        }
    };
    if !opens_portal(role) {
        record_refusal(&state, &actor, Some(client.id.clone()), &email, Action::SignInRefused).await?;
        let error = format!(
            "Your account has no access to the {} portal. Ask your IT provider for an invitation.",
            client.brand.name
        );
        return refuse(error, StatusCode::FORBIDDEN, Chrome::public(client, &session, "sign-in"));
    }
    let (org, signing_in) = (client.id.clone(), user.clone());
    let record = state.db.write(move |conn| Ok(begin_session(conn, &org, &signing_in, &actor)?)).await?;
    signed_in(&session, &client, record, user.session_stamp, &next)
}

/// The answer to a sign-in that started `record`: the portal session in the cookie, then where they were headed
/// (or the portal's front page).
pub(crate) fn signed_in(
    session: &Session,
    client: &PortalClient,
    record: SessionId,
    stamp: String,
    next: &str,
) -> AppResult<HttpResponse> {
    session::start_portal(session, PortalCookie { record: record.to_string(), stamp, client: client.id.to_string() });
    let home = if client.base.is_empty() { "/".to_string() } else { client.base.clone() };
    Ok(redirect(if next.is_empty() { &home } else { next }))
}

/// The user's role in the client, when their membership there is active.
/// Whether a role in the client (None: no active membership) lets its holder into the portal.
pub(crate) fn opens_portal(role: Option<Role>) -> bool {
    role.is_some_and(|r| r.permissions().contains(Permission::UsePortal))
}

pub(crate) fn role_in(conn: &mut DbConnection, client: &OrgId, user: &User) -> QueryResult<Option<Role>> {
    memberships::table
        .filter(memberships::org_id.eq(client))
        .filter(memberships::user_id.eq(&user.id))
        .filter(memberships::deactivated_at.is_null())
        .select(memberships::role)
        .first(conn)
        .optional()
}

/// Starts the portal session record of a sign-in (password or emailed link) and logs it; returns its id.
pub(crate) fn begin_session(
    conn: &mut DbConnection,
    client: &OrgId,
    user: &User,
    actor: &Actor,
) -> QueryResult<SessionId> {
    let me = actor.with_user(&user.id, &format!("{} <{}>", user.name, user.email));
    users::touch_sign_in(conn, &user.id, me.at)?;
    let record = sessions::start(conn, client, &user.id, &me)?;
    audit::record(conn, &me, Some(client), Action::SignIn, Target::new("user", &user.id, &user.email))?;
    Ok(record)
}

/// Logs a refused portal sign-in, under the portal's client when it is one of the client's people (whose
/// admins see their portal's attempts).
async fn record_refusal(
    state: &AppState,
    actor: &Actor,
    org: Option<OrgId>,
    email: &str,
    action: Action,
) -> AppResult<()> {
    let attempt = Actor { label: format!("portal sign-in attempt as {email}"), ..actor.clone() };
    let label = email.to_string();
    state
        .db
        .write(move |conn| Ok(audit::record(conn, &attempt, org.as_ref(), action, Target::new("user", "", &label))?))
        .await
}

/// `POST {base}/sign-out`: ends this portal session (a staff session in the same browser stays).
pub async fn sign_out(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
) -> AppResult<HttpResponse> {
    let record = session::portal_record(&session).map(|c| c.record).unwrap_or_default();
    let (org, user) = (portal.client.id.clone(), portal.user.clone());
    state
        .db
        .write(move |conn| {
            sessions::end(conn, &record, actor.at)?;
            Ok(audit::record(conn, &actor, Some(&org), Action::SignOut, Target::new("user", &user.id, &user.email))?)
        })
        .await?;
    session::end_portal(&session);
    session::flash_ok(&session, "You are signed out.");
    Ok(redirect(&format!("{}/sign-in", portal.client.base)))
}

#[derive(Template)]
#[template(path = "portal/auth/account.html")]
struct AccountPage {
    chrome: Chrome,
    name: String,
    email: String,
    errors: FieldErrors,
}

/// `GET {base}/account`: the end user's name and password.
pub async fn account_page(portal: PortalScope, session: Session) -> AppResult<HttpResponse> {
    account_with(&portal, &session, None, FieldErrors::default())
}

fn account_with(
    portal: &PortalScope,
    session: &Session,
    name: Option<String>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let chrome = Chrome::signed_in(portal, session, "account");
    let name = name.unwrap_or_else(|| portal.user.name.clone());
    let page = AccountPage { chrome, name, email: portal.user.email.clone(), errors };
    render_status(form_status(&page.errors), page)
}

/// `POST {base}/account`: changes the end user's name.
pub async fn update_name(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let name = match form.checked() {
        Ok(name) => name,
        Err(errors) => return account_with(&portal, &session, Some(form.name.clone()), errors),
    };
    save_own_name(&state, actor, Some(portal.client.id.clone()), portal.user.id.clone(), name).await?;
    session::flash_ok(&session, "Your name is saved.");
    Ok(redirect(&format!("{}/account", portal.client.base)))
}

/// `POST {base}/account/password`: a new password; the person's other sessions (portal and staff) end, this one
/// continues.
pub async fn change_password(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let record = session::portal_record(&session).map(|c| c.record).unwrap_or_default();
    let bucket = account_key(&portal.user.email, Some(&record));
    let checked = checked_new_password(&state, &actor.ip, &bucket, &portal.user, form.into_inner()).await?;
    let hash = match checked {
        Ok(hash) => hash,
        Err(errors) => return account_with(&portal, &session, None, errors),
    };
    let (org, user_id) = (portal.client.id.clone(), portal.user.id.clone());
    let stamp = state
        .db
        .write(move |conn| {
            let stamp = users::set_password(conn, &user_id, &hash, actor.at)?;
            crate::auth::sessions::end_all(conn, &user_id, None, actor.at)?;
            audit::record(conn, &actor, Some(&org), Action::PasswordChanged, Target::new("user", &user_id, ""))?;
            Ok(stamp)
        })
        .await?;
    session::set_portal_stamp(&session, &stamp);
    session::flash_ok(&session, "Your password is changed. Your other sessions have been signed out.");
    Ok(redirect(&format!("{}/account", portal.client.base)))
}
