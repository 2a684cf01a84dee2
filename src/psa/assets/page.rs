//! An asset's page: its details, whom it is assigned to, its files (uploaded through `storage`) and its history
//! from the activity log. A fixed number of statements whatever the number of files or entries.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::handlers::{asset_of, log};
use super::models::{self, Asset};
use super::tickets::{self, ASSET_TICKETS, AssetTicket};
use crate::AppState;
use crate::audit::Action;
use crate::audit::log as activity;
use crate::audit::sentences;
use crate::auth::{Permission, Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{AssetAttachmentId, AssetId, OrgId};
use crate::error::{AppError, AppResult};
use crate::psa::contacts::models::{self as contacts, Contact};
use crate::schema::asset_attachments;
use crate::storage::StoredFile;
use crate::storage::download::AttachmentFile;
use crate::storage::multipart::read_form;
use crate::web::change::Change;
use crate::web::{PageContext, PageInput, form_status_invalid, redirect, render_status};

/// Entries of the history the page shows.
const HISTORY: i64 = 30;

#[derive(Queryable, Clone, Debug)]
pub struct FileRow {
    pub id: AssetAttachmentId,
    pub filename: String,
    pub size: i64,
    pub uploaded_by_label: String,
    pub created_at: chrono::NaiveDateTime,
}

impl FileRow {
    pub fn size_text(&self) -> String {
        crate::compliance::evidence::models::human_size(self.size)
    }
    pub fn uploader(&self) -> String {
        sentences::actor_name(&self.uploaded_by_label)
    }
}

pub struct HistoryLine {
    pub when: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "psa/assets/page.html")]
struct AssetPage {
    page: PageContext,
    asset: Asset,
    contact: Option<Contact>,
    files: Vec<FileRow>,
    /// The newest tickets about the asset; `more_tickets` when there are older ones.
    tickets: Vec<AssetTicket>,
    more_tickets: bool,
    history: Vec<HistoryLine>,
    /// The risks of the register that affect it (empty for who may not read compliance).
    risks: Vec<crate::compliance::risks::models::Risk>,
    upload_error: String,
    can_work: bool,
    tz: chrono_tz::Tz,
}

impl AssetPage {
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
}

fn files_of(conn: &mut DbConnection, org: &OrgId, asset: &AssetId) -> QueryResult<Vec<FileRow>> {
    asset_attachments::table
        .filter(asset_attachments::org_id.eq(org))
        .filter(asset_attachments::asset_id.eq(asset))
        .order((asset_attachments::created_at.desc(), asset_attachments::id.desc()))
        .select((
            asset_attachments::id,
            asset_attachments::filename,
            asset_attachments::size,
            asset_attachments::uploaded_by_label,
            asset_attachments::created_at,
        ))
        .load(conn)
}

async fn render_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    id: String,
    upload_error: String,
) -> AppResult<HttpResponse> {
    let (org, tz) = (scope.org_id().clone(), scope.org.tz());
    let reads_risks = scope.can(Permission::ViewCompliance);
    let (page, asset, contact, files, mut tickets, entries, risks) = state
        .db
        .run(move |conn| {
            let asset = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let contact = match &asset.contact_id {
                Some(contact) => contacts::find(conn, &org, contact)?,
                None => None,
            };
            let files = files_of(conn, &org, &asset.id)?;
            let tickets = tickets::of_asset(conn, &org, &asset.id, ASSET_TICKETS + 1)?;
            let entries = activity::for_target(conn, &org, "asset", &asset.id, HISTORY)?;
            let risks = crate::compliance::risks::models::of_asset(conn, &org, &asset.id, reads_risks)?;
            Ok((input.load(conn)?, asset, contact, files, tickets, entries, risks))
        })
        .await?;
    let history = entries
        .iter()
        .map(|e| HistoryLine { when: crate::web::time::local(e.created_at, tz), what: sentences::sentence(e) })
        .collect();
    let status = if upload_error.is_empty() { actix_web::http::StatusCode::OK } else { form_status_invalid() };
    let can_work = scope.can(Permission::WorkTickets);
    let more_tickets = tickets.len() as i64 > ASSET_TICKETS;
    tickets.truncate(ASSET_TICKETS as usize);
    let page =
        AssetPage { page, asset, contact, files, tickets, more_tickets, history, risks, upload_error, can_work, tz };
    render_status(status, page)
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    render_page(&state, &scope, input, path.into_inner(), String::new()).await
}

