//! Assets: add, edit, filter, search, sort, retire and restore, files; forbidden roles, another tenant's ids,
//! bad input; the list's statements do not grow with assets.

use diesel::prelude::*;

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page, start_time};
use palisade::db::DbConnection;
use palisade::db::ids::OrgId;
use palisade::psa::assets::models::{self as asset_rows, AssetInput, AssetStatus, AssetType};

/// An asset of `org` (a laptop in use unless changed).
pub fn asset(conn: &mut DbConnection, org: &OrgId, name: &str, serial: Option<&str>) -> String {
    let input = input(name, serial);
    asset_rows::insert(conn, org, &input, start_time()).unwrap().to_string()
}

pub fn input(name: &str, serial: Option<&str>) -> AssetInput {
    AssetInput {
        name: name.into(),
        asset_type: AssetType::Laptop,
        status: AssetStatus::InUse,
        manufacturer: String::new(),
        model: String::new(),
        serial_number: serial.map(str::to_string),
        operating_system: String::new(),
        ip_address: String::new(),
        mac_address: String::new(),
        location: String::new(),
        contact_id: None,
        purchase_date: None,
        warranty_expires: None,
        seats_used: None,
        seats_purchased: None,
        renewal_date: None,
        notes: String::new(),
    }
}

/// The ids the access matrix calls the asset routes with: an asset of `org` and a file row of it.
pub fn matrix_fixture(conn: &mut DbConnection, org: &OrgId) -> (String, String) {
    use palisade::schema::asset_attachments as f;
    let asset = asset(conn, org, "Matrix laptop", Some("MX-1"));
    let file = palisade::db::new_id();
    diesel::insert_into(f::table)
        .values((
            f::id.eq(&file),
            f::org_id.eq(org),
            f::asset_id.eq(&asset),
            f::filename.eq("warranty.txt"),
            f::storage_key.eq("fixture/missing"),
            f::size.eq(5i64),
            f::sha256.eq(""),
            f::content_type.eq("text/plain; charset=utf-8"),
            f::uploaded_by_label.eq("Fixture"),
            f::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    (asset, file)
}

fn asset_id(conn: &mut DbConnection, org: &OrgId, name: &str) -> String {
    use palisade::schema::assets as a;
    a::table.filter(a::org_id.eq(org)).filter(a::name.eq(name)).select(a::id).first(conn).unwrap()
}

#[actix_web::test]
async fn staff_add_edit_filter_retire_and_restore_assets() {
    let (app, f) = TestApp::with_msp().await;
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/assets").await.assert_status(200).assert_contains("No assets yet.");
    olive.get("/assets/new").await.assert_status(200);
    let resp = olive
        .post(
            "/assets",
            &[
                ("name", "Reception laptop"),
                ("asset_type", "laptop"),
                ("status", "in_use"),
                ("manufacturer", "Dell"),
                ("model", "Latitude 5440"),
                ("serial_number", " abc-123 "),
                ("ip_address", "10.0.0.20"),
                ("mac_address", "00-1a-2b-3c-4d-5e"),
                ("contact", ann.as_str()),
                ("purchase_date", "2025-01-10"),
                ("warranty_expires", "2026-04-15"),
            ],
        )
        .await;
    resp.assert_status(303);
    let shown = olive.follow(&resp).await;
    shown.assert_contains("Reception laptop").assert_contains("ABC-123").assert_contains("00:1A:2B:3C:4D:5E");
    shown.assert_contains("Ann Lee").assert_contains("Dell Latitude 5440");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}' AND serial_number = 'ABC-123' AND contact_id = '{ann}' AND warranty_expires = '2026-04-15'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "asset.create").len(), 1);

    olive
        .post(
            "/assets",
            &[
                ("name", "Office 365 E3"),
                ("asset_type", "software_license"),
                ("seats_used", "25"),
                ("seats_purchased", "20"),
                ("renewal_date", "2026-06-30"),
            ],
        )
        .await
        .assert_status(303);
    olive
        .post("/assets", &[("name", "Core switch"), ("asset_type", "network_device"), ("ip_address", "10.0.0.1")])
        .await
        .assert_status(303);
    let license = asset_id(&mut app.conn(), &f.t2, "Office 365 E3");
    olive
        .get(&format!("/assets/{license}"))
        .await
        .assert_contains("25 of 20 seats used")
        .assert_contains("More in use than purchased");

    // Search by name, serial and IP; filter by type, contact and warranty (the test clock is 2026-03-02).
    let by = |body: &str, name: &str| page::has_row(body, name);
    let list = olive.get("/assets?q=abc-1").await;
    assert!(by(&list.body, "Reception laptop") && !by(&list.body, "Core switch"));
    let list = olive.get("/assets?q=10.0.0.1").await;
    assert!(by(&list.body, "Core switch") && !by(&list.body, "Reception laptop"));
    let list = olive.get("/assets?asset_type=software_license").await;
    assert!(by(&list.body, "Office 365 E3") && !by(&list.body, "Core switch"));
    let list = olive.get(&format!("/assets?contact={ann}")).await;
    assert!(by(&list.body, "Reception laptop") && !by(&list.body, "Office 365 E3"));
    let list = olive.get("/assets?warranty=soon").await;
    assert!(by(&list.body, "Reception laptop") && !by(&list.body, "Core switch"));
    olive.get("/assets?q=nothing-like-this").await.assert_contains("No asset matches these filters.");
    let sorted = olive.get("/assets?sort=type").await.body;
    assert!(sorted.find("Core switch").unwrap() < sorted.find("Office 365 E3").unwrap());
    let sorted = olive.get("/assets?sort=name").await.body;
    assert!(sorted.find("Core switch").unwrap() < sorted.find("Reception laptop").unwrap());

    // Edit: what changed goes to the log.
    let laptop = asset_id(&mut app.conn(), &f.t2, "Reception laptop");
    olive.get(&format!("/assets/{laptop}/edit")).await.assert_status(200).assert_contains("value=\"ABC-123\"");
    olive
        .post(
            &format!("/assets/{laptop}"),
            &[
                ("name", "Reception laptop"),
                ("asset_type", "laptop"),
                ("status", "in_repair"),
                ("serial_number", "ABC-123"),
            ],
        )
        .await
        .assert_status(303);
    let entry = &logged(&mut app.conn(), &f.t2, "asset.update")[0];
    assert!(entry.details.contains("status") && entry.details.contains("assigned contact"), "{}", entry.details);
    olive.get(&format!("/assets/{laptop}")).await.assert_contains("In repair").assert_contains("changed the status");

    // Retire: out of the list, kept with its history; restore puts it back in stock.
    olive.post(&format!("/assets/{laptop}/retire"), &[]).await.assert_status(303);
    olive
        .get(&format!("/assets/{laptop}"))
        .await
        .assert_contains("This asset is retired")
        .assert_contains("retired the asset");
    assert!(!page::has_row(&olive.get("/assets").await.body, "Reception laptop"));
    assert!(page::has_row(&olive.get("/assets?status=retired").await.body, "Reception laptop"));
    let sql = format!(
        "SELECT COUNT(*) AS n FROM assets WHERE id = '{laptop}' AND status = 'retired' AND retired_at IS NOT NULL"
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    olive.post(&format!("/assets/{laptop}/restore"), &[]).await.assert_status(303);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM assets WHERE id = '{laptop}' AND status = 'in_stock' AND retired_at IS NULL"
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
}

#[actix_web::test]
async fn files_are_uploaded_to_storage_and_downloaded_as_attachments() {
    let (app, f) = TestApp::with_msp().await;
    let laptop = asset(&mut app.conn(), &f.t2, "Reception laptop", None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/assets/{laptop}")).await.assert_contains("No files yet");
    let resp = super::post_multipart(
        &mut olive,
        &format!("/assets/{laptop}/files"),
        &[],
        &[("files", "warranty.pdf", b"%PDF-1.4 warranty")],
    )
    .await;
    resp.assert_status(303);
    let shown = olive.get(&format!("/assets/{laptop}")).await;
    shown.assert_contains("warranty.pdf").assert_contains("added warranty.pdf to the asset");
    let file: String = {
        use palisade::schema::asset_attachments as a;
        a::table.filter(a::asset_id.eq(&laptop)).select(a::id).first(&mut app.conn()).unwrap()
    };
    let download = olive.get(&format!("/assets/{laptop}/files/{file}")).await;
    download.assert_status(200);
    assert!(download.body.contains("warranty"));
    assert!(download.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    // No file chosen: said next to the field, 422, nothing written.
    let resp = super::post_multipart(&mut olive, &format!("/assets/{laptop}/files"), &[], &[]).await;
    resp.assert_status(422).assert_contains("Choose a file to upload.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM asset_attachments"), 1);
}

#[actix_web::test]
async fn bad_asset_input_comes_back_next_to_the_field_with_nothing_saved() {
    let (app, f, other) = TestApp::with_tenants().await;
    asset(&mut app.conn(), &f.t2, "Existing", Some("TAKEN-1"));
    let foreign_contact = super::contact(&mut app.conn(), &other.client, "Rival", "rival@bakery.test");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/assets/new").await;
    let resp = olive
        .post(
            "/assets",
            &[
                ("name", ""),
                ("asset_type", "toaster"),
                ("ip_address", "10.0.0.300"),
                ("mac_address", "zz:zz"),
                ("purchase_date", "2026-02-30"),
                ("warranty_expires", "yesterday"),
                ("location", "Kept location"),
            ],
        )
        .await;
    resp.assert_status(422).assert_contains("Name is required.").assert_contains("Choose a type from the list.");
    resp.assert_contains("Enter an IP address like").assert_contains("Enter a MAC address like");
    resp.assert_contains("Enter a date like")
        .assert_contains("value=\"Kept location\"")
        .assert_contains("value=\"10.0.0.300\"");
    let resp = olive
        .post(
            "/assets",
            &[
                ("name", "Dup"),
                ("asset_type", "laptop"),
                ("serial_number", "taken-1"),
                ("purchase_date", "2026-01-10"),
                ("warranty_expires", "2025-01-10"),
                ("contact", foreign_contact.as_str()),
            ],
        )
        .await;
    resp.assert_status(422).assert_contains("Another asset already has this serial number.");
    resp.assert_contains("The warranty cannot end before the purchase date.")
        .assert_contains("Choose a contact from the list.");
    let resp = olive
        .post(
            "/assets",
            &[("name", "Lic"), ("asset_type", "software_license"), ("seats_used", "-3"), ("status", "retired")],
        )
        .await;
    resp.assert_status(422)
        .assert_contains("Enter a whole number of seats")
        .assert_contains("retire an asset with its Retire button");
    let sql = format!("SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 1);
    assert!(logged(&mut app.conn(), &f.t2, "asset.create").is_empty());
}

#[actix_web::test]
async fn read_only_staff_and_other_tenants_cannot_touch_assets() {
    let (app, f, other) = TestApp::with_tenants().await;
    let theirs = asset(&mut app.conn(), &other.client, "Rival oven", Some("RIVAL-1"));
    let ours = asset(&mut app.conn(), &f.t1, "Monitor laptop", None);
    // An MSP admin at T1 Monitor reads the client's assets and changes nothing.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya.get("/assets").await.assert_status(200).assert_contains("Monitor laptop").assert_not_contains("Add asset");
    priya.get(&format!("/assets/{ours}")).await.assert_status(200).assert_not_contains("Retire");
    priya.post("/assets", &[("name", "Nope"), ("asset_type", "laptop")]).await.assert_status(403);
    priya.post(&format!("/assets/{ours}/retire"), &[]).await.assert_status(403);
    priya.get(&format!("/assets/{ours}/edit")).await.assert_status(403);
    // Another tenant's asset is not found, read or written; nor is a sibling client's.
    priya.switch_to(&f.t3).await;
    priya.get(&format!("/assets/{theirs}")).await.assert_status(404);
    priya.get("/assets/new").await;
    priya
        .post(&format!("/assets/{theirs}"), &[("name", "Hijacked"), ("asset_type", "laptop")])
        .await
        .assert_status(404);
    priya.post(&format!("/assets/{theirs}/retire"), &[]).await.assert_status(404);
    priya.get(&format!("/assets/{ours}")).await.assert_status(404);
    assert!(!page::has_row(&priya.get("/assets?status=all").await.body, "Rival oven"));
    let sql = "SELECT COUNT(*) AS n FROM assets WHERE name IN ('Nope', 'Hijacked') OR status = 'retired'";
    assert_eq!(count(&mut app.conn(), sql), 0);
}

/// Statements of the asset list (filtered, searched and sorted too) and an asset's page with `n` assets.
async fn statements(n: usize) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let first = {
        let mut conn = app.conn();
        let rows: Vec<AssetInput> = (0..n)
            .map(|i| {
                let mut a = input(&format!("Laptop {i:04}"), Some(&format!("SN-{i:05}")));
                a.contact_id = (i % 2 == 0).then(|| ann.clone());
                a.ip_address = format!("10.0.{}.{}", i / 250, i % 250);
                a
            })
            .collect();
        asset_rows::insert_many(&mut conn, &f.t2, &rows, start_time(), 500).unwrap();
        asset_id(&mut conn, &f.t2, "Laptop 0000")
    };
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let mut counts = Vec::new();
    for path in [
        "/assets".to_string(),
        format!("/assets?q=laptop&asset_type=laptop&contact={ann}&sort=warranty&page=2"),
        format!("/assets/{first}"),
    ] {
        counts.push(app.statements_of(&mut olive, &path).await);
    }
    counts
}

#[actix_web::test]
async fn the_asset_list_and_page_do_not_grow_with_assets() {
    assert_eq!(statements(1).await, statements(100).await);
}

#[actix_web::test]
async fn a_csv_import_is_previewed_then_applied_and_an_export_imports_back() {
    let (app, f) = TestApp::with_msp().await;
    super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    asset(&mut app.conn(), &f.t2, "Old name", Some("SN-OLD"));
    let retired = asset(&mut app.conn(), &f.t2, "Gone", Some("SN-GONE"));
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/assets/{retired}")).await;
    olive.post(&format!("/assets/{retired}/retire"), &[]).await.assert_status(303);
    olive.get("/assets/import").await.assert_status(200);
    let csv = "Name,Type,Serial_Number,IP_Address,Contact_Email,Warranty_Expires\n\
        \"Desk, front\",Laptop,sn-new,10.0.0.5,ANN@legal.test,2026-04-01\n\
        Renamed,Server,SN-OLD,,,\n\
        ,Laptop,SN-X,,,\n\
        Twice,Laptop,SN-NEW,,,\n\
        Bad IP,Laptop,,999.1.1.1,,\n\
        Bad date,Laptop,,,,2026-13-01\n\
        Stranger,Laptop,,,nobody@legal.test,\n\
        Back,Laptop,sn-gone,,,\n";
    let preview =
        super::post_multipart(&mut olive, "/assets/import", &[], &[("file", "assets.csv", csv.as_bytes())]).await;
    preview.assert_status(200).assert_contains("1 new, 1 to update (matched by serial number), 6 refused");
    preview.assert_contains("Name is required.").assert_contains("Serial number SN-NEW appears twice in the file.");
    preview.assert_contains("Enter an IP address like").assert_contains("Enter a date like");
    preview.assert_contains("No contact has the email nobody@legal.test.").assert_contains("is a retired asset");
    let sql = format!("SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 2, "a preview writes nothing");
    olive.post("/assets/import/apply", &[("csv", csv)]).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), &sql), 3);
    let added = format!(
        "SELECT COUNT(*) AS n FROM assets a JOIN contacts c ON c.id = a.contact_id WHERE a.org_id = '{}' AND a.name = 'Desk, front' AND a.serial_number = 'SN-NEW' AND c.email = 'ann@legal.test' AND a.warranty_expires = '2026-04-01'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &added), 1);
    let renamed = format!(
        "SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}' AND name = 'Renamed' AND asset_type = 'server' AND serial_number = 'SN-OLD'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &renamed), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "asset.import")[0].details, "1 added, 1 updated, 6 refused");

    // The export has the import's columns; importing it back only updates (every serial is known).
    let export = olive.get("/assets/export.csv?sort=name").await;
    export.assert_status(200);
    assert!(export.body.starts_with("name,type,status,manufacturer,model,serial_number"));
    assert!(export.body.contains("\"Desk, front\",Laptop,In use,,,SN-NEW,,10.0.0.5,,,ann@legal.test,,2026-04-01"));
    assert!(!export.body.contains("Gone"), "retired assets are not in the default list");
    let again = olive.post("/assets/import", &[("csv", &export.body)]).await;
    again.assert_status(200).assert_contains("0 new, 2 to update (matched by serial number), 0 refused");

    // A file without the name column is refused as a whole, with the text kept and nothing written.
    let resp = olive.post("/assets/import", &[("csv", "serial_number\nSN-Z\n")]).await;
    resp.assert_status(422).assert_contains("The first line must name the columns").assert_contains("SN-Z");
    let resp = olive.post("/assets/import/apply", &[("csv", "type\nLaptop\n")]).await;
    resp.assert_status(422);
    assert_eq!(count(&mut app.conn(), &sql), 3);
}

#[actix_web::test]
async fn read_only_staff_cannot_import_and_the_import_stays_in_its_tenant() {
    let (app, f, other) = TestApp::with_tenants().await;
    asset(&mut app.conn(), &other.client, "Rival laptop", Some("SHARED-1"));
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya.get("/assets/import").await.assert_status(403);
    priya.post("/assets/import/apply", &[("csv", "name\nNope\n")]).await.assert_status(403);
    priya.get("/assets/export.csv").await.assert_status(200);
    // Another tenant's serial number is a new asset here, and theirs is untouched.
    priya.switch_to(&f.t3).await;
    priya.get("/assets/import").await;
    let csv = "name,type,serial_number\nMine now,Laptop,shared-1\n";
    priya.post("/assets/import", &[("csv", csv)]).await.assert_contains("1 new, 0 to update");
    priya.post("/assets/import/apply", &[("csv", csv)]).await.assert_status(303);
    let theirs =
        format!("SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}' AND name = 'Rival laptop'", other.client);
    assert_eq!(count(&mut app.conn(), &theirs), 1);
    let ours = format!("SELECT COUNT(*) AS n FROM assets WHERE org_id = '{}' AND name = 'Mine now'", f.t3);
    assert_eq!(count(&mut app.conn(), &ours), 1);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM assets WHERE name = 'Nope'"), 0);
}
