//! The frameworks pages: every framework with its adoption and score, one adopted framework's requirements with
//! their outcome, and the applicability form of one requirement.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{self, Adoption, Exclusion};
use crate::AppState;
use crate::auth::{Permission, Scope};
use crate::compliance::program::facts;
use crate::compliance::program::index::{self, CatalogIndex, FrameworkEntry};
use crate::compliance::program::scoping::{CMMC_LEVELS, SOC2_OPTIONAL, ScopingKind};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::compliance::scores::compute::{Outcome, compute};
use crate::compliance::scores::store::{self, StoredScore};
use crate::error::{AppError, AppResult};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, render_status};

/// One framework on the frameworks page.
pub struct FrameworkCard {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub requirements: usize,
    pub adopted: bool,
    pub scope_text: String,
    pub score: Option<StoredScore>,
    /// The scoping choices, as the form shows them (the submitted ones after an error).
    pub kind: ScopingKind,
    pub categories: Vec<(&'static str, bool)>,
    pub level: u8,
    /// The framework's own register or report, when it has one: (label, path).
    pub extra: Option<(&'static str, &'static str)>,
    pub errors: FieldErrors,
}

impl FrameworkCard {
    pub fn is_soc2(&self) -> bool {
        self.kind == ScopingKind::Soc2Categories
    }
    pub fn is_cmmc(&self) -> bool {
        self.kind == ScopingKind::CmmcLevel
    }
    pub fn has_scoping(&self) -> bool {
        self.kind != ScopingKind::Whole
    }
    pub fn levels(&self) -> &'static [u8] {
        &CMMC_LEVELS
    }
}

/// The framework-specific page of a framework, if any.
pub fn extra_page(framework_id: &str) -> Option<(&'static str, &'static str)> {
    match framework_id {
        "hipaa" => Some(("Business associate agreements", "/compliance/baa")),
        "cmmc-2" => Some(("SPRS score", "/compliance/sprs")),
        "gdpr" => Some(("Data-subject requests", "/compliance/dsr")),
        "iso27001-2022" => Some(("Statement of Applicability", "/compliance/soa")),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "compliance/frameworks/list.html")]
pub struct FrameworksPage {
    page: PageContext,
    cards: Vec<FrameworkCard>,
    adopted: usize,
    can_manage: bool,
}

/// A scoping form sent back with errors: which framework, what was chosen, what is wrong.
pub struct RejectedScoping {
    pub framework_id: String,
    pub categories: Vec<String>,
    pub level: String,
    pub errors: FieldErrors,
}

pub async fn list(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    list_page(&state, &scope, input, None).await
}

/// The frameworks page, with a refused scoping form shown again (422) when there is one: three statements
/// with the page context.
pub async fn list_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    rejected: Option<RejectedScoping>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let org_id = scope.org_id().clone();
    let (page, adoptions, scores) = state
        .db
        .run(move |conn| Ok((input.load(conn)?, models::adoptions(conn, &org_id)?, store::current(conn, &org_id)?)))
        .await?;
    let status = if rejected.is_some() { crate::web::form_status_invalid() } else { actix_web::http::StatusCode::OK };
    let mut rejected = rejected;
    let cards: Vec<FrameworkCard> = index
        .frameworks
        .iter()
        .map(|f| card(f, adoptions.iter().find(|a| a.framework_id == f.id), &scores, &mut rejected))
        .collect();
    let adopted = cards.iter().filter(|c| c.adopted).count();
    render_status(status, FrameworksPage { page, cards, adopted, can_manage: scope.can(Permission::ManageFrameworks) })
}

