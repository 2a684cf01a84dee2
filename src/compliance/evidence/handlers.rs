//! Changes to evidence: adding an item (a file, a link or a note) linked to controls, editing it, replacing its
//! file (earlier revisions stay readable), approving or rejecting it, and linking it to controls or unlinking
//! it. Every change rewrites the evidence summary of the controls concerned and refreshes the scores in the same
//! transaction; a refused form comes back with its values and the message beside the field (422), and an
//! uploaded file is never kept when nothing was saved.

use actix_web::{HttpRequest, HttpResponse, web};

use super::forms::{self, EvidenceForm, Submission};
use super::models::{self, EvidenceRecord, EvidenceSource, EvidenceStatus};
use super::page;
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Scope, session};
use crate::compliance::controls;
use crate::compliance::program::OrgTime;
use crate::compliance::program::index;
use crate::compliance::program::sync::refresh;
use crate::db::DbConnection;
use crate::db::ids::{EvidenceId, OrgId};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::{self as webforms, FieldErrors};
use crate::web::{PageInput, redirect, safe_next};

type Pairs = web::Form<Vec<(String, String)>>;

/// After evidence changed: the summaries of the controls it is (or was) linked to, then the scores.
pub(crate) fn settle(conn: &mut DbConnection, org_id: &OrgId, controls: &[String], time: OrgTime) -> AppResult<()> {
    models::resummarize(conn, org_id, controls, time.now)?;
    refresh(conn, index::embedded()?, org_id, time.today, time.now)?;
    Ok(())
}

fn href(id: &EvidenceId) -> String {
    format!("/compliance/evidence/{id}")
}

pub async fn create(c: Change, req: HttpRequest, payload: web::Payload) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let org_id = scope.org_id().clone();
    let mut submission = match forms::read(&req, payload, &state, &org_id).await {
        Ok(submission) => submission,
        Err((fields, errors)) => {
            return page::new_page(&state, &scope, input, EvidenceForm::from_fields(&fields), errors).await;
        }
    };
    let form = EvidenceForm::from_fields(&submission.fields);
    let time = OrgTime::of(state.clock.now(), &scope);
    let mut errors = FieldErrors::default();
    let source = EvidenceSource::parse(form.source.trim());
    if source.is_none() {
        errors.add("source", "Choose whether this is a file, a link or a note.");
    }
    // Without a source, the rest is still checked as for a file (no address or text required).
    let described = forms::describe(&form, source.unwrap_or(EvidenceSource::File), time.today, &mut errors);
    if source == Some(EvidenceSource::File) && submission.file.is_none() {
        errors.add("file", "Choose the file to upload.");
    } else if source != Some(EvidenceSource::File) {
        submission.discard(&state).await;
    }
    let (Some(source), Some(described)) = (source, described.filter(|_| errors.is_empty())) else {
        return refuse_new(&state, &scope, input, submission, form, errors).await;
    };
    let (user, file, controls) = (scope.user.id.clone(), submission.file.clone(), form.controls.clone());
    let written = state
        .db
        .write(move |conn| {
            let in_scope = models::in_scope_controls(conn, &org_id)?;
            if controls.iter().any(|c| !in_scope.contains(c)) {
                let mut errors = FieldErrors::default();
                errors.add("controls", "Choose controls from the list.");
                return Ok(Err(errors));
            }
            let new = models::NewEvidence {
                title: &described.title,
                source,
                kind: described.kind,
                url: &described.url,
                body: &described.body,
                effective_on: described.effective_on,
                valid_until: described.valid_until,
            };
            let id = models::insert(conn, &org_id, &new, &user, time.now)?;
            if let Some(file) = &file {
                models::add_revision(
                    conn,
                    &org_id,
                    &id,
                    file,
                    (described.effective_on, described.valid_until),
                    &user,
                    time.now,
                )?;
            }
            let linked = models::link(conn, &org_id, &id, &controls, &user, time.now)?;
            settle(conn, &org_id, &linked, time)?;
            let details = format!("{}, {}", described.kind.label().to_lowercase(), source.label().to_lowercase());
            let target = Target::new("evidence", &id, &described.title).details(details);
            audit::record(conn, &actor, Some(&org_id), Action::EvidenceAdded, target)?;
            for control in &linked {
                let target = Target::new("control", control, control).details(described.title.clone());
                audit::record(conn, &actor, Some(&org_id), Action::EvidenceLinked, target)?;
            }
            Ok(Ok((id, linked)))
        })
        .await;
    match written {
        Ok(Ok((id, linked))) => {
            let to = match linked.as_slice() {
                [one] if form.controls.len() == 1 => format!("/compliance/controls/{one}"),
                _ => href(&id),
            };
            session::flash_ok(&session, "Evidence added and sent for approval.");
            Ok(redirect(&to))
        }
        Ok(Err(errors)) => refuse_new(&state, &scope, input, submission, form, errors).await,
        Err(e) => {
            submission.discard(&state).await;
            Err(e)
        }
    }
}

