//! Coming into the portal for the first time: the invitation's link (`{base}/welcome/{token}`, 7 days: set a
//! password, then signed in), and "Request access" on the sign-in page (name + email on a domain of one of the
//! client's contacts; staff approve it on their Portal users page).
//!
//! Enumeration: whether an email has an account, or already asked, is never revealed (a request on a known
//! domain always gets the same thanks). Whether the email's domain is one of the client's is said (422), so
//! that a person who typed a private address knows to use their work one: the domains a company's people write
//! from are not a secret worth keeping, the accounts are.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::handlers::{begin_session, signed_in};
use super::links::{self, Purpose};
use super::recovery::{NewPasswordForm, SetPasswordPage, TokenPath, link_invalid};
use super::requests;
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::password::hash_blocking;
use crate::auth::portal::PortalClient;
use crate::auth::ratelimit::account_key;
use crate::auth::users;
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::web::forms::{self, FieldErrors};
use crate::web::{form_status, render, render_status};

const WELCOME_TITLE: &str = "Welcome: choose your password";

fn welcome_form(client: PortalClient, session: &Session, token: &str, errors: FieldErrors) -> AppResult<HttpResponse> {
    let action = format!("{}/welcome/{token}", client.base);
    let chrome = Chrome::public(client, session, "sign-in");
    let page = SetPasswordPage { chrome, title: WELCOME_TITLE, action, errors };
    render_status(form_status(&page.errors), page)
}

/// `GET {base}/welcome/{token}`: the invitation's set-a-password form, while its link works.
pub async fn welcome_page(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = path.into_inner().token;
    let (org, probe, now) = (client.id.clone(), token.clone(), actor.at);
    let works = state.db.run(move |conn| Ok(links::holder(conn, &org, &probe, Purpose::Invite, now)?)).await?;
    if works.is_none() {
        return link_invalid(client, &session, Purpose::Invite);
    }
    welcome_form(client, &session, &token, FieldErrors::default())
}

/// `POST {base}/welcome/{token}`: sets the password, spends the link and signs the person in to the portal.
pub async fn welcome(
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
            let Some(user) = links::holder(conn, &org, &probe, Purpose::Invite, now)? else { return Ok(None) };
            Ok(users::find(conn, &user)?)
        })
        .await?;
    let Some(user) = holder else { return link_invalid(client, &session, Purpose::Invite) };
    let errors = form.problems(&user.email);
    if !errors.is_empty() {
        return welcome_form(client, &session, &token, errors);
    }
    let hash = hash_blocking(form.into_inner().password).await?;
    let org = client.id.clone();
    let started = state
        .db
        .write(move |conn| {
            let Some(user_id) = links::spend(conn, &org, &token, Purpose::Invite, actor.at)? else { return Ok(None) };
            users::set_password(conn, &user_id, &hash, actor.at)?;
            // Any session opened with an older password ends, as after a reset.
            crate::auth::sessions::end_all(conn, &user_id, None, actor.at)?;
            let Some(user) = users::find(conn, &user_id)? else { return Ok(None) };
            let me = actor.with_user(&user.id, &format!("{} <{}>", user.name, user.email));
            audit::record(conn, &me, Some(&org), Action::PortalWelcomed, Target::new("user", &user.id, &user.email))?;
            let record = begin_session(conn, &org, &user, &actor)?;
            Ok(Some((record, user.session_stamp)))
        })
        .await?;
    let Some((record, stamp)) = started else { return link_invalid(client, &session, Purpose::Invite) };
    signed_in(&session, &client, record, stamp, "")
}

#[derive(Template)]
#[template(path = "portal/auth/request_access.html")]
struct RequestAccessPage {
    chrome: Chrome,
    name: String,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// `GET {base}/request-access`
pub async fn request_page(client: PortalClient, session: Session) -> AppResult<HttpResponse> {
    let chrome = Chrome::public(client, &session, "sign-in");
    render(RequestAccessPage {
        chrome,
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

/// `POST {base}/request-access`: records a request for staff to decide on, rate limited per IP and address.
pub async fn request_access(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    form: web::Form<RequestForm>,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Name", 100);
    let email = forms::email(&mut errors, "email", &form.email).to_lowercase();
    let refused = |errors: FieldErrors, client: PortalClient| {
        let chrome = Chrome::public(client, &session, "sign-in");
        let page =
            RequestAccessPage { chrome, name: form.name.clone(), email: form.email.clone(), errors, sent: false };
        render_status(form_status(&page.errors), page)
    };
    if !errors.is_empty() {
        return refused(errors, client);
    }
    state.limits.check_ip(&actor.ip)?;
    state.limits.check_account(&account_key(&email, None))?;
    let (org, who, address) = (client.id.clone(), name.clone(), email.clone());
    let known = state
        .db
        .write(move |conn| {
            if !requests::known_domain(conn, &org, &address)? {
                return Ok(false);
            }
            if requests::record(conn, &org, &who, &address, actor.at)? {
                let label = format!("{who} <{address}>");
                audit::record(
                    conn,
                    &actor,
                    Some(&org),
                    Action::PortalAccessRequested,
                    Target::new("access_request", "", &label),
                )?;
            }
            Ok(true)
        })
        .await?;
    if !known {
        errors.add(
            "email",
            format!(
                "{} does not take requests from this address. Use your work email, or ask your IT contact.",
                client.brand.name
            ),
        );
        return refused(errors, client);
    }
    let chrome = Chrome::public(client, &session, "sign-in");
    render(RequestAccessPage { chrome, name, email, errors, sent: true })
}
