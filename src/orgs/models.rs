//! Organizations, MSP-client relationships, memberships and technician assignments: rows and queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::{Role, Tier};
use crate::db::DbConnection;
use crate::db::ids::{AssignmentId, MembershipId, OrgId, UserId};
use crate::schema::{memberships, organizations, technician_assignments, users};

crate::text_enum! {
    /// What an organization is: an MSP, a client (usually of an MSP), or a solo organization.
    pub enum OrgKind {
        Msp = "msp",
        Client = "client",
        Solo = "solo",
    }
}

impl OrgKind {
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Msp => "MSP",
            OrgKind::Client => "Client",
            OrgKind::Solo => "Solo",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub contact_email: String,
    pub seat_limit: i32,
    pub msp_org_id: Option<OrgId>,
    pub tier: Option<Tier>,
    pub archived_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Organization {
    /// The tier of the MSP relationship, when an MSP manages this organization.
    pub fn tier(&self) -> Option<Tier> {
        self.tier
    }
    pub fn kind(&self) -> OrgKind {
        self.kind
    }
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

pub const DEFAULT_SEAT_LIMIT: i32 = 25;

/// Any organization by id, archived or not: for the super admin's lookups (`SuperAdmin::org`) and data
/// functions given an id that already came from a scope.
pub(crate) fn find_any_org(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Organization>> {
    organizations::table.find(id).select(Organization::as_select()).first(conn).optional()
}

/// The organization a scope names.
pub fn find_org(conn: &mut DbConnection, id: &OrgId) -> QueryResult<Option<Organization>> {
    find_any_org(conn, id)
}

/// The organizations of a batch of rows (ids that came from the database), in one statement: for jobs and
/// recomputations that work through many tickets of several organizations.
pub fn find_orgs<'a>(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = &'a OrgId>,
) -> QueryResult<std::collections::HashMap<OrgId, Organization>> {
    let mut ids: Vec<&OrgId> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    let rows: Vec<Organization> =
        organizations::table.filter(organizations::id.eq_any(ids)).select(Organization::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|org| (org.id.clone(), org)).collect())
}

pub fn slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(organizations::table.filter(organizations::slug.eq(slug)))).get_result(conn)
}

/// The slug of a new organization (field `slug`): the one typed, validated and refused when another organization
/// has it; or, left empty, one made from the name, which `onboarding::unique_slug` makes unique at insert time
/// (so an empty field never comes back with an error).
pub fn new_org_slug(
    conn: &mut DbConnection,
    errors: &mut crate::web::forms::FieldErrors,
    typed: &str,
    name: &str,
) -> QueryResult<String> {
    use crate::web::forms;
    if typed.trim().is_empty() {
        return Ok(forms::slugify(name));
    }
    let slug = forms::slug(errors, "slug", typed);
    if !errors.has("slug") && slug_taken(conn, &slug)? {
        errors.add("slug", "This slug is already used by another organization. Choose another.");
    }
    Ok(slug)
}

/// A new organization's details.
pub struct NewOrg<'a> {
    pub kind: OrgKind,
    pub name: &'a str,
    pub slug: &'a str,
    pub timezone: &'a str,
    pub contact_email: &'a str,
    pub seat_limit: i32,
}

