//! The client end-user portal's principal: a signed-in person with a membership in the client the portal
//! belongs to, named by `/portal/{client_slug}` or, for a client with its own portal domain, by the request's
//! host. Staff of other organizations get nothing here: the membership must be in this client.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use crate::AppState;
use crate::auth::permissions::{Permission, PermissionSet, Role};
use crate::auth::scope::CurrentUser;
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, UserId};
use crate::error::AppError;
use crate::orgs::OrgKind;
use crate::schema::{organizations, portal_accounts};

/// The client whose portal a request is for, with the look and sections of its portal.
#[derive(Clone, Debug)]
pub struct PortalClient {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    /// What the portal's links start with: `/portal/{slug}`, or nothing on the client's own domain.
    pub base: String,
    pub brand: PortalBrand,
    /// The client's timezone: its portal's dates and "today".
    pub tz: chrono_tz::Tz,
    /// The MSP that manages the client, if any (whose MSP-wide articles its end users read).
    pub msp: Option<OrgId>,
}

/// How a client's portal looks and what it offers (`portal_settings`; the defaults until someone saves them).
#[derive(Clone, Debug)]
pub struct PortalBrand {
    /// The portal's name as shown: the one set in settings, else the client's name.
    pub name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub has_logo: bool,
    pub has_favicon: bool,
    pub sections: PortalSections,
    /// Changes whenever the settings are saved: appended to the stylesheet, logo and favicon addresses so
    /// browsers may cache them for long.
    pub version: i64,
}

/// The portal's sections a client turned on.
#[derive(Clone, Copy, Debug)]
pub struct PortalSections {
    pub tickets: bool,
    pub kb: bool,
    pub chat: bool,
    pub policies: bool,
    pub compliance: bool,
}

impl PortalBrand {
    /// A portal nobody has configured yet: the client's name and the table's default colors and sections.
    pub fn defaults(client_name: &str) -> PortalBrand {
        PortalBrand {
            name: client_name.to_string(),
            primary_color: "#1d4ed8".into(),
            accent_color: "#0f766e".into(),
            has_logo: false,
            has_favicon: false,
            sections: PortalSections { tickets: true, kb: true, chat: true, policies: true, compliance: false },
            version: 0,
        }
    }
}

/// A portal request (routes with `Access::Portal`): the person, the client, and what their membership there
/// allows.
#[derive(Clone, Debug)]
pub struct PortalScope {
    pub user: CurrentUser,
    pub client: PortalClient,
    pub role: Role,
    pub perms: PermissionSet,
    /// Their account in this client's portal: the contact they are and which tickets they see.
    pub account: PortalAccount,
}

/// A person's standing in one client's portal (`portal_accounts`). Someone with a membership but no account row
/// yet (invited before accounts existed) is treated as a contact-less end user who sees only what they raise.
#[derive(Clone, Debug, Default)]
pub struct PortalAccount {
    pub contact_id: Option<ContactId>,
    pub sees_company_tickets: bool,
}

impl PortalScope {
    pub fn org_id(&self) -> &OrgId {
        &self.client.id
    }

    pub fn can(&self, p: Permission) -> bool {
        self.perms.contains(p)
    }
}

impl FromRequest for PortalScope {
    type Error = AppError;
    type Future = Ready<Result<PortalScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<PortalScope>().cloned().ok_or(AppError::SignInRequired))
    }
}

/// Which client a portal request names: the `{client_slug}` path segment, else the request's host.
pub enum PortalTarget {
    Slug(String),
    Host(String),
}

type BrandRow =
    (String, String, String, Option<String>, Option<String>, (bool, bool, bool, bool, bool), chrono::NaiveDateTime);

/// id, name, slug, timezone, MSP, brand.
type ClientRow = (OrgId, String, String, String, Option<OrgId>, Option<BrandRow>);

