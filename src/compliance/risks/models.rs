//! Risks in the database: the risk itself (scores and exposure stored with it), its mitigating controls and
//! affected assets (link tables), the register's filter and order, and the figures the heat maps and the
//! organization's totals come from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::scale::Level;
use crate::db::ids::{AssetId, OrgId, RiskId, UserId};
use crate::db::{Day, DbConnection, MultiBackend};
use crate::schema::{risk_assets, risk_controls, risks, users};
use crate::web::pagination::contains_pattern;

crate::text_enum! {
    pub enum Category {
        Cyber = "cyber",
        Operational = "operational",
        Compliance = "compliance",
        ThirdParty = "third_party",
        People = "people",
        Physical = "physical",
        Financial = "financial",
        Strategic = "strategic",
    }
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Cyber => "Cybersecurity",
            Category::Operational => "Operational",
            Category::Compliance => "Legal and compliance",
            Category::ThirdParty => "Third party and vendors",
            Category::People => "People",
            Category::Physical => "Physical and environmental",
            Category::Financial => "Financial",
            Category::Strategic => "Strategic",
        }
    }

    /// By label or id, any case (what a CSV file may say).
    pub fn from_text(text: &str) -> Option<Category> {
        let text = text.trim().to_lowercase();
        Category::ALL.into_iter().find(|c| c.id() == text || c.label().to_lowercase() == text)
    }
}

crate::text_enum! {
    pub enum Treatment {
        Mitigate = "mitigate",
        Accept = "accept",
        Transfer = "transfer",
        Avoid = "avoid",
    }
}

impl Treatment {
    pub fn label(self) -> &'static str {
        match self {
            Treatment::Mitigate => "Mitigate",
            Treatment::Accept => "Accept",
            Treatment::Transfer => "Transfer",
            Treatment::Avoid => "Avoid",
        }
    }

    pub fn from_text(text: &str) -> Option<Treatment> {
        let text = text.trim().to_lowercase();
        Treatment::ALL.into_iter().find(|t| t.id() == text)
    }
}

crate::text_enum! {
    /// Where a risk is. Accepted is set by an approver's acceptance, Closed by the Close action (which records
    /// when); the form offers the first two.
    pub enum RiskStatus {
        Open = "open",
        InTreatment = "in_treatment",
        Accepted = "accepted",
        Closed = "closed",
    }
}

impl RiskStatus {
    pub const EDITABLE: [RiskStatus; 2] = [RiskStatus::Open, RiskStatus::InTreatment];

    pub fn label(self) -> &'static str {
        match self {
            RiskStatus::Open => "Open",
            RiskStatus::InTreatment => "In treatment",
            RiskStatus::Accepted => "Accepted",
            RiskStatus::Closed => "Closed",
        }
    }

    pub fn from_text(text: &str) -> Option<RiskStatus> {
        let text = text.trim().to_lowercase();
        RiskStatus::ALL.into_iter().find(|s| s.id() == text || s.label().to_lowercase() == text)
    }
}

/// A risk, whole: its summary (what the register shows, reached through `Deref`: `risk.title`, `risk.level()`)
/// and the rest, which only its own page, its form and the export read.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risks)]
pub struct Risk {
    #[diesel(embed)]
    pub summary: RiskSummary,
    pub org_id: OrgId,
    pub description: String,
    pub affected_processes: String,
    pub inherent_likelihood: i32,
    pub inherent_impact: i32,
    pub residual_likelihood: i32,
    pub residual_impact: i32,
    pub treatment_plan: String,
    pub treatment_due_on: Option<Day>,
    pub sle_low_cents: i64,
    pub aro_hundredths: i32,
    pub created_by_user_id: Option<UserId>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl std::ops::Deref for Risk {
    type Target = RiskSummary;
    fn deref(&self) -> &RiskSummary {
        &self.summary
    }
}

/// What the register's table shows of a risk: the register reads 50 of these a view, without the longer texts
/// and the timestamps.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risks)]
pub struct RiskSummary {
    pub id: RiskId,
    pub title: String,
    pub category: Category,
    pub owner_user_id: Option<UserId>,
    pub inherent_score: i32,
    pub residual_score: i32,
    pub treatment: Treatment,
    pub status: RiskStatus,
    pub next_review_on: Option<Day>,
    pub sle_high_cents: i64,
    pub eal_low_cents: i64,
    pub eal_high_cents: i64,
    pub accepted_score: Option<i32>,
    pub acceptance_expires_on: Option<Day>,
}

/// Why a risk asks for review today (the register's badge and the risk page's notice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewNeed {
    /// Its acceptance was of another residual score.
    StaleAcceptance,
    ExpiredAcceptance,
    ReviewOverdue,
}

