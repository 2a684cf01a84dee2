//! The billing reports' figures, each in a fixed number of statements whatever the number of entries or
//! invoices: hours (billable and not) per client, technician and month; unbilled time per client with its age;
//! agreement use this month; invoice totals per client and month (paid and outstanding).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::dsl::{count_star, min, sum};
use diesel::prelude::*;

use crate::billing::invoices::store::InvoiceStatus;
use crate::billing::models::{self, Usage};
use crate::db::DbConnection;
use crate::db::ids::{AgreementId, OrgId, WorkTypeId};
use crate::psa::time::forms::hours_minutes;
use crate::schema::{agreement_work_types, agreements, invoices, organizations, time_entries, users, work_types};

/// The days a report covers (both included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Billable and non-billable minutes of one group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hours {
    pub label: String,
    pub billable: i64,
    pub non_billable: i64,
}

impl Hours {
    pub fn total(&self) -> i64 {
        self.billable + self.non_billable
    }
    pub fn billable_text(&self) -> String {
        hours_minutes(self.billable)
    }
    pub fn non_billable_text(&self) -> String {
        hours_minutes(self.non_billable)
    }
    pub fn total_text(&self) -> String {
        hours_minutes(self.total())
    }
    /// The billable share of all time, in whole percent (rounded down).
    pub fn billable_percent(&self) -> i64 {
        if self.total() == 0 { 0 } else { self.billable * 100 / self.total() }
    }
}

/// Adds (key, billable, minutes) rows up per key, named by `label`, sorted by label.
fn hours_per(rows: Vec<(String, bool, Option<i64>)>, label: impl Fn(&str) -> String) -> Vec<Hours> {
    let mut grouped: BTreeMap<String, Hours> = BTreeMap::new();
    for (key, billable, minutes) in rows {
        let name = label(&key);
        let h = grouped.entry(name.clone()).or_insert_with(|| Hours { label: name, ..Default::default() });
        if billable {
            h.billable += minutes.unwrap_or(0);
        } else {
            h.non_billable += minutes.unwrap_or(0);
        }
    }
    grouped.into_values().collect()
}

pub struct HoursReport {
    pub by_client: Vec<Hours>,
    pub by_technician: Vec<Hours>,
    /// Labelled "2026-03", oldest first.
    pub by_month: Vec<Hours>,
}

/// The MSP's clients (and itself: its own tickets bill to it) by id, for labels. One statement.
fn org_names(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = organizations::table
        .filter(organizations::msp_org_id.eq(msp).or(organizations::id.eq(msp)))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn name_of(names: &HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| "(removed)".into())
}

/// Hours per client, technician and month in the range: five statements.
pub fn hours(conn: &mut DbConnection, msp: &OrgId, range: Range) -> QueryResult<HoursReport> {
    let days = || {
        time_entries::table
            .filter(time_entries::org_id.eq(msp))
            .filter(time_entries::work_date.between(range.from.to_string(), range.to.to_string()))
    };
    let per_client: Vec<(String, bool, Option<i64>)> = days()
        .group_by((time_entries::client_org_id, time_entries::billable))
        .select((time_entries::client_org_id, time_entries::billable, sum(time_entries::minutes)))
        .load(conn)?;
    let per_user: Vec<(String, bool, Option<i64>)> = days()
        .group_by((time_entries::user_id, time_entries::billable))
        .select((time_entries::user_id, time_entries::billable, sum(time_entries::minutes)))
        .load(conn)?;
    let per_day: Vec<(String, bool, Option<i64>)> = days()
        .group_by((time_entries::work_date, time_entries::billable))
        .select((time_entries::work_date, time_entries::billable, sum(time_entries::minutes)))
        .load(conn)?;
    let clients = org_names(conn, msp)?;
    let user_ids: Vec<String> = per_user.iter().map(|(u, _, _)| u.clone()).collect();
    let people: HashMap<String, String> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(HoursReport {
        by_client: hours_per(per_client, |id| name_of(&clients, id)),
        by_technician: hours_per(per_user, |id| name_of(&people, id)),
        by_month: hours_per(per_day, |day| day.chars().take(7).collect()),
    })
}

