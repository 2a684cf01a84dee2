//! Staff principals: who is asking, in which organization, with which permissions.
//!
//! The route guard resolves an `Identity` from the session on every request (`auth::identity::resolve`) and
//! stores it in the request; handlers take the extractor their route's `Access` guarantees:
//!
//! | route access           | extractor        | gives                                                        |
//! |------------------------|------------------|--------------------------------------------------------------|
//! | `Public`               | `Option<Identity>` | the signed-in person, validated like any other route, or None |
//! | `SignedIn`             | `Identity`       | the person, their memberships, the current organization if any |
//! | `Org(permission)`      | `Scope`          | the current organization (`scope.org_id()`) and permissions   |
//! | `Msp(permission)`      | `MspScope`       | the person's MSP (`msp.msp_id()`), whatever client is selected |
//! | `SuperAdmin`           | `SuperAdmin`     | lookups of any organization by id (`SuperAdmin::org`)        |
//!
//! Data access takes the `OrgId` a scope hands out; an `OrgId` cannot be made from a string (see `db::ids`).
//! Portal users, auditors and API keys have their own principals (`auth::portal`, `auth::auditor`,
//! `auth::api_keys`).

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::auth::permissions::{Permission, PermissionSet, Role, Tier};
use crate::db::ids::{OrgId, SessionId, UserId};
use crate::error::AppError;
use crate::orgs::OrgKind;

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_super_admin: bool,
}

