//! Compliance -> Crosswalk (two frameworks side by side, with CSV) and a requirement's own page with what else
//! it satisfies through its common controls. Global reference data, like the other catalog pages.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::crosswalk::{self, Line, Linked};
use super::data::MappingKind;
use super::models::{self, FrameworkRecord, MappedControl, RequirementRecord};
use super::view::{self, Chip};
use crate::AppState;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::web::pagination::{Pager, query_string};
use crate::web::{PageContext, PageInput, form_status_invalid, render, render_status};

/// `?from=hipaa&to=nist-csf-2&page=2`, as the picker sends it.
#[derive(Deserialize, Default, Clone)]
pub struct CrosswalkQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<String>,
}

impl CrosswalkQuery {
    fn page(&self) -> i64 {
        crate::web::pagination::ListQuery { page: self.page.clone(), q: None }.page()
    }
}

/// A framework as the picker lists it: (id, short name).
type Named = (String, String);

/// The two frameworks picked, or what is wrong with the choice (a message per field).
struct Choice {
    from: Option<Named>,
    to: Option<Named>,
    from_error: String,
    to_error: String,
}

impl Choice {
    fn new(query: &CrosswalkQuery, frameworks: &[Named]) -> Choice {
        let find = |id: &str| frameworks.iter().find(|(f, _)| f == id.trim()).cloned();
        let (from, to) = (find(&query.from), find(&query.to));
        let unknown = |asked: &str, found: &Option<Named>| {
            if !asked.trim().is_empty() && found.is_none() { "Pick a framework from the list." } else { "" }
        };
        let mut to_error = unknown(&query.to, &to).to_string();
        if from.is_some() && from == to {
            to_error = "Pick a framework other than the first.".into();
        }
        Choice { from_error: unknown(&query.from, &from).to_string(), to_error, from, to }
    }

    fn is_invalid(&self) -> bool {
        !self.from_error.is_empty() || !self.to_error.is_empty()
    }

    /// Both frameworks, when the choice is complete and valid.
    fn pair(&self) -> Option<(&Named, &Named)> {
        if self.is_invalid() { None } else { self.from.as_ref().zip(self.to.as_ref()) }
    }
}

#[derive(Template)]
#[template(path = "compliance/crosswalk.html")]
pub struct CrosswalkPage {
    page: PageContext,
    frameworks: Vec<(String, String)>,
    /// What was asked, given back as typed.
    from: String,
    to: String,
    from_error: String,
    to_error: String,
    /// The short names of the pair shown, when one is.
    from_name: String,
    to_name: String,
    lines: Vec<Line>,
    pager: Pager,
    csv_href: String,
}

pub async fn crosswalk_page(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<CrosswalkQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let page_number = query.page();
    let asked = query.clone();
    let (page, frameworks, choice, lines, total) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let frameworks = models::framework_names(conn)?;
            let choice = Choice::new(&asked, &frameworks);
            let (lines, total) = match choice.pair() {
                Some((from, to)) => page_lines(conn, &from.0, &to.0, page_number)?,
                None => (Vec::new(), 0),
            };
            Ok((page, frameworks, choice, lines, total))
        })
        .await?;
    let name = |f: &Option<Named>| f.as_ref().map(|(_, n)| n.clone()).unwrap_or_default();
    let base = query_string(&[("from", query.from.trim()), ("to", query.to.trim())]);
    let status = if choice.is_invalid() { form_status_invalid() } else { actix_web::http::StatusCode::OK };
    let view = CrosswalkPage {
        page,
        frameworks,
        from_name: name(&choice.from),
        to_name: name(&choice.to),
        from: query.from,
        to: query.to,
        lines,
        pager: Pager::new(page_number, total, base.clone()),
        csv_href: format!("/compliance/crosswalk.csv?{base}"),
        from_error: choice.from_error,
        to_error: choice.to_error,
    };
    render_status(status, view)
}

/// One page of the crosswalk: the count, the page of `from` requirements, their mappings, every `to` mapping and
/// requirement (bounded by the framework's size, not by the data): five statements.
fn page_lines(conn: &mut DbConnection, from: &str, to: &str, page: i64) -> Result<(Vec<Line>, i64), AppError> {
    let total = models::count_assessable(conn, from)?;
    let pager = Pager::new(page, total, String::new());
    let from_requirements = models::assessable_requirements(conn, from, Some((pager.per_page, pager.offset())))?;
    let ids: Vec<String> = from_requirements.iter().map(|(id, _)| id.clone()).collect();
    let from_mappings = models::mapping_rows(conn, from, Some(&ids))?;
    let to_requirements = models::assessable_requirements(conn, to, None)?;
    let to_mappings = models::mapping_rows(conn, to, None)?;
    Ok((crosswalk::lines(from_requirements, &to_requirements, &from_mappings, &to_mappings), total))
}