impl ReviewNeed {
    pub fn label(self) -> &'static str {
        match self {
            ReviewNeed::StaleAcceptance => "Acceptance stale: the residual score changed",
            ReviewNeed::ExpiredAcceptance => "Acceptance expired",
            ReviewNeed::ReviewOverdue => "Review overdue",
        }
    }
}

impl RiskSummary {
    pub fn level(&self) -> Level {
        Level::of(self.residual_score)
    }
    pub fn inherent_level(&self) -> Level {
        Level::of(self.inherent_score)
    }
    pub fn is_closed(&self) -> bool {
        self.status == RiskStatus::Closed
    }

    /// The acceptance in force no longer matches the residual score.
    pub fn acceptance_stale(&self) -> bool {
        self.accepted_score.is_some_and(|accepted| accepted != self.residual_score)
    }

    /// What asks for review, the most pressing first (none for a closed risk).
    pub fn review_need(&self, today: &Day) -> Option<ReviewNeed> {
        if self.is_closed() {
            None
        } else if self.acceptance_stale() {
            Some(ReviewNeed::StaleAcceptance)
        } else if self.accepted_score.is_some() && self.acceptance_expires_on.is_some_and(|d| d < *today) {
            Some(ReviewNeed::ExpiredAcceptance)
        } else if self.next_review_on.is_some_and(|d| d < *today) {
            Some(ReviewNeed::ReviewOverdue)
        } else {
            None
        }
    }

    pub fn next_review_label(&self) -> String {
        self.next_review_on.map(Day::label).unwrap_or_default()
    }

    /// "$1,000.00 to $5,000.00 a year", or "" when no loss expectancy is recorded.
    pub fn eal_text(&self) -> String {
        exposure_text(self.eal_low_cents, self.eal_high_cents)
    }
    pub fn has_quantification(&self) -> bool {
        self.sle_high_cents > 0
    }
}

impl Risk {
    pub fn day_text(day: &Option<Day>) -> String {
        day.map(|d| d.as_str().to_string()).unwrap_or_default()
    }
    pub fn due_label(&self) -> String {
        self.treatment_due_on.map(Day::label).unwrap_or_default()
    }
}

/// "$1,000.00 to $5,000.00" (or one figure when both ends are equal).
pub fn exposure_text(low: i64, high: i64) -> String {
    if low == high {
        super::scale::money(low)
    } else {
        format!("{} to {}", super::scale::money(low), super::scale::money(high))
    }
}

/// A risk's validated details (from the form or a CSV row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskInput {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub affected_processes: String,
    pub owner_user_id: Option<UserId>,
    pub inherent: (i32, i32),
    pub residual: (i32, i32),
    pub treatment: Treatment,
    pub treatment_plan: String,
    pub treatment_due_on: Option<Day>,
    pub status: RiskStatus,
    pub next_review_on: Option<Day>,
    pub sle_low_cents: i64,
    pub sle_high_cents: i64,
    pub aro_hundredths: i32,
}

impl RiskInput {
    /// The annualized exposure range: SLE x ARO (cents, rounded down).
    pub fn eal(&self) -> (i64, i64) {
        let times = |sle: i64| sle.saturating_mul(i64::from(self.aro_hundredths)) / 100;
        (times(self.sle_low_cents), times(self.sle_high_cents))
    }
}