impl CurrentUser {
    /// "Name <email>", as the activity log names people.
    pub fn label(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

/// How the user reaches a client through its MSP.
#[derive(Clone, Debug)]
pub struct MspLink {
    pub msp_org_id: OrgId,
    pub msp_name: String,
    pub role: Role,
    pub tier: Tier,
}

/// The organization a request works in, and what the user may do there.
#[derive(Clone, Debug)]
pub struct OrgContext {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
    pub timezone: String,
    /// The user's own membership role here, if any.
    pub direct_role: Option<Role>,
    /// The MSP path into this client, if any (MSP role capped by the tier).
    pub msp: Option<MspLink>,
    /// The MSP managing this organization and the relationship's tier, whoever is asking.
    pub managed_by: Option<(OrgId, Tier)>,
    pub perms: PermissionSet,
}

impl OrgContext {
    /// A short description of the user's access, for the banner ("MSP Admin via Northwind, T2 Operate").
    pub fn access_label(&self) -> String {
        match (&self.direct_role, &self.msp) {
            (Some(role), None) => role.label().to_string(),
            (None, Some(link)) => format!("{} via {} · {}", link.role.label(), link.msp_name, link.tier.label()),
            (Some(role), Some(link)) => format!("{} (and {} via {})", role.label(), link.role.label(), link.msp_name),
            (None, None) => String::new(),
        }
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

/// The MSP that MSP routes act on, and the user's role there (not capped by any tier).
#[derive(Clone, Debug)]
pub struct MspContext {
    pub id: OrgId,
    pub name: String,
    pub role: Role,
    pub perms: PermissionSet,
    /// The MSP's timezone (its days and months: "this month" of billing figures).
    pub timezone: String,
}

/// A signed-in staff user and, when they reach any, the organization they are working in.
#[derive(Clone, Debug)]
pub struct Identity {
    pub user: CurrentUser,
    /// The session record the request came with.
    pub session_id: SessionId,
    /// The organizations the user belongs to directly (active memberships in active organizations), MSPs first.
    pub memberships: Vec<DirectMembership>,
    pub org: Option<OrgContext>,
    /// The MSP that MSP routes act on (the current context's MSP, else the user's first), if the user is in one.
    pub msp: Option<MspContext>,
    /// The person's running timer, if any (read in the identity statement, so the top bar costs nothing).
    pub timer: Option<RunningTimer>,
}

/// A timer a person started on a ticket and has not stopped yet (`psa::time::timer`).
#[derive(Clone, Debug)]
pub struct RunningTimer {
    pub ticket_id: crate::db::ids::TicketId,
    /// "#42 Printer jams · Tier Two Legal", as it was when the timer started.
    pub label: String,
    pub started_at: chrono::NaiveDateTime,
}

#[derive(Clone, Debug)]
pub struct DirectMembership {
    pub org_id: OrgId,
    pub org_name: String,
    pub org_slug: String,
    pub org_kind: OrgKind,
    pub role: Role,
    /// On the organization's compliance team (adds compliance work to the role: `Role::permissions_with`).
    pub compliance_team: bool,
    /// The MSP managing this organization, when it is a managed client.
    pub msp_org_id: Option<OrgId>,
    /// The organization's timezone.
    pub org_timezone: String,
}

impl DirectMembership {
    /// What the membership lets its holder do in its own organization.
    pub fn permissions(&self) -> PermissionSet {
        self.role.permissions_with(self.compliance_team)
    }
}

impl Identity {
    pub fn can(&self, p: Permission) -> bool {
        self.org.as_ref().is_some_and(|o| o.perms.contains(p))
    }

    /// Holds `p` in the MSP that MSP routes act on.
    pub fn can_in_msp(&self, p: Permission) -> bool {
        self.msp.as_ref().is_some_and(|m| m.perms.contains(p))
    }

    pub fn scope(&self) -> Option<Scope> {
        self.org.as_ref().map(|org| Scope { user: self.user.clone(), org: org.clone() })
    }

    pub fn msp_scope(&self) -> Option<MspScope> {
        self.msp.as_ref().map(|msp| MspScope { user: self.user.clone(), msp: msp.clone() })
    }

    /// The MSP organizations whose clients this user reaches, with the role held there.
    pub fn msp_roles(&self) -> impl Iterator<Item = (&OrgId, Role)> {
        self.memberships
            .iter()
            .filter(|m| m.org_kind == OrgKind::Msp && m.role.reaches_clients())
            .map(|m| (&m.org_id, m.role))
    }

    /// The organization a session starts in: the MSP the user works for, else their first staff organization,
    /// else their first organization.
    pub fn default_org_id(&self) -> Option<String> {
        let staff = self.memberships.iter().filter(|m| m.role != Role::PortalUser);
        let msp_first = staff.clone().find(|m| m.org_kind == OrgKind::Msp).or_else(|| staff.clone().next());
        msp_first.or(self.memberships.first()).map(|m| m.org_id.to_string())
    }
}

/// An identity whose organization is known: what every organization-scoped handler works with.
#[derive(Clone, Debug)]
pub struct Scope {
    pub user: CurrentUser,
    pub org: OrgContext,
}

impl Scope {
    /// The organization this request works in: the only way a handler gets an `OrgId` for its own tenant.
    pub fn org_id(&self) -> &OrgId {
        &self.org.id
    }

    pub fn can(&self, p: Permission) -> bool {
        self.org.perms.contains(p)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// The person's MSP, for MSP routes (dashboard, clients, staff assignments): the same whatever client is
/// selected in the sidebar.
#[derive(Clone, Debug)]
pub struct MspScope {
    pub user: CurrentUser,
    pub msp: MspContext,
}

impl MspScope {
    pub fn msp_id(&self) -> &OrgId {
        &self.msp.id
    }

    /// The MSP's timezone (UTC when unreadable, as `OrgContext::tz`).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.msp.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    pub fn can(&self, p: Permission) -> bool {
        self.msp.perms.contains(p)
    }

    /// Does the user's role reach every client of the MSP (rather than only the assigned ones)?
    pub fn reaches_all_clients(&self) -> bool {
        self.msp.role.reaches_all_clients()
    }
}

/// An installation super admin (routes with `Access::SuperAdmin`): may look up any organization by id.
#[derive(Clone, Debug)]
pub struct SuperAdmin {
    pub user: CurrentUser,
}

impl SuperAdmin {
    /// Any organization by id (archived ones included), or 404: the super admin's way to an `OrgId` from a URL.
    pub fn org(&self, conn: &mut crate::db::DbConnection, id: &str) -> Result<crate::orgs::Organization, AppError> {
        crate::orgs::models::find_any_org(conn, id)?.ok_or(AppError::NotFound)
    }
}

fn identity_of(req: &HttpRequest) -> Result<Identity, AppError> {
    req.extensions().get::<Identity>().cloned().ok_or(AppError::SignInRequired)
}

impl FromRequest for Identity {
    type Error = AppError;
    type Future = Ready<Result<Identity, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identity_of(req))
    }
}

impl FromRequest for Scope {
    type Error = AppError;
    type Future = Ready<Result<Scope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identity_of(req).and_then(|identity| identity.scope().ok_or(AppError::Forbidden)))
    }
}

impl FromRequest for MspScope {
    type Error = AppError;
    type Future = Ready<Result<MspScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identity_of(req).and_then(|identity| identity.msp_scope().ok_or(AppError::Forbidden)))
    }
}

impl FromRequest for SuperAdmin {
    type Error = AppError;
    type Future = Ready<Result<SuperAdmin, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identity_of(req).and_then(|identity| {
            if identity.user.is_super_admin { Ok(SuperAdmin { user: identity.user }) } else { Err(AppError::Forbidden) }
        }))
    }
}
