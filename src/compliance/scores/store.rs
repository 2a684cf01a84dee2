//! Stored scores: the current ones (rewritten by every refresh, so lists and the MSP dashboard read one row per
//! organization) and the daily snapshots behind the 90-day trend.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::compute::{Scores, Tally};
use crate::compliance::program::index::CatalogIndex;
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};
use crate::schema::{compliance_scores, compliance_snapshots};

/// The `framework_id` of the overall score's row.
pub const OVERALL: &str = "";

/// A stored score: the overall one (`framework_id` empty) or one framework's.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct StoredScore {
    pub framework_id: String,
    pub in_scope: i32,
    pub met: i32,
    pub partial: i32,
    pub unmet: i32,
    pub percent: Option<i32>,
}

impl StoredScore {
    pub fn tally(&self) -> Tally {
        Tally { in_scope: self.in_scope, met: self.met, partial: self.partial, unmet: self.unmet }
    }

    pub fn is_overall(&self) -> bool {
        self.framework_id == OVERALL
    }

    /// "72%", or "—" when nothing is in scope.
    pub fn percent_text(&self) -> String {
        percent_text(self.percent)
    }
}

pub fn percent_text(percent: Option<i32>) -> String {
    percent.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

fn rows(index: &CatalogIndex, scores: &Scores) -> Vec<StoredScore> {
    let stored = |framework_id: &str, t: Tally| StoredScore {
        framework_id: framework_id.to_string(),
        in_scope: t.in_scope,
        met: t.met,
        partial: t.partial,
        unmet: t.unmet,
        percent: t.percent(),
    };
    let mut out = vec![stored(OVERALL, scores.overall)];
    out.extend(scores.frameworks.iter().map(|f| stored(&index.frameworks[f.framework].id, f.tally)));
    out
}

/// Replaces the organization's current scores with these: two statements.
pub fn save(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    scores: &Scores,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(compliance_scores::table.filter(compliance_scores::org_id.eq(org_id))).execute(conn)?;
    let values: Vec<_> = rows(index, scores)
        .into_iter()
        .map(|s| {
            (
                compliance_scores::org_id.eq(org_id.clone()),
                compliance_scores::framework_id.eq(s.framework_id),
                compliance_scores::in_scope.eq(s.in_scope),
                compliance_scores::met.eq(s.met),
                compliance_scores::partial.eq(s.partial),
                compliance_scores::unmet.eq(s.unmet),
                compliance_scores::percent.eq(s.percent),
                compliance_scores::computed_at.eq(now),
            )
        })
        .collect();
    crate::batch_insert!(conn, compliance_scores::table, &values)?;
    Ok(())
}

/// The organization's current scores: the overall one first, then the frameworks'.
pub fn current(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<StoredScore>> {
    compliance_scores::table
        .filter(compliance_scores::org_id.eq(org_id))
        .order(compliance_scores::framework_id)
        .select((
            compliance_scores::framework_id,
            compliance_scores::in_scope,
            compliance_scores::met,
            compliance_scores::partial,
            compliance_scores::unmet,
            compliance_scores::percent,
        ))
        .load(conn)
}

/// The overall score of each of these organizations (None: no program, or nothing in scope), in one statement:
/// the MSP dashboard's score column.
pub fn overall_for(conn: &mut DbConnection, org_ids: Vec<OrgId>) -> QueryResult<HashMap<OrgId, Option<i32>>> {
    let rows: Vec<(OrgId, Option<i32>)> = compliance_scores::table
        .filter(compliance_scores::org_id.eq_any(org_ids))
        .filter(compliance_scores::framework_id.eq(OVERALL))
        .select((compliance_scores::org_id, compliance_scores::percent))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Records the scores as the organization's snapshot of `day` (once: a second snapshot of the same day
/// replaces the first).
pub fn snapshot(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    day: Day,
    scores: &Scores,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        compliance_snapshots::table
            .filter(compliance_snapshots::org_id.eq(org_id))
            .filter(compliance_snapshots::day.eq(day)),
    )
    .execute(conn)?;
    let values: Vec<_> = rows(index, scores)
        .into_iter()
        .map(|s| {
            (
                compliance_snapshots::org_id.eq(org_id.clone()),
                compliance_snapshots::day.eq(day),
                compliance_snapshots::framework_id.eq(s.framework_id),
                compliance_snapshots::in_scope.eq(s.in_scope),
                compliance_snapshots::met.eq(s.met),
                compliance_snapshots::partial.eq(s.partial),
                compliance_snapshots::unmet.eq(s.unmet),
                compliance_snapshots::percent.eq(s.percent),
                compliance_snapshots::taken_at.eq(now),
            )
        })
        .collect();
    crate::batch_insert!(conn, compliance_snapshots::table, &values)?;
    Ok(())
}

/// The snapshots from `since` on: (day, framework id, percent), oldest first.
pub fn history(conn: &mut DbConnection, org_id: &OrgId, since: Day) -> QueryResult<Vec<(Day, String, Option<i32>)>> {
    compliance_snapshots::table
        .filter(compliance_snapshots::org_id.eq(org_id))
        .filter(compliance_snapshots::day.ge(since))
        .order((compliance_snapshots::day, compliance_snapshots::framework_id))
        .select((compliance_snapshots::day, compliance_snapshots::framework_id, compliance_snapshots::percent))
        .load(conn)
}