/// The add form again with its errors; a file that was uploaded is not kept (the person chooses it again).
async fn refuse_new(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    mut submission: Submission,
    form: EvidenceForm,
    mut errors: FieldErrors,
) -> AppResult<HttpResponse> {
    if submission.file.is_some() {
        errors.add("file", "Choose the file again: nothing was saved.");
    }
    submission.discard(state).await;
    page::new_page(state, scope, input, form, errors).await
}

fn find(conn: &mut DbConnection, org_id: &OrgId, id: &str) -> AppResult<EvidenceRecord> {
    models::find(conn, org_id, id)?.ok_or(AppError::NotFound)
}

/// An item people may change here: one a policy or campaign keeps is refused, whatever the form says.
fn find_editable(conn: &mut DbConnection, org_id: &OrgId, id: &str) -> AppResult<EvidenceRecord> {
    let record = find(conn, org_id, id)?;
    match models::keeper(conn, org_id, &record.id)? {
        None => Ok(record),
        Some(keeper) => Err(AppError::BadRequest(format!(
            "This evidence is kept by the {} “{}” and changes only with it, so it cannot be edited, reviewed or \
             relinked here.",
            keeper.kind, keeper.title
        ))),
    }
}

pub async fn update(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let sent = EvidenceForm::from_fields(&form);
    let (org_id, time, user, id) =
        (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone(), path.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let record = find_editable(conn, &org_id, &id)?;
            let mut errors = FieldErrors::default();
            let Some(d) = forms::describe(&sent, record.source, time.today, &mut errors) else {
                return Ok(Err(errors));
            };
            let mut changes = Vec::new();
            let mut note = |field: &str, from: String, to: String| {
                if from != to {
                    changes.push(format!("{field}: {from} -> {to}"));
                }
            };
            note("title", record.title.clone(), d.title.clone());
            note("kind", record.kind.label().into(), d.kind.label().into());
            note("effective", record.effective_on.label(), d.effective_on.label());
            note("valid until", record.valid_until.label(), d.valid_until.label());
            note("address", record.url.clone(), d.url.clone());
            let content_changed = record.body != d.body
                || record.url != d.url
                || record.effective_on != d.effective_on
                || record.valid_until != d.valid_until;
            if record.body != d.body {
                changes.push("text: edited".into());
            }
            if changes.is_empty() {
                return Ok(Ok(("Nothing to save: the evidence is as it was.".to_string(), record.id)));
            }
            let edited = models::Edited {
                title: &d.title,
                kind: d.kind,
                url: &d.url,
                body: &d.body,
                effective_on: d.effective_on,
                valid_until: d.valid_until,
            };
            models::update(conn, &org_id, &record.id, &edited, time.now)?;
            let resubmitted = content_changed && record.status != EvidenceStatus::Submitted;
            if resubmitted {
                models::resubmit(conn, &org_id, &record.id, &user, time.now)?;
            }
            let controls = models::linked_controls(conn, &org_id, &record.id)?;
            settle(conn, &org_id, &controls, time)?;
            let target = Target::new("evidence", &record.id, &d.title).details(changes.join("; "));
            audit::record(conn, &actor, Some(&org_id), Action::EvidenceUpdated, target)?;
            let message = if resubmitted {
                "Saved. Its dates or content changed, so it is sent for approval again."
            } else {
                "Saved."
            };
            Ok(Ok((message.to_string(), record.id)))
        })
        .await?;
    match outcome {
        Ok((message, id)) => {
            session::flash_ok(&session, message);
            Ok(redirect(&href(&id)))
        }
        Err(errors) => page::evidence_page(&state, &scope, input, &path, &form, errors).await,
    }
}

