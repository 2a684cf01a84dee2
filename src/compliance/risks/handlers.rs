//! Compliance -> Risks: the register (filters, search, sort, pages, heat maps and totals), adding and editing a
//! risk, closing and reopening it. Each change and its activity entry are one transaction; a refused form comes
//! back with its values and the messages next to the fields (422).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::cells::{self, MapKind};
use super::choices::Choices;
use super::forms::{RiskForm, default_review};
use super::heatmap::{HeatMap, Totals};
use super::models::{self, Category, Risk, RiskFilter, RiskInput, RiskRow, RiskStatus, Sort, Treatment};
use super::scale::{self, IMPACT, LEVEL_RULE, LIKELIHOOD, Level, ScaleLevel};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::DbConnection;
use crate::db::ids::{AssetId, OrgId, RiskId};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Deserialize, Default, Clone)]
pub struct RisksQuery {
    #[serde(flatten)]
    pub list: ListQuery,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub treatment: String,
    #[serde(default)]
    pub level: String,
    /// A heat-map cell, "4x5" (likelihood x impact).
    #[serde(default)]
    pub residual: String,
    #[serde(default)]
    pub inherent: String,
    #[serde(default)]
    pub owner: String,
    /// "due": risks asking for review.
    #[serde(default)]
    pub review: String,
    #[serde(default)]
    pub sort: String,
}

/// "4x5" as (4, 5), each from 1 to 5.
fn cell(text: &str) -> Option<(i32, i32)> {
    let (l, i) = text.split_once('x')?;
    let (l, i) = (l.trim().parse().ok()?, i.trim().parse().ok()?);
    ((1..=5).contains(&l) && (1..=5).contains(&i)).then_some((l, i))
}

impl RisksQuery {
    pub fn filter(&self, today: crate::db::Day) -> RiskFilter {
        let status = match self.status.as_str() {
            "all" => Some(None),
            other => RiskStatus::parse(other).map(Some),
        };
        RiskFilter {
            status,
            category: Category::parse(&self.category),
            treatment: Treatment::parse(&self.treatment),
            level: Level::parse(&self.level),
            residual_cell: cell(&self.residual),
            inherent_cell: cell(&self.inherent),
            owner: Some(self.owner.trim().to_string()).filter(|o| !o.is_empty()),
            review_due: (self.review == "due").then_some(today),
            search: self.list.search(),
            sort: Sort::parse(&self.sort),
        }
    }

    /// The query string without the page (pager links, the export link).
    pub fn base(&self) -> String {
        query_string(&[
            ("q", &self.list.search()),
            ("status", &self.status),
            ("category", &self.category),
            ("treatment", &self.treatment),
            ("level", &self.level),
            ("residual", &self.residual),
            ("inherent", &self.inherent),
            ("owner", &self.owner),
            ("review", &self.review),
            ("sort", &self.sort),
        ])
    }

    fn is_filtered(&self) -> bool {
        let narrowing = [
            &self.status,
            &self.category,
            &self.treatment,
            &self.level,
            &self.residual,
            &self.inherent,
            &self.owner,
            &self.review,
        ];
        !self.list.search().is_empty() || narrowing.iter().any(|v| !v.is_empty())
    }

    /// "Residual likelihood 4, impact 5": the heat-map cell the register is narrowed to, for its heading.
    fn cell_label(&self) -> String {
        let describe = |kind: &str, c: Option<(i32, i32)>| {
            c.map(|(l, i)| format!("{kind} likelihood {l}, impact {i}")).unwrap_or_default()
        };
        [describe("Residual", cell(&self.residual)), describe("Inherent", cell(&self.inherent))]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Template)]
#[template(path = "compliance/risks/list.html")]
struct RegisterPage {
    page: PageContext,
    rows: Vec<RiskRow>,
    pager: Pager,
    query: RisksQuery,
    search: String,
    filtered: bool,
    cell_label: String,
    inherent_map: HeatMap,
    residual_map: HeatMap,
    totals: Totals,
    rule: &'static str,
    today: crate::db::Day,
    categories: [Category; 8],
    treatments: [Treatment; 4],
    statuses: [RiskStatus; 4],
    levels: [Level; 4],
    sorts: [Sort; 6],
    can_edit: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<RisksQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let filter = query.filter(today);
    let (org, base, page_number) = (scope.org_id().clone(), query.base(), query.list.page());
    let (page, rows, pager, counts) = state
        .db
        .run(move |conn| {
            let counts = cells::load(conn, &org)?;
            let total = match cells::filtered_count(&counts, &filter) {
                Some(total) => total,
                None => models::count(conn, &org, &filter)?,
            };
            let pager = Pager::new(page_number, total, base);
            let rows = models::page(conn, &org, &filter, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, rows, pager, counts))
        })
        .await?;
    render(RegisterPage {
        page,
        rows,
        pager,
        search: query.list.search(),
        filtered: query.is_filtered(),
        cell_label: query.cell_label(),
        query,
        inherent_map: HeatMap::new(MapKind::Inherent, "Inherent risk (before controls)", &counts),
        residual_map: HeatMap::new(MapKind::Residual, "Residual risk (after controls)", &counts),
        totals: Totals::of(&counts),
        rule: LEVEL_RULE,
        today,
        categories: Category::ALL,
        treatments: Treatment::ALL,
        statuses: RiskStatus::ALL,
        levels: Level::ALL,
        sorts: Sort::ALL,
        can_edit: scope.can(Permission::EditControls),
    })
}

