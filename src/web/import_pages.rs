//! The three pages of a CSV import with a preview (the form, the preview, applying it), once for every kind of
//! import: an area says how its file is checked and written (`Import`) and which page shows it, and routes
//! `form::<Its>`, `preview::<Its>` and `apply::<Its>`. The file is checked again when applied, in the
//! transaction that writes its accepted rows and the activity log.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::error::AppResult;
use crate::web::change::Change;
use crate::web::csv_import::{self, Preview, Spec};
use crate::web::{PageContext, PageInput, redirect, render_status};

/// Who imports: the organization in context, the MSP that manages it (None for an MSP itself) and the person.
pub struct Importer {
    pub org: OrgId,
    pub managed_by: Option<(OrgId, crate::auth::permissions::Tier)>,
    pub user: UserId,
}

impl Importer {
    fn of(scope: &Scope) -> Importer {
        Importer { org: scope.org_id().clone(), managed_by: scope.org.managed_by.clone(), user: scope.user.id.clone() }
    }
}

/// A kind of import.
pub trait Import: 'static {
    /// A checked row.
    type Row: Send + 'static;
    /// The import page (form, error, preview).
    type Page: askama::Template;
    const SPEC: Spec;
    /// The list the import returns to.
    const LIST: &'static str;
    /// The activity an import writes, and the kind of its target ("person").
    const LOGGED: (Action, &'static str);
    /// "People", as the flash says "People imported: ...".
    const TITLE: &'static str;

    /// The file checked against the organization, or what is wrong with the file as a whole.
    fn preview(conn: &mut DbConnection, who: &Importer, text: &str) -> AppResult<Result<Preview<Self::Row>, String>>;
    /// Writes the accepted rows: (created, updated).
    fn apply(
        conn: &mut DbConnection,
        who: &Importer,
        preview: &Preview<Self::Row>,
        now: chrono::NaiveDateTime,
    ) -> AppResult<(usize, usize)>;
    fn page(page: PageContext, csv: String, error: String, preview: Option<Preview<Self::Row>>) -> Self::Page;
}

async fn show<I: Import>(
    state: &AppState,
    input: PageInput,
    csv: String,
    outcome: Result<Option<Preview<I::Row>>, String>,
) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    let (preview, error, status) = csv_import::shown(outcome);
    render_status(status, I::page(page, csv, error, preview))
}

pub async fn form<I: Import>(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    show::<I>(&state, input, String::new(), Ok(None)).await
}

/// Reads the file and shows what importing it would do; nothing is written.
pub async fn preview<I: Import>(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let csv = match csv_import::to_preview(&req, payload, &I::SPEC).await {
        Ok(csv) => csv,
        Err((csv, message)) => return show::<I>(&state, input, csv, Err(message)).await,
    };
    let (who, text) = (Importer::of(&scope), csv.clone());
    let outcome = state.db.run(move |conn| I::preview(conn, &who, &text)).await?;
    show::<I>(&state, input, csv, outcome.map(Some)).await
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    csv: String,
}

/// Imports the previewed file's accepted rows (checked again, in one transaction with the activity log).
pub async fn apply<I: Import>(c: Change, form: web::Form<ApplyForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (who, text) = (Importer::of(&scope), form.csv.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let preview = match I::preview(conn, &who, &text)? {
                Ok(preview) => preview,
                Err(message) => return Ok(Err(message)),
            };
            let (created, updated) = I::apply(conn, &who, &preview, actor.at)?;
            let details = format!("{created} added, {updated} updated, {} refused", preview.refused());
            let (action, kind) = I::LOGGED;
            let target = Target::new(kind, "", "").details(details.clone());
            audit::record(conn, &actor, Some(&who.org), action, target)?;
            Ok(Ok(details))
        })
        .await?;
    match outcome {
        Ok(details) => {
            session::flash_ok(&session, format!("{} imported: {details}.", I::TITLE));
            Ok(redirect(I::LIST))
        }
        Err(message) => show::<I>(&state, input, form.into_inner().csv, Err(message)).await,
    }
}
