//! Tickets <-> assets: the assets a ticket is about. The ticket page lists its assets and links more through a
//! picker (a search over the organization's assets in service, by name or serial number); the asset page lists
//! its tickets, newest first. Linking and unlinking write a line in the ticket's history and the activity log of
//! both the ticket and the asset, in one transaction.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::handlers::{AssetsQuery, log as asset_log};
use super::models::{self, Asset, AssetStatus, AssetType};
use crate::AppState;
use crate::audit::Action;
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{AssetId, OrgId, TicketId};
use crate::error::{AppError, AppResult};
use crate::psa::tickets::conversation::EventKind;
use crate::psa::tickets::models::{Ticket, TicketStatus};
use crate::psa::tickets::page::ticket_in_scope;
use crate::psa::tickets::service::{self, Author, DeskError};
use crate::schema::{assets, ticket_assets, tickets};
use crate::web::change::Change;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, redirect, render};

/// Assets the ticket page lists (a ticket is about a handful; past this the page says how to see the rest).
pub const TICKET_ASSETS: i64 = 50;
/// Tickets the asset page lists, newest first.
pub const ASSET_TICKETS: i64 = 25;

/// An asset linked to a ticket, as the ticket page shows it.
#[derive(Queryable, Clone, Debug)]
pub struct LinkedAsset {
    pub id: AssetId,
    pub name: String,
    pub asset_type: AssetType,
    pub status: AssetStatus,
    pub serial_number: Option<String>,
}

impl LinkedAsset {
    pub fn serial_text(&self) -> &str {
        self.serial_number.as_deref().unwrap_or("")
    }
    pub fn is_retired(&self) -> bool {
        self.status == AssetStatus::Retired
    }
}

/// A ticket an asset is linked to, as the asset page shows it.
#[derive(Queryable, Clone, Debug)]
pub struct AssetTicket {
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub created_at: NaiveDateTime,
}

/// The ticket's assets by name: one statement, at most `TICKET_ASSETS`.
pub fn of_ticket(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId) -> QueryResult<Vec<LinkedAsset>> {
    ticket_assets::table
        .inner_join(assets::table)
        .filter(ticket_assets::org_id.eq(org))
        .filter(ticket_assets::ticket_id.eq(ticket))
        .filter(assets::org_id.eq(org))
        .order((assets::name.asc(), assets::id.asc()))
        .limit(TICKET_ASSETS)
        .select((assets::id, assets::name, assets::asset_type, assets::status, assets::serial_number))
        .load(conn)
}

/// The asset's tickets, newest first: one statement, at most `limit`.
pub fn of_asset(conn: &mut DbConnection, org: &OrgId, asset: &AssetId, limit: i64) -> QueryResult<Vec<AssetTicket>> {
    ticket_assets::table
        .inner_join(tickets::table)
        .filter(ticket_assets::org_id.eq(org))
        .filter(ticket_assets::asset_id.eq(asset))
        .filter(tickets::org_id.eq(org))
        .order((tickets::created_at.desc(), tickets::number.desc()))
        .limit(limit)
        .select((tickets::number, tickets::subject, tickets::status, tickets::created_at))
        .load(conn)
}

fn is_linked(conn: &mut DbConnection, org: &OrgId, ticket: &TicketId, asset: &AssetId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        ticket_assets::table
            .filter(ticket_assets::org_id.eq(org))
            .filter(ticket_assets::ticket_id.eq(ticket))
            .filter(ticket_assets::asset_id.eq(asset)),
    ))
    .get_result(conn)
}

/// Links an asset to a ticket (both of the organization: the caller found them through the scope). False when
/// they were linked already (nothing is written then).
pub fn link(conn: &mut DbConnection, ticket: &Ticket, asset: &Asset, author: &Author) -> Result<bool, DeskError> {
    let org = &ticket.org_id;
    if is_linked(conn, org, &ticket.id, &asset.id)? {
        return Ok(false);
    }
    if asset.is_retired() {
        return Err(DeskError::Refused(format!("{} is retired: put it back in stock to link it.", asset.name)));
    }
    diesel::insert_into(ticket_assets::table)
        .values((
            ticket_assets::org_id.eq(org),
            ticket_assets::ticket_id.eq(&ticket.id),
            ticket_assets::asset_id.eq(&asset.id),
            ticket_assets::linked_by.eq(&author.actor.label),
            ticket_assets::linked_at.eq(author.at()),
        ))
        .execute(conn)?;
    record(conn, ticket, asset, author, true)?;
    Ok(true)
}