/// The active client (not an MSP) a portal request names, with its portal's brand, or None. One statement.
pub fn find_client(conn: &mut DbConnection, target: &PortalTarget) -> QueryResult<Option<PortalClient>> {
    use crate::schema::portal_settings as ps;
    let query = organizations::table
        .left_join(ps::table)
        .filter(organizations::archived_at.is_null())
        .filter(organizations::kind.ne(OrgKind::Msp))
        .select((
            organizations::id,
            organizations::name,
            organizations::slug,
            organizations::timezone,
            organizations::msp_org_id,
            (
                ps::portal_name,
                ps::primary_color,
                ps::accent_color,
                ps::logo_key,
                ps::favicon_key,
                (ps::show_tickets, ps::show_kb, ps::show_chat, ps::show_policies, ps::show_compliance),
                ps::updated_at,
            )
                .nullable(),
        ));
    let row: Option<ClientRow> = match target {
        PortalTarget::Slug(slug) => query.filter(organizations::slug.eq(slug)).first(conn).optional()?,
        PortalTarget::Host(host) => query.filter(organizations::portal_host.eq(host)).first(conn).optional()?,
    };
    Ok(row.map(|(id, name, slug, timezone, msp, brand)| {
        let base = match target {
            PortalTarget::Slug(_) => format!("/portal/{slug}"),
            PortalTarget::Host(_) => String::new(),
        };
        let brand = brand.map_or_else(|| PortalBrand::defaults(&name), |row| brand_from(row, &name));
        PortalClient { id, name, slug, base, brand, tz: timezone.parse().unwrap_or(chrono_tz::UTC), msp }
    }))
}

fn brand_from(row: BrandRow, client_name: &str) -> PortalBrand {
    let (portal_name, primary_color, accent_color, logo, favicon, shown, updated_at) = row;
    PortalBrand {
        name: if portal_name.trim().is_empty() { client_name.to_string() } else { portal_name },
        primary_color,
        accent_color,
        has_logo: logo.is_some(),
        has_favicon: favicon.is_some(),
        sections: PortalSections {
            tickets: shown.0,
            kb: shown.1,
            chat: shown.2,
            policies: shown.3,
            compliance: shown.4,
        },
        version: updated_at.and_utc().timestamp(),
    }
}

/// The person's account in a client's portal, if they have one.
pub fn find_account(conn: &mut DbConnection, client: &OrgId, user: &UserId) -> QueryResult<Option<PortalAccount>> {
    let row: Option<(Option<ContactId>, bool)> = portal_accounts::table
        .filter(portal_accounts::org_id.eq(client))
        .filter(portal_accounts::user_id.eq(user))
        .select((portal_accounts::contact_id, portal_accounts::sees_company_tickets))
        .first(conn)
        .optional()?;
    Ok(row.map(|(contact_id, sees_company_tickets)| PortalAccount { contact_id, sees_company_tickets }))
}

/// The portal scope of a portal session that stands in `client`.
pub fn scope_of(client: PortalClient, resolved: crate::portal::auth::sessions::ResolvedPortal) -> PortalScope {
    PortalScope {
        user: resolved.user,
        client,
        role: resolved.role,
        perms: resolved.role.permissions(),
        account: resolved.account,
    }
}

/// Which client a portal request names: its `{client_slug}`, else its host (a client's own portal domain).
pub fn target_of(req: &HttpRequest, state: &AppState) -> PortalTarget {
    match req.match_info().get("client_slug") {
        Some(slug) => PortalTarget::Slug(slug.to_string()),
        None => PortalTarget::Host(
            crate::portal::routes::request_host(req.head(), state.config.trust_proxy).unwrap_or_default(),
        ),
    }
}

/// The client of a public portal page (sign-in, links, brand assets): named by the path or the host, active,
/// not an MSP; else "not found".
impl FromRequest for PortalClient {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<PortalClient, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("no app state"))?;
            let target = target_of(&req, &state);
            state.db.run(move |conn| Ok(find_client(conn, &target)?)).await?.ok_or(AppError::NotFound)
        })
    }
}
