//! Compliance -> Catalog pages: the frameworks, one framework's requirement tree, the common controls, one
//! control, and search. Global reference data: nothing here is scoped to an organization, and nothing changes.

use std::collections::HashMap;

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::data::MappingKind;
use super::models::{self, ControlRecord, DomainRecord, FrameworkRecord, FrameworkStats, MappedControl};
use super::search::{self, Hit, Query};
use super::view::{self, Chip};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::web::charts::BarChart;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput};

#[derive(Template, WebTemplate)]
#[template(path = "compliance/catalog.html")]
pub struct CatalogPage {
    page: PageContext,
    version: String,
    frameworks: Vec<FrameworkStats>,
    chart: BarChart,
    requirements: i64,
    assessable: i64,
}

pub async fn frameworks(state: web::Data<AppState>, input: PageInput) -> AppResult<CatalogPage> {
    let (page, version, frameworks) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let version = models::loaded_version(conn)?.unwrap_or_default();
            Ok((page, version, models::framework_stats(conn)?))
        })
        .await?;
    let chart = BarChart::new(
        "Assessable requirements per framework",
        frameworks.iter().map(|f| (f.framework.short_name.clone(), f.assessable)).collect(),
    );
    Ok(CatalogPage {
        page,
        version,
        requirements: frameworks.iter().map(|f| f.requirements).sum(),
        assessable: frameworks.iter().map(|f| f.assessable).sum(),
        frameworks,
        chart,
    })
}

/// One line of the requirement tree.
pub struct Node {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub summary: String,
    pub kind: String,
    /// Indentation level, capped for the stylesheet.
    pub depth: i32,
    pub assessable: bool,
    pub chips: Vec<Chip>,
    pub aliases: Vec<String>,
    pub controls: Vec<MappedControl>,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    #[serde(default)]
    group: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "compliance/framework.html")]
pub struct FrameworkPage {
    page: PageContext,
    framework: FrameworkRecord,
    sources: Vec<String>,
    mapping_sources: Vec<models::MappingSource>,
    groups: Vec<(String, String)>,
    /// The top-level group shown, empty for the whole tree.
    group: String,
    unknown_group: bool,
    nodes: Vec<Node>,
    assessable: usize,
    mapped: usize,
}

pub async fn framework(
    state: web::Data<AppState>,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<TreeQuery>,
) -> AppResult<FrameworkPage> {
    let framework_id = path.into_inner();
    let asked = query.into_inner().group;
    let wanted = asked.clone();
    let (page, framework, groups, group, requirements, mut mappings, mut aliases, mapping_sources) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let framework = models::find_framework(conn, &framework_id)?.ok_or(AppError::NotFound)?;
            let groups = models::top_groups(conn, &framework.id)?;
            let group = groups.iter().find(|(id, _)| *id == wanted).map(|(id, _)| id.clone()).unwrap_or_default();
            let requirements =
                models::requirements(conn, &framework.id, Some(group.as_str()).filter(|g| !g.is_empty()))?;
            let mappings = models::framework_mappings(conn, &framework.id, None)?;
            let aliases = models::framework_aliases(conn, &framework.id)?;
            let sources = models::mapping_sources(conn, &framework.id)?;
            Ok((page, framework, groups, group, requirements, mappings, aliases, sources))
        })
        .await?;
    let unknown_group = !asked.is_empty() && group != asked;
    let nodes: Vec<Node> = requirements
        .into_iter()
        .map(|r| Node {
            anchor: view::anchor(&r.requirement_id),
            chips: if r.assessable { view::chips(&framework.id, &r.attribute_map()) } else { Vec::new() },
            aliases: aliases.remove(&r.requirement_id).unwrap_or_default(),
            controls: mappings.remove(&r.requirement_id).unwrap_or_default(),
            kind: view::kind_label(&r.kind),
            depth: r.depth.min(4),
            id: r.requirement_id,
            title: r.title,
            summary: r.summary,
            assessable: r.assessable,
        })
        .collect();
    Ok(FrameworkPage {
        page,
        sources: framework.source_list(),
        mapping_sources,
        assessable: nodes.iter().filter(|n| n.assessable).count(),
        mapped: nodes.iter().filter(|n| n.assessable && n.controls.iter().any(MappedControl::is_primary)).count(),
        framework,
        groups,
        group,
        unknown_group,
        nodes,
    })
}

/// A common control in the list, with how far it reaches.
pub struct ControlLine {
    pub control: ControlRecord,
    pub requirements: i64,
    pub frameworks: i64,
}

pub struct DomainGroup {
    pub domain: DomainRecord,
    pub controls: Vec<ControlLine>,
}

#[derive(Deserialize)]
pub struct ControlsQuery {
    #[serde(default)]
    domain: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "compliance/controls.html")]
pub struct ControlsPage {
    page: PageContext,
    domains: Vec<DomainRecord>,
    groups: Vec<DomainGroup>,
    domain: String,
    total: usize,
}

