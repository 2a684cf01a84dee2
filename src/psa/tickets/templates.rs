//! Settings -> Service desk -> Templates and canned responses: ticket templates (for new tickets and recurring
//! schedules) and canned responses (ready text for replies). An MSP's are offered in its clients too.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::forms;
use super::models::{Priority, TicketType};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::orgs::{Organization, find_org};
use crate::psa::sla_policy::models::usable_orgs;
use crate::schema::{canned_responses, ticket_templates};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ticket_templates)]
pub struct TicketTemplate {
    pub id: String,
    pub org_id: OrgId,
    pub name: String,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub ticket_type: TicketType,
    pub category: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = canned_responses)]
pub struct CannedResponse {
    pub id: String,
    pub org_id: OrgId,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The templates `org` may use (its own and its MSP's), by name.
pub fn templates_of(conn: &mut DbConnection, org: &Organization) -> QueryResult<Vec<TicketTemplate>> {
    ticket_templates::table
        .filter(ticket_templates::org_id.eq_any(usable_orgs(org)))
        .order((ticket_templates::name.asc(), ticket_templates::id.asc()))
        .select(TicketTemplate::as_select())
        .load(conn)
}

/// A template `org` may use, by id.
pub fn template(conn: &mut DbConnection, org: &Organization, id: &str) -> QueryResult<Option<TicketTemplate>> {
    Ok(templates_of(conn, org)?.into_iter().find(|t| t.id == id))
}

/// The canned responses `org` may use, by title.
pub fn canned_of(conn: &mut DbConnection, org: &Organization) -> QueryResult<Vec<CannedResponse>> {
    canned_responses::table
        .filter(canned_responses::org_id.eq_any(usable_orgs(org)))
        .order((canned_responses::title.asc(), canned_responses::id.asc()))
        .select(CannedResponse::as_select())
        .load(conn)
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct TemplateForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub ticket_type: String,
    #[serde(default)]
    pub category: String,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct CannedForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Template)]
#[template(path = "psa/templates.html")]
struct TemplatesPage {
    page: PageContext,
    org_id: OrgId,
    templates: Vec<TicketTemplate>,
    canned: Vec<CannedResponse>,
    template_form: TemplateForm,
    template_errors: FieldErrors,
    canned_form: CannedForm,
    canned_errors: FieldErrors,
    priorities: [Priority; 4],
    types: [TicketType; 4],
}

async fn page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    template_form: (TemplateForm, FieldErrors),
    canned_form: (CannedForm, FieldErrors),
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, templates, canned) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            Ok((input.load(conn)?, templates_of(conn, &org_row)?, canned_of(conn, &org_row)?))
        })
        .await?;
    let mut errors = template_form.1.clone();
    if errors.is_empty() {
        errors = canned_form.1.clone();
    }
    render_status(
        form_status(&errors),
        TemplatesPage {
            page,
            org_id: scope.org_id().clone(),
            templates,
            canned,
            template_form: template_form.0,
            template_errors: template_form.1,
            canned_form: canned_form.0,
            canned_errors: canned_form.1,
            priorities: Priority::ALL,
            types: TicketType::ALL,
        },
    )
}

pub async fn list(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let blank = TemplateForm {
        priority: Priority::Medium.id().into(),
        ticket_type: TicketType::ServiceRequest.id().into(),
        ..Default::default()
    };
    page(&state, &scope, input, (blank, FieldErrors::default()), Default::default()).await
}

