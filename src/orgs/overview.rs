//! The organization's overview: who it is, how it is reached, its seats and its latest activity.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use crate::AppState;
use crate::audit::log::{self, LogFilter};
use crate::auth::Permission;
use crate::db::Day;
use crate::error::{AppError, AppResult};
use crate::orgs::models::{self, Organization};
use crate::psa::assets::renewals::{self, OVERVIEW_LINES, Renewal};
use crate::schema::invitations;
use crate::web::render;
use crate::web::{PageContext, PageInput};

pub struct RecentRow {
    pub when: String,
    /// What happened, as a sentence.
    pub what: String,
}

#[derive(Template)]
#[template(path = "orgs/overview.html")]
struct OverviewPage {
    page: PageContext,
    org: Organization,
    kind: &'static str,
    access: String,
    msp_line: String,
    seats_used: i64,
    open_invitations: i64,
    recent: Vec<RecentRow>,
    can_see_log: bool,
    created: String,
    /// Warranty ends and license renewals due soon, for those who see assets (None for the others).
    renewals: Option<Vec<Renewal>>,
    /// More are due than the overview lists.
    more_renewals: bool,
    today: Day,
}

impl OverviewPage {
    fn days_left(&self, renewal: &Renewal) -> String {
        renewal.days_left(self.today)
    }
}

/// Shown to a signed-in person with no staff access here (an end user) or with no organization at all.
#[derive(Template)]
#[template(path = "orgs/no_workspace.html")]
struct NoWorkspacePage {
    page: PageContext,
    org_name: String,
}

pub async fn page(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    let identity = input.identity().clone();
    let Some(ctx) = identity.org.clone().filter(|o| o.perms.contains(Permission::ViewWorkspace)) else {
        let org_name = identity.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
        let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
        return render(NoWorkspacePage { page, org_name });
    };
    let can_see_log = ctx.perms.contains(Permission::ViewActivityLog);
    let sees_assets = ctx.perms.contains(Permission::ViewTickets);
    let org_id = ctx.id.clone();
    let now = state.clock.now();
    let (page, org, seats_used, open_invitations, entries, renewals) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let org = models::find_org(conn, &org_id)?.ok_or(AppError::NotFound)?;
            let seats = models::seats_used(conn, &org_id)?;
            let open: i64 = invitations::table
                .filter(invitations::org_id.eq(&org_id))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(now))
                .count()
                .get_result(conn)?;
            let entries = if can_see_log { log::list(conn, &org_id, &LogFilter::default(), 8, 0)? } else { Vec::new() };
            let today = crate::compliance::program::today(now, org.tz());
            let renewals = if sees_assets { Some(renewals::of_org(conn, &org_id, today)?) } else { None };
            Ok((page, org, seats, open, entries, renewals))
        })
        .await?;
    let tz = org.tz();
    let today = crate::compliance::program::today(now, tz);
    let mut renewals = renewals;
    let more_renewals = renewals.as_ref().is_some_and(|r| r.len() as i64 > OVERVIEW_LINES);
    if let Some(list) = renewals.as_mut() {
        list.truncate(OVERVIEW_LINES as usize);
    }
    let recent = entries
        .into_iter()
        .map(|e| RecentRow {
            when: crate::web::time::local(e.created_at, tz),
            what: crate::audit::sentences::sentence(&e),
        })
        .collect();
    let msp_line = ctx
        .msp
        .as_ref()
        .map(|link| format!("Managed by {} at tier {}", link.msp_name, link.tier.label()))
        .unwrap_or_default();
    render(OverviewPage {
        page,
        kind: ctx.kind.label(),
        access: ctx.access_label(),
        msp_line,
        seats_used,
        open_invitations,
        recent,
        can_see_log,
        created: crate::web::time::local_date(org.created_at, tz),
        org,
        renewals,
        more_renewals,
        today,
    })
}
