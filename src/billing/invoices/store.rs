//! Invoices in the database: the month's draft for a client (preview, or claimed for generation), writing an
//! invoice with its number and lines in one transaction, reading invoices (by the MSP, or later by a client's
//! portal through `invoices_of_client`), and the status changes (voiding releases the invoice's entries).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::draft::{self, BillableEntry, Draft, Inputs, LineKind, RunningAgreement};
use crate::billing::models::{self, AgreementRow};
use crate::db::DbConnection;
use crate::db::ids::{AgreementId, InvoiceId, InvoiceLineId, OrgId};
use crate::schema::{invoice_counters, invoice_lines, invoices, tickets, time_entries, users};

/// 14 values a line: well under SQLite's and PostgreSQL's bound-parameter limits.
const LINES_PER_INSERT: usize = 500;

crate::text_enum! {
    pub enum InvoiceStatus {
        Draft = "draft",
        Sent = "sent",
        Paid = "paid",
        Void = "void",
    }
}

impl InvoiceStatus {
    pub fn label(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "Draft",
            InvoiceStatus::Sent => "Sent",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Void => "Void",
        }
    }
}

/// Which entries a draft bills: the unbilled ones (preview) or those claimed by an invoice being generated.
enum Source<'a> {
    Unbilled,
    Claimed(&'a InvoiceId),
}

fn entries(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    month: NaiveDate,
    source: Source<'_>,
) -> QueryResult<Vec<BillableEntry>> {
    let last = models::last_of_month(month);
    let query = time_entries::table
        .inner_join(users::table.on(users::id.eq(time_entries::user_id)))
        .left_join(tickets::table.on(tickets::id.nullable().eq(time_entries::ticket_id)))
        .filter(time_entries::org_id.eq(msp))
        .filter(time_entries::client_org_id.eq(client))
        .filter(time_entries::work_date.between(month.to_string(), last.to_string()))
        .filter(time_entries::billable.eq(true))
        .order((time_entries::work_date.asc(), time_entries::created_at.asc(), time_entries::id.asc()))
        .select((
            time_entries::id,
            time_entries::work_date,
            time_entries::minutes,
            time_entries::work_type_id,
            time_entries::notes,
            tickets::number.nullable(),
            users::name,
        ))
        .into_boxed();
    match source {
        Source::Unbilled => query.filter(time_entries::invoice_id.is_null()).load(conn),
        Source::Claimed(invoice) => query.filter(time_entries::invoice_id.eq(invoice.to_string())).load(conn),
    }
}

/// The client's month as an invoice would bill it.
fn compose(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    month: NaiveDate,
    entries: &[BillableEntry],
) -> QueryResult<Draft> {
    let terms = models::terms_of(conn, msp, client)?;
    let work_types = models::work_types_of(conn, msp)?;
    let rates = models::rates_of(conn, msp, client)?;
    let agreements = models::agreements_of(conn, msp, client)?;
    let mut running: Vec<&AgreementRow> = agreements.iter().filter(|a| a.agreement.runs_in_month(month)).collect();
    running.sort_by(|a, b| crate::billing::models::claim_order(a, b));
    let billed = match running.is_empty() {
        true => Vec::new(),
        false => billed_of_month(conn, msp, client, month)?,
    };
    let agreements = running
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let of = |line: &&BilledLine| match &line.agreement {
                Some(id) => *id == row.agreement.id,
                // Lines written before agreements were named on covered lines: the first agreement's.
                None => i == 0 && line.kind != LineKind::Fee,
            };
            let mine: Vec<&BilledLine> = billed.iter().filter(of).collect();
            let fee_billed = mine.iter().any(|l| l.kind == LineKind::Fee);
            let included_used = mine.iter().filter(|l| l.kind != LineKind::Fee).map(|l| l.minutes).sum();
            RunningAgreement { row, fee_billed, included_used }
        })
        .collect();
    let inputs = Inputs { month, entries, terms, work_types: &work_types, rates: &rates, agreements };
    Ok(draft::compose(&inputs))
}

/// What the month's live invoices of the client billed under agreements: fees and covered minutes (included
/// or overage), per agreement (one statement).
struct BilledLine {
    agreement: Option<AgreementId>,
    kind: LineKind,
    minutes: i64,
}

