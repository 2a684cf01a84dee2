//! Asset rows (hardware, cloud services, software licenses) and their queries, always within one organization.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{AssetId, ContactId, OrgId};
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::schema::assets;
use crate::web::pagination::{contains_pattern, escape_like};

crate::text_enum! {
    /// What kind of thing an asset is.
    pub enum AssetType {
        Laptop = "laptop",
        Desktop = "desktop",
        Server = "server",
        VirtualMachine = "virtual_machine",
        NetworkDevice = "network_device",
        Firewall = "firewall",
        Printer = "printer",
        PhoneOrTablet = "phone_tablet",
        CloudService = "cloud_service",
        SoftwareLicense = "software_license",
    }
}

impl AssetType {
    pub fn label(self) -> &'static str {
        match self {
            AssetType::Laptop => "Laptop",
            AssetType::Desktop => "Desktop",
            AssetType::Server => "Server",
            AssetType::VirtualMachine => "Virtual machine",
            AssetType::NetworkDevice => "Network device",
            AssetType::Firewall => "Firewall",
            AssetType::Printer => "Printer",
            AssetType::PhoneOrTablet => "Phone or tablet",
            AssetType::CloudService => "Cloud service",
            AssetType::SoftwareLicense => "Software license",
        }
    }

    /// A software license has seats and a renewal date; other assets do not.
    pub fn is_license(self) -> bool {
        self == AssetType::SoftwareLicense
    }

    /// By label ("Virtual machine") or id ("virtual_machine"), any case: what a CSV file may say.
    pub fn from_text(text: &str) -> Option<AssetType> {
        let text = text.trim().to_lowercase();
        AssetType::ALL.into_iter().find(|t| t.id() == text || t.label().to_lowercase() == text)
    }
}

crate::text_enum! {
    /// Where an asset is in its life. Retired assets stay (tickets and the activity log still name them).
    pub enum AssetStatus {
        InUse = "in_use",
        InStock = "in_stock",
        InRepair = "in_repair",
        Retired = "retired",
    }
}

