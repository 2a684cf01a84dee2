//! Service desk -> Assets: the list (filters, search, sort), adding and editing, retiring and restoring.
//! The asset's own page and its files are in `page.rs`; the CSV import and export in `import.rs`.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::{AssetForm, window};
use super::models::{self, Asset, AssetFilter, AssetInput, AssetStatus, AssetType, Sort, StatusChoice};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::ids::{AssetId, ContactId, OrgId};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::psa::contacts::models::{self as contacts, Contact};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};
use chrono::NaiveDateTime;

/// Days ahead that count as "warranty ending soon" (the list's filter, the renewals on the dashboard).
pub const RENEWAL_DAYS: i64 = 60;
/// Contacts a picker offers.
const PICKER_CONTACTS: i64 = 500;

#[derive(Deserialize, Default, Clone)]
pub struct AssetsQuery {
    #[serde(flatten)]
    pub list: ListQuery,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub asset_type: String,
    #[serde(default)]
    pub contact: String,
    /// "soon": warranty ending within `RENEWAL_DAYS`.
    #[serde(default)]
    pub warranty: String,
    #[serde(default)]
    pub sort: String,
}

impl AssetsQuery {
    /// The list's filter, with today's date in the organization's timezone.
    pub fn filter(&self, scope: &Scope, now: chrono::NaiveDateTime) -> AssetFilter {
        let status = match self.status.as_str() {
            "all" => Some(StatusChoice::Any),
            other => AssetStatus::parse(other).map(StatusChoice::One),
        };
        let today = crate::compliance::program::today(now, scope.org.tz());
        AssetFilter {
            status,
            asset_type: AssetType::parse(&self.asset_type),
            contact: Some(self.contact.trim().to_string()).filter(|c| !c.is_empty()),
            warranty_between: (self.warranty == "soon").then(|| window(today, RENEWAL_DAYS)),
            search: self.list.search(),
            sort: Sort::parse(&self.sort),
        }
    }

    /// The query string without the page (pager links, the export link).
    pub fn base(&self) -> String {
        query_string(&[
            ("q", &self.list.search()),
            ("status", &self.status),
            ("asset_type", &self.asset_type),
            ("contact", &self.contact),
            ("warranty", &self.warranty),
            ("sort", &self.sort),
        ])
    }

    fn is_filtered(&self) -> bool {
        !(self.list.search().is_empty()
            && self.status.is_empty()
            && self.asset_type.is_empty()
            && self.contact.is_empty()
            && self.warranty.is_empty())
    }
}

/// A row of the list: the asset and the name of whom it is assigned to.
pub struct AssetRow {
    pub asset: Asset,
    pub contact_name: String,
}

#[derive(Template)]
#[template(path = "psa/assets/list.html")]
struct AssetsPage {
    page: PageContext,
    rows: Vec<AssetRow>,
    pager: Pager,
    query: AssetsQuery,
    search: String,
    contacts: Vec<Contact>,
    types: [AssetType; 10],
    statuses: [AssetStatus; 4],
    sorts: [Sort; 5],
    filtered: bool,
    can_work: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<AssetsQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let filter = query.filter(&scope, state.clock.now());
    let (org, base, page_number) = (scope.org_id().clone(), query.base(), query.list.page());
    let (page, rows, pager, contacts) = state
        .db
        .run(move |conn| {
            let counted = models::count_up_to(conn, &org, &filter, Pager::count_limit(page_number))?;
            let pager = Pager::counted_ahead(page_number, counted, base);
            let assets = models::page(conn, &org, &filter, pager.per_page, pager.offset())?;
            let rows = with_contact_names(conn, assets)?;
            let contacts = contacts::active(conn, &org, PICKER_CONTACTS)?;
            Ok((input.load(conn)?, rows, pager, contacts))
        })
        .await?;
    render(AssetsPage {
        page,
        rows,
        pager,
        search: query.list.search(),
        filtered: query.is_filtered(),
        query,
        contacts,
        types: AssetType::ALL,
        statuses: AssetStatus::ALL,
        sorts: Sort::ALL,
        can_work: scope.can(Permission::WorkTickets),
    })
}

