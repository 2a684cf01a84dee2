//! Compliance -> Policies: the library (filters, pagination), the template gallery and "from scratch", and
//! creating a draft from either.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::library::{self, Fill};
use super::models::{self, Draft, ListFilter, ListRow, PolicyKind, PolicyStatus};
use super::{leads, log};
use crate::AppState;
use crate::audit::Action;
use crate::auth::{Permission, Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::ids::UserId;
use crate::error::AppResult;
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, redirect, render, render_status};

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    review: String,
}

#[derive(Template)]
#[template(path = "compliance/policies/list.html")]
struct LibraryPage {
    page: PageContext,
    rows: Vec<ListRow>,
    pager: Pager,
    search: String,
    status: String,
    kind: String,
    overdue_only: bool,
    filtered: bool,
    today: crate::db::Day,
    can_manage: bool,
}

impl LibraryPage {
    fn statuses(&self) -> [PolicyStatus; 4] {
        PolicyStatus::ALL
    }
    fn kinds(&self) -> [PolicyKind; 3] {
        PolicyKind::ALL
    }
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<LibraryQuery>,
) -> AppResult<HttpResponse> {
    let time = OrgTime::of(state.clock.now(), &scope);
    let overdue_only = query.review == "overdue";
    let filter = ListFilter {
        search: query.list.search(),
        status: PolicyStatus::parse(&query.status),
        kind: PolicyKind::parse(&query.kind),
        overdue_on: overdue_only.then_some(time.today),
    };
    let status = filter.status.map(|s| s.id()).unwrap_or_default().to_string();
    let kind = filter.kind.map(|k| k.id()).unwrap_or_default().to_string();
    let base = query_string(&[
        ("q", &filter.search),
        ("status", &status),
        ("kind", &kind),
        ("review", if overdue_only { "overdue" } else { "" }),
    ]);
    let filtered = !filter.search.is_empty() || filter.status.is_some() || filter.kind.is_some() || overdue_only;
    let (org, number, search) = (scope.org_id().clone(), query.list.page(), filter.search.clone());
    let (page, rows, pager) = state
        .db
        .run(move |conn| {
            let pager = Pager::new(number, models::count(conn, &org, &filter)?, base);
            let rows = models::page(conn, &org, &filter, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, rows, pager))
        })
        .await?;
    render(LibraryPage {
        page,
        rows,
        pager,
        search,
        status,
        kind,
        overdue_only,
        filtered,
        today: time.today,
        can_manage: scope.can(Permission::ManagePolicies),
    })
}

/// A card of the template gallery.
struct Card {
    template: &'static library::Template,
    /// (id, title) of the controls it maps to.
    controls: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "compliance/policies/new.html")]
struct NewPage {
    page: PageContext,
    cards: Vec<Card>,
    leads: leads::Leads,
    title: String,
    kind: String,
    errors: FieldErrors,
}

impl NewPage {
    fn kinds(&self) -> [PolicyKind; 3] {
        PolicyKind::ALL
    }
}

async fn new_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    (title, kind): (String, String),
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let index = crate::compliance::program::index::embedded()?;
    let cards = library::all()
        .iter()
        .map(|template| Card {
            template,
            controls: template
                .controls
                .iter()
                .filter_map(|id| index.control(id).map(|i| (id.clone(), index.controls[i].title.clone())))
                .collect(),
        })
        .collect();
    let org = scope.org_id().clone();
    let (page, leads) = state.db.run(move |conn| Ok((input.load(conn)?, leads::of(conn, &org)?))).await?;
    let status = crate::web::form_status(&errors);
    render_status(status, NewPage { page, cards, leads, title, kind, errors })
}

pub async fn new_form(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    new_page(&state, &scope, input, (String::new(), "security".into()), FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    /// A template's slug, or empty for a policy written from scratch.
    #[serde(default)]
    template: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
}

/// What a new policy starts from.
enum Start {
    Template(&'static library::Template),
    /// A title and a kind, with an outline to write in.
    Scratch(String, PolicyKind),
}

impl Start {
    /// The template or the title and kind asked for, or the fields at fault.
    fn of(form: &CreateForm) -> Result<Start, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !form.template.trim().is_empty() {
            return library::find(form.template.trim()).map(Start::Template).ok_or_else(|| {
                errors.add("template", "This template does not exist. Choose one of the gallery.");
                errors
            });
        }
        let title = forms::required(&mut errors, "title", &form.title, "Title", super::forms::MAX_TITLE);
        match PolicyKind::parse(form.kind.trim()) {
            Some(kind) if errors.is_empty() => Ok(Start::Scratch(title, kind)),
            kind => {
                if kind.is_none() {
                    errors.add("kind", "Choose whether this is a security, privacy or general policy.");
                }
                Err(errors)
            }
        }
    }

    /// The template's slug ("" from scratch) and the draft, owned by `owner`, dated from `today`: a template's
    /// placeholders are filled from the organization (`fill`).
    fn draft(
        self,
        fill: impl FnOnce(crate::db::Day) -> Fill,
        owner: UserId,
        today: crate::db::Day,
    ) -> (&'static str, Draft) {
        match self {
            Start::Template(t) => {
                let next_review_on = today.plus_months(t.review_months as u32);
                let draft = Draft {
                    title: t.title.clone(),
                    kind: t.kind,
                    owner: Some(owner),
                    review_months: t.review_months,
                    next_review_on: Some(next_review_on),
                    body: t.filled(&fill(next_review_on)),
                    controls: t.controls.clone(),
                };
                (t.slug.as_str(), draft)
            }
            Start::Scratch(title, kind) => {
                let draft = Draft {
                    body: format!("# {title}\n\n## Purpose\n\n## Scope\n\n## Policy\n\n## Enforcement\n"),
                    title,
                    kind,
                    owner: Some(owner),
                    review_months: 12,
                    next_review_on: Some(today.plus_months(12)),
                    controls: Vec::new(),
                };
                ("", draft)
            }
        }
    }
}

/// Starts a draft: from a template (its text with the placeholders filled from the organization, its controls
/// and cadence), or from scratch (a title, a kind and an outline to write in).
pub async fn create(c: Change, form: web::Form<CreateForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let time = OrgTime::of(state.clock.now(), &scope);
    let start = match Start::of(&form) {
        Ok(start) => start,
        Err(errors) => return new_page(&state, &scope, input, (form.title, form.kind), errors).await,
    };
    let (org, org_name, user) = (scope.org_id().clone(), scope.org.name.clone(), scope.user.id.clone());
    let (id, title, used) = state
        .db
        .write(move |conn| {
            let leads = leads::of(conn, &org)?;
            let fill = |next_review_on: crate::db::Day| Fill {
                organization: org_name,
                security_lead: leads.security.name.clone(),
                privacy_lead: leads.privacy.name.clone(),
                effective_date: time.today.label(),
                next_review_date: next_review_on.label(),
            };
            let (slug, draft) = start.draft(fill, user.clone(), time.today);
            let id = models::insert(conn, &org, slug, &draft, &user, actor.at)?;
            let details = if slug.is_empty() { "from scratch".to_string() } else { format!("from template {slug}") };
            log(conn, &actor, &org, Action::PolicyCreated, &id, &draft.title, details)?;
            let used = (!slug.is_empty()).then(|| leads.sentence());
            Ok((id, draft.title, used))
        })
        .await?;
    let filled = used.map(|u| format!(" Filled in: {u}.")).unwrap_or_default();
    session::flash_ok(&session, format!("{title} is a new draft.{filled}"));
    Ok(redirect(&format!("/compliance/policies/{id}")))
}