impl AssetStatus {
    pub fn label(self) -> &'static str {
        match self {
            AssetStatus::InUse => "In use",
            AssetStatus::InStock => "In stock",
            AssetStatus::InRepair => "In repair",
            AssetStatus::Retired => "Retired",
        }
    }

    /// The statuses the form offers (retiring is its own action, which records when).
    pub const EDITABLE: [AssetStatus; 3] = [AssetStatus::InUse, AssetStatus::InStock, AssetStatus::InRepair];

    pub fn from_text(text: &str) -> Option<AssetStatus> {
        let text = text.trim().to_lowercase();
        AssetStatus::ALL.into_iter().find(|s| s.id() == text || s.label().to_lowercase() == text)
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = assets)]
pub struct Asset {
    pub id: AssetId,
    pub org_id: OrgId,
    pub name: String,
    pub asset_type: AssetType,
    pub status: AssetStatus,
    pub manufacturer: String,
    pub model: String,
    pub serial_number: Option<String>,
    pub operating_system: String,
    pub ip_address: String,
    pub mac_address: String,
    pub location: String,
    pub contact_id: Option<ContactId>,
    pub purchase_date: Option<Day>,
    pub warranty_expires: Option<Day>,
    pub seats_used: Option<i32>,
    pub seats_purchased: Option<i32>,
    pub renewal_date: Option<Day>,
    pub notes: String,
    pub retired_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Asset {
    pub fn is_retired(&self) -> bool {
        self.status == AssetStatus::Retired
    }

    pub fn serial_text(&self) -> &str {
        self.serial_number.as_deref().unwrap_or("")
    }

    /// "Dell Latitude 5440", or whichever of the two is known.
    pub fn make_and_model(&self) -> String {
        [self.manufacturer.as_str(), self.model.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// "12 of 20 seats used" for a license with seat counts.
    pub fn seats_label(&self) -> String {
        match (self.seats_used, self.seats_purchased) {
            (Some(used), Some(bought)) => format!("{used} of {bought} seats used"),
            (None, Some(bought)) => format!("{bought} seats purchased"),
            (Some(used), None) => format!("{used} seats used"),
            (None, None) => String::new(),
        }
    }

    /// More seats in use than purchased (a license finding).
    pub fn over_licensed(&self) -> bool {
        matches!((self.seats_used, self.seats_purchased), (Some(used), Some(bought)) if used > bought)
    }

    pub fn day_text(day: &Option<Day>) -> String {
        day.map(|d| d.as_str().to_string()).unwrap_or_default()
    }

    /// "Mar 2, 2026", or "" when not recorded.
    pub fn purchase_label(&self) -> String {
        self.purchase_date.map(Day::label).unwrap_or_default()
    }
    pub fn warranty_label(&self) -> String {
        self.warranty_expires.map(Day::label).unwrap_or_default()
    }
    pub fn renewal_label(&self) -> String {
        self.renewal_date.map(Day::label).unwrap_or_default()
    }
}

/// An asset's validated details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetInput {
    pub name: String,
    pub asset_type: AssetType,
    pub status: AssetStatus,
    pub manufacturer: String,
    pub model: String,
    /// Upper-cased (serial numbers match whatever the case they are typed in).
    pub serial_number: Option<String>,
    pub operating_system: String,
    pub ip_address: String,
    pub mac_address: String,
    pub location: String,
    pub contact_id: Option<ContactId>,
    pub purchase_date: Option<Day>,
    pub warranty_expires: Option<Day>,
    pub seats_used: Option<i32>,
    pub seats_purchased: Option<i32>,
    pub renewal_date: Option<Day>,
    pub notes: String,
}

/// An asset of the organization by id, or None (another organization's ids are not found).
pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Asset>> {
    assets::table
        .filter(assets::org_id.eq(org))
        .filter(assets::id.eq(id))
        .select(Asset::as_select())
        .first(conn)
        .optional()
}

/// The ids and statuses of `org`'s assets with these (upper-cased) serial numbers (an import's file): one
/// statement.
pub fn ids_by_serial(
    conn: &mut DbConnection,
    org: &OrgId,
    serials: Vec<String>,
) -> QueryResult<std::collections::HashMap<String, (AssetId, AssetStatus)>> {
    if serials.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Option<String>, AssetId, AssetStatus)> = assets::table
        .filter(assets::org_id.eq(org))
        .filter(assets::serial_number.eq_any(serials))
        .select((assets::serial_number, assets::id, assets::status))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(serial, id, status)| Some((serial?, (id, status)))).collect())
}

/// Another asset of the organization has this serial number.
pub fn serial_taken(conn: &mut DbConnection, org: &OrgId, serial: &str, except: Option<&AssetId>) -> QueryResult<bool> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let query = assets::table
        .filter(assets::org_id.eq(org))
        .filter(assets::serial_number.eq(serial))
        .filter(assets::id.ne(except));
    diesel::select(diesel::dsl::exists(query)).get_result(conn)
}

/// Which assets the list shows: by status (the live ones by default), type, assigned contact, warranty ending
/// within a window, and a search over name, serial number and IP address.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    /// None: every asset that is not retired.
    pub status: Option<StatusChoice>,
    pub asset_type: Option<AssetType>,
    /// A contact id as the filter sent it (compared with the column, so another tenant's id matches nothing).
    pub contact: Option<String>,
    /// Warranty ending on or after the first day and on or before the second.
    pub warranty_between: Option<(Day, Day)>,
    pub search: String,
    pub sort: Sort,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChoice {
    One(AssetStatus),
    /// Retired ones too.
    Any,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Name,
    Type,
    Status,
    /// Soonest warranty end first, assets without one last.
    Warranty,
    /// Most recently changed first.
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 5] = [Sort::Name, Sort::Type, Sort::Status, Sort::Warranty, Sort::Updated];

    pub fn id(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Type => "type",
            Sort::Status => "status",
            Sort::Warranty => "warranty",
            Sort::Updated => "updated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Name => "Name",
            Sort::Type => "Type",
            Sort::Status => "Status",
            Sort::Warranty => "Warranty ends",
            Sort::Updated => "Recently changed",
        }
    }

    pub fn parse(id: &str) -> Sort {
        Sort::ALL.into_iter().find(|s| s.id() == id).unwrap_or_default()
    }
}

