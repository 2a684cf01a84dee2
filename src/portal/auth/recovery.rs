//! Getting in without the password: a one-time sign-in link by email (15 minutes), and a password reset by email
//! (1 hour). Asking answers the same whether or not the address has an account here (no enumeration), and is
//! rate limited per IP and per address like the staff sign-in; the email is queued in the same transaction.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::password::{hash_blocking, password_problem};
use crate::auth::portal::PortalClient;
use crate::auth::ratelimit::account_key;
use crate::auth::{Permission, session, users};
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::portal::auth::handlers::{SignInPage, begin_session, role_in, signed_in};
use crate::portal::auth::links::{self, Purpose};
use crate::portal::auth::mail::LinkMail;
use crate::web::forms::{self, FieldErrors};
use crate::web::{form_status_invalid, redirect, render, render_status};

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// A link's token from the path (`{base}/link/{token}`; the slug, when there is one, is the guard's).
#[derive(Deserialize)]
pub struct TokenPath {
    pub token: String,
}

/// `POST {base}/sign-in/link`: emails a one-time sign-in link to the portal's end user with this address.
pub async fn send_sign_in_link(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    form: web::Form<EmailForm>,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", &form.email);
    let chrome = Chrome::public(client.clone(), &session, "sign-in");
    if !errors.is_empty() {
        let link_error = errors.get("email").to_string();
        let page = SignInPage { link_email: form.email.clone(), link_error, ..SignInPage::new(chrome, String::new()) };
        return render_status(form_status_invalid(), page);
    }
    email_link(&state, &client, &actor, &email, LinkMail::SignIn).await?;
    render(SignInPage { link_email: email, link_sent: true, ..SignInPage::new(chrome, String::new()) })
}

/// Emails a link of `kind` to the client's end user with this address, if there is one (else nothing, and the
/// caller answers the same).
async fn email_link(
    state: &AppState,
    client: &PortalClient,
    actor: &Actor,
    email: &str,
    kind: LinkMail,
) -> AppResult<()> {
    state.limits.check_ip(&actor.ip)?;
    state.limits.check_account(&account_key(email, None))?;
    let action = match kind {
        LinkMail::Reset => Action::PasswordResetRequested,
        _ => Action::SignInLinkRequested,
    };
    let base_url = state.config.base_url.clone();
    let (org, actor, email) = (client.id.clone(), actor.clone(), email.to_string());
    state
        .db
        .write(move |conn| {
            let Some(user) = users::find_by_email(conn, &email)? else { return Ok(()) };
            if !role_in(conn, &org, &user)?.is_some_and(|r| r.permissions().contains(Permission::UsePortal)) {
                return Ok(());
            }
            links::send(conn, &base_url, &org, &user, &kind, actor.at)?;
            let who = actor.with_user(&user.id, &user.email);
            audit::record(conn, &who, Some(&org), action, Target::new("user", &user.id, &user.email))?;
            Ok(())
        })
        .await
}

#[derive(Template)]
#[template(path = "portal/auth/link.html")]
struct LinkPage {
    chrome: Chrome,
    email: String,
    token: String,
}

#[derive(Template)]
#[template(path = "portal/auth/link_invalid.html")]
struct LinkInvalidPage {
    chrome: Chrome,
    what: &'static str,
}

/// The portal page for a link that no longer works (spent, expired, or never was), with the way to a new one.
pub(crate) fn link_invalid(client: PortalClient, session: &Session, purpose: Purpose) -> AppResult<HttpResponse> {
    let what = match purpose {
        Purpose::SignIn => "sign-in link",
        Purpose::Reset => "password reset link",
        Purpose::Invite => "invitation link",
    };
    render_status(StatusCode::BAD_REQUEST, LinkInvalidPage { chrome: Chrome::public(client, session, "sign-in"), what })
}

/// `GET {base}/link/{token}`: "Sign in as ..." with a button. Opening the link changes nothing, so a mail
/// scanner that follows it does not spend it.
pub async fn link_page(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = path.into_inner().token;
    let (org, probe, now) = (client.id.clone(), token.clone(), actor.at);
    let holder = state
        .db
        .run(move |conn| {
            let Some(user) = links::holder(conn, &org, &probe, Purpose::SignIn, now)? else { return Ok(None) };
            Ok(users::find(conn, &user)?.map(|u| u.email))
        })
        .await?;
    let Some(email) = holder else { return link_invalid(client, &session, Purpose::SignIn) };
    render(LinkPage { chrome: Chrome::public(client, &session, "sign-in"), email, token })
}

