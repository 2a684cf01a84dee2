//! Compliance -> Dashboard: the organization's overall and per-framework scores (stored, so every view shows
//! the same figures), the 90-day trend from the daily snapshots, controls by status, and the work due: evidence
//! expiring within 30 days, reviews overdue (controls and policies), controls assigned to me, and the framework registers' deadlines.
//! A fixed number of statements whatever the numbers of controls, evidence and clients.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::store::{self, StoredScore};
use crate::AppState;
use crate::auth::Scope;
use crate::compliance::evidence::models::{EvidenceLine, EvidenceStatus};
use crate::compliance::program::index::{self, CatalogIndex};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::compliance::registers::{self, Deadlines};
use crate::db::ids::{OrgId, UserId};
use crate::db::{Day, DbConnection};
use crate::error::AppResult;
use crate::schema::{evidence, org_controls, users};
use crate::web::charts::{BarChart, TrendChart};
use crate::web::{PageContext, PageInput, render};

/// Days the trend covers, today included.
pub const TREND_DAYS: u32 = 90;
/// Lines in each work list.
const WORK_ITEMS: i64 = 8;

/// A control in a work list.
pub struct WorkItem {
    pub control_id: String,
    pub title: String,
    pub detail: String,
    pub status: ControlStatus,
}

#[derive(Template)]
#[template(path = "compliance/dashboard.html")]
pub struct DashboardPage {
    page: PageContext,
    has_program: bool,
    overall: Option<StoredScore>,
    frameworks: Vec<(String, String, StoredScore)>,
    framework_chart: BarChart,
    status_chart: BarChart,
    trend: TrendChart,
    expiring: Vec<EvidenceLine>,
    reviews: Vec<WorkItem>,
    /// Policies whose review is past due: (id, title, due day).
    policy_reviews: Vec<(crate::db::ids::PolicyId, String, Day)>,
    mine: Vec<WorkItem>,
    deadlines: Deadlines,
    today: Day,
}

impl DashboardPage {
    fn overdue(&self, d: &crate::compliance::registers::dsr::Dsr) -> bool {
        d.overdue(self.today)
    }
}

struct Loaded {
    page: PageContext,
    scores: Vec<StoredScore>,
    statuses: Vec<(ControlStatus, i64)>,
    history: Vec<(Day, String, Option<i32>)>,
    expiring: Vec<EvidenceLine>,
    reviews: Vec<(String, Option<Day>, Option<String>, ControlStatus)>,
    mine: Vec<(String, Option<Day>, Option<String>, ControlStatus)>,
    policy_reviews: Vec<(crate::db::ids::PolicyId, String, Day)>,
    deadlines: Deadlines,
}

pub async fn page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let time = OrgTime::of(state.clock.now(), &scope);
    let (org_id, me) = (scope.org_id().clone(), scope.user.id.clone());
    let loaded = state.db.run(move |conn| load(conn, input, &org_id, &me, time.today)).await?;
    render(build(index, loaded, time.today))
}

fn load(conn: &mut DbConnection, input: PageInput, org_id: &OrgId, me: &UserId, today: Day) -> AppResult<Loaded> {
    let page = input.load(conn)?;
    let scores = store::current(conn, org_id)?;
    let statuses: Vec<(ControlStatus, i64)> = org_controls::table
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::in_scope.eq(true))
        .group_by(org_controls::status)
        .select((org_controls::status, diesel::dsl::count_star()))
        .load(conn)?;
    let history = store::history(conn, org_id, today.plus_days(1 - TREND_DAYS as i64))?;
    let expiring = evidence::table
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::status.eq(EvidenceStatus::Approved))
        .filter(evidence::valid_until.ge(today))
        .filter(evidence::valid_until.lt(today.plus_days(30)))
        .order(evidence::valid_until)
        .limit(WORK_ITEMS)
        .select((
            evidence::id,
            evidence::title,
            evidence::source,
            evidence::kind,
            evidence::status,
            evidence::effective_on,
            evidence::valid_until,
        ))
        .load(conn)?;
    let work = || {
        org_controls::table
            .left_join(users::table.on(users::id.nullable().eq(org_controls::owner_user_id)))
            .filter(org_controls::org_id.eq(org_id))
            .filter(org_controls::in_scope.eq(true))
            .limit(WORK_ITEMS)
    };
    let columns =
        (org_controls::control_id, org_controls::next_review_on, users::name.nullable(), org_controls::status);
    let reviews = work()
        .filter(org_controls::status.eq(ControlStatus::Implemented))
        .filter(org_controls::next_review_on.lt(today))
        .order(org_controls::next_review_on)
        .select(columns)
        .load(conn)?;
    let open = [ControlStatus::NotStarted, ControlStatus::InProgress, ControlStatus::ReadyForReview];
    let mine = work()
        .filter(org_controls::owner_user_id.eq(me))
        .filter(org_controls::status.eq_any(open))
        .order((org_controls::due_on.is_null(), org_controls::due_on, org_controls::position))
        .select((org_controls::control_id, org_controls::due_on, users::name.nullable(), org_controls::status))
        .load(conn)?;
    let policy_reviews = crate::compliance::policies::models::overdue(conn, org_id, today, WORK_ITEMS)?;
    let deadlines = registers::deadlines(conn, org_id, today)?;
    Ok(Loaded { page, scores, statuses, history, expiring, reviews, mine, policy_reviews, deadlines })
}

