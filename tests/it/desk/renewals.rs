//! Renewals due: warranty ends and license renewals within 60 days on the organization's overview, and the
//! weekly digest for the people who ask for it (once a week, never empty, only their organizations' assets).

use crate::support::fixture::{self, count};
use crate::support::{TestApp, start_time};
use palisade::db::ids::OrgId;
use palisade::db::{Day, DbConnection};
use palisade::psa::assets::models::{self as asset_rows, AssetStatus, AssetType};

use super::assets::input;

/// An asset of `org` whose warranty ends (or, for a license, which renews) `days` after the test's start.
fn due_in(conn: &mut DbConnection, org: &OrgId, name: &str, asset_type: AssetType, days: i64) -> String {
    let day = Day::from(start_time().date()).plus_days(days);
    let mut a = input(name, None);
    a.asset_type = asset_type;
    if asset_type.is_license() {
        a.renewal_date = Some(day);
    } else {
        a.warranty_expires = Some(day);
    }
    asset_rows::insert(conn, org, &a, start_time()).unwrap().to_string()
}

fn position(body: &str, text: &str) -> usize {
    body.find(text).unwrap_or_else(|| panic!("{text} is not on the page"))
}

#[actix_web::test]
async fn the_overview_lists_renewals_due_within_sixty_days_soonest_first() {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        due_in(&mut conn, &f.t2, "Office 365 E3", AssetType::SoftwareLicense, 30);
        due_in(&mut conn, &f.t2, "Reception laptop", AssetType::Laptop, 10);
        due_in(&mut conn, &f.t2, "Far server", AssetType::Server, 61);
        due_in(&mut conn, &f.t2, "Old printer", AssetType::Printer, -1);
        let retired = due_in(&mut conn, &f.t2, "Retired phone", AssetType::PhoneOrTablet, 5);
        use diesel::prelude::*;
        use palisade::schema::assets as a;
        diesel::update(a::table.filter(a::id.eq(&retired)))
            .set(a::status.eq(AssetStatus::Retired))
            .execute(&mut conn)
            .unwrap();
        due_in(&mut conn, &other.client, "Rival oven", AssetType::Laptop, 3);
    }
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let overview = olive.get("/overview").await;
    overview.assert_status(200).assert_contains("Renewals due in the next 60 days");
    let body = &overview.body;
    assert!(position(body, "Reception laptop") < position(body, "Office 365 E3"), "soonest first");
    overview.assert_contains("Warranty ends").assert_contains("License renews").assert_contains("in 10 days");
    for absent in ["Far server", "Old printer", "Retired phone", "Rival oven"] {
        overview.assert_not_contains(absent);
    }
    // An organization with nothing due says so.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t3).await;
    priya.get("/overview").await.assert_contains("No warranty ends and no license renews in the next 60 days.");
}

#[actix_web::test]
async fn the_overview_runs_the_same_statements_with_few_or_many_renewals() {
    let mut counts = Vec::new();
    for n in [1, 30] {
        let (app, f) = TestApp::with_msp().await;
        for i in 0..n {
            due_in(&mut app.conn(), &f.t2, &format!("Laptop {i:02}"), AssetType::Laptop, 1 + i as i64);
        }
        let mut olive = app.signed_in("owner@tiertwo.test").await;
        counts.push(app.statements_of(&mut olive, "/overview").await);
        if n > 8 {
            olive.get("/overview").await.assert_contains("The 8 soonest are shown");
        }
    }
    assert_eq!(counts[0], counts[1]);
}

/// (subject, text) of the digests sent to `to`.
fn digests(messages: &[crate::mail::ReadMessage], to: &str) -> Vec<(String, String)> {
    messages
        .iter()
        .filter(|m| m.to.contains(to) && m.subject.contains("due in the next 60 days"))
        .map(|m| (m.subject.clone(), m.text.clone()))
        .collect()
}

