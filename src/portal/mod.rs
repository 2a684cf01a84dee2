//! The client's branded end-user portal: its pages share `templates/layout/portal.html`, which reads a `Chrome`
//! (the client's brand and sections, who is signed in, the form token). Its principal lives in `auth::portal`.

pub mod auth;
pub mod brand;
pub mod chat;
pub mod demo;
pub mod routes;
pub mod sections;

use actix_session::Session;

use crate::auth::portal::{PortalClient, PortalScope};

/// What the portal layout needs on every page.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub client: PortalClient,
    /// The signed-in end user's name; None on the sign-in pages.
    pub user_name: Option<String>,
    pub csrf: String,
    /// Which section's tab is current ("home", "tickets", "kb", "policies", "compliance", "account").
    pub active: &'static str,
    /// The one-shot message of the last action ("Your password is changed."), shown above the content.
    pub flash: Option<crate::auth::session::Flash>,
}

impl Chrome {
    /// A signed-in page of the portal.
    pub fn signed_in(scope: &PortalScope, session: &Session, active: &'static str) -> Chrome {
        Chrome {
            client: scope.client.clone(),
            user_name: Some(scope.user.name.clone()),
            csrf: crate::auth::session::csrf_token(session),
            active,
            flash: crate::auth::session::take_flash(session),
        }
    }

    /// A page of the portal before sign-in (sign-in, links, password reset, access requests).
    pub fn public(client: PortalClient, session: &Session, active: &'static str) -> Chrome {
        let (csrf, flash) = (crate::auth::session::csrf_token(session), crate::auth::session::take_flash(session));
        Chrome { client, user_name: None, csrf, active, flash }
    }

    /// An address inside this portal: `path` starts with `/` ("/tickets"), or is empty for the front page.
    pub fn href(&self, path: &str) -> String {
        let href = format!("{}{}", self.client.base, path);
        if href.is_empty() { "/".into() } else { href }
    }
}
