//! The timer: started on a ticket, one per person (the table's primary key), stored so that it survives a
//! restart, shown in the top bar of every page (read in the identity statement). Stopping it logs a billable
//! entry for the minutes it ran (rounded up, at most a day) in the MSP's books.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;

use super::forms::{MAX_MINUTES, ValidEntry, hours_minutes};
use super::models::{self, EntryTarget, TimerRow};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TimeEntryId, UserId};
use crate::error::{AppError, AppResult};
use crate::orgs::find_org;
use crate::psa::tickets::page::ticket_in_scope;
use crate::web::redirect;

/// The books time on this organization's tickets goes into, for this person: the MSP itself, or the MSP
/// through which they reach this client. None for a client's own people (their MSP logs the time).
pub fn books_of(scope: &Scope) -> Option<OrgId> {
    match scope.org.kind {
        crate::orgs::OrgKind::Msp => Some(scope.org_id().clone()),
        _ => scope.org.msp.as_ref().map(|link| link.msp_org_id.clone()),
    }
}

pub const NOT_MSP_STAFF: &str = "Time on this organization's tickets is logged by its MSP's staff.";

/// A stopped timer: the entry it logged and what to say.
pub struct Stopped {
    pub entry: TimeEntryId,
    pub message: String,
}

/// Stops the person's timer if it is `timer`: logs its minutes as an entry and writes the activity log. None
/// when another request stopped it first.
pub fn stop(
    conn: &mut DbConnection,
    actor: &Actor,
    user: &UserId,
    timer: &TimerRow,
) -> Result<Option<Stopped>, AppError> {
    if !models::take_timer(conn, user, timer)? {
        return Ok(None);
    }
    let msp = find_org(conn, &timer.org_id)?.ok_or(AppError::NotFound)?;
    let ran = ran_minutes(timer.started_at, actor.at);
    let minutes = ran.min(MAX_MINUTES);
    let entry = ValidEntry {
        work_date: models::local_day(timer.started_at, msp.tz()),
        started_at: Some(timer.started_at),
        minutes,
        notes: String::new(),
        billable: true,
        work_type: None,
    };
    let target = EntryTarget { msp: &msp.id, client: &timer.client_org_id, ticket: Some(&timer.ticket_id), user };
    let id = models::insert(conn, &target, &entry, actor.at)?;
    let logged = hours_minutes(minutes.into());
    let on = Target::new("ticket", &timer.ticket_id, &timer.label).details(logged.clone());
    audit::record(conn, actor, Some(&msp.id), Action::TimerStopped, on)?;
    let mut message = format!("Timer stopped: {logged} logged on {}.", timer.label);
    if ran > MAX_MINUTES {
        message.push_str(" It ran for more than a day, so 24:00 was logged: correct the entry if needed.");
    }
    Ok(Some(Stopped { entry: id, message }))
}

/// Whole minutes a timer ran, rounded up, at least one.
pub fn ran_minutes(started_at: NaiveDateTime, now: NaiveDateTime) -> i32 {
    let seconds = (now - started_at).num_seconds().max(1);
    i32::try_from((seconds + 59) / 60).unwrap_or(i32::MAX)
}

/// POST /tickets/{number}/timer: starts the person's timer on this ticket (stopping and logging the one that
/// ran on another ticket).
pub async fn start(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let number = path.into_inner();
    let back = format!("/tickets/{}", crate::psa::tickets::models::parse_number(&number).unwrap_or(0));
    let Some(books) = books_of(&scope) else {
        session::flash_error(&session, NOT_MSP_STAFF);
        return Ok(redirect(&back));
    };
    let (org, user, client_name) = (scope.org_id().clone(), scope.user.id.clone(), scope.org.name.clone());
    let message = state
        .db
        .write(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &number)?;
            let running = models::timer_of(conn, &user)?;
            if running.as_ref().is_some_and(|t| t.ticket_id == ticket.id) {
                return Ok(format!("The timer is already running on #{}.", ticket.number));
            }
            let mut message = String::new();
            if let Some(running) = running
                && let Some(stopped) = stop(conn, &actor, &user, &running)?
            {
                message = format!("{} ", stopped.message);
            }
            let label = format!("#{} {} · {}", ticket.number, ticket.subject, client_name);
            let timer = TimerRow {
                org_id: books.clone(),
                client_org_id: org,
                ticket_id: ticket.id,
                label,
                started_at: actor.at,
            };
            models::insert_timer(conn, &user, &timer)?;
            let on = Target::new("ticket", &timer.ticket_id, &timer.label);
            audit::record(conn, &actor, Some(&books), Action::TimerStarted, on)?;
            message.push_str(&format!("Timer started on #{}.", ticket.number));
            Ok(message)
        })
        .await?;
    session::flash_ok(&session, message);
    Ok(redirect(&back))
}

/// POST /time/timer/stop (the top bar and the ticket page): stops the person's timer and opens the entry it
/// logged, so that notes can be added.
pub async fn stop_timer(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
) -> AppResult<HttpResponse> {
    let (msp, user) = (scope.msp_id().clone(), scope.user.id.clone());
    let stopped = state
        .db
        .write(move |conn| {
            let Some(timer) = models::timer_of(conn, &user)?.filter(|t| t.org_id == msp) else {
                return Ok(None);
            };
            stop(conn, &actor, &user, &timer)
        })
        .await?;
    match stopped {
        Some(stopped) => {
            session::flash_ok(&session, format!("{} Add notes below.", stopped.message));
            Ok(redirect(&format!("/time/entries/{}", stopped.entry)))
        }
        None => {
            session::flash_error(&session, "No timer is running.");
            Ok(redirect("/time"))
        }
    }
}
