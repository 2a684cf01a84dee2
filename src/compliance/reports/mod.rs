//! Reports: the printable compliance report (scores, each framework's requirement status, controls with owner and
//! evidence, gaps), its CSV files, and the gap analysis per framework (page and CSV). Every number comes from the
//! one score function; downloads are logged.

pub mod data;
pub mod exports;
pub mod gaps;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission::ViewCompliance, Scope};
use crate::compliance::program::OrgTime;
use crate::compliance::program::index;
use crate::compliance::scores::compute::{FrameworkScore, Outcome};
use crate::error::AppResult;
use crate::web::routes::{Access, RouteDef, get};
use crate::web::{PageContext, PageInput, render};

pub fn routes() -> Vec<RouteDef> {
    let access = Access::Org(ViewCompliance);
    vec![
        get("/compliance/reports", access, hub),
        get("/compliance/reports/print", access, printable),
        get("/compliance/reports/controls.csv", access, exports::controls),
        get("/compliance/reports/frameworks.csv", access, exports::frameworks),
        get("/compliance/reports/requirements.csv", access, exports::requirements),
        get("/compliance/gaps", access, gaps::page),
        get("/compliance/gaps.csv", access, gaps::csv),
    ]
}

/// Records that someone downloaded a report (its own transaction: nothing else changes).
pub async fn log_download(state: &AppState, scope: &Scope, actor: Actor, what: &str) -> AppResult<()> {
    let (org_id, what) = (scope.org_id().clone(), what.to_string());
    state
        .db
        .write(move |conn| {
            audit::record(conn, &actor, Some(&org_id), Action::ReportDownloaded, Target::new("report", &what, &what))?;
            Ok(())
        })
        .await
}

#[derive(Template)]
#[template(path = "compliance/reports/hub.html")]
pub struct HubPage {
    page: PageContext,
    adopted: Vec<(String, String)>,
}

pub async fn hub(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let org_id = scope.org_id().clone();
    let (page, adoptions) = state
        .db
        .run(move |conn| Ok((input.load(conn)?, crate::compliance::frameworks::models::adoptions(conn, &org_id)?)))
        .await?;
    let adopted = index
        .frameworks
        .iter()
        .filter(|f| adoptions.iter().any(|a| a.adopted && a.framework_id == f.id))
        .map(|f| (f.id.clone(), f.short_name.clone()))
        .collect();
    render(HubPage { page, adopted })
}

/// One framework's section of the printable report.
pub struct FrameworkSection {
    pub short_name: String,
    pub name: String,
    pub score: FrameworkScore,
    pub percent: String,
    /// (requirement id, title, outcome), in official order.
    pub requirements: Vec<(String, String, Outcome)>,
    pub gaps: usize,
    /// Unmet and partial requirements with the controls to fix.
    pub gap_groups: Vec<gaps::GapGroup>,
}

/// A control line of the printable report.
pub struct ReportControl {
    pub id: String,
    pub title: String,
    pub status: crate::compliance::program::ControlStatus,
    pub owner: String,
    pub evidence: i32,
    pub effective: bool,
}

#[derive(Template)]
#[template(path = "compliance/reports/print.html")]
pub struct PrintPage {
    page: PageContext,
    org_name: String,
    generated: String,
    overall: String,
    effective: i32,
    in_scope: i32,
    frameworks: Vec<FrameworkSection>,
    controls: Vec<ReportControl>,
}

/// The whole report on one printable page (its print stylesheet drops the app around it); opening it is logged.
pub async fn printable(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    actor: Actor,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let (page, program) =
        state.db.run(move |conn| Ok((input.load(conn)?, data::load(conn, index, &org_id, time.today)?))).await?;
    log_download(&state, &scope, actor, "Compliance report (printable)").await?;
    let frameworks = program
        .scores
        .frameworks
        .iter()
        .map(|f| {
            let entry = &index.frameworks[f.framework];
            FrameworkSection {
                short_name: entry.short_name.clone(),
                name: entry.name.clone(),
                percent: crate::compliance::scores::store::percent_text(f.tally.percent()),
                requirements: f
                    .requirements
                    .iter()
                    .map(|&(ri, o)| (entry.requirements[ri].id.clone(), entry.requirements[ri].title.clone(), o))
                    .collect(),
                gaps: (f.tally.unmet + f.tally.partial) as usize,
                gap_groups: gaps::gaps(index, &program, f.framework, time.today),
                score: f.clone(),
            }
        })
        .collect();
    let controls = program
        .controls
        .iter()
        .map(|c| ReportControl {
            id: index.controls[c.control].id.clone(),
            title: index.controls[c.control].title.clone(),
            status: c.status,
            owner: c.owner_name.clone(),
            evidence: c.evidence,
            effective: c.effective,
        })
        .collect();
    let overall = program.scores.overall;
    render(PrintPage {
        page,
        org_name: scope.org.name.clone(),
        generated: crate::web::time::local(time.now, time.tz),
        overall: crate::compliance::scores::store::percent_text(overall.percent()),
        effective: overall.met,
        in_scope: overall.in_scope,
        frameworks,
        controls,
    })
}
