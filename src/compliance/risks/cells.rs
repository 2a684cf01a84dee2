//! The heat maps' figures, kept: for each map (inherent, residual) and cell, how many of the organization's risks
//! that are not closed sit there and their annualized exposure. Every write to `risks` goes through a function
//! of `models` that calls [`rebuild`] in its transaction, so the register reads these (at most 50) rows instead
//! of grouping every risk on each view.

use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::models::{RiskFilter, RiskStatus};
use super::scale::Level;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::locks::{LockClass, lock_org};
use crate::schema::{risk_heat, risks};

crate::text_enum! {
    /// Which score a heat map places risks by.
    pub enum MapKind {
        Inherent = "inherent",
        Residual = "residual",
    }
}

/// One cell of one map: its open risks and their exposure (low and high estimates, cents a year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Queryable)]
pub struct CellCount {
    pub map: MapKind,
    pub likelihood: i32,
    pub impact: i32,
    pub risks: i64,
    pub eal_low_cents: i64,
    pub eal_high_cents: i64,
}

/// The organization's kept cells (both maps, only cells with risks), in key order.
pub fn load(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<CellCount>> {
    risk_heat::table
        .filter(risk_heat::org_id.eq(org))
        .order((risk_heat::map, risk_heat::likelihood, risk_heat::impact))
        .select((
            risk_heat::map,
            risk_heat::likelihood,
            risk_heat::impact,
            risk_heat::risks,
            risk_heat::eal_low_cents,
            risk_heat::eal_high_cents,
        ))
        .load(conn)
}

/// How many risks the register's filter shows, read from the kept cells when they can tell (open risks, narrowed
/// at most by residual level and cell, or by inherent cell alone; any order), else None (the caller counts).
pub fn filtered_count(cells: &[CellCount], filter: &RiskFilter) -> Option<i64> {
    let RiskFilter {
        status,
        category,
        treatment,
        level,
        residual_cell,
        inherent_cell,
        owner,
        review_due,
        search,
        sort: _,
    } = filter;
    let open_only = status.is_none()
        && category.is_none()
        && treatment.is_none()
        && owner.is_none()
        && review_due.is_none()
        && search.is_empty();
    let (map, cell, level): (MapKind, Option<(i32, i32)>, Option<Level>) = match (inherent_cell, residual_cell) {
        _ if !open_only => return None,
        (Some(cell), None) if level.is_none() => (MapKind::Inherent, Some(*cell), None),
        (None, cell) => (MapKind::Residual, *cell, *level),
        _ => return None,
    };
    let shown = cells
        .iter()
        .filter(|c| c.map == map)
        .filter(|c| cell.is_none_or(|at| (c.likelihood, c.impact) == at))
        .filter(|c| level.is_none_or(|level| Level::of(c.likelihood * c.impact) == level));
    Some(shown.map(|c| c.risks).sum())
}

/// Replaces the organization's kept cells with a fresh count of its risks. Runs inside the transaction that
/// changed them; concurrent writers of the organization rebuild in turn (see `db::locks`).
pub fn rebuild(conn: &mut DbConnection, org: &OrgId) -> QueryResult<()> {
    lock_org(conn, LockClass::RiskHeat, org)?;
    let cells = count(conn, org)?;
    diesel::delete(risk_heat::table.filter(risk_heat::org_id.eq(org))).execute(conn)?;
    let rows: Vec<_> = cells
        .iter()
        .map(|c| {
            (
                risk_heat::org_id.eq(org.clone()),
                risk_heat::map.eq(c.map),
                risk_heat::likelihood.eq(c.likelihood),
                risk_heat::impact.eq(c.impact),
                risk_heat::risks.eq(c.risks),
                risk_heat::eal_low_cents.eq(c.eal_low_cents),
                risk_heat::eal_high_cents.eq(c.eal_high_cents),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::batch_insert!(conn, risk_heat::table, &rows)?;
    }
    Ok(())
}

/// (likelihood, impact, risks, exposure low, high) as grouped.
type Grouped = (i32, i32, i64, Option<i64>, Option<i64>);

/// The cells counted from the risks themselves, in key order: what [`load`] returns once [`rebuild`] ran (two
/// grouped statements, each read from its covering index).
pub fn count(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<CellCount>> {
    let open = risks::org_id.eq(org.clone()).and(risks::status.ne(RiskStatus::Closed));
    let exposure = (
        count_star(),
        diesel::dsl::sql::<Nullable<BigInt>>("CAST(SUM(eal_low_cents) AS BIGINT)"),
        diesel::dsl::sql::<Nullable<BigInt>>("CAST(SUM(eal_high_cents) AS BIGINT)"),
    );
    let inherent: Vec<Grouped> = risks::table
        .filter(open.clone())
        .group_by((risks::inherent_likelihood, risks::inherent_impact))
        .select((
            risks::inherent_likelihood,
            risks::inherent_impact,
            exposure.0,
            exposure.1.clone(),
            exposure.2.clone(),
        ))
        .order((risks::inherent_likelihood, risks::inherent_impact))
        .load(conn)?;
    let residual: Vec<Grouped> = risks::table
        .filter(open)
        .group_by((risks::residual_likelihood, risks::residual_impact))
        .select((risks::residual_likelihood, risks::residual_impact, exposure.0, exposure.1, exposure.2))
        .order((risks::residual_likelihood, risks::residual_impact))
        .load(conn)?;
    let cells = |map: MapKind, rows: Vec<Grouped>| {
        rows.into_iter().map(move |(likelihood, impact, risks, low, high)| CellCount {
            map,
            likelihood,
            impact,
            risks,
            eal_low_cents: low.unwrap_or(0),
            eal_high_cents: high.unwrap_or(0),
        })
    };
    Ok(cells(MapKind::Inherent, inherent).chain(cells(MapKind::Residual, residual)).collect())
}
