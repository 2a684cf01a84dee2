//! The compliance program (issue 8): frameworks, controls, approvals, evidence, scores, reports and registers.
//! Most tests work in the fixture's T2 client, Tier Two Legal, whose Admin is Olive; `team` adds its compliance
//! people (an analyst and two approvers).

pub mod campaigns;
mod controls;
mod cost;
mod evidence;
mod frameworks;
pub mod people;
pub mod policies;
mod registers;
pub mod risks;
mod scores;

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::support::fixture;
use palisade::auth::permissions::Role;
use palisade::compliance::catalog::data::{self, MappingKind};
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};
use palisade::schema::org_controls;

/// The compliance people of a client.
pub struct Team {
    /// Grace, an Analyst.
    pub analyst: UserId,
    /// Raj, an Approver.
    pub approver: UserId,
    /// Nina, an Approver (Privacy).
    pub privacy: UserId,
}

pub fn team(conn: &mut DbConnection, org: &OrgId) -> Team {
    let person = |conn: &mut DbConnection, email: &str, name: &str, role: Role| {
        let user = fixture::user(conn, email, name);
        fixture::member(conn, org, &user, role);
        user
    };
    Team {
        analyst: person(conn, "grace@tiertwo.test", "Grace Analyst", Role::Employee),
        approver: person(conn, "raj@tiertwo.test", "Raj Approver", Role::ComplianceOfficer),
        privacy: person(conn, "nina@tiertwo.test", "Nina Privacy", Role::PrivacyOfficer),
    }
}

/// The common controls a framework needs by primary mappings to its assessable requirements (SOC 2: the
/// Security ones only, its default scope), read from the catalog data itself rather than the program's index.
pub fn needed_by(framework: &str) -> BTreeSet<String> {
    let catalog = data::embedded().unwrap();
    let f = catalog.framework(framework).unwrap();
    let assessable: BTreeSet<&str> = f
        .requirements
        .iter()
        .filter(|r| r.assessable)
        .filter(|r| framework != "soc2" || r.attributes.get("category").is_none_or(|c| c == "Security"))
        .filter(|r| framework != "cmmc-2" || r.attributes.get("level").is_none_or(|l| l == "2"))
        .map(|r| r.id.as_str())
        .collect();
    catalog
        .mapping_file(framework)
        .unwrap()
        .mappings
        .iter()
        .filter(|m| m.kind == MappingKind::Primary && assessable.contains(m.requirement.as_str()))
        .map(|m| m.control.clone())
        .collect()
}

/// A control row as the tests check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub status: String,
    pub owner: Option<String>,
    pub notes: String,
    pub in_scope: bool,
    pub due_on: Option<String>,
}

pub fn control(conn: &mut DbConnection, org: &OrgId, control_id: &str) -> Row {
    let (status, owner, notes, in_scope, due_on) = org_controls::table
        .filter(org_controls::org_id.eq(org.as_str()))
        .filter(org_controls::control_id.eq(control_id))
        .select((
            org_controls::status,
            org_controls::owner_user_id,
            org_controls::notes,
            org_controls::in_scope,
            org_controls::due_on,
        ))
        .first::<(String, Option<String>, String, bool, Option<String>)>(conn)
        .unwrap();
    Row { status, owner, notes, in_scope, due_on }
}

/// How many control rows the organization has, and how many distinct catalog controls they are.
pub fn control_rows(conn: &mut DbConnection, org: &OrgId) -> (i64, i64) {
    let ids: Vec<String> = org_controls::table
        .filter(org_controls::org_id.eq(org.as_str()))
        .select(org_controls::control_id)
        .load(conn)
        .unwrap();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    (ids.len() as i64, distinct.len() as i64)
}

/// The stored score of a framework ("" for the overall one): (in scope, met, partial, unmet, percent).
pub fn score(conn: &mut DbConnection, org: &OrgId, framework: &str) -> (i32, i32, i32, i32, Option<i32>) {
    use palisade::schema::compliance_scores as s;
    s::table
        .filter(s::org_id.eq(org.as_str()))
        .filter(s::framework_id.eq(framework))
        .select((s::in_scope, s::met, s::partial, s::unmet, s::percent))
        .first(conn)
        .unwrap()
}

/// The flash message of a page.
pub fn flash(body: &str) -> String {
    let at = body.find("class=\"flash").unwrap_or_else(|| panic!("no flash in {}", crate::support::strip_tags(body)));
    let rest = &body[at..];
    let text = &rest[rest.find('>').unwrap() + 1..];
    crate::support::strip_tags(&text[..text.find("</div>").unwrap()])
}
