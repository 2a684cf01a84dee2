//! Changes to a control: its details, its status (up to Ready for review), and an approver's decision. Each
//! change, the refresh of the scores it moves and its activity entry are one transaction; a refused form comes
//! back on the control's page with its values and the message next to the field (422).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::forms::{self, own_review};
use super::models::{self, Candidate, ControlRecord, Decision, Details};
use super::page::{self, REVIEW_CADENCES};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Scope, session};
use crate::compliance::program::index::{self, ControlEntry};
use crate::compliance::program::sync::refresh;
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::db::Day;
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageInput, redirect};

type Pairs = web::Form<Vec<(String, String)>>;

fn control(id: &str) -> AppResult<&'static ControlEntry> {
    let index = index::embedded()?;
    Ok(&index.controls[index.control(id).ok_or(AppError::NotFound)?])
}

fn label(control: &ControlEntry) -> String {
    format!("{} {}", control.id, control.title)
}

fn href(control: &ControlEntry) -> String {
    format!("/compliance/controls/{}", control.id)
}

/// The outcome of a change: a message to flash, or the form's errors.
type Outcome = Result<String, FieldErrors>;

/// Runs a change in one transaction, then redirects to the control with its message or shows the page again
/// with the errors.
async fn respond(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    session: &Session,
    control: &ControlEntry,
    submitted: &[(String, String)],
    outcome: Outcome,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(message) => {
            session::flash_ok(session, message);
            Ok(redirect(&href(control)))
        }
        Err(errors) => page::control_page(state, scope, input, &control.id, submitted, errors).await,
    }
}

fn find(conn: &mut crate::db::DbConnection, scope_org: &crate::db::ids::OrgId, id: &str) -> AppResult<ControlRecord> {
    models::find(conn, scope_org, id)?.ok_or(AppError::NotFound)
}

pub async fn save_details(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let control = control(&path)?;
    let sent = forms::from_pairs(&form);
    let (org_id, time, managed_by) =
        (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.org.managed_by.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let record = find(conn, &org_id, &control.id)?;
            let candidates = models::owner_candidates(conn, &org_id, managed_by.as_ref())?;
            let details = match forms::details(&sent, &candidates, record.owner_user_id.as_ref()) {
                Ok(details) => details,
                Err(errors) => return Ok(Err(errors)),
            };
            let changes = changes(&record, &details, &candidates);
            if changes.is_empty() {
                return Ok(Ok("Nothing to save: the details are as they were.".to_string()));
            }
            models::update_details(conn, &org_id, &control.id, &details, time.now)?;
            let target = Target::new("control", &control.id, &control.id).details(changes.join("; "));
            audit::record(conn, &actor, Some(&org_id), Action::ControlUpdated, target)?;
            Ok(Ok(format!("{} saved.", control.id)))
        })
        .await?;
    respond(&state, &scope, input, &session, control, &form, outcome).await
}

/// "owner: none -> Ann Lee; due date: Mar 2, 2026 -> Apr 1, 2026; notes: edited".
fn changes(record: &ControlRecord, d: &Details, candidates: &[Candidate]) -> Vec<String> {
    let name = |id: &Option<crate::db::ids::UserId>| {
        id.as_ref()
            .map(|id| {
                candidates.iter().find(|c| &c.user_id == id).map(|c| c.name.clone()).unwrap_or_else(|| "someone".into())
            })
            .unwrap_or_else(|| "none".into())
    };
    let day = |d: Option<Day>| d.map(Day::label).unwrap_or_else(|| "none".into());
    let cadence =
        |m: i32| REVIEW_CADENCES.iter().find(|(c, _)| *c == m).map(|(_, l)| l.to_lowercase()).unwrap_or_default();
    let mut out = Vec::new();
    if record.owner_user_id != d.owner {
        out.push(format!(
            "owner: {} -> {}",
            record.owner_name.clone().unwrap_or_else(|| "none".into()),
            name(&d.owner)
        ));
    }
    if record.due_on != d.due_on {
        out.push(format!("due date: {} -> {}", day(record.due_on), day(d.due_on)));
    }
    if record.review_months != d.review_months {
        out.push(format!("review: {} -> {}", cadence(record.review_months), cadence(d.review_months)));
    }
    if record.next_review_on != d.next_review_on {
        out.push(format!("next review: {} -> {}", day(record.next_review_on), day(d.next_review_on)));
    }
    if record.notes != d.notes {
        out.push("notes: edited".into());
    }
    out
}

pub async fn set_status(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let control = control(&path)?;
    let sent = forms::from_pairs(&form);
    let (org_id, time, user) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let record = find(conn, &org_id, &control.id)?;
            let (status, justification) = match forms::status(&sent) {
                Ok(chosen) => chosen,
                Err(errors) => return Ok(Err(errors)),
            };
            if status == record.status && justification == record.na_justification {
                return Ok(Ok(format!("{} is already {}.", control.id, status.label())));
            }
            models::set_status(conn, &org_id, &control.id, status, &justification, &user, time.now)?;
            refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            let details = format!("{} -> {}", record.status.id(), status.id());
            let target = Target::new("control", &control.id, &control.id).details(details);
            audit::record(conn, &actor, Some(&org_id), Action::ControlStatusChanged, target)?;
            Ok(Ok(match status {
                ControlStatus::ReadyForReview => {
                    format!("{} is ready for review: another person with an approver role approves it.", control.id)
                }
                other => format!("{} is now {}.", control.id, other.label()),
            }))
        })
        .await?;
    respond(&state, &scope, input, &session, control, &form, outcome).await
}

pub async fn approve(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    decide(c, path, form, true).await
}

pub async fn reject(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    decide(c, path, form, false).await
}

async fn decide(c: Change, path: web::Path<String>, form: Pairs, approve: bool) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let control = control(&path)?;
    let sent = forms::from_pairs(&form);
    let (org_id, time, user) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let record = find(conn, &org_id, &control.id)?;
            if record.status != ControlStatus::ReadyForReview {
                let mut errors = FieldErrors::default();
                errors.add(
                    "decision",
                    format!("{} is not waiting for review (it is {}).", control.id, record.status.label()),
                );
                return Ok(Err(errors));
            }
            if let Some(errors) = own_review(record.review_requested_by.as_ref(), &user) {
                return Ok(Err(errors));
            }
            let comment = match forms::comment(&sent, !approve) {
                Ok(comment) => comment,
                Err(errors) => return Ok(Err(errors)),
            };
            let next_review_on =
                (record.review_months > 0).then(|| time.today.plus_months(record.review_months as u32));
            let decision = Decision { approve, comment: comment.clone(), next_review_on };
            if models::decide(conn, &org_id, &control.id, &decision, &user, time.now)? == 0 {
                // Decided by someone else between the read and the write (PostgreSQL's concurrent transactions).
                let mut errors = FieldErrors::default();
                errors.add("decision", "Someone else decided this control a moment ago. Reload to see the decision.");
                return Ok(Err(errors));
            }
            refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            let action = if approve { Action::ControlApproved } else { Action::ControlRejected };
            audit::record(
                conn,
                &actor,
                Some(&org_id),
                action,
                Target::new("control", &control.id, &control.id).details(comment),
            )?;
            Ok(Ok(if approve {
                format!("{} is approved as implemented.", label(control))
            } else {
                format!("{} is sent back to In progress with your comment.", control.id)
            }))
        })
        .await?;
    respond(&state, &scope, input, &session, control, &form, outcome).await
}
