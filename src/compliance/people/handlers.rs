//! Compliance -> People: the directory (search, department, active or not), adding and editing, deactivating
//! and reactivating, and the CSV export (the import is `import`).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::PersonForm;
use super::models::{self, ListFilter, Person, PersonInput};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PersonId};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    department: String,
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "compliance/people/list.html")]
struct PeoplePage {
    page: PageContext,
    people: Vec<Person>,
    pager: Pager,
    departments: Vec<String>,
    search: String,
    department: String,
    inactive: bool,
    can_manage: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<PeopleQuery>,
) -> AppResult<HttpResponse> {
    let filter = ListFilter {
        search: query.list.search(),
        department: query.department.trim().to_string(),
        inactive: query.status == "inactive",
    };
    let base = query_string(&[
        ("q", &filter.search),
        ("department", &filter.department),
        ("status", if filter.inactive { "inactive" } else { "" }),
    ]);
    let (org, number, shown) = (scope.org_id().clone(), query.list.page(), filter.clone());
    let (page, people, pager, departments) = state
        .db
        .run(move |conn| {
            let pager = Pager::new(number, models::count(conn, &org, &filter)?, base);
            let people = models::page(conn, &org, &filter, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, people, pager, models::departments(conn, &org)?))
        })
        .await?;
    render(PeoplePage {
        page,
        people,
        pager,
        departments,
        search: shown.search,
        department: shown.department,
        inactive: shown.inactive,
        can_manage: scope.can(Permission::ManagePolicies),
    })
}

#[derive(Template)]
#[template(path = "compliance/people/form.html")]
struct PersonFormPage {
    page: PageContext,
    /// None for a new person.
    person: Option<Person>,
    form: PersonForm,
    errors: FieldErrors,
}

impl PersonFormPage {
    fn deactivated_on(&self) -> String {
        let at = self.person.as_ref().and_then(|p| p.deactivated_at);
        at.map(|d| d.format("%b %-d, %Y").to_string()).unwrap_or_default()
    }
}

async fn form_page(
    state: &AppState,
    input: PageInput,
    person: Option<Person>,
    form: PersonForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    render_status(form_status(&errors), PersonFormPage { page, person, form, errors })
}

pub async fn new_form(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    form_page(&state, input, None, PersonForm::default(), FieldErrors::default()).await
}

/// The form's person, or its errors (the email must not belong to another person of the organization).
fn validated(
    conn: &mut DbConnection,
    org: &OrgId,
    form: &PersonForm,
    except: Option<&PersonId>,
) -> Result<Result<PersonInput, FieldErrors>, AppError> {
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    if models::email_taken(conn, org, &input.email, except)? {
        let mut errors = FieldErrors::default();
        errors.add("email", "Someone in the directory already has this email.");
        return Ok(Err(errors));
    }
    Ok(Ok(input))
}

fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &PersonId,
    name: &str,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("person", id, name))
}

pub async fn create(c: Change, form: web::Form<PersonForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let (org, submitted) = (scope.org_id().clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let person = match validated(conn, &org, &submitted, None)? {
                Ok(person) => person,
                Err(errors) => return Ok(Err(errors)),
            };
            let member = models::members_by_email(conn, &org, vec![person.email.clone()])?;
            let id = models::insert(conn, &org, &person, member.get(&person.email), actor.at)?;
            log(conn, &actor, &org, Action::PersonAdded, &id, &person.name)?;
            Ok(Ok(person.name))
        })
        .await?;
    match outcome {
        Ok(name) => {
            session::flash_ok(&session, format!("{name} is added to the people directory."));
            Ok(redirect("/compliance/people"))
        }
        Err(errors) => form_page(&state, input, None, form, errors).await,
    }
}

async fn person_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Person> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let person = person_of(&state, &scope, path.into_inner()).await?;
    let form = PersonForm::of(&person);
    form_page(&state, input, Some(person), form, FieldErrors::default()).await
}

pub async fn update(c: Change, path: web::Path<String>, form: web::Form<PersonForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let person = person_of(&state, &scope, path.into_inner()).await?;
    let (org, id, submitted) = (scope.org_id().clone(), person.id.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let input = match validated(conn, &org, &submitted, Some(&id))? {
                Ok(input) => input,
                Err(errors) => return Ok(Err(errors)),
            };
            let member = models::members_by_email(conn, &org, vec![input.email.clone()])?;
            models::update(conn, &org, &id, &input, member.get(&input.email), actor.at)?;
            log(conn, &actor, &org, Action::PersonUpdated, &id, &input.name)?;
            Ok(Ok(input.name))
        })
        .await?;
    match outcome {
        Ok(name) => {
            session::flash_ok(&session, format!("{name} is saved."));
            Ok(redirect("/compliance/people"))
        }
        Err(errors) => form_page(&state, input, Some(person), form, errors).await,
    }
}

pub async fn deactivate(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(&state, &scope, actor, &session, path.into_inner(), false).await
}

pub async fn reactivate(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(&state, &scope, actor, &session, path.into_inner(), true).await
}

async fn set_active(
    state: &AppState,
    scope: &Scope,
    actor: Actor,
    session: &Session,
    id: String,
    active: bool,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let outcome = state
        .db
        .write(move |conn| {
            let person = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            if person.is_active() == active {
                let now = if active { "active" } else { "deactivated" };
                return Ok(Err(format!("{} is already {now}.", person.name)));
            }
            models::set_active(conn, &org, &person.id, active, actor.at)?;
            let action = if active { Action::PersonReactivated } else { Action::PersonDeactivated };
            log(conn, &actor, &org, action, &person.id, &person.name)?;
            Ok(Ok(if active {
                format!("{} is active again.", person.name)
            } else {
                format!("{} is deactivated: no new acknowledgment requests; their history is kept.", person.name)
            }))
        })
        .await?;
    session::flash_outcome(session, outcome);
    Ok(redirect(if active { "/compliance/people?status=inactive" } else { "/compliance/people" }))
}

/// Every person of the organization as CSV, in the import's columns (plus whether they are active).
pub async fn export(state: web::Data<AppState>, scope: Scope) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let people = state.db.run(move |conn| Ok(models::all(conn, &org)?)).await?;
    let mut out = String::new();
    crate::web::csv::push_row(&mut out, &["name", "email", "department", "manager", "start_date", "active"]);
    for p in &people {
        let start = p.start_on.map(|d| d.to_string()).unwrap_or_default();
        let active = if p.is_active() { "yes" } else { "no" };
        crate::web::csv::push_row(&mut out, &[p.name.as_str(), &p.email, &p.department, &p.manager, &start, active]);
    }
    Ok(crate::web::csv::download(&format!("people-{}.csv", scope.org.slug), out))
}
