//! Invoice pages: preview and generate for a client's month, the list (with the number prefix), the printable
//! invoice with its status actions, and the CSV exports.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::draft::Draft;
use super::store::{self, Invoice, InvoiceStatus, Line, Reader};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, session};
use crate::billing::models::{first_of_month, this_month};
use crate::billing::money::{format_bp, format_cents};
use crate::billing::profile::{currency_of, profile_of};
use crate::db::write_transaction;
use crate::error::{AppError, AppResult};
use crate::orgs::clients::{ClientRow, MspView};
use crate::orgs::find_org;
use crate::psa::time::models::local_day;
use crate::web::pagination::{ListQuery, Pager};
use crate::web::{PageContext, PageInput, redirect, render};

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    month: Option<String>,
}

/// "2026-03" (or a date in it) as the month's first day.
fn parse_month(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
        .map(first_of_month)
}

#[derive(Template)]
#[template(path = "billing/invoice_preview.html")]
struct PreviewPage {
    page: PageContext,
    client: ClientRow,
    month: NaiveDate,
    draft: Draft,
    currency: String,
}

impl PreviewPage {
    fn money(&self, cents: &i64) -> String {
        format_cents(*cents)
    }
    fn tax_rate(&self) -> String {
        format_bp(self.draft.tax_rate_bp)
    }
}

/// GET /billing/clients/{client_id}/invoice?month=2026-03: what the month's invoice would bill (nothing written).
pub async fn preview(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<MonthQuery>,
) -> AppResult<HttpResponse> {
    let (msp, view, now, client_id) =
        (scope.msp_id().clone(), MspView::of(&scope), state.clock.now(), path.into_inner());
    let (wanted, tz) = (query.into_inner().month, scope.tz());
    let (page, client, month, draft, currency) = state
        .db
        .run(move |conn| {
            let client = view.client(conn, &client_id)?;
            let month = wanted.as_deref().and_then(parse_month).unwrap_or_else(|| this_month(now, tz));
            let draft = store::preview(conn, &msp, &client.id, month)?;
            Ok((input.load(conn)?, client, month, draft, currency_of(conn, &msp)?))
        })
        .await?;
    render(PreviewPage { page, client, month, draft, currency })
}

pub const NOTHING_TO_BILL: &str = "Nothing to bill for this month: no unbilled billable time and no agreement fee due.";

/// Why a generation wrote nothing (its transaction rolled back, the invoice number given back).
pub enum Refused {
    Nothing,
    /// A concurrent generation put the same agreement fee on its invoice first (the database's unique index).
    Conflict,
    App(AppError),
}

impl From<diesel::result::Error> for Refused {
    fn from(e: diesel::result::Error) -> Refused {
        match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                Refused::Conflict
            }
            e => Refused::App(e.into()),
        }
    }
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::App(e)
    }
}

#[derive(Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    month: String,
}