pub async fn revise(
    c: Change,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let org_id = scope.org_id().clone();
    let mut submission = match forms::read(&req, payload, &state, &org_id).await {
        Ok(submission) => submission,
        Err((fields, errors)) => {
            return page::evidence_page(&state, &scope, input, &path, &fields, errors).await;
        }
    };
    let time = OrgTime::of(state.clock.now(), &scope);
    let (id, user, fields, file) =
        (path.clone(), scope.user.id.clone(), submission.fields.clone(), submission.file.clone());
    let written = state
        .db
        .write(move |conn| {
            let record = find_editable(conn, &org_id, &id)?;
            let mut errors = FieldErrors::default();
            if record.source != EvidenceSource::File {
                errors.add("file", "Only file evidence has files to replace.");
            }
            let Some(file) = file.filter(|_| errors.is_empty()) else {
                errors.add("file", "Choose the new file.");
                return Ok(Err(errors));
            };
            let form = EvidenceForm::from_fields(&fields);
            let effective_on = match webforms::optional_day(&mut errors, "effective_on", &form.effective_on) {
                Some(day) if day > time.today => {
                    errors.add("effective_on", "The effective date cannot be in the future.");
                    return Ok(Err(errors));
                }
                day => day.unwrap_or(time.today),
            };
            let valid_until = webforms::optional_day(&mut errors, "valid_until", &form.valid_until)
                .unwrap_or_else(|| effective_on.plus_months(record.kind.valid_months()));
            if valid_until < effective_on {
                errors.add("valid_until", "Valid until must be on or after the effective date.");
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            let number =
                models::add_revision(conn, &org_id, &record.id, &file, (effective_on, valid_until), &user, time.now)?;
            let controls = models::linked_controls(conn, &org_id, &record.id)?;
            settle(conn, &org_id, &controls, time)?;
            let target = Target::new("evidence", &record.id, &record.title)
                .details(format!("revision {number}, {}", file.filename));
            audit::record(conn, &actor, Some(&org_id), Action::EvidenceRevised, target)?;
            Ok(Ok(record.id))
        })
        .await;
    match written {
        Ok(Ok(id)) => {
            session::flash_ok(&session, "New file saved; earlier revisions stay available. It is sent for approval.");
            Ok(redirect(&href(&id)))
        }
        Ok(Err(mut errors)) => {
            if submission.file.is_some() && !errors.has("file") {
                errors.add("file", "Choose the file again: nothing was saved.");
            }
            submission.discard(&state).await;
            page::evidence_page(&state, &scope, input, &path, &submission.fields, errors).await
        }
        Err(e) => {
            submission.discard(&state).await;
            Err(e)
        }
    }
}

pub async fn approve(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    review(c, path, form, true).await
}

pub async fn reject(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    review(c, path, form, false).await
}

async fn review(c: Change, path: web::Path<String>, form: Pairs, approve: bool) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let comment_text = webforms::value(&form, "comment").to_string();
    let (org_id, time, user, id) =
        (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone(), path.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let record = find_editable(conn, &org_id, &id)?;
            let mut errors = FieldErrors::default();
            if record.status != EvidenceStatus::Submitted {
                errors.add(
                    "decision",
                    format!("This evidence is not waiting for approval (it is {}).", record.status.label()),
                );
            } else if record.submitted_by.as_ref() == Some(&user) {
                errors.add("decision", "You sent this evidence for approval, so another approver decides it.");
            }
            let comment = if approve {
                webforms::optional(&mut errors, "comment", &comment_text, "The comment", controls::forms::MAX_COMMENT)
            } else {
                webforms::required(
                    &mut errors,
                    "comment",
                    &comment_text,
                    "A comment saying why",
                    controls::forms::MAX_COMMENT,
                )
            };
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            if models::review(conn, &org_id, &record.id, approve, &comment, &user, time.now)? == 0 {
                // Reviewed by someone else between the read and the write (PostgreSQL's concurrent transactions).
                errors.add("decision", "Someone else decided this evidence a moment ago. Reload to see the decision.");
                return Ok(Err(errors));
            }
            let controls = models::linked_controls(conn, &org_id, &record.id)?;
            settle(conn, &org_id, &controls, time)?;
            let action = if approve { Action::EvidenceApproved } else { Action::EvidenceRejected };
            audit::record(
                conn,
                &actor,
                Some(&org_id),
                action,
                Target::new("evidence", &record.id, &record.title).details(comment),
            )?;
            Ok(Ok(record.id))
        })
        .await?;
    match outcome {
        Ok(id) => {
            session::flash_ok(
                &session,
                if approve { "Evidence approved." } else { "Evidence rejected with your comment." },
            );
            Ok(redirect(&href(&id)))
        }
        Err(errors) => page::evidence_page(&state, &scope, input, &path, &form, errors).await,
    }
}

