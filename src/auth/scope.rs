//! Who is asking, in which organization, with which permissions.
//!
//! The route guard resolves an `Identity` from the session on every request (checking that the user still
//! exists, the session stamp still matches and the organization is still reachable) and stores it in the
//! request; handlers take `Identity` or `Scope` (identity with an organization) as extractors. Data access takes
//! `&Scope` and filters by `scope.org_id()`.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use diesel::prelude::*;

use crate::auth::permissions::{Permission, PermissionSet, Role, Tier};
use crate::db::{DbConnection, lower};
use crate::error::AppError;
use crate::orgs::OrgKind;
use crate::schema::{memberships, organizations, technician_assignments, users};

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_super_admin: bool,
}

/// How the user reaches a client through its MSP.
#[derive(Clone, Debug)]
pub struct MspLink {
    pub msp_org_id: String,
    pub msp_name: String,
    pub role: Role,
    pub tier: Tier,
}

/// The organization a request works in, and what the user may do there.
#[derive(Clone, Debug)]
pub struct OrgContext {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
    pub timezone: String,
    /// The user's own membership role here, if any.
    pub direct_role: Option<Role>,
    /// The MSP path into this client, if any (MSP role capped by the tier).
    pub msp: Option<MspLink>,
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
}

/// A signed-in user and, when they reach any, the organization they are working in.
#[derive(Clone, Debug)]
pub struct Identity {
    pub user: CurrentUser,
    pub org: Option<OrgContext>,
    /// The organizations the user belongs to directly (active memberships in active organizations).
    pub memberships: Vec<DirectMembership>,
}

#[derive(Clone, Debug)]
pub struct DirectMembership {
    pub org_id: String,
    pub org_name: String,
    pub org_slug: String,
    pub org_kind: OrgKind,
    pub role: Role,
}

impl Identity {
    pub fn can(&self, p: Permission) -> bool {
        self.org.as_ref().is_some_and(|o| o.perms.contains(p))
    }

    pub fn scope(&self) -> Option<Scope> {
        self.org.as_ref().map(|org| Scope { user: self.user.clone(), org: org.clone() })
    }

    /// The MSP organizations whose clients this user reaches, with the role held there.
    pub fn msp_roles(&self) -> impl Iterator<Item = (&str, Role)> {
        self.memberships
            .iter()
            .filter(|m| m.org_kind == OrgKind::Msp && m.role.reaches_clients())
            .map(|m| (m.org_id.as_str(), m.role))
    }
}

/// An identity whose organization is known: what every organization-scoped handler works with.
#[derive(Clone, Debug)]
pub struct Scope {
    pub user: CurrentUser,
    pub org: OrgContext,
}

impl Scope {
    pub fn org_id(&self) -> &str {
        &self.org.id
    }

    pub fn can(&self, p: Permission) -> bool {
        self.org.perms.contains(p)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

impl FromRequest for Identity {
    type Error = AppError;
    type Future = Ready<Result<Identity, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<Identity>().cloned().ok_or(AppError::SignInRequired))
    }
}

impl FromRequest for Scope {
    type Error = AppError;
    type Future = Ready<Result<Scope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let identity = req.extensions().get::<Identity>().cloned();
        ready(match identity {
            None => Err(AppError::SignInRequired),
            Some(identity) => identity.scope().ok_or(AppError::Forbidden),
        })
    }
}

type UserRow = (String, String, String, bool, String);

/// Resolves the identity behind a session, or None when the session no longer stands (user gone, stamp changed
/// by a password change, deactivation or "sign out everywhere"). `wanted_org` is the organization stored in the
/// session; when the user no longer reaches it, their default organization is chosen instead.
pub fn resolve_identity(
    conn: &mut DbConnection,
    user_id: &str,
    stamp: &str,
    wanted_org: Option<&str>,
) -> QueryResult<Option<Identity>> {
    let row: Option<UserRow> = users::table
        .find(user_id)
        .select((users::id, users::email, users::name, users::is_super_admin, users::session_stamp))
        .first(conn)
        .optional()?;
    let Some((id, email, name, is_super_admin, current_stamp)) = row else { return Ok(None) };
    if !crate::auth::tokens::constant_time_eq(&current_stamp, stamp) {
        return Ok(None);
    }
    let user = CurrentUser { id, email, name, is_super_admin };
    let memberships = direct_memberships(conn, &user.id)?;
    let mut identity = Identity { user, org: None, memberships };
    if let Some(org_id) = wanted_org {
        identity.org = org_context(conn, &identity, org_id)?;
    }
    if identity.org.is_none()
        && let Some(default_id) = default_org_id(&identity)
    {
        identity.org = org_context(conn, &identity, &default_id)?;
    }
    Ok(Some(identity))
}