fn billed_of_month(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    month: NaiveDate,
) -> QueryResult<Vec<BilledLine>> {
    let of_month = invoices::table
        .filter(invoices::org_id.eq(msp.clone()))
        .filter(invoices::client_org_id.eq(client.clone()))
        .filter(invoices::period_start.eq(month.to_string()))
        .select(invoices::id);
    let rows: Vec<(Option<AgreementId>, LineKind, Option<i64>)> = invoice_lines::table
        .filter(invoice_lines::org_id.eq(msp))
        .filter(invoice_lines::invoice_id.eq_any(of_month))
        .filter(invoice_lines::live.eq(true))
        .filter(invoice_lines::kind.eq_any([LineKind::Fee, LineKind::Included, LineKind::Overage]))
        .group_by((invoice_lines::agreement_id, invoice_lines::kind))
        .select((invoice_lines::agreement_id, invoice_lines::kind, diesel::dsl::sum(invoice_lines::billed_minutes)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(agreement, kind, minutes)| BilledLine { agreement, kind, minutes: minutes.unwrap_or(0) })
        .collect())
}

/// The preview: what generating the month's invoice now would write (nothing is written).
pub fn preview(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, month: NaiveDate) -> QueryResult<Draft> {
    let unbilled = entries(conn, msp, client, month, Source::Unbilled)?;
    compose(conn, msp, client, month, &unbilled)
}

