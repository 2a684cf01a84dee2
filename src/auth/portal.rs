//! The client end-user portal's principal: a signed-in person with a membership in the client the portal
//! belongs to, named by `/portal/{client_slug}` or, for a client with its own portal domain, by the request's
//! host. Staff of other organizations get nothing here: the membership must be in this client.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload};
use askama::Template;
use diesel::prelude::*;

use crate::auth::permissions::{Permission, PermissionSet, Role};
use crate::auth::scope::{CurrentUser, Identity};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::orgs::OrgKind;
use crate::schema::{organizations, portal_accounts};
use crate::web::render;

/// The client whose portal a request is for.
#[derive(Clone, Debug)]
pub struct PortalClient {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
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

/// The active client (not an MSP) a portal request names, or None.
pub fn find_client(conn: &mut DbConnection, target: &PortalTarget) -> QueryResult<Option<PortalClient>> {
    let query = organizations::table
        .filter(organizations::archived_at.is_null())
        .filter(organizations::kind.ne(OrgKind::Msp))
        .select((organizations::id, organizations::name, organizations::slug));
    let row: Option<(OrgId, String, String)> = match target {
        PortalTarget::Slug(slug) => query.filter(organizations::slug.eq(slug)).first(conn).optional()?,
        PortalTarget::Host(host) => query.filter(organizations::portal_host.eq(host)).first(conn).optional()?,
    };
    Ok(row.map(|(id, name, slug)| PortalClient { id, name, slug }))
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

/// The person's standing in the portal's client: their own membership there, or nothing.
pub fn scope_in(identity: &Identity, client: PortalClient, account: Option<PortalAccount>) -> Option<PortalScope> {
    let membership = identity.memberships.iter().find(|m| m.org_id == client.id)?;
    Some(PortalScope {
        user: identity.user.clone(),
        client,
        role: membership.role,
        perms: membership.role.permissions(),
        account: account.unwrap_or_default(),
    })
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct PortalHome {
    portal: PortalScope,
    csrf: String,
}

/// `GET /portal/{client_slug}`: the portal's front page for the client's end user.
pub async fn home(portal: PortalScope, session: actix_session::Session) -> AppResult<HttpResponse> {
    let csrf = crate::auth::session::csrf_token(&session);
    render(PortalHome { portal, csrf })
}
