//! MSP -> Dashboard: managed clients, active staff, clients per tier, and the clients with their tier and last
//! activity. A fixed number of queries whatever the number of clients.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use crate::AppState;
use crate::auth::MspScope;
use crate::auth::permissions::{Role, Tier};
use crate::error::AppResult;
use crate::orgs::clients::{ClientOrder, ClientRow, ClientStatus, MspView, load_clients};
use crate::schema::{memberships, organizations};
use crate::web::charts::BarChart;
use crate::web::pagination::{ListQuery, Pager};
use crate::web::render;
use crate::web::{PageContext, PageInput};

#[derive(Template)]
#[template(path = "orgs/dashboard.html")]
struct DashboardPage {
    page: PageContext,
    managed: i64,
    archived: i64,
    staff: i64,
    chart: BarChart,
    clients: Vec<ClientRow>,
    pager: Pager,
    /// Offer "Add a client" only to those who may.
    can_add_clients: bool,
    /// Each listed client's overall compliance score (`compliance::scores::store::overall_for`).
    compliance: std::collections::HashMap<crate::db::ids::OrgId, Option<i32>>,
    /// Each listed client's highest residual risk score (`compliance::risks::models::highest_residual_for`).
    risk_scores: std::collections::HashMap<crate::db::ids::OrgId, i32>,
    /// Open tickets in the clients the person reaches, and per listed client (`psa::tickets::queue::open_tickets`).
    open_total: i64,
    open_tickets: std::collections::HashMap<crate::db::ids::OrgId, i64>,
    /// This month's agreement hours per listed client (`billing::models::agreement_hours`).
    agreement_hours: std::collections::HashMap<crate::db::ids::OrgId, crate::billing::models::Usage>,
}

impl DashboardPage {
    /// "72%", or "—" for a client without a program (or with nothing in scope).
    fn compliance_of(&self, client: &crate::db::ids::OrgId) -> String {
        crate::compliance::scores::store::percent_text(self.compliance.get(client).copied().flatten())
    }
    /// "High", or "—" for a client without open risks.
    fn risk_level_of(&self, client: &crate::db::ids::OrgId) -> &'static str {
        self.risk_scores.get(client).map(|s| crate::compliance::risks::scale::Level::of(*s).label()).unwrap_or("—")
    }
    /// "0:45 of 2:00" used of the included hours this month, or "—" without a running agreement.
    fn agreement_of(&self, client: &crate::db::ids::OrgId) -> String {
        match self.agreement_hours.get(client) {
            Some(u) => format!("{} of {}", u.used_text(), crate::psa::time::forms::hours_minutes(u.included)),
            None => "—".into(),
        }
    }
    fn open_of(&self, client: &crate::db::ids::OrgId) -> i64 {
        self.open_tickets.get(client).copied().unwrap_or(0)
    }
}

pub async fn page(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let view = MspView::of(&scope);
    let (page_number, now) = (query.page(), state.clock.now());
    let (msp, first) = (scope.msp_id().clone(), crate::billing::models::this_month(now, scope.tz()));
    let (page, figures, (compliance, risk_scores), (open_total, open_tickets), agreement_hours) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let figures = figures(conn, &view, page_number, now)?;
            let ids: Vec<_> = figures.4.iter().map(|c| c.id.clone()).collect();
            let compliance = crate::compliance::scores::store::overall_for(conn, ids.clone())?;
            let risks = crate::compliance::risks::models::highest_residual_for(conn, ids.clone())?;
            let assigned_to = (!view.all_clients).then_some(&view.user_id);
            let open = crate::psa::tickets::queue::open_tickets(conn, &view.msp_org_id, assigned_to, ids.clone())?;
            let hours = crate::billing::models::agreement_hours(conn, &msp, ids, first)?;
            Ok((page, figures, (compliance, risks), open, hours))
        })
        .await?;
    let (managed, archived, staff, per_tier, clients, pager) = figures;
    let bars = Tier::ALL
        .into_iter()
        .map(|t| {
            let count = per_tier.iter().find(|(tier, _)| *tier == Some(t)).map(|(_, n)| *n);
            (t.label(), count.unwrap_or(0))
        })
        .collect();
    render(DashboardPage {
        page,
        managed,
        archived,
        staff,
        chart: BarChart::new("Clients per tier", bars),
        clients,
        pager,
        can_add_clients: scope.can(crate::auth::Permission::ManageClients),
        compliance,
        risk_scores,
        open_total,
        open_tickets,
        agreement_hours,
    })
}

type Figures = (i64, i64, i64, Vec<(Option<Tier>, i64)>, Vec<ClientRow>, Pager);

/// Two statements: clients and archived clients per tier, with the MSP's active staff riding along as a scalar
/// subquery; then the page of clients with their member counts.
fn figures(
    conn: &mut crate::db::DbConnection,
    view: &MspView,
    page_number: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<Figures> {
    let staff = memberships::table
        .filter(memberships::org_id.eq(view.msp_org_id.clone()))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser))
        .count()
        .single_value();
    // Per tier: all clients, and the archived ones (COUNT of a column counts its non-null values).
    let groups: Vec<(Option<Tier>, i64, i64, Option<i64>)> = organizations::table
        .filter(view.filter(ClientStatus::All, ""))
        .group_by(organizations::tier)
        .select((organizations::tier, diesel::dsl::count_star(), diesel::dsl::count(organizations::archived_at), staff))
        .load(conn)?;
    let staff = match groups.first() {
        Some((_, _, _, staff)) => staff.unwrap_or(0),
        None => staff_count(conn, view)?,
    };
    let archived = groups.iter().map(|g| g.2).sum();
    let per_tier: Vec<(Option<Tier>, i64)> = groups.iter().map(|g| (g.0, g.1 - g.2)).collect();
    let managed = per_tier.iter().map(|(_, n)| n).sum();
    let pager = Pager::new(page_number, managed, String::new());
    let clients = load_clients(conn, view, ClientStatus::Active, "", ClientOrder::LastActivity, &pager, now)?;
    Ok((managed, archived, staff, per_tier, clients, pager))
}

/// The MSP's active staff, for an MSP with no client yet (the grouped query has no row to carry it).
fn staff_count(conn: &mut crate::db::DbConnection, view: &MspView) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::org_id.eq(&view.msp_org_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser))
        .count()
        .get_result(conn)
}