#[derive(Template)]
#[template(path = "compliance/risks/form.html")]
struct RiskFormPage {
    page: PageContext,
    /// None for a new risk.
    risk: Option<Risk>,
    form: RiskForm,
    errors: FieldErrors,
    choices: Choices,
    categories: [Category; 8],
    treatments: [Treatment; 4],
    statuses: Vec<RiskStatus>,
    likelihood: &'static [ScaleLevel; 5],
    impact: &'static [ScaleLevel; 5],
    rule: &'static str,
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    risk: Option<Risk>,
    form: RiskForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (org, managed_by) = (scope.org_id().clone(), scope.org.managed_by.clone());
    let (page, choices) =
        state.db.run(move |conn| Ok((input.load(conn)?, Choices::load(conn, &org, managed_by.as_ref())?))).await?;
    let mut statuses = RiskStatus::EDITABLE.to_vec();
    if let Some(current) = risk.as_ref().map(|r| r.status).filter(|s| !statuses.contains(s)) {
        statuses.push(current);
    }
    let page = RiskFormPage {
        page,
        risk,
        form,
        errors,
        choices,
        categories: Category::ALL,
        treatments: Treatment::ALL,
        statuses,
        likelihood: &LIKELIHOOD,
        impact: &IMPACT,
        rule: LEVEL_RULE,
    };
    render_status(form_status(&page.errors), page)
}

pub async fn new_form(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let form = RiskForm {
        category: Category::Cyber.id().into(),
        treatment: Treatment::Mitigate.id().into(),
        status: RiskStatus::Open.id().into(),
        next_review_on: default_review(today).as_str().to_string(),
        owner: scope.user.id.to_string(),
        ..Default::default()
    };
    form_page(&state, &scope, input, None, form, FieldErrors::default()).await
}

type Pairs = web::Form<Vec<(String, String)>>;

pub fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &RiskId,
    title: &str,
    details: String,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("risk", id, title).details(details))
}

/// "Residual 8 (Medium), inherent 20 (Critical)": what a new risk's activity entry says.
fn scores_text(input: &RiskInput) -> String {
    let (residual, inherent) = (input.residual.0 * input.residual.1, input.inherent.0 * input.inherent.1);
    format!(
        "residual {residual} ({}), inherent {inherent} ({})",
        Level::of(residual).label(),
        Level::of(inherent).label()
    )
}

pub async fn create(c: Change, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = RiskForm::from_pairs(&form);
    let (org, managed_by, author, submitted) =
        (scope.org_id().clone(), scope.org.managed_by.clone(), scope.user.id.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let choices = Choices::load(conn, &org, managed_by.as_ref())?;
            let (risk, controls, assets) = match choices.validate(&submitted, None) {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            let id = models::insert(conn, &org, &risk, Some(&author), actor.at)?;
            models::set_controls(conn, &org, &id, &controls)?;
            models::set_assets(conn, &org, &id, &assets)?;
            log(conn, &actor, &org, Action::RiskCreated, &id, &risk.title, scores_text(&risk))?;
            Ok(Ok((id, risk.title)))
        })
        .await?;
    match outcome {
        Ok((id, title)) => {
            session::flash_ok(&session, format!("{title} is added to the register."));
            Ok(redirect(&format!("/compliance/risks/{id}")))
        }
        Err(errors) => form_page(&state, &scope, input, None, form, errors).await,
    }
}

/// A risk of the scope's organization, or 404.
pub async fn risk_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Risk> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

/// The catalog ids of a risk's controls and the ids of its assets (two statements).
pub fn links(conn: &mut DbConnection, org: &OrgId, id: &RiskId) -> diesel::QueryResult<(Vec<String>, Vec<AssetId>)> {
    let ids = std::slice::from_ref(id);
    let controls = models::controls_of(conn, org, ids)?.into_iter().map(|(_, c)| c).collect();
    let assets = models::assets_of(conn, org, ids)?.into_iter().map(|(_, a)| a).collect();
    Ok((controls, assets))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let risk = risk_of(&state, &scope, path.into_inner()).await?;
    if risk.is_closed() {
        return Err(AppError::NotFound);
    }
    let (org, id) = (scope.org_id().clone(), risk.id.clone());
    let (controls, assets) = state.db.run(move |conn| Ok(links(conn, &org, &id)?)).await?;
    let form = RiskForm::of(&risk, controls, assets.iter().map(|a| a.to_string()).collect());
    form_page(&state, &scope, input, Some(risk), form, FieldErrors::default()).await
}

