//! A risk's page: its details, scores with the definitions of their levels, exposure, mitigating controls,
//! affected assets, the acceptance in force (stale or expired when so) with every earlier one, the form an
//! approver accepts it with, and its history from the activity log. A fixed number of statements.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::acceptance::{self, Acceptance};
use super::handlers::links;
use super::models::{self, ReviewNeed, Risk};
use super::scale::{self, LEVEL_RULE};
use crate::AppState;
use crate::audit::{log as activity, sentences};
use crate::auth::{Permission, Scope};
use crate::compliance::program::OrgTime;
use crate::db::Day;
use crate::db::ids::AssetId;
use crate::error::{AppError, AppResult};
use crate::schema::{assets, users};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, render_status};

/// Entries of the history the page shows.
const HISTORY: i64 = 30;

#[derive(Deserialize, Default, Clone, Debug)]
pub struct AcceptForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub expires_on: String,
}

pub struct HistoryLine {
    pub when: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "compliance/risks/page.html")]
struct RiskPage {
    page: PageContext,
    risk: Risk,
    owner: String,
    controls: Vec<(String, String)>,
    assets: Vec<(AssetId, String)>,
    acceptances: Vec<Acceptance>,
    history: Vec<HistoryLine>,
    review_need: Option<ReviewNeed>,
    today: Day,
    accept_form: AcceptForm,
    errors: FieldErrors,
    rule: &'static str,
    can_edit: bool,
    can_accept: bool,
    tz: chrono_tz::Tz,
}

impl RiskPage {
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
    fn likelihood(&self, value: &i32) -> String {
        scale::likelihood_label(*value)
    }
    fn impact(&self, value: &i32) -> String {
        scale::impact_label(*value)
    }
    fn meaning_of_likelihood(&self, value: &i32) -> &'static str {
        scale::LIKELIHOOD.iter().find(|l| l.value == *value).map(|l| l.meaning).unwrap_or("")
    }
    fn meaning_of_impact(&self, value: &i32) -> &'static str {
        scale::IMPACT.iter().find(|l| l.value == *value).map(|l| l.meaning).unwrap_or("")
    }
    fn money(&self, cents: &i64) -> String {
        scale::money(*cents)
    }
    fn rate(&self) -> String {
        scale::rate(self.risk.aro_hundredths)
    }
}

pub async fn render_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    id: String,
    accept_form: AcceptForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (org, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope));
    let index = crate::compliance::program::index::embedded()?;
    let (page, risk, owner, control_ids, assets, acceptances, entries) = state
        .db
        .run(move |conn| {
            let risk = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let owner: Option<String> = match &risk.owner_user_id {
                Some(user) => users::table.filter(users::id.eq(user)).select(users::name).first(conn).optional()?,
                None => None,
            };
            let (controls, asset_ids) = links(conn, &org, &risk.id)?;
            let assets: Vec<(AssetId, String)> = assets::table
                .filter(assets::org_id.eq(&org))
                .filter(assets::id.eq_any(asset_ids))
                .order(assets::name.asc())
                .select((assets::id, assets::name))
                .load(conn)?;
            let acceptances = acceptance::history(conn, &org, &risk.id)?;
            let entries = activity::for_target(conn, &org, "risk", &risk.id, HISTORY)?;
            Ok((input.load(conn)?, risk, owner, controls, assets, acceptances, entries))
        })
        .await?;
    let controls = control_ids
        .into_iter()
        .map(|id| {
            let title = index.control(&id).map(|i| index.controls[i].title.clone()).unwrap_or_default();
            (id, title)
        })
        .collect();
    let history = entries
        .iter()
        .map(|e| HistoryLine { when: crate::web::time::local(e.created_at, time.tz), what: sentences::sentence(e) })
        .collect();
    let can_accept = scope.can(Permission::ApproveCompliance) && !risk.is_closed();
    let page = RiskPage {
        page,
        review_need: risk.review_need(&time.today),
        owner: owner.unwrap_or_default(),
        risk,
        controls,
        assets,
        acceptances,
        history,
        today: time.today,
        accept_form,
        errors,
        rule: LEVEL_RULE,
        can_edit: scope.can(Permission::EditControls),
        can_accept,
        tz: time.tz,
    };
    render_status(form_status(&page.errors), page)
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    render_page(&state, &scope, input, path.into_inner(), AcceptForm::default(), FieldErrors::default()).await
}