/// A risk of the organization by id, or None (another organization's ids are not found).
pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Risk>> {
    risks::table.filter(risks::org_id.eq(org)).filter(risks::id.eq(id)).select(Risk::as_select()).first(conn).optional()
}

/// Which risks the register shows.
#[derive(Clone, Debug, Default)]
pub struct RiskFilter {
    /// None: every risk that is not closed; Some(None): every risk.
    pub status: Option<Option<RiskStatus>>,
    pub category: Option<Category>,
    pub treatment: Option<Treatment>,
    pub level: Option<Level>,
    /// A heat-map cell: (likelihood, impact) of the residual or inherent scores.
    pub residual_cell: Option<(i32, i32)>,
    pub inherent_cell: Option<(i32, i32)>,
    /// An owner's user id as the filter sent it (compared with the column: another tenant's id matches nothing).
    pub owner: Option<String>,
    /// Risks asking for review today: review date or acceptance expiry passed, or acceptance stale.
    pub review_due: Option<Day>,
    pub search: String,
    pub sort: Sort,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Highest residual score first.
    #[default]
    Residual,
    Inherent,
    Title,
    /// Soonest review first, risks without a date last.
    Review,
    /// Largest exposure first.
    Exposure,
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 6] =
        [Sort::Residual, Sort::Inherent, Sort::Title, Sort::Review, Sort::Exposure, Sort::Updated];

    pub fn id(self) -> &'static str {
        match self {
            Sort::Residual => "residual",
            Sort::Inherent => "inherent",
            Sort::Title => "title",
            Sort::Review => "review",
            Sort::Exposure => "exposure",
            Sort::Updated => "updated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Residual => "Residual score",
            Sort::Inherent => "Inherent score",
            Sort::Title => "Title",
            Sort::Review => "Next review",
            Sort::Exposure => "Annual exposure",
            Sort::Updated => "Recently changed",
        }
    }

    pub fn parse(id: &str) -> Sort {
        Sort::ALL.into_iter().find(|s| s.id() == id).unwrap_or_default()
    }
}

type Filter = Box<dyn BoxableExpression<risks::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn condition(org: &OrgId, f: &RiskFilter) -> Filter {
    let mut filter: Filter = Box::new(risks::org_id.eq(org.clone()));
    filter = match f.status {
        None => Box::new(filter.and(risks::status.ne(RiskStatus::Closed))),
        Some(Some(status)) => Box::new(filter.and(risks::status.eq(status))),
        Some(None) => filter,
    };
    if let Some(category) = f.category {
        filter = Box::new(filter.and(risks::category.eq(category)));
    }
    if let Some(treatment) = f.treatment {
        filter = Box::new(filter.and(risks::treatment.eq(treatment)));
    }
    if let Some(level) = f.level {
        let (low, high) = level.scores();
        filter = Box::new(filter.and(risks::residual_score.between(low, high)));
    }
    if let Some((likelihood, impact)) = f.residual_cell {
        filter = Box::new(filter.and(risks::residual_likelihood.eq(likelihood)).and(risks::residual_impact.eq(impact)));
    }
    if let Some((likelihood, impact)) = f.inherent_cell {
        filter = Box::new(filter.and(risks::inherent_likelihood.eq(likelihood)).and(risks::inherent_impact.eq(impact)));
    }
    if let Some(owner) = &f.owner {
        filter = Box::new(filter.and(risks::owner_user_id.assume_not_null().eq(owner.clone())));
    }
    if let Some(today) = f.review_due {
        let accepted = risks::accepted_score.is_not_null();
        let due = risks::next_review_on
            .assume_not_null()
            .lt(today)
            .or(accepted.and(risks::acceptance_expires_on.assume_not_null().lt(today)))
            .or(accepted.and(risks::accepted_score.assume_not_null().ne(risks::residual_score)));
        filter = Box::new(filter.and(risks::status.ne(RiskStatus::Closed)).and(due));
    }
    if !f.search.is_empty() {
        let pattern = contains_pattern(&f.search);
        let matches = crate::db::lower(risks::title).like(pattern.clone()).escape('\\').or(crate::db::lower(
            risks::affected_processes,
        )
        .like(pattern)
        .escape('\\'));
        filter = Box::new(filter.and(matches));
    }
    filter
}