#[actix_web::test]
async fn people_who_ask_get_one_digest_a_week_of_their_organizations_renewals() {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        due_in(&mut conn, &f.t2, "Reception laptop", AssetType::Laptop, 10);
        due_in(&mut conn, &f.t2, "Office 365 E3", AssetType::SoftwareLicense, 30);
        due_in(&mut conn, &f.t3, "Health server", AssetType::Server, 20);
        due_in(&mut conn, &other.client, "Rival oven", AssetType::Laptop, 3);
    }
    // Olive (Tier Two's admin), Priya (the MSP's admin: every client) and Rita (another MSP) ask for it; Tom
    // (assigned to Tier Two only) does not.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/profile").await.assert_contains("Email me every week");
    olive.post("/profile/renewal-digest", &[("digest", "1")]).await.assert_redirect("/profile");
    assert!(olive.get("/profile").await.body.contains(r#"name="digest" value="1" checked"#));
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/profile").await;
    priya.post("/profile/renewal-digest", &[("digest", "1")]).await.assert_status(303);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/profile").await;
    rita.post("/profile/renewal-digest", &[("digest", "1")]).await.assert_status(303);
    {
        // Dana, Tier One's admin, asked too: nothing is due there.
        use diesel::prelude::*;
        use palisade::schema::renewal_digests as d;
        let mut conn = app.conn();
        let dana = fixture::user(&mut conn, "dana@tierone.test", "Dana Dental");
        fixture::member(&mut conn, &f.t1, &dana, palisade::auth::Role::Admin);
        diesel::insert_into(d::table)
            .values((d::user_id.eq(&dana), d::subscribed_at.eq(start_time())))
            .execute(&mut conn)
            .unwrap();
    }
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM renewal_digests"), 4);

    // Jobs run side by side: the digest's emails are delivered by the next run (which runs the digest again).
    app.run_pending_jobs().await;
    let sent = super::delivered(&app).await;
    let to_olive = digests(&sent, "owner@tiertwo.test");
    assert_eq!(to_olive.len(), 1);
    assert_eq!(to_olive[0].0, "2 renewals due in the next 60 days");
    let text = &to_olive[0].1;
    assert!(text.contains("Reception laptop (Tier Two Legal): Warranty ends") && text.contains("Office 365 E3"));
    assert!(!text.contains("Health server") && !text.contains("Rival oven"));
    assert!(text.find("Reception laptop").unwrap() < text.find("Office 365 E3").unwrap());
    let to_priya = digests(&sent, "mspadmin@northwind.test");
    assert_eq!(to_priya.len(), 1);
    assert!(to_priya[0].1.contains("Health server") && !to_priya[0].1.contains("Rival oven"));
    let to_rita = digests(&sent, "admin@contoso.test");
    assert!(to_rita.len() == 1 && to_rita[0].1.contains("Rival oven") && !to_rita[0].1.contains("Reception laptop"));
    assert!(digests(&sent, "dana@tierone.test").is_empty(), "nothing due: no digest");
    assert!(digests(&sent, "tech@northwind.test").is_empty(), "not asked for");

    // A second run the same week sends nothing more; the next week sends again.
    app.clock().advance(chrono::Duration::hours(3));
    palisade::psa::assets::digest::run(app.state.clone()).await.unwrap();
    let sent = super::delivered(&app).await;
    assert_eq!(digests(&sent, "owner@tiertwo.test").len(), 1);
    app.clock().advance(chrono::Duration::days(7));
    app.run_pending_jobs().await;
    let sent = super::delivered(&app).await;
    assert_eq!(digests(&sent, "owner@tiertwo.test").len(), 2);

    // Stopping it removes the subscription: the week after sends nothing to Olive.
    olive.post("/profile/renewal-digest", &[]).await.assert_status(303);
    assert!(!olive.get("/profile").await.body.contains("checked"));
    app.clock().advance(chrono::Duration::days(7));
    app.run_pending_jobs().await;
    let sent = super::delivered(&app).await;
    assert_eq!(digests(&sent, "owner@tiertwo.test").len(), 2);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM renewal_digests"), 3);
}

#[actix_web::test]
async fn a_digest_link_opens_the_asset_in_its_organization_for_those_who_reach_it() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (health, rival) = {
        let mut conn = app.conn();
        (
            due_in(&mut conn, &f.t3, "Health server", AssetType::Server, 20),
            due_in(&mut conn, &other.client, "Rival oven", AssetType::Laptop, 3),
        )
    };
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let resp = priya.get(&format!("/assets/by-id/{health}")).await;
    resp.assert_redirect(&format!("/assets/{health}"));
    priya.follow(&resp).await.assert_status(200).assert_contains("Health server");
    priya.get(&format!("/assets/by-id/{rival}")).await.assert_status(404);
    priya.get("/assets/by-id/not-an-id").await.assert_status(404);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/assets/by-id/{health}")).await.assert_status(404);
}
