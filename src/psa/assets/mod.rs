//! Assets (Service desk -> Assets): an organization's laptops, servers, network gear, cloud services and software
//! licenses, whom they are assigned to, their warranties and renewals, files and history. Retiring keeps the asset.

pub mod csv_pages;
pub mod demo;
pub mod digest;
pub mod forms;
pub mod handlers;
pub mod import;
pub mod models;
pub mod page;
pub mod renewals;
pub mod tickets;

use crate::auth::Permission::*;
use crate::web::import_pages;
use crate::web::routes::{Access, RouteDef, get, post};
use import::AssetsImport;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    const ASSET: &[(&str, &str)] = &[
        ("name", "Front desk laptop"),
        ("asset_type", "laptop"),
        ("status", "in_use"),
        ("serial_number", "MATRIX-0001"),
        ("ip_address", "10.0.0.20"),
        ("warranty_expires", "2027-03-31"),
    ];
    const IMPORT: &str = "name,type,serial_number\nImported laptop,Laptop,MATRIX-IMPORT-1\n";
    vec![
        get("/assets", Org(ViewTickets), handlers::list),
        get("/assets/new", Org(WorkTickets), handlers::new_form),
        post("/assets", Org(WorkTickets), handlers::create).example(ASSET),
        get("/assets/export.csv", Org(ViewTickets), csv_pages::export),
        get("/assets/import", Org(WorkTickets), import_pages::form::<AssetsImport>),
        post("/assets/import", Org(WorkTickets), import_pages::preview::<AssetsImport>).example(&[("csv", IMPORT)]),
        post("/assets/import/apply", Org(WorkTickets), import_pages::apply::<AssetsImport>).example(&[("csv", IMPORT)]),
        get("/assets/by-id/{asset_id}", SignedIn, page::by_id),
        get("/assets/{asset_id}", Org(ViewTickets), page::show),
        get("/assets/{asset_id}/edit", Org(WorkTickets), handlers::edit_form),
        post("/assets/{asset_id}", Org(WorkTickets), handlers::update).example(ASSET),
        post("/assets/{asset_id}/retire", Org(WorkTickets), handlers::set_retired::<true>),
        post("/assets/{asset_id}/restore", Org(WorkTickets), handlers::set_retired::<false>),
        post("/assets/{asset_id}/files", Org(WorkTickets), page::upload),
        get("/assets/{asset_id}/files/{asset_file_id}", Org(ViewTickets), page::download),
        get("/tickets/{number}/assets", Org(WorkTickets), tickets::picker),
        post("/tickets/{number}/assets", Org(WorkTickets), tickets::link_asset).example(&[("asset", "{asset_id}")]),
        post("/tickets/{number}/assets/{asset_id}/unlink", Org(WorkTickets), tickets::unlink_asset),
        post("/profile/renewal-digest", SignedIn, digest::set_preference).example(&[("digest", "1")]),
    ]
}

/// The scheduled job of assets: the weekly renewals digest (hourly, so a new week is served soon after it
/// starts; each person gets one digest a week).
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![crate::jobs::Job::new(
        "assets.renewal_digest",
        "Send the weekly renewals digest",
        chrono::Duration::hours(1),
        digest::run,
    )]
}