pub fn count(conn: &mut DbConnection, org: &OrgId, filter: &RiskFilter) -> QueryResult<i64> {
    risks::table.filter(condition(org, filter)).count().get_result(conn)
}

/// A register row: the risk and its owner's name.
#[derive(Clone, Debug)]
pub struct RiskRow {
    pub risk: RiskSummary,
    pub owner_name: String,
}

/// The register's risks in the filter's order (ties by title, then id, so pages never overlap).
fn ordered(org: &OrgId, filter: &RiskFilter) -> risks::BoxedQuery<'static, MultiBackend> {
    let query = risks::table.filter(condition(org, filter)).into_boxed();
    let by_title = (risks::title.asc(), risks::id.asc());
    match filter.sort {
        Sort::Residual => query.order((risks::residual_score.desc(), by_title.0, by_title.1)),
        Sort::Inherent => query.order((risks::inherent_score.desc(), by_title.0, by_title.1)),
        Sort::Title => query.order(by_title),
        Sort::Review => {
            query.order((risks::next_review_on.is_null().asc(), risks::next_review_on.asc(), by_title.0, by_title.1))
        }
        Sort::Exposure => query.order((risks::eal_high_cents.desc(), by_title.0, by_title.1)),
        Sort::Updated => query.order((risks::updated_at.desc(), risks::id.desc())),
    }
}

/// One page of the register in the filter's order, with the owners' names: two statements.
pub fn page(
    conn: &mut DbConnection,
    org: &OrgId,
    filter: &RiskFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<RiskRow>> {
    let rows: Vec<RiskSummary> =
        ordered(org, filter).select(RiskSummary::as_select()).limit(limit).offset(offset).load(conn)?;
    let mut owners: Vec<UserId> = rows.iter().filter_map(|r| r.owner_user_id.clone()).collect();
    owners.sort();
    owners.dedup();
    let names: std::collections::HashMap<UserId, String> = if owners.is_empty() {
        Default::default()
    } else {
        users::table.filter(users::id.eq_any(owners)).select((users::id, users::name)).load(conn)?.into_iter().collect()
    };
    Ok(rows
        .into_iter()
        .map(|risk| {
            let owner_name = risk.owner_user_id.as_ref().and_then(|u| names.get(u)).cloned().unwrap_or_default();
            RiskRow { risk, owner_name }
        })
        .collect())
}

/// Each organization's highest residual score among its risks that are not closed (the MSP dashboard's risk
/// level column): one statement for the whole page of clients; organizations without open risks are absent.
pub fn highest_residual_for(
    conn: &mut DbConnection,
    org_ids: Vec<OrgId>,
) -> QueryResult<std::collections::HashMap<OrgId, i32>> {
    let rows: Vec<(OrgId, Option<i32>)> = risks::table
        .filter(risks::org_id.eq_any(org_ids))
        .filter(risks::status.ne(RiskStatus::Closed))
        .group_by(risks::org_id)
        .select((risks::org_id, diesel::dsl::max(risks::residual_score)))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(org, max)| Some((org, max?))).collect())
}

/// Every risk matching the filter, in its order (the CSV export; at most `limit`).
pub fn all(conn: &mut DbConnection, org: &OrgId, filter: &RiskFilter, limit: i64) -> QueryResult<Vec<Risk>> {
    ordered(org, filter).select(Risk::as_select()).limit(limit).load(conn)
}

