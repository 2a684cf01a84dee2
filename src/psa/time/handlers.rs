//! Time entry pages: logging time on a ticket, the person's weekly timesheet (with entries for a client without
//! a ticket), editing and deleting one's own entries until they are invoiced, and the manager's view of
//! everyone's week.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Deserialize;

use super::forms::{EntryForm, ValidEntry, hours_minutes, work_type_of};
use super::models::{self, EntryFilter, EntryRow, EntryTarget};
use super::timer::{NOT_MSP_STAFF, books_of};
use super::timesheet::{Grid, Week, day_label};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, session};
use crate::billing::models::{WorkType, offered, work_types_of};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TimeEntryId, UserId, WorkTypeId};
use crate::error::{AppError, AppResult};
use crate::orgs::clients::{ClientRow, ClientStatus, MspView};
use crate::orgs::find_org;
use crate::psa::tickets::page::{PageForms, render_ticket, ticket_in_scope};
use crate::psa::tickets::staff;
use crate::schema::{organizations, time_entries};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

/// The timesheet's client list offers every client the person reaches while they are at most this many; past
/// that, the clients they logged time for in the last `RECENT_DAYS`, and a name field finds any other (a list of a
/// thousand clients is slow to send and to use).
const CLIENT_CHOICES: i64 = 50;
const RECENT_DAYS: i64 = 90;

/// The clients the timesheet's entry form offers.
pub struct ClientChoices {
    pub clients: Vec<(OrgId, String)>,
    /// Every client the person reaches (no name field needed).
    pub all: bool,
}

/// "1:30 billable on #42" for the activity log.
fn entry_details(entry: &ValidEntry, ticket: Option<i64>) -> String {
    let kind = if entry.billable { "billable" } else { "non-billable" };
    let on = ticket.map(|n| format!(" on #{n}")).unwrap_or_default();
    format!("{} {kind}{on}, {}", hours_minutes(entry.minutes.into()), entry.work_date)
}

fn timezone_of(conn: &mut DbConnection, org: &OrgId) -> Result<Tz, AppError> {
    Ok(find_org(conn, org)?.ok_or(AppError::NotFound)?.tz())
}

/// The entry form checked as every entry form checks it (on a ticket, the timesheet, the entry page): the
/// times in the MSP's timezone and the work type among the MSP's active ones (or `kept`, the entry's own). None
/// (with `errors`) when it is not valid.
fn checked_entry(
    conn: &mut DbConnection,
    msp: &OrgId,
    form: &EntryForm,
    kept: Option<&WorkTypeId>,
    errors: &mut FieldErrors,
) -> Result<Option<ValidEntry>, AppError> {
    let entry = form.validate(timezone_of(conn, msp)?, errors);
    let work_type = work_type_of(form, &offered(work_types_of(conn, msp)?, kept), errors);
    Ok(entry.filter(|_| errors.is_empty()).map(|entry| ValidEntry { work_type, ..entry }))
}

