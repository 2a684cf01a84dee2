//! The signed-in end user's portal pages: home, tickets, knowledge base, policies to sign, compliance status.
//! Each section answers 404 when the client turned it off; every id or number from a URL is looked up through
//! the portal's client (and, for tickets, what the person may see) or 404.

pub mod compliance;
pub mod home;
pub mod kb;
pub mod policies;
pub mod rules;
pub mod tickets;

use crate::auth::Permission::UsePortal;
use crate::error::{AppError, AppResult};
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    const PORTAL: Access = Access::Portal(UsePortal);
    vec![
        get("/portal/{client_slug}", PORTAL, home::page),
        get("/portal/{client_slug}/tickets", PORTAL, tickets::list),
        get("/portal/{client_slug}/tickets/new", PORTAL, tickets::new_form),
        post("/portal/{client_slug}/tickets", PORTAL, tickets::create).example(&[
            ("subject", "Printer jams on tray 2"),
            ("description", "Since this morning."),
            ("priority", "medium"),
        ]),
        get("/portal/{client_slug}/tickets/{number}", PORTAL, tickets::show),
        post("/portal/{client_slug}/tickets/{number}/reply", PORTAL, tickets::reply)
            .example(&[("body", "It happens again.")]),
        post("/portal/{client_slug}/tickets/{number}/close", PORTAL, tickets::close),
        post("/portal/{client_slug}/tickets/{number}/reopen", PORTAL, tickets::reopen),
        get("/portal/{client_slug}/tickets/{number}/attachments/{attachment_id}", PORTAL, tickets::attachment),
        get("/portal/{client_slug}/kb", PORTAL, kb::home),
        get("/portal/{client_slug}/kb/{article_id}", PORTAL, kb::article),
        get("/portal/{client_slug}/policies", PORTAL, policies::list),
        get("/portal/{client_slug}/policies/{campaign_id}", PORTAL, policies::sign_page),
        post("/portal/{client_slug}/policies/{campaign_id}", PORTAL, policies::sign)
            .example(&[("full_name", "Pat Persona"), ("consent", "1")]),
        get("/portal/{client_slug}/compliance", PORTAL, compliance::page),
    ]
}

/// A section the client turned off does not exist.
pub fn section_on(on: bool) -> AppResult<()> {
    if on { Ok(()) } else { Err(AppError::NotFound) }
}

/// An address inside the person's portal (`path` starts with `/`), for redirects.
pub fn href(portal: &crate::auth::portal::PortalScope, path: &str) -> String {
    let href = format!("{}{}", portal.client.base, path);
    if href.is_empty() { "/".into() } else { href }
}
