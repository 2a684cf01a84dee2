//! Compliance -> Controls: the organization's in-scope controls, filtered by framework, domain, status, owner,
//! evidence and due date, searched by id or words, sorted and paginated. Six statements whatever the number of
//! controls: the page context, the adopted frameworks, the owners, the count and the page.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{self, Candidate, DueFilter, EvidenceState, ListFilter, ListRow, OwnerFilter, Sort};
use crate::AppState;
use crate::auth::Scope;
use crate::compliance::frameworks::models::adoptions;
use crate::compliance::program::index::{self, CatalogIndex};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::db::Day;
use crate::error::AppResult;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, render};

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    pub framework: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub review: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<String>,
}

impl Params {
    fn is_filtered(&self) -> bool {
        [&self.framework, &self.domain, &self.status, &self.owner, &self.evidence, &self.due, &self.review, &self.q]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// A line of the list, ready to show.
pub struct Line {
    pub control_id: String,
    pub title: String,
    pub domain: String,
    pub status: ControlStatus,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub review: String,
    pub evidence: EvidenceState,
    pub frameworks: Vec<String>,
}

fn line(index: &CatalogIndex, row: ListRow, today: Day) -> Line {
    let overdue = row.status.is_open() && row.due_on.is_some_and(|d| d < today);
    Line {
        frameworks: row
            .frameworks
            .split_whitespace()
            .filter_map(|id| index.framework_entry(id).map(|f| f.short_name.clone()))
            .collect(),
        domain: index.domains.iter().find(|(id, _)| *id == row.domain_id).map(|(_, n)| n.clone()).unwrap_or_default(),
        evidence: EvidenceState::of(row.evidence_approved, row.evidence_pending, row.evidence_valid_until, today),
        control_id: row.control_id,
        title: row.title,
        status: row.status,
        owner: row.owner_name.unwrap_or_default(),
        due: row.due_on.map(Day::label).unwrap_or_default(),
        overdue,
        review: row.next_review_on.map(Day::label).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "compliance/controls/list.html")]
pub struct ControlsPage {
    page: PageContext,
    lines: Vec<Line>,
    pager: Pager,
    params: Params,
    has_program: bool,
    filtered: bool,
    frameworks: Vec<(String, String)>,
    domains: &'static [(String, String)],
    owners: Vec<Candidate>,
    can_add_evidence: bool,
}

impl ControlsPage {
    fn statuses(&self) -> [ControlStatus; 5] {
        ControlStatus::ALL
    }
    fn evidence_states(&self) -> [EvidenceState; 5] {
        EvidenceState::ALL
    }
    fn due_options(&self) -> [(DueFilter, &'static str, &'static str); 3] {
        DueFilter::ALL
    }
    fn sorts(&self) -> [(Sort, &'static str, &'static str); 6] {
        Sort::ALL
    }
    fn sort_selected(&self, code: &str) -> bool {
        self.params.sort == code || (self.params.sort.is_empty() && code == "control")
    }
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<Params>,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let params = query.into_inner();
    let time = OrgTime::of(state.clock.now(), &scope);
    let owner = match params.owner.as_str() {
        "" => OwnerFilter::Anyone,
        "none" => OwnerFilter::Nobody,
        "me" => OwnerFilter::User(scope.user.id.to_string()),
        id => OwnerFilter::User(id.to_string()),
    };
    let filter = ListFilter {
        framework: index.framework_entry(&params.framework).map(|f| f.id.clone()),
        domain: index.domains.iter().find(|(id, _)| *id == params.domain).map(|(id, _)| id.clone()),
        status: ControlStatus::parse(&params.status),
        owner,
        evidence: EvidenceState::parse(&params.evidence),
        due: DueFilter::parse(&params.due),
        review_overdue: params.review == "overdue",
        search: ListQuery { page: None, q: Some(params.q.clone()) }.search(),
        today: time.today,
    };
    let sort = Sort::parse(&params.sort);
    let page_number = ListQuery { page: params.page.clone(), q: None }.page();
    let base_query = query_string(&[
        ("framework", &params.framework),
        ("domain", &params.domain),
        ("status", &params.status),
        ("owner", &params.owner),
        ("evidence", &params.evidence),
        ("due", &params.due),
        ("review", &params.review),
        ("q", &params.q),
        ("sort", &params.sort),
    ]);
    let (org_id, managed_by) = (scope.org_id().clone(), scope.org.managed_by.clone());
    let (page, adopted, owners, pager, rows) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let adopted = adoptions(conn, &org_id)?;
            let owners = models::owner_candidates(conn, &org_id, managed_by.as_ref())?;
            let pager = Pager::new(page_number, models::count(conn, &org_id, &filter)?, base_query);
            let rows = models::page(conn, &org_id, &filter, sort, pager.per_page, pager.offset())?;
            Ok((page, adopted, owners, pager, rows))
        })
        .await?;
    let frameworks: Vec<(String, String)> = index
        .frameworks
        .iter()
        .filter(|f| adopted.iter().any(|a| a.adopted && a.framework_id == f.id))
        .map(|f| (f.id.clone(), f.short_name.clone()))
        .collect();
    render(ControlsPage {
        page,
        lines: rows.into_iter().map(|r| line(index, r, time.today)).collect(),
        pager,
        has_program: !frameworks.is_empty(),
        filtered: params.is_filtered(),
        params,
        frameworks,
        domains: &index.domains,
        owners,
        can_add_evidence: scope.can(crate::auth::Permission::ManageEvidence),
    })
}