/// A client's billable time on no live invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unbilled {
    pub client: String,
    pub entries: i64,
    pub minutes: i64,
    pub oldest: String,
    /// Days from the oldest entry to the report's last day.
    pub age_days: i64,
}

impl Unbilled {
    pub fn hours(&self) -> String {
        hours_minutes(self.minutes)
    }
}

/// Billable entries not on a live invoice (voiding releases them) up to the range's last day, whatever their
/// start: old unbilled time is what this report is for. Oldest first. Two statements.
pub fn unbilled(conn: &mut DbConnection, msp: &OrgId, range: Range) -> QueryResult<Vec<Unbilled>> {
    let rows: Vec<(String, Option<i64>, i64, Option<String>)> = time_entries::table
        .filter(time_entries::org_id.eq(msp))
        .filter(time_entries::billable.eq(true))
        .filter(time_entries::invoice_id.is_null())
        .filter(time_entries::work_date.le(range.to.to_string()))
        .group_by(time_entries::client_org_id)
        .select((time_entries::client_org_id, sum(time_entries::minutes), count_star(), min(time_entries::work_date)))
        .load(conn)?;
    let names = org_names(conn, msp)?;
    let mut out: Vec<Unbilled> = rows
        .into_iter()
        .map(|(client, minutes, entries, oldest)| {
            let oldest = oldest.unwrap_or_default();
            let age_days =
                NaiveDate::parse_from_str(&oldest, "%Y-%m-%d").map(|d| (range.to - d).num_days().max(0)).unwrap_or(0);
            Unbilled { client: name_of(&names, &client), entries, minutes: minutes.unwrap_or(0), oldest, age_days }
        })
        .collect();
    out.sort_by(|a, b| a.oldest.cmp(&b.oldest).then(a.client.cmp(&b.client)));
    Ok(out)
}

/// One agreement's use this month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementUse {
    pub client_id: OrgId,
    pub client: String,
    pub agreement: String,
    pub usage: Usage,
}

impl AgreementUse {
    pub fn included_text(&self) -> String {
        hours_minutes(self.usage.included)
    }
    /// Used as a share of the included time, in whole percent (rounded down; 0 included hours: 100 once used).
    pub fn percent(&self) -> i64 {
        match self.usage.included {
            0 if self.usage.used > 0 => 100,
            0 => 0,
            included => self.usage.used * 100 / included,
        }
    }
}