type Filter = Box<dyn BoxableExpression<assets::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn condition(org: &OrgId, f: &AssetFilter) -> Filter {
    let mut filter: Filter = Box::new(assets::org_id.eq(org.clone()));
    filter = match f.status {
        None => Box::new(filter.and(assets::status.ne(AssetStatus::Retired))),
        Some(StatusChoice::One(status)) => Box::new(filter.and(assets::status.eq(status))),
        Some(StatusChoice::Any) => filter,
    };
    if let Some(kind) = f.asset_type {
        filter = Box::new(filter.and(assets::asset_type.eq(kind)));
    }
    if let Some(contact) = &f.contact {
        filter = Box::new(filter.and(assets::contact_id.assume_not_null().eq(contact.clone())));
    }
    if let Some((from, to)) = f.warranty_between {
        filter = Box::new(filter.and(assets::warranty_expires.assume_not_null().between(from, to)));
    }
    if !f.search.is_empty() {
        let serial = format!("%{}%", escape_like(&f.search.trim().to_uppercase()));
        let matches = lower(assets::name)
            .like(contains_pattern(&f.search))
            .escape('\\')
            .or(assets::serial_number.assume_not_null().like(serial).escape('\\'))
            .or(assets::ip_address.like(contains_pattern(&f.search)).escape('\\'));
        filter = Box::new(filter.and(matches));
    }
    filter
}

/// How many assets match the filter, counted up to `limit` (a list's pager counts ahead: `Pager::counted_ahead`).
pub fn count_up_to(conn: &mut DbConnection, org: &OrgId, filter: &AssetFilter, limit: i64) -> QueryResult<i64> {
    let found: Vec<i32> = assets::table
        .filter(condition(org, filter))
        .select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
        .limit(limit)
        .load(conn)?;
    Ok(i64::try_from(found.len()).unwrap_or(i64::MAX))
}

