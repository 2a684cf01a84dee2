//! Service desk -> Recurring tickets: schedules (weekly, monthly, quarterly, from a template) that the
//! scheduler's `tickets.recurring` job turns into tickets. Runs are counted from the first run in the
//! organization's local time (so 09:00 stays 09:00 across daylight saving, and the 31st stays the month's last
//! day without drifting); a schedule that missed runs while no instance was up opens one ticket and moves on to
//! its next future run.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::TicketSource;
use super::service::{self, Author, DeskEnv, NewTicket};
use super::staff::{self, StaffMember};
use super::templates::{self, TicketTemplate};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::ids::{ContactId, OrgId, TicketId, UserId};
use crate::db::{DbConnection, write_transaction};
use crate::error::{AppError, AppResult};
use crate::jobs::JobResult;
use crate::jobs::claim::lock_skip_locked;
use crate::orgs::find_org;
use crate::psa::contacts::models as contacts;
use crate::schema::recurring_tickets as r;
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

crate::text_enum! {
    pub enum Frequency {
        Weekly = "weekly",
        Monthly = "monthly",
        Quarterly = "quarterly",
    }
}

impl Frequency {
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Weekly => "Every week",
            Frequency::Monthly => "Every month",
            Frequency::Quarterly => "Every quarter",
        }
    }

    /// The local time of run `k` (0 is the first).
    fn run(self, first: NaiveDateTime, k: u32) -> Option<NaiveDateTime> {
        match self {
            Frequency::Weekly => first.checked_add_signed(chrono::Duration::weeks(k.into())),
            Frequency::Monthly => first.checked_add_months(Months::new(k)),
            Frequency::Quarterly => first.checked_add_months(Months::new(k.checked_mul(3)?)),
        }
    }
}

/// A local wall-clock time as UTC (the earliest instant when it is repeated, the first after a gap).
fn to_utc(local: NaiveDateTime, tz: Tz) -> NaiveDateTime {
    (0..=2)
        .find_map(|h| tz.from_local_datetime(&(local + chrono::Duration::hours(h))).earliest())
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

/// The first run after `after` (UTC), counted from the first run in local time.
pub fn next_run(frequency: Frequency, first_utc: NaiveDateTime, tz: Tz, after: NaiveDateTime) -> Option<NaiveDateTime> {
    let first_local = tz.from_utc_datetime(&first_utc).naive_local();
    // Jump close by whole weeks or months, then step.
    let start = match frequency {
        Frequency::Weekly => ((after - first_utc).num_weeks().max(1) - 1) as u32,
        Frequency::Monthly | Frequency::Quarterly => {
            let months = after.date().years_since(first_utc.date()).unwrap_or(0) * 12;
            months / if frequency == Frequency::Quarterly { 3 } else { 1 }
        }
    };
    (start.saturating_sub(1)..start + 60)
        .find_map(|k| frequency.run(first_local, k).map(|l| to_utc(l, tz)).filter(|at| *at > after))
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = r)]
pub struct Schedule {
    pub id: String,
    pub org_id: OrgId,
    pub template_id: String,
    pub frequency: Frequency,
    pub first_run_at: NaiveDateTime,
    pub next_run_at: NaiveDateTime,
    pub requester_contact_id: Option<ContactId>,
    pub assignee_user_id: Option<UserId>,
    pub active: bool,
    pub last_ticket_id: Option<TicketId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A schedule with what the list shows.
pub struct ScheduleRow {
    pub schedule: Schedule,
    pub template: String,
    pub next: String,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ScheduleForm {
    #[serde(default)]
    template: String,
    #[serde(default)]
    frequency: String,
    /// Local date and time of the first run.
    #[serde(default)]
    first_date: String,
    #[serde(default)]
    first_time: String,
    #[serde(default)]
    requester_email: String,
    #[serde(default)]
    assignee: String,
}

#[derive(Template)]
#[template(path = "psa/recurring.html")]
struct RecurringPage {
    page: PageContext,
    schedules: Vec<ScheduleRow>,
    templates: Vec<TicketTemplate>,
    workers: Vec<StaffMember>,
    form: ScheduleForm,
    errors: FieldErrors,
    frequencies: [Frequency; 3],
    can_work: bool,
    time_label: String,
}

async fn page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    form: ScheduleForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let tz = scope.org.tz();
    let (page, schedules, templates, workers) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            let templates = templates::templates_of(conn, &org_row)?;
            let schedules: Vec<Schedule> = r::table
                .filter(r::org_id.eq(&org))
                .order(r::next_run_at.asc())
                .select(Schedule::as_select())
                .load(conn)?;
            let rows = schedules
                .into_iter()
                .map(|s| ScheduleRow {
                    template: templates
                        .iter()
                        .find(|t| t.id == s.template_id)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    next: crate::web::time::local(s.next_run_at, tz),
                    schedule: s,
                })
                .collect();
            Ok((input.load(conn)?, rows, templates, staff::workers(conn, &org_row)?))
        })
        .await?;
    let status = form_status(&errors);
    let can_work = scope.can(Permission::WorkTickets);
    let time_label = format!("At (local time, {})", scope.org.timezone);
    render_status(
        status,
        RecurringPage {
            page,
            schedules,
            templates,
            workers,
            form,
            errors,
            frequencies: Frequency::ALL,
            can_work,
            time_label,
        },
    )
}

