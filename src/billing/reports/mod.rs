//! MSP -> Billing -> Reports: hours billable and not per client, technician and month; unbilled time per client
//! with its age; agreement use this month; invoiced revenue per client and month. One page with a date range
//! (default: the last six months, this one included), a CSV per report and SVG charts.

pub mod figures;

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

use crate::AppState;
use crate::auth::MspScope;
use crate::billing::models::{first_of_month, this_month};
use crate::billing::money::format_cents;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::AppResult;
use crate::psa::time::forms::hours_minutes;
use crate::psa::time::models::local_day;
use crate::web::charts::BarChart;
use crate::web::csv::{download, push_row};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, render_status};
use figures::{AgreementUse, Hours, HoursReport, Range, Revenue, RevenueReport, Unbilled};

#[derive(Deserialize, Default, Clone)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The last six months up to `today`: from the first of the month five months back.
fn default_range(today: NaiveDate) -> Range {
    let from = first_of_month(today).checked_sub_months(Months::new(5)).unwrap_or(today);
    Range { from, to: today }
}

/// The range asked for (each end optional, defaulting to the last six months) or the fields' errors.
fn parse_range(query: &RangeQuery, today: NaiveDate) -> Result<Range, FieldErrors> {
    let mut errors = FieldErrors::default();
    let fallback = default_range(today);
    let mut day = |field: &'static str, text: &str, or: NaiveDate| match text.trim() {
        "" => or,
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.add(field, "Enter a date like 2026-03-31.");
            or
        }),
    };
    let range = Range { from: day("from", &query.from, fallback.from), to: day("to", &query.to, fallback.to) };
    if errors.is_empty() && range.from > range.to {
        errors.add("to", "The last day must not be before the first.");
    }
    if errors.is_empty() && range.to.year() - range.from.year() > 10 {
        errors.add("from", "Choose at most ten years.");
    }
    if errors.is_empty() { Ok(range) } else { Err(errors) }
}

/// The MSP's today (in its time zone) and this month's first day.
struct Reports {
    hours: HoursReport,
    unbilled: Vec<Unbilled>,
    agreements: Vec<AgreementUse>,
    revenue: RevenueReport,
}

#[derive(Template)]
#[template(path = "billing/reports.html")]
struct ReportsPage {
    page: PageContext,
    from: String,
    to: String,
    errors: FieldErrors,
    month: String,
    r: Reports,
    hours_chart: BarChart,
    unbilled_chart: BarChart,
    agreement_chart: BarChart,
    revenue_chart: BarChart,
    /// The MSP's currency now (invoices generated before a change of currency are summed with the rest).
    currency: String,
    /// "?from=…&to=…" for the CSV links (the range shown).
    query: String,
}

/// (grouping, column title, rows) of a report's tables.
type Tables<'a, T> = Vec<(&'static str, &'static str, &'a [T])>;

impl ReportsPage {
    fn hour_tables(&self) -> Tables<'_, Hours> {
        let h = &self.r.hours;
        vec![
            ("client", "Client", &h.by_client),
            ("technician", "Technician", &h.by_technician),
            ("month", "Month", &h.by_month),
        ]
    }
    fn revenue_tables(&self) -> Tables<'_, Revenue> {
        vec![("client", "Client", &self.r.revenue.by_client), ("month", "Month", &self.r.revenue.by_month)]
    }
    fn money(&self, cents: &i64) -> String {
        format_cents(*cents)
    }
}

/// A bar chart whose values print as `text` says (hours, money).
fn chart(title: &str, data: Vec<(String, i64)>, text: impl Fn(i64) -> String) -> BarChart {
    let mut chart = BarChart::new(title, data);
    for bar in &mut chart.bars {
        bar.text = text(bar.value);
    }
    chart
}

/// The twelve largest, largest first (a chart stays readable; the table lists them all).
fn largest(mut data: Vec<(String, i64)>) -> Vec<(String, i64)> {
    data.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    data.truncate(12);
    data
}