/// POST /billing/clients/{client_id}/invoices: generates the month's invoice.
pub async fn generate(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<GenerateForm>,
) -> AppResult<HttpResponse> {
    let (msp, view, client_id) = (scope.msp_id().clone(), MspView::of(&scope), path.into_inner());
    let Some(month) = parse_month(&form.month) else {
        session::flash_error(&session, "Choose the month to invoice.");
        return Ok(redirect(&format!("/billing/clients/{client_id}/invoice")));
    };
    let lookup = client_id.clone();
    let generated = state
        .db
        .run(move |conn| {
            Ok(write_transaction(conn, |conn| -> Result<store::Generated, Refused> {
                let client = view.client(conn, &lookup)?;
                let invoice = store::generate(conn, &msp, &client.id, month, actor.at)?.ok_or(Refused::Nothing)?;
                let details = format!(
                    "{} for {}, total {}",
                    invoice.label,
                    month.format("%B %Y"),
                    format_cents(invoice.total_cents)
                );
                let target = Target::new("invoice", &invoice.id, &invoice.label).details(details);
                audit::record(conn, &actor, Some(&msp), Action::InvoiceGenerated, target)?;
                Ok(invoice)
            }))
        })
        .await?;
    let back = format!("/billing/clients/{client_id}/invoice?month={}", month.format("%Y-%m"));
    match generated {
        Ok(invoice) => {
            session::flash_ok(&session, format!("Invoice {} generated.", invoice.label));
            Ok(redirect(&format!("/billing/invoices/{}", invoice.id)))
        }
        Err(Refused::Nothing) => {
            session::flash_error(&session, NOTHING_TO_BILL);
            Ok(redirect(&back))
        }
        Err(Refused::Conflict) => {
            session::flash_error(
                &session,
                "Another invoice for this month was generated at the same time: look at the preview again.",
            );
            Ok(redirect(&back))
        }
        Err(Refused::App(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "billing/invoices.html")]
struct ListPage {
    page: PageContext,
    invoices: Vec<Invoice>,
    pager: Pager,
    prefix: String,
}

/// GET /billing/invoices
pub async fn list(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let (msp, page_number) = (scope.msp_id().clone(), query.page());
    let (page, (invoices, total), prefix) = state
        .db
        .run(move |conn| {
            let offset = (page_number - 1) * crate::web::pagination::PER_PAGE;
            let found = store::list(conn, &Reader::Msp(&msp), offset, crate::web::pagination::PER_PAGE)?;
            Ok((input.load(conn)?, found, store::prefix_of(conn, &msp)?))
        })
        .await?;
    let pager = Pager::new(page_number, total, String::new());
    render(ListPage { page, invoices, pager, prefix })
}

#[derive(Deserialize)]
pub struct PrefixForm {
    #[serde(default)]
    prefix: String,
}

/// POST /billing/invoices/prefix: the prefix of the next invoice numbers.
pub async fn set_prefix(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    form: web::Form<PrefixForm>,
) -> AppResult<HttpResponse> {
    let prefix = form.into_inner().prefix.trim().to_string();
    let valid = prefix.chars().count() <= 12 && prefix.chars().all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c));
    if !valid {
        session::flash_error(&session, "The prefix takes up to 12 letters, digits, dashes, underscores or slashes.");
        return Ok(redirect("/billing/invoices"));
    }
    let msp = scope.msp_id().clone();
    let saved = prefix.clone();
    state
        .db
        .write(move |conn| {
            store::set_prefix(conn, &msp, &saved)?;
            let target = Target::new("organization", &msp, "").details(format!("prefix {saved}"));
            Ok(audit::record(conn, &actor, Some(&msp), Action::InvoicePrefixChanged, target)?)
        })
        .await?;
    session::flash_ok(&session, format!("New invoices are numbered {prefix}1, {prefix}2, …"));
    Ok(redirect("/billing/invoices"))
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage {
    page: PageContext,
    msp_name: String,
    has_logo: bool,
    invoice: Invoice,
    lines: Vec<Line>,
    today: NaiveDate,
}

/// GET /billing/invoices/{invoice_id}: the printable invoice and its status actions.
pub async fn show(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (msp, id, now) = (scope.msp_id().clone(), path.into_inner(), state.clock.now());
    let (page, msp_row, invoice, lines, profile) = state
        .db
        .run(move |conn| {
            let invoice = store::find(conn, &Reader::Msp(&msp), &id)?.ok_or(AppError::NotFound)?;
            let lines = store::lines_of(conn, &msp, &invoice.id)?;
            let msp_row = find_org(conn, &msp)?.ok_or(AppError::NotFound)?;
            Ok((input.load(conn)?, msp_row, invoice, lines, profile_of(conn, &msp)?))
        })
        .await?;
    let today = local_day(now, msp_row.tz());
    let has_logo = profile.logo.is_some();
    render(InvoicePage { page, msp_name: msp_row.name, has_logo, invoice, lines, today })
}

#[derive(Deserialize, Default)]
pub struct PaidForm {
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    reference: String,
}

/// A status change of an invoice: POST /billing/invoices/{invoice_id}/{sent|paid|void}.
async fn transition(
    state: &AppState,
    scope: &MspScope,
    actor: Actor,
    session: &Session,
    id: String,
    to: InvoiceStatus,
    paid: Option<(NaiveDate, String)>,
) -> AppResult<HttpResponse> {
    let from: &'static [InvoiceStatus] = match to {
        InvoiceStatus::Sent => &[InvoiceStatus::Draft],
        InvoiceStatus::Paid => &[InvoiceStatus::Sent],
        _ => &[InvoiceStatus::Draft, InvoiceStatus::Sent],
    };
    let (msp, back) = (scope.msp_id().clone(), format!("/billing/invoices/{id}"));
    let changed = state
        .db
        .write(move |conn| {
            let invoice = store::find(conn, &Reader::Msp(&msp), &id)?.ok_or(AppError::NotFound)?;
            let paid_ref = paid.as_ref().map(|(on, r)| (*on, r.as_str()));
            if !store::change_status(conn, &msp, &invoice.id, from, to, paid_ref, actor.at)? {
                return Ok(None);
            }
            let details = format!("{} -> {}", invoice.status.id(), to.id());
            let target = Target::new("invoice", &invoice.id, &invoice.label).details(details);
            audit::record(conn, &actor, Some(&msp), Action::InvoiceStatusChanged, target)?;
            Ok(Some(invoice.label))
        })
        .await?;
    match changed {
        Some(label) => session::flash_ok(session, format!("Invoice {label} is now {}.", to.label().to_lowercase())),
        None => session::flash_error(session, "This invoice cannot move to that status from where it is."),
    }
    Ok(redirect(&back))
}