/// Links an item to a control and unlinks it: one change, from either page.
async fn relink(
    state: &AppState,
    scope: &Scope,
    actor: Actor,
    evidence_id: String,
    control_id: String,
    link: bool,
) -> AppResult<Result<(String, String), FieldErrors>> {
    let (org_id, time, user) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope), scope.user.id.clone());
    state
        .db
        .write(move |conn| {
            let record = find_editable(conn, &org_id, &evidence_id)?;
            let controls = [control_id.clone()];
            let changed = if link {
                if !models::in_scope_controls(conn, &org_id)?.contains(&control_id) {
                    let mut errors = FieldErrors::default();
                    errors.add("control_id", "Choose a control from the list.");
                    return Ok(Err(errors));
                }
                !models::link(conn, &org_id, &record.id, &controls, &user, time.now)?.is_empty()
            } else {
                models::unlink(conn, &org_id, &record.id, &control_id)?
            };
            if !changed {
                let state = if link { "already linked to" } else { "not linked to" };
                return Ok(Ok((format!("{} is {state} {control_id}.", record.title), record.id.to_string())));
            }
            settle(conn, &org_id, &controls, time)?;
            let action = if link { Action::EvidenceLinked } else { Action::EvidenceUnlinked };
            let target = Target::new("control", &control_id, &control_id).details(record.title.clone());
            audit::record(conn, &actor, Some(&org_id), action, target)?;
            let done = if link { "linked to" } else { "unlinked from" };
            Ok(Ok((format!("{} is {done} {control_id}.", record.title), record.id.to_string())))
        })
        .await
}

/// From an evidence item's page: link it to a control.
pub async fn link_control(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let control_id = webforms::value(&form, "control_id").to_string();
    match relink(&state, &scope, actor, path.clone(), control_id, true).await? {
        Ok((message, id)) => {
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/compliance/evidence/{id}")))
        }
        Err(errors) => page::evidence_page(&state, &scope, input, &path, &form, errors).await,
    }
}

/// From a control's page: link evidence the organization already has.
pub async fn link_evidence(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let evidence_id = webforms::value(&form, "evidence_id").to_string();
    let control_id = path.into_inner();
    let outcome = match relink(&state, &scope, actor, evidence_id, control_id.clone(), true).await {
        Err(AppError::NotFound) => {
            let mut errors = FieldErrors::default();
            errors.add("evidence_id", "Choose evidence from the list.");
            Err(errors)
        }
        other => other?,
    };
    match outcome {
        Ok((message, _)) => {
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/compliance/controls/{control_id}")))
        }
        Err(errors) => controls::page::control_page(&state, &scope, input, &control_id, &form, errors).await,
    }
}

/// Unlinks an item from a control; back to the page it came from (`next`), else the control's.
pub async fn unlink(c: Change, path: web::Path<(String, String)>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (control_id, evidence_id) = path.into_inner();
    let (message, _) =
        relink(&state, &scope, actor, evidence_id, control_id.clone(), false).await?.map_err(|_| AppError::NotFound)?;
    session::flash_ok(&session, message);
    let back = safe_next(Some(webforms::value(&form, "next"))).unwrap_or(format!("/compliance/controls/{control_id}"));
    Ok(redirect(&back))
}
