//! Getting in without the password: a one-time sign-in link by email (15 minutes), and a password reset by email
//! (1 hour). Asking answers the same whether or not the address has an account here (no enumeration), and is
//! rate limited per IP and per address like the staff sign-in; the email is queued in the same transaction.
//! Opening or using a link is not counted against the IP: its token (256 random bits, only its SHA-256 stored)
//! cannot be guessed, and a shared office IP should not lock out the people clicking their own links.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::portal::PortalClient;
use crate::auth::ratelimit::account_key;
use crate::auth::{session, users};
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::portal::auth::handlers::{SignInPage, begin_session, opens_portal, role_in, signed_in};
use crate::portal::auth::links::{self, Purpose};
use crate::portal::auth::mail::LinkMail;
use crate::portal::auth::password_links::{NewPasswordForm, PasswordLink, Submitted};
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
            if !opens_portal(role_in(conn, &org, &user)?) {
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
    let token = path.into_inner().token;
    let org = client.id.clone();
    let started = state
        .db
        .write(move |conn| {
            let Some(user_id) = links::spend(conn, &org, &token, Purpose::SignIn, actor.at)? else { return Ok(None) };
            let Some(user) = users::find(conn, &user_id)? else { return Ok(None) };
            if !opens_portal(role_in(conn, &org, &user)?) {
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

/// The reset link's form.
const RESET: PasswordLink = PasswordLink { purpose: Purpose::Reset, path: "/reset", title: "Choose a new password" };

/// `GET {base}/reset/{token}`: the new-password form, while the link works.
pub async fn reset_page(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    RESET.page(&state, client, &session, &path.token, actor.at).await
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
    let submitted = Submitted { token: path.into_inner().token, form: form.into_inner(), at: actor.at };
    let org = client.id.clone();
    let done = RESET
        .set_password(&state, &client, &session, submitted, move |conn, user_id| {
            let who = actor.with_user(user_id, "password reset link");
            audit::record(conn, &who, Some(&org), Action::PasswordReset, Target::new("user", user_id, ""))?;
            Ok(Some(()))
        })
        .await?;
    if let Err(answer) = done {
        return Ok(answer);
    }
    session::end_portal(&session);
    session::flash_ok(&session, "Your password is changed. Sign in with it.");
    Ok(redirect(&format!("{}/sign-in", client.base)))
}