pub async fn create_template(c: Change, form: web::Form<TemplateForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let name = crate::web::forms::required(&mut errors, "name", &form.name, "Name", 80);
    let subject = forms::subject(&mut errors, &form.subject);
    let description = forms::description(&mut errors, "description", &form.description);
    let priority = forms::choice(&mut errors, "priority", &form.priority, Priority::parse, "a priority");
    let ticket_type = forms::choice(&mut errors, "ticket_type", &form.ticket_type, TicketType::parse, "a type");
    let category = forms::category(&mut errors, &form.category);
    let (Some(priority), Some(ticket_type), true) = (priority, ticket_type, errors.is_empty()) else {
        return page(&state, &scope, input, (form, errors), Default::default()).await;
    };
    let org = scope.org_id().clone();
    state
        .db
        .write(move |conn| {
            let id = crate::db::new_id();
            diesel::insert_into(ticket_templates::table)
                .values((
                    ticket_templates::id.eq(&id),
                    ticket_templates::org_id.eq(&org),
                    ticket_templates::name.eq(&name),
                    ticket_templates::subject.eq(&subject),
                    ticket_templates::description.eq(&description),
                    ticket_templates::priority.eq(priority),
                    ticket_templates::ticket_type.eq(ticket_type),
                    ticket_templates::category.eq(&category),
                    ticket_templates::created_at.eq(actor.at),
                    ticket_templates::updated_at.eq(actor.at),
                ))
                .execute(conn)?;
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::TemplateAdded,
                Target::new("ticket_template", &id, &name),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Template added.");
    Ok(redirect("/settings/service-desk/templates"))
}

pub async fn create_canned(c: Change, form: web::Form<CannedForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let title = crate::web::forms::required(&mut errors, "title", &form.title, "Title", 80);
    let body = crate::web::forms::required(&mut errors, "body", &form.body, "Text", 20_000);
    if !errors.is_empty() {
        let blank = TemplateForm {
            priority: Priority::Medium.id().into(),
            ticket_type: TicketType::ServiceRequest.id().into(),
            ..Default::default()
        };
        return page(&state, &scope, input, (blank, FieldErrors::default()), (form, errors)).await;
    }
    let org = scope.org_id().clone();
    state
        .db
        .write(move |conn| {
            let id = crate::db::new_id();
            diesel::insert_into(canned_responses::table)
                .values((
                    canned_responses::id.eq(&id),
                    canned_responses::org_id.eq(&org),
                    canned_responses::title.eq(&title),
                    canned_responses::body.eq(&body),
                    canned_responses::created_at.eq(actor.at),
                    canned_responses::updated_at.eq(actor.at),
                ))
                .execute(conn)?;
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::CannedAdded,
                Target::new("canned_response", &id, &title),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Canned response added.");
    Ok(redirect("/settings/service-desk/templates"))
}

pub async fn delete_template(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (org, id) = (scope.org_id().clone(), path.into_inner());
    let outcome = state
        .db
        .write(move |conn| {
            let row =
                ticket_templates::table.filter(ticket_templates::org_id.eq(&org)).filter(ticket_templates::id.eq(&id));
            let name: String = row.select(ticket_templates::name).first(conn).optional()?.ok_or(AppError::NotFound)?;
            use crate::schema::recurring_tickets as r;
            let scheduled: bool =
                diesel::select(diesel::dsl::exists(r::table.filter(r::template_id.eq(&id)))).get_result(conn)?;
            if scheduled {
                return Ok(Err(format!("{name} is used by a recurring schedule; remove the schedule first.")));
            }
            diesel::delete(row).execute(conn)?;
            audit::record(
                conn,
                &actor,
                Some(&org),
                Action::TemplateRemoved,
                Target::new("ticket_template", &id, &name),
            )?;
            Ok(Ok(format!("{name} is removed.")))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect("/settings/service-desk/templates"))
}

pub async fn delete_canned(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (org, id) = (scope.org_id().clone(), path.into_inner());
    state
        .db
        .write(move |conn| {
            let row =
                canned_responses::table.filter(canned_responses::org_id.eq(&org)).filter(canned_responses::id.eq(&id));
            let title: String =
                row.select(canned_responses::title).first(conn).optional()?.ok_or(AppError::NotFound)?;
            diesel::delete(row).execute(conn)?;
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::CannedRemoved,
                Target::new("canned_response", &id, &title),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Canned response removed.");
    Ok(redirect("/settings/service-desk/templates"))
}

/// Lets the template tell the organization's own rows from its MSP's.
pub fn is_own(org_id: &OrgId, row_org: &OrgId) -> bool {
    org_id == row_org
}