#[allow(clippy::type_complexity)]
fn changes(
    r: &RiskInput,
) -> (
    (
        diesel::dsl::Eq<risks::title, String>,
        diesel::dsl::Eq<risks::description, String>,
        diesel::dsl::Eq<risks::category, Category>,
        diesel::dsl::Eq<risks::affected_processes, String>,
        diesel::dsl::Eq<risks::owner_user_id, Option<UserId>>,
        diesel::dsl::Eq<risks::inherent_likelihood, i32>,
        diesel::dsl::Eq<risks::inherent_impact, i32>,
        diesel::dsl::Eq<risks::inherent_score, i32>,
        diesel::dsl::Eq<risks::residual_likelihood, i32>,
        diesel::dsl::Eq<risks::residual_impact, i32>,
        diesel::dsl::Eq<risks::residual_score, i32>,
    ),
    (
        diesel::dsl::Eq<risks::treatment, Treatment>,
        diesel::dsl::Eq<risks::treatment_plan, String>,
        diesel::dsl::Eq<risks::treatment_due_on, Option<Day>>,
        diesel::dsl::Eq<risks::status, RiskStatus>,
        diesel::dsl::Eq<risks::next_review_on, Option<Day>>,
        diesel::dsl::Eq<risks::sle_low_cents, i64>,
        diesel::dsl::Eq<risks::sle_high_cents, i64>,
        diesel::dsl::Eq<risks::aro_hundredths, i32>,
        diesel::dsl::Eq<risks::eal_low_cents, i64>,
        diesel::dsl::Eq<risks::eal_high_cents, i64>,
    ),
) {
    let (eal_low, eal_high) = r.eal();
    (
        (
            risks::title.eq(r.title.clone()),
            risks::description.eq(r.description.clone()),
            risks::category.eq(r.category),
            risks::affected_processes.eq(r.affected_processes.clone()),
            risks::owner_user_id.eq(r.owner_user_id.clone()),
            risks::inherent_likelihood.eq(r.inherent.0),
            risks::inherent_impact.eq(r.inherent.1),
            risks::inherent_score.eq(r.inherent.0 * r.inherent.1),
            risks::residual_likelihood.eq(r.residual.0),
            risks::residual_impact.eq(r.residual.1),
            risks::residual_score.eq(r.residual.0 * r.residual.1),
        ),
        (
            risks::treatment.eq(r.treatment),
            risks::treatment_plan.eq(r.treatment_plan.clone()),
            risks::treatment_due_on.eq(r.treatment_due_on),
            risks::status.eq(r.status),
            risks::next_review_on.eq(r.next_review_on),
            risks::sle_low_cents.eq(r.sle_low_cents),
            risks::sle_high_cents.eq(r.sle_high_cents),
            risks::aro_hundredths.eq(r.aro_hundredths),
            risks::eal_low_cents.eq(eal_low),
            risks::eal_high_cents.eq(eal_high),
        ),
    )
}

