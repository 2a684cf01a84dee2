//! The portal's branding (issue 13): Settings -> Portal (name, colors with their WCAG contrast, welcome text,
//! support contacts, sections, ticket rules), the logo and favicon, the custom domain, the stylesheet of the
//! client's colors, and `email_brand`, the look of emails to the client's contacts.

pub mod contrast;
pub mod domain;
pub mod forms;
pub mod handlers;
pub mod images;
pub mod models;

use diesel::prelude::*;

use crate::auth::Permission::ManageBranding;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::schema::{organizations, portal_settings as ps};
use crate::web::routes::{Access, RouteDef, get, post};

/// Largest portal logo.
pub const IMAGE_MAX_BYTES: u64 = 256 * 1024;
/// Largest favicon, and its largest side in pixels.
pub const FAVICON_MAX_BYTES: u64 = 64 * 1024;
pub const FAVICON_MAX_PIXELS: u32 = 512;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get(handlers::SETTINGS_PATH, Org(ManageBranding), handlers::page),
        post(handlers::SETTINGS_PATH, Org(ManageBranding), handlers::save).example(&[
            ("portal_name", "Help desk"),
            ("primary_color", "#1d4ed8"),
            ("accent_color", "#0f766e"),
            ("show_tickets", "1"),
            ("allowed_priorities", "medium"),
            ("reopen_days", "14"),
        ]),
        post("/settings/portal/logo", Org(ManageBranding), images::upload_logo),
        post("/settings/portal/logo/remove", Org(ManageBranding), images::remove_logo),
        post("/settings/portal/favicon", Org(ManageBranding), images::upload_favicon),
        post("/settings/portal/favicon/remove", Org(ManageBranding), images::remove_favicon),
        post("/settings/portal/domain", Org(ManageBranding), domain::set)
            .example(&[("domain", "support.example-client.test")]),
        post("/settings/portal/domain/check", Org(ManageBranding), domain::check),
        post("/settings/portal/domain/remove", Org(ManageBranding), domain::remove),
    ]
}

/// The portal's own routes of the brand (by slug and on a portal domain). Public: the sign-in page wears the
/// brand too, and the stylesheet and images name nothing but colors.
pub fn portal_routes() -> Vec<RouteDef> {
    use crate::portal::routes::get;
    [
        get("/brand.css", Access::Public, images::stylesheet),
        get("/logo", Access::Public, images::logo),
        get("/favicon", Access::Public, images::favicon),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The address of a client's portal: `https://<domain>` once its own domain is verified, else
/// `<base_url>/portal/<slug>`. Links inside it append a path ("/tickets/42").
pub fn portal_address(base_url: &str, slug: &str, portal_host: Option<&str>) -> String {
    match portal_host {
        Some(host) => format!("https://{host}"),
        None => format!("{base_url}/portal/{slug}"),
    }
}

/// How an email to a client's contacts looks: the portal's name, logo, colors and address.
#[derive(Clone, Debug)]
pub struct EmailBrand {
    pub name: String,
    pub primary_color: String,
    /// The text color on `primary_color` (white or dark, whichever reads better).
    pub on_primary: String,
    pub accent_color: String,
    /// The logo as a `data:` URI: the email carries it, no remote image to load.
    pub logo: Option<String>,
    /// The portal's address (see `portal_address`).
    pub portal_url: String,
    /// The portal shows tickets: notices may link to the ticket there.
    pub tickets_in_portal: bool,
}

impl EmailBrand {
    /// An address in the portal: `path` starts with `/` ("/tickets/42"), or is empty for the front page.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.portal_url)
    }
}

type EmailBrandRow = (String, String, Option<String>, Option<(String, String, String, Option<String>, bool)>);

/// The look of emails to `client`'s contacts (its portal's defaults until someone saves them), with links under
/// `base_url` (the installation's address); None for an MSP, which has no portal. One statement, in the caller's
/// transaction.
pub fn email_brand(conn: &mut DbConnection, base_url: &str, client: &OrgId) -> QueryResult<Option<EmailBrand>> {
    let row: Option<EmailBrandRow> = organizations::table
        .left_join(ps::table)
        .filter(organizations::id.eq(client))
        .filter(organizations::kind.ne(crate::orgs::OrgKind::Msp))
        .select((
            organizations::name,
            organizations::slug,
            organizations::portal_host,
            (ps::portal_name, ps::primary_color, ps::accent_color, ps::email_logo, ps::show_tickets).nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(client_name, slug, host, brand)| {
        let defaults = models::Branding::default();
        let (portal_name, primary, accent, logo, tickets_in_portal) = brand.unwrap_or((
            String::new(),
            defaults.primary_color.clone(),
            defaults.accent_color.clone(),
            None,
            defaults.sections.tickets,
        ));
        let primary_color = contrast::parse_hex(&primary).unwrap_or(defaults.primary_color);
        let accent_color = contrast::parse_hex(&accent).unwrap_or(defaults.accent_color);
        EmailBrand {
            name: if portal_name.trim().is_empty() { client_name } else { portal_name },
            on_primary: contrast::text_on(&primary_color).to_string(),
            primary_color,
            accent_color,
            logo,
            portal_url: portal_address(base_url, &slug, host.as_deref()),
            tickets_in_portal,
        }
    }))
}
