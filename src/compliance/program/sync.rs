//! Keeping an organization's program in step with what it is made of. Every change that can move a score (a
//! status, an approval, evidence, adoption, scoping, applicability) calls [`refresh`] in its own transaction:
//! the organization gets a control row for every control its adopted frameworks need (created when first
//! needed, never deleted, so unadopting and adopting again finds the same statuses, owners, notes and
//! evidence), the derived columns of its rows are rewritten where they changed, and the scores are stored.
//! [`after_catalog_load`] does the same for every organization when a new catalog version is loaded.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::facts::{self, ControlRow};
use super::index::CatalogIndex;
use crate::compliance::scores::compute::{Scores, compute};
use crate::compliance::scores::store;
use crate::db::ids::{OrgControlId, OrgId};
use crate::db::{Day, DbConnection, settings, write_transaction};
use crate::schema::{compliance_programs, org_controls, organizations};

/// Rows per multi-row INSERT.
const CHUNK: usize = 200;

/// What a refresh found and did.
#[derive(Clone, Debug)]
pub struct Refreshed {
    /// The controls that were in scope before.
    pub in_scope_before: BTreeSet<usize>,
    pub scores: Scores,
    /// Control rows created (first needed now).
    pub created: usize,
}

/// Recomputes the organization's program on `today` (its local day) and stores the result: call it inside the
/// transaction of the change.
pub fn refresh(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    today: Day,
    now: NaiveDateTime,
) -> QueryResult<Refreshed> {
    let (facts, rows) = facts::load(conn, index, org_id, today)?;
    let scores = compute(&facts);
    let in_scope_before: BTreeSet<usize> =
        rows.iter().filter(|r| r.in_scope).filter_map(|r| index.control(&r.control_id)).collect();
    let created = create_missing(conn, index, org_id, &scores, &rows, now)?;
    // The asset-management controls take the asset inventory as evidence from the moment they are needed.
    let living: Vec<String> = crate::compliance::evidence::living::CONTROLS
        .iter()
        .filter(|(id, _)| index.control(id).is_some_and(|c| scores.controls.contains_key(&c)))
        .filter(|(id, _)| !rows.iter().any(|r| r.control_id == *id))
        .map(|(id, _)| id.to_string())
        .collect();
    if created > 0 && !living.is_empty() {
        crate::compliance::evidence::models::resummarize(conn, org_id, &living, now)?;
        let again = refresh(conn, index, org_id, today, now)?;
        return Ok(Refreshed { in_scope_before, created, ..again });
    }
    rewrite_derived(conn, index, org_id, &scores, &rows, now)?;
    store::save(conn, index, org_id, &scores, now)?;
    Ok(Refreshed { in_scope_before, scores, created })
}

/// " hipaa soc2 ": the frameworks a control serves, as the list's framework filter matches them.
pub fn frameworks_column(index: &CatalogIndex, frameworks: &[usize]) -> String {
    if frameworks.is_empty() {
        return String::new();
    }
    let mut sorted = frameworks.to_vec();
    sorted.sort();
    let ids: Vec<&str> = sorted.iter().map(|&f| index.frameworks[f].id.as_str()).collect();
    format!(" {} ", ids.join(" "))
}

fn create_missing(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    scores: &Scores,
    rows: &[ControlRow],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let existing: BTreeSet<&str> = rows.iter().map(|r| r.control_id.as_str()).collect();
    let new_rows: Vec<_> = scores
        .controls
        .iter()
        .filter(|(c, _)| !existing.contains(index.controls[**c].id.as_str()))
        .map(|(&c, frameworks)| {
            (
                org_controls::id.eq(OrgControlId::new()),
                org_controls::org_id.eq(org_id.clone()),
                org_controls::control_id.eq(index.controls[c].id.clone()),
                org_controls::in_scope.eq(true),
                org_controls::frameworks.eq(frameworks_column(index, frameworks)),
                org_controls::position.eq(c as i32),
                org_controls::created_at.eq(now),
                org_controls::updated_at.eq(now),
            )
        })
        .collect();
    for chunk in new_rows.chunks(CHUNK) {
        crate::batch_insert!(conn, org_controls::table, chunk)?;
    }
    Ok(new_rows.len())
}

/// Sets in_scope, frameworks and position where they differ from what the scores say: one UPDATE per distinct
/// new value (a handful when frameworks are adopted or unadopted, none on an ordinary status change).
fn rewrite_derived(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    scores: &Scores,
    rows: &[ControlRow],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut changes: std::collections::BTreeMap<(bool, String), Vec<String>> = Default::default();
    for row in rows {
        let Some(c) = index.control(&row.control_id) else {
            // A control the catalog retired: out of scope, kept.
            if row.in_scope || !row.frameworks.is_empty() {
                changes.entry((false, String::new())).or_default().push(row.control_id.clone());
            }
            continue;
        };
        let served = scores.controls.get(&c);
        let wanted = (served.is_some(), served.map(|f| frameworks_column(index, f)).unwrap_or_default());
        if (row.in_scope, row.frameworks.as_str()) != (wanted.0, wanted.1.as_str()) {
            changes.entry(wanted).or_default().push(row.control_id.clone());
        }
        if row.position != c as i32 {
            diesel::update(org_controls::table)
                .filter(org_controls::org_id.eq(org_id))
                .filter(org_controls::control_id.eq(&row.control_id))
                .set(org_controls::position.eq(c as i32))
                .execute(conn)?;
        }
    }
    for ((in_scope, frameworks), control_ids) in changes {
        diesel::update(org_controls::table)
            .filter(org_controls::org_id.eq(org_id))
            .filter(org_controls::control_id.eq_any(control_ids))
            .set((
                org_controls::in_scope.eq(in_scope),
                org_controls::frameworks.eq(frameworks),
                org_controls::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Makes sure the organization's daily work is scheduled (at its next local midnight); called on adoption.
pub fn ensure_scheduled(
    conn: &mut DbConnection,
    org_id: &OrgId,
    next: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let exists: bool =
        diesel::select(diesel::dsl::exists(compliance_programs::table.filter(compliance_programs::org_id.eq(org_id))))
            .get_result(conn)?;
    if !exists {
        diesel::insert_into(compliance_programs::table)
            .values((
                compliance_programs::org_id.eq(org_id),
                compliance_programs::next_daily_at.eq(next),
                compliance_programs::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Settings key: the catalog content every organization's program was last brought in step with.
const SYNCED_CATALOG: &str = "compliance_program_catalog";

/// After a catalog load: when the catalog differs from the one the programs were last refreshed against, every
/// organization with a program is refreshed (a mapping the new version adds creates the control where it is now
/// needed; statuses, owners, notes and evidence are never touched). Idempotent; one query when nothing changed.
/// Returns how many organizations were refreshed.
pub fn after_catalog_load(conn: &mut DbConnection, index: &CatalogIndex, now: NaiveDateTime) -> QueryResult<usize> {
    if settings::get(conn, SYNCED_CATALOG)?.as_deref() == Some(index.content_hash.as_str()) {
        return Ok(0);
    }
    let orgs: Vec<(OrgId, String)> = compliance_programs::table
        .inner_join(organizations::table.on(organizations::id.eq(compliance_programs::org_id)))
        .select((organizations::id, organizations::timezone))
        .load(conn)?;
    for (org_id, timezone) in &orgs {
        let tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        write_transaction(conn, |conn| refresh(conn, index, org_id, super::today(now, tz), now).map(|_| ()))?;
    }
    settings::set(conn, SYNCED_CATALOG, &index.content_hash, now)?;
    Ok(orgs.len())
}
