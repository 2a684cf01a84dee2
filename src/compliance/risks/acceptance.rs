//! Accepting a risk: an approver (never the person who added the risk) accepts its residual score with a reason
//! until an expiry date. The acceptance records the score it accepted; the risk shows it stale as soon as its
//! residual score moves, and asks for review once it expires. Acceptances are never edited: a new one
//! supersedes the one in force, and the risk page shows them all.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::handlers::{log, risk_of};
use super::models::{Risk, RiskStatus};
use super::page::{AcceptForm, render_page};
use super::scale::Level;
use crate::audit::Action;
use crate::auth::session;
use crate::compliance::program::OrgTime;
use crate::db::ids::{OrgId, RiskAcceptanceId, RiskId, UserId};
use crate::db::{Day, DbConnection};
use crate::error::AppResult;
use crate::schema::{risk_acceptances, risks};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::redirect;

pub const MAX_REASON: usize = 4_000;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = risk_acceptances)]
pub struct Acceptance {
    pub id: RiskAcceptanceId,
    pub residual_likelihood: i32,
    pub residual_impact: i32,
    pub residual_score: i32,
    pub reason: String,
    pub expires_on: Day,
    pub approved_by_name: String,
    pub superseded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Acceptance {
    pub fn is_current(&self) -> bool {
        self.superseded_at.is_none()
    }
    pub fn level(&self) -> Level {
        Level::of(self.residual_score)
    }
    /// In force, yet of another residual score than the risk's.
    pub fn is_stale(&self, risk: &Risk) -> bool {
        self.is_current() && self.residual_score != risk.residual_score
    }
    pub fn is_expired(&self, today: &Day) -> bool {
        self.is_current() && self.expires_on < *today
    }
}

/// A risk's acceptances, newest first (one statement).
pub fn history(conn: &mut DbConnection, org: &OrgId, risk: &RiskId) -> QueryResult<Vec<Acceptance>> {
    risk_acceptances::table
        .filter(risk_acceptances::org_id.eq(org))
        .filter(risk_acceptances::risk_id.eq(risk))
        .order((risk_acceptances::created_at.desc(), risk_acceptances::id.desc()))
        .select(Acceptance::as_select())
        .load(conn)
}

/// The reason and expiry as submitted, or the fields at fault. The author of the risk may not accept it.
fn checked(form: &AcceptForm, risk: &Risk, me: &UserId, today: Day) -> Result<(String, Day), FieldErrors> {
    let mut errors = FieldErrors::default();
    if risk.created_by_user_id.as_ref() == Some(me) {
        errors.add("acceptance", "You added this risk, so another approver accepts it.");
    }
    if risk.is_closed() {
        errors.add("acceptance", "This risk is closed: reopen it before accepting it.");
    }
    let reason = forms::required(&mut errors, "reason", &form.reason, "The reason for accepting", MAX_REASON);
    let expires = forms::day(&mut errors, "expires_on", &form.expires_on, "The expiry date");
    if let Some(day) = expires
        && day <= today
    {
        errors.add("expires_on", "The acceptance must expire after today.");
    }
    match expires {
        Some(expires) if errors.is_empty() => Ok((reason, expires)),
        _ => Err(errors),
    }
}

/// Records the acceptance of the risk's current residual score, superseding the one in force.
fn record(
    conn: &mut DbConnection,
    org: &OrgId,
    risk: &Risk,
    approver: (&UserId, &str),
    reason: &str,
    expires: Day,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        risk_acceptances::table
            .filter(risk_acceptances::org_id.eq(org))
            .filter(risk_acceptances::risk_id.eq(&risk.id))
            .filter(risk_acceptances::superseded_at.is_null()),
    )
    .set(risk_acceptances::superseded_at.eq(now))
    .execute(conn)?;
    diesel::insert_into(risk_acceptances::table)
        .values((
            risk_acceptances::id.eq(RiskAcceptanceId::new()),
            risk_acceptances::org_id.eq(org),
            risk_acceptances::risk_id.eq(&risk.id),
            risk_acceptances::residual_likelihood.eq(risk.residual_likelihood),
            risk_acceptances::residual_impact.eq(risk.residual_impact),
            risk_acceptances::residual_score.eq(risk.residual_score),
            risk_acceptances::reason.eq(reason),
            risk_acceptances::expires_on.eq(expires),
            risk_acceptances::approved_by_user_id.eq(approver.0),
            risk_acceptances::approved_by_name.eq(approver.1),
            risk_acceptances::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(risks::table.filter(risks::org_id.eq(org)).filter(risks::id.eq(&risk.id)))
        .set((
            risks::status.eq(RiskStatus::Accepted),
            risks::accepted_score.eq(Some(risk.residual_score)),
            risks::acceptance_expires_on.eq(Some(expires)),
            risks::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub async fn accept(c: Change, path: web::Path<String>, form: web::Form<AcceptForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let risk = risk_of(&state, &scope, path.into_inner()).await?;
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let (org, me, name, submitted) =
        (scope.org_id().clone(), scope.user.id.clone(), scope.user.name.clone(), form.clone());
    let id = risk.id.to_string();
    let outcome = state
        .db
        .write(move |conn| {
            // Read again inside the transaction: the score accepted is the one stored now.
            let Some(risk) = super::models::find(conn, &org, risk.id.as_str())? else {
                return Err(crate::error::AppError::NotFound);
            };
            let (reason, expires) = match checked(&submitted, &risk, &me, today) {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            record(conn, &org, &risk, (&me, &name), &reason, expires, actor.at)?;
            let details = format!(
                "residual {} ({}) until {}: {reason}",
                risk.residual_score,
                Level::of(risk.residual_score).label(),
                expires.label()
            );
            log(conn, &actor, &org, Action::RiskAccepted, &risk.id, &risk.title, details)?;
            Ok(Ok(format!("{} is accepted until {}.", risk.title, expires.label())))
        })
        .await?;
    match outcome {
        Ok(message) => {
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/compliance/risks/{id}")))
        }
        Err(errors) => render_page(&state, &scope, input, id, form, errors).await,
    }
}
