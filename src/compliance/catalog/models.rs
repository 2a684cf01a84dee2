//! Reading the loaded catalog for the pages: a fixed number of queries per page, whatever the framework's size.
//! Retired rows (no longer in the data) are kept in the tables but never listed.

use std::collections::{BTreeMap, HashMap};

use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use super::crosswalk::MappingRow;
use super::data::{Evidence, MappingKind};
use crate::db::DbConnection;
use crate::schema::{
    catalog_aliases as a, catalog_controls as c, catalog_domains as d, catalog_frameworks as f,
    catalog_mapping_sources as ms, catalog_mappings as m, catalog_meta, catalog_requirements as r,
};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = f)]
pub struct FrameworkRecord {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub version: String,
    pub publisher: String,
    pub url: String,
    pub description: String,
    pub sources: String,
}

impl FrameworkRecord {
    /// The official documents the structure was taken from.
    pub fn source_list(&self) -> Vec<String> {
        serde_json::from_str(&self.sources).unwrap_or_default()
    }
}

/// A framework with its counts, for the catalog's front page.
#[derive(Clone, Debug)]
pub struct FrameworkStats {
    pub framework: FrameworkRecord,
    pub requirements: i64,
    pub assessable: i64,
    /// Distinct common controls mapped to the framework.
    pub controls: i64,
    /// Assessable requirements mapped from at least one common control.
    pub covered: i64,
}

impl FrameworkStats {
    pub fn coverage_percent(&self) -> i64 {
        if self.assessable == 0 { 0 } else { self.covered * 100 / self.assessable }
    }
    pub fn grouping(&self) -> i64 {
        self.requirements - self.assessable
    }
}

/// The loaded catalog version (None before the first load).
pub fn loaded_version(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    catalog_meta::table.find(1).select(catalog_meta::version).first(conn).optional()
}

/// Every current framework with its counts: three queries.
pub fn framework_stats(conn: &mut DbConnection) -> QueryResult<Vec<FrameworkStats>> {
    let frameworks: Vec<FrameworkRecord> =
        f::table.filter(f::retired_at.is_null()).order(f::position).select(FrameworkRecord::as_select()).load(conn)?;
    let counts: Vec<(String, bool, i64)> = r::table
        .filter(r::retired_at.is_null())
        .group_by((r::framework_id, r::assessable))
        .select((r::framework_id, r::assessable, count_star()))
        .load(conn)?;
    let mapped: Vec<(String, i64, i64)> = m::table
        .filter(m::kind.eq(MappingKind::Primary.as_str()))
        .group_by(m::framework_id)
        .select((
            m::framework_id,
            count(m::control_id).aggregate_distinct(),
            count(m::requirement_id).aggregate_distinct(),
        ))
        .load(conn)?;
    Ok(frameworks
        .into_iter()
        .map(|framework| {
            let of = |assessable: bool| {
                counts
                    .iter()
                    .filter(|(id, a, _)| *id == framework.id && *a == assessable)
                    .map(|(_, _, n)| *n)
                    .sum::<i64>()
            };
            let (controls, covered) =
                mapped.iter().find(|(id, _, _)| *id == framework.id).map(|(_, c, r)| (*c, *r)).unwrap_or((0, 0));
            let assessable = of(true);
            FrameworkStats { requirements: assessable + of(false), assessable, controls, covered, framework }
        })
        .collect())
}

pub fn find_framework(conn: &mut DbConnection, id: &str) -> QueryResult<Option<FrameworkRecord>> {
    f::table.find(id).filter(f::retired_at.is_null()).select(FrameworkRecord::as_select()).first(conn).optional()
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = r)]
pub struct RequirementRecord {
    pub framework_id: String,
    pub requirement_id: String,
    pub parent_id: Option<String>,
    pub top_id: String,
    pub kind: String,
    pub depth: i32,
    pub title: String,
    pub summary: String,
    pub assessable: bool,
    pub attributes: String,
}

impl RequirementRecord {
    pub fn attribute_map(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.attributes).unwrap_or_default()
    }
}

/// The top-level nodes of a framework (functions, sections, principal requirements...): (id, title).
pub fn top_groups(conn: &mut DbConnection, framework_id: &str) -> QueryResult<Vec<(String, String)>> {
    r::table
        .filter(r::framework_id.eq(framework_id))
        .filter(r::retired_at.is_null())
        .filter(r::depth.eq(0))
        .order(r::position)
        .select((r::requirement_id, r::title))
        .load(conn)
}

