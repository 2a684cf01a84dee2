//! Contacts: add, edit, search, archive, a contact's tickets, CSV import with preview; forbidden roles,
//! another tenant's ids and bad input.

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};

#[actix_web::test]
async fn staff_add_edit_search_and_archive_contacts() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/contacts/new").await.assert_status(200);
    let resp = olive
        .post(
            "/contacts",
            &[("name", "Ann Lee"), ("email", " Ann@Example.TEST "), ("phone", "555-0100"), ("billing", "1")],
        )
        .await;
    resp.assert_status(303);
    let page_of_ann = olive.follow(&resp).await;
    page_of_ann.assert_contains("Ann Lee").assert_contains("ann@example.test").assert_contains("Billing");
    page_of_ann.assert_contains("Ann Lee has raised no tickets.");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}' AND email = 'ann@example.test' AND email_domain = 'example.test' AND is_billing",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "contact.create").len(), 1);

    olive.post("/contacts", &[("name", "Bo Diaz"), ("email", "bo@example.test")]).await.assert_status(303);
    let list = olive.get("/contacts?q=ann").await;
    assert!(page::has_row(&list.body, "Ann Lee") && !page::has_row(&list.body, "Bo Diaz"));
    olive.get("/contacts?q=nobody-like-this").await.assert_contains("No contact matches");

    let id = crate::support::db::contact_id(&mut app.conn(), &f.t2, "ann@example.test");
    olive.get(&format!("/contacts/{id}/edit")).await.assert_status(200);
    olive
        .post(&format!("/contacts/{id}"), &[("name", "Ann Lee-Park"), ("email", "ann@example.test")])
        .await
        .assert_status(303);
    olive.get(&format!("/contacts/{id}")).await.assert_contains("Ann Lee-Park").assert_not_contains("Billing");
    olive.post(&format!("/contacts/{id}/archive"), &[]).await.assert_status(303);
    let archived = olive.get(&format!("/contacts/{id}")).await;
    archived.assert_contains("This contact is archived");
    assert!(!page::has_row(&olive.get("/contacts").await.body, "Ann Lee-Park"));
    assert!(page::has_row(&olive.get("/contacts?status=archived").await.body, "Ann Lee-Park"));
    olive.post(&format!("/contacts/{id}/restore"), &[]).await.assert_status(303);
    assert!(page::has_row(&olive.get("/contacts").await.body, "Ann Lee-Park"));
}

#[actix_web::test]
async fn bad_contact_input_comes_back_next_to_the_field_with_nothing_saved() {
    let (app, f) = TestApp::with_msp().await;
    super::contact(&mut app.conn(), &f.t2, "Taken", "taken@example.test");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/contacts/new").await;
    let resp = olive.post("/contacts", &[("name", ""), ("email", "not an email"), ("phone", "Kept phone")]).await;
    resp.assert_status(422).assert_contains("Name is required.").assert_contains("Enter an email address like");
    resp.assert_contains("value=\"Kept phone\"");
    let resp = olive.post("/contacts", &[("name", "Someone"), ("email", "TAKEN@example.test")]).await;
    resp.assert_status(422).assert_contains("Another contact already has this email.");
    let sql = format!("SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 1);
}

#[actix_web::test]
async fn read_only_staff_and_other_tenants_cannot_touch_contacts() {
    let (app, f, other) = TestApp::with_tenants().await;
    let theirs = super::contact(&mut app.conn(), &other.client, "Rival Person", "rival@bakery.test");
    let ours = super::contact(&mut app.conn(), &f.t1, "Monitor Person", "monitor@dental.test");
    // An MSP admin at T1 Monitor reads the client's contacts and changes nothing.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya
        .get("/contacts")
        .await
        .assert_status(200)
        .assert_contains("Monitor Person")
        .assert_not_contains("Add contact");
    priya.post("/contacts", &[("name", "Nope")]).await.assert_status(403);
    priya.post(&format!("/contacts/{ours}/archive"), &[]).await.assert_status(403);
    // Another tenant's contact is not found, read or written.
    priya.switch_to(&f.t3).await;
    priya.get(&format!("/contacts/{theirs}")).await.assert_status(404);
    priya.get("/contacts/new").await;
    priya.post(&format!("/contacts/{theirs}"), &[("name", "Hijacked")]).await.assert_status(404);
    priya.get(&format!("/contacts/{ours}")).await.assert_status(404);
    let sql = "SELECT COUNT(*) AS n FROM contacts WHERE name IN ('Nope', 'Hijacked') OR archived_at IS NOT NULL";
    assert_eq!(count(&mut app.conn(), sql), 0);
}

#[actix_web::test]
async fn a_csv_import_is_previewed_then_applied_row_by_row() {
    let (app, f) = TestApp::with_msp().await;
    super::contact(&mut app.conn(), &f.t2, "Old Name", "old@example.test");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/contacts/import").await.assert_status(200);
    let csv = "Name,Email,Phone,Billing\n\"Lee, Ann\",ann@example.test,555,yes\nNew Name,OLD@example.test,,\n,nameless@example.test,,\nTwice,ann@example.test,,\nBad Mail,not-mail,,\n";
    let preview =
        super::post_multipart(&mut olive, "/contacts/import", &[], &[("file", "contacts.csv", csv.as_bytes())]).await;
    preview.assert_status(200).assert_contains("1 new, 1 to update (matched by email), 3 refused");
    preview.assert_contains("Name is required.").assert_contains("appears twice in the file");
    let sql = format!("SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 1, "a preview writes nothing");
    olive.post("/contacts/import/apply", &[("csv", csv)]).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), &sql), 2);
    let updated = format!(
        "SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}' AND name = 'New Name' AND email = 'old@example.test'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &updated), 1);
    let added = format!(
        "SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}' AND name = 'Lee, Ann' AND is_billing AND phone = '555'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &added), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "contact.import")[0].details, "1 added, 1 updated, 3 refused");
    // A file without the name column is refused as a whole, with the text kept.
    let resp = olive.post("/contacts/import", &[("csv", "email\nx@y.test\n")]).await;
    resp.assert_status(422).assert_contains("The first line must name the columns").assert_contains("x@y.test");
}