fn card(
    f: &FrameworkEntry,
    adoption: Option<&Adoption>,
    scores: &[StoredScore],
    rejected: &mut Option<RejectedScoping>,
) -> FrameworkCard {
    let adopted = adoption.is_some_and(|a| a.adopted);
    let scoping = adoption.map(Adoption::scoping).unwrap_or_default();
    let mine = rejected.as_ref().is_some_and(|r| r.framework_id == f.id);
    let (categories, level, errors) = match rejected.take_if(|_| mine) {
        Some(r) => (r.categories, r.level.parse().unwrap_or(2), r.errors),
        None => (scoping.categories.clone(), scoping.cmmc_level(), FieldErrors::default()),
    };
    FrameworkCard {
        id: f.id.clone(),
        name: f.name.clone(),
        short_name: f.short_name.clone(),
        description: f.description.clone(),
        requirements: f.requirements.len(),
        adopted,
        scope_text: scoping.describe(&f.id),
        score: adopted.then(|| scores.iter().find(|s| s.framework_id == f.id).cloned()).flatten(),
        kind: ScopingKind::of(&f.id),
        categories: SOC2_OPTIONAL.iter().map(|c| (*c, categories.iter().any(|x| x == c))).collect(),
        level,
        extra: extra_page(&f.id),
        errors,
    }
}

/// A requirement line of a framework's page.
pub struct RequirementLine {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    pub justification: String,
    /// (control id, title, status) of its primary controls.
    pub controls: Vec<(String, String, ControlStatus)>,
}

impl RequirementLine {
    pub fn applicability_href(&self, framework_id: &str) -> String {
        format!("/compliance/frameworks/{framework_id}/applicability?requirement={}", crate::web::urlencode(&self.id))
    }
}

pub struct GroupLines {
    pub title: String,
    pub lines: Vec<RequirementLine>,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    outcome: String,
}

#[derive(Template)]
#[template(path = "compliance/frameworks/detail.html")]
pub struct FrameworkPage {
    page: PageContext,
    framework_id: String,
    name: String,
    short_name: String,
    adopted: bool,
    scope_text: String,
    percent: String,
    met: i32,
    partial: i32,
    unmet: i32,
    in_scope: i32,
    not_applicable: usize,
    groups: Vec<GroupLines>,
    outcome: String,
    can_manage: bool,
    extra: Option<(&'static str, &'static str)>,
}

pub async fn detail(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let fi = index.framework(&path).ok_or(AppError::NotFound)?;
    let framework = &index.frameworks[fi];
    let (org_id, time, id) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), framework.id.clone());
    let (page, adoption, exclusions, (facts, _)) = state
        .db
        .run(move |conn| {
            Ok((
                input.load(conn)?,
                models::find_adoption(conn, &org_id, &id)?,
                models::exclusions(conn, &org_id, &id)?,
                facts::load(conn, index, &org_id, time.today)?,
            ))
        })
        .await?;
    let adopted = adoption.as_ref().is_some_and(|a| a.adopted);
    let scores = compute(&facts);
    let result = scores.framework(fi);
    let tally = result.map(|r| r.tally).unwrap_or_default();
    let filter = query.outcome.clone();
    let lines: Vec<(usize, RequirementLine)> = result
        .map(|r| r.requirements.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|(_, outcome)| filter.is_empty() || outcome.code() == filter)
        .map(|&(ri, outcome)| (ri, line(index, framework, ri, outcome, &exclusions, &facts)))
        .collect();
    render_status(
        actix_web::http::StatusCode::OK,
        FrameworkPage {
            page,
            framework_id: framework.id.clone(),
            name: framework.name.clone(),
            short_name: framework.short_name.clone(),
            adopted,
            scope_text: adoption.map(|a| a.scoping()).unwrap_or_default().describe(&framework.id),
            percent: store::percent_text(tally.percent()),
            met: tally.met,
            partial: tally.partial,
            unmet: tally.unmet,
            in_scope: tally.in_scope,
            not_applicable: result.map(|r| r.not_applicable()).unwrap_or(0),
            groups: grouped(framework, lines),
            outcome: filter,
            can_manage: scope.can(Permission::ManageFrameworks),
            extra: extra_page(&framework.id),
        },
    )
}

