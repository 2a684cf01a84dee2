//! The principals other than staff: a client's end user in the client's portal (by slug or by its own host), an
//! auditor let in by an emailed link, and an API key. Each is resolved by the guard from the route's `Access`;
//! the access matrix checks every route for each, these check what each one sees.

use actix_web::test::TestRequest;
use diesel::prelude::*;

use crate::support::fixture;
use crate::support::{TestApp, start_time};
use palisade::auth::api_keys::{self, ApiScope};
use palisade::auth::auditor;
use palisade::auth::permissions::Role;
use palisade::schema::{api_keys as keys, auditor_grants, organizations};

#[actix_web::test]
async fn a_clients_end_user_reaches_its_portal_and_nobody_else_does() {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        let erin = fixture::user(&mut conn, "erin@tiertwo.test", "Erin Enduser");
        fixture::member(&mut conn, &f.t2, &erin, Role::PortalUser);
        let rex = fixture::user(&mut conn, "rex@bakery.test", "Rex Baker");
        fixture::member(&mut conn, &other.client, &rex, Role::PortalUser);
        diesel::update(organizations::table.find(&f.t2))
            .set(organizations::portal_host.eq(Some("help.tiertwo.test")))
            .execute(&mut conn)
            .unwrap();
    }
    let mut visitor = app.client().await;
    visitor
        .get("/portal/tier-two-legal")
        .await
        .assert_redirect("/portal/tier-two-legal/sign-in?next=%2Fportal%2Ftier-two-legal");

    let mut erin = app.client().await;
    let landed = erin.portal_sign_in("/portal/tier-two-legal", "erin@tiertwo.test").await;
    landed.assert_contains("Tier Two Legal portal");
    let home = erin.get("/portal/tier-two-legal").await;
    home.assert_status(200).assert_contains("Tier Two Legal portal").assert_contains("Erin Enduser");
    let by_host = TestRequest::get().uri("/").insert_header(("host", "help.tiertwo.test"));
    erin.send(by_host).await.assert_status(200).assert_contains("Tier Two Legal portal");
    let unknown_host = TestRequest::get().uri("/").insert_header(("host", "nobody.example"));
    erin.send(unknown_host).await.assert_status(404);
    // Another client's portal, a client that does not exist, an MSP's slug: not found.
    for slug in ["rival-client-bakery", "no-such-client", "northwind-managed-it"] {
        erin.get(&format!("/portal/{slug}")).await.assert_status(404);
    }
    // A staff session is no portal session: the client's staff and the MSP's are sent to the portal's sign-in.
    let to_sign_in = "/portal/tier-two-legal/sign-in?next=%2Fportal%2Ftier-two-legal";
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/portal/tier-two-legal").await.assert_redirect(to_sign_in);
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.get("/portal/tier-two-legal").await.assert_redirect(to_sign_in);
    // An end user of another client, signed in to their own portal.
    let mut rex = app.client().await;
    rex.portal_sign_in("/portal/rival-client-bakery", "rex@bakery.test").await;
    rex.get("/portal/tier-two-legal").await.assert_status(404).assert_not_contains("Tier Two Legal");
    rex.get("/portal/rival-client-bakery").await.assert_status(200);
}

#[actix_web::test]
async fn an_auditor_link_starts_a_session_that_ends_with_the_grant() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (token, grant) = {
        let mut conn = app.conn();
        let until = start_time() + chrono::Duration::days(14);
        auditor::create(&mut conn, &f.t2, "ada@audit.test", "Ada Auditor", until, Some(&f.client_admin), start_time())
            .unwrap()
    };
    let stored: String =
        auditor_grants::table.find(&grant).select(auditor_grants::token_hash).first(&mut app.conn()).unwrap();
    assert_eq!(stored, palisade::auth::tokens::hash_token(&token), "only the token's SHA-256 is stored");

    let mut ada = app.client().await;
    ada.get("/audit").await.assert_status(401);
    ada.get(&format!("/audit/{}", palisade::auth::tokens::new_token())).await.assert_status(400);
    ada.get(&format!("/audit/{token}")).await.assert_redirect("/audit");
    let home = ada.get("/audit").await;
    home.assert_status(200).assert_contains("Audit of Tier Two Legal").assert_contains("2026-03-16");
    home.assert_not_contains(fixture::OTHER_CLIENT);
    // An auditor is no staff member: the workspace is not theirs.
    ada.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    ada.get("/settings/team").await.assert_redirect("/login?next=%2Fsettings%2Fteam");

    // The grant expires: the session with it.
    app.clock().advance(chrono::Duration::days(15));
    ada.get("/audit").await.assert_status(401);
    ada.get(&format!("/audit/{token}")).await.assert_status(400);

    // A revoked grant ends its sessions too.
    app.clock().set(start_time());
    let mut again = app.client().await;
    again.get(&format!("/audit/{token}")).await.assert_redirect("/audit");
    diesel::update(auditor_grants::table.find(&grant))
        .set(auditor_grants::revoked_at.eq(Some(start_time())))
        .execute(&mut app.conn())
        .unwrap();
    again.get("/audit").await.assert_status(401);
    let _ = other;
}

#[actix_web::test]
async fn an_api_key_reads_its_own_organization_without_cookies_or_csrf() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (key, id, scopeless) = {
        let mut conn = app.conn();
        let (key, id) =
            api_keys::create(&mut conn, &f.t2, "reporting", &[ApiScope::ReadOrganization], None, start_time()).unwrap();
        let (scopeless, _) = api_keys::create(&mut conn, &other.client, "nothing", &[], None, start_time()).unwrap();
        (key, id, scopeless)
    };
    let stored: String = keys::table.find(&id).select(keys::key_hash).first(&mut app.conn()).unwrap();
    assert_eq!(stored, palisade::auth::tokens::hash_token(&key));
    assert!(!stored.contains(&key));

    let mut program = app.client().await;
    program.get("/api/v1/organization").await.assert_status(401);
    program.bearer = Some(key.clone());
    let resp = program.get("/api/v1/organization").await;
    resp.assert_status(200).assert_contains("\"name\":\"Tier Two Legal\"").assert_contains(f.t2.as_str());
    assert!(!program.has_cookie(palisade::SESSION_COOKIE), "no session for an API call");
    // A key is no session: staff pages are not for it.
    program.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    program.bearer = Some(format!("{key}x"));
    program.get("/api/v1/organization").await.assert_status(401);
    program.bearer = Some(scopeless);
    program.get("/api/v1/organization").await.assert_status(403);
    diesel::update(keys::table.find(&id))
        .set(keys::revoked_at.eq(Some(start_time())))
        .execute(&mut app.conn())
        .unwrap();
    program.bearer = Some(key);
    program.get("/api/v1/organization").await.assert_status(401);
}