/// One page of the list, in the filter's order (ties by name, then id, so pages never overlap).
pub fn page(
    conn: &mut DbConnection,
    org: &OrgId,
    filter: &AssetFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Asset>> {
    let query = assets::table.filter(condition(org, filter)).select(Asset::as_select()).limit(limit).offset(offset);
    let by_name = (assets::name.asc(), assets::id.asc());
    match filter.sort {
        Sort::Name => query.order(by_name).load(conn),
        Sort::Type => query.order((assets::asset_type.asc(), by_name.0, by_name.1)).load(conn),
        Sort::Status => query.order((assets::status.asc(), by_name.0, by_name.1)).load(conn),
        Sort::Warranty => query
            .order((assets::warranty_expires.is_null().asc(), assets::warranty_expires.asc(), by_name.0, by_name.1))
            .load(conn),
        Sort::Updated => query.order((assets::updated_at.desc(), assets::id.desc())).load(conn),
    }
}

/// Every asset of the organization matching the filter, in its order (the CSV export; at most `limit`).
pub fn all(conn: &mut DbConnection, org: &OrgId, filter: &AssetFilter, limit: i64) -> QueryResult<Vec<Asset>> {
    page(conn, org, filter, limit, 0)
}

pub fn insert(conn: &mut DbConnection, org: &OrgId, a: &AssetInput, now: NaiveDateTime) -> QueryResult<AssetId> {
    let id = AssetId::new();
    diesel::insert_into(assets::table)
        .values((
            assets::id.eq(&id),
            assets::org_id.eq(org),
            assets::created_at.eq(now),
            assets::updated_at.eq(now),
            changes(a),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Many new assets at once (the CSV import, the demo seed): one statement per `chunk` rows (at most 1,000: 23
/// parameters a row stay under SQLite's bound).
pub fn insert_many(
    conn: &mut DbConnection,
    org: &OrgId,
    rows: &[AssetInput],
    now: NaiveDateTime,
    chunk: usize,
) -> QueryResult<usize> {
    let mut inserted = 0;
    for part in rows.chunks(chunk.clamp(1, 1000)) {
        let values: Vec<_> = part
            .iter()
            .map(|a| {
                (
                    assets::id.eq(AssetId::new()),
                    assets::org_id.eq(org.clone()),
                    assets::created_at.eq(now),
                    assets::updated_at.eq(now),
                    changes(a),
                )
            })
            .collect();
        inserted += crate::batch_insert!(conn, assets::table, &values)?;
    }
    Ok(inserted)
}

/// The columns an edit sets.
#[allow(clippy::type_complexity)]
fn changes(
    a: &AssetInput,
) -> (
    diesel::dsl::Eq<assets::name, String>,
    diesel::dsl::Eq<assets::asset_type, AssetType>,
    diesel::dsl::Eq<assets::status, AssetStatus>,
    diesel::dsl::Eq<assets::manufacturer, String>,
    diesel::dsl::Eq<assets::model, String>,
    diesel::dsl::Eq<assets::serial_number, Option<String>>,
    diesel::dsl::Eq<assets::operating_system, String>,
    diesel::dsl::Eq<assets::ip_address, String>,
    diesel::dsl::Eq<assets::mac_address, String>,
    diesel::dsl::Eq<assets::location, String>,
    diesel::dsl::Eq<assets::contact_id, Option<ContactId>>,
    diesel::dsl::Eq<assets::purchase_date, Option<Day>>,
    diesel::dsl::Eq<assets::warranty_expires, Option<Day>>,
    diesel::dsl::Eq<assets::seats_used, Option<i32>>,
    diesel::dsl::Eq<assets::seats_purchased, Option<i32>>,
    diesel::dsl::Eq<assets::renewal_date, Option<Day>>,
    diesel::dsl::Eq<assets::notes, String>,
) {
    (
        assets::name.eq(a.name.clone()),
        assets::asset_type.eq(a.asset_type),
        assets::status.eq(a.status),
        assets::manufacturer.eq(a.manufacturer.clone()),
        assets::model.eq(a.model.clone()),
        assets::serial_number.eq(a.serial_number.clone()),
        assets::operating_system.eq(a.operating_system.clone()),
        assets::ip_address.eq(a.ip_address.clone()),
        assets::mac_address.eq(a.mac_address.clone()),
        assets::location.eq(a.location.clone()),
        assets::contact_id.eq(a.contact_id.clone()),
        assets::purchase_date.eq(a.purchase_date),
        assets::warranty_expires.eq(a.warranty_expires),
        assets::seats_used.eq(a.seats_used),
        assets::seats_purchased.eq(a.seats_purchased),
        assets::renewal_date.eq(a.renewal_date),
        assets::notes.eq(a.notes.clone()),
    )
}

pub fn update(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &AssetId,
    a: &AssetInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(assets::table.filter(assets::org_id.eq(org)).filter(assets::id.eq(id)))
        .set((changes(a), assets::updated_at.eq(now)))
        .execute(conn)
}

/// Retires an asset (recording when) or puts a retired one back in stock.
pub fn set_retired(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &AssetId,
    retired: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let status = if retired { AssetStatus::Retired } else { AssetStatus::InStock };
    diesel::update(assets::table.filter(assets::org_id.eq(org)).filter(assets::id.eq(id)))
        .set((assets::status.eq(status), assets::retired_at.eq(retired.then_some(now)), assets::updated_at.eq(now)))
        .execute(conn)
}

/// Assets of one type and status: how many, and the latest change among them.
pub type InventoryCount = (AssetType, AssetStatus, i64, Option<NaiveDateTime>);

/// The organization's assets by type and status. One statement (at most types x statuses rows), for the
/// inventory as living evidence.
pub fn inventory_counts(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<InventoryCount>> {
    use diesel::dsl::{count_star, max};
    assets::table
        .filter(assets::org_id.eq(org))
        .group_by((assets::asset_type, assets::status))
        .select((assets::asset_type, assets::status, count_star(), max(assets::updated_at)))
        .load(conn)
}
