//! Adoption and applicability rows: which frameworks an organization adopted (with their scoping), and the
//! requirements it marked not applicable.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::compliance::program::scoping::Scoping;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::schema::{org_frameworks, requirement_exclusions, users};

/// A framework the organization adopted at some point (`adopted` false once unadopted).
#[derive(Clone, Debug, Queryable)]
pub struct Adoption {
    pub framework_id: String,
    pub adopted: bool,
    pub scoping: String,
}

impl Adoption {
    pub fn scoping(&self) -> Scoping {
        Scoping::from_json(&self.scoping)
    }
}

pub fn adoptions(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<Adoption>> {
    org_frameworks::table
        .filter(org_frameworks::org_id.eq(org_id))
        .select((org_frameworks::framework_id, org_frameworks::adopted, org_frameworks::scoping))
        .load(conn)
}

pub fn find_adoption(conn: &mut DbConnection, org_id: &OrgId, framework_id: &str) -> QueryResult<Option<Adoption>> {
    org_frameworks::table
        .find((org_id, framework_id))
        .select((org_frameworks::framework_id, org_frameworks::adopted, org_frameworks::scoping))
        .first(conn)
        .optional()
}

/// Adopts (or unadopts) a framework with this scoping: the row is created on first adoption and kept after.
pub fn set_adopted(
    conn: &mut DbConnection,
    org_id: &OrgId,
    framework_id: &str,
    adopted: bool,
    scoping: &Scoping,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(org_frameworks::table.find((org_id, framework_id)))
        .set((
            org_frameworks::adopted.eq(adopted),
            org_frameworks::scoping.eq(scoping.to_json()),
            org_frameworks::changed_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(org_frameworks::table)
            .values((
                org_frameworks::org_id.eq(org_id),
                org_frameworks::framework_id.eq(framework_id),
                org_frameworks::adopted.eq(adopted),
                org_frameworks::scoping.eq(scoping.to_json()),
                org_frameworks::first_adopted_at.eq(now),
                org_frameworks::changed_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A requirement marked not applicable, with who did it.
#[derive(Clone, Debug, Queryable)]
pub struct Exclusion {
    pub requirement_id: String,
    pub justification: String,
    pub excluded_by: Option<String>,
    pub excluded_at: NaiveDateTime,
}

/// A framework's exclusions, in one statement.
pub fn exclusions(conn: &mut DbConnection, org_id: &OrgId, framework_id: &str) -> QueryResult<Vec<Exclusion>> {
    requirement_exclusions::table
        .left_join(users::table.on(users::id.nullable().eq(requirement_exclusions::excluded_by_user_id)))
        .filter(requirement_exclusions::org_id.eq(org_id))
        .filter(requirement_exclusions::framework_id.eq(framework_id))
        .select((
            requirement_exclusions::requirement_id,
            requirement_exclusions::justification,
            users::name.nullable(),
            requirement_exclusions::excluded_at,
        ))
        .load(conn)
}

/// Marks a requirement not applicable (or changes why); true when it was applicable before.
pub fn exclude(
    conn: &mut DbConnection,
    org_id: &OrgId,
    framework_id: &str,
    requirement_id: &str,
    justification: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let key = (org_id, framework_id, requirement_id);
    let updated = diesel::update(requirement_exclusions::table.find(key))
        .set((
            requirement_exclusions::justification.eq(justification),
            requirement_exclusions::excluded_by_user_id.eq(by),
            requirement_exclusions::excluded_at.eq(now),
        ))
        .execute(conn)?;
    if updated > 0 {
        return Ok(false);
    }
    diesel::insert_into(requirement_exclusions::table)
        .values((
            requirement_exclusions::org_id.eq(org_id),
            requirement_exclusions::framework_id.eq(framework_id),
            requirement_exclusions::requirement_id.eq(requirement_id),
            requirement_exclusions::justification.eq(justification),
            requirement_exclusions::excluded_by_user_id.eq(by),
            requirement_exclusions::excluded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Makes a requirement applicable again; true when it was excluded.
pub fn include(conn: &mut DbConnection, org_id: &OrgId, framework_id: &str, requirement_id: &str) -> QueryResult<bool> {
    let deleted =
        diesel::delete(requirement_exclusions::table.find((org_id, framework_id, requirement_id))).execute(conn)?;
    Ok(deleted > 0)
}