fn direct_memberships(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<DirectMembership>> {
    let rows: Vec<(String, String, String, String, String)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(organizations::archived_at.is_null())
        .order((organizations::kind.desc(), organizations::name.asc()))
        .select((organizations::id, organizations::name, organizations::slug, organizations::kind, memberships::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(org_id, org_name, org_slug, kind, role)| {
            let (org_kind, role) = (OrgKind::parse(&kind)?, Role::parse(&role)?);
            Some(DirectMembership { org_id, org_name, org_slug, org_kind, role })
        })
        .collect())
}

/// The organization a session starts in: the MSP the user works for, else their first organization.
fn default_org_id(identity: &Identity) -> Option<String> {
    let staff = identity.memberships.iter().filter(|m| m.role != Role::PortalUser);
    let mut staff_sorted: Vec<&DirectMembership> = staff.collect();
    staff_sorted.sort_by_key(|m| m.org_kind != OrgKind::Msp);
    staff_sorted.first().copied().or(identity.memberships.first()).map(|m| m.org_id.clone())
}

type OrgRow = (String, String, String, String, String, Option<String>, Option<String>);

/// The user's context in one organization, or None when they do not reach it (or it is archived).
pub fn org_context(conn: &mut DbConnection, identity: &Identity, org_id: &str) -> QueryResult<Option<OrgContext>> {
    let org: Option<OrgRow> = organizations::table
        .find(org_id)
        .filter(organizations::archived_at.is_null())
        .select((
            organizations::id,
            organizations::name,
            organizations::slug,
            organizations::kind,
            organizations::timezone,
            organizations::msp_org_id,
            organizations::tier,
        ))
        .first(conn)
        .optional()?;
    let Some((id, name, slug, kind, timezone, msp_org_id, tier)) = org else { return Ok(None) };
    let Some(kind) = OrgKind::parse(&kind) else { return Ok(None) };
    let direct_role = identity.memberships.iter().find(|m| m.org_id == id).map(|m| m.role);
    let msp = match (msp_org_id, tier.as_deref().and_then(Tier::parse)) {
        (Some(msp_org_id), Some(tier)) => msp_link(conn, identity, &id, msp_org_id, tier)?,
        _ => None,
    };
    let mut perms = direct_role.map(Role::permissions).unwrap_or_default();
    if let Some(link) = &msp {
        perms = perms.union(link.role.permissions().intersect(PermissionSet::tier_cap(link.tier)));
    }
    if direct_role.is_none() && msp.is_none() {
        return Ok(None);
    }
    Ok(Some(OrgContext { id, name, slug, kind, timezone, direct_role, msp, perms }))
}

/// The MSP path into a client: the user's role in the client's MSP (an active membership in an active MSP,
/// already loaded with the identity), and whether that role reaches this client.
fn msp_link(
    conn: &mut DbConnection,
    identity: &Identity,
    client_id: &str,
    msp_org_id: String,
    tier: Tier,
) -> QueryResult<Option<MspLink>> {
    let Some(membership) = identity.memberships.iter().find(|m| m.org_id == msp_org_id && m.org_kind == OrgKind::Msp)
    else {
        return Ok(None);
    };
    let role = membership.role;
    if !role.reaches_clients() || (!role.reaches_all_clients() && !is_assigned(conn, &identity.user.id, client_id)?) {
        return Ok(None);
    }
    Ok(Some(MspLink { msp_org_id, msp_name: membership.org_name.clone(), role, tier }))
}

fn is_assigned(conn: &mut DbConnection, user_id: &str, client_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        technician_assignments::table
            .filter(technician_assignments::org_id.eq(client_id))
            .filter(technician_assignments::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// One entry of the client switcher.
#[derive(Clone, Debug)]
pub struct ReachableOrg {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub kind: OrgKind,
}

type OrgFilter =
    Box<dyn BoxableExpression<organizations::table, crate::db::MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// Active clients the user reaches through their MSPs (all clients for roles that reach all, assigned ones
/// otherwise), whose name contains `search`. None when the user reaches no client through an MSP. Written so
/// the common cases (an MSP admin; a technician) are index range scans on (msp_org_id, archived_at, name).
fn reachable_filter(identity: &Identity, search: &str) -> Option<OrgFilter> {
    let all: Vec<String> =
        identity.msp_roles().filter(|(_, r)| r.reaches_all_clients()).map(|(id, _)| id.to_string()).collect();
    let assigned_via: Vec<String> =
        identity.msp_roles().filter(|(_, r)| !r.reaches_all_clients()).map(|(id, _)| id.to_string()).collect();
    let assigned = || {
        technician_assignments::table
            .filter(technician_assignments::user_id.eq(identity.user.id.clone()))
            .select(technician_assignments::org_id)
    };
    let reach: OrgFilter = match (all.is_empty(), assigned_via.is_empty()) {
        (true, true) => return None,
        (false, true) => Box::new(organizations::msp_org_id.assume_not_null().eq_any(all)),
        (true, false) => Box::new(
            organizations::msp_org_id.assume_not_null().eq_any(assigned_via).and(organizations::id.eq_any(assigned())),
        ),
        (false, false) => Box::new(organizations::msp_org_id.assume_not_null().eq_any(all).or(
            organizations::msp_org_id.assume_not_null().eq_any(assigned_via).and(organizations::id.eq_any(assigned())),
        )),
    };
    let active: OrgFilter = Box::new(reach.and(organizations::archived_at.is_null()));
    if search.trim().is_empty() {
        return Some(active);
    }
    let pattern = crate::web::pagination::contains_pattern(search);
    Some(Box::new(active.and(lower(organizations::name).like(pattern).escape('\\'))))
}

pub fn count_reachable_clients(conn: &mut DbConnection, identity: &Identity, search: &str) -> QueryResult<i64> {
    match reachable_filter(identity, search) {
        Some(filter) => organizations::table.filter(filter).count().get_result(conn),
        None => Ok(0),
    }
}

/// One page of the clients the user reaches, by name.
pub fn reachable_clients(
    conn: &mut DbConnection,
    identity: &Identity,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ReachableOrg>> {
    let Some(filter) = reachable_filter(identity, search) else { return Ok(Vec::new()) };
    let rows: Vec<(String, String, String, String)> = organizations::table
        .filter(filter)
        .order(organizations::name.asc())
        .limit(limit)
        .offset(offset)
        .select((organizations::id, organizations::name, organizations::slug, organizations::kind))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, slug, kind)| ReachableOrg {
            id,
            name,
            slug,
            kind: OrgKind::parse(&kind).unwrap_or(OrgKind::Client),
        })
        .collect())
}
