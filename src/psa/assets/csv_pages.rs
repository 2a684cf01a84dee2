//! Assets -> Import CSV (the form, its preview, applying it) and Export CSV (the list's filter as a file).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::handlers::AssetsQuery;
use super::import::{self, EXPORT_LIMIT, Preview};
use super::models;
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Scope, session};
use crate::db::ids::ContactId;
use crate::error::AppResult;
use crate::psa::contacts::models as contacts;
use crate::web::change::Change;
use crate::web::csv_import;
use crate::web::{PageContext, PageInput, redirect, render_status};

#[derive(Template)]
#[template(path = "psa/assets/import.html")]
struct ImportPage {
    page: PageContext,
    csv: String,
    error: String,
    preview: Option<Preview>,
}

async fn import_page(
    state: &AppState,
    input: PageInput,
    csv: String,
    outcome: Result<Option<Preview>, String>,
) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    let (preview, error, status) = crate::web::csv_import::shown(outcome);
    render_status(status, ImportPage { page, csv, error, preview })
}

pub async fn import_form(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    import_page(&state, input, String::new(), Ok(None)).await
}

/// Reads the file and shows what importing it would do; nothing is written.
pub async fn import_preview(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let csv = match csv_import::to_preview(&req, payload, &import::SPEC).await {
        Ok(csv) => csv,
        Err((csv, message)) => return import_page(&state, input, csv, Err(message)).await,
    };
    let (org, text) = (scope.org_id().clone(), csv.clone());
    let outcome = state.db.run(move |conn| Ok(import::preview(conn, &org, &text)?)).await?;
    import_page(&state, input, csv, outcome.map(Some)).await
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    csv: String,
}

/// Imports the previewed file's accepted rows (checked again, in one transaction).
pub async fn import_apply(c: Change, form: web::Form<ApplyForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (org, text) = (scope.org_id().clone(), form.csv.clone());
    let today = super::handlers::today_of(&state, &scope);
    let outcome = state
        .db
        .write(move |conn| {
            let preview = match import::preview(conn, &org, &text)? {
                Ok(preview) => preview,
                Err(message) => return Ok(Err(message)),
            };
            let (created, updated) = import::apply(conn, &org, &preview, actor.at)?;
            let details = format!("{created} added, {updated} updated, {} refused", preview.refused());
            let target = Target::new("asset", "", "").details(details.clone());
            audit::record(conn, &actor, Some(&org), Action::AssetsImported, target)?;
            super::handlers::inventory_changed(conn, &org, today, actor.at)?;
            Ok(Ok(details))
        })
        .await?;
    match outcome {
        Ok(details) => {
            session::flash_ok(&session, format!("Assets imported: {details}."));
            Ok(redirect("/assets"))
        }
        Err(message) => import_page(&state, input, form.into_inner().csv, Err(message)).await,
    }
}

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
