//! The portal's front page: the client's welcome text, how to reach support, and what waits for the person
//! (their open tickets, policies to sign), with a way into each section the client turned on.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::policies::pending_count;
use super::rules::{self, PortalRules};
use super::tickets::{Sees, visible};
use crate::AppState;
use crate::auth::portal::PortalScope;
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::schema::tickets;
use crate::web::markdown::{Markdown, to_html};
use crate::web::render;

#[derive(Template)]
#[template(path = "portal/sections/home.html")]
struct HomePage {
    chrome: Chrome,
    first_name: String,
    welcome: Markdown,
    rules: PortalRules,
    open_tickets: i64,
    pending_policies: i64,
}

/// `GET {base}`: four statements at most (rules, open tickets, the person's directory row and their requests).
pub async fn page(state: web::Data<AppState>, portal: PortalScope, session: Session) -> AppResult<HttpResponse> {
    let sections = portal.client.brand.sections;
    let (org, sees, email) = (portal.org_id().clone(), Sees::of(&portal), portal.user.email.clone());
    let (rules, open_tickets, pending_policies) = state
        .db
        .run(move |conn| {
            let rules = rules::of(conn, &org)?;
            let open = if sections.tickets {
                visible!(tickets::table.into_boxed(), &org, &sees)
                    .filter(tickets::unresolved.eq(true))
                    .count()
                    .get_result(conn)?
            } else {
                0
            };
            let pending = if sections.policies { pending_count(conn, &org, &email)? } else { 0 };
            Ok((rules, open, pending))
        })
        .await?;
    let first_name = portal.user.name.split_whitespace().next().unwrap_or_default().to_string();
    let welcome = to_html(&rules.welcome_markdown);
    let chrome = Chrome::signed_in(&portal, &session, "home");
    render(HomePage { chrome, first_name, welcome, rules, open_tickets, pending_policies })
}
