//! The ticket page's time section: the ticket's entries with their total, the person's timer (start, or stop
//! when it runs on this ticket) and the manual entry form with its work types. Shown to the MSP's staff who log
//! time.

use chrono::NaiveDate;

use super::forms::{EntryForm, hours_minutes};
use super::models::{self, EntryFilter, EntryRow};
use super::timer::books_of;
use crate::auth::{Permission, RunningTimer, Scope};
use crate::billing::models::{WorkType, offered, work_types_of};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketId};
use crate::web::forms::FieldErrors;

pub struct TicketTime {
    pub entries: Vec<EntryRow>,
    pub total: String,
    pub billable: String,
    /// The person's timer runs on this ticket.
    pub timer_here: bool,
    /// The MSP whose books the time goes into (the stop form is an MSP form).
    pub books: OrgId,
    /// The MSP's work types the form offers.
    pub work_types: Vec<WorkType>,
    pub form: EntryForm,
    pub errors: FieldErrors,
}

/// The section for `ticket`, or None when the person does not log time here (two statements: the entries and
/// the work types).
pub fn load(
    conn: &mut DbConnection,
    scope: &Scope,
    timer: Option<&RunningTimer>,
    ticket: &TicketId,
    today: NaiveDate,
    form: Option<(EntryForm, FieldErrors)>,
) -> diesel::QueryResult<Option<TicketTime>> {
    let Some(books) = books_of(scope).filter(|_| scope.can(Permission::LogTime)) else { return Ok(None) };
    let entries = models::entries(conn, &books, EntryFilter::Ticket(ticket))?;
    let sum = |billable_only: bool| -> i64 {
        entries.iter().filter(|e| e.billable || !billable_only).map(|e| i64::from(e.minutes)).sum()
    };
    let (total, billable) = (hours_minutes(sum(false)), hours_minutes(sum(true)));
    let work_types = offered(work_types_of(conn, &books)?, None);
    let (form, errors) = form.unwrap_or_else(|| (EntryForm::today(today, &work_types), FieldErrors::default()));
    let timer_here = timer.is_some_and(|t| &t.ticket_id == ticket);
    Ok(Some(TicketTime { entries, total, billable, timer_here, books, work_types, form, errors }))
}
