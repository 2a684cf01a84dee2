//! What an organization's scores are made of, loaded in three statements: its adopted frameworks with their
//! scoping, the requirements it marked not applicable, and each control's status and evidence summary.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::ControlStatus;
use super::index::CatalogIndex;
use super::scoping::Scoping;
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};
use crate::schema::{org_controls, org_frameworks, requirement_exclusions};

/// An adopted framework (an index into the catalog index) and its scoping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adopted {
    pub framework: usize,
    pub scoping: Scoping,
}

/// One control's status and the summary of its approved evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlFacts {
    pub status: ControlStatus,
    /// Approved evidence items linked to it.
    pub evidence_approved: i32,
    /// The earliest valid-until among them.
    pub evidence_valid_until: Option<Day>,
}

impl Default for ControlFacts {
    fn default() -> ControlFacts {
        ControlFacts { status: ControlStatus::NotStarted, evidence_approved: 0, evidence_valid_until: None }
    }
}

impl ControlFacts {
    /// Effective: Implemented, with approved evidence, none of it expired on `today` (valid through its
    /// valid-until day). A control with no evidence at all is Implemented but not effective.
    pub fn is_effective(&self, today: Day) -> bool {
        self.status == ControlStatus::Implemented
            && self.evidence_approved > 0
            && self.evidence_valid_until.is_some_and(|until| until >= today)
    }

    pub fn has_expired_evidence(&self, today: Day) -> bool {
        self.evidence_valid_until.is_some_and(|until| until < today)
    }
}

/// Everything the score function reads.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub index: &'a CatalogIndex,
    /// In catalog order.
    pub adopted: Vec<Adopted>,
    /// (framework, requirement) indexes marked not applicable.
    pub excluded: HashSet<(usize, usize)>,
    /// Control index -> facts; a control without a row is not started, with no evidence.
    pub controls: HashMap<usize, ControlFacts>,
    pub today: Day,
}

impl<'a> Facts<'a> {
    pub fn new(index: &'a CatalogIndex, today: Day) -> Facts<'a> {
        Facts { index, adopted: Vec::new(), excluded: HashSet::new(), controls: HashMap::new(), today }
    }

    pub fn control(&self, control: usize) -> ControlFacts {
        self.controls.get(&control).copied().unwrap_or_default()
    }

    pub fn is_adopted(&self, framework: usize) -> bool {
        self.adopted.iter().any(|a| a.framework == framework)
    }
}

/// A stored control row as far as the program needs it (the refresh compares the derived columns).
#[derive(Clone, Debug, Queryable)]
pub struct ControlRow {
    pub control_id: String,
    pub status: ControlStatus,
    pub evidence_approved: i32,
    pub evidence_valid_until: Option<Day>,
    pub in_scope: bool,
    pub frameworks: String,
    pub position: i32,
}

/// The organization's facts (and its control rows, for the refresh): three statements.
pub fn load<'a>(
    conn: &mut DbConnection,
    index: &'a CatalogIndex,
    org_id: &OrgId,
    today: Day,
) -> QueryResult<(Facts<'a>, Vec<ControlRow>)> {
    load_controls(conn, index, org_id, today, None)
}

/// Like `load`, with only the facts of some controls (`only`): enough for the outcomes of the requirements
/// those controls are all the controls of (a control's page reads its requirements' neighbours, not all 200).
pub fn load_controls<'a>(
    conn: &mut DbConnection,
    index: &'a CatalogIndex,
    org_id: &OrgId,
    today: Day,
    only: Option<&[String]>,
) -> QueryResult<(Facts<'a>, Vec<ControlRow>)> {
    let mut facts = Facts::new(index, today);
    let adopted: Vec<(String, String)> = org_frameworks::table
        .filter(org_frameworks::org_id.eq(org_id))
        .filter(org_frameworks::adopted.eq(true))
        .select((org_frameworks::framework_id, org_frameworks::scoping))
        .load(conn)?;
    facts.adopted = adopted
        .into_iter()
        .filter_map(|(id, scoping)| {
            Some(Adopted { framework: index.framework(&id)?, scoping: Scoping::from_json(&scoping) })
        })
        .collect();
    facts.adopted.sort_by_key(|a| a.framework);
    let excluded: Vec<(String, String)> = requirement_exclusions::table
        .filter(requirement_exclusions::org_id.eq(org_id))
        .select((requirement_exclusions::framework_id, requirement_exclusions::requirement_id))
        .load(conn)?;
    facts.excluded = excluded
        .into_iter()
        .filter_map(|(f, r)| {
            let fi = index.framework(&f)?;
            Some((fi, index.frameworks[fi].requirement(&r)?))
        })
        .collect();
    let mut query = org_controls::table.filter(org_controls::org_id.eq(org_id)).into_boxed();
    if let Some(only) = only {
        query = query.filter(org_controls::control_id.eq_any(only.to_vec()));
    }
    let rows: Vec<ControlRow> = query
        .select((
            org_controls::control_id,
            org_controls::status,
            org_controls::evidence_approved,
            org_controls::evidence_valid_until,
            org_controls::in_scope,
            org_controls::frameworks,
            org_controls::position,
        ))
        .load(conn)?;
    for row in &rows {
        if let Some(ci) = index.control(&row.control_id) {
            let control = ControlFacts {
                status: row.status,
                evidence_approved: row.evidence_approved,
                evidence_valid_until: row.evidence_valid_until,
            };
            facts.controls.insert(ci, control);
        }
    }
    Ok((facts, rows))
}
