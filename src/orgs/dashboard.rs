//! MSP -> Dashboard: managed clients, active staff, clients per tier, and the clients with their tier and last
//! activity. A fixed number of queries whatever the number of clients.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use crate::AppState;
use crate::auth::Scope;
use crate::auth::permissions::{Role, Tier};
use crate::error::AppResult;
use crate::orgs::clients::{ClientOrder, ClientRow, ClientStatus, MspView, count_clients, load_clients};
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
}

pub async fn page(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let view = MspView::of(&scope);
    let page_number = query.page();
    let (page, figures) = state.db.run(move |conn| Ok((input.load(conn)?, figures(conn, &view, page_number)?))).await?;
    let (managed, archived, staff, per_tier, clients, pager) = figures;
    let bars = Tier::ALL
        .into_iter()
        .map(|t| {
            let count = per_tier.iter().find(|(code, _)| code.as_deref() == Some(t.code())).map(|(_, n)| *n);
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
    })
}

type Figures = (i64, i64, i64, Vec<(Option<String>, i64)>, Vec<ClientRow>, Pager);

fn figures(conn: &mut crate::db::DbConnection, view: &MspView, page_number: i64) -> QueryResult<Figures> {
    let archived = count_clients(conn, view, ClientStatus::Archived, "")?;
    let staff: i64 = memberships::table
        .filter(memberships::org_id.eq(&view.msp_org_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser.id()))
        .count()
        .get_result(conn)?;
    let per_tier: Vec<(Option<String>, i64)> = organizations::table
        .filter(view.filter(ClientStatus::Active, ""))
        .group_by(organizations::tier)
        .select((organizations::tier, diesel::dsl::count_star()))
        .load(conn)?;
    let managed = per_tier.iter().map(|(_, n)| n).sum();
    let pager = Pager::new(page_number, managed, String::new());
    let clients = load_clients(conn, view, ClientStatus::Active, "", ClientOrder::LastActivity, &pager)?;
    Ok((managed, archived, staff, per_tier, clients, pager))
}
