//! Organizations, MSP-client relationships, memberships and technician assignments: rows and queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::{Role, Tier};
use crate::db::DbConnection;
use crate::schema::{memberships, organizations, technician_assignments, users};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKind {
    Msp,
    Client,
    Solo,
}

impl OrgKind {
    pub const ALL: [OrgKind; 3] = [OrgKind::Msp, OrgKind::Client, OrgKind::Solo];

    pub fn id(self) -> &'static str {
        match self {
            OrgKind::Msp => "msp",
            OrgKind::Client => "client",
            OrgKind::Solo => "solo",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Msp => "MSP",
            OrgKind::Client => "Client",
            OrgKind::Solo => "Solo",
        }
    }

    pub fn parse(id: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub contact_email: String,
    pub seat_limit: i32,
    pub msp_org_id: Option<String>,
    pub tier: Option<String>,
    pub archived_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Organization {
    /// The tier of the MSP relationship, when an MSP manages this organization.
    pub fn tier(&self) -> Option<Tier> {
        self.tier.as_deref().and_then(Tier::parse)
    }
    pub fn kind(&self) -> OrgKind {
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Client)
    }
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

#[derive(Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub slug: &'a str,
    pub timezone: &'a str,
    pub contact_email: &'a str,
    pub seat_limit: i32,
    pub last_activity_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub const DEFAULT_SEAT_LIMIT: i32 = 25;

pub fn find_org(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Organization>> {
    organizations::table.find(id).select(Organization::as_select()).first(conn).optional()
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

/// Inserts an organization with a fresh id and returns the id.
pub fn insert_org(
    conn: &mut DbConnection,
    kind: OrgKind,
    name: &str,
    slug: &str,
    timezone: &str,
    contact_email: &str,
) -> QueryResult<String> {
    let id = crate::db::new_id();
    let now = crate::db::now();
    diesel::insert_into(organizations::table)
        .values(NewOrganization {
            id: &id,
            kind: kind.id(),
            name,
            slug,
            timezone,
            contact_email,
            seat_limit: DEFAULT_SEAT_LIMIT,
            last_activity_at: now,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(id)
}

pub fn set_archived(conn: &mut DbConnection, org_id: &str, archived: bool) -> QueryResult<usize> {
    let now = crate::db::now();
    let value = if archived { Some(now) } else { None };
    diesel::update(organizations::table.find(org_id))
        .set((organizations::archived_at.eq(value), organizations::updated_at.eq(now)))
        .execute(conn)
}

/// Makes an organization a client of an MSP at a tier.
pub fn link_client(conn: &mut DbConnection, msp_org_id: &str, client_org_id: &str, tier: Tier) -> QueryResult<()> {
    diesel::update(organizations::table.find(client_org_id))
        .set((organizations::msp_org_id.eq(Some(msp_org_id)), organizations::tier.eq(Some(tier.code()))))
        .execute(conn)
        .map(|_| ())
}

pub fn set_tier(conn: &mut DbConnection, client_org_id: &str, tier: Tier) -> QueryResult<()> {
    diesel::update(organizations::table.find(client_org_id))
        .set((organizations::tier.eq(Some(tier.code())), organizations::updated_at.eq(crate::db::now())))
        .execute(conn)
        .map(|_| ())
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: String,
    pub org_id: String,
    pub user_id: String,
    pub role: String,
    pub compliance_team: bool,
    pub deactivated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Membership {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

pub fn insert_membership(conn: &mut DbConnection, org_id: &str, user_id: &str, role: Role) -> QueryResult<String> {
    let id = crate::db::new_id();
    let now = crate::db::now();
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(&id),
            memberships::org_id.eq(org_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.id()),
            memberships::compliance_team.eq(false),
            memberships::created_at.eq(now),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn find_membership(conn: &mut DbConnection, org_id: &str, user_id: &str) -> QueryResult<Option<Membership>> {
    memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

/// A membership by its id, only within the given organization (ids from URLs are checked against the scope).
pub fn membership_in_org(conn: &mut DbConnection, org_id: &str, id: &str) -> QueryResult<Option<Membership>> {
    memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::id.eq(id))
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

/// Does any active member of the organization hold this role?
pub fn has_active_role(conn: &mut DbConnection, org_id: &str, role: Role) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::role.eq(role.id()))
            .filter(memberships::deactivated_at.is_null()),
    ))
    .get_result(conn)
}

/// Active members who count against the seat allotment.
pub fn seats_used(conn: &mut DbConnection, org_id: &str) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser.id()))
        .count()
        .get_result(conn)
}

/// Replaces the staff assigned to a client with exactly `user_ids`.
pub fn set_assignments(conn: &mut DbConnection, client_org_id: &str, user_ids: &[String]) -> QueryResult<()> {
    diesel::delete(technician_assignments::table.filter(technician_assignments::org_id.eq(client_org_id)))
        .execute(conn)?;
    let now = crate::db::now();
    for user_id in user_ids {
        diesel::insert_into(technician_assignments::table)
            .values((
                technician_assignments::id.eq(crate::db::new_id()),
                technician_assignments::org_id.eq(client_org_id),
                technician_assignments::user_id.eq(user_id),
                technician_assignments::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn assigned_user_ids(conn: &mut DbConnection, client_org_id: &str) -> QueryResult<Vec<String>> {
    technician_assignments::table
        .filter(technician_assignments::org_id.eq(client_org_id))
        .select(technician_assignments::user_id)
        .load(conn)
}

/// An MSP's active staff member, for assignment pickers.
#[derive(Clone, Debug)]
pub struct StaffMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

pub fn active_staff(conn: &mut DbConnection, msp_org_id: &str) -> QueryResult<Vec<StaffMember>> {
    let rows: Vec<(String, String, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(msp_org_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser.id()))
        .order(users::name.asc())
        .select((users::id, users::name, users::email, memberships::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, name, email, role)| {
            Some(StaffMember { user_id, name, email, role: Role::parse(&role)? })
        })
        .collect())
}