/// A framework's requirements in official order, optionally only those under one top-level node.
pub fn requirements(
    conn: &mut DbConnection,
    framework_id: &str,
    group: Option<&str>,
) -> QueryResult<Vec<RequirementRecord>> {
    let mut q = r::table
        .filter(r::framework_id.eq(framework_id))
        .filter(r::retired_at.is_null())
        .order(r::position)
        .select(RequirementRecord::as_select())
        .into_boxed();
    if let Some(group) = group {
        q = q.filter(r::top_id.eq(group.to_string()));
    }
    q.load(conn)
}

/// A common control as mapped to one requirement.
#[derive(Queryable, Clone, Debug)]
pub struct MappedControl {
    pub requirement_id: String,
    pub control_id: String,
    pub control_title: String,
    /// primary | related
    pub kind: String,
    /// Empty on related mappings.
    pub relationship: String,
    pub note: String,
}

impl MappedControl {
    pub fn is_primary(&self) -> bool {
        MappingKind::parse(&self.kind).is_primary()
    }
}

/// The mappings of a framework with the control's title, primary first, in one query: requirement id -> controls.
/// With `requirement`, only that requirement's.
pub fn framework_mappings(
    conn: &mut DbConnection,
    framework_id: &str,
    requirement: Option<&str>,
) -> QueryResult<HashMap<String, Vec<MappedControl>>> {
    let mut q = m::table
        .inner_join(c::table)
        .filter(m::framework_id.eq(framework_id))
        .order((m::kind, c::position, m::position))
        .select((m::requirement_id, m::control_id, c::title, m::kind, m::relationship, m::note))
        .into_boxed();
    if let Some(requirement) = requirement {
        q = q.filter(m::requirement_id.eq(requirement.to_string()));
    }
    let rows: Vec<MappedControl> = q.load(conn)?;
    let mut by_requirement: HashMap<String, Vec<MappedControl>> = HashMap::new();
    for row in rows {
        by_requirement.entry(row.requirement_id.clone()).or_default().push(row);
    }
    Ok(by_requirement)
}

/// Every alias of a framework: requirement id -> older identifiers.
pub fn framework_aliases(conn: &mut DbConnection, framework_id: &str) -> QueryResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = a::table
        .filter(a::framework_id.eq(framework_id))
        .order((a::requirement_id, a::alias))
        .select((a::requirement_id, a::alias))
        .load(conn)?;
    let mut by_requirement: HashMap<String, Vec<String>> = HashMap::new();
    for (requirement, alias) in rows {
        by_requirement.entry(requirement).or_default().push(alias);
    }
    Ok(by_requirement)
}

/// A published crosswalk (or our own reading) a framework's mappings were checked against.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ms)]
pub struct MappingSource {
    /// The other side of the pair: a framework id, or "ccf".
    pub other_framework: String,
    pub title: String,
    pub url: String,
}

pub fn mapping_sources(conn: &mut DbConnection, framework_id: &str) -> QueryResult<Vec<MappingSource>> {
    ms::table
        .filter(ms::framework_id.eq(framework_id))
        .order(ms::position)
        .select(MappingSource::as_select())
        .load(conn)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = d)]
pub struct DomainRecord {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = c)]
pub struct ControlRecord {
    pub id: String,
    pub domain_id: String,
    pub title: String,
    pub description: String,
    pub evidence: String,
}

impl ControlRecord {
    pub fn evidence_list(&self) -> Vec<Evidence> {
        serde_json::from_str(&self.evidence).unwrap_or_default()
    }
}

pub fn domains(conn: &mut DbConnection) -> QueryResult<Vec<DomainRecord>> {
    d::table.filter(d::retired_at.is_null()).order(d::position).select(DomainRecord::as_select()).load(conn)
}

pub fn controls(conn: &mut DbConnection, domain: Option<&str>) -> QueryResult<Vec<ControlRecord>> {
    let mut q =
        c::table.filter(c::retired_at.is_null()).order(c::position).select(ControlRecord::as_select()).into_boxed();
    if let Some(domain) = domain {
        q = q.filter(c::domain_id.eq(domain.to_string()));
    }
    q.load(conn)
}

/// control id -> (requirements it satisfies by primary mappings, frameworks they belong to), in one query.
pub fn control_reach(conn: &mut DbConnection) -> QueryResult<HashMap<String, (i64, i64)>> {
    let rows: Vec<(String, i64, i64)> = m::table
        .filter(m::kind.eq(MappingKind::Primary.as_str()))
        .group_by(m::control_id)
        .select((m::control_id, count_star(), count(m::framework_id).aggregate_distinct()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, reqs, fws)| (id, (reqs, fws))).collect())
}

