//! The staff who may work an organization's tickets (assignees, watchers, escalation targets): its own members
//! whose role works tickets, and, for a client its MSP operates (T2 and up), the MSP's staff who reach it.

use diesel::prelude::*;

use crate::auth::permissions::{Permission, PermissionSet, Role};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::orgs::Organization;
use crate::schema::{memberships, technician_assignments, users};

/// A person who can work the organization's tickets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

type Row = (UserId, String, String, OrgId, Role);

/// Everyone who may work tickets in `org`, by name (one statement).
pub fn workers(conn: &mut DbConnection, org: &Organization) -> QueryResult<Vec<StaffMember>> {
    let msp = match (&org.msp_org_id, org.tier) {
        (Some(msp), Some(tier)) if PermissionSet::tier_cap(tier).contains(Permission::WorkTickets) => Some(msp),
        _ => None,
    };
    let own = memberships::org_id.eq(org.id.clone());
    let rows: Vec<Row> = match msp {
        None => base().filter(own).load(conn)?,
        Some(msp) => {
            let assigned = technician_assignments::table
                .filter(technician_assignments::org_id.eq(org.id.clone()))
                .select(technician_assignments::user_id);
            let via_msp = memberships::org_id
                .eq(msp.clone())
                .and(memberships::role.eq_any([Role::Admin, Role::MspAdmin]).or(memberships::user_id.eq_any(assigned)));
            base().filter(own.or(via_msp)).load(conn)?
        }
    };
    let mut staff: Vec<StaffMember> = rows
        .into_iter()
        .filter(|(_, _, _, _, role)| role.permissions().contains(Permission::WorkTickets))
        .map(|(user_id, name, email, _, _)| StaffMember { user_id, name, email })
        .collect();
    staff.dedup_by(|a, b| a.user_id == b.user_id);
    Ok(staff)
}

#[allow(clippy::type_complexity)]
fn base() -> diesel::dsl::Select<
    diesel::dsl::Order<
        diesel::dsl::Filter<
            diesel::dsl::InnerJoin<memberships::table, users::table>,
            diesel::dsl::IsNull<memberships::deactivated_at>,
        >,
        (diesel::dsl::Asc<users::name>, diesel::dsl::Asc<users::id>),
    >,
    (users::id, users::name, users::email, memberships::org_id, memberships::role),
> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::deactivated_at.is_null())
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name, users::email, memberships::org_id, memberships::role))
}

/// Is this user one of `org`'s workers?
pub fn is_worker(conn: &mut DbConnection, org: &Organization, user: &str) -> QueryResult<Option<StaffMember>> {
    Ok(workers(conn, org)?.into_iter().find(|s| s.user_id == user))
}
