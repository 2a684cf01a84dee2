//! Time entries and running timers: the rows and the queries on them. Entries belong to the MSP that bills
//! them (`org_id`) and are spent for one client (`client_org_id`), on a ticket or not; an entry with an
//! `invoice_id` is billed and stays as it is.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::forms::ValidEntry;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketId, TimeEntryId, UserId, WorkTypeId};
use crate::schema::{organizations, running_timers, tickets, time_entries, users, work_types};

/// The UTC instant of a local wall time in `tz` (the earliest, across a DST change).
pub fn utc_of(local: NaiveDateTime, tz: Tz) -> NaiveDateTime {
    tz.from_local_datetime(&local).earliest().map(|t| t.naive_utc()).unwrap_or(local)
}

/// The local date of a UTC instant in `tz`.
pub fn local_day(at: NaiveDateTime, tz: Tz) -> NaiveDate {
    tz.from_utc_datetime(&at).date_naive()
}

/// An entry as pages show it: with its client's name, its ticket's number and its author's name.
#[derive(Clone, Debug, Queryable)]
pub struct EntryRow {
    pub id: TimeEntryId,
    pub client_org_id: OrgId,
    pub client_name: String,
    pub ticket_number: Option<i64>,
    pub user_id: UserId,
    pub user_name: String,
    pub work_date: String,
    pub started_at: Option<NaiveDateTime>,
    pub minutes: i32,
    pub notes: String,
    pub billable: bool,
    pub invoice_id: Option<String>,
    pub work_type_id: Option<WorkTypeId>,
    pub work_type: Option<String>,
}

impl EntryRow {
    pub fn duration(&self) -> String {
        super::forms::hours_minutes(self.minutes.into())
    }
    pub fn is_invoiced(&self) -> bool {
        self.invoice_id.is_some()
    }
}

/// Which entries a list shows.
pub enum EntryFilter<'a> {
    /// One ticket's entries (every author).
    Ticket(&'a TicketId),
    /// One person's entries from the first date to the last (inclusive).
    PersonWeek(&'a UserId, NaiveDate, NaiveDate),
    /// Everyone's entries in the dates.
    Week(NaiveDate, NaiveDate),
    /// One entry of one author.
    Own(&'a UserId, &'a str),
}

/// The MSP's entries matching `filter`, oldest first, in one statement.
pub fn entries(conn: &mut DbConnection, msp: &OrgId, filter: EntryFilter<'_>) -> QueryResult<Vec<EntryRow>> {
    let base = time_entries::table
        .inner_join(organizations::table.on(organizations::id.eq(time_entries::client_org_id)))
        .inner_join(users::table.on(users::id.eq(time_entries::user_id)))
        .left_join(tickets::table.on(tickets::id.nullable().eq(time_entries::ticket_id)))
        .left_join(work_types::table.on(work_types::id.nullable().eq(time_entries::work_type_id)))
        .filter(time_entries::org_id.eq(msp.clone()))
        .select((
            time_entries::id,
            time_entries::client_org_id,
            organizations::name,
            tickets::number.nullable(),
            time_entries::user_id,
            users::name,
            time_entries::work_date,
            time_entries::started_at,
            time_entries::minutes,
            time_entries::notes,
            time_entries::billable,
            time_entries::invoice_id,
            time_entries::work_type_id,
            work_types::name.nullable(),
        ))
        .order((time_entries::work_date.asc(), time_entries::created_at.asc()))
        .into_boxed();
    let query = match filter {
        EntryFilter::Ticket(ticket) => base.filter(time_entries::ticket_id.eq(ticket.clone())),
        EntryFilter::PersonWeek(user, first, last) => base
            .filter(time_entries::work_date.between(first.to_string(), last.to_string()))
            .filter(time_entries::user_id.eq(user.clone())),
        EntryFilter::Week(first, last) => {
            base.filter(time_entries::work_date.between(first.to_string(), last.to_string()))
        }
        EntryFilter::Own(user, id) => {
            base.filter(time_entries::user_id.eq(user.clone())).filter(time_entries::id.eq(id.to_string()))
        }
    };
    query.load(conn)
}

/// One of the person's own entries in the MSP's books (id from a URL), or None.
pub fn own_entry(conn: &mut DbConnection, msp: &OrgId, user: &UserId, id: &str) -> QueryResult<Option<EntryRow>> {
    Ok(entries(conn, msp, EntryFilter::Own(user, id))?.pop())
}

/// Where a new entry goes: the MSP's books, the client, the ticket if any, the author.
pub struct EntryTarget<'a> {
    pub msp: &'a OrgId,
    pub client: &'a OrgId,
    pub ticket: Option<&'a TicketId>,
    pub user: &'a UserId,
}

