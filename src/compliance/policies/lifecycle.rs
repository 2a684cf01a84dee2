//! The lifecycle steps: Draft -> In review (with a change summary) -> Approved (by an approver who did not send
//! it for review; a security policy may also be approved by an Approver (Security), a privacy one by an
//! Approver (Privacy)) -> Published (an immutable version with its SHA-256, and the policy's evidence for its
//! controls). Each step writes the activity log in its transaction; a step that no longer applies (someone moved
//! the policy first) says so instead of doing anything.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::models::{self, PolicyKind, PolicyStatus, Publication};
use super::page::{Kept, policy_page};
use super::{log, may_approve};
use crate::audit::Action;
use crate::auth::session;
use crate::compliance::program::OrgTime;
use crate::db::ids::EvidenceId;
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::redirect;

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    change_summary: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    material: String,
    #[serde(default)]
    reason: String,
}

impl StepForm {
    fn kept(&self) -> Kept {
        Kept {
            change_summary: self.change_summary.clone(),
            comment: self.comment.clone(),
            material: self.material.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// What a step did: a message for the flash, or the form's errors (422, the values kept).
type Outcome = Result<String, FieldErrors>;

fn refused(field: &'static str, message: impl Into<String>) -> Outcome {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    Err(errors)
}

async fn finish(c: Change, id: String, form: StepForm, outcome: Outcome) -> AppResult<HttpResponse> {
    match outcome {
        Ok(message) => {
            session::flash_ok(&c.session, message);
            Ok(redirect(&format!("/compliance/policies/{id}")))
        }
        Err(errors) => policy_page(&c.state, &c.scope, c.input, id, form.kept(), errors).await,
    }
}

pub async fn submit(c: Change, path: web::Path<String>, form: web::Form<StepForm>) -> AppResult<HttpResponse> {
    let (id, form) = (path.into_inner(), form.into_inner());
    let (org, actor, user) = (c.scope.org_id().clone(), c.actor.clone(), c.scope.user.id.clone());
    let (wanted, summary) = (id.clone(), form.change_summary.clone());
    let outcome = c
        .state
        .db
        .write(move |conn| {
            let policy = models::find(conn, &org, &wanted)?.ok_or(AppError::NotFound)?;
            let summary = match super::forms::summary(&summary) {
                Ok(summary) => summary,
                Err(errors) => return Ok(Err(errors)),
            };
            if models::submit(conn, &org, &policy.id, &summary, &user, actor.at)? == 0 {
                return Ok(refused(
                    "change_summary",
                    format!("Only a draft goes for review; this policy is {}.", policy.status.label().to_lowercase()),
                ));
            }
            log(conn, &actor, &org, Action::PolicySubmitted, &policy.id, &policy.title, summary)?;
            Ok(Ok(format!("{} is sent for review: another person with an approver role approves it.", policy.title)))
        })
        .await?;
    finish(c, id, form, outcome).await
}

pub async fn approve(c: Change, path: web::Path<String>, form: web::Form<StepForm>) -> AppResult<HttpResponse> {
    decide(c, path.into_inner(), form.into_inner(), true).await
}

pub async fn reject(c: Change, path: web::Path<String>, form: web::Form<StepForm>) -> AppResult<HttpResponse> {
    decide(c, path.into_inner(), form.into_inner(), false).await
}

async fn decide(c: Change, id: String, form: StepForm, approve: bool) -> AppResult<HttpResponse> {
    let (org, actor, scope) = (c.scope.org_id().clone(), c.actor.clone(), c.scope.clone());
    let (wanted, comment) = (id.clone(), form.comment.clone());
    let outcome = c
        .state
        .db
        .write(move |conn| {
            let policy = models::find(conn, &org, &wanted)?.ok_or(AppError::NotFound)?;
            if !may_approve(&scope, policy.kind) {
                let who = match policy.kind {
                    PolicyKind::General => "an Approver".to_string(),
                    kind => format!("an Approver or an Approver ({})", kind.label()),
                };
                return Ok(refused(
                    "comment",
                    format!("A {} policy is approved by {who}.", policy.kind.label().to_lowercase()),
                ));
            }
            let comment = match super::forms::comment(&comment, !approve) {
                Ok(comment) => comment,
                Err(errors) => return Ok(Err(errors)),
            };
            if policy.status != PolicyStatus::InReview {
                return Ok(refused(
                    "comment",
                    format!(
                        "Only a policy in review is decided; this one is {}.",
                        policy.status.label().to_lowercase()
                    ),
                ));
            }
            if policy.submitted_by_user_id.as_ref() == Some(&scope.user.id) {
                return Ok(refused("comment", "You sent this policy for review, so another approver decides it."));
            }
            if models::decide(conn, &org, &policy, approve, &comment, &scope.user.id, actor.at)? == 0 {
                return Ok(refused("comment", "Someone decided this policy first: reload the page."));
            }
            let action = if approve { Action::PolicyApproved } else { Action::PolicyRejected };
            log(conn, &actor, &org, action, &policy.id, &policy.title, comment)?;
            Ok(Ok(if approve {
                format!("{} is approved: it can be published.", policy.title)
            } else {
                format!("{} is sent back to draft.", policy.title)
            }))
        })
        .await?;
    finish(c, id, form, outcome).await
}

/// Publishes an approved policy: its next version, and its evidence for the mapped controls (scores refreshed).
pub async fn publish(c: Change, path: web::Path<String>, form: web::Form<StepForm>) -> AppResult<HttpResponse> {
    let (id, form) = (path.into_inner(), form.into_inner());
    let (org, actor, user) = (c.scope.org_id().clone(), c.actor.clone(), c.scope.user.id.clone());
    let time = OrgTime::of(c.state.clock.now(), &c.scope);
    let (wanted, material, reason) = (id.clone(), form.material.clone(), form.reason.clone());
    let outcome = c
        .state
        .db
        .write(move |conn| {
            let policy = models::find(conn, &org, &wanted)?.ok_or(AppError::NotFound)?;
            let (material, reason) = match super::forms::publication(&material, &reason, policy.version == 0) {
                Ok(choice) => choice,
                Err(errors) => return Ok(Err(errors)),
            };
            if policy.status != PolicyStatus::Approved {
                return Ok(refused(
                    "material",
                    format!(
                        "Only an approved policy is published; this one is {}.",
                        policy.status.label().to_lowercase()
                    ),
                ));
            }
            let controls = models::controls(conn, &org, &policy.id)?;
            let evidence_id: EvidenceId =
                super::evidence::publish(conn, &org, &policy, policy.version + 1, &controls, time)?;
            let publication = Publication { material, reason: &reason, evidence_id: &evidence_id };
            let Some(number) = models::publish(conn, &org, &policy, &publication, &user, actor.at)? else {
                return Err(AppError::internal("an approved policy could not be published"));
            };
            let details = format!("version {number}, {}", if material { "material change" } else { "minor change" });
            log(conn, &actor, &org, Action::PolicyPublished, &policy.id, &policy.title, details)?;
            Ok(Ok(format!("{} version {number} is published.", policy.title)))
        })
        .await?;
    finish(c, id, form, outcome).await
}
