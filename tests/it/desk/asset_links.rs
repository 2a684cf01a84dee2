//! Tickets <-> assets: link from the ticket's picker, unlink, both pages list the other side, the activity log of
//! both; a read-only role, another tenant's or client's ids, a retired asset and linking twice.

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};
use palisade::db::ids::OrgId;

use super::assets::asset;

fn links(app: &TestApp, org: &OrgId) -> i64 {
    count(&mut app.conn(), &format!("SELECT COUNT(*) AS n FROM ticket_assets WHERE org_id = '{org}'"))
}

fn link_entries(app: &TestApp) -> i64 {
    let sql =
        "SELECT COUNT(*) AS n FROM activity_log WHERE action LIKE 'ticket.asset_%' OR action LIKE 'asset.ticket_%'";
    count(&mut app.conn(), sql)
}

#[actix_web::test]
async fn staff_link_an_asset_from_the_picker_and_both_pages_list_the_other_side() {
    let (app, f) = TestApp::with_msp().await;
    let (laptop, printer) = {
        let mut conn = app.conn();
        super::ticket(&mut conn, &f.t2, &f.admin, "Laptop will not boot", None);
        (
            asset(&mut conn, &f.t2, "Reception laptop", Some("SN-LAP-1")),
            asset(&mut conn, &f.t2, "Hall printer", Some("SN-PRN-9")),
        )
    };
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/tickets/1").await.assert_status(200).assert_contains("No asset is linked to this ticket.");
    olive.get(&format!("/assets/{laptop}")).await.assert_contains("No ticket is linked to this asset.");

    // The picker finds assets in service by serial number or name.
    let found = olive.get("/tickets/1/assets?q=sn-lap").await;
    found.assert_status(200);
    assert!(page::has_row(&found.body, "Reception laptop") && !page::has_row(&found.body, "Hall printer"));
    let found = olive.get("/tickets/1/assets?q=printer").await;
    assert!(page::has_row(&found.body, "Hall printer") && !page::has_row(&found.body, "Reception laptop"));
    olive.get("/tickets/1/assets?q=nothing-like-it").await.assert_contains("No asset in service matches");

    let resp = olive.post("/tickets/1/assets", &[("asset", laptop.as_str())]).await;
    resp.assert_redirect("/tickets/1");
    let ticket = olive.follow(&resp).await;
    ticket.assert_contains("Reception laptop is linked to this ticket.").assert_contains("SN-LAP-1");
    ticket.assert_contains("linked the asset Reception laptop");
    let shown = olive.get(&format!("/assets/{laptop}")).await;
    shown.assert_contains("#1 Laptop will not boot").assert_contains("linked the asset Reception laptop to ticket #1");
    let row = format!(
        "SELECT COUNT(*) AS n FROM ticket_assets WHERE org_id = '{}' AND asset_id = '{laptop}' AND linked_by LIKE 'Olive Owner%'",
        f.t2
    );
    assert_eq!(count(&mut app.conn(), &row), 1);
    let on_ticket = logged(&mut app.conn(), f.t2.as_str(), "ticket.asset_link");
    assert_eq!((on_ticket.len(), on_ticket[0].details.as_str()), (1, "Reception laptop"));
    let on_asset = logged(&mut app.conn(), f.t2.as_str(), "asset.ticket_link");
    assert_eq!((on_asset.len(), on_asset[0].target_id.as_str()), (1, laptop.as_str()));
    assert!(olive.get("/tickets/1/assets?q=sn-lap").await.body.contains("Linked"));

    // Linking twice writes nothing more.
    let again = olive.post("/tickets/1/assets", &[("asset", laptop.as_str())]).await;
    olive.follow(&again).await.assert_contains("Reception laptop was already linked to this ticket.");
    assert_eq!(links(&app, &f.t2), 1);
    assert_eq!(link_entries(&app), 2);

    // Unlinking removes the row and says so on both sides.
    let resp = olive.post(&format!("/tickets/1/assets/{laptop}/unlink"), &[]).await;
    olive.follow(&resp).await.assert_contains("Reception laptop is no longer linked to this ticket.");
    assert_eq!(links(&app, &f.t2), 0);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "ticket.asset_unlink").len(), 1);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "asset.ticket_unlink").len(), 1);
    olive.get(&format!("/assets/{laptop}")).await.assert_contains("No ticket is linked to this asset.");
    let twice = olive.post(&format!("/tickets/1/assets/{laptop}/unlink"), &[]).await;
    olive.follow(&twice).await.assert_contains("Reception laptop is not linked to this ticket.");

    // A retired asset is not offered and cannot be linked; no choice at all is refused with a message.
    olive.post(&format!("/assets/{printer}/retire"), &[]).await.assert_status(303);
    assert!(!page::has_row(&olive.get("/tickets/1/assets?q=printer").await.body, "Hall printer"));
    let refused = olive.post("/tickets/1/assets", &[("asset", printer.as_str())]).await;
    olive.follow(&refused).await.assert_contains("Hall printer is retired");
    let empty = olive.post("/tickets/1/assets", &[("asset", "")]).await;
    olive.follow(&empty).await.assert_contains("Choose an asset to link");
    assert_eq!(links(&app, &f.t2), 0);
    assert_eq!(link_entries(&app), 4);
}