/// The assets with the names of their contacts: one statement for the whole page.
pub fn with_contact_names(conn: &mut DbConnection, assets: Vec<Asset>) -> diesel::QueryResult<Vec<AssetRow>> {
    let ids: Vec<ContactId> = assets.iter().filter_map(|a| a.contact_id.clone()).collect();
    let people = contacts::by_ids(conn, ids)?;
    Ok(assets
        .into_iter()
        .map(|asset| {
            let contact_name = people
                .iter()
                .find(|c| Some(&c.id) == asset.contact_id.as_ref())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            AssetRow { asset, contact_name }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "psa/assets/form.html")]
struct AssetFormPage {
    page: PageContext,
    /// None for a new asset.
    asset: Option<Asset>,
    form: AssetForm,
    errors: FieldErrors,
    contacts: Vec<Contact>,
    types: [AssetType; 10],
    statuses: [AssetStatus; 3],
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    asset: Option<Asset>,
    form: AssetForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, contacts) =
        state.db.run(move |conn| Ok((input.load(conn)?, contacts::active(conn, &org, PICKER_CONTACTS)?))).await?;
    let page =
        AssetFormPage { page, asset, form, errors, contacts, types: AssetType::ALL, statuses: AssetStatus::EDITABLE };
    render_status(form_status(&page.errors), page)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    asset_type: String,
}

pub async fn new_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let asset_type = AssetType::parse(&query.asset_type).unwrap_or(AssetType::Laptop);
    let form =
        AssetForm { asset_type: asset_type.id().into(), status: AssetStatus::InUse.id().into(), ..Default::default() };
    form_page(&state, &scope, input, None, form, FieldErrors::default()).await
}

/// The form's asset, or its errors: the contact must be one of the organization's, the serial number no other
/// asset's.
fn validated(
    conn: &mut DbConnection,
    org: &OrgId,
    form: &AssetForm,
    except: Option<&AssetId>,
) -> Result<Result<AssetInput, FieldErrors>, AppError> {
    let mut errors = FieldErrors::default();
    let mut input = super::forms::validate_fields(&mut errors, form.fields());
    let contact = form.contact.trim();
    if !contact.is_empty() {
        match contacts::find(conn, org, contact)? {
            Some(c) => input.contact_id = Some(c.id),
            None => errors.add("contact", "Choose a contact from the list."),
        }
    }
    if let Some(serial) = &input.serial_number
        && models::serial_taken(conn, org, serial, except)?
    {
        errors.add("serial_number", "Another asset already has this serial number.");
    }
    Ok(if errors.is_empty() { Ok(input) } else { Err(errors) })
}

/// After the organization's assets changed (in the same transaction): the inventory is living evidence of the
/// asset-management controls (compliance::evidence::living).
pub fn inventory_changed(conn: &mut DbConnection, org: &OrgId, today: Day, now: NaiveDateTime) -> AppResult<()> {
    let index = crate::compliance::program::index::embedded()?;
    Ok(crate::compliance::evidence::living::inventory_changed(conn, index, org, today, now)?)
}

/// Today in the organization's timezone.
pub fn today_of(state: &AppState, scope: &Scope) -> Day {
    crate::compliance::program::today(state.clock.now(), scope.org.tz())
}

pub fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &AssetId,
    name: &str,
    details: String,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("asset", id, name).details(details))
}

pub async fn create(c: Change, form: web::Form<AssetForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let (org, submitted, today) = (scope.org_id().clone(), form.clone(), today_of(&state, &scope));
    let outcome = state
        .db
        .write(move |conn| {
            let asset = match validated(conn, &org, &submitted, None)? {
                Ok(asset) => asset,
                Err(errors) => return Ok(Err(errors)),
            };
            let id = models::insert(conn, &org, &asset, actor.at)?;
            log(conn, &actor, &org, Action::AssetCreated, &id, &asset.name, asset.asset_type.label().into())?;
            inventory_changed(conn, &org, today, actor.at)?;
            Ok(Ok((id, asset.name)))
        })
        .await?;
    match outcome {
        Ok((id, name)) => {
            session::flash_ok(&session, format!("{name} is added."));
            Ok(redirect(&format!("/assets/{id}")))
        }
        Err(errors) => form_page(&state, &scope, input, None, form, errors).await,
    }
}

/// An asset of the scope's organization, or 404.
pub async fn asset_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Asset> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let asset = asset_of(&state, &scope, path.into_inner()).await?;
    if asset.is_retired() {
        return Err(AppError::NotFound);
    }
    let form = AssetForm::of(&asset);
    form_page(&state, &scope, input, Some(asset), form, FieldErrors::default()).await
}

