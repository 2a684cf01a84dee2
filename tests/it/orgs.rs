//! The client switcher, the organization banner, and forms refused after a switch in another tab.

use crate::support::fixture::{self, count};
use crate::support::{TestApp, page};

#[actix_web::test]
async fn switching_client_changes_the_banner_and_lands_on_the_same_section() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let home = c.sign_in("admin@northwind.test").await;
    home.assert_contains("Working in").assert_contains(fixture::MSP_NAME);
    c.get("/settings/team").await;
    let resp = c.post("/switch", &[("org_id", &f.t2), ("next", "/settings/team")]).await;
    resp.assert_redirect("/settings/team");
    let team = c.follow(&resp).await;
    team.assert_status(200);
    let banner =
        team.body.split("data-testid=\"org-banner\"").nth(1).unwrap().split("</div>").next().unwrap().to_string();
    assert!(banner.contains("Tier Two Legal"), "{banner}");
    assert!(banner.contains("via Northwind Managed IT"), "{banner}");
    team.assert_contains("Olive Owner");
    // MSP pages act on the person's MSP whatever client is selected (and the MSP group stays in the sidebar);
    // switching to a client from one of them lands on the client's overview.
    let msp_clients = c.get("/msp/clients").await;
    msp_clients.assert_status(200).assert_contains("Tier One Dental").assert_contains("Tier Three Health");
    assert!(page::banner(&msp_clients.body).contains("Tier Two Legal"), "still working in the client");
    let sidebar = msp_clients.body.split("</aside>").next().unwrap();
    assert!(sidebar.contains("href=\"/msp/dashboard\"") && sidebar.contains("href=\"/msp/clients\""), "{sidebar}");
    c.get("/msp/dashboard").await.assert_status(200).assert_contains("Tier Three Health");
    let back = c.post("/switch", &[("org_id", &f.msp), ("next", "/msp/clients")]).await;
    back.assert_redirect("/msp/clients");
    let to_client = c.post("/switch", &[("org_id", &f.t1), ("next", "/msp/clients")]).await;
    to_client.assert_redirect("/overview");
}

#[actix_web::test]
async fn the_switcher_lists_only_reachable_organizations_and_refuses_others() {
    let app = TestApp::new().await;
    let (f, other) = {
        let mut conn = app.conn();
        (fixture::msp(&mut conn), fixture::other(&mut conn))
    };
    let mut tech = app.client().await;
    tech.sign_in("tech@northwind.test").await;
    let page = tech.get("/switch").await;
    page.assert_status(200).assert_contains("Tier Two Legal").assert_not_contains("Tier One Dental");
    page.assert_not_contains(fixture::OTHER_CLIENT);
    tech.post("/switch", &[("org_id", &f.t1)]).await.assert_status(404);
    tech.post("/switch", &[("org_id", &other.client)]).await.assert_status(404);
    tech.post("/switch", &[("org_id", "not-an-id")]).await.assert_status(404);
    let filtered = tech.get("/switch?q=two").await;
    filtered.assert_contains("Tier Two Legal");
    let none = tech.get("/switch?q=zzz").await;
    none.assert_contains("No client matches");
    let json = tech.get("/switch/options?q=tier").await;
    json.assert_status(200).assert_contains("Tier Two Legal").assert_not_contains("Tier One Dental");
}

#[actix_web::test]
async fn the_switcher_filters_hundreds_of_clients_with_a_bounded_sidebar() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    {
        let mut conn = app.conn();
        for i in 0..120 {
            fixture::client_of(&mut conn, &f.msp, &format!("Bulk Client {i:03}"), palisade::auth::Tier::Operate);
        }
    }
    let mut c = app.client().await;
    let home = c.sign_in("admin@northwind.test").await;
    let sidebar = home.body.split("</aside>").next().unwrap();
    assert!(sidebar.contains("All 123 clients") && sidebar.contains("Bulk Client 007"));
    assert!(!sidebar.contains("Bulk Client 119"), "the sidebar lists a bounded number of clients");
    let page = c.get("/switch?q=Bulk+Client+11").await;
    page.assert_contains("Bulk Client 119").assert_not_contains("Bulk Client 099");
    let second = c.get("/switch?page=5").await;
    second.assert_contains("Page 5 of 5");
}

#[actix_web::test]
async fn a_form_posted_after_switching_in_another_tab_is_refused_with_the_input_kept() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.sign_in("admin@northwind.test").await;
    c.switch_to(&f.t3).await;
    c.get("/settings/team").await;
    let form_org = c.org.clone().unwrap();
    assert_eq!(form_org, f.t3);
    // Another tab switches to Tier Two Legal.
    c.post("/switch", &[("org_id", &f.t2)]).await;
    let refused = c
        .post(
            "/settings/team/invite",
            &[("_org", &form_org), ("email", "new.person@example.test"), ("role", "EMPLOYEE")],
        )
        .await;
    refused
        .assert_status(409)
        .assert_contains("This form belongs to Tier Three Health")
        .assert_contains("new.person@example.test");
    refused.assert_contains("Switch to Tier Three Health and submit again");
    let mut conn = app.conn();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM invitations"), 0, "nothing applied to either client");
    // Submitting again from that page switches back and repeats the POST (307) in the right organization.
    let resubmit = c
        .post(
            "/context/resubmit",
            &[
                ("_org", &form_org),
                ("_target", "/settings/team/invite"),
                ("email", "new.person@example.test"),
                ("role", "EMPLOYEE"),
            ],
        )
        .await;
    resubmit.assert_status(307);
    assert_eq!(resubmit.location.as_deref(), Some("/settings/team/invite"));
    let again = c
        .post(
            "/settings/team/invite",
            &[("_org", &form_org), ("email", "new.person@example.test"), ("role", "EMPLOYEE")],
        )
        .await;
    again.assert_redirect("/settings/team");
    let invited_org = count(&mut conn, &format!("SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{}'", f.t3));
    assert_eq!(invited_org, 1);
}