/// Every agreement of the MSP that runs in the month starting `first` (of `clients` when given), with its use:
/// the covered billable minutes of the month (time without a work type counts as the default one). Four
/// statements whatever the number of clients, agreements or entries. By client, then agreement name.
pub fn agreement_use(
    conn: &mut DbConnection,
    msp: &OrgId,
    clients: Option<Vec<OrgId>>,
    first: NaiveDate,
) -> QueryResult<Vec<AgreementUse>> {
    let last = models::last_of_month(first);
    let mut running = agreements::table
        .inner_join(organizations::table.on(organizations::id.eq(agreements::client_org_id)))
        .filter(agreements::org_id.eq(msp))
        .filter(agreements::starts_on.le(last.to_string()))
        .filter(agreements::ends_on.is_null().or(agreements::ends_on.ge(first.to_string())))
        .into_boxed();
    if let Some(ids) = &clients {
        running = running.filter(agreements::client_org_id.eq_any(ids.clone()));
    }
    let rows: Vec<(OrgId, String, models::Agreement)> = running
        .order((organizations::name.asc(), agreements::name.asc(), agreements::id.asc()))
        .select((agreements::client_org_id, organizations::name, models::AGREEMENT_COLUMNS))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<AgreementId> = rows.iter().map(|(_, _, a)| a.id.clone()).collect();
    let covered: Vec<(AgreementId, WorkTypeId, String)> = agreement_work_types::table
        .inner_join(work_types::table.on(work_types::id.eq(agreement_work_types::work_type_id)))
        .filter(agreement_work_types::org_id.eq(msp))
        .filter(agreement_work_types::agreement_id.eq_any(ids))
        .select((agreement_work_types::agreement_id, work_types::id, work_types::name))
        .load(conn)?;
    let default: Option<WorkTypeId> = work_types::table
        .filter(work_types::org_id.eq(msp))
        .filter(work_types::is_default.eq(true))
        .select(work_types::id)
        .first(conn)
        .optional()?;
    let client_ids: Vec<OrgId> = rows.iter().map(|(c, _, _)| c.clone()).collect();
    let minutes: Vec<(OrgId, Option<WorkTypeId>, Option<i64>)> = time_entries::table
        .filter(time_entries::org_id.eq(msp))
        .filter(time_entries::client_org_id.eq_any(client_ids))
        .filter(time_entries::work_date.between(first.to_string(), last.to_string()))
        .filter(time_entries::billable.eq(true))
        .group_by((time_entries::client_org_id, time_entries::work_type_id))
        .select((time_entries::client_org_id, time_entries::work_type_id, sum(time_entries::minutes)))
        .load(conn)?;
    let rows: Vec<(OrgId, String, models::AgreementRow)> = rows
        .into_iter()
        .map(|(client_id, client, agreement)| {
            let covered = covered
                .iter()
                .filter(|(a, _, _)| *a == agreement.id)
                .map(|(_, w, name)| (w.clone(), name.clone()))
                .collect();
            (client_id, client, models::AgreementRow { agreement, covered })
        })
        .collect();
    // Each client's minutes are shared among its agreements as its invoice shares them.
    let mut usages: Vec<Option<Usage>> = vec![None; rows.len()];
    for client_id in rows.iter().map(|(c, _, _)| c).collect::<std::collections::BTreeSet<_>>() {
        let (at, of_agreements): (Vec<usize>, Vec<&models::AgreementRow>) =
            rows.iter().enumerate().filter(|(_, (c, _, _))| c == client_id).map(|(i, (_, _, r))| (i, r)).unzip();
        let of_client: Vec<(Option<WorkTypeId>, i64)> =
            minutes.iter().filter(|(c, _, _)| c == client_id).map(|(_, w, m)| (w.clone(), m.unwrap_or(0))).collect();
        for (i, usage) in at.into_iter().zip(Usage::allocate(&of_agreements, &of_client, default.as_ref())) {
            usages[i] = Some(usage);
        }
    }
    Ok(rows
        .into_iter()
        .zip(usages)
        .filter_map(|((client_id, client, row), usage)| {
            Some(AgreementUse { client_id, client, agreement: row.agreement.name, usage: usage? })
        })
        .collect())
}

/// Invoice totals of a client or a month: paid, and sent but not yet paid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revenue {
    pub label: String,
    pub paid_cents: i64,
    pub outstanding_cents: i64,
}

impl Revenue {
    pub fn total_cents(&self) -> i64 {
        self.paid_cents + self.outstanding_cents
    }
}

pub struct RevenueReport {
    pub by_client: Vec<Revenue>,
    /// Labelled "2026-03" (the invoiced month), oldest first.
    pub by_month: Vec<Revenue>,
}

/// Sent and paid invoices whose period starts in the range (drafts are not revenue yet, void ones never).
/// Two statements; one row per invoice, which is at most one a client a month.
pub fn revenue(conn: &mut DbConnection, msp: &OrgId, range: Range) -> QueryResult<RevenueReport> {
    let rows: Vec<(String, String, InvoiceStatus, i64)> = invoices::table
        .filter(invoices::org_id.eq(msp))
        .filter(invoices::status.eq_any([InvoiceStatus::Sent, InvoiceStatus::Paid]))
        .filter(invoices::period_start.between(range.from.to_string(), range.to.to_string()))
        .select((invoices::client_org_id, invoices::period_start, invoices::status, invoices::total_cents))
        .load(conn)?;
    let names = org_names(conn, msp)?;
    let add = |grouped: &mut BTreeMap<String, Revenue>, label: String, status: InvoiceStatus, cents: i64| {
        let r = grouped.entry(label.clone()).or_insert_with(|| Revenue { label, ..Default::default() });
        match status {
            InvoiceStatus::Paid => r.paid_cents += cents,
            _ => r.outstanding_cents += cents,
        }
    };
    let (mut clients, mut months) = (BTreeMap::new(), BTreeMap::new());
    for (client, period_start, status, cents) in rows {
        add(&mut clients, name_of(&names, &client), status, cents);
        add(&mut months, period_start.chars().take(7).collect(), status, cents);
    }
    Ok(RevenueReport { by_client: clients.into_values().collect(), by_month: months.into_values().collect() })
}
