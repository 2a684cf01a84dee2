//! Work types, a client's billing terms and rate overrides, agreements and their use this month: the rows and
//! the queries on them. Everything belongs to the MSP (`org_id`); client rows name their client.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::money::Rounding;
use crate::db::DbConnection;
use crate::db::ids::{AgreementId, ClientRateId, OrgId, WorkTypeId};
use crate::schema::{agreement_work_types, agreements, client_billing, client_rates, time_entries, work_types};

#[derive(Clone, Debug, Queryable)]
pub struct WorkType {
    pub id: WorkTypeId,
    pub name: String,
    pub hourly_rate_cents: i64,
    pub is_default: bool,
    /// No longer offered for new time (entries, invoices and reports keep it).
    pub archived: bool,
}

/// The columns of a `WorkType`.
macro_rules! work_type_columns {
    () => {
        (
            work_types::id,
            work_types::name,
            work_types::hourly_rate_cents,
            work_types::is_default,
            work_types::archived_at.is_not_null(),
        )
    };
}

/// The MSP's work types, archived ones included (billing and reports need them all), by name.
pub fn work_types_of(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<Vec<WorkType>> {
    work_types::table
        .filter(work_types::org_id.eq(msp))
        .order((work_types::name.asc(), work_types::id.asc()))
        .select(work_type_columns!())
        .load(conn)
}

/// The work types a time form offers: the active ones, plus `kept` (the entry's own, even when archived since).
pub fn offered(types: Vec<WorkType>, kept: Option<&WorkTypeId>) -> Vec<WorkType> {
    types.into_iter().filter(|w| !w.archived || Some(&w.id) == kept).collect()
}

pub struct WorkTypeInput {
    pub name: String,
    pub hourly_rate_cents: i64,
    pub is_default: bool,
}

fn name_taken(conn: &mut DbConnection, msp: &OrgId, name: &str, except: Option<&WorkTypeId>) -> QueryResult<bool> {
    let same: Vec<(WorkTypeId, String)> =
        work_types::table.filter(work_types::org_id.eq(msp)).select((work_types::id, work_types::name)).load(conn)?;
    Ok(same.iter().any(|(id, n)| n.to_lowercase() == name.to_lowercase() && Some(id) != except))
}

/// Adds a work type; None when the MSP already has one of that name (ignoring case).
pub fn insert_work_type(
    conn: &mut DbConnection,
    msp: &OrgId,
    input: &WorkTypeInput,
    now: NaiveDateTime,
) -> QueryResult<Option<WorkTypeId>> {
    if name_taken(conn, msp, &input.name, None)? {
        return Ok(None);
    }
    if input.is_default {
        clear_default(conn, msp)?;
    }
    let id = WorkTypeId::new();
    diesel::insert_into(work_types::table)
        .values((
            work_types::id.eq(&id),
            work_types::org_id.eq(msp),
            work_types::name.eq(&input.name),
            work_types::hourly_rate_cents.eq(input.hourly_rate_cents),
            work_types::is_default.eq(input.is_default),
            work_types::created_at.eq(now),
            work_types::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Some(id))
}

fn clear_default(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<usize> {
    diesel::update(work_types::table.filter(work_types::org_id.eq(msp)).filter(work_types::is_default.eq(true)))
        .set(work_types::is_default.eq(false))
        .execute(conn)
}

/// Changes a work type; Err(false) when the name is another's, Ok(false) when there is no such work type.
pub fn update_work_type(
    conn: &mut DbConnection,
    msp: &OrgId,
    id: &WorkTypeId,
    input: &WorkTypeInput,
    now: NaiveDateTime,
) -> QueryResult<Result<(), &'static str>> {
    if name_taken(conn, msp, &input.name, Some(id))? {
        return Ok(Err("Another work type has this name."));
    }
    if input.is_default {
        clear_default(conn, msp)?;
    }
    diesel::update(work_types::table.filter(work_types::org_id.eq(msp)).filter(work_types::id.eq(id)))
        .set((
            work_types::name.eq(&input.name),
            work_types::hourly_rate_cents.eq(input.hourly_rate_cents),
            work_types::is_default.eq(input.is_default),
            work_types::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// One of the MSP's work types (id from a URL or a form), or None.
pub fn work_type(conn: &mut DbConnection, msp: &OrgId, id: &str) -> QueryResult<Option<WorkType>> {
    work_types::table
        .filter(work_types::org_id.eq(msp))
        .filter(work_types::id.eq(id))
        .select(work_type_columns!())
        .first(conn)
        .optional()
}

/// Archives (`archived`) or restores a work type: false when it already was.
pub fn set_work_type_archived(
    conn: &mut DbConnection,
    msp: &OrgId,
    id: &WorkTypeId,
    archived: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let target = work_types::table.filter(work_types::org_id.eq(msp)).filter(work_types::id.eq(id));
    let changed = match archived {
        true => diesel::update(target.filter(work_types::archived_at.is_null()))
            .set((work_types::archived_at.eq(Some(now)), work_types::updated_at.eq(now)))
            .execute(conn)?,
        false => diesel::update(target.filter(work_types::archived_at.is_not_null()))
            .set((work_types::archived_at.eq(None::<NaiveDateTime>), work_types::updated_at.eq(now)))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// A client's billing terms (exact minutes and no tax until the MSP sets them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    pub rounding: Rounding,
    pub tax_rate_bp: i32,
}

pub fn terms_of(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> QueryResult<Terms> {
    let row: Option<(i32, i32, i32)> = client_billing::table
        .filter(client_billing::org_id.eq(msp))
        .filter(client_billing::client_org_id.eq(client))
        .select((client_billing::round_up_to_minutes, client_billing::minimum_minutes, client_billing::tax_rate_bp))
        .first(conn)
        .optional()?;
    Ok(row
        .map(|(up_to, minimum, tax_rate_bp)| Terms { rounding: Rounding { up_to, minimum }, tax_rate_bp })
        .unwrap_or_default())
}

/// Saves a client's terms (insert or update, without an upsert).
pub fn save_terms(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    terms: &Terms,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let values = (
        client_billing::round_up_to_minutes.eq(terms.rounding.up_to),
        client_billing::minimum_minutes.eq(terms.rounding.minimum),
        client_billing::tax_rate_bp.eq(terms.tax_rate_bp),
        client_billing::updated_at.eq(now),
    );
    let row =
        client_billing::table.filter(client_billing::org_id.eq(msp)).filter(client_billing::client_org_id.eq(client));
    if diesel::update(row).set(values).execute(conn)? == 0 {
        diesel::insert_into(client_billing::table)
            .values((client_billing::client_org_id.eq(client), client_billing::org_id.eq(msp), values))
            .execute(conn)?;
    }
    Ok(())
}

/// A client's own rate for a work type.
#[derive(Clone, Debug, Queryable)]
pub struct ClientRate {
    pub id: ClientRateId,
    pub work_type_id: WorkTypeId,
    pub work_type: String,
    pub hourly_rate_cents: i64,
}

pub fn rates_of(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> QueryResult<Vec<ClientRate>> {
    client_rates::table
        .inner_join(work_types::table.on(work_types::id.eq(client_rates::work_type_id)))
        .filter(client_rates::org_id.eq(msp))
        .filter(client_rates::client_org_id.eq(client))
        .order(work_types::name.asc())
        .select((client_rates::id, client_rates::work_type_id, work_types::name, client_rates::hourly_rate_cents))
        .load(conn)
}

/// Sets the client's rate for a work type (replacing the one it had).
pub fn set_rate(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    work_type: &WorkTypeId,
    cents: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        client_rates::table
            .filter(client_rates::org_id.eq(msp))
            .filter(client_rates::client_org_id.eq(client))
            .filter(client_rates::work_type_id.eq(work_type)),
    )
    .execute(conn)?;
    diesel::insert_into(client_rates::table)
        .values((
            client_rates::id.eq(ClientRateId::new()),
            client_rates::org_id.eq(msp),
            client_rates::client_org_id.eq(client),
            client_rates::work_type_id.eq(work_type),
            client_rates::hourly_rate_cents.eq(cents),
            client_rates::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes a client's rate (id from a URL); false when there is no such rate of this client.
pub fn remove_rate(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, id: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        client_rates::table
            .filter(client_rates::org_id.eq(msp))
            .filter(client_rates::client_org_id.eq(client))
            .filter(client_rates::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

#[derive(Clone, Debug, Queryable)]
pub struct Agreement {
    pub id: AgreementId,
    pub name: String,
    pub monthly_fee_cents: i64,
    pub included_minutes: i32,
    pub overage_rate_cents: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

impl Agreement {
    /// Does the agreement run on any day of the month starting `first`?
    pub fn runs_in_month(&self, first: NaiveDate) -> bool {
        let last = last_of_month(first);
        self.starts_on <= last.to_string() && self.ends_on.as_ref().is_none_or(|end| *end >= first.to_string())
    }
}

pub struct AgreementInput {
    pub name: String,
    pub monthly_fee_cents: i64,
    pub included_minutes: i32,
    pub overage_rate_cents: i64,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub covered: Vec<WorkTypeId>,
}

pub fn insert_agreement(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    input: &AgreementInput,
    now: NaiveDateTime,
) -> QueryResult<AgreementId> {
    let id = AgreementId::new();
    diesel::insert_into(agreements::table)
        .values((
            agreements::id.eq(&id),
            agreements::org_id.eq(msp),
            agreements::client_org_id.eq(client),
            agreements::name.eq(&input.name),
            agreements::monthly_fee_cents.eq(input.monthly_fee_cents),
            agreements::included_minutes.eq(input.included_minutes),
            agreements::overage_rate_cents.eq(input.overage_rate_cents),
            agreements::starts_on.eq(input.starts_on.to_string()),
            agreements::ends_on.eq(input.ends_on.map(|d| d.to_string())),
            agreements::created_at.eq(now),
            agreements::updated_at.eq(now),
        ))
        .execute(conn)?;
    insert_covered(conn, msp, id.as_str(), &input.covered)?;
    Ok(id)
}

/// The columns of an `Agreement`, in its order.
pub const AGREEMENT_COLUMNS: (
    agreements::id,
    agreements::name,
    agreements::monthly_fee_cents,
    agreements::included_minutes,
    agreements::overage_rate_cents,
    agreements::starts_on,
    agreements::ends_on,
) = (
    agreements::id,
    agreements::name,
    agreements::monthly_fee_cents,
    agreements::included_minutes,
    agreements::overage_rate_cents,
    agreements::starts_on,
    agreements::ends_on,
);

/// Records the work types an agreement covers.
fn insert_covered(conn: &mut DbConnection, msp: &OrgId, id: &str, covered: &[WorkTypeId]) -> QueryResult<()> {
    for work_type in covered {
        diesel::insert_into(agreement_work_types::table)
            .values((
                agreement_work_types::agreement_id.eq(id),
                agreement_work_types::work_type_id.eq(work_type),
                agreement_work_types::org_id.eq(msp),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Changes one of the client's agreements (its terms, end date and covered work types); false when the client
/// has no such agreement (id from a URL).
pub fn update_agreement(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    id: &str,
    input: &AgreementInput,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        agreements::table
            .filter(agreements::org_id.eq(msp))
            .filter(agreements::client_org_id.eq(client))
            .filter(agreements::id.eq(id)),
    )
    .set((
        agreements::name.eq(&input.name),
        agreements::monthly_fee_cents.eq(input.monthly_fee_cents),
        agreements::included_minutes.eq(input.included_minutes),
        agreements::overage_rate_cents.eq(input.overage_rate_cents),
        agreements::starts_on.eq(input.starts_on.to_string()),
        agreements::ends_on.eq(input.ends_on.map(|d| d.to_string())),
        agreements::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    diesel::delete(
        agreement_work_types::table
            .filter(agreement_work_types::org_id.eq(msp))
            .filter(agreement_work_types::agreement_id.eq(id)),
    )
    .execute(conn)?;
    insert_covered(conn, msp, id, &input.covered)?;
    Ok(true)
}

/// An agreement with the work types it covers (none listed: all time).
#[derive(Clone, Debug)]
pub struct AgreementRow {
    pub agreement: Agreement,
    pub covered: Vec<(WorkTypeId, String)>,
}

impl AgreementRow {
    /// Does the agreement cover work of this type? (No covered work types: all work.)
    pub fn covers(&self, work_type: Option<&WorkTypeId>) -> bool {
        self.covered.is_empty() || work_type.is_some_and(|w| self.covered.iter().any(|(c, _)| c == w))
    }
}

/// The order agreements take work in, on invoices and in every usage figure: the first started, then by name
/// (and id, so it is total).
pub fn claim_order(a: &AgreementRow, b: &AgreementRow) -> std::cmp::Ordering {
    let key = |r: &AgreementRow| (r.agreement.starts_on.clone(), r.agreement.name.clone(), r.agreement.id.to_string());
    key(a).cmp(&key(b))
}

/// The client's agreements, newest start first, with their covered work types (two statements).
pub fn agreements_of(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> QueryResult<Vec<AgreementRow>> {
    let rows: Vec<Agreement> = agreements::table
        .filter(agreements::org_id.eq(msp))
        .filter(agreements::client_org_id.eq(client))
        .order((agreements::starts_on.desc(), agreements::id.asc()))
        .select(AGREEMENT_COLUMNS)
        .load(conn)?;
    let ids: Vec<AgreementId> = rows.iter().map(|a| a.id.clone()).collect();
    let covered: Vec<(AgreementId, WorkTypeId, String)> = agreement_work_types::table
        .inner_join(work_types::table.on(work_types::id.eq(agreement_work_types::work_type_id)))
        .filter(agreement_work_types::org_id.eq(msp))
        .filter(agreement_work_types::agreement_id.eq_any(ids))
        .order(work_types::name.asc())
        .select((agreement_work_types::agreement_id, work_types::id, work_types::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|agreement| {
            let covered = covered
                .iter()
                .filter(|(a, _, _)| *a == agreement.id)
                .map(|(_, w, name)| (w.clone(), name.clone()))
                .collect();
            AgreementRow { agreement, covered }
        })
        .collect())
}

pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// "This month" for an MSP (its first day): the month it is at `now` in the MSP's timezone. Every "this month"
/// figure uses it (the billing pages, reports, the client page and the MSP dashboard), so they agree around
/// midnight at the turn of a month.
pub fn this_month(now: NaiveDateTime, msp_tz: chrono_tz::Tz) -> NaiveDate {
    first_of_month(crate::psa::time::models::local_day(now, msp_tz))
}

pub fn last_of_month(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map(|n| n - chrono::Duration::days(1)).unwrap_or(first)
}

/// The client's billable minutes in the month starting `first`, by work type (None: no work type), in one
/// statement.
pub fn billable_minutes_by_type(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    first: NaiveDate,
) -> QueryResult<Vec<(Option<WorkTypeId>, i64)>> {
    let rows: Vec<(Option<WorkTypeId>, Option<i64>)> = time_entries::table
        .filter(time_entries::org_id.eq(msp))
        .filter(time_entries::client_org_id.eq(client))
        .filter(time_entries::work_date.between(first.to_string(), last_of_month(first).to_string()))
        .filter(time_entries::billable.eq(true))
        .group_by(time_entries::work_type_id)
        .select((time_entries::work_type_id, diesel::dsl::sum(time_entries::minutes)))
        .load(conn)?;
    Ok(rows.into_iter().map(|(w, m)| (w, m.unwrap_or(0))).collect())
}

/// An agreement's use in a month: the billable minutes it takes (see `Usage::allocate`) against its included
/// minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    pub used: i64,
    pub included: i64,
}

impl Usage {
    /// The month's use of each of a client's running agreements (one per row, in the rows' order). Each work
    /// type's minutes go to the first agreement in `claim_order` that covers them, as the invoice bills them, so
    /// time that two agreements cover counts once; time without a work type counts as the MSP's default one.
    pub fn allocate(
        rows: &[&AgreementRow],
        minutes: &[(Option<WorkTypeId>, i64)],
        default: Option<&WorkTypeId>,
    ) -> Vec<Usage> {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| claim_order(rows[a], rows[b]));
        let mut used = vec![0; rows.len()];
        for (work_type, m) in minutes {
            let work_type = work_type.as_ref().or(default);
            if let Some(&taker) = order.iter().find(|&&i| rows[i].covers(work_type)) {
                used[taker] += m;
            }
        }
        rows.iter().zip(used).map(|(r, used)| Usage { used, included: r.agreement.included_minutes.into() }).collect()
    }
    pub fn remaining(&self) -> i64 {
        (self.included - self.used).max(0)
    }
    pub fn overage(&self) -> i64 {
        (self.used - self.included).max(0)
    }
    pub fn used_text(&self) -> String {
        crate::psa::time::forms::hours_minutes(self.used)
    }
    pub fn remaining_text(&self) -> String {
        crate::psa::time::forms::hours_minutes(self.remaining())
    }
    pub fn overage_text(&self) -> String {
        crate::psa::time::forms::hours_minutes(self.overage())
    }
}

/// Included and used minutes this month of the running agreements of `clients` (summed per client), in one
/// statement, for pages that list clients (the MSP dashboard, the client page). "Used" follows `Usage::allocate`:
/// an agreement counts the billable minutes of the work types it covers (none listed: all work; time without a
/// work type counting as the MSP's default one) that no agreement earlier in `claim_order` covers, so time two
/// agreements cover counts once. Clients without a running agreement are absent.
pub fn agreement_hours(
    conn: &mut DbConnection,
    msp: &OrgId,
    clients: Vec<OrgId>,
    first: NaiveDate,
) -> QueryResult<std::collections::HashMap<OrgId, Usage>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Nullable, Text};
    let (from, to) = (first.to_string(), last_of_month(first).to_string());
    // Does agreement `a` cover entry t? (SQL for `AgreementRow::covers`, the default work type standing in.)
    let covers = |a: &str| {
        format!(
            "(NOT EXISTS (SELECT 1 FROM agreement_work_types c WHERE c.agreement_id = {a}.id) \
             OR EXISTS (SELECT 1 FROM agreement_work_types c WHERE c.agreement_id = {a}.id \
             AND c.work_type_id = COALESCE(t.work_type_id, (SELECT w.id FROM work_types w \
             WHERE w.org_id = {a}.org_id AND w.is_default LIMIT 1))))"
        )
    };
    // A correlated subquery per agreement row: the month's minutes of its client that it covers and no running
    // agreement before it in `claim_order` covers.
    let used = sql::<Nullable<BigInt>>(
        "(SELECT SUM(t.minutes) FROM time_entries t WHERE t.org_id = agreements.org_id \
         AND t.client_org_id = agreements.client_org_id AND t.billable AND t.work_date >= ",
    )
    .bind::<Text, _>(from.clone())
    .sql(" AND t.work_date <= ")
    .bind::<Text, _>(to.clone())
    .sql(&format!(
        " AND {} AND NOT EXISTS (SELECT 1 FROM agreements e WHERE e.org_id = agreements.org_id \
         AND e.client_org_id = agreements.client_org_id AND e.starts_on <= ",
        covers("agreements")
    ))
    .bind::<Text, _>(to.clone())
    .sql(" AND (e.ends_on IS NULL OR e.ends_on >= ")
    .bind::<Text, _>(from.clone())
    .sql(&format!(
        ") AND (e.starts_on < agreements.starts_on OR (e.starts_on = agreements.starts_on \
         AND (e.name < agreements.name OR (e.name = agreements.name AND e.id < agreements.id)))) AND {}))",
        covers("e")
    ));
    let rows: Vec<(OrgId, i32, Option<i64>)> = agreements::table
        .filter(agreements::org_id.eq(msp))
        .filter(agreements::client_org_id.eq_any(clients))
        .filter(agreements::starts_on.le(to))
        .filter(agreements::ends_on.is_null().or(agreements::ends_on.ge(from)))
        .select((agreements::client_org_id, agreements::included_minutes, used))
        .load(conn)?;
    let mut per_client: std::collections::HashMap<OrgId, Usage> = std::collections::HashMap::new();
    for (client, included, used) in rows {
        let usage = per_client.entry(client).or_insert(Usage { used: 0, included: 0 });
        usage.included += i64::from(included);
        usage.used += used.unwrap_or(0);
    }
    Ok(per_client)
}