#[actix_web::test]
async fn deactivation_ends_access_on_the_very_next_request() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let mut owner = app.client().await;
    let mut tech = app.client().await;
    tech.sign_in("tech@northwind.test").await;
    tech.get("/msp/clients").await.assert_status(200);
    owner.sign_in("admin@northwind.test").await;
    owner.get("/settings/team").await;
    let membership: String = {
        use diesel::prelude::*;
        use palisade::schema::memberships;
        let mut conn = app.conn();
        memberships::table
            .filter(memberships::user_id.eq(&f.tech))
            .filter(memberships::org_id.eq(&f.msp))
            .select(memberships::id)
            .first(&mut conn)
            .unwrap()
    };
    owner.post(&format!("/settings/team/members/{membership}/deactivate"), &[]).await.assert_redirect("/settings/team");
    let after = tech.get("/msp/clients").await;
    assert!(after.status.as_u16() == 403 || after.location.is_some(), "no more access: {}", after.status);
    // His only membership is deactivated: the session ends, and signing in again is refused with the reason.
    tech.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    let refused = tech.sign_in_with("tech@northwind.test", crate::support::PASSWORD).await;
    refused.assert_status(403).assert_contains("Your access to every organization has ended");
    let (open, ended) = {
        let mut conn = app.conn();
        let sql = |ended: &str| {
            format!("SELECT COUNT(*) AS n FROM sessions WHERE user_id = '{}' AND ended_at IS {ended}", f.tech)
        };
        (count(&mut conn, &sql("NULL")), count(&mut conn, &sql("NOT NULL")))
    };
    assert_eq!((open, ended), (0, 1), "his one session record is ended, and no new one was made");
}

/// Issue 7: MSP pages act on the person's MSP, not on the selected client; a person in two MSPs acts on the MSP
/// of the current context, else on their first MSP.
#[actix_web::test]
async fn msp_pages_act_on_the_msp_of_the_context_or_the_first_one() {
    let app = TestApp::new().await;
    let (f, other) = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let other = fixture::other(&mut conn);
        // Priya also runs the rival MSP, and is a plain member of a solo organization.
        fixture::member(&mut conn, &other.msp, &f.msp_admin, palisade::auth::Role::MspAdmin);
        let solo = fixture::org(&mut conn, palisade::orgs::OrgKind::Solo, "Priya Consulting");
        fixture::member(&mut conn, &solo, &f.msp_admin, palisade::auth::Role::Admin);
        (f, (other, solo))
    };
    let (other, solo) = other;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    // The page's own content (the sidebar's switcher lists the clients of both).
    let clients = |body: &str| {
        let main = body.split("</aside>").nth(1).unwrap_or_default();
        (main.contains("Tier Two Legal"), main.contains(fixture::OTHER_CLIENT))
    };
    // In the rival MSP, and inside one of its clients: the rival's clients.
    priya.switch_to(&other.msp).await;
    assert_eq!(clients(&priya.get("/msp/clients").await.body), (false, true));
    priya.switch_to(&other.client).await;
    assert_eq!(clients(&priya.get("/msp/clients").await.body), (false, true));
    // Inside a Northwind client: Northwind's.
    priya.switch_to(&f.t1).await;
    assert_eq!(clients(&priya.get("/msp/clients").await.body), (true, false));
    // In an organization of no MSP: her first MSP by name (Contoso Rival IT).
    priya.switch_to(&solo).await;
    assert_eq!(clients(&priya.get("/msp/clients").await.body), (false, true));
    // A form for the MSP pages names the MSP they act on, and is refused after a switch to another MSP.
    priya.switch_to(&f.t2).await;
    priya.get("/msp/clients/new").await;
    assert_eq!(priya.org.as_deref(), Some(f.msp.as_str()), "the form is for Northwind");
    priya.switch_to(&other.msp).await;
    priya.org = Some(f.msp.to_string());
    let refused = priya.post("/msp/clients", &[("name", "Wrong Place"), ("timezone", "UTC"), ("tier", "T2")]).await;
    refused.assert_status(409).assert_contains(fixture::MSP_NAME);
    let added: i64 = count(&mut app.conn(), "SELECT COUNT(*) AS n FROM organizations WHERE name = 'Wrong Place'");
    assert_eq!(added, 0);
}