/// Inserts an organization with a fresh id and returns the id.
pub fn insert_org(conn: &mut DbConnection, new: &NewOrg<'_>, now: NaiveDateTime) -> QueryResult<OrgId> {
    let id = OrgId::new();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(&id),
            organizations::kind.eq(new.kind),
            organizations::name.eq(new.name),
            organizations::slug.eq(new.slug),
            organizations::timezone.eq(new.timezone),
            organizations::contact_email.eq(new.contact_email),
            organizations::seat_limit.eq(new.seat_limit),
            organizations::last_activity_at.eq(now),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Archives or restores an organization (the super admin's, or an MSP's own client through `ClientOf`).
pub fn set_archived(conn: &mut DbConnection, org: &OrgId, archived: bool, now: NaiveDateTime) -> QueryResult<usize> {
    let value = if archived { Some(now) } else { None };
    diesel::update(organizations::table.find(org))
        .set((organizations::archived_at.eq(value), organizations::updated_at.eq(now)))
        .execute(conn)
}

/// Makes an organization a client of an MSP at a tier.
pub fn link_client(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, tier: Tier) -> QueryResult<()> {
    diesel::update(organizations::table.find(client))
        .set((organizations::msp_org_id.eq(Some(msp)), organizations::tier.eq(Some(tier))))
        .execute(conn)
        .map(|_| ())
}

/// Changes the tier of one of the MSP's clients (the update names both, so another MSP's client is untouched).
pub fn set_tier(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    tier: Tier,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(organizations::table.find(client).filter(organizations::msp_org_id.eq(msp)))
        .set((organizations::tier.eq(Some(tier)), organizations::updated_at.eq(now)))
        .execute(conn)
}

/// Archives or restores one of the MSP's clients (the update names both).
pub fn set_client_archived(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    archived: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let value = if archived { Some(now) } else { None };
    diesel::update(organizations::table.find(client).filter(organizations::msp_org_id.eq(msp)))
        .set((organizations::archived_at.eq(value), organizations::updated_at.eq(now)))
        .execute(conn)
}

/// A client's editable details, as one of its MSP's staff changes them.
pub struct ClientDetails<'a> {
    pub name: &'a str,
    pub contact_email: &'a str,
    pub timezone: &'a str,
}

/// Changes the details of one of the MSP's clients (the update names both).
pub fn set_client_details(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    details: &ClientDetails<'_>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(organizations::table.find(client).filter(organizations::msp_org_id.eq(msp)))
        .set((
            organizations::name.eq(details.name),
            organizations::contact_email.eq(details.contact_email),
            organizations::timezone.eq(details.timezone),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: MembershipId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub role: Role,
    pub compliance_team: bool,
    pub deactivated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Membership {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

pub fn insert_membership(
    conn: &mut DbConnection,
    org: &OrgId,
    user: &UserId,
    role: Role,
    now: NaiveDateTime,
) -> QueryResult<MembershipId> {
    let id = MembershipId::new();
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(&id),
            memberships::org_id.eq(org),
            memberships::user_id.eq(user),
            memberships::role.eq(role),
            memberships::compliance_team.eq(false),
            memberships::created_at.eq(now),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn find_membership(conn: &mut DbConnection, org: &OrgId, user: &UserId) -> QueryResult<Option<Membership>> {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

/// A membership by its id (from a URL), only within the given organization.
pub fn membership_in_org(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Membership>> {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::id.eq(id))
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

/// Does any active member of the organization hold this role?
pub fn has_active_role(conn: &mut DbConnection, org: &OrgId, role: Role) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::role.eq(role))
            .filter(memberships::deactivated_at.is_null()),
    ))
    .get_result(conn)
}

/// Active members who count against the seat allotment.
pub fn seats_used(conn: &mut DbConnection, org: &OrgId) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser))
        .count()
        .get_result(conn)
}

/// Replaces the staff assigned to a client with exactly `users`. (One insert per person: the multi-connection
/// has no batch insert; a client has a handful of assigned staff.)
pub fn set_assignments(
    conn: &mut DbConnection,
    client: &OrgId,
    users: &[UserId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(technician_assignments::table.filter(technician_assignments::org_id.eq(client))).execute(conn)?;
    for user in users {
        diesel::insert_into(technician_assignments::table)
            .values((
                technician_assignments::id.eq(AssignmentId::new()),
                technician_assignments::org_id.eq(client),
                technician_assignments::user_id.eq(user),
                technician_assignments::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn assigned_user_ids(conn: &mut DbConnection, client: &OrgId) -> QueryResult<Vec<UserId>> {
    technician_assignments::table
        .filter(technician_assignments::org_id.eq(client))
        .select(technician_assignments::user_id)
        .load(conn)
}

/// An MSP's active staff member, for assignment pickers.
#[derive(Clone, Debug, Queryable)]
pub struct StaffMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

pub fn active_staff(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<Vec<StaffMember>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(msp))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser))
        .order(users::name.asc())
        .select((users::id, users::name, users::email, memberships::role))
        .load(conn)
}