/// `POST {base}/link/{token}`: spends the link and signs its end user in.
pub async fn sign_in_by_link(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = path.into_inner().token;
    let org = client.id.clone();
    let started = state
        .db
        .write(move |conn| {
            let Some(user_id) = links::spend(conn, &org, &token, Purpose::SignIn, actor.at)? else { return Ok(None) };
            let Some(user) = users::find(conn, &user_id)? else { return Ok(None) };
            if !role_in(conn, &org, &user)?.is_some_and(|r| r.permissions().contains(Permission::UsePortal)) {
                return Ok(None);
            }
            let record = begin_session(conn, &org, &user, &actor)?;
            Ok(Some((record, user.session_stamp)))
        })
        .await?;
    let Some((record, stamp)) = started else { return link_invalid(client, &session, Purpose::SignIn) };
    signed_in(&session, &client, record, stamp, "")
}

#[derive(Template)]
#[template(path = "portal/auth/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

/// `GET {base}/forgot`: asks for the address to send a password reset link to.
pub async fn forgot_page(client: PortalClient, session: Session) -> AppResult<HttpResponse> {
    let chrome = Chrome::public(client, &session, "sign-in");
    render(ForgotPage { chrome, email: String::new(), errors: FieldErrors::default(), sent: false })
}

/// `POST {base}/forgot`: emails a password reset link to the portal's end user with this address.
pub async fn forgot(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    form: web::Form<EmailForm>,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", &form.email);
    let chrome = Chrome::public(client.clone(), &session, "sign-in");
    if !errors.is_empty() {
        let page = ForgotPage { chrome, email: form.email.clone(), errors, sent: false };
        return render_status(form_status_invalid(), page);
    }
    email_link(&state, &client, &actor, &email, LinkMail::Reset).await?;
    render(ForgotPage { chrome, email, errors, sent: true })
}

#[derive(Template)]
#[template(path = "portal/auth/set_password.html")]
pub(crate) struct SetPasswordPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub action: String,
    pub errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    confirm: String,
}

impl NewPasswordForm {
    /// The password's problems, next to its fields (the address keeps it from being part of it).
    pub fn problems(&self, email: &str) -> FieldErrors {
        let mut errors = FieldErrors::default();
        if self.password != self.confirm {
            errors.add("confirm", "The two passwords do not match.");
        } else if let Some(problem) = password_problem(&self.password, email) {
            errors.add("password", problem);
        }
        errors
    }
}

/// `GET {base}/reset/{token}`: the new-password form, while the link works.
pub async fn reset_page(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = path.into_inner().token;
    let (org, probe, now) = (client.id.clone(), token.clone(), actor.at);
    let works = state.db.run(move |conn| Ok(links::holder(conn, &org, &probe, Purpose::Reset, now)?)).await?;
    if works.is_none() {
        return link_invalid(client, &session, Purpose::Reset);
    }
    let action = format!("{}/reset/{token}", client.base);
    let chrome = Chrome::public(client, &session, "sign-in");
    render(SetPasswordPage { chrome, title: "Choose a new password", action, errors: FieldErrors::default() })
}

/// `POST {base}/reset/{token}`: sets the new password, spends the link, and ends every session of the person
/// (portal and staff); they sign in again with it.
pub async fn reset(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
    form: web::Form<NewPasswordForm>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = path.into_inner().token;
    let (org, probe, now) = (client.id.clone(), token.clone(), actor.at);
    let holder = state
        .db
        .run(move |conn| {
            let Some(user) = links::holder(conn, &org, &probe, Purpose::Reset, now)? else { return Ok(None) };
            users::find(conn, &user).map_err(Into::into)
        })
        .await?;
    let Some(user) = holder else { return link_invalid(client, &session, Purpose::Reset) };
    let errors = form.problems(&user.email);
    if !errors.is_empty() {
        let action = format!("{}/reset/{token}", client.base);
        let chrome = Chrome::public(client, &session, "sign-in");
        let page = SetPasswordPage { chrome, title: "Choose a new password", action, errors };
        return render_status(form_status_invalid(), page);
    }
    let hash = hash_blocking(form.into_inner().password).await?;
    let org = client.id.clone();
    let done = state
        .db
        .write(move |conn| {
            let Some(user_id) = links::spend(conn, &org, &token, Purpose::Reset, actor.at)? else { return Ok(false) };
            users::set_password(conn, &user_id, &hash, actor.at)?;
            crate::auth::sessions::end_all(conn, &user_id, None, actor.at)?;
            let who = actor.with_user(&user_id, "password reset link");
            audit::record(conn, &who, Some(&org), Action::PasswordReset, Target::new("user", &user_id, ""))?;
            Ok(true)
        })
        .await?;
    if !done {
        return link_invalid(client, &session, Purpose::Reset);
    }
    session::end_portal(&session);
    session::flash_ok(&session, "Your password is changed. Sign in with it.");
    Ok(redirect(&format!("{}/sign-in", client.base)))
}