pub async fn list(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let form =
        ScheduleForm { frequency: Frequency::Monthly.id().into(), first_time: "09:00".into(), ..Default::default() };
    page(&state, &scope, input, form, FieldErrors::default()).await
}

pub async fn create(c: Change, form: web::Form<ScheduleForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let frequency = Frequency::parse(form.frequency.trim());
    if frequency.is_none() {
        errors.add("frequency", "Choose how often.");
    }
    let date = NaiveDate::parse_from_str(form.first_date.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)));
    if date.is_none() {
        errors.add("first_date", "Enter the first date like 2026-04-01.");
    }
    let time = NaiveTime::parse_from_str(form.first_time.trim(), "%H:%M").ok();
    if time.is_none() {
        errors.add("first_time", "Enter a time like 09:00.");
    }
    let tz = scope.org.tz();
    let (org, submitted) = (scope.org_id().clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            let template = templates::template(conn, &org_row, submitted.template.trim())?;
            if template.is_none() {
                errors.add("template", "Choose a template (add one under Settings -> Service desk -> Templates).");
            }
            let requester = match submitted.requester_email.trim() {
                "" => None,
                email => match contacts::find_by_email(conn, &org, email)?.filter(|c| !c.is_archived()) {
                    Some(c) => Some(c.id),
                    None => {
                        errors.add("requester_email", "No active contact has this email.");
                        None
                    }
                },
            };
            let assignee = match submitted.assignee.trim() {
                "" => None,
                id => match staff::is_worker(conn, &org_row, id)? {
                    Some(s) => Some(s.user_id),
                    None => {
                        errors.add("assignee", "Choose someone who works this organization's tickets.");
                        None
                    }
                },
            };
            let (Some(template), Some(frequency), Some(date), Some(time), true) =
                (template, frequency, date, time, errors.is_empty())
            else {
                return Ok(Err(errors));
            };
            let first = to_utc(date.and_time(time), tz);
            let next = if first > actor.at { first } else { next_run(frequency, first, tz, actor.at).unwrap_or(first) };
            let id = crate::db::new_id();
            diesel::insert_into(r::table)
                .values((
                    r::id.eq(&id),
                    r::org_id.eq(&org),
                    r::template_id.eq(&template.id),
                    r::frequency.eq(frequency),
                    r::first_run_at.eq(first),
                    r::next_run_at.eq(next),
                    r::requester_contact_id.eq(&requester),
                    r::assignee_user_id.eq(&assignee),
                    r::active.eq(true),
                    r::created_at.eq(actor.at),
                    r::updated_at.eq(actor.at),
                ))
                .execute(conn)?;
            let details = frequency.label().to_lowercase();
            audit::record(
                conn,
                &actor,
                Some(&org),
                Action::RecurringAdded,
                Target::new("recurring_ticket", &id, &template.name).details(details),
            )?;
            Ok(Ok(()))
        })
        .await?;
    match outcome {
        Ok(()) => {
            session::flash_ok(&session, "Recurring ticket scheduled.");
            Ok(redirect("/tickets/recurring"))
        }
        Err(errors) => page(&state, &scope, input, form, errors).await,
    }
}