/// "residual score: 12 -> 6; owner: edited": what an edit changed (the activity log's details).
fn changed_fields(before: &Risk, after: &RiskInput, links_changed: (bool, bool)) -> String {
    let score = |s: (i32, i32)| s.0 * s.1;
    let mut out = Vec::new();
    let residual = score(after.residual);
    if before.residual_score != residual {
        out.push(format!("residual score: {} -> {residual}", before.residual_score));
    }
    let inherent = score(after.inherent);
    if before.inherent_score != inherent {
        out.push(format!("inherent score: {} -> {inherent}", before.inherent_score));
    }
    if before.status != after.status {
        out.push(format!("status: {} -> {}", before.status.label(), after.status.label()));
    }
    if before.treatment != after.treatment {
        out.push(format!("treatment: {} -> {}", before.treatment.label(), after.treatment.label()));
    }
    let edited = [
        (before.title != after.title, "title"),
        (before.description != after.description, "description"),
        (before.category != after.category, "category"),
        (before.affected_processes != after.affected_processes, "affected processes"),
        (before.owner_user_id != after.owner_user_id, "owner"),
        (before.treatment_plan != after.treatment_plan || before.treatment_due_on != after.treatment_due_on, "plan"),
        (before.next_review_on != after.next_review_on, "next review"),
        (
            before.sle_low_cents != after.sle_low_cents
                || before.sle_high_cents != after.sle_high_cents
                || before.aro_hundredths != after.aro_hundredths,
            "exposure",
        ),
        (links_changed.0, "controls"),
        (links_changed.1, "assets"),
    ];
    out.extend(edited.iter().filter(|(changed, _)| *changed).map(|(_, name)| format!("{name}: edited")));
    out.join("; ")
}

pub async fn update(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = RiskForm::from_pairs(&form);
    let risk = risk_of(&state, &scope, path.into_inner()).await?;
    if risk.is_closed() {
        session::flash_error(&session, format!("{} is closed: reopen it to change it.", risk.title));
        return Ok(redirect(&format!("/compliance/risks/{}", risk.id)));
    }
    let (org, managed_by, before, submitted) =
        (scope.org_id().clone(), scope.org.managed_by.clone(), risk.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let choices = Choices::load(conn, &org, managed_by.as_ref())?;
            let (input, controls, assets) = match choices.validate(&submitted, Some(&before)) {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            let (old_controls, old_assets) = links(conn, &org, &before.id)?;
            models::update(conn, &org, &before.id, &input, actor.at)?;
            models::set_controls(conn, &org, &before.id, &controls)?;
            models::set_assets(conn, &org, &before.id, &assets)?;
            let details = changed_fields(&before, &input, (old_controls != controls, old_assets != assets));
            log(conn, &actor, &org, Action::RiskUpdated, &before.id, &input.title, details)?;
            let stale = before.accepted_score.is_some_and(|s| s != input.residual.0 * input.residual.1);
            Ok(Ok((input.title, stale)))
        })
        .await?;
    match outcome {
        Ok((title, stale)) => {
            let note = if stale { " Its acceptance was of another residual score: it asks for review." } else { "" };
            session::flash_ok(&session, format!("{title} is saved.{note}"));
            Ok(redirect(&format!("/compliance/risks/{}", risk.id)))
        }
        Err(errors) => form_page(&state, &scope, input, Some(risk), form, errors).await,
    }
}

pub async fn close(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    set_closed(c, path, true).await
}

pub async fn reopen(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    set_closed(c, path, false).await
}

async fn set_closed(c: Change, path: web::Path<String>, closing: bool) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let risk = risk_of(&state, &scope, path.into_inner()).await?;
    let href = format!("/compliance/risks/{}", risk.id);
    if risk.is_closed() == closing {
        let already = if closing { "already closed" } else { "not closed" };
        session::flash_error(&session, format!("{} is {already}.", risk.title));
        return Ok(redirect(&href));
    }
    let org = scope.org_id().clone();
    let (id, title, score) = (risk.id.clone(), risk.title.clone(), risk.residual_score);
    state
        .db
        .write(move |conn| {
            models::set_closed(conn, &org, &id, closing, actor.at)?;
            let (action, details) = if closing {
                (Action::RiskClosed, format!("residual {score}, {}", Level::of(score).label()))
            } else {
                (Action::RiskReopened, String::new())
            };
            log(conn, &actor, &org, action, &id, &title, details)?;
            Ok(())
        })
        .await?;
    let done = if closing { "closed: it leaves the heat maps and the totals" } else { "reopened" };
    session::flash_ok(&session, format!("{} is {done}.", risk.title));
    Ok(redirect(&href))
}

/// Labels the templates use for a score.
pub fn score_label(likelihood: i32, impact: i32) -> String {
    let score = likelihood * impact;
    format!("{score} {} ({likelihood} × {impact})", Level::of(score).label())
}

pub use scale::{impact_label, likelihood_label};
