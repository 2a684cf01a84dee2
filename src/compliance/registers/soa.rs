//! ISO 27001: the Statement of Applicability. Every Annex A control, applicable or not (with the justification
//! given when it was marked not applicable), its implementation status from the organization's controls, and
//! the controls that implement it: a printable page and a CSV (downloads logged).

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::compliance::frameworks::models::{exclusions, find_adoption};
use crate::compliance::program::index::{self, CatalogIndex};
use crate::compliance::program::{OrgTime, facts};
use crate::compliance::scores::compute::{Outcome, compute};
use crate::db::ids::OrgId;
use crate::error::AppResult;
use crate::web::{PageContext, PageInput, csv, render};

pub const ISO: &str = "iso27001-2022";

/// One Annex A control in the statement.
pub struct Line {
    pub id: String,
    pub title: String,
    pub theme: String,
    pub applicable: bool,
    pub justification: String,
    pub outcome: Option<Outcome>,
    pub controls: Vec<String>,
}

impl Line {
    pub fn status(&self) -> &'static str {
        match self.outcome {
            Some(Outcome::Met) => "Implemented",
            Some(Outcome::Partial) => "Partially implemented",
            Some(Outcome::Unmet) => "Not implemented",
            Some(Outcome::ControlsNotApplicable) => "Not applicable (its controls are)",
            Some(Outcome::Excluded) | None => "Not applicable",
        }
    }
}

/// The statement's lines, or None when ISO 27001 is not adopted.
async fn statement(
    state: &AppState,
    scope: &Scope,
    input: Option<PageInput>,
) -> AppResult<(Option<PageContext>, Option<Vec<Line>>)> {
    let index = index::embedded()?;
    let (org_id, time): (OrgId, OrgTime) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope));
    let (page, adopted, excluded, facts) = state
        .db
        .run(move |conn| {
            let page = match input {
                Some(input) => Some(input.load(conn)?),
                None => None,
            };
            let adopted = find_adoption(conn, &org_id, ISO)?.is_some_and(|a| a.adopted);
            let (facts, _) = facts::load(conn, index, &org_id, time.today)?;
            Ok((page, adopted, exclusions(conn, &org_id, ISO)?, facts))
        })
        .await?;
    if !adopted {
        return Ok((page, None));
    }
    let scores = compute(&facts);
    let fi = index.framework(ISO).unwrap_or_default();
    let outcomes = scores.framework(fi).map(|f| f.requirements.clone()).unwrap_or_default();
    Ok((page, Some(lines(index, fi, &outcomes, &excluded))))
}

fn lines(
    index: &CatalogIndex,
    fi: usize,
    outcomes: &[(usize, Outcome)],
    excluded: &[crate::compliance::frameworks::models::Exclusion],
) -> Vec<Line> {
    let framework = &index.frameworks[fi];
    framework
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, r)| r.annex_a)
        .map(|(ri, r)| {
            let outcome = outcomes.iter().find(|(i, _)| *i == ri).map(|(_, o)| *o);
            let justification = excluded.iter().find(|e| e.requirement_id == r.id).map(|e| e.justification.clone());
            Line {
                id: r.id.clone(),
                title: r.title.clone(),
                theme: framework.groups[r.group].title.clone(),
                applicable: justification.is_none(),
                justification: justification.unwrap_or_default(),
                outcome,
                controls: r.controls.iter().map(|&c| index.controls[c].id.clone()).collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "compliance/registers/soa.html")]
pub struct SoaPage {
    page: PageContext,
    org_name: String,
    lines: Option<Vec<Line>>,
    applicable: usize,
    implemented: usize,
}

pub async fn page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let (page, lines) = statement(&state, &scope, Some(input)).await?;
    let page = page.ok_or_else(|| crate::error::AppError::internal("no page context"))?;
    let applicable = lines.iter().flatten().filter(|l| l.applicable).count();
    let implemented = lines.iter().flatten().filter(|l| l.outcome == Some(Outcome::Met)).count();
    render(SoaPage { page, org_name: scope.org.name.clone(), lines, applicable, implemented })
}

pub const CSV_HEADER: [&str; 7] =
    ["annex_a_control", "title", "theme", "applicable", "justification", "implementation_status", "controls"];

pub async fn csv(state: web::Data<AppState>, scope: Scope, actor: Actor) -> AppResult<HttpResponse> {
    let (_, lines) = statement(&state, &scope, None).await?;
    let Some(lines) = lines else { return Err(crate::error::AppError::NotFound) };
    let mut out = String::new();
    csv::push_row(&mut out, &CSV_HEADER);
    for l in &lines {
        let applicable = if l.applicable { "yes" } else { "no" };
        csv::push_row(
            &mut out,
            &[&l.id, &l.title, &l.theme, applicable, &l.justification, l.status(), &l.controls.join(" ")],
        );
    }
    super::super::reports::log_download(&state, &scope, actor, "Statement of Applicability (CSV)").await?;
    Ok(csv::download("statement-of-applicability.csv", out))
}