fn line(
    index: &CatalogIndex,
    framework: &FrameworkEntry,
    ri: usize,
    outcome: Outcome,
    exclusions: &[Exclusion],
    facts: &facts::Facts<'_>,
) -> RequirementLine {
    let requirement = &framework.requirements[ri];
    RequirementLine {
        id: requirement.id.clone(),
        title: requirement.title.clone(),
        outcome,
        justification: exclusions
            .iter()
            .find(|e| e.requirement_id == requirement.id)
            .map(|e| e.justification.clone())
            .unwrap_or_default(),
        controls: requirement
            .controls
            .iter()
            .map(|&c| (index.controls[c].id.clone(), index.controls[c].title.clone(), facts.control(c).status))
            .collect(),
    }
}

/// Lines under their top-level groups, in official order.
pub fn grouped(framework: &FrameworkEntry, lines: Vec<(usize, RequirementLine)>) -> Vec<GroupLines> {
    let mut groups: Vec<GroupLines> = Vec::new();
    let mut last_group = usize::MAX;
    for (ri, line) in lines {
        let group = framework.requirements[ri].group;
        if group != last_group {
            let g = &framework.groups[group];
            groups.push(GroupLines { title: format!("{} {}", g.id, g.title), lines: Vec::new() });
            last_group = group;
        }
        if let Some(current) = groups.last_mut() {
            current.lines.push(line);
        }
    }
    groups
}

#[derive(Deserialize, Default)]
pub struct ApplicabilityQuery {
    #[serde(default)]
    pub requirement: String,
}

#[derive(Template)]
#[template(path = "compliance/frameworks/applicability.html")]
pub struct ApplicabilityPage {
    pub page: PageContext,
    pub framework_id: String,
    pub short_name: String,
    pub requirement_id: String,
    pub title: String,
    pub summary: String,
    pub controls: Vec<(String, String)>,
    pub excluded: Option<Exclusion>,
    /// As shown in the form: "yes" or "no", and the justification.
    pub applicable: String,
    pub justification: String,
    pub errors: FieldErrors,
    pub can_manage: bool,
}

pub async fn applicability(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ApplicabilityQuery>,
) -> AppResult<HttpResponse> {
    applicability_page(&state, &scope, input, &path, &query.requirement, None).await
}

/// The applicability form of a requirement (blank, or as submitted with its errors: 422).
pub async fn applicability_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    framework_id: &str,
    requirement_id: &str,
    submitted: Option<(String, String, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let framework = index.framework_entry(framework_id).ok_or(AppError::NotFound)?;
    let requirement = &framework.requirements[framework.requirement(requirement_id).ok_or(AppError::NotFound)?];
    let (org_id, id) = (scope.org_id().clone(), framework.id.clone());
    let (page, exclusions) =
        state.db.run(move |conn| Ok((input.load(conn)?, models::exclusions(conn, &org_id, &id)?))).await?;
    let excluded = exclusions.into_iter().find(|e| e.requirement_id == requirement.id);
    let (applicable, justification, errors) = submitted.unwrap_or_else(|| {
        let justification = excluded.as_ref().map(|e| e.justification.clone()).unwrap_or_default();
        (if excluded.is_some() { "no" } else { "yes" }.to_string(), justification, FieldErrors::default())
    });
    let status = crate::web::form_status(&errors);
    let controls =
        requirement.controls.iter().map(|&c| (index.controls[c].id.clone(), index.controls[c].title.clone())).collect();
    render_status(
        status,
        ApplicabilityPage {
            page,
            framework_id: framework.id.clone(),
            short_name: framework.short_name.clone(),
            requirement_id: requirement.id.clone(),
            title: requirement.title.clone(),
            summary: requirement.summary.clone(),
            controls,
            excluded,
            applicable,
            justification,
            errors,
            can_manage: scope.can(Permission::ManageFrameworks),
        },
    )
}

/// Framework id -> short name, for labels.
pub fn short_names(index: &CatalogIndex) -> HashMap<&str, &str> {
    index.frameworks.iter().map(|f| (f.id.as_str(), f.short_name.as_str())).collect()
}
