//! Portal sign-in: the portal's own session (apart from staff sessions, bound to one client), sign-out, and the
//! account page.

use actix_web::test::TestRequest;
use diesel::prelude::*;

use crate::support::fixture;
use crate::support::{TestApp, db};
use palisade::auth::permissions::Role;
use palisade::schema::{memberships, organizations, portal_sessions, users};

const T2: &str = "/portal/tier-two-legal";
const ERIN: &str = "erin@tiertwo.test";

/// T2 with an end user (Erin) and its own portal domain; the other tenant's client with its own too.
async fn world() -> (TestApp, fixture::Msp, fixture::Other) {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        fixture::portal_user(&mut conn, &f.t2, ERIN, "Erin Enduser", None, false);
        fixture::portal_user(&mut conn, &other.client, "rex@bakery.test", "Rex Baker", None, false);
        for (org, host) in [(&f.t2, "help.tiertwo.test"), (&other.client, "help.bakery.test")] {
            diesel::update(organizations::table.find(org))
                .set(organizations::portal_host.eq(Some(host)))
                .execute(&mut conn)
                .unwrap();
        }
    }
    (app, f, other)
}

fn open_portal_sessions(app: &TestApp, user: &str) -> i64 {
    portal_sessions::table
        .filter(portal_sessions::user_id.eq(user))
        .filter(portal_sessions::ended_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn an_end_user_signs_in_to_the_portal_with_a_password_and_out_again() {
    let (app, f, _) = world().await;
    let erin_id = db::user_id(&mut app.conn(), ERIN).unwrap();
    let mut erin = app.client().await;
    erin.get(T2).await.assert_redirect("/portal/tier-two-legal/sign-in?next=%2Fportal%2Ftier-two-legal");
    let form = erin.get(&format!("{T2}/sign-in?next=%2Fportal%2Ftier-two-legal%2Faccount")).await;
    form.assert_status(200)
        .assert_contains("Sign in to Tier Two Legal")
        .assert_contains("/portal/tier-two-legal/account");

    let wrong = erin.portal_sign_in_with(T2, ERIN, "not the password").await;
    wrong.assert_status(401).assert_contains("do not match an account").assert_contains(ERIN);
    let failed = db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_in_failed");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(open_portal_sessions(&app, &erin_id), 0);

    let home = erin.portal_sign_in(T2, ERIN).await;
    home.assert_status(200).assert_contains("Hello, Erin").assert_contains("Sign out");
    assert_eq!(open_portal_sessions(&app, &erin_id), 1);
    let signed_in = db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_in");
    assert_eq!(signed_in.len(), 1);
    assert_eq!(signed_in[0].actor_user_id.as_ref().map(|u| u.to_string()), Some(erin_id.clone()));

    // After sign-in the person goes where they were headed, inside this portal only.
    let mut again = app.client().await;
    again.get(&format!("{T2}/sign-in")).await;
    let fields = [("email", ERIN), ("password", crate::support::PASSWORD), ("next", "/overview")];
    again.post(&format!("{T2}/sign-in"), &fields).await.assert_redirect(T2);
    let mut headed = app.client().await;
    headed.get(&format!("{T2}/sign-in")).await;
    let fields = [("email", ERIN), ("password", crate::support::PASSWORD), ("next", "/portal/tier-two-legal/account")];
    headed.post(&format!("{T2}/sign-in"), &fields).await.assert_redirect("/portal/tier-two-legal/account");

    let out = erin.post(&format!("{T2}/sign-out"), &[]).await;
    out.assert_redirect("/portal/tier-two-legal/sign-in");
    erin.follow(&out).await.assert_status(200).assert_contains("You are signed out.");
    erin.get(T2).await.assert_status(303);
    assert_eq!(open_portal_sessions(&app, &erin_id), 2, "only this browser's session ended");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_out").len(), 1);
}

#[actix_web::test]
async fn a_portal_session_is_bound_to_its_client_and_never_opens_staff_pages() {
    let (app, _, _) = world().await;
    let mut erin = app.client().await;
    erin.portal_sign_in(T2, ERIN).await;
    // Another client's portal, by slug or by its domain: not found, and nothing of it shown.
    erin.get("/portal/rival-client-bakery").await.assert_status(404).assert_not_contains("Rival Client Bakery");
    erin.get("/portal/rival-client-bakery/account").await.assert_status(404);
    let bakery_host = TestRequest::get().uri("/").insert_header(("host", "help.bakery.test"));
    erin.send(bakery_host).await.assert_status(404);
    // Their own client by its domain: the bare routes.
    let own_host = TestRequest::get().uri("/account").insert_header(("host", "help.tiertwo.test"));
    erin.send(own_host).await.assert_status(200).assert_contains("Erin Enduser").assert_contains("href=\"/account\"");
    let unknown_host = TestRequest::get().uri("/").insert_header(("host", "nobody.example"));
    erin.send(unknown_host).await.assert_status(404);
    // Staff pages: the portal session is no staff session.
    erin.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    erin.get("/tickets").await.assert_redirect("/login?next=%2Ftickets");
    erin.get("/profile").await.assert_redirect("/login?next=%2Fprofile");
    // On the application's own host the bare paths are the staff routes.
    erin.get("/account").await.assert_status(404);
    erin.get("/").await.assert_redirect("/login");
}

#[actix_web::test]
async fn a_staff_session_never_opens_the_portal_and_staff_may_be_end_users_too() {
    let (app, f, _) = world().await;
    // Olive is staff (Owner) of T2: signed in as staff, the portal asks for its own sign-in, which refuses her.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(T2).await.assert_redirect("/portal/tier-two-legal/sign-in?next=%2Fportal%2Ftier-two-legal");
    let refused = olive.portal_sign_in_with(T2, "owner@tiertwo.test", crate::support::PASSWORD).await;
    refused.assert_status(403).assert_contains("no access to the Tier Two Legal portal");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_in_refused").len(), 1);
    olive.get("/overview").await.assert_status(200);

    // Tom is MSP staff and an end user of T2 too: both sessions live side by side and end separately.
    {
        let mut conn = app.conn();
        fixture::member(&mut conn, &f.t2, &f.tech, Role::PortalUser);
    }
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(T2).await.assert_status(303);
    tom.portal_sign_in(T2, "tech@northwind.test").await.assert_contains("Hello, Tom");
    tom.get("/msp/clients").await.assert_status(200);
    tom.post(&format!("{T2}/sign-out"), &[]).await.assert_status(303);
    tom.get("/msp/clients").await.assert_status(200);
    tom.portal_sign_in(T2, "tech@northwind.test").await;
    tom.get("/profile").await;
    tom.post("/logout", &[]).await.assert_redirect("/login");
    tom.get(T2).await.assert_status(200);
    tom.get("/msp/clients").await.assert_redirect("/login?next=%2Fmsp%2Fclients");
}

#[actix_web::test]
async fn removed_access_ends_the_portal_session() {
    let (app, f, _) = world().await;
    let mut erin = app.client().await;
    erin.portal_sign_in(T2, ERIN).await;
    let erin_id = db::user_id(&mut app.conn(), ERIN).unwrap();
    diesel::update(memberships::table.filter(memberships::user_id.eq(&erin_id)).filter(memberships::org_id.eq(&f.t2)))
        .set(memberships::deactivated_at.eq(Some(crate::support::start_time())))
        .execute(&mut app.conn())
        .unwrap();
    erin.get(T2).await.assert_redirect("/portal/tier-two-legal/sign-in?next=%2Fportal%2Ftier-two-legal");
    assert_eq!(open_portal_sessions(&app, &erin_id), 0, "the record is ended");
    erin.portal_sign_in_with(T2, ERIN, crate::support::PASSWORD).await.assert_status(403);
}

#[actix_web::test]
async fn the_account_page_changes_the_name_and_the_password() {
    let (app, f, _) = world().await;
    let erin_id = db::user_id(&mut app.conn(), ERIN).unwrap();
    let mut erin = app.client().await;
    erin.portal_sign_in(T2, ERIN).await;
    let mut elsewhere = app.client().await;
    elsewhere.portal_sign_in(T2, ERIN).await;

    let page = erin.get(&format!("{T2}/account")).await;
    page.assert_status(200).assert_contains("Your account").assert_contains(ERIN);
    let blank = erin.post(&format!("{T2}/account"), &[("name", "  ")]).await;
    blank.assert_status(422).assert_contains("field-error");
    let saved = erin.post(&format!("{T2}/account"), &[("name", "Erin Q. Enduser")]).await;
    erin.follow(&saved).await.assert_contains("Your name is saved.").assert_contains("Erin Q. Enduser");
    let name: String = users::table.find(&erin_id).select(users::name).first(&mut app.conn()).unwrap();
    assert_eq!(name, "Erin Q. Enduser");

    let fields = |current: &'static str, new: &'static str, confirm: &'static str| {
        [("current_password", current), ("new_password", new), ("confirm_password", confirm)]
    };
    let path = format!("{T2}/account/password");
    let wrong = erin.post(&path, &fields("not it", "a brand new passphrase", "a brand new passphrase")).await;
    wrong.assert_status(422).assert_contains("That is not your current password.");
    let mismatch =
        erin.post(&path, &fields(crate::support::PASSWORD, "a brand new passphrase", "another passphrase")).await;
    mismatch.assert_status(422).assert_contains("do not match");
    let changed =
        erin.post(&path, &fields(crate::support::PASSWORD, "a brand new passphrase", "a brand new passphrase")).await;
    erin.follow(&changed).await.assert_status(200).assert_contains("Your password is changed.");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "user.change_password").len(), 1);
    // This session continues; the other browser's ended.
    erin.get(T2).await.assert_status(200);
    elsewhere.get(T2).await.assert_status(303);
    let mut fresh = app.client().await;
    fresh.portal_sign_in_with(T2, ERIN, crate::support::PASSWORD).await.assert_status(401);
    fresh.portal_sign_in_with(T2, ERIN, "a brand new passphrase").await.assert_status(303);
}
