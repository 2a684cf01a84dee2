//! The asset inventory as living evidence of the asset-management controls: an asset change makes CCF-AM-01
//! (hardware) or CCF-AM-02 (software and licenses) count as having current evidence, the control page shows the
//! inventory's size, last update and the 90-day rule, and an inventory left alone for longer stops counting.
//! Another tenant's assets and refused input change nothing.

use diesel::prelude::*;

use crate::support::fixture::{self, count};
use crate::support::{TestApp, start_time};
use palisade::db::ids::OrgId;
use palisade::schema::org_controls as oc;

/// (approved evidence, valid until) of a control of `org`.
fn summary(app: &TestApp, org: &OrgId, control: &str) -> (i32, Option<String>) {
    let row: (i32, Option<palisade::db::Day>) = oc::table
        .filter(oc::org_id.eq(org))
        .filter(oc::control_id.eq(control))
        .select((oc::evidence_approved, oc::evidence_valid_until))
        .first(&mut app.conn())
        .unwrap();
    (row.0, row.1.map(|d| d.to_string()))
}

fn overall_met(app: &TestApp, org: &OrgId) -> i64 {
    count(
        &mut app.conn(),
        &format!("SELECT CAST(met AS BIGINT) AS n FROM compliance_scores WHERE org_id = '{org}' AND framework_id = ''"),
    )
}

#[actix_web::test]
async fn the_asset_inventory_is_current_evidence_of_the_asset_management_controls_for_ninety_days() {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        fixture::adopt(&mut conn, &f.t2, "soc2", start_time());
        fixture::adopt(&mut conn, &other.client, "soc2", start_time());
        // Both controls implemented: only evidence is missing for them to be effective.
        for org in [&f.t2, &other.client] {
            diesel::update(oc::table.filter(oc::org_id.eq(org)).filter(oc::control_id.like("CCF-AM-0%")))
                .set(oc::status.eq(palisade::compliance::program::ControlStatus::Implemented))
                .execute(&mut conn)
                .unwrap();
        }
    }
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (0, None));
    let met_before = overall_met(&app, &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get("/compliance/controls/CCF-AM-01").await;
    page.assert_status(200).assert_contains("Hardware inventory").assert_contains("No hardware assets in service yet");
    page.assert_contains("updated in the last 90 days").assert_contains("Not effective");

    // Refused input changes nothing.
    olive
        .post("/assets", &[("name", "Bad"), ("asset_type", "laptop"), ("ip_address", "999.1.1.1")])
        .await
        .assert_status(422);
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (0, None));

    olive.post("/assets", &[("name", "Reception laptop"), ("asset_type", "laptop")]).await.assert_status(303);
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (1, Some("2026-05-31".into())), "90 days after the update");
    assert_eq!(summary(&app, &f.t2, "CCF-AM-02"), (0, None), "no software in the inventory");
    assert_eq!(overall_met(&app, &f.t2), met_before + 1, "the scores are refreshed");
    let page = olive.get("/compliance/controls/CCF-AM-01").await;
    page.assert_contains("1 hardware assets in service").assert_contains("counts as evidence through May 31, 2026");
    page.assert_contains(r#"data-testid="control-effective">Effective"#);
    olive
        .post(
            "/assets",
            &[("name", "Office 365 E3"), ("asset_type", "software_license"), ("renewal_date", "2026-09-30")],
        )
        .await
        .assert_status(303);
    assert_eq!(summary(&app, &f.t2, "CCF-AM-02").0, 1);
    olive
        .get("/compliance/controls/CCF-AM-02")
        .await
        .assert_contains("1 software licenses and cloud services in service");

    // Another tenant's inventory is its own.
    assert_eq!(summary(&app, &other.client, "CCF-AM-01"), (0, None));

    // Ninety-one days without a change: the inventory no longer counts.
    app.clock().advance(chrono::Duration::days(91));
    let page = olive.get("/compliance/controls/CCF-AM-01").await;
    page.assert_contains("Not current").assert_contains("Not effective");
    // A change makes it current again, from that day.
    let laptop: String = palisade::schema::assets::table
        .filter(palisade::schema::assets::org_id.eq(&f.t2))
        .filter(palisade::schema::assets::name.eq("Reception laptop"))
        .select(palisade::schema::assets::id)
        .first(&mut app.conn())
        .unwrap();
    olive.post(&format!("/assets/{laptop}/retire"), &[]).await.assert_status(303);
    // Retired, the only laptop leaves the hardware inventory empty: no evidence at all.
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (0, None));
    olive.post(&format!("/assets/{laptop}/restore"), &[]).await.assert_status(303);
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (1, Some("2026-08-30".into())));
    olive.get("/compliance/controls/CCF-AM-01").await.assert_contains(r#"badge badge-ok">Current"#);
}

#[actix_web::test]
async fn adopting_a_framework_later_takes_the_inventory_at_once() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/assets/new").await;
    olive.post("/assets", &[("name", "Core switch"), ("asset_type", "network_device")]).await.assert_status(303);
    fixture::adopt(&mut app.conn(), &f.t2, "soc2", start_time());
    assert_eq!(summary(&app, &f.t2, "CCF-AM-01"), (1, Some("2026-05-31".into())));
}
