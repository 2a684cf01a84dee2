//! `palisade demo --clients N --time-entries E`: billing data for load measurements (docs/PERFORMANCE.md), on
//! top of the load demo (`orgs::demo::seed_scale`): two work types, a running agreement for "Client 00001" and E
//! billable entries of this month for it, spread over the month and over admin@load.test and a few technicians
//! (so this week's timesheet holds a few hundred), and 24 past monthly invoices for each of the first 100 clients
//! (generated from their entries as an MSP would, then marked paid, the last one sent). Rows go in batches, one
//! transaction per batch.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::invoices::store::{self, InvoiceStatus};
use super::models::{self, AgreementInput, WorkTypeInput, last_of_month, this_month};
use crate::db::ids::{OrgId, TimeEntryId, UserId, WorkTypeId};
use crate::db::{Db, DbConnection, write_transaction};
use crate::error::AppError;
use crate::orgs::find_org;
use crate::schema::{invoices, memberships, organizations, time_entries, users};

/// Entries per batch (one statement, one transaction).
const BATCH: usize = 500;
/// admin@load.test and this many technicians log the month's time.
const TECHNICIANS: i64 = 5;
/// The clients with past invoices, and how many months back.
const INVOICED_CLIENTS: i64 = 100;
const PAST_MONTHS: u32 = 24;

/// Seeds the billing load data; `now` is the clock's (this month is the MSP's).
pub fn seed_scale(db: &Db, entries: usize, now: NaiveDateTime) -> Result<String, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    seed_in(&mut conn, entries, now).map_err(|e: AppError| e.to_string())
}

/// The load demo's MSP, admin first then its first technicians, and its first clients by name.
struct LoadDemo {
    msp: OrgId,
    people: Vec<UserId>,
    clients: Vec<OrgId>,
    month: NaiveDate,
}

fn load_demo(conn: &mut DbConnection, now: NaiveDateTime) -> Result<LoadDemo, AppError> {
    let msp: OrgId = organizations::table
        .filter(organizations::slug.eq("load-test-msp"))
        .select(organizations::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::BadRequest("run with --clients: the billing data goes into the load demo".into()))?;
    let month = this_month(now, find_org(conn, &msp)?.ok_or(AppError::NotFound)?.tz());
    // "admin@load.test" sorts before "tech0@load.test", "tech1@…".
    let people = users::table
        .inner_join(memberships::table.on(memberships::user_id.eq(users::id)))
        .filter(memberships::org_id.eq(&msp))
        .order(users::email.asc())
        .select(users::id)
        .limit(1 + TECHNICIANS)
        .load(conn)?;
    let clients = organizations::table
        .filter(organizations::msp_org_id.eq(&msp))
        .order(organizations::name.asc())
        .select(organizations::id)
        .limit(INVOICED_CLIENTS)
        .load(conn)?;
    Ok(LoadDemo { msp, people, clients, month })
}

fn seed_in(conn: &mut DbConnection, entries: usize, now: NaiveDateTime) -> Result<String, AppError> {
    let demo = load_demo(conn, now)?;
    let busy = demo.clients.get(1).cloned().ok_or_else(|| AppError::BadRequest("needs --clients 2 or more".into()))?;
    let (remote, onsite) = write_transaction(conn, |conn| terms(conn, &demo, &busy, now))?;
    for first in (0..entries).step_by(BATCH) {
        let rows: Vec<_> = (first..entries.min(first + BATCH))
            .map(|i| {
                // Person by person, each over every day of the month.
                let person = &demo.people[i % demo.people.len()];
                let day = demo.month + Duration::days(((i / demo.people.len()) % days_in(demo.month)) as i64);
                let work_type = if i % 4 == 0 { &onsite } else { &remote };
                entry_row(&demo.msp, &busy, person, day, 15 + (i * 7 % 106) as i32, work_type, now)
            })
            .collect();
        write_transaction(conn, |conn| crate::batch_insert!(conn, time_entries::table, rows.as_slice()))?;
    }
    let mut invoiced = 0;
    for client in &demo.clients {
        invoiced += write_transaction(conn, |conn| past_invoices(conn, &demo, client, &remote, now))?;
    }
    Ok(format!(
        "Billing load data: {entries} billable entries in {} for Client 00001 (admin@load.test and {} technicians), \
         {invoiced} past invoices for the first {} clients.",
        demo.month.format("%B %Y"),
        demo.people.len().saturating_sub(1),
        demo.clients.len()
    ))
}

fn days_in(month: NaiveDate) -> usize {
    last_of_month(month).day() as usize
}

