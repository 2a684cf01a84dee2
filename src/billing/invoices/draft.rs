//! What an invoice bills, composed from a client's entries, terms, rates and agreement for one month, without
//! touching the database: the preview shows exactly what generating writes.
//!
//! - Every agreement running in the month adds its monthly fee, once per month.
//! - Each billable entry is rounded by the client's rule. An entry goes to the agreement that covers its work
//!   type (an agreement without covered work types covers all work); when several cover it, to the one that
//!   started first, then by name. It uses that agreement's included minutes first (an "included" line at no
//!   charge; earlier invoices of the month used them first); beyond them that agreement's overage rate applies
//!   to the minutes over. Other entries bill at the client's rate for their work type, else the work type's
//!   rate (time without a work type bills as the default work type; no rate at all bills 0 and says so).
//! - Tax: the client's rate on the subtotal, half up to the cent (`money::tax`).

use chrono::NaiveDate;

use crate::billing::models::{AgreementRow, ClientRate, Terms, WorkType};
use crate::billing::money::{self, format_cents};
use crate::db::ids::{AgreementId, TimeEntryId, WorkTypeId};
use crate::psa::time::forms::hours_minutes;

crate::text_enum! {
    pub enum LineKind {
        Fee = "fee",
        Included = "included",
        Overage = "overage",
        Time = "time",
    }
}

/// An entry to bill.
#[derive(Clone, Debug, diesel::Queryable)]
pub struct BillableEntry {
    pub id: TimeEntryId,
    pub work_date: String,
    pub minutes: i32,
    pub work_type_id: Option<WorkTypeId>,
    pub notes: String,
    pub ticket_number: Option<i64>,
    pub user_name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftLine {
    pub kind: LineKind,
    pub description: String,
    pub time_entry_id: Option<TimeEntryId>,
    pub agreement_id: Option<AgreementId>,
    pub fee_month: Option<String>,
    pub minutes: i32,
    pub billed_minutes: i32,
    pub rate_cents: i64,
    pub amount_cents: i64,
}

impl DraftLine {
    pub fn amount(&self) -> String {
        format_cents(self.amount_cents)
    }
    pub fn rate(&self) -> String {
        if self.kind == LineKind::Fee { String::new() } else { format_cents(self.rate_cents) }
    }
    pub fn time(&self) -> String {
        if self.kind == LineKind::Fee { String::new() } else { hours_minutes(self.minutes.into()) }
    }
    pub fn billed(&self) -> String {
        if self.kind == LineKind::Fee { String::new() } else { hours_minutes(self.billed_minutes.into()) }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub lines: Vec<DraftLine>,
    pub subtotal_cents: i64,
    pub tax_rate_bp: i32,
    pub tax_cents: i64,
    pub total_cents: i64,
}

/// What the month's invoice is composed from.
pub struct Inputs<'a> {
    pub month: NaiveDate,
    pub entries: &'a [BillableEntry],
    pub terms: Terms,
    pub work_types: &'a [WorkType],
    pub rates: &'a [ClientRate],
    /// The agreements running in the month, first started first (then by name): the order they take work in.
    pub agreements: Vec<RunningAgreement<'a>>,
}

/// An agreement running in the month, and what the month's live invoices billed of it already.
pub struct RunningAgreement<'a> {
    pub row: &'a AgreementRow,
    /// Its fee for this month is on a live invoice already.
    pub fee_billed: bool,
    /// Minutes the month's live invoices billed under it (they used its included hours first).
    pub included_used: i64,
}

impl RunningAgreement<'_> {
    fn covers(&self, work_type: Option<&WorkType>) -> bool {
        self.row.covers(work_type.map(|w| &w.id))
    }
}