pub fn insert(
    conn: &mut DbConnection,
    org: &OrgId,
    r: &RiskInput,
    author: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<RiskId> {
    Ok(insert_many(conn, org, std::slice::from_ref(r), author, now)?.remove(0))
}

/// Many new risks (the CSV import, the demo seed): one statement per 500 rows (under SQLite's bound on
/// parameters). Returns their ids in order.
pub fn insert_many(
    conn: &mut DbConnection,
    org: &OrgId,
    rows: &[RiskInput],
    author: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<Vec<RiskId>> {
    let ids: Vec<RiskId> = rows.iter().map(|_| RiskId::new()).collect();
    for (part, part_ids) in rows.chunks(500).zip(ids.chunks(500)) {
        let values: Vec<_> = part
            .iter()
            .zip(part_ids)
            .map(|(r, id)| {
                (
                    (
                        risks::id.eq(id.clone()),
                        risks::org_id.eq(org.clone()),
                        risks::created_by_user_id.eq(author.cloned()),
                        risks::created_at.eq(now),
                        risks::updated_at.eq(now),
                    ),
                    changes(r),
                )
            })
            .collect();
        crate::batch_insert!(conn, risks::table, &values)?;
    }
    super::cells::rebuild(conn, org)?;
    Ok(ids)
}

/// Saves an edit. A residual score that moves away from an accepted one leaves the acceptance in place: the
/// register shows it stale until an approver accepts again (or the score returns).
pub fn update(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &RiskId,
    r: &RiskInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    update_many(conn, org, &[(id, r)], now)
}

/// Saves several edits (the CSV import), rebuilding the heat maps' cells once: how many risks changed.
pub fn update_many(
    conn: &mut DbConnection,
    org: &OrgId,
    edits: &[(&RiskId, &RiskInput)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut changed = 0;
    for (id, r) in edits {
        changed += diesel::update(risks::table.filter(risks::org_id.eq(org)).filter(risks::id.eq(*id)))
            .set((changes(r), risks::updated_at.eq(now)))
            .execute(conn)?;
    }
    super::cells::rebuild(conn, org)?;
    Ok(changed)
}

/// Closes a risk (recording when) or reopens it as Open.
pub fn set_closed(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &RiskId,
    closed: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let status = if closed { RiskStatus::Closed } else { RiskStatus::Open };
    let changed = diesel::update(risks::table.filter(risks::org_id.eq(org)).filter(risks::id.eq(id)))
        .set((risks::status.eq(status), risks::closed_at.eq(closed.then_some(now)), risks::updated_at.eq(now)))
        .execute(conn)?;
    super::cells::rebuild(conn, org)?;
    Ok(changed)
}

/// The catalog ids of the controls mitigating each of these risks (one statement).
pub fn controls_of(conn: &mut DbConnection, org: &OrgId, ids: &[RiskId]) -> QueryResult<Vec<(RiskId, String)>> {
    risk_controls::table
        .filter(risk_controls::org_id.eq(org))
        .filter(risk_controls::risk_id.eq_any(ids))
        .order((risk_controls::risk_id, risk_controls::control_id))
        .select((risk_controls::risk_id, risk_controls::control_id))
        .load(conn)
}

/// Replaces a risk's mitigating controls.
pub fn set_controls(conn: &mut DbConnection, org: &OrgId, risk: &RiskId, controls: &[String]) -> QueryResult<()> {
    diesel::delete(risk_controls::table.filter(risk_controls::org_id.eq(org)).filter(risk_controls::risk_id.eq(risk)))
        .execute(conn)?;
    let values: Vec<_> = controls
        .iter()
        .map(|c| (risk_controls::org_id.eq(org), risk_controls::risk_id.eq(risk), risk_controls::control_id.eq(c)))
        .collect();
    if !values.is_empty() {
        crate::batch_insert!(conn, risk_controls::table, &values)?;
    }
    Ok(())
}

/// The assets each of these risks affects (one statement).
pub fn assets_of(conn: &mut DbConnection, org: &OrgId, ids: &[RiskId]) -> QueryResult<Vec<(RiskId, AssetId)>> {
    risk_assets::table
        .filter(risk_assets::org_id.eq(org))
        .filter(risk_assets::risk_id.eq_any(ids))
        .select((risk_assets::risk_id, risk_assets::asset_id))
        .load(conn)
}

/// Replaces the assets a risk affects.
pub fn set_assets(conn: &mut DbConnection, org: &OrgId, risk: &RiskId, assets: &[AssetId]) -> QueryResult<()> {
    diesel::delete(risk_assets::table.filter(risk_assets::org_id.eq(org)).filter(risk_assets::risk_id.eq(risk)))
        .execute(conn)?;
    let values: Vec<_> = assets
        .iter()
        .map(|a| (risk_assets::org_id.eq(org), risk_assets::risk_id.eq(risk), risk_assets::asset_id.eq(a)))
        .collect();
    if !values.is_empty() {
        crate::batch_insert!(conn, risk_assets::table, &values)?;
    }
    Ok(())
}

/// The risks (not closed first, highest residual score first) that affect an asset: the asset page's section,
/// for who reads compliance (`allowed`; no statement otherwise).
pub fn of_asset(conn: &mut DbConnection, org: &OrgId, asset: &AssetId, allowed: bool) -> QueryResult<Vec<Risk>> {
    if !allowed {
        return Ok(Vec::new());
    }
    risks::table
        .inner_join(risk_assets::table)
        .filter(risks::org_id.eq(org))
        .filter(risk_assets::org_id.eq(org))
        .filter(risk_assets::asset_id.eq(asset))
        .order((risks::closed_at.is_not_null().asc(), risks::residual_score.desc(), risks::title.asc()))
        .select(Risk::as_select())
        .load(conn)
}
