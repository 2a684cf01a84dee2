//! The clients a person reaches through their MSPs (every client for roles that reach all, assigned ones
//! otherwise): the sidebar switcher's head on every page, and the switcher page's filtered, paginated list.

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::auth::scope::Identity;
use crate::db::ids::OrgId;
use crate::db::{DbConnection, MultiBackend, lower};
use crate::orgs::OrgKind;
use crate::schema::{organizations, technician_assignments};

/// One entry of the client switcher.
#[derive(Clone, Debug)]
pub struct ReachableOrg {
    pub id: OrgId,
    pub name: String,
    /// Shown beside the name where two clients share it.
    pub slug: String,
    pub kind: OrgKind,
}

/// The first clients by name, and how many the person reaches in all.
#[derive(Clone, Debug, Default)]
pub struct SwitcherHead {
    pub clients: Vec<ReachableOrg>,
    pub total: i64,
}

type HeadRow = (OrgId, String, String, OrgKind, Option<i64>);

fn head(rows: Vec<HeadRow>) -> SwitcherHead {
    let total = rows.first().and_then(|r| r.4).unwrap_or(0);
    let clients = rows.into_iter().map(|(id, name, slug, kind, _)| ReachableOrg { id, name, slug, kind }).collect();
    SwitcherHead { clients, total }
}

/// The switcher's head in one statement: the first clients by name, with the total riding along as a scalar
/// subquery over the same filter (computed once, on the covering index; a window count would materialize every
/// reachable client first). The common shapes (one MSP, reaching all its clients or the assigned ones) are static
/// queries, prepared once per connection.
pub fn switcher_head(conn: &mut DbConnection, identity: &Identity, limit: i64) -> QueryResult<SwitcherHead> {
    let msps: Vec<_> = identity.msp_roles().collect();
    let counted = diesel::alias!(organizations as counted);
    let rows: Vec<HeadRow> = match msps.as_slice() {
        [] => return Ok(SwitcherHead::default()),
        [(msp, role)] if role.reaches_all_clients() => {
            let active = || {
                organizations::table
                    .filter(organizations::msp_org_id.eq((*msp).clone()))
                    .filter(organizations::archived_at.is_null())
            };
            let total = counted
                .filter(counted.field(organizations::msp_org_id).eq((*msp).clone()))
                .filter(counted.field(organizations::archived_at).is_null())
                .select(count_star())
                .single_value();
            active()
                .order((organizations::name.asc(), organizations::id.asc()))
                .limit(limit)
                .select(head_columns(total))
                .load(conn)?
        }
        [(msp, _)] => {
            let assigned = || {
                organizations::table
                    .filter(organizations::msp_org_id.eq((*msp).clone()))
                    .filter(organizations::archived_at.is_null())
                    .filter(organizations::id.eq_any(assigned_to(identity)))
            };
            let total = counted
                .filter(counted.field(organizations::msp_org_id).eq((*msp).clone()))
                .filter(counted.field(organizations::archived_at).is_null())
                .filter(counted.field(organizations::id).eq_any(assigned_to(identity)))
                .select(count_star())
                .single_value();
            assigned()
                .order((organizations::name.asc(), organizations::id.asc()))
                .limit(limit)
                .select(head_columns(total))
                .load(conn)?
        }
        _ => {
            let Some(filter) = reachable_filter(identity, "") else { return Ok(SwitcherHead::default()) };
            // Several MSPs (rare): the boxed filter cannot be aliased, so the total is a window count.
            organizations::table
                .filter(filter)
                .order((organizations::name.asc(), organizations::id.asc()))
                .limit(limit)
                .select(head_columns(count_star().over().nullable()))
                .load(conn)?
        }
    };
    Ok(head(rows))
}

/// The head's columns, with the total as the last one.
fn head_columns<T>(total: T) -> (organizations::id, organizations::name, organizations::slug, organizations::kind, T) {
    (organizations::id, organizations::name, organizations::slug, organizations::kind, total)
}

fn assigned_to(
    identity: &Identity,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<technician_assignments::table, diesel::dsl::Eq<technician_assignments::user_id, String>>,
    technician_assignments::org_id,
> {
    technician_assignments::table
        .filter(technician_assignments::user_id.eq(identity.user.id.to_string()))
        .select(technician_assignments::org_id)
}

type OrgFilter = Box<dyn BoxableExpression<organizations::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// Active clients the person reaches whose name contains `search`; None when they reach no client through an
/// MSP. Index range scans on (msp_org_id, archived_at, name) for the common cases.
fn reachable_filter(identity: &Identity, search: &str) -> Option<OrgFilter> {
    let ids = |all: bool| -> Vec<OrgId> {
        identity.msp_roles().filter(|(_, r)| r.reaches_all_clients() == all).map(|(id, _)| id.clone()).collect()
    };
    let (all, assigned_via) = (ids(true), ids(false));
    let msp = organizations::msp_org_id.assume_not_null();
    let reach: OrgFilter = match (all.is_empty(), assigned_via.is_empty()) {
        (true, true) => return None,
        (false, true) => Box::new(msp.eq_any(all)),
        (true, false) => Box::new(msp.eq_any(assigned_via).and(organizations::id.eq_any(assigned_to(identity)))),
        (false, false) => {
            Box::new(msp.eq_any(all).or(msp.eq_any(assigned_via).and(organizations::id.eq_any(assigned_to(identity)))))
        }
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

/// One page of the clients the person reaches, by name.
pub fn reachable_clients(
    conn: &mut DbConnection,
    identity: &Identity,
    search: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ReachableOrg>> {
    let Some(filter) = reachable_filter(identity, search) else { return Ok(Vec::new()) };
    let rows: Vec<(OrgId, String, String, OrgKind)> = organizations::table
        .filter(filter)
        .order(organizations::name.asc())
        .limit(limit)
        .offset(offset)
        .select((organizations::id, organizations::name, organizations::slug, organizations::kind))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, name, slug, kind)| ReachableOrg { id, name, slug, kind }).collect())
}