/// Unlinks an asset from a ticket. False when they were not linked.
pub fn unlink(conn: &mut DbConnection, ticket: &Ticket, asset: &Asset, author: &Author) -> Result<bool, DeskError> {
    let removed = diesel::delete(
        ticket_assets::table
            .filter(ticket_assets::org_id.eq(&ticket.org_id))
            .filter(ticket_assets::ticket_id.eq(&ticket.id))
            .filter(ticket_assets::asset_id.eq(&asset.id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Ok(false);
    }
    record(conn, ticket, asset, author, false)?;
    Ok(true)
}

/// The ticket's history line and the activity log of both sides.
fn record(conn: &mut DbConnection, ticket: &Ticket, asset: &Asset, author: &Author, linked: bool) -> QueryResult<()> {
    let (ticket_action, asset_action, verb) = if linked {
        (Action::TicketAssetLinked, Action::AssetTicketLinked, "linked the asset")
    } else {
        (Action::TicketAssetUnlinked, Action::AssetTicketUnlinked, "unlinked the asset")
    };
    service::history_line(conn, ticket, author, EventKind::Link, &format!("{verb} {}", asset.name))?;
    service::log(conn, author, ticket, ticket_action, asset.name.clone())?;
    let ticket_label = format!("#{} {}", ticket.number, ticket.subject);
    asset_log(conn, &author.actor, &ticket.org_id, asset_action, &asset.id, &asset.name, ticket_label)
}

#[derive(Template)]
#[template(path = "psa/assets/ticket_picker.html")]
struct PickerPage {
    page: PageContext,
    ticket: Ticket,
    search: String,
    candidates: Vec<Asset>,
    linked: Vec<AssetId>,
    pager: Pager,
}

impl PickerPage {
    fn is_linked(&self, asset: &AssetId) -> bool {
        self.linked.contains(asset)
    }
}

/// The picker: the organization's assets in service matching a name or serial number, each with "Link".
pub async fn picker(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let query = AssetsQuery { list: query.into_inner(), ..Default::default() };
    let (search, page_number) = (query.list.search(), query.list.page());
    let filter = query.filter(&scope, state.clock.now());
    let (org, number) = (scope.org_id().clone(), path.into_inner());
    let base = query_string(&[("q", &search)]);
    let (page, ticket, candidates, linked, pager) = state
        .db
        .run(move |conn| {
            let ticket = ticket_in_scope(conn, &org, &number)?;
            let counted = models::count_up_to(conn, &org, &filter, Pager::count_limit(page_number))?;
            let pager = Pager::counted_ahead(page_number, counted, base);
            let candidates = models::page(conn, &org, &filter, pager.per_page, pager.offset())?;
            let linked = of_ticket(conn, &org, &ticket.id)?.into_iter().map(|a| a.id).collect();
            Ok((input.load(conn)?, ticket, candidates, linked, pager))
        })
        .await?;
    render(PickerPage { page, ticket, search, candidates, linked, pager })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    asset: String,
}

/// Runs a link or unlink of one asset and one ticket of the scope's organization in one transaction (either id
/// of another organization is 404, with nothing written); the outcome is flashed on the ticket's page.
async fn change<F>(c: Change, number: String, asset_id: String, f: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Ticket, &Asset, &Author) -> Result<String, DeskError> + Send + 'static,
{
    let Change { state, scope, actor, session, .. } = c;
    let org = scope.org_id().clone();
    let back = format!("/tickets/{}", crate::psa::tickets::models::parse_number(&number).unwrap_or(0));
    let outcome = service::write(&state.db, move |conn| {
        let ticket = ticket_in_scope(conn, &org, &number)?;
        if asset_id.is_empty() {
            return Err(DeskError::Refused("Choose an asset to link: find it by its name or serial number.".into()));
        }
        let asset = models::find(conn, &org, &asset_id)?.ok_or(AppError::NotFound)?;
        f(conn, &ticket, &asset, &Author::staff(&actor))
    })
    .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&back))
}

pub async fn link_asset(c: Change, path: web::Path<String>, form: web::Form<LinkForm>) -> AppResult<HttpResponse> {
    let asset = form.into_inner().asset.trim().to_string();
    change(c, path.into_inner(), asset, |conn, ticket, asset, author| {
        Ok(if link(conn, ticket, asset, author)? {
            format!("{} is linked to this ticket.", asset.name)
        } else {
            format!("{} was already linked to this ticket.", asset.name)
        })
    })
    .await
}

pub async fn unlink_asset(c: Change, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (number, asset) = path.into_inner();
    change(c, number, asset, |conn, ticket, asset, author| {
        if unlink(conn, ticket, asset, author)? {
            Ok(format!("{} is no longer linked to this ticket.", asset.name))
        } else {
            Err(DeskError::Refused(format!("{} is not linked to this ticket.", asset.name)))
        }
    })
    .await
}