fn load(conn: &mut DbConnection, msp: &OrgId, range: Range, this_month: NaiveDate) -> AppResult<Reports> {
    Ok(Reports {
        hours: figures::hours(conn, msp, range)?,
        unbilled: figures::unbilled(conn, msp, range)?,
        agreements: figures::agreement_use(conn, msp, None, this_month)?,
        revenue: figures::revenue(conn, msp, range)?,
    })
}

/// GET /billing/reports?from=2026-01-01&to=2026-06-30
pub async fn page(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<RangeQuery>,
) -> AppResult<HttpResponse> {
    let (msp, query) = (scope.msp_id().clone(), query.into_inner());
    let (today, month) = (local_day(state.clock.now(), scope.tz()), this_month(state.clock.now(), scope.tz()));
    let asked = query.clone();
    let (page, today, range, errors, r, currency) = state
        .db
        .run(move |conn| {
            let (range, errors) = match parse_range(&asked, today) {
                Ok(range) => (range, FieldErrors::default()),
                Err(errors) => (default_range(today), errors),
            };
            let r = load(conn, &msp, range, month)?;
            let currency = crate::billing::profile::currency_of(conn, &msp)?;
            Ok((input.load(conn)?, today, range, errors, r, currency))
        })
        .await?;
    let (from, to) = match errors.is_empty() {
        true => (range.from.to_string(), range.to.to_string()),
        false => (query.from, query.to),
    };
    let hours_chart = chart(
        "Billable hours per month",
        r.hours.by_month.iter().map(|h| (h.label.clone(), h.billable)).collect(),
        hours_minutes,
    );
    let unbilled_chart = chart(
        "Unbilled hours per client",
        largest(r.unbilled.iter().map(|u| (u.client.clone(), u.minutes)).collect()),
        hours_minutes,
    );
    let agreement_chart = BarChart::percent(
        "Included hours used this month (percent)",
        r.agreements.iter().map(|a| (a.client.clone(), a.percent())).collect(),
    );
    let revenue_chart = chart(
        "Invoiced per month (paid and outstanding)",
        r.revenue.by_month.iter().map(|m| (m.label.clone(), m.total_cents())).collect(),
        format_cents,
    );
    let query = format!("?from={}&to={}", range.from, range.to);
    render_status(
        form_status(&errors),
        ReportsPage {
            page,
            from,
            to,
            errors,
            month: today.format("%B %Y").to_string(),
            r,
            hours_chart,
            unbilled_chart,
            agreement_chart,
            revenue_chart,
            query,
            currency,
        },
    )
}

/// Which report a CSV download holds.
#[derive(Clone, Copy)]
pub enum Export {
    Hours,
    Unbilled,
    Agreements,
    Revenue,
}

fn hours_rows(out: &mut String, grouping: &str, rows: &[Hours]) {
    for h in rows {
        let minutes = [h.billable, h.non_billable, h.total()].map(|m| m.to_string());
        let [b, n, t] = minutes;
        push_row(out, &[grouping, &h.label, &b, &n, &t, &h.billable_percent().to_string()]);
    }
}

fn revenue_rows(out: &mut String, grouping: &str, rows: &[Revenue]) {
    for r in rows {
        let amounts = [r.paid_cents, r.outstanding_cents, r.total_cents()].map(format_cents);
        push_row(out, &[grouping, &r.label, &amounts[0], &amounts[1], &amounts[2]]);
    }
}