pub async fn delete(
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
            let row = r::table.filter(r::org_id.eq(&org)).filter(r::id.eq(&id));
            let schedule: Schedule =
                row.select(Schedule::as_select()).first(conn).optional()?.ok_or(AppError::NotFound)?;
            diesel::delete(row).execute(conn)?;
            let label = schedule.frequency.label();
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::RecurringRemoved,
                Target::new("recurring_ticket", &id, label),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Recurring ticket removed.");
    Ok(redirect("/tickets/recurring"))
}

/// The `tickets.recurring` job: opens the tickets of due schedules and moves each to its next run.
pub async fn run(state: web::Data<AppState>) -> JobResult {
    let (now, env) = (state.clock.now(), DeskEnv::of(&state));
    let opened = state.db.run(move |conn| Ok(write_transaction(conn, |conn| open_due(conn, &env, now))?)).await?;
    Ok(format!("{opened} recurring tickets opened"))
}

fn open_due(conn: &mut DbConnection, env: &DeskEnv, now: NaiveDateTime) -> Result<usize, service::DeskError> {
    let due: Vec<Schedule> = lock_skip_locked!(
        conn,
        r::table
            .filter(r::active.eq(true))
            .filter(r::next_run_at.le(now))
            .order(r::next_run_at.asc())
            .limit(200)
            .select(Schedule::as_select())
    )?;
    let orgs = crate::orgs::find_orgs(conn, due.iter().map(|schedule| &schedule.org_id))?;
    for schedule in &due {
        let org = orgs.get(&schedule.org_id).ok_or(diesel::result::Error::NotFound)?;
        let row = r::table.filter(r::org_id.eq(&schedule.org_id)).filter(r::id.eq(&schedule.id));
        let next = next_run(schedule.frequency, schedule.first_run_at, org.tz(), now);
        let Some(template) = templates::template(conn, org, &schedule.template_id)? else {
            diesel::update(row).set((r::active.eq(false), r::updated_at.eq(now))).execute(conn)?;
            continue;
        };
        let mut new = NewTicket::new(&template.subject, &template.description);
        (new.priority, new.ticket_type, new.category, new.source) =
            (template.priority, template.ticket_type, template.category.clone(), TicketSource::Recurring);
        new.requester = schedule.requester_contact_id.clone();
        new.assignee =
            schedule.assignee_user_id.clone().filter(|u| staff::is_worker(conn, org, u).ok().flatten().is_some());
        let opened = service::open_ticket(conn, env, &org.id, &Author::system("Recurring schedule", now), new)?;
        diesel::update(row)
            .set((
                r::next_run_at.eq(next.unwrap_or(now)),
                r::active.eq(next.is_some()),
                r::last_ticket_id.eq(Some(&opened.id)),
                r::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(due.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn runs_keep_their_local_time_and_day_without_drifting() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // Every Monday 09:00 New York (14:00 UTC in winter, 13:00 UTC in summer).
        let first = to_utc(at(2026, 3, 2, 9), ny);
        assert_eq!(first, at(2026, 3, 2, 14));
        assert_eq!(next_run(Frequency::Weekly, first, ny, first), Some(at(2026, 3, 9, 13)));
        // Monthly on the 31st: the last day of shorter months, then the 31st again.
        let end = at(2026, 1, 31, 9);
        assert_eq!(next_run(Frequency::Monthly, end, chrono_tz::UTC, end), Some(at(2026, 2, 28, 9)));
        assert_eq!(next_run(Frequency::Monthly, end, chrono_tz::UTC, at(2026, 3, 1, 0)), Some(at(2026, 3, 31, 9)));
        // Missed runs are skipped: the next one after now.
        assert_eq!(next_run(Frequency::Quarterly, end, chrono_tz::UTC, at(2027, 2, 1, 0)), Some(at(2027, 4, 30, 9)));
    }
}
