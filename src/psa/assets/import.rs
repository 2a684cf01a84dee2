//! Assets in and out as CSV. Importing checks every row first and shows a preview (to create, to update the asset
//! with the same serial number, or refused with the reason); applying writes the accepted rows in one
//! transaction. The export writes the same columns, so an exported file imports back.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::forms::{AssetFields, FIELD_ORDER, validate_fields};
use super::models::{self, Asset, AssetInput};
use crate::db::DbConnection;
use crate::db::ids::{AssetId, OrgId};
use crate::psa::contacts::models as contacts;
use crate::web::csv_import::{self, PreviewRow, RowOutcome, Spec, first_error, get};
use crate::web::forms::FieldErrors;

const COLUMNS: &[&str] = &[
    "name",
    "type",
    "status",
    "manufacturer",
    "model",
    "serial_number",
    "operating_system",
    "ip_address",
    "mac_address",
    "location",
    "contact_email",
    "purchase_date",
    "warranty_expires",
    "seats_used",
    "seats_purchased",
    "renewal_date",
    "notes",
];

/// What an assets file may have.
pub const SPEC: Spec =
    Spec { columns: COLUMNS, required: "name", noun: "assets", max_rows: 2000, max_bytes: 1024 * 1024 };

/// Rows an export writes at most.
pub const EXPORT_LIMIT: i64 = 50_000;

/// A checked row, with the contact as the file named it (for the preview).
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub input: AssetInput,
    pub contact_email: String,
}

pub type Preview = csv_import::Preview<ImportRow>;

/// The assets import, for the import pages (`web::import_pages`).
pub struct AssetsImport;

#[derive(askama::Template)]
#[template(path = "psa/assets/import.html")]
pub struct ImportPage {
    page: crate::web::PageContext,
    csv: String,
    error: String,
    preview: Option<Preview>,
}