/// The CSV of one report over the range (minutes as whole numbers, money as decimal amounts).
fn csv_body(export: Export, range: Range, this_month: NaiveDate, r: &Reports) -> String {
    let mut out = String::new();
    match export {
        Export::Hours => {
            push_row(
                &mut out,
                &["grouping", "group", "billable_minutes", "non_billable_minutes", "total_minutes", "billable_percent"],
            );
            hours_rows(&mut out, "client", &r.hours.by_client);
            hours_rows(&mut out, "technician", &r.hours.by_technician);
            hours_rows(&mut out, "month", &r.hours.by_month);
        }
        Export::Unbilled => {
            push_row(&mut out, &["client", "entries", "minutes", "oldest_entry", "age_days_on", "age_days"]);
            for u in &r.unbilled {
                let fields = [
                    u.client.clone(),
                    u.entries.to_string(),
                    u.minutes.to_string(),
                    u.oldest.clone(),
                    range.to.to_string(),
                    u.age_days.to_string(),
                ];
                push_row(&mut out, &fields);
            }
        }
        Export::Agreements => {
            push_row(
                &mut out,
                &[
                    "month",
                    "client",
                    "agreement",
                    "included_minutes",
                    "used_minutes",
                    "remaining_minutes",
                    "overage_minutes",
                    "used_percent",
                ],
            );
            let month = this_month.format("%Y-%m").to_string();
            for a in &r.agreements {
                let u = &a.usage;
                let figures = [u.included, u.used, u.remaining(), u.overage(), a.percent()].map(|n| n.to_string());
                let mut fields = vec![month.clone(), a.client.clone(), a.agreement.clone()];
                fields.extend(figures);
                push_row(&mut out, &fields);
            }
        }
        Export::Revenue => {
            push_row(&mut out, &["grouping", "group", "paid", "outstanding", "total"]);
            revenue_rows(&mut out, "client", &r.revenue.by_client);
            revenue_rows(&mut out, "month", &r.revenue.by_month);
        }
    }
    out
}

async fn export(
    state: web::Data<AppState>,
    scope: MspScope,
    query: RangeQuery,
    export: Export,
) -> AppResult<HttpResponse> {
    let msp = scope.msp_id().clone();
    let (today, month) = (local_day(state.clock.now(), scope.tz()), this_month(state.clock.now(), scope.tz()));
    let outcome = state
        .db
        .run(move |conn| {
            let Ok(range) = parse_range(&query, today) else { return Ok(None) };
            let r = load(conn, &msp, range, month)?;
            Ok(Some(csv_body(export, range, month, &r)))
        })
        .await?;
    let Some(body) = outcome else {
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type("text/plain; charset=utf-8")
            .body("Enter the dates like 2026-03-31, the first not after the last."));
    };
    let name = match export {
        Export::Hours => "hours",
        Export::Unbilled => "unbilled-time",
        Export::Agreements => "agreement-usage",
        Export::Revenue => "revenue",
    };
    Ok(download(&format!("billing-{name}.csv"), body))
}

/// GET /billing/reports/hours.csv
pub async fn hours_csv(
    state: web::Data<AppState>,
    scope: MspScope,
    q: web::Query<RangeQuery>,
) -> AppResult<HttpResponse> {
    export(state, scope, q.into_inner(), Export::Hours).await
}

/// GET /billing/reports/unbilled.csv
pub async fn unbilled_csv(
    state: web::Data<AppState>,
    scope: MspScope,
    q: web::Query<RangeQuery>,
) -> AppResult<HttpResponse> {
    export(state, scope, q.into_inner(), Export::Unbilled).await
}

/// GET /billing/reports/agreements.csv
pub async fn agreements_csv(
    state: web::Data<AppState>,
    scope: MspScope,
    q: web::Query<RangeQuery>,
) -> AppResult<HttpResponse> {
    export(state, scope, q.into_inner(), Export::Agreements).await
}

/// GET /billing/reports/revenue.csv
pub async fn revenue_csv(
    state: web::Data<AppState>,
    scope: MspScope,
    q: web::Query<RangeQuery>,
) -> AppResult<HttpResponse> {
    export(state, scope, q.into_inner(), Export::Revenue).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_range_defaults_to_six_months_and_refuses_bad_dates() {
        let today = day("2026-03-17");
        let q = |from: &str, to: &str| RangeQuery { from: from.into(), to: to.into() };
        assert_eq!(parse_range(&q("", ""), today).ok(), Some(Range { from: day("2025-10-01"), to: today }));
        assert_eq!(
            parse_range(&q("2026-01-05", "2026-02-01"), today).ok(),
            Some(Range { from: day("2026-01-05"), to: day("2026-02-01") })
        );
        assert!(parse_range(&q("2026-13-01", ""), today).unwrap_err().has("from"));
        assert!(parse_range(&q("2026-03-01", "2026-02-01"), today).unwrap_err().has("to"));
    }
}