pub fn find_control(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(ControlRecord, DomainRecord)>> {
    c::table
        .inner_join(d::table)
        .filter(c::id.eq(id))
        .filter(c::retired_at.is_null())
        .select((ControlRecord::as_select(), DomainRecord::as_select()))
        .first(conn)
        .optional()
}

/// A requirement a common control satisfies.
#[derive(Queryable, Clone, Debug)]
pub struct SatisfiedRequirement {
    pub framework_id: String,
    pub framework_name: String,
    pub requirement_id: String,
    pub top_id: String,
    pub title: String,
    pub attributes: String,
    pub kind: String,
    pub relationship: String,
    pub note: String,
}

/// Every requirement a control is mapped to (primary or related), by framework then official order: one query.
pub fn control_mappings(conn: &mut DbConnection, control_id: &str) -> QueryResult<Vec<SatisfiedRequirement>> {
    m::table
        .inner_join(r::table.on(r::framework_id.eq(m::framework_id).and(r::requirement_id.eq(m::requirement_id))))
        .inner_join(f::table.on(f::id.eq(m::framework_id)))
        .filter(m::control_id.eq(control_id))
        .filter(r::retired_at.is_null())
        .order((f::position, r::position))
        .select((
            m::framework_id,
            f::short_name,
            m::requirement_id,
            r::top_id,
            r::title,
            r::attributes,
            m::kind,
            m::relationship,
            m::note,
        ))
        .load(conn)
}

/// One requirement of a framework (not retired).
pub fn find_requirement(
    conn: &mut DbConnection,
    framework_id: &str,
    requirement_id: &str,
) -> QueryResult<Option<RequirementRecord>> {
    r::table
        .find((framework_id, requirement_id))
        .filter(r::retired_at.is_null())
        .select(RequirementRecord::as_select())
        .first(conn)
        .optional()
}

/// A requirement of another framework reached through one of the given controls.
#[derive(Queryable, Clone, Debug)]
pub struct ReachedRequirement {
    pub framework_id: String,
    pub framework_name: String,
    pub requirement_id: String,
    pub title: String,
    pub control_id: String,
    pub kind: String,
}

/// The requirements of the other frameworks these controls are mapped to, by framework then official order:
/// one query (the mappings' primary key leads with the control).
pub fn reached_through(
    conn: &mut DbConnection,
    framework_id: &str,
    control_ids: &[String],
) -> QueryResult<Vec<ReachedRequirement>> {
    m::table
        .inner_join(r::table.on(r::framework_id.eq(m::framework_id).and(r::requirement_id.eq(m::requirement_id))))
        .inner_join(f::table.on(f::id.eq(m::framework_id)))
        .filter(m::control_id.eq_any(control_ids))
        .filter(m::framework_id.ne(framework_id))
        .filter(r::retired_at.is_null())
        .filter(f::retired_at.is_null())
        .order((f::position, r::position, m::kind))
        .select((m::framework_id, f::short_name, m::requirement_id, r::title, m::control_id, m::kind))
        .load(conn)
}

/// The current frameworks: (id, short name), in catalog order.
pub fn framework_names(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    f::table.filter(f::retired_at.is_null()).order(f::position).select((f::id, f::short_name)).load(conn)
}

/// How many assessable requirements a framework has.
pub fn count_assessable(conn: &mut DbConnection, framework_id: &str) -> QueryResult<i64> {
    r::table
        .filter(r::framework_id.eq(framework_id))
        .filter(r::retired_at.is_null())
        .filter(r::assessable.eq(true))
        .count()
        .get_result(conn)
}

/// A framework's assessable requirements in official order, (id, title); a page of them with `limit`/`offset`.
pub fn assessable_requirements(
    conn: &mut DbConnection,
    framework_id: &str,
    page: Option<(i64, i64)>,
) -> QueryResult<Vec<(String, String)>> {
    let mut q = r::table
        .filter(r::framework_id.eq(framework_id))
        .filter(r::retired_at.is_null())
        .filter(r::assessable.eq(true))
        .order(r::position)
        .select((r::requirement_id, r::title))
        .into_boxed();
    if let Some((limit, offset)) = page {
        q = q.limit(limit).offset(offset);
    }
    q.load(conn)
}

/// A framework's mappings as the crosswalk needs them, optionally only those of some requirements.
pub fn mapping_rows(
    conn: &mut DbConnection,
    framework_id: &str,
    requirements: Option<&[String]>,
) -> QueryResult<Vec<MappingRow>> {
    let mut q = m::table
        .filter(m::framework_id.eq(framework_id))
        .select((m::requirement_id, m::control_id, m::kind))
        .into_boxed();
    if let Some(ids) = requirements {
        q = q.filter(m::requirement_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(String, String, String)> = q.load(conn)?;
    Ok(rows.into_iter().map(|(r, c, k)| (r, c, MappingKind::parse(&k))).collect())
}