impl crate::web::import_pages::Import for AssetsImport {
    type Row = ImportRow;
    type Page = ImportPage;
    const SPEC: Spec = SPEC;
    const LIST: &'static str = "/assets";
    const LOGGED: (crate::audit::Action, &'static str) = (crate::audit::Action::AssetsImported, "asset");
    const TITLE: &'static str = "Assets";

    fn preview(conn: &mut DbConnection, org: &OrgId, text: &str) -> diesel::QueryResult<Result<Preview, String>> {
        preview(conn, org, text)
    }
    fn apply(
        conn: &mut DbConnection,
        org: &OrgId,
        p: &Preview,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<(usize, usize)> {
        let written = apply(conn, org, p, now)?;
        // The inventory is living evidence: an import is a change of it (the UTC day, as the asset pages' jobs).
        let today = crate::compliance::program::today(now, chrono_tz::UTC);
        let index =
            crate::compliance::program::index::embedded().map_err(|_| diesel::result::Error::RollbackTransaction)?;
        crate::compliance::evidence::living::inventory_changed(conn, index, org, today, now)?;
        Ok(written)
    }
    fn page(page: crate::web::PageContext, csv: String, error: String, preview: Option<Preview>) -> ImportPage {
        ImportPage { page, csv, error, preview }
    }
}

/// Reads the file: the problem with the file as a whole, or its rows checked against each other, the
/// organization's assets (by serial number) and contacts (by email). Three statements whatever the file's size.
pub fn preview(conn: &mut DbConnection, org: &OrgId, text: &str) -> diesel::QueryResult<Result<Preview, String>> {
    let parsed = match csv_import::parse(text, &SPEC) {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let checked: Vec<(usize, ImportRow, Option<String>)> = parsed
        .into_iter()
        .map(|(line, fields)| {
            let mut errors = FieldErrors::default();
            let get = |column: &str| get(&fields, column);
            let input = validate_fields(
                &mut errors,
                AssetFields {
                    name: get("name"),
                    asset_type: get("type"),
                    status: get("status"),
                    manufacturer: get("manufacturer"),
                    model: get("model"),
                    serial_number: get("serial_number"),
                    operating_system: get("operating_system"),
                    ip_address: get("ip_address"),
                    mac_address: get("mac_address"),
                    location: get("location"),
                    purchase_date: get("purchase_date"),
                    warranty_expires: get("warranty_expires"),
                    seats_used: get("seats_used"),
                    seats_purchased: get("seats_purchased"),
                    renewal_date: get("renewal_date"),
                    notes: get("notes"),
                },
            );
            let refused = first_error(&errors, &FIELD_ORDER);
            let contact_email = get("contact_email").trim().to_lowercase();
            (line, ImportRow { input, contact_email }, refused)
        })
        .collect();
    let serials = checked.iter().filter_map(|(_, row, _)| row.input.serial_number.clone()).collect();
    let existing = models::ids_by_serial(conn, org, serials)?;
    let emails = checked.iter().map(|(_, row, _)| row.contact_email.clone()).filter(|e| !e.is_empty()).collect();
    let people = contacts::ids_by_email(conn, org, emails)?;
    let mut seen: HashSet<String> = HashSet::new();
    let rows = checked
        .into_iter()
        .map(|(line, mut row, refused)| {
            let outcome = outcome(&mut row, refused, &existing, &people, &mut seen);
            PreviewRow { line, input: row, outcome }
        })
        .collect();
    Ok(Ok(Preview { rows }))
}

/// What importing one checked row does; sets its contact.
fn outcome(
    row: &mut ImportRow,
    refused: Option<String>,
    existing: &HashMap<String, (AssetId, models::AssetStatus)>,
    people: &HashMap<String, crate::db::ids::ContactId>,
    seen: &mut HashSet<String>,
) -> RowOutcome {
    if let Some(reason) = refused {
        return RowOutcome::Refused(reason);
    }
    if !row.contact_email.is_empty() {
        match people.get(&row.contact_email) {
            Some(id) => row.input.contact_id = Some(id.clone()),
            None => return RowOutcome::Refused(format!("No contact has the email {}.", row.contact_email)),
        }
    }
    let Some(serial) = &row.input.serial_number else { return RowOutcome::Create };
    if !seen.insert(serial.clone()) {
        return RowOutcome::Refused(format!("Serial number {serial} appears twice in the file."));
    }
    match existing.get(serial) {
        Some((_, models::AssetStatus::Retired)) => {
            RowOutcome::Refused(format!("Serial number {serial} is a retired asset: put it back in stock first."))
        }
        Some(_) => RowOutcome::Update,
        None => RowOutcome::Create,
    }
}

/// Writes the accepted rows of a preview: (created, updated). New assets go in batches.
pub fn apply(
    conn: &mut DbConnection,
    org: &OrgId,
    preview: &Preview,
    now: NaiveDateTime,
) -> diesel::QueryResult<(usize, usize)> {
    let accepted = |o: RowOutcome| preview.rows.iter().filter(move |r| r.outcome == o).map(|r| &r.input.input);
    let new: Vec<AssetInput> = accepted(RowOutcome::Create).cloned().collect();
    let created = models::insert_many(conn, org, &new, now, 500)?;
    let updating: Vec<&AssetInput> = accepted(RowOutcome::Update).collect();
    let existing = models::ids_by_serial(conn, org, updating.iter().filter_map(|a| a.serial_number.clone()).collect())?;
    let mut updated = 0;
    for asset in updating {
        if let Some((id, _)) = asset.serial_number.as_ref().and_then(|s| existing.get(s)) {
            updated += models::update(conn, org, id, asset, now)?;
        }
    }
    Ok((created, updated))
}

/// The assets as a CSV file with the import's columns (types and statuses by label, the contact by email).
pub fn export(rows: &[Asset], emails: &HashMap<String, String>) -> String {
    let mut out = String::new();
    crate::web::csv::push_row(&mut out, COLUMNS);
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    for a in rows {
        let contact = a.contact_id.as_ref().and_then(|id| emails.get(id.as_str())).cloned().unwrap_or_default();
        crate::web::csv::push_row(
            &mut out,
            &[
                a.name.clone(),
                a.asset_type.label().to_string(),
                a.status.label().to_string(),
                a.manufacturer.clone(),
                a.model.clone(),
                a.serial_text().to_string(),
                a.operating_system.clone(),
                a.ip_address.clone(),
                a.mac_address.clone(),
                a.location.clone(),
                contact,
                Asset::day_text(&a.purchase_date),
                Asset::day_text(&a.warranty_expires),
                number(a.seats_used),
                number(a.seats_purchased),
                Asset::day_text(&a.renewal_date),
                a.notes.clone(),
            ],
        );
    }
    out
}
