//! Risks -> Export CSV (the register's filter as a file). The import's pages are `web::import_pages` over
//! `import::RisksImport`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use diesel::prelude::*;

use super::handlers::RisksQuery;
use super::import::{self, EXPORT_LIMIT};
use super::models;
use crate::AppState;
use crate::auth::Scope;
use crate::compliance::program::OrgTime;
use crate::db::ids::UserId;
use crate::error::AppResult;
use crate::schema::users;

/// The register's risks (same filter, search and order) as a CSV file.
pub async fn export(
    state: web::Data<AppState>,
    scope: Scope,
    query: web::Query<RisksQuery>,
) -> AppResult<HttpResponse> {
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let filter = query.filter(today);
    let org = scope.org_id().clone();
    let body = state
        .db
        .run(move |conn| {
            let rows = models::all(conn, &org, &filter, EXPORT_LIMIT)?;
            let mut owners: Vec<UserId> = rows.iter().filter_map(|r| r.owner_user_id.clone()).collect();
            owners.sort();
            owners.dedup();
            let emails: HashMap<String, String> = users::table
                .filter(users::id.eq_any(owners))
                .select((users::id, users::email))
                .load::<(UserId, String)>(conn)?
                .into_iter()
                .map(|(id, email)| (id.to_string(), email))
                .collect();
            Ok(import::export(&rows, &emails, &import::all_controls(conn, &org)?))
        })
        .await?;
    Ok(crate::web::csv::download(&format!("risks-{}.csv", today.as_str()), body))
}