/// The MSP's next invoice number and its prefix, taken for the current transaction (the counter row's lock
/// makes concurrent generations take turns; a rolled-back generation gives its number back).
fn take_number(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<(i64, String)> {
    ensure_counter(conn, msp)?;
    diesel::update(invoice_counters::table.find(msp))
        .set(invoice_counters::next_number.eq(invoice_counters::next_number + 1))
        .execute(conn)?;
    let (next, prefix): (i64, String) = invoice_counters::table
        .find(msp)
        .select((invoice_counters::next_number, invoice_counters::prefix))
        .first(conn)?;
    Ok((next - 1, prefix))
}

/// Creates the MSP's counter row if it has none (a race with another first invoice loses harmlessly, inside a
/// savepoint).
fn ensure_counter(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(invoice_counters::table.find(msp))).get_result(conn)?;
    if exists {
        return Ok(());
    }
    let created = conn.transaction(|conn| {
        diesel::insert_into(invoice_counters::table).values(invoice_counters::org_id.eq(msp)).execute(conn)
    });
    match created {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The prefix of the MSP's invoice numbers.
pub fn prefix_of(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<String> {
    Ok(invoice_counters::table
        .find(msp)
        .select(invoice_counters::prefix)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| "INV-".to_string()))
}

pub fn set_prefix(conn: &mut DbConnection, msp: &OrgId, prefix: &str) -> QueryResult<()> {
    ensure_counter(conn, msp)?;
    diesel::update(invoice_counters::table.find(msp)).set(invoice_counters::prefix.eq(prefix)).execute(conn)?;
    Ok(())
}

/// A generated invoice: its id, label and total.
pub struct Generated {
    pub id: InvoiceId,
    pub label: String,
    pub total_cents: i64,
}

/// Generates the client's invoice for the month, in the caller's transaction: claims the unbilled billable
/// entries (a conditional UPDATE: an entry another generation claimed first is skipped), composes the lines
/// from exactly those, numbers the invoice and writes it. None when there is nothing to bill (the caller rolls
/// back, giving the number back).
pub fn generate(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    month: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Option<Generated>> {
    let id = InvoiceId::new();
    let last = models::last_of_month(month);
    // The invoice row first (the entries' claim points at it), with its number; totals follow.
    let (number, prefix) = take_number(conn, msp)?;
    let label = format!("{prefix}{number}");
    let terms = models::terms_of(conn, msp, client)?;
    diesel::insert_into(invoices::table)
        .values((
            invoices::id.eq(&id),
            invoices::org_id.eq(msp),
            invoices::client_org_id.eq(client),
            invoices::number.eq(number),
            invoices::label.eq(&label),
            invoices::period_start.eq(month.to_string()),
            invoices::period_end.eq(last.to_string()),
            invoices::status.eq(InvoiceStatus::Draft),
            invoices::subtotal_cents.eq(0i64),
            invoices::tax_rate_bp.eq(terms.tax_rate_bp),
            invoices::tax_cents.eq(0i64),
            invoices::total_cents.eq(0i64),
            invoices::rounding.eq(terms.rounding.describe()),
            invoices::currency.eq(crate::billing::profile::currency_of(conn, msp)?),
            invoices::created_at.eq(now),
            invoices::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        time_entries::table
            .filter(time_entries::org_id.eq(msp))
            .filter(time_entries::client_org_id.eq(client))
            .filter(time_entries::work_date.between(month.to_string(), last.to_string()))
            .filter(time_entries::billable.eq(true))
            .filter(time_entries::invoice_id.is_null()),
    )
    .set(time_entries::invoice_id.eq(id.to_string()))
    .execute(conn)?;
    let claimed = entries(conn, msp, client, month, Source::Claimed(&id))?;
    let draft = compose(conn, msp, client, month, &claimed)?;
    if draft.lines.is_empty() {
        return Ok(None);
    }
    let lines: Vec<_> = draft
        .lines
        .iter()
        .enumerate()
        .map(|(position, line)| {
            (
                invoice_lines::id.eq(InvoiceLineId::new()),
                invoice_lines::org_id.eq(msp),
                invoice_lines::invoice_id.eq(&id),
                invoice_lines::position.eq(position as i32),
                invoice_lines::kind.eq(line.kind),
                invoice_lines::description.eq(&line.description),
                invoice_lines::time_entry_id.eq(line.time_entry_id.as_ref().map(|e| e.to_string())),
                invoice_lines::agreement_id.eq(line.agreement_id.as_ref().map(|a| a.to_string())),
                invoice_lines::fee_month.eq(&line.fee_month),
                invoice_lines::minutes.eq(line.minutes),
                invoice_lines::billed_minutes.eq(line.billed_minutes),
                invoice_lines::rate_cents.eq(line.rate_cents),
                invoice_lines::amount_cents.eq(line.amount_cents),
                invoice_lines::live.eq(true),
            )
        })
        .collect();
    // Many rows per statement: a month of 10,000 entries is 10,000 lines.
    for chunk in lines.chunks(LINES_PER_INSERT) {
        crate::batch_insert!(conn, invoice_lines::table, chunk)?;
    }
    diesel::update(invoices::table.filter(invoices::org_id.eq(msp)).filter(invoices::id.eq(&id)))
        .set((
            invoices::subtotal_cents.eq(draft.subtotal_cents),
            invoices::tax_cents.eq(draft.tax_cents),
            invoices::total_cents.eq(draft.total_cents),
        ))
        .execute(conn)?;
    Ok(Some(Generated { id, label, total_cents: draft.total_cents }))
}

#[derive(Clone, Debug, Queryable)]
pub struct Invoice {
    pub id: InvoiceId,
    pub client_org_id: OrgId,
    pub client_name: String,
    pub number: i64,
    pub label: String,
    pub period_start: String,
    pub period_end: String,
    pub status: InvoiceStatus,
    pub subtotal_cents: i64,
    pub tax_rate_bp: i32,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub rounding: String,
    pub sent_at: Option<NaiveDateTime>,
    pub paid_on: Option<String>,
    pub payment_reference: String,
    pub created_at: NaiveDateTime,
    /// ISO 4217, as the MSP's billing profile had it when the invoice was generated.
    pub currency: String,
}

impl Invoice {
    pub fn total(&self) -> String {
        crate::billing::money::format_cents(self.total_cents)
    }
    pub fn subtotal(&self) -> String {
        crate::billing::money::format_cents(self.subtotal_cents)
    }
    pub fn tax(&self) -> String {
        crate::billing::money::format_cents(self.tax_cents)
    }
    pub fn tax_rate(&self) -> String {
        crate::billing::money::format_bp(self.tax_rate_bp)
    }
}

/// Which invoices to read: the MSP's (all its clients), or one client's (the client's portal, later).
pub enum Reader<'a> {
    Msp(&'a OrgId),
    Client { msp: &'a OrgId, client: &'a OrgId },
}

impl Reader<'_> {
    fn msp(&self) -> String {
        match self {
            Reader::Msp(msp) | Reader::Client { msp, .. } => msp.to_string(),
        }
    }
    fn client(&self) -> Option<String> {
        match self {
            Reader::Msp(_) => None,
            Reader::Client { client, .. } => Some(client.to_string()),
        }
    }
}

macro_rules! invoice_columns {
    () => {
        (
            invoices::id,
            invoices::client_org_id,
            crate::schema::organizations::name,
            invoices::number,
            invoices::label,
            invoices::period_start,
            invoices::period_end,
            invoices::status,
            invoices::subtotal_cents,
            invoices::tax_rate_bp,
            invoices::tax_cents,
            invoices::total_cents,
            invoices::rounding,
            invoices::sent_at,
            invoices::paid_on,
            invoices::payment_reference,
            invoices::created_at,
            invoices::currency,
        )
    };
}

/// A page of invoices, newest number first, and how many there are (two statements).
pub fn list(conn: &mut DbConnection, reader: &Reader<'_>, offset: i64, limit: i64) -> QueryResult<(Vec<Invoice>, i64)> {
    use crate::schema::organizations;
    let mut counted = invoices::table.filter(invoices::org_id.eq(reader.msp())).into_boxed();
    let mut query = invoices::table
        .inner_join(organizations::table.on(organizations::id.eq(invoices::client_org_id)))
        .filter(invoices::org_id.eq(reader.msp()))
        .into_boxed();
    if let Some(client) = reader.client() {
        counted = counted.filter(invoices::client_org_id.eq(client.clone()));
        query = query.filter(invoices::client_org_id.eq(client));
    }
    let total: i64 = counted.count().get_result(conn)?;
    let rows =
        query.order(invoices::number.desc()).offset(offset).limit(limit).select(invoice_columns!()).load(conn)?;
    Ok((rows, total))
}

/// One invoice (id from a URL) that `reader` may read, or None.
pub fn find(conn: &mut DbConnection, reader: &Reader<'_>, id: &str) -> QueryResult<Option<Invoice>> {
    use crate::schema::organizations;
    let mut query = invoices::table
        .inner_join(organizations::table.on(organizations::id.eq(invoices::client_org_id)))
        .filter(invoices::org_id.eq(reader.msp()))
        .filter(invoices::id.eq(id.to_string()))
        .into_boxed();
    if let Some(client) = reader.client() {
        query = query.filter(invoices::client_org_id.eq(client));
    }
    query.select(invoice_columns!()).first(conn).optional()
}

#[derive(Clone, Debug, Queryable)]
pub struct Line {
    pub kind: LineKind,
    pub description: String,
    pub time_entry_id: Option<String>,
    pub minutes: i32,
    pub billed_minutes: i32,
    pub rate_cents: i64,
    pub amount_cents: i64,
}

impl Line {
    pub fn amount(&self) -> String {
        crate::billing::money::format_cents(self.amount_cents)
    }
    pub fn rate(&self) -> String {
        if self.kind == LineKind::Fee { String::new() } else { crate::billing::money::format_cents(self.rate_cents) }
    }
    pub fn time(&self) -> String {
        if self.kind == LineKind::Fee {
            String::new()
        } else {
            crate::psa::time::forms::hours_minutes(self.minutes.into())
        }
    }
    pub fn billed(&self) -> String {
        if self.kind == LineKind::Fee {
            String::new()
        } else {
            crate::psa::time::forms::hours_minutes(self.billed_minutes.into())
        }
    }
}

/// An invoice's lines in order (one statement).
pub fn lines_of(conn: &mut DbConnection, msp: &OrgId, invoice: &InvoiceId) -> QueryResult<Vec<Line>> {
    invoice_lines::table
        .filter(invoice_lines::org_id.eq(msp))
        .filter(invoice_lines::invoice_id.eq(invoice))
        .order(invoice_lines::position.asc())
        .select((
            invoice_lines::kind,
            invoice_lines::description,
            invoice_lines::time_entry_id,
            invoice_lines::minutes,
            invoice_lines::billed_minutes,
            invoice_lines::rate_cents,
            invoice_lines::amount_cents,
        ))
        .load(conn)
}

/// Moves an invoice from `from` to `to` (a conditional UPDATE: false when it is no longer in `from`). Voiding
/// also marks its lines not live and releases exactly its entries.
pub fn change_status(
    conn: &mut DbConnection,
    msp: &OrgId,
    invoice: &InvoiceId,
    from: &[InvoiceStatus],
    to: InvoiceStatus,
    paid: Option<(NaiveDate, &str)>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = invoices::table
        .filter(invoices::org_id.eq(msp))
        .filter(invoices::id.eq(invoice))
        .filter(invoices::status.eq_any(from.to_vec()));
    let changed = match (to, paid) {
        (InvoiceStatus::Sent, _) => diesel::update(row)
            .set((invoices::status.eq(to), invoices::sent_at.eq(Some(now)), invoices::updated_at.eq(now)))
            .execute(conn)?,
        (InvoiceStatus::Paid, Some((on, reference))) => diesel::update(row)
            .set((
                invoices::status.eq(to),
                invoices::paid_on.eq(Some(on.to_string())),
                invoices::payment_reference.eq(reference),
                invoices::updated_at.eq(now),
            ))
            .execute(conn)?,
        (InvoiceStatus::Void, _) => diesel::update(row)
            .set((invoices::status.eq(to), invoices::voided_at.eq(Some(now)), invoices::updated_at.eq(now)))
            .execute(conn)?,
        _ => 0,
    };
    if changed == 1 && to == InvoiceStatus::Void {
        diesel::update(
            invoice_lines::table.filter(invoice_lines::org_id.eq(msp)).filter(invoice_lines::invoice_id.eq(invoice)),
        )
        .set(invoice_lines::live.eq(false))
        .execute(conn)?;
        diesel::update(
            time_entries::table
                .filter(time_entries::org_id.eq(msp))
                .filter(time_entries::invoice_id.eq(invoice.to_string())),
        )
        .set(time_entries::invoice_id.eq(None::<String>))
        .execute(conn)?;
    }
    Ok(changed == 1)
}
