//! Risk assessments: a dated session that snapshots every risk not closed (its scores, status and treatment),
//! signed off by an approver other than whoever started it. A past assessment stays readable and is compared
//! with the register as it is now: scores that moved, risks closed since, risks added since.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::{Risk, RiskStatus, Treatment};
use super::scale::Level;
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Permission, Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::ids::{OrgId, RiskAssessmentId, RiskId, UserId};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::schema::{risk_assessment_items, risk_assessments, risks};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risk_assessments)]
pub struct Assessment {
    pub id: RiskAssessmentId,
    pub title: String,
    pub assessed_on: Day,
    pub notes: String,
    pub started_by_user_id: UserId,
    pub started_by_name: String,
    pub signed_off_by_name: Option<String>,
    pub signed_off_at: Option<NaiveDateTime>,
    pub sign_off_comment: String,
    pub created_at: NaiveDateTime,
}

impl Assessment {
    pub fn is_signed_off(&self) -> bool {
        self.signed_off_at.is_some()
    }
}

/// A risk as the assessment saw it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risk_assessment_items)]
pub struct Item {
    pub risk_id: RiskId,
    pub title: String,
    pub status: RiskStatus,
    pub treatment: Treatment,
    pub inherent_likelihood: i32,
    pub inherent_impact: i32,
    pub residual_likelihood: i32,
    pub residual_impact: i32,
    pub residual_score: i32,
}

/// How a risk of the snapshot compares with the register now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    Unchanged,
    Higher,
    Lower,
    Closed,
    /// In the register now, not in the snapshot.
    Added,
}

impl Movement {
    pub fn label(self) -> &'static str {
        match self {
            Movement::Unchanged => "Unchanged",
            Movement::Higher => "Residual score up",
            Movement::Lower => "Residual score down",
            Movement::Closed => "Closed since",
            Movement::Added => "Added since",
        }
    }
    pub fn tone(self) -> &'static str {
        match self {
            Movement::Unchanged => "muted",
            Movement::Higher => "bad",
            Movement::Lower | Movement::Closed => "ok",
            Movement::Added => "info",
        }
    }
}

pub struct Line {
    pub risk_id: RiskId,
    pub title: String,
    /// The residual score then (None for a risk added since).
    pub then: Option<i32>,
    /// Now (None once closed).
    pub now: Option<i32>,
    pub change: Movement,
}

impl Line {
    pub fn score_text(score: &Option<i32>) -> String {
        score.map(|s| format!("{s} {}", Level::of(s).label())).unwrap_or_else(|| "—".into())
    }
}

/// The snapshot against the register: the snapshot's risks in its order, then those added since.
pub fn compare(items: &[Item], current: &[Risk], added: Vec<Risk>) -> Vec<Line> {
    let mut lines: Vec<Line> = items
        .iter()
        .map(|item| {
            let now = current.iter().find(|r| r.id == item.risk_id);
            let (score, change) = match now {
                Some(r) if r.is_closed() => (None, Movement::Closed),
                None => (None, Movement::Closed),
                Some(r) if r.residual_score > item.residual_score => (Some(r.residual_score), Movement::Higher),
                Some(r) if r.residual_score < item.residual_score => (Some(r.residual_score), Movement::Lower),
                Some(r) => (Some(r.residual_score), Movement::Unchanged),
            };
            Line {
                risk_id: item.risk_id.clone(),
                title: item.title.clone(),
                then: Some(item.residual_score),
                now: score,
                change,
            }
        })
        .collect();
    lines.extend(added.into_iter().map(|r| Line {
        risk_id: r.id.clone(),
        title: r.title.clone(),
        then: None,
        now: Some(r.residual_score),
        change: Movement::Added,
    }));
    lines
}

fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Assessment>> {
    risk_assessments::table
        .filter(risk_assessments::org_id.eq(org))
        .filter(risk_assessments::id.eq(id))
        .select(Assessment::as_select())
        .first(conn)
        .optional()
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct StartForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub assessed_on: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Template)]
#[template(path = "compliance/risks/assessments.html")]
struct AssessmentsPage {
    page: PageContext,
    assessments: Vec<Assessment>,
    pager: Pager,
    form: StartForm,
    errors: FieldErrors,
    open_risks: i64,
    can_start: bool,
}