fn build(index: &CatalogIndex, l: Loaded, today: Day) -> DashboardPage {
    let overall = l.scores.iter().find(|s| s.is_overall()).cloned();
    let frameworks: Vec<(String, String, StoredScore)> = index
        .frameworks
        .iter()
        .filter_map(|f| {
            l.scores.iter().find(|s| s.framework_id == f.id).map(|s| (f.id.clone(), f.short_name.clone(), s.clone()))
        })
        .collect();
    let framework_chart = BarChart::percent(
        "Score per framework",
        frameworks.iter().map(|(_, name, s)| (name.clone(), i64::from(s.percent.unwrap_or(0)))).collect(),
    );
    let status_chart = BarChart::new(
        "Controls by status",
        ControlStatus::ALL
            .into_iter()
            .map(|s| (s.label().to_string(), l.statuses.iter().find(|(x, _)| *x == s).map(|(_, n)| *n).unwrap_or(0)))
            .collect(),
    );
    let trend = trend(index, &l.scores, &l.history, today);
    let title = |id: &str| index.control(id).map(|c| index.controls[c].title.clone()).unwrap_or_default();
    let item = |(id, day, owner, status): (String, Option<Day>, Option<String>, ControlStatus), what: &str| WorkItem {
        title: title(&id),
        detail: match (day, owner) {
            (Some(day), Some(owner)) => format!("{what} {} · {owner}", day.label()),
            (Some(day), None) => format!("{what} {}", day.label()),
            (None, Some(owner)) => owner,
            (None, None) => String::new(),
        },
        control_id: id,
        status,
    };
    DashboardPage {
        page: l.page,
        has_program: overall.is_some(),
        overall,
        frameworks,
        framework_chart,
        status_chart,
        trend,
        expiring: l.expiring,
        reviews: l.reviews.into_iter().map(|r| item(r, "review was due")).collect(),
        policy_reviews: l.policy_reviews,
        mine: l.mine.into_iter().map(|(id, due, _, status)| item((id, due, None, status), "due")).collect(),
        deadlines: l.deadlines,
        today,
    }
}

/// The overall score and each adopted framework's over the last 90 days: the daily snapshots, and today's
/// current figures as the last point.
pub fn trend(
    index: &CatalogIndex,
    current: &[StoredScore],
    history: &[(Day, String, Option<i32>)],
    today: Day,
) -> TrendChart {
    let last = TREND_DAYS - 1;
    let position = |day: Day| last as i64 - day.days_until(today);
    let mut series: Vec<(String, Vec<(u32, i64)>)> = Vec::new();
    let subjects = std::iter::once((store::OVERALL.to_string(), "Overall".to_string())).chain(
        index
            .frameworks
            .iter()
            .filter(|f| current.iter().any(|s| s.framework_id == f.id))
            .map(|f| (f.id.clone(), f.short_name.clone())),
    );
    for (id, label) in subjects {
        let mut points: Vec<(u32, i64)> = history
            .iter()
            .filter(|(day, framework, _)| *framework == id && *day < today)
            .filter_map(|(day, _, percent)| Some((u32::try_from(position(*day)).ok()?, i64::from((*percent)?))))
            .collect();
        if let Some(percent) = current.iter().find(|s| s.framework_id == id).and_then(|s| s.percent) {
            points.push((last, i64::from(percent)));
        }
        series.push((label, points));
    }
    let label = |back: i64| (last - back as u32, today.plus_days(-back).date().format("%b %-d").to_string());
    TrendChart::new("Scores over the last 90 days", TREND_DAYS, [label(last as i64), label(45), label(0)], series)
}
