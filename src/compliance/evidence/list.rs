//! Compliance -> Evidence: every evidence item of the organization, filtered by status, kind and validity,
//! searched by title, newest first, paginated: the page context, the count and the page.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::{EvidenceKind, EvidenceLine, EvidenceStatus};
use crate::AppState;
use crate::auth::{Permission, Scope};
use crate::compliance::program::OrgTime;
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::error::AppResult;
use crate::schema::evidence;
use crate::web::pagination::{ListQuery, Pager, contains_pattern, query_string};
use crate::web::{PageContext, PageInput, render};

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub validity: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<String>,
}

/// Validity filters: (code, label).
pub const VALIDITY: [(&str, &str); 3] =
    [("expired", "Expired"), ("expiring", "Expires within 30 days"), ("valid", "Valid for 30 days or more")];

struct Filter {
    status: Option<EvidenceStatus>,
    kind: Option<EvidenceKind>,
    validity: Option<&'static str>,
    search: String,
    today: Day,
}

fn filtered<'a>(org_id: &'a OrgId, f: &'a Filter) -> evidence::BoxedQuery<'a, MultiBackend> {
    let mut q = evidence::table.filter(evidence::org_id.eq(org_id)).into_boxed();
    if let Some(status) = f.status {
        q = q.filter(evidence::status.eq(status));
    }
    if let Some(kind) = f.kind {
        q = q.filter(evidence::kind.eq(kind));
    }
    let soon = f.today.plus_days(30);
    q = match f.validity {
        Some("expired") => q.filter(evidence::valid_until.lt(f.today)),
        Some("expiring") => q.filter(evidence::valid_until.ge(f.today).and(evidence::valid_until.lt(soon))),
        Some(_) => q.filter(evidence::valid_until.ge(soon)),
        None => q,
    };
    for word in f.search.split_whitespace().take(8) {
        q = q.filter(lower(evidence::title).like(contains_pattern(word)).escape('\\'));
    }
    q
}

fn load_page(conn: &mut DbConnection, org_id: &OrgId, f: &Filter, pager: &Pager) -> QueryResult<Vec<EvidenceLine>> {
    filtered(org_id, f)
        .order((evidence::created_at.desc(), evidence::id.desc()))
        .limit(pager.per_page)
        .offset(pager.offset())
        .select((
            evidence::id,
            evidence::title,
            evidence::source,
            evidence::kind,
            evidence::status,
            evidence::effective_on,
            evidence::valid_until,
        ))
        .load(conn)
}

#[derive(Template)]
#[template(path = "compliance/evidence/list.html")]
pub struct EvidenceListPage {
    page: PageContext,
    lines: Vec<EvidenceLine>,
    pager: Pager,
    params: Params,
    today: Day,
    can_add: bool,
    filtered: bool,
}

impl EvidenceListPage {
    fn statuses(&self) -> [EvidenceStatus; 3] {
        EvidenceStatus::ALL
    }
    fn kinds(&self) -> [EvidenceKind; 8] {
        EvidenceKind::ALL
    }
    fn state_of(
        &self,
        e: &crate::compliance::evidence::models::EvidenceLine,
    ) -> crate::compliance::controls::models::EvidenceState {
        e.state(self.today)
    }
    fn validity(&self) -> [(&'static str, &'static str); 3] {
        VALIDITY
    }
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<Params>,
) -> AppResult<HttpResponse> {
    let params = query.into_inner();
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let filter = Filter {
        status: EvidenceStatus::parse(&params.status),
        kind: EvidenceKind::parse(&params.kind),
        validity: VALIDITY.iter().find(|(code, _)| *code == params.validity).map(|(code, _)| *code),
        search: ListQuery { page: None, q: Some(params.q.clone()) }.search(),
        today,
    };
    let page_number = ListQuery { page: params.page.clone(), q: None }.page();
    let base = query_string(&[
        ("status", &params.status),
        ("kind", &params.kind),
        ("validity", &params.validity),
        ("q", &params.q),
    ]);
    let org_id = scope.org_id().clone();
    let (page, lines, pager) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let pager = Pager::new(page_number, filtered(&org_id, &filter).count().get_result(conn)?, base);
            let lines = load_page(conn, &org_id, &filter, &pager)?;
            Ok((page, lines, pager))
        })
        .await?;
    let filtered = [&params.status, &params.kind, &params.validity, &params.q].iter().any(|v| !v.trim().is_empty());
    render(EvidenceListPage {
        page,
        lines,
        pager,
        params,
        today,
        can_add: scope.can(Permission::ManageEvidence),
        filtered,
    })
}
