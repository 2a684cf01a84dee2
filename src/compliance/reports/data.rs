//! What reports read: the organization's program computed now by the one score function (its facts: three
//! statements), and its in-scope controls with owners and evidence counts (one statement).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::compliance::program::ControlStatus;
use crate::compliance::program::facts::{self, Facts};
use crate::compliance::program::index::CatalogIndex;
use crate::compliance::scores::compute::{Scores, compute};
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};
use crate::schema::{org_controls, users};

/// One in-scope control as reports show it.
#[derive(Clone, Debug)]
pub struct ControlLine {
    pub control: usize,
    pub status: ControlStatus,
    pub owner_name: String,
    pub owner_email: String,
    pub due_on: Option<Day>,
    /// Linked evidence that is not rejected (approved or awaiting approval).
    pub evidence: i32,
    pub effective: bool,
}

pub struct Program<'a> {
    pub index: &'a CatalogIndex,
    pub facts: Facts<'a>,
    pub scores: Scores,
    /// In catalog order.
    pub controls: Vec<ControlLine>,
}

impl<'a> Program<'a> {
    pub fn control(&self, control: usize) -> Option<&ControlLine> {
        self.controls.iter().find(|c| c.control == control)
    }

    /// The requirements of an adopted framework that count (in scope and applicable) each control satisfies:
    /// control -> requirement ids.
    pub fn counted_requirements(&self, framework: usize) -> HashMap<usize, Vec<String>> {
        let mut out: HashMap<usize, Vec<String>> = HashMap::new();
        let Some(result) = self.scores.framework(framework) else { return out };
        let entry = &self.index.frameworks[framework];
        // A control marked not applicable is left out of its requirements (as the scores leave it out).
        for &(ri, _) in result.requirements.iter().filter(|(_, o)| o.counts()) {
            for &c in &entry.requirements[ri].controls {
                if self.facts.control(c).status != ControlStatus::NotApplicable {
                    out.entry(c).or_default().push(entry.requirements[ri].id.clone());
                }
            }
        }
        out
    }
}

/// (control id, status, owner name, owner email, due, approved evidence, pending evidence).
type StoredControl = (String, ControlStatus, Option<String>, Option<String>, Option<Day>, i32, i32);

pub fn load<'a>(
    conn: &mut DbConnection,
    index: &'a CatalogIndex,
    org_id: &OrgId,
    today: Day,
) -> QueryResult<Program<'a>> {
    let (facts, _) = facts::load(conn, index, org_id, today)?;
    let scores = compute(&facts);
    let rows: Vec<StoredControl> = org_controls::table
        .left_join(users::table.on(users::id.nullable().eq(org_controls::owner_user_id)))
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::in_scope.eq(true))
        .order(org_controls::position)
        .select((
            org_controls::control_id,
            org_controls::status,
            users::name.nullable(),
            users::email.nullable(),
            org_controls::due_on,
            org_controls::evidence_approved,
            org_controls::evidence_pending,
        ))
        .load(conn)?;
    let controls = rows
        .into_iter()
        .filter_map(|(id, status, name, email, due_on, approved, pending)| {
            let control = index.control(&id)?;
            Some(ControlLine {
                control,
                status,
                owner_name: name.unwrap_or_default(),
                owner_email: email.unwrap_or_default(),
                due_on,
                evidence: approved + pending,
                effective: facts.control(control).is_effective(today),
            })
        })
        .collect();
    Ok(Program { index, facts, scores, controls })
}