/// POST /tickets/{number}/time: a manual entry on this ticket (the client is the ticket's organization).
pub async fn log_on_ticket(c: Change, path: web::Path<String>, form: web::Form<EntryForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (number, form) = (path.into_inner(), form.into_inner());
    let Some(books) = books_of(&scope) else {
        session::flash_error(&session, NOT_MSP_STAFF);
        return Ok(redirect(&format!("/tickets/{}", number.trim())));
    };
    let (org, user, client_name) = (scope.org_id().clone(), scope.user.id.clone(), scope.org.name.clone());
    let (lookup, checked) = (number.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &lookup)?;
            let mut errors = FieldErrors::default();
            let Some(entry) = checked_entry(conn, &books, &checked, None, &mut errors)? else {
                return Ok(Err(errors));
            };
            let target = EntryTarget { msp: &books, client: &org, ticket: Some(&ticket.id), user: &user };
            let id = models::insert(conn, &target, &entry, actor.at)?;
            let on = Target::new("client", &org, &client_name).details(entry_details(&entry, Some(ticket.number)));
            audit::record(conn, &actor, Some(&books), Action::TimeEntryAdded, on)?;
            Ok(Ok((id, ticket.number, entry.minutes)))
        })
        .await?;
    match outcome {
        Ok((_, ticket, minutes)) => {
            session::flash_ok(&session, format!("{} logged on #{ticket}.", hours_minutes(minutes.into())));
            Ok(redirect(&format!("/tickets/{ticket}")))
        }
        Err(errors) => {
            render_ticket(&state, &scope, input, number, PageForms { time: Some((form, errors)), ..Default::default() })
                .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    #[serde(default)]
    week: Option<String>,
}

#[derive(Template)]
#[template(path = "psa/timesheet.html")]
struct TimesheetPage {
    page: PageContext,
    title: String,
    /// The person's own timesheet (entries can be added and edited) rather than a manager's look at it.
    own: bool,
    base: String,
    week: Week,
    days: Vec<NaiveDate>,
    grid: Grid,
    entries: Vec<EntryRow>,
    /// The entry form's clients (the person's own timesheet only).
    clients: Option<ClientChoices>,
    work_types: Vec<WorkType>,
    form: EntryForm,
    errors: FieldErrors,
    /// The person may open everyone's week (a link to it).
    can_see_team: bool,
}

impl TimesheetPage {
    fn day(&self, d: &NaiveDate) -> String {
        day_label(d)
    }
}

/// The timesheet's client list, by name: all the person reaches, or their recent ones (two statements at most).
fn client_choices(conn: &mut DbConnection, scope: &MspScope, today: NaiveDate) -> QueryResult<ClientChoices> {
    let by_name = (organizations::name.asc(), organizations::id.asc());
    let columns = (organizations::id, organizations::name);
    let view = MspView::of(scope);
    let reachable: Vec<(OrgId, String)> = organizations::table
        .filter(view.filter(ClientStatus::Active, ""))
        .order(by_name)
        .limit(CLIENT_CHOICES + 1)
        .select(columns)
        .load(conn)?;
    if i64::try_from(reachable.len()).unwrap_or(i64::MAX) <= CLIENT_CHOICES {
        return Ok(ClientChoices { clients: reachable, all: true });
    }
    let since = (today - chrono::Duration::days(RECENT_DAYS)).to_string();
    let recent = time_entries::table
        .filter(time_entries::org_id.eq(scope.msp_id()))
        .filter(time_entries::work_date.ge(since))
        .filter(time_entries::user_id.eq(&scope.user.id))
        .select(time_entries::client_org_id);
    let clients = organizations::table
        .filter(view.filter(ClientStatus::Active, ""))
        .filter(organizations::id.eq_any(recent))
        .order(by_name)
        .limit(CLIENT_CHOICES)
        .select(columns)
        .load(conn)?;
    Ok(ClientChoices { clients, all: false })
}

/// The client an entry form names: the one chosen in the list, or else the one whose name was typed (an exact
/// name first, then the only one containing it). None, with the reason in `errors`, when there is none.
fn client_of_form(
    conn: &mut DbConnection,
    view: &MspView,
    form: &EntryForm,
    errors: &mut FieldErrors,
) -> Result<Option<ClientRow>, AppError> {
    let (chosen, typed) = (form.client.trim(), form.client_name.trim());
    let id = match (chosen.is_empty(), typed.is_empty()) {
        (true, false) => {
            let found: Vec<(OrgId, String)> = organizations::table
                .filter(view.filter(ClientStatus::Active, &typed.to_lowercase()))
                .order((organizations::name.asc(), organizations::id.asc()))
                .limit(10)
                .select((organizations::id, organizations::name))
                .load(conn)?;
            let exact = found.iter().find(|(_, name)| name.eq_ignore_ascii_case(typed));
            match (exact, found.as_slice()) {
                (Some((id, _)), _) | (None, [(id, _)]) => id.to_string(),
                (None, []) => {
                    errors.add("client_name", format!("No client you reach is called “{typed}”."));
                    return Ok(None);
                }
                (None, _) => {
                    errors.add("client_name", format!("Several clients match “{typed}”: type more of the name."));
                    return Ok(None);
                }
            }
        }
        _ => chosen.to_string(),
    };
    match view.client(conn, &id) {
        Ok(client) if !client.archived => Ok(Some(client)),
        Ok(_) | Err(AppError::NotFound) => {
            errors.add("client", "Choose one of your clients.");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// One person's week: the grid of days x clients and the entries.
async fn timesheet(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    person: Option<String>,
    week: Option<String>,
    form: Option<(EntryForm, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let (msp, me, now) = (scope.msp_id().clone(), scope.user.id.clone(), state.clock.now());
    let can_see_team = scope.can(crate::auth::Permission::ManageTime);
    let scope = scope.clone();
    let own = person.is_none();
    let loaded = state
        .db
        .run(move |conn| {
            let msp_row = find_org(conn, &msp)?.ok_or(AppError::NotFound)?;
            let (user, name): (UserId, String) = match &person {
                None => (me, String::new()),
                Some(id) => {
                    let worker = staff::workers(conn, &msp_row)?.into_iter().find(|w| w.user_id == id.as_str());
                    let worker = worker.ok_or(AppError::NotFound)?;
                    (worker.user_id, worker.name)
                }
            };
            let today = models::local_day(now, msp_row.tz());
            let week = Week::of(week.as_deref(), today);
            let entries = models::entries(conn, &msp, EntryFilter::PersonWeek(&user, week.monday, week.sunday()))?;
            let (clients, work_types) = match own {
                true => (Some(client_choices(conn, &scope, today)?), offered(work_types_of(conn, &msp)?, None)),
                false => (None, Vec::new()),
            };
            Ok((input.load(conn)?, week, entries, (clients, work_types), name, today, user))
        })
        .await?;
    let (page, week, entries, (clients, work_types), name, today, user) = loaded;
    let grid = Grid::of(&week, &entries, |e| (e.client_org_id.to_string(), e.client_name.clone()));
    let (form, errors) = form.unwrap_or_else(|| (EntryForm::today(today, &work_types), FieldErrors::default()));
    let (title, base) = match own {
        true => ("My timesheet".to_string(), "/time".to_string()),
        false => (format!("Timesheet of {name}"), format!("/time/team/{user}")),
    };
    let days = week.days();
    let can_see_team = can_see_team && own;
    render_status(
        form_status(&errors),
        TimesheetPage {
            page,
            title,
            own,
            base,
            week,
            days,
            grid,
            entries,
            clients,
            work_types,
            form,
            errors,
            can_see_team,
        },
    )
}

/// GET /time: the person's own week.
pub async fn my_week(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    timesheet(&state, &scope, input, None, query.into_inner().week, None).await
}

/// GET /time/team/{staff_id}: one person's week, for a manager (read only).
pub async fn person_week(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    timesheet(&state, &scope, input, Some(path.into_inner()), query.into_inner().week, None).await
}

/// POST /time/entries: an entry for a client without a ticket (a meeting, project work).
pub async fn create(c: Change<MspScope>, form: web::Form<EntryForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let (msp, user, view) = (scope.msp_id().clone(), scope.user.id.clone(), MspView::of(&scope));
    let checked = form.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let mut errors = FieldErrors::default();
            let client = client_of_form(conn, &view, &checked, &mut errors)?;
            let entry = checked_entry(conn, &msp, &checked, None, &mut errors)?;
            let (Some(client), Some(entry), true) = (client, entry, errors.is_empty()) else {
                return Ok(Err(errors));
            };
            let target = EntryTarget { msp: &msp, client: &client.id, ticket: None, user: &user };
            models::insert(conn, &target, &entry, actor.at)?;
            let on = Target::new("client", &client.id, &client.name).details(entry_details(&entry, None));
            audit::record(conn, &actor, Some(&msp), Action::TimeEntryAdded, on)?;
            Ok(Ok((client.name, entry)))
        })
        .await?;
    match outcome {
        Ok((client, entry)) => {
            let logged = hours_minutes(entry.minutes.into());
            session::flash_ok(&session, format!("{logged} logged for {client}."));
            Ok(redirect(&format!("/time?week={}", entry.work_date)))
        }
        Err(errors) => {
            let week = Some(form.work_date.clone());
            timesheet(&state, &scope, input, None, week, Some((form, errors))).await
        }
    }
}

#[derive(Template)]
#[template(path = "psa/time_entry.html")]
struct EntryPage {
    page: PageContext,
    entry: EntryRow,
    work_types: Vec<WorkType>,
    form: EntryForm,
    errors: FieldErrors,
}

/// The form of a stored entry, its times in `tz`.
fn form_of(entry: &EntryRow, tz: Tz) -> EntryForm {
    let start = entry.started_at.map(|at| chrono::TimeZone::from_utc_datetime(&tz, &at).naive_local());
    let end = start.map(|s| s + chrono::Duration::minutes(entry.minutes.into()));
    let same_day = |t: chrono::NaiveDateTime| t.date().to_string() == entry.work_date;
    let (start, end, duration) = match (start, end) {
        (Some(s), Some(e)) if same_day(s) && same_day(e) => {
            (s.format("%H:%M").to_string(), e.format("%H:%M").to_string(), String::new())
        }
        _ => (String::new(), String::new(), entry.duration()),
    };
    EntryForm {
        work_date: entry.work_date.clone(),
        start,
        end,
        duration,
        notes: entry.notes.clone(),
        billable: entry.billable.then(|| "1".to_string()),
        client: entry.client_org_id.to_string(),
        client_name: String::new(),
        work_type: entry.work_type_id.as_ref().map(|w| w.to_string()).unwrap_or_default(),
    }
}

async fn entry_page(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    id: String,
    form: Option<(EntryForm, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let (msp, user) = (scope.msp_id().clone(), scope.user.id.clone());
    let (page, entry, tz, work_types) = state
        .db
        .run(move |conn| {
            let entry = models::own_entry(conn, &msp, &user, &id)?.ok_or(AppError::NotFound)?;
            let work_types = offered(work_types_of(conn, &msp)?, entry.work_type_id.as_ref());
            Ok((input.load(conn)?, entry, timezone_of(conn, &msp)?, work_types))
        })
        .await?;
    let (form, errors) = form.unwrap_or_else(|| (form_of(&entry, tz), FieldErrors::default()));
    render_status(form_status(&errors), EntryPage { page, entry, work_types, form, errors })
}

/// GET /time/entries/{entry_id}: one of the person's own entries, editable until invoiced.
pub async fn edit(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    entry_page(&state, &scope, input, path.into_inner(), None).await
}

/// Refusal of a change to an invoiced entry.
const INVOICED: &str = "This entry is on an invoice: it can only change after that invoice is voided.";

/// POST /time/entries/{entry_id}: saves one of the person's own entries.
pub async fn update(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<EntryForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (id, form) = (path.into_inner(), form.into_inner());
    let (msp, user, checked, lookup) = (scope.msp_id().clone(), scope.user.id.clone(), form.clone(), id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let row = models::own_entry(conn, &msp, &user, &lookup)?.ok_or(AppError::NotFound)?;
            let mut errors = FieldErrors::default();
            if row.is_invoiced() {
                return Ok(Err(Refusal::Invoiced));
            }
            let Some(entry) = checked_entry(conn, &msp, &checked, row.work_type_id.as_ref(), &mut errors)? else {
                return Ok(Err(Refusal::Fields(errors)));
            };
            if !models::update_own(conn, &msp, &user, &row.id, &entry, actor.at)? {
                return Ok(Err(Refusal::Invoiced));
            }
            let on = Target::new("client", &row.client_org_id, &row.client_name)
                .details(entry_details(&entry, row.ticket_number));
            audit::record(conn, &actor, Some(&msp), Action::TimeEntryChanged, on)?;
            Ok(Ok(entry.work_date))
        })
        .await?;
    match outcome {
        Ok(day) => {
            session::flash_ok(&session, "Time entry saved.");
            Ok(redirect(&format!("/time?week={day}")))
        }
        Err(Refusal::Invoiced) => {
            session::flash_error(&session, INVOICED);
            Ok(redirect(&format!("/time/entries/{id}")))
        }
        Err(Refusal::Fields(errors)) => entry_page(&state, &scope, input, id, Some((form, errors))).await,
    }
}

enum Refusal {
    Invoiced,
    Fields(FieldErrors),
}

/// POST /time/entries/{entry_id}/delete: deletes one of the person's own entries that is not invoiced.
pub async fn delete(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (msp, user, lookup) = (scope.msp_id().clone(), scope.user.id.clone(), id.clone());
    let deleted: Option<String> = state
        .db
        .write(move |conn| {
            let row = models::own_entry(conn, &msp, &user, &lookup)?.ok_or(AppError::NotFound)?;
            let entry_id: &TimeEntryId = &row.id;
            if !models::delete_own(conn, &msp, &user, entry_id)? {
                return Ok(None);
            }
            let details = format!("{} on {}", row.duration(), row.work_date);
            let on = Target::new("client", &row.client_org_id, &row.client_name).details(details);
            audit::record(conn, &actor, Some(&msp), Action::TimeEntryDeleted, on)?;
            Ok(Some(row.work_date))
        })
        .await?;
    match deleted {
        Some(day) => {
            session::flash_ok(&session, "Time entry deleted.");
            Ok(redirect(&format!("/time?week={day}")))
        }
        None => {
            session::flash_error(&session, INVOICED);
            Ok(redirect(&format!("/time/entries/{id}")))
        }
    }
}

#[derive(Template)]
#[template(path = "psa/time_team.html")]
struct TeamPage {
    page: PageContext,
    week: Week,
    days: Vec<NaiveDate>,
    grid: Grid,
}

impl TeamPage {
    fn day(&self, d: &NaiveDate) -> String {
        day_label(d)
    }
}

/// GET /time/team: everyone's week at the MSP (days x people), each person linking to their timesheet.
pub async fn team_week(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    let (msp, now, week) = (scope.msp_id().clone(), state.clock.now(), query.into_inner().week);
    let (page, week, entries, people) = state
        .db
        .run(move |conn| {
            let msp_row = find_org(conn, &msp)?.ok_or(AppError::NotFound)?;
            let week = Week::of(week.as_deref(), models::local_day(now, msp_row.tz()));
            let entries = models::entries(conn, &msp, EntryFilter::Week(week.monday, week.sunday()))?;
            let people = staff::workers(conn, &msp_row)?;
            Ok((input.load(conn)?, week, entries, people))
        })
        .await?;
    let grid = Grid::of(&week, &entries, |e| (e.user_id.to_string(), e.user_name.clone()))
        .with_rows(people.into_iter().map(|p| (p.user_id.to_string(), p.name)));
    let days = week.days();
    render(TeamPage { page, week, days, grid })
}