/// The whole crosswalk as CSV (the same rows `palisade catalog crosswalk A B` prints).
pub async fn crosswalk_csv(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<CrosswalkQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let asked = query.clone();
    let (from, to, csv) = state
        .db
        .run(move |conn| {
            let frameworks = models::framework_names(conn)?;
            let choice = Choice::new(&asked, &frameworks);
            let Some((from, to)) = choice.pair() else {
                return Ok((String::new(), String::new(), None));
            };
            let (from, to) = (from.0.clone(), to.0.clone());
            let lines = crosswalk::lines(
                models::assessable_requirements(conn, &from, None)?,
                &models::assessable_requirements(conn, &to, None)?,
                &models::mapping_rows(conn, &from, None)?,
                &models::mapping_rows(conn, &to, None)?,
            );
            let csv = crosswalk::to_csv(&from, &to, &lines);
            Ok((from, to, Some(csv)))
        })
        .await?;
    match csv {
        Some(csv) => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", format!("attachment; filename=\"crosswalk-{from}-{to}.csv\"")))
            .body(csv)),
        // Incomplete or wrong choice: the page explains it, next to the fields.
        None => crosswalk_page(state, input, web::Query(CrosswalkQuery { page: None, ..query })).await,
    }
}

/// The page of one requirement, `/compliance/catalog/frameworks/{framework_id}/requirement?id=...`.
pub fn requirement_href(framework_id: &str, requirement_id: &str) -> String {
    format!(
        "/compliance/catalog/frameworks/{}/requirement?id={}",
        crate::web::urlencode(framework_id),
        crate::web::urlencode(requirement_id)
    )
}

#[derive(Deserialize)]
pub struct RequirementQuery {
    #[serde(default)]
    id: String,
}

/// A framework's requirements reached through the requirement's controls.
pub struct ReachedGroup {
    pub framework_id: String,
    pub framework_name: String,
    pub links: Vec<Linked>,
}

#[derive(Template)]
#[template(path = "compliance/requirement.html")]
pub struct RequirementPage {
    page: PageContext,
    framework: FrameworkRecord,
    requirement: RequirementRecord,
    kind: String,
    chips: Vec<Chip>,
    aliases: Vec<String>,
    tree_href: String,
    primary: Vec<MappedControl>,
    related: Vec<MappedControl>,
    groups: Vec<ReachedGroup>,
}

pub async fn requirement(
    state: web::Data<AppState>,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<RequirementQuery>,
) -> AppResult<HttpResponse> {
    let framework_id = path.into_inner();
    let requirement_id = query.into_inner().id;
    let (page, framework, requirement, mut mapped, aliases, reached) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let framework = models::find_framework(conn, &framework_id)?.ok_or(AppError::NotFound)?;
            let requirement =
                models::find_requirement(conn, &framework.id, requirement_id.trim())?.ok_or(AppError::NotFound)?;
            let rid = requirement.requirement_id.clone();
            let mapped = models::framework_mappings(conn, &framework.id, Some(&rid))?.remove(&rid).unwrap_or_default();
            let aliases = models::framework_aliases(conn, &framework.id)?.remove(&rid).unwrap_or_default();
            let controls: Vec<String> = mapped.iter().map(|m| m.control_id.clone()).collect();
            let reached = models::reached_through(conn, &framework.id, &controls)?;
            Ok((page, framework, requirement, mapped, aliases, reached))
        })
        .await?;
    let here: HashMap<String, MappingKind> =
        mapped.iter().map(|m| (m.control_id.clone(), MappingKind::parse(&m.kind))).collect();
    let related = mapped.split_off(mapped.iter().take_while(|m| m.is_primary()).count());
    render(RequirementPage {
        page,
        kind: view::kind_label(&requirement.kind),
        chips: view::chips(&framework.id, &requirement.attribute_map()),
        tree_href: view::requirement_href(&framework.id, &requirement.top_id, &requirement.requirement_id),
        groups: reached_groups(reached, &here),
        primary: mapped,
        related,
        aliases,
        framework,
        requirement,
    })
}

/// Groups the reached requirements by framework; a link is primary when one control is primary on both sides.
fn reached_groups(reached: Vec<models::ReachedRequirement>, here: &HashMap<String, MappingKind>) -> Vec<ReachedGroup> {
    let mut groups: Vec<ReachedGroup> = Vec::new();
    for r in reached {
        let kind = crosswalk::through(
            here.get(&r.control_id).copied().unwrap_or(MappingKind::Related),
            MappingKind::parse(&r.kind),
        );
        if groups.last().is_none_or(|g| g.framework_id != r.framework_id) {
            groups.push(ReachedGroup {
                framework_id: r.framework_id.clone(),
                framework_name: r.framework_name.clone(),
                links: Vec::new(),
            });
        }
        let Some(group) = groups.last_mut() else { continue };
        match group.links.iter_mut().find(|l| l.requirement_id == r.requirement_id) {
            Some(link) => {
                link.kind = link.kind.min(kind);
                if !link.controls.contains(&r.control_id) {
                    link.controls.push(r.control_id);
                }
            }
            None => group.links.push(Linked {
                requirement_id: r.requirement_id,
                title: r.title,
                kind,
                controls: vec![r.control_id],
            }),
        }
    }
    groups
}