pub fn insert(
    conn: &mut DbConnection,
    target: &EntryTarget<'_>,
    entry: &ValidEntry,
    now: NaiveDateTime,
) -> QueryResult<TimeEntryId> {
    let id = TimeEntryId::new();
    diesel::insert_into(time_entries::table)
        .values((
            time_entries::id.eq(&id),
            time_entries::org_id.eq(target.msp),
            time_entries::client_org_id.eq(target.client),
            time_entries::ticket_id.eq(target.ticket),
            time_entries::user_id.eq(target.user),
            time_entries::work_date.eq(entry.work_date.to_string()),
            time_entries::started_at.eq(entry.started_at),
            time_entries::minutes.eq(entry.minutes),
            time_entries::notes.eq(&entry.notes),
            time_entries::billable.eq(entry.billable),
            time_entries::work_type_id.eq(&entry.work_type),
            time_entries::created_at.eq(now),
            time_entries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes one of the author's entries that no invoice has billed; false when there is no such entry.
pub fn update_own(
    conn: &mut DbConnection,
    msp: &OrgId,
    user: &UserId,
    id: &TimeEntryId,
    entry: &ValidEntry,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        time_entries::table
            .filter(time_entries::org_id.eq(msp))
            .filter(time_entries::id.eq(id))
            .filter(time_entries::user_id.eq(user))
            .filter(time_entries::invoice_id.is_null()),
    )
    .set((
        time_entries::work_date.eq(entry.work_date.to_string()),
        time_entries::started_at.eq(entry.started_at),
        time_entries::minutes.eq(entry.minutes),
        time_entries::notes.eq(&entry.notes),
        time_entries::billable.eq(entry.billable),
        time_entries::work_type_id.eq(&entry.work_type),
        time_entries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes one of the author's entries that no invoice has billed; false when there is no such entry.
pub fn delete_own(conn: &mut DbConnection, msp: &OrgId, user: &UserId, id: &TimeEntryId) -> QueryResult<bool> {
    let deleted = diesel::delete(
        time_entries::table
            .filter(time_entries::org_id.eq(msp))
            .filter(time_entries::id.eq(id))
            .filter(time_entries::user_id.eq(user))
            .filter(time_entries::invoice_id.is_null()),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Has anyone logged time on this ticket (in the books of `msp`)? The "time entry before Resolved" rule.
pub fn ticket_has_time(conn: &mut DbConnection, msp: &OrgId, ticket: &TicketId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        time_entries::table.filter(time_entries::org_id.eq(msp)).filter(time_entries::ticket_id.eq(ticket)),
    ))
    .get_result(conn)
}

/// A stored running timer.
#[derive(Clone, Debug, Queryable)]
pub struct TimerRow {
    pub org_id: OrgId,
    pub client_org_id: OrgId,
    pub ticket_id: TicketId,
    pub label: String,
    pub started_at: NaiveDateTime,
}

pub fn timer_of(conn: &mut DbConnection, user: &UserId) -> QueryResult<Option<TimerRow>> {
    running_timers::table
        .find(user)
        .select((
            running_timers::org_id,
            running_timers::client_org_id,
            running_timers::ticket_id,
            running_timers::label,
            running_timers::started_at,
        ))
        .first(conn)
        .optional()
}

pub fn insert_timer(conn: &mut DbConnection, user: &UserId, timer: &TimerRow) -> QueryResult<()> {
    diesel::insert_into(running_timers::table)
        .values((
            running_timers::user_id.eq(user),
            running_timers::org_id.eq(&timer.org_id),
            running_timers::client_org_id.eq(&timer.client_org_id),
            running_timers::ticket_id.eq(&timer.ticket_id),
            running_timers::label.eq(&timer.label),
            running_timers::started_at.eq(timer.started_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes the person's timer if it is still the one read (started at that instant); false when another
/// request stopped it first.
pub fn take_timer(conn: &mut DbConnection, user: &UserId, timer: &TimerRow) -> QueryResult<bool> {
    let deleted = diesel::delete(
        running_timers::table
            .filter(running_timers::user_id.eq(user))
            .filter(running_timers::started_at.eq(timer.started_at))
            .filter(running_timers::ticket_id.eq(&timer.ticket_id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}
