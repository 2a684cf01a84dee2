//! Billing -> Work types: the MSP's kinds of work with their default hourly rate (one may be the default, used
//! for time logged without a work type). Archived work types are no longer offered for new time.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::forms::WorkTypeForm;
use super::models::{self, WorkType};
use super::money::format_cents;
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{MspScope, session};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

#[derive(Template)]
#[template(path = "billing/work_types.html")]
struct WorkTypesPage {
    page: PageContext,
    work_types: Vec<WorkType>,
    /// The form that came back with errors: (work type id or "" for a new one, form, errors).
    form: WorkTypeForm,
    editing: String,
    errors: FieldErrors,
    currency: String,
}

impl WorkTypesPage {
    fn money(&self, cents: &i64) -> String {
        format_cents(*cents)
    }
    fn rate_value(&self, w: &WorkType) -> String {
        if self.editing == w.id.as_str() { self.form.rate.clone() } else { format_cents(w.hourly_rate_cents) }
    }
    fn name_value(&self, w: &WorkType) -> String {
        if self.editing == w.id.as_str() { self.form.name.clone() } else { w.name.clone() }
    }
    fn errors_of(&self, w: &WorkType) -> FieldErrors {
        if self.editing == w.id.as_str() { self.errors.clone() } else { FieldErrors::default() }
    }
    fn new_errors(&self) -> FieldErrors {
        if self.editing.is_empty() { self.errors.clone() } else { FieldErrors::default() }
    }
}

async fn page(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    back: Option<(String, WorkTypeForm, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let msp = scope.msp_id().clone();
    let (page, work_types, currency) = state
        .db
        .run(move |conn| {
            Ok((input.load(conn)?, models::work_types_of(conn, &msp)?, super::profile::currency_of(conn, &msp)?))
        })
        .await?;
    let (editing, form, errors) = back.unwrap_or_default();
    render_status(form_status(&errors), WorkTypesPage { page, work_types, form, editing, errors, currency })
}

/// GET /billing/work-types
pub async fn list(state: web::Data<AppState>, scope: MspScope, input: PageInput) -> AppResult<HttpResponse> {
    page(&state, &scope, input, None).await
}

/// "125.00/h, default" for the activity log.
fn details(input: &models::WorkTypeInput) -> String {
    let default = if input.is_default { ", default" } else { "" };
    format!("{}/h{default}", format_cents(input.hourly_rate_cents))
}

/// POST /billing/work-types
pub async fn create(c: Change<MspScope>, form: web::Form<WorkTypeForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let valid = form.validate(&mut errors);
    if !errors.is_empty() {
        return page(&state, &scope, input, Some((String::new(), form, errors))).await;
    }
    let msp = scope.msp_id().clone();
    let added = state
        .db
        .write(move |conn| {
            let Some(id) = models::insert_work_type(conn, &msp, &valid, actor.at)? else { return Ok(false) };
            let target = Target::new("work_type", &id, &valid.name).details(details(&valid));
            audit::record(conn, &actor, Some(&msp), Action::WorkTypeAdded, target)?;
            Ok(true)
        })
        .await?;
    if !added {
        errors.add("name", "A work type of this name exists already.");
        return page(&state, &scope, input, Some((String::new(), form, errors))).await;
    }
    session::flash_ok(&session, format!("Work type {} added.", form.name.trim()));
    Ok(redirect("/billing/work-types"))
}

/// POST /billing/work-types/{work_type_id}
pub async fn update(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<WorkTypeForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (id, form) = (path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let valid = form.validate(&mut errors);
    let msp = scope.msp_id().clone();
    let lookup = id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let found = models::work_type(conn, &msp, &lookup)?.ok_or(AppError::NotFound)?;
            if found.archived {
                errors.add("name", "Restore this work type before changing it.");
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            if let Err(why) = models::update_work_type(conn, &msp, &found.id, &valid, actor.at)? {
                errors.add("name", why);
                return Ok(Err(errors));
            }
            let target = Target::new("work_type", &found.id, &valid.name).details(details(&valid));
            audit::record(conn, &actor, Some(&msp), Action::WorkTypeChanged, target)?;
            Ok(Ok(()))
        })
        .await?;
    match outcome {
        Ok(()) => {
            session::flash_ok(&session, "Work type saved.");
            Ok(redirect("/billing/work-types"))
        }
        Err(errors) => page(&state, &scope, input, Some((id, form, errors))).await,
    }
}

/// POST /billing/work-types/{work_type_id}/archive: the work type is no longer offered for new time (entries,
/// invoices and reports keep it). The default work type cannot be archived: time without one bills as it.
pub async fn archive(c: Change<MspScope>, path: web::Path<String>) -> AppResult<HttpResponse> {
    set_archived(c, path.into_inner(), true).await
}

/// POST /billing/work-types/{work_type_id}/restore: offered for new time again.
pub async fn restore(c: Change<MspScope>, path: web::Path<String>) -> AppResult<HttpResponse> {
    set_archived(c, path.into_inner(), false).await
}

async fn set_archived(c: Change<MspScope>, id: String, archived: bool) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let msp = scope.msp_id().clone();
    let outcome = state
        .db
        .write(move |conn| {
            let found = models::work_type(conn, &msp, &id)?.ok_or(AppError::NotFound)?;
            if archived && found.is_default {
                let why = "is the default work type: make another one the default before archiving it.";
                return Ok(Err(format!("{} {why}", found.name)));
            }
            let (action, done) = match archived {
                true => (Action::WorkTypeArchived, "archived"),
                false => (Action::WorkTypeRestored, "restored"),
            };
            if models::set_work_type_archived(conn, &msp, &found.id, archived, actor.at)? {
                audit::record(conn, &actor, Some(&msp), action, Target::new("work_type", &found.id, &found.name))?;
            }
            Ok(Ok(format!("Work type {} {done}.", found.name)))
        })
        .await?;
    match outcome {
        Ok(message) => session::flash_ok(&session, message),
        Err(message) => session::flash_error(&session, message),
    }
    Ok(redirect("/billing/work-types"))
}
