//! Renewals due: hardware whose warranty ends and software licenses that renew within `RENEWAL_DAYS`. The
//! organization's overview lists its own (one statement); people who ask for it on their profile get a weekly
//! email digest of those in every organization where they see assets (`digest`).

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::handlers::RENEWAL_DAYS;
use super::models::{AssetStatus, AssetType};
use crate::db::ids::{AssetId, OrgId};
use crate::db::{Day, DbConnection, MultiBackend};
use crate::schema::assets;

/// Lines the overview shows (the rest are a click away: the asset list's "warranty ending soon" filter).
pub const OVERVIEW_LINES: i64 = 8;

/// One renewal due: a license's renewal date, another asset's warranty end.
#[derive(Queryable, Clone, Debug)]
pub struct Renewal {
    pub org_id: OrgId,
    pub asset_id: AssetId,
    pub name: String,
    pub asset_type: AssetType,
    pub due: Option<Day>,
}

impl Renewal {
    /// "License renews" or "Warranty ends".
    pub fn what(&self) -> &'static str {
        if self.asset_type.is_license() { "License renews" } else { "Warranty ends" }
    }
    pub fn due_label(&self) -> String {
        self.due.map(Day::label).unwrap_or_default()
    }
    /// "in 12 days", "today".
    pub fn days_left(&self, today: Day) -> String {
        match self.due.map(|d| today.days_until(d)) {
            Some(0) => "today".into(),
            Some(1) => "tomorrow".into(),
            Some(n) => format!("in {n} days"),
            None => String::new(),
        }
    }
}

/// The window renewals are due in: today and the next `RENEWAL_DAYS` days.
pub fn window(today: Day) -> (Day, Day) {
    (today, today.plus_days(RENEWAL_DAYS))
}

pub type AssetOrgs = Box<dyn BoxableExpression<assets::table, MultiBackend, SqlType = Bool>>;

/// Renewals due in the window, soonest first, in the organizations `orgs` selects (at most `limit`): one
/// statement. A license's date is its renewal, any other asset's its warranty end; retired assets have none.
pub fn due(conn: &mut DbConnection, orgs: AssetOrgs, today: Day, limit: i64) -> QueryResult<Vec<Renewal>> {
    let (from, to) = window(today);
    let is_license = assets::asset_type.eq(AssetType::SoftwareLicense);
    let due_day = diesel::dsl::case_when(is_license, assets::renewal_date).otherwise(assets::warranty_expires);
    assets::table
        .filter(orgs)
        .filter(assets::status.ne(AssetStatus::Retired))
        .filter(
            is_license.and(assets::renewal_date.assume_not_null().between(from, to)).or(assets::asset_type
                .ne(AssetType::SoftwareLicense)
                .and(assets::warranty_expires.assume_not_null().between(from, to))),
        )
        .order((due_day.asc(), assets::name.asc(), assets::id.asc()))
        .limit(limit)
        .select((assets::org_id, assets::id, assets::name, assets::asset_type, due_day))
        .load(conn)
}

/// The organization's renewals due, for its overview.
pub fn of_org(conn: &mut DbConnection, org: &OrgId, today: Day) -> QueryResult<Vec<Renewal>> {
    due(conn, Box::new(assets::org_id.eq(org.clone())), today, OVERVIEW_LINES + 1)
}