/// The work types (remote support, the default, and on-site) and the busy client's running agreement.
fn terms(
    conn: &mut DbConnection,
    demo: &LoadDemo,
    busy: &OrgId,
    now: NaiveDateTime,
) -> Result<(WorkTypeId, WorkTypeId), AppError> {
    let exists = || AppError::BadRequest("the billing load data is there already".into());
    let mut work_type = |name: &str, cents: i64, is_default: bool| {
        let input = WorkTypeInput { name: name.into(), hourly_rate_cents: cents, is_default };
        models::insert_work_type(conn, &demo.msp, &input, now)?.ok_or_else(exists)
    };
    let (remote, onsite) = (work_type("Remote support", 12_500, true)?, work_type("On-site", 15_000, false)?);
    let agreement = AgreementInput {
        name: "Managed services".into(),
        monthly_fee_cents: 150_000,
        included_minutes: 40 * 60,
        overage_rate_cents: 11_000,
        starts_on: demo.month - Months::new(PAST_MONTHS + 12),
        ends_on: None,
        covered: vec![remote.clone()],
    };
    models::insert_agreement(conn, &demo.msp, busy, &agreement, now)?;
    Ok((remote, onsite))
}

#[allow(clippy::too_many_arguments)]
fn entry_row(
    msp: &OrgId,
    client: &OrgId,
    person: &UserId,
    day: NaiveDate,
    minutes: i32,
    work_type: &WorkTypeId,
    now: NaiveDateTime,
) -> EntryRow {
    (
        time_entries::id.eq(TimeEntryId::new().to_string()),
        time_entries::org_id.eq(msp.to_string()),
        time_entries::client_org_id.eq(client.to_string()),
        time_entries::user_id.eq(person.to_string()),
        time_entries::work_date.eq(day.to_string()),
        time_entries::minutes.eq(minutes),
        time_entries::notes.eq("Remote session: updates and user questions."),
        time_entries::billable.eq(true),
        time_entries::work_type_id.eq(Some(work_type.to_string())),
        time_entries::created_at.eq(now),
        time_entries::updated_at.eq(now),
    )
}

type EntryRow = (
    diesel::dsl::Eq<time_entries::id, String>,
    diesel::dsl::Eq<time_entries::org_id, String>,
    diesel::dsl::Eq<time_entries::client_org_id, String>,
    diesel::dsl::Eq<time_entries::user_id, String>,
    diesel::dsl::Eq<time_entries::work_date, String>,
    diesel::dsl::Eq<time_entries::minutes, i32>,
    diesel::dsl::Eq<time_entries::notes, &'static str>,
    diesel::dsl::Eq<time_entries::billable, bool>,
    diesel::dsl::Eq<time_entries::work_type_id, Option<String>>,
    diesel::dsl::Eq<time_entries::created_at, NaiveDateTime>,
    diesel::dsl::Eq<time_entries::updated_at, NaiveDateTime>,
);

/// A client's 24 past months, each with three entries, invoiced as generation does; all paid but the last,
/// which is sent. Returns the invoices written.
fn past_invoices(
    conn: &mut DbConnection,
    demo: &LoadDemo,
    client: &OrgId,
    work_type: &WorkTypeId,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let months: Vec<NaiveDate> = (1..=PAST_MONTHS).rev().map(|back| demo.month - Months::new(back)).collect();
    let rows: Vec<EntryRow> = months
        .iter()
        .enumerate()
        .flat_map(|(m, month)| {
            (0..3).map(move |n| (m, *month + Duration::days(n * 9), 45 + ((m * 13 + n as usize * 29) % 120) as i32))
        })
        .map(|(m, day, minutes)| {
            entry_row(&demo.msp, client, &demo.people[m % demo.people.len()], day, minutes, work_type, now)
        })
        .collect();
    crate::batch_insert!(conn, time_entries::table, rows.as_slice())?;
    let mut written = 0;
    for month in &months {
        written += usize::from(store::generate(conn, &demo.msp, client, *month, now)?.is_some());
    }
    let last = months.last().map(|m| m.to_string()).unwrap_or_default();
    let of_client = invoices::table.filter(invoices::org_id.eq(&demo.msp)).filter(invoices::client_org_id.eq(client));
    diesel::update(of_client.filter(invoices::period_start.lt(&last)))
        .set((
            invoices::status.eq(InvoiceStatus::Paid),
            invoices::sent_at.eq(Some(now)),
            invoices::paid_on.eq(invoices::period_end.nullable()),
            invoices::payment_reference.eq("Bank transfer"),
        ))
        .execute(conn)?;
    diesel::update(of_client.filter(invoices::period_start.eq(&last)))
        .set((invoices::status.eq(InvoiceStatus::Sent), invoices::sent_at.eq(Some(now))))
        .execute(conn)?;
    Ok(written)
}
