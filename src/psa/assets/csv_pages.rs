//! Assets -> Export CSV (the list's filter as a file). The import's pages are `web::import_pages` over
//! `import::AssetsImport`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use super::handlers::AssetsQuery;
use super::import::{self, EXPORT_LIMIT};
use super::models;
use crate::AppState;
use crate::auth::Scope;
use crate::db::ids::ContactId;
use crate::error::AppResult;
use crate::psa::contacts::models as contacts;

/// The list's assets (same filter, search and order) as a CSV file.
pub async fn export(
    state: web::Data<AppState>,
    scope: Scope,
    query: web::Query<AssetsQuery>,
) -> AppResult<HttpResponse> {
    let filter = query.filter(&scope, state.clock.now());
    let org = scope.org_id().clone();
    let body = state
        .db
        .run(move |conn| {
            let rows = models::all(conn, &org, &filter, EXPORT_LIMIT)?;
            let mut ids: Vec<ContactId> = rows.iter().filter_map(|a| a.contact_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let emails: HashMap<String, String> =
                contacts::by_ids(conn, ids)?.into_iter().filter_map(|c| Some((c.id.to_string(), c.email?))).collect();
            Ok(import::export(&rows, &emails))
        })
        .await?;
    let date = crate::compliance::program::today(state.clock.now(), scope.org.tz());
    Ok(crate::web::csv::download(&format!("assets-{}.csv", date.as_str()), body))
}