async fn list_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    page_number: i64,
    form: StartForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, assessments, pager, open_risks) = state
        .db
        .run(move |conn| {
            let total = risk_assessments::table.filter(risk_assessments::org_id.eq(&org)).count().get_result(conn)?;
            let pager = Pager::new(page_number, total, String::new());
            let assessments = risk_assessments::table
                .filter(risk_assessments::org_id.eq(&org))
                .order((risk_assessments::assessed_on.desc(), risk_assessments::created_at.desc()))
                .limit(pager.per_page)
                .offset(pager.offset())
                .select(Assessment::as_select())
                .load(conn)?;
            let open: i64 = risks::table
                .filter(risks::org_id.eq(&org))
                .filter(risks::status.ne(RiskStatus::Closed))
                .count()
                .get_result(conn)?;
            Ok((input.load(conn)?, assessments, pager, open))
        })
        .await?;
    let page = AssessmentsPage {
        page,
        assessments,
        pager,
        form,
        errors,
        open_risks,
        can_start: scope.can(Permission::EditControls),
    };
    render_status(form_status(&page.errors), page)
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let form = StartForm { assessed_on: today.as_str().to_string(), ..Default::default() };
    list_page(&state, &scope, input, query.page(), form, FieldErrors::default()).await
}

/// Starts an assessment: the session and the snapshot of every risk not closed, in one transaction.
pub async fn start(c: Change, form: web::Form<StartForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let title = forms::required(&mut errors, "title", &form.title, "A title", 200);
    let assessed_on = forms::day(&mut errors, "assessed_on", &form.assessed_on, "The date");
    let notes = forms::optional(&mut errors, "notes", &form.notes, "Notes", 10_000);
    let Some(assessed_on) = assessed_on.filter(|_| errors.is_empty()) else {
        return list_page(&state, &scope, input, 1, form, errors).await;
    };
    let (org, me, name) = (scope.org_id().clone(), scope.user.id.clone(), scope.user.name.clone());
    let (id, snapshot) = state
        .db
        .write(move |conn| {
            let id = RiskAssessmentId::new();
            diesel::insert_into(risk_assessments::table)
                .values((
                    risk_assessments::id.eq(&id),
                    risk_assessments::org_id.eq(&org),
                    risk_assessments::title.eq(&title),
                    risk_assessments::assessed_on.eq(assessed_on),
                    risk_assessments::notes.eq(&notes),
                    risk_assessments::started_by_user_id.eq(&me),
                    risk_assessments::started_by_name.eq(&name),
                    risk_assessments::created_at.eq(actor.at),
                ))
                .execute(conn)?;
            let snapshot = snapshot(conn, &org, &id)?;
            let details = format!("{snapshot} risks, {}", assessed_on.label());
            let target = Target::new("risk_assessment", &id, &title).details(details);
            audit::record(conn, &actor, Some(&org), Action::RiskAssessmentStarted, target)?;
            Ok((id, snapshot))
        })
        .await?;
    session::flash_ok(&session, format!("Assessment started with {snapshot} risks: an approver signs it off."));
    Ok(redirect(&format!("/compliance/risk-assessments/{id}")))
}

/// Copies every risk not closed into the assessment (batches of 500 rows); returns how many.
fn snapshot(conn: &mut DbConnection, org: &OrgId, id: &RiskAssessmentId) -> QueryResult<usize> {
    let open: Vec<Risk> = risks::table
        .filter(risks::org_id.eq(org))
        .filter(risks::status.ne(RiskStatus::Closed))
        .order((risks::residual_score.desc(), risks::title.asc()))
        .select(Risk::as_select())
        .load(conn)?;
    for part in open.chunks(500) {
        let values: Vec<_> = part
            .iter()
            .map(|r| {
                (
                    risk_assessment_items::org_id.eq(org.clone()),
                    risk_assessment_items::assessment_id.eq(id.clone()),
                    risk_assessment_items::risk_id.eq(r.id.clone()),
                    risk_assessment_items::title.eq(r.title.clone()),
                    risk_assessment_items::status.eq(r.status),
                    risk_assessment_items::treatment.eq(r.treatment),
                    risk_assessment_items::inherent_likelihood.eq(r.inherent_likelihood),
                    risk_assessment_items::inherent_impact.eq(r.inherent_impact),
                    risk_assessment_items::residual_likelihood.eq(r.residual_likelihood),
                    risk_assessment_items::residual_impact.eq(r.residual_impact),
                    risk_assessment_items::residual_score.eq(r.residual_score),
                )
            })
            .collect();
        crate::batch_insert!(conn, risk_assessment_items::table, &values)?;
    }
    Ok(open.len())
}

