//! Links that lead to choosing a password: the reset link (`{base}/reset/{token}`) and the invitation's
//! (`{base}/welcome/{token}`). Both show the same form while the link works and check the new password the
//! same way; what happens once it is set is each one's own.

use actix_session::Session;
use actix_web::HttpResponse;
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::links::{self, Purpose};
use super::recovery::link_invalid;
use crate::AppState;
use crate::auth::password::{hash_blocking, password_problem};
use crate::auth::portal::PortalClient;
use crate::auth::users::{self, User};
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::web::forms::FieldErrors;
use crate::web::{form_status, render_status};

#[derive(Template)]
#[template(path = "portal/auth/set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    title: &'static str,
    action: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

impl NewPasswordForm {
    /// The password's problems, next to its fields (the address keeps it from being part of it).
    fn problems(&self, email: &str) -> FieldErrors {
        let mut errors = FieldErrors::default();
        if self.password != self.confirm {
            errors.add("confirm", "The two passwords do not match.");
        } else if let Some(problem) = password_problem(&self.password, email) {
            errors.add("password", problem);
        }
        errors
    }
}

/// A set-a-password form as sent: the link's token, the form, when.
pub struct Submitted {
    pub token: String,
    pub form: NewPasswordForm,
    pub at: NaiveDateTime,
}

/// One kind of password link: what it is for, where it lives under the portal, its page's heading.
pub struct PasswordLink {
    pub purpose: Purpose,
    pub path: &'static str,
    pub title: &'static str,
}

impl PasswordLink {
    /// The form (422 when `errors` has any).
    fn form(
        &self,
        client: PortalClient,
        session: &Session,
        token: &str,
        errors: FieldErrors,
    ) -> AppResult<HttpResponse> {
        let action = format!("{}{}/{token}", client.base, self.path);
        let page =
            SetPasswordPage { chrome: Chrome::public(client, session, "sign-in"), title: self.title, action, errors };
        render_status(form_status(&page.errors), page)
    }

    /// Who the link is for while it works (one statement).
    async fn holder(
        &self,
        state: &AppState,
        client: &PortalClient,
        token: &str,
        now: NaiveDateTime,
    ) -> AppResult<Option<User>> {
        let (org, token, purpose) = (client.id.clone(), token.to_string(), self.purpose);
        state
            .db
            .run(move |conn| {
                let Some(user) = links::holder(conn, &org, &token, purpose, now)? else { return Ok(None) };
                Ok(users::find(conn, &user)?)
            })
            .await
    }

    /// `GET`: the form while the link works, else the page saying it does not.
    pub async fn page(
        &self,
        state: &AppState,
        client: PortalClient,
        session: &Session,
        token: &str,
        now: NaiveDateTime,
    ) -> AppResult<HttpResponse> {
        match self.holder(state, &client, token, now).await? {
            Some(_) => self.form(client, session, token, FieldErrors::default()),
            None => link_invalid(client, session, self.purpose),
        }
    }

    /// `POST`: checks the new password, then in one transaction spends the link, sets the password, ends every
    /// session opened with the old one and runs `then` (the caller's log entry and what follows; None when it
    /// finds the link should not have worked). Else the answer to give instead: the link does not work, or the
    /// password is refused (the form again, 422).
    pub async fn set_password<T, F>(
        &self,
        state: &AppState,
        client: &PortalClient,
        session: &Session,
        submitted: Submitted,
        then: F,
    ) -> AppResult<Result<T, HttpResponse>>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &UserId) -> AppResult<Option<T>> + Send + 'static,
    {
        let Submitted { token, form, at } = submitted;
        let Some(user) = self.holder(state, client, &token, at).await? else {
            return link_invalid(client.clone(), session, self.purpose).map(Err);
        };
        let errors = form.problems(&user.email);
        if !errors.is_empty() {
            return self.form(client.clone(), session, &token, errors).map(Err);
        }
        let hash = hash_blocking(form.password).await?;
        let (org, purpose) = (client.id.clone(), self.purpose);
        let done = state
            .db
            .write(move |conn| {
                let Some(user_id) = links::spend(conn, &org, &token, purpose, at)? else { return Ok(None) };
                users::set_password(conn, &user_id, &hash, at)?;
                crate::auth::sessions::end_all(conn, &user_id, None, at)?;
                then(conn, &user_id)
            })
            .await?;
        match done {
            Some(done) => Ok(Ok(done)),
            None => link_invalid(client.clone(), session, self.purpose).map(Err),
        }
    }
}