/// "status, IP address" from what an edit changed (the activity log's details).
fn changed_fields(before: &Asset, after: &AssetInput) -> String {
    let was = AssetForm::of(before);
    let now = AssetForm::of(&as_asset(before, after));
    let pairs = [
        (was.name != now.name, "name"),
        (was.asset_type != now.asset_type, "type"),
        (was.status != now.status, "status"),
        (was.manufacturer != now.manufacturer || was.model != now.model, "make and model"),
        (was.serial_number != now.serial_number, "serial number"),
        (was.operating_system != now.operating_system, "operating system"),
        (was.ip_address != now.ip_address, "IP address"),
        (was.mac_address != now.mac_address, "MAC address"),
        (was.location != now.location, "location"),
        (was.contact != now.contact, "assigned contact"),
        (was.purchase_date != now.purchase_date, "purchase date"),
        (was.warranty_expires != now.warranty_expires, "warranty"),
        (was.seats_used != now.seats_used || was.seats_purchased != now.seats_purchased, "seats"),
        (was.renewal_date != now.renewal_date, "renewal date"),
        (was.notes != now.notes, "notes"),
    ];
    pairs.iter().filter(|(changed, _)| *changed).map(|(_, name)| *name).collect::<Vec<_>>().join(", ")
}

/// `before` with the edit applied (to compare field by field).
fn as_asset(before: &Asset, a: &AssetInput) -> Asset {
    Asset {
        name: a.name.clone(),
        asset_type: a.asset_type,
        status: a.status,
        manufacturer: a.manufacturer.clone(),
        model: a.model.clone(),
        serial_number: a.serial_number.clone(),
        operating_system: a.operating_system.clone(),
        ip_address: a.ip_address.clone(),
        mac_address: a.mac_address.clone(),
        location: a.location.clone(),
        contact_id: a.contact_id.clone(),
        purchase_date: a.purchase_date,
        warranty_expires: a.warranty_expires,
        seats_used: a.seats_used,
        seats_purchased: a.seats_purchased,
        renewal_date: a.renewal_date,
        notes: a.notes.clone(),
        ..before.clone()
    }
}

pub async fn update(c: Change, path: web::Path<String>, form: web::Form<AssetForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let asset = asset_of(&state, &scope, path.into_inner()).await?;
    if asset.is_retired() {
        session::flash_error(&session, format!("{} is retired: restore it to change it.", asset.name));
        return Ok(redirect(&format!("/assets/{}", asset.id)));
    }
    let (org, before, submitted, today) =
        (scope.org_id().clone(), asset.clone(), form.clone(), today_of(&state, &scope));
    let outcome = state
        .db
        .write(move |conn| {
            let input = match validated(conn, &org, &submitted, Some(&before.id))? {
                Ok(input) => input,
                Err(errors) => return Ok(Err(errors)),
            };
            models::update(conn, &org, &before.id, &input, actor.at)?;
            let details = changed_fields(&before, &input);
            log(conn, &actor, &org, Action::AssetUpdated, &before.id, &input.name, details)?;
            inventory_changed(conn, &org, today, actor.at)?;
            Ok(Ok(input.name))
        })
        .await?;
    match outcome {
        Ok(name) => {
            session::flash_ok(&session, format!("{name} is saved."));
            Ok(redirect(&format!("/assets/{}", asset.id)))
        }
        Err(errors) => form_page(&state, &scope, input, Some(asset), form, errors).await,
    }
}

/// Retires an asset (`RETIRED`: kept with its history and tickets, out of the list) or puts it back in stock.
pub async fn set_retired<const RETIRED: bool>(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (id, retired) = (path.into_inner(), RETIRED);
    let (org, today) = (scope.org_id().clone(), today_of(&state, &scope));
    let (asset_id, outcome) = state
        .db
        .write(move |conn| {
            let asset = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            if asset.is_retired() == retired {
                let state = if retired { "retired" } else { "in service" };
                return Ok((asset.id, Err(format!("{} is already {state}.", asset.name))));
            }
            models::set_retired(conn, &org, &asset.id, retired, actor.at)?;
            let (action, details) = if retired {
                (Action::AssetRetired, format!("was {}", asset.status.label().to_lowercase()))
            } else {
                (Action::AssetRestored, "in stock".to_string())
            };
            log(conn, &actor, &org, action, &asset.id, &asset.name, details)?;
            inventory_changed(conn, &org, today, actor.at)?;
            let message = if retired {
                format!("{} is retired: kept with its history and tickets, no longer in the list.", asset.name)
            } else {
                format!("{} is back in stock.", asset.name)
            };
            Ok((asset.id, Ok(message)))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&format!("/assets/{asset_id}")))
}