pub fn compose(inputs: &Inputs<'_>) -> Draft {
    let mut lines: Vec<DraftLine> =
        inputs.agreements.iter().filter(|a| !a.fee_billed).map(|a| fee(a.row, inputs.month)).collect();
    let default = inputs.work_types.iter().find(|w| w.is_default);
    let mut included_left: Vec<i64> = inputs
        .agreements
        .iter()
        .map(|a| (i64::from(a.row.agreement.included_minutes) - a.included_used).max(0))
        .collect();
    for entry in inputs.entries {
        let work_type =
            entry.work_type_id.as_ref().and_then(|id| inputs.work_types.iter().find(|w| &w.id == id)).or(default);
        let billed = inputs.terms.rounding.billed_minutes(entry.minutes);
        let what = describe(entry, work_type);
        let line = match inputs.agreements.iter().position(|a| a.covers(work_type)) {
            Some(i) => covered_line(inputs.agreements[i].row, &mut included_left[i], entry, billed, what),
            None => {
                let rate = work_type.map(|w| rate_of(w, inputs.rates)).unwrap_or(0);
                let what = if work_type.is_none() { format!("{what} (no work type rate)") } else { what };
                line(LineKind::Time, what, entry, billed, rate, money::time_amount(billed.into(), rate))
            }
        };
        lines.push(line);
    }
    let subtotal_cents = lines.iter().map(|l| l.amount_cents).sum();
    let tax_cents = money::tax(subtotal_cents, inputs.terms.tax_rate_bp);
    Draft {
        lines,
        subtotal_cents,
        tax_rate_bp: inputs.terms.tax_rate_bp,
        tax_cents,
        total_cents: subtotal_cents + tax_cents,
    }
}

/// The agreement's monthly fee line.
fn fee(row: &AgreementRow, month: NaiveDate) -> DraftLine {
    let a = &row.agreement;
    DraftLine {
        kind: LineKind::Fee,
        description: format!("{}: monthly fee, {}", a.name, month.format("%B %Y")),
        time_entry_id: None,
        agreement_id: Some(a.id.clone()),
        fee_month: Some(month.format("%Y-%m").to_string()),
        minutes: 0,
        billed_minutes: 0,
        rate_cents: 0,
        amount_cents: a.monthly_fee_cents,
    }
}

/// An entry an agreement covers: included while its included minutes last (`included_left`), the minutes
/// beyond at its overage rate.
fn covered_line(
    row: &AgreementRow,
    included_left: &mut i64,
    entry: &BillableEntry,
    billed: i32,
    what: String,
) -> DraftLine {
    let within = (*included_left).min(billed.into());
    *included_left -= within;
    let over = i64::from(billed) - within;
    let rate = row.agreement.overage_rate_cents;
    let line = match over {
        0 => line(LineKind::Included, format!("{what} (included in {})", row.agreement.name), entry, billed, 0, 0),
        _ => line(
            LineKind::Overage,
            format!("{what} ({} beyond the included hours of {})", hours_minutes(over), row.agreement.name),
            entry,
            billed,
            rate,
            money::time_amount(over, rate),
        ),
    };
    DraftLine { agreement_id: Some(row.agreement.id.clone()), ..line }
}

fn rate_of(work_type: &WorkType, rates: &[ClientRate]) -> i64 {
    rates
        .iter()
        .find(|r| r.work_type_id == work_type.id)
        .map(|r| r.hourly_rate_cents)
        .unwrap_or(work_type.hourly_rate_cents)
}

/// "2026-03-02 · Remote support · #42 · Tom Tech: notes".
fn describe(entry: &BillableEntry, work_type: Option<&WorkType>) -> String {
    let mut parts = vec![entry.work_date.clone()];
    if let Some(w) = work_type {
        parts.push(w.name.clone());
    }
    if let Some(n) = entry.ticket_number {
        parts.push(format!("#{n}"));
    }
    parts.push(entry.user_name.clone());
    let head = parts.join(" · ");
    if entry.notes.is_empty() { head } else { format!("{head}: {}", entry.notes) }
}

fn line(kind: LineKind, description: String, entry: &BillableEntry, billed: i32, rate: i64, amount: i64) -> DraftLine {
    DraftLine {
        kind,
        description,
        time_entry_id: Some(entry.id.clone()),
        agreement_id: None,
        fee_month: None,
        minutes: entry.minutes,
        billed_minutes: billed,
        rate_cents: rate,
        amount_cents: amount,
    }
}