pub async fn mark_sent(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    transition(&state, &scope, actor, &session, path.into_inner(), InvoiceStatus::Sent, None).await
}

pub async fn mark_paid(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<PaidForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let Ok(on) = NaiveDate::parse_from_str(form.paid_on.trim(), "%Y-%m-%d") else {
        session::flash_error(&session, "Enter the payment date as YYYY-MM-DD.");
        return Ok(redirect(&format!("/billing/invoices/{id}")));
    };
    let reference: String = form.reference.trim().chars().take(120).collect();
    transition(&state, &scope, actor, &session, id, InvoiceStatus::Paid, Some((on, reference))).await
}

pub async fn void(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    transition(&state, &scope, actor, &session, path.into_inner(), InvoiceStatus::Void, None).await
}

fn csv_field(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

fn csv_response(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body)
}

/// The most invoices one CSV export holds.
const CSV_LIMIT: i64 = 10_000;

/// GET /billing/invoices.csv: every invoice (newest first).
pub async fn invoices_csv(state: web::Data<AppState>, scope: MspScope) -> AppResult<HttpResponse> {
    let msp = scope.msp_id().clone();
    let (rows, _) = state.db.run(move |conn| Ok(store::list(conn, &Reader::Msp(&msp), 0, CSV_LIMIT)?)).await?;
    let mut out = String::from(
        "number,client,period_start,period_end,status,currency,subtotal,tax_rate,tax,total,paid_on,reference\n",
    );
    for i in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&i.label),
            csv_field(&i.client_name),
            i.period_start,
            i.period_end,
            i.status.id(),
            i.currency,
            i.subtotal(),
            format_bp(i.tax_rate_bp),
            i.tax(),
            i.total(),
            i.paid_on.clone().unwrap_or_default(),
            csv_field(&i.payment_reference)
        ));
    }
    Ok(csv_response("invoices.csv", out))
}

/// GET /billing/invoices/{invoice_id}/lines.csv: an invoice's lines with the time entries they bill.
pub async fn lines_csv(
    state: web::Data<AppState>,
    scope: MspScope,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (msp, id) = (scope.msp_id().clone(), path.into_inner());
    let (invoice, lines) = state
        .db
        .run(move |conn| {
            let invoice = store::find(conn, &Reader::Msp(&msp), &id)?.ok_or(AppError::NotFound)?;
            Ok((invoice.clone(), store::lines_of(conn, &msp, &invoice.id)?))
        })
        .await?;
    let mut out = String::from("invoice,kind,description,time_entry_id,minutes,billed_minutes,currency,rate,amount\n");
    for l in lines {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            csv_field(&invoice.label),
            l.kind.id(),
            csv_field(&l.description),
            l.time_entry_id.clone().unwrap_or_default(),
            l.minutes,
            l.billed_minutes,
            invoice.currency,
            l.rate(),
            l.amount()
        ));
    }
    Ok(csv_response(&format!("{}-lines.csv", invoice.label), out))
}
