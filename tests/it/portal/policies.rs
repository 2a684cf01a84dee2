//! Portal -> Policies and Compliance status: an end user signs what a campaign asks of them (found by their
//! email in the client's people directory) through the campaign's signing service, sees what they signed; the
//! compliance scores when the client shows them, nothing otherwise.

use diesel::prelude::*;

use crate::support::fixture::{self, count};
use crate::support::{TestApp, start_time};
use palisade::compliance::people::models::{self as people, PersonInput};
use palisade::schema::{campaign_requests, portal_settings};

const PORTAL: &str = "/portal/tier-two-legal";

#[actix_web::test]
async fn an_end_user_signs_a_campaigns_policies_in_the_portal() {
    let (app, f, other) = TestApp::with_tenants().await;
    let campaign = {
        let mut conn = app.conn();
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", None, false);
        fixture::portal_user(&mut conn, &f.t2, "cora@tiertwo.test", "Cora Company", None, true);
        fixture::portal_user(&mut conn, &other.client, "rex@bakery.test", "Rex Baker", None, false);
        let input =
            PersonInput { name: "Erin Enduser".into(), email: "erin@tiertwo.test".into(), ..Default::default() };
        people::insert(&mut conn, &f.t2, &input, None, start_time()).unwrap();
        let policy = crate::compliance::policies::published(&mut conn, &f.t2, &f.client_admin, &f.admin, start_time());
        crate::compliance::campaigns::matrix_campaign(&mut conn, &f.t2, &policy, start_time())
    };
    let mut erin = app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    erin.get(PORTAL).await.assert_status(200).assert_contains("Policy to sign");
    let list = erin.get(&format!("{PORTAL}/policies")).await;
    list.assert_status(200).assert_contains("Matrix campaign").assert_contains("You have not signed any policy yet.");
    let page = format!("{PORTAL}/policies/{campaign}");
    erin.get(&page).await.assert_status(200).assert_contains("Everyone locks their screen.");
    let refused = erin.post(&page, &[("full_name", "Erin Enduser")]).await;
    refused.assert_status(422).assert_contains("Tick the box").assert_contains("value=\"Erin Enduser\"");
    let signed = |app: &TestApp| {
        count(&mut app.conn(), "SELECT COUNT(*) AS n FROM acknowledgments WHERE typed_name = 'Erin Enduser'")
    };
    assert_eq!(signed(&app), 0);
    let done = erin.post(&page, &[("full_name", "Erin Enduser"), ("consent", "1")]).await;
    done.assert_redirect(&format!("{PORTAL}/policies"));
    assert_eq!(signed(&app), 1, "the signature is the campaign's evidence");
    let open: i64 = campaign_requests::table
        .filter(campaign_requests::campaign_id.eq(&campaign))
        .filter(campaign_requests::signed_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(open, 0, "the campaign's request is spent");
    let after = erin.get(&format!("{PORTAL}/policies")).await;
    after.assert_contains("Nothing to sign right now.").assert_contains("Fixture policy");
    erin.get(&page).await.assert_status(404);
    // Not in the directory, another tenant: nothing to sign here.
    let mut cora = app.client().await;
    cora.portal_sign_in(PORTAL, "cora@tiertwo.test").await;
    cora.get(&format!("{PORTAL}/policies")).await.assert_status(200).assert_contains("not in its people directory");
    cora.get(&page).await.assert_status(404);
    let mut rex = app.client().await;
    rex.portal_sign_in("/portal/rival-client-bakery", "rex@bakery.test").await;
    rex.get(&format!("/portal/rival-client-bakery/policies/{campaign}")).await.assert_status(404);
    rex.get(&page).await.assert_status(404);
}

#[actix_web::test]
async fn compliance_status_shows_the_scores_only_when_the_client_turns_it_on() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", None, false);
        fixture::adopt(&mut conn, &f.t2, "hipaa", start_time());
    }
    let mut erin = app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    erin.get(&format!("{PORTAL}/compliance")).await.assert_status(404);
    diesel::insert_into(portal_settings::table)
        .values((
            portal_settings::org_id.eq(&f.t2),
            portal_settings::show_compliance.eq(true),
            portal_settings::updated_at.eq(start_time()),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let page = erin.get(&format!("{PORTAL}/compliance")).await;
    page.assert_status(200).assert_contains("data-testid=\"overall-score\"").assert_contains("HIPAA");
    page.assert_contains("Scores over the last 90 days").assert_not_contains("CCF-");
    let statements = app.statements_of(&mut erin, &format!("{PORTAL}/compliance")).await;
    assert!(statements <= 6, "{statements} statements");
    // The trend ends on the client's today: 09:00 UTC on March 2 is still March 1 in American Samoa.
    page.assert_contains(">Mar 2<");
    diesel::update(palisade::schema::organizations::table.find(f.t2.as_str()))
        .set(palisade::schema::organizations::timezone.eq("Pacific/Pago_Pago"))
        .execute(&mut app.conn())
        .unwrap();
    let local = erin.get(&format!("{PORTAL}/compliance")).await;
    local.assert_contains(">Mar 1<").assert_not_contains(">Mar 2<");
}