/// An asset by id (the renewals digest's links): moves the person into the asset's organization when they see
/// its service desk there, and opens it; 404 for anyone else.
pub async fn by_id(
    state: web::Data<AppState>,
    identity: crate::auth::Identity,
    session: actix_session::Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (org, asset) = state
        .db
        .run(move |conn| {
            let org: String = crate::schema::assets::table
                .filter(crate::schema::assets::id.eq(&id))
                .select(crate::schema::assets::org_id)
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            Ok((crate::psa::tickets::actions::desk_context(conn, &identity, &org)?, id))
        })
        .await?;
    session::set_org(&session, &org);
    Ok(redirect(&format!("/assets/{asset}")))
}

/// Adds files to an asset (its warranty, invoice, photos); a refused upload comes back next to the file field.
pub async fn upload(c: Change, path: web::Path<String>, payload: Multipart) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let asset = asset_of(&state, &scope, path.into_inner()).await?;
    let org = scope.org_id().clone();
    let form = match read_form(payload, &state.storage, &["org", org.as_str(), "assets"]).await {
        Ok(form) if form.files.is_empty() => {
            return render_page(&state, &scope, input, asset.id.to_string(), "Choose a file to upload.".into()).await;
        }
        Ok(form) => form,
        Err(refused) => return render_page(&state, &scope, input, asset.id.to_string(), refused.message).await,
    };
    let (files, asset_id, name) = (form.files.clone(), asset.id.clone(), asset.name.clone());
    let written = state
        .db
        .write(move |conn| {
            for file in &files {
                insert_file(conn, &org, &asset_id, &file.filename, &file.stored, &actor)?;
            }
            let names = files.iter().map(|f| f.filename.as_str()).collect::<Vec<_>>().join(", ");
            log(conn, &actor, &org, Action::AssetFileAdded, &asset_id, &name, names)?;
            Ok(files.len())
        })
        .await;
    match written {
        Ok(count) => {
            let noun = if count == 1 { "file is" } else { "files are" };
            session::flash_ok(&session, format!("{count} {noun} added to {}.", asset.name));
            Ok(redirect(&format!("/assets/{}", asset.id)))
        }
        Err(e) => {
            form.discard(&state.storage).await;
            Err(e)
        }
    }
}

fn insert_file(
    conn: &mut DbConnection,
    org: &OrgId,
    asset: &AssetId,
    filename: &str,
    stored: &StoredFile,
    actor: &crate::audit::Actor,
) -> QueryResult<()> {
    diesel::insert_into(asset_attachments::table)
        .values((
            asset_attachments::id.eq(AssetAttachmentId::new()),
            asset_attachments::org_id.eq(org),
            asset_attachments::asset_id.eq(asset),
            asset_attachments::filename.eq(filename),
            asset_attachments::storage_key.eq(&stored.key),
            asset_attachments::size.eq(stored.size as i64),
            asset_attachments::sha256.eq(&stored.sha256),
            asset_attachments::content_type.eq(&stored.content_type),
            asset_attachments::uploaded_by_label.eq(&actor.label),
            asset_attachments::created_at.eq(actor.at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Downloads a file of an asset of the scope's organization.
pub async fn download(
    state: web::Data<AppState>,
    scope: Scope,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (asset, id) = path.into_inner();
    let org = scope.org_id().clone();
    let file = state
        .db
        .run(move |conn| {
            let row: AttachmentFile = asset_attachments::table
                .filter(asset_attachments::org_id.eq(&org))
                .filter(asset_attachments::asset_id.eq(&asset))
                .filter(asset_attachments::id.eq(&id))
                .select(crate::file_columns!(asset_attachments))
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            Ok(row)
        })
        .await?;
    file.serve(&state.storage).await
}
