//! Risks -> Import CSV (the form, its preview, applying it) and Export CSV (the register's filter as a file).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::choices::Choices;
use super::handlers::RisksQuery;
use super::import::{self, EXPORT_LIMIT, Preview};
use super::models;
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::ids::UserId;
use crate::error::AppResult;
use crate::schema::users;
use crate::web::change::Change;
use crate::web::csv_import;
use crate::web::{PageContext, PageInput, redirect, render_status};

#[derive(Template)]
#[template(path = "compliance/risks/import.html")]
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
    let (preview, error, status) = csv_import::shown(outcome);
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
    let csv = match csv_import::submitted(&req, payload, &import::SPEC).await {
        Ok(csv) if csv.trim().is_empty() => {
            return import_page(&state, input, csv, Err("Choose a CSV file or paste its lines.".into())).await;
        }
        Ok(csv) => csv,
        Err(message) => return import_page(&state, input, String::new(), Err(message)).await,
    };
    let (org, managed_by, text) = (scope.org_id().clone(), scope.org.managed_by.clone(), csv.clone());
    let outcome = state
        .db
        .run(move |conn| {
            let choices = Choices::load(conn, &org, managed_by.as_ref())?;
            Ok(import::preview(conn, &org, &choices, &text)?)
        })
        .await?;
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
    let (org, managed_by, author, text) =
        (scope.org_id().clone(), scope.org.managed_by.clone(), scope.user.id.clone(), form.csv.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let choices = Choices::load(conn, &org, managed_by.as_ref())?;
            let preview = match import::preview(conn, &org, &choices, &text)? {
                Ok(preview) => preview,
                Err(message) => return Ok(Err(message)),
            };
            let (created, updated) = import::apply(conn, &org, &preview, &author, actor.at)?;
            let details = format!("{created} added, {updated} updated, {} refused", preview.refused());
            let target = Target::new("risk", "", "").details(details.clone());
            audit::record(conn, &actor, Some(&org), Action::RisksImported, target)?;
            Ok(Ok(details))
        })
        .await?;
    match outcome {
        Ok(details) => {
            session::flash_ok(&session, format!("Risks imported: {details}."));
            Ok(redirect("/compliance/risks"))
        }
        Err(message) => import_page(&state, input, form.into_inner().csv, Err(message)).await,
    }
}

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
            let mut owners: Vec<UserId> = rows.iter().filter_map(|r| r.risk.owner_user_id.clone()).collect();
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
