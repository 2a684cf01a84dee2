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
use super::links::Purpose;
use super::password_links::{NewPasswordForm, PasswordLink, Submitted};
use super::recovery::TokenPath;
use super::requests;
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::portal::PortalClient;
use crate::auth::ratelimit::account_key;
use crate::auth::users;
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::web::forms::{self, FieldErrors};
use crate::web::{form_status, render, render_status};

/// The invitation link's form.
const WELCOME: PasswordLink =
    PasswordLink { purpose: Purpose::Invite, path: "/welcome", title: "Welcome: choose your password" };

/// `GET {base}/welcome/{token}`: the invitation's set-a-password form, while its link works.
pub async fn welcome_page(
    state: web::Data<AppState>,
    client: PortalClient,
    session: Session,
    actor: Actor,
    path: web::Path<TokenPath>,
) -> AppResult<HttpResponse> {
    WELCOME.page(&state, client, &session, &path.token, actor.at).await
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
    let submitted = Submitted { token: path.into_inner().token, form: form.into_inner(), at: actor.at };
    let org = client.id.clone();
    let started = WELCOME
        .set_password(&state, &client, &session, submitted, move |conn, user_id| {
            let Some(user) = users::find(conn, user_id)? else { return Ok(None) };
            let me = actor.with_user(&user.id, &format!("{} <{}>", user.name, user.email));
            audit::record(conn, &me, Some(&org), Action::PortalWelcomed, Target::new("user", &user.id, &user.email))?;
            let record = begin_session(conn, &org, &user, &actor)?;
            Ok(Some((record, user.session_stamp)))
        })
        .await?;
    let (record, stamp) = match started {
        Ok(started) => started,
        Err(answer) => return Ok(answer),
    };
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
