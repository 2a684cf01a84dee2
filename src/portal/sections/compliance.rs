//! Portal -> Compliance status (when the client turns it on): the overall and per-framework scores and their
//! 90-day trend, read-only, as stored by the compliance program; no control, evidence or finding details.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::section_on;
use crate::AppState;
use crate::auth::portal::PortalScope;
use crate::compliance::program::index;
use crate::compliance::scores::dashboard::{TREND_DAYS, trend};
use crate::compliance::scores::store::{self, StoredScore};
use crate::error::AppResult;
use crate::portal::Chrome;
use crate::web::charts::{BarChart, TrendChart};
use crate::web::render;

#[derive(Template)]
#[template(path = "portal/sections/compliance.html")]
struct StatusPage {
    chrome: Chrome,
    overall: Option<StoredScore>,
    /// (framework name, its score).
    frameworks: Vec<(String, StoredScore)>,
    framework_chart: BarChart,
    trend: TrendChart,
}

/// `GET {base}/compliance`: two statements (current scores, snapshots).
pub async fn page(state: web::Data<AppState>, portal: PortalScope, session: Session) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.compliance)?;
    let index = index::embedded()?;
    let today = crate::compliance::program::today(state.clock.now(), portal.client.tz);
    let org = portal.org_id().clone();
    let (scores, history) = state
        .db
        .run(move |conn| {
            let since = today.plus_days(1 - i64::from(TREND_DAYS));
            Ok((store::current(conn, &org)?, store::history(conn, &org, since)?))
        })
        .await?;
    let overall = scores.iter().find(|s| s.is_overall()).cloned();
    let frameworks: Vec<(String, StoredScore)> = index
        .frameworks
        .iter()
        .filter_map(|f| scores.iter().find(|s| s.framework_id == f.id).map(|s| (f.short_name.clone(), s.clone())))
        .collect();
    let framework_chart = BarChart::percent(
        "Score per framework",
        frameworks.iter().map(|(name, s)| (name.clone(), i64::from(s.percent.unwrap_or(0)))).collect(),
    );
    let trend = trend(index, &scores, &history, today);
    let chrome = Chrome::signed_in(&portal, &session, "compliance");
    render(StatusPage { chrome, overall, frameworks, framework_chart, trend })
}