#[derive(Template)]
#[template(path = "compliance/risks/assessment.html")]
struct AssessmentPage {
    page: PageContext,
    assessment: Assessment,
    items: Vec<Item>,
    lines: Vec<Line>,
    comment: String,
    errors: FieldErrors,
    can_sign_off: bool,
    tz: chrono_tz::Tz,
}

impl AssessmentPage {
    fn when(&self, at: &NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
    fn score(&self, score: &Option<i32>) -> String {
        Line::score_text(score)
    }
    fn changed(&self) -> usize {
        self.lines.iter().filter(|l| l.change != Movement::Unchanged).count()
    }
}

async fn assessment_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    id: String,
    comment: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, assessment, items, current, added) = state
        .db
        .run(move |conn| {
            let assessment = find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let items: Vec<Item> = risk_assessment_items::table
                .filter(risk_assessment_items::org_id.eq(&org))
                .filter(risk_assessment_items::assessment_id.eq(&assessment.id))
                .order((risk_assessment_items::residual_score.desc(), risk_assessment_items::title.asc()))
                .select(Item::as_select())
                .load(conn)?;
            let snapshot_ids = risk_assessment_items::table
                .filter(risk_assessment_items::assessment_id.eq(assessment.id.clone()))
                .select(risk_assessment_items::risk_id);
            let current: Vec<Risk> = risks::table
                .filter(risks::org_id.eq(&org))
                .filter(risks::id.eq_any(snapshot_ids))
                .select(Risk::as_select())
                .load(conn)?;
            let added: Vec<Risk> = risks::table
                .filter(risks::org_id.eq(&org))
                .filter(risks::status.ne(RiskStatus::Closed))
                .filter(
                    risks::id.ne_all(
                        risk_assessment_items::table
                            .filter(risk_assessment_items::assessment_id.eq(assessment.id.clone()))
                            .select(risk_assessment_items::risk_id),
                    ),
                )
                .order((risks::residual_score.desc(), risks::title.asc()))
                .select(Risk::as_select())
                .load(conn)?;
            Ok((input.load(conn)?, assessment, items, current, added))
        })
        .await?;
    let lines = compare(&items, &current, added);
    let can_sign_off = scope.can(Permission::ApproveCompliance) && !assessment.is_signed_off();
    let page = AssessmentPage { page, assessment, items, lines, comment, errors, can_sign_off, tz: scope.org.tz() };
    render_status(form_status(&page.errors), page)
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    assessment_page(&state, &scope, input, path.into_inner(), String::new(), FieldErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct SignOffForm {
    #[serde(default)]
    comment: String,
}

/// An approver other than whoever started it signs the assessment off (once).
pub async fn sign_off(c: Change, path: web::Path<String>, form: web::Form<SignOffForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let id = path.into_inner();
    let (org, me, name, comment, sent) =
        (scope.org_id().clone(), scope.user.id.clone(), scope.user.name.clone(), form.comment.clone(), id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let assessment = find(conn, &org, &sent)?.ok_or(AppError::NotFound)?;
            let mut errors = FieldErrors::default();
            let comment = forms::optional(&mut errors, "comment", &comment, "The comment", 4_000);
            if assessment.started_by_user_id == me {
                errors.add("sign_off", "You started this assessment, so another approver signs it off.");
            }
            if assessment.is_signed_off() {
                errors.add("sign_off", "This assessment is already signed off.");
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            diesel::update(
                risk_assessments::table
                    .filter(risk_assessments::org_id.eq(&org))
                    .filter(risk_assessments::id.eq(&assessment.id))
                    .filter(risk_assessments::signed_off_at.is_null()),
            )
            .set((
                risk_assessments::signed_off_by_user_id.eq(Some(&me)),
                risk_assessments::signed_off_by_name.eq(Some(&name)),
                risk_assessments::signed_off_at.eq(Some(actor.at)),
                risk_assessments::sign_off_comment.eq(&comment),
            ))
            .execute(conn)?;
            let target = Target::new("risk_assessment", &assessment.id, &assessment.title).details(comment);
            audit::record(conn, &actor, Some(&org), Action::RiskAssessmentSignedOff, target)?;
            Ok(Ok(assessment.title))
        })
        .await?;
    match outcome {
        Ok(title) => {
            session::flash_ok(&session, format!("{title} is signed off."));
            Ok(redirect(&format!("/compliance/risk-assessments/{id}")))
        }
        Err(errors) => assessment_page(&state, &scope, input, id, form.into_inner().comment, errors).await,
    }
}