pub async fn controls(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<ControlsQuery>,
) -> AppResult<ControlsPage> {
    let wanted = query.into_inner().domain;
    let (page, domains, domain, controls, reach) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let domains = models::domains(conn)?;
            let domain = domains.iter().find(|d| d.id == wanted).map(|d| d.id.clone()).unwrap_or_default();
            let controls = models::controls(conn, Some(domain.as_str()).filter(|d| !d.is_empty()))?;
            Ok((page, domains, domain, controls, models::control_reach(conn)?))
        })
        .await?;
    let total = controls.len();
    let mut by_domain: HashMap<String, Vec<ControlLine>> = HashMap::new();
    for control in controls {
        let (requirements, frameworks) = reach.get(&control.id).copied().unwrap_or((0, 0));
        by_domain.entry(control.domain_id.clone()).or_default().push(ControlLine { control, requirements, frameworks });
    }
    let groups = domains
        .iter()
        .filter_map(|d| by_domain.remove(&d.id).map(|controls| DomainGroup { domain: d.clone(), controls }))
        .collect();
    Ok(ControlsPage { page, domains, groups, domain, total })
}

/// The requirements a control satisfies in one framework.
pub struct FrameworkGroup {
    pub framework_id: String,
    pub framework_name: String,
    pub rows: Vec<SatisfiedRow>,
}

pub struct SatisfiedRow {
    pub requirement_id: String,
    pub href: String,
    pub title: String,
    pub chips: Vec<Chip>,
    pub kind: String,
    pub relationship: String,
    pub note: String,
}

impl SatisfiedRow {
    pub fn is_primary(&self) -> bool {
        super::data::MappingKind::parse(&self.kind).is_primary()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "compliance/control.html")]
pub struct ControlPage {
    page: PageContext,
    control: ControlRecord,
    domain: DomainRecord,
    evidence: Vec<super::data::Evidence>,
    groups: Vec<FrameworkGroup>,
    /// Requirements it meets by primary mappings, and those it only contributes to.
    requirements: usize,
    related: usize,
}

pub async fn control(state: web::Data<AppState>, input: PageInput, path: web::Path<String>) -> AppResult<ControlPage> {
    let control_id = path.into_inner();
    let (page, (control, domain), mapped) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let found = models::find_control(conn, &control_id)?.ok_or(AppError::NotFound)?;
            Ok((page, found, models::control_mappings(conn, &control_id)?))
        })
        .await?;
    let related = mapped.iter().filter(|m| !MappingKind::parse(&m.kind).is_primary()).count();
    let requirements = mapped.len() - related;
    let mut groups: Vec<FrameworkGroup> = Vec::new();
    for m in mapped {
        let row = SatisfiedRow {
            href: super::crosswalk_pages::requirement_href(&m.framework_id, &m.requirement_id),
            chips: view::chips(&m.framework_id, &serde_json::from_str(&m.attributes).unwrap_or_default()),
            requirement_id: m.requirement_id,
            title: m.title,
            kind: m.kind,
            relationship: m.relationship,
            note: m.note,
        };
        match groups.last_mut() {
            Some(g) if g.framework_id == m.framework_id => g.rows.push(row),
            _ => groups.push(FrameworkGroup {
                framework_id: m.framework_id,
                framework_name: m.framework_name,
                rows: vec![row],
            }),
        }
    }
    Ok(ControlPage { page, evidence: control.evidence_list(), control, domain, groups, requirements, related })
}

/// Search results of one framework, on one page.
pub struct HitGroup {
    pub framework_name: String,
    pub hits: Vec<HitLine>,
}

pub struct HitLine {
    pub hit: Hit,
    pub href: String,
    /// The old identifiers that matched, if the match was by alias.
    pub via: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "compliance/search.html")]
pub struct SearchPage {
    page: PageContext,
    q: String,
    exact: Vec<HitGroup>,
    words: Vec<HitGroup>,
    controls: Vec<ControlRecord>,
    pager: Pager,
}

pub async fn search(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<SearchPage> {
    let q = query.search();
    let page_number = query.page();
    let base_query = query_string(&[("q", &q)]);
    let text = q.clone();
    let (page, exact, words, controls, pager) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let query = Query::new(&text);
            let exact = search::by_identifier(conn, &query)?;
            let exact_hits: Vec<Hit> = exact.iter().map(|(h, _)| h.clone()).collect();
            let pager = Pager::new(page_number, search::count_by_words(conn, &query, &exact_hits)?, base_query);
            let words = search::by_words(conn, &query, &exact_hits, pager.per_page, pager.offset())?;
            let controls = if pager.page == 1 { search::controls(conn, &query)? } else { Vec::new() };
            Ok((page, exact, words, controls, pager))
        })
        .await?;
    Ok(SearchPage {
        page,
        q,
        exact: group_hits(exact),
        words: group_hits(words.into_iter().map(|h| (h, Vec::new())).collect()),
        controls,
        pager,
    })
}

fn group_hits(hits: Vec<(Hit, Vec<String>)>) -> Vec<HitGroup> {
    let mut groups: Vec<HitGroup> = Vec::new();
    for (hit, via) in hits {
        let line =
            HitLine { href: view::requirement_href(&hit.framework_id, &hit.top_id, &hit.requirement_id), hit, via };
        match groups.last_mut() {
            Some(g) if g.framework_name == line.hit.framework_name => g.hits.push(line),
            _ => groups.push(HitGroup { framework_name: line.hit.framework_name.clone(), hits: vec![line] }),
        }
    }
    groups
}
