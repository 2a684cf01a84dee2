//! Reports -> SLA: the share of SLA targets met per priority, per client and per month (from `sla_outcomes`),
//! with a CSV export. In an MSP, the report covers the MSP and every client the person reaches.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;

use crate::AppState;
use crate::auth::Scope;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::AppResult;
use crate::orgs::OrgKind;
use crate::psa::tickets::models::Priority;
use crate::schema::{organizations, sla_outcomes, technician_assignments};
use crate::web::charts::BarChart;
use crate::web::{PageContext, PageInput, render};

/// Met and total targets of one group.
#[derive(Clone, Debug)]
pub struct Share {
    pub label: String,
    pub met: i64,
    pub total: i64,
}

impl Share {
    pub fn percent(&self) -> i64 {
        if self.total == 0 { 0 } else { self.met * 100 / self.total }
    }
}

/// The organizations the report covers: the current one, and in an MSP the clients the person reaches.
fn covered(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Vec<(OrgId, String)>> {
    let mut orgs = vec![(scope.org_id().clone(), scope.org.name.clone())];
    if scope.org.kind == OrgKind::Msp {
        let reaches_all = scope.org.direct_role.is_some_and(|r| r.reaches_all_clients());
        let mut q = organizations::table.filter(organizations::msp_org_id.eq(scope.org_id().clone())).into_boxed();
        if !reaches_all {
            let assigned = technician_assignments::table
                .filter(technician_assignments::user_id.eq(scope.user.id.clone()))
                .select(technician_assignments::org_id);
            q = q.filter(organizations::id.eq_any(assigned));
        }
        let clients: Vec<(OrgId, String)> =
            q.order(organizations::name.asc()).select((organizations::id, organizations::name)).load(conn)?;
        orgs.extend(clients);
    }
    Ok(orgs)
}

type Grouped = Vec<(String, i64, i64)>;

/// (key, total, breached) grouped three ways: priority, organization, month. Three statements.
fn figures(conn: &mut DbConnection, orgs: &[OrgId]) -> QueryResult<(Grouped, Grouped, Grouped)> {
    let base = || sla_outcomes::table.filter(sla_outcomes::org_id.eq_any(orgs.to_vec()));
    let by_priority = base()
        .group_by(sla_outcomes::priority)
        .select((sla_outcomes::priority, count_star(), count(sla_outcomes::breached_at)))
        .load(conn)?;
    let by_org = base()
        .group_by(sla_outcomes::org_id)
        .select((sla_outcomes::org_id, count_star(), count(sla_outcomes::breached_at)))
        .load(conn)?;
    let by_month = base()
        .group_by(sla_outcomes::month)
        .select((sla_outcomes::month, count_star(), count(sla_outcomes::breached_at)))
        .load(conn)?;
    Ok((by_priority, by_org, by_month))
}

fn shares(rows: &Grouped, label: impl Fn(&str) -> String) -> Vec<Share> {
    rows.iter()
        .map(|(key, total, breached)| Share { label: label(key), met: total - breached, total: *total })
        .collect()
}

#[derive(Template)]
#[template(path = "psa/sla_report.html")]
struct ReportPage {
    page: PageContext,
    by_priority: Vec<Share>,
    by_client: Vec<Share>,
    by_month: Vec<Share>,
    chart: BarChart,
    across_clients: bool,
}

struct Report {
    by_priority: Vec<Share>,
    by_client: Vec<Share>,
    by_month: Vec<Share>,
}

fn report(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Report> {
    let orgs = covered(conn, scope)?;
    let names: HashMap<String, String> = orgs.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let ids: Vec<OrgId> = orgs.into_iter().map(|(id, _)| id).collect();
    let (by_priority, by_org, mut by_month) = figures(conn, &ids)?;
    let mut priority =
        shares(&by_priority, |id| Priority::parse(id).map(|p| p.label().to_string()).unwrap_or_else(|| id.to_string()));
    priority.sort_by_key(|s| Priority::ALL.iter().position(|p| p.label() == s.label).unwrap_or(9));
    let mut clients = shares(&by_org, |id| names.get(id).cloned().unwrap_or_default());
    clients.sort_by(|a, b| a.label.cmp(&b.label));
    by_month.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(Report { by_priority: priority, by_client: clients, by_month: shares(&by_month, str::to_string) })
}

pub async fn page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let who = scope.clone();
    let (page, r) = state.db.run(move |conn| Ok((input.load(conn)?, report(conn, &who)?))).await?;
    let chart = BarChart::new(
        "Targets met per priority (percent)",
        r.by_priority.iter().map(|s| (s.label.clone(), s.percent())).collect(),
    );
    render(ReportPage {
        page,
        chart,
        across_clients: scope.org.kind == OrgKind::Msp,
        by_priority: r.by_priority,
        by_client: r.by_client,
        by_month: r.by_month,
    })
}

fn csv_field(text: &str) -> String {
    // A leading =, +, - or @ would be read as a formula by spreadsheets.
    let safe = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// The report as CSV: one line per grouping and group.
pub async fn csv(state: web::Data<AppState>, scope: Scope) -> AppResult<HttpResponse> {
    let r = state.db.run(move |conn| Ok(report(conn, &scope)?)).await?;
    let mut out = String::from("grouping,group,met,total,percent_met\n");
    for (grouping, rows) in [("priority", &r.by_priority), ("client", &r.by_client), ("month", &r.by_month)] {
        for s in rows {
            out.push_str(&format!("{grouping},{},{},{},{}\n", csv_field(&s.label), s.met, s.total, s.percent()));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"sla-report.csv\""))
        .body(out))
}
