//! Gap analysis of an adopted framework: its unmet and partial requirements under their top-level groups, each
//! with the controls still to make effective, their owners and due dates; as a page and a CSV.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::data::{self, Program};
use super::log_download;
use crate::AppState;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::compliance::program::index::{self, CatalogIndex};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::compliance::scores::compute::Outcome;
use crate::db::Day;
use crate::error::{AppError, AppResult};
use crate::web::{PageContext, PageInput, csv, render};

#[derive(Deserialize, Default)]
pub struct GapQuery {
    #[serde(default)]
    framework: String,
}

/// A control still to make effective.
pub struct Fix {
    pub control_id: String,
    pub title: String,
    pub status: ControlStatus,
    pub owner: String,
    pub owner_email: String,
    pub due_on: Option<Day>,
    pub overdue: bool,
}

pub struct Gap {
    pub requirement_id: String,
    pub title: String,
    pub outcome: Outcome,
    pub fixes: Vec<Fix>,
}

pub struct GapGroup {
    pub title: String,
    pub gaps: Vec<Gap>,
}

/// The gaps of framework `fi` (adopted), under their groups.
pub fn gaps(index: &CatalogIndex, p: &Program<'_>, fi: usize, today: Day) -> Vec<GapGroup> {
    let framework = &index.frameworks[fi];
    let Some(result) = p.scores.framework(fi) else { return Vec::new() };
    let mut groups: Vec<GapGroup> = Vec::new();
    let mut last = usize::MAX;
    for &(ri, outcome) in result.requirements.iter().filter(|(_, o)| matches!(o, Outcome::Unmet | Outcome::Partial)) {
        let requirement = &framework.requirements[ri];
        let fixes = requirement
            .controls
            .iter()
            .filter_map(|&c| p.control(c))
            .filter(|c| !c.effective && c.status != ControlStatus::NotApplicable)
            .map(|c| Fix {
                control_id: index.controls[c.control].id.clone(),
                title: index.controls[c.control].title.clone(),
                status: c.status,
                owner: c.owner_name.clone(),
                owner_email: c.owner_email.clone(),
                due_on: c.due_on,
                overdue: c.due_on.is_some_and(|d| d < today),
            })
            .collect();
        if requirement.group != last {
            let g = &framework.groups[requirement.group];
            groups.push(GapGroup { title: format!("{} {}", g.id, g.title), gaps: Vec::new() });
            last = requirement.group;
        }
        if let Some(group) = groups.last_mut() {
            group.gaps.push(Gap {
                requirement_id: requirement.id.clone(),
                title: requirement.title.clone(),
                outcome,
                fixes,
            });
        }
    }
    groups
}

/// The framework asked for if adopted, else the first adopted one (None: nothing adopted).
fn chosen(p: &Program<'_>, asked: &str) -> Option<usize> {
    let adopted = p.scores.frameworks.iter().map(|f| f.framework);
    let index = p.index;
    adopted.clone().find(|&f| index.frameworks[f].id == asked).or_else(|| adopted.clone().next())
}

#[derive(Template)]
#[template(path = "compliance/reports/gaps.html")]
pub struct GapsPage {
    page: PageContext,
    frameworks: Vec<(String, String)>,
    framework_id: String,
    short_name: String,
    unmet: i32,
    partial: i32,
    groups: Vec<GapGroup>,
}

pub async fn page(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<GapQuery>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let (page, p) =
        state.db.run(move |conn| Ok((input.load(conn)?, data::load(conn, index, &org_id, time.today)?))).await?;
    let frameworks = p
        .scores
        .frameworks
        .iter()
        .map(|f| (index.frameworks[f.framework].id.clone(), index.frameworks[f.framework].short_name.clone()))
        .collect();
    let Some(fi) = chosen(&p, &query.framework) else {
        let empty = GapsPage {
            page,
            frameworks,
            framework_id: String::new(),
            short_name: String::new(),
            unmet: 0,
            partial: 0,
            groups: Vec::new(),
        };
        return render(empty);
    };
    let tally = p.scores.framework(fi).map(|f| f.tally).unwrap_or_default();
    render(GapsPage {
        page,
        frameworks,
        framework_id: index.frameworks[fi].id.clone(),
        short_name: index.frameworks[fi].short_name.clone(),
        unmet: tally.unmet,
        partial: tally.partial,
        groups: gaps(index, &p, fi, time.today),
    })
}

pub const CSV_HEADER: [&str; 10] = [
    "framework_id",
    "group",
    "requirement_id",
    "requirement_title",
    "status",
    "control_id",
    "control_title",
    "control_status",
    "owner_email",
    "due_date",
];

pub async fn csv(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    query: web::Query<GapQuery>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let p = state.db.run(move |conn| Ok(data::load(conn, index, &org_id, time.today)?)).await?;
    let fi = chosen(&p, &query.framework).ok_or(AppError::NotFound)?;
    let id = &index.frameworks[fi].id;
    let mut out = String::new();
    csv::push_row(&mut out, &CSV_HEADER);
    for group in gaps(index, &p, fi, time.today) {
        for gap in &group.gaps {
            let here = [id.as_str(), &group.title, &gap.requirement_id, &gap.title, gap.outcome.code()];
            if gap.fixes.is_empty() {
                csv::push_row(&mut out, &[&here[..], &["", "", "", "", ""]].concat());
            }
            for fix in &gap.fixes {
                let due = fix.due_on.map(|d| d.to_string()).unwrap_or_default();
                let there = [fix.control_id.as_str(), &fix.title, fix.status.id(), &fix.owner_email, &due];
                csv::push_row(&mut out, &[&here[..], &there[..]].concat());
            }
        }
    }
    log_download(&state, &scope, actor, &format!("Gap analysis of {} (CSV)", index.frameworks[fi].short_name)).await?;
    Ok(csv::download(&format!("gaps-{id}.csv"), out))
}
