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
use crate::portal::routes::{get, post};
use crate::web::routes::{Access, RouteDef};

/// The sections' routes, each under `/portal/{client_slug}` and bare on the client's own portal domain.
pub fn routes() -> Vec<RouteDef> {
    const PORTAL: Access = Access::Portal(UsePortal);
    [
        get("", PORTAL, home::page),
        get("/tickets", PORTAL, tickets::list),
        get("/tickets/new", PORTAL, tickets::new_form),
        post("/tickets", PORTAL, tickets::create).example(&[
            ("subject", "Printer jams on tray 2"),
            ("description", "Since this morning."),
            ("priority", "medium"),
        ]),
        get("/tickets/{number}", PORTAL, tickets::show),
        post("/tickets/{number}/reply", PORTAL, tickets::reply).example(&[("body", "It happens again.")]),
        post("/tickets/{number}/close", PORTAL, tickets::close),
        post("/tickets/{number}/reopen", PORTAL, tickets::reopen),
        get("/tickets/{number}/attachments/{attachment_id}", PORTAL, tickets::attachment),
        get("/kb", PORTAL, kb::home),
        get("/kb/{article_id}", PORTAL, kb::article),
        get("/policies", PORTAL, policies::list),
        get("/policies/{campaign_id}", PORTAL, policies::sign_page),
        post("/policies/{campaign_id}", PORTAL, policies::sign)
            .example(&[("full_name", "Pat Persona"), ("consent", "1")]),
        get("/compliance", PORTAL, compliance::page),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The path parameters of the sections' routes, by name: the slug is there under `/portal/{client_slug}` and
/// absent on a portal domain, so positions differ and names do not.
#[derive(serde::Deserialize)]
pub struct Ids {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub attachment_id: String,
    #[serde(default)]
    pub article_id: String,
    #[serde(default)]
    pub campaign_id: String,
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