#[actix_web::test]
async fn read_only_staff_cannot_link_and_other_tenants_ids_are_not_found() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (ours, monitored, sibling, theirs) = {
        let mut conn = app.conn();
        super::ticket(&mut conn, &f.t1, &f.admin, "Monitor ticket", None);
        super::ticket(&mut conn, &f.t2, &f.admin, "Legal ticket", None);
        super::ticket(&mut conn, &other.client, &other.admin, "Rival ticket", None);
        (
            asset(&mut conn, &f.t2, "Legal laptop", Some("SN-LEGAL")),
            asset(&mut conn, &f.t1, "Dental laptop", Some("SN-DENTAL")),
            asset(&mut conn, &f.t3, "Health laptop", Some("SN-HEALTH")),
            asset(&mut conn, &other.client, "Rival oven", Some("SN-RIVAL")),
        )
    };
    // An MSP admin at T1 Monitor reads the ticket, without the picker, and links nothing.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya.get("/tickets/1").await.assert_status(200).assert_not_contains("Link an asset");
    priya.get("/tickets/1/assets").await.assert_status(403);
    priya.post("/tickets/1/assets", &[("asset", monitored.as_str())]).await.assert_status(403);
    priya.post(&format!("/tickets/1/assets/{monitored}/unlink"), &[]).await.assert_status(403);

    // The client's admin links only its own assets to its own tickets.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/tickets/1").await.assert_status(200).assert_contains("Link an asset");
    for foreign in [&sibling, &theirs, &monitored] {
        olive.post("/tickets/1/assets", &[("asset", foreign.as_str())]).await.assert_status(404);
    }
    olive.post("/tickets/7/assets", &[("asset", ours.as_str())]).await.assert_status(404);
    olive.get("/tickets/7/assets").await.assert_status(404);
    olive.post(&format!("/tickets/1/assets/{theirs}/unlink"), &[]).await.assert_status(404);
    assert!(!page::has_row(&olive.get("/tickets/1/assets?q=laptop").await.body, "Health laptop"));
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM ticket_assets"), 0);
    assert_eq!(link_entries(&app), 0);

    // Another MSP's admin cannot reach them either: their #1 is their own ticket.
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/tickets/1").await.assert_status(200);
    rita.post("/tickets/1/assets", &[("asset", ours.as_str())]).await.assert_status(404);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM ticket_assets"), 0);
}

#[actix_web::test]
async fn the_asset_picker_runs_the_same_statements_with_1_or_40_assets() {
    let mut counts = Vec::new();
    for n in [1, 40] {
        let (app, f) = TestApp::with_msp().await;
        super::ticket(&mut app.conn(), &f.t2, &f.admin, "Laptop will not boot", None);
        for i in 0..n {
            asset(&mut app.conn(), &f.t2, &format!("Laptop {i:02}"), Some(&format!("SN-{i:02}")));
        }
        let mut olive = app.signed_in("owner@tiertwo.test").await;
        counts.push(app.statements_of(&mut olive, "/tickets/1/assets").await);
        counts.push(app.statements_of(&mut olive, "/tickets/1/assets?q=laptop").await);
    }
    assert_eq!(counts[..2], counts[2..]);
}
