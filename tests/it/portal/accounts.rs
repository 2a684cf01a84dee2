//! Portal users as a client's staff manage them (Settings -> Portal users, a contact's page) and as the people
//! come in: invitations and their 7-day link, access requests on a known domain, "sees all the company's
//! tickets", removing access; forbidden roles, other tenants' ids, bad input, the emails' brand.

use chrono::Duration;
use diesel::prelude::*;

use crate::desk::{contact, ticket};
use crate::support::fixture;
use crate::support::{TestApp, db};
use palisade::auth::permissions::Role;
use palisade::schema::{memberships, portal_access_requests, portal_accounts, portal_sessions, users};

const T2: &str = "/portal/tier-two-legal";
const USERS: &str = "/settings/portal/users";
const OWNER: &str = "owner@tiertwo.test";

fn account_id(app: &TestApp, email: &str) -> String {
    portal_accounts::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .select(portal_accounts::id)
        .first(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn staff_invite_a_person_who_sets_a_password_from_the_branded_email() {
    let (app, f, _) = TestApp::with_tenants().await;
    let mut owner = app.signed_in(OWNER).await;
    let empty = owner.get(USERS).await;
    empty.assert_status(200).assert_contains("Nobody has a portal account yet");
    // Bad input: the form again, with what was typed.
    let bad = owner.post(USERS, &[("name", ""), ("email", "not-an-email")]).await;
    bad.assert_status(422).assert_contains("field-error").assert_contains("not-an-email");
    // The client's own team use the staff app.
    let staff = owner.post(USERS, &[("name", "Olive"), ("email", OWNER)]).await;
    staff.assert_status(422).assert_contains("sign in to Palisade itself");
    assert!(app.mail().await.is_empty());

    let sent = owner.post(USERS, &[("name", "Ivy Invitee"), ("email", "Ivy@TierTwo.test")]).await;
    sent.assert_redirect(USERS);
    owner.follow(&sent).await.assert_contains("An invitation is on its way to ivy@tiertwo.test");
    let row = owner.get(USERS).await;
    row.assert_contains("Ivy Invitee").assert_contains("Invited").assert_contains("Never");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.invite").len(), 1);
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "ivy@tiertwo.test");
    assert!(mail[0].subject.contains("invited you to Tier Two Legal"), "{}", mail[0].subject);
    assert!(
        mail[0].html.contains("Tier Two Legal")
            && mail[0].html.contains("http://localhost/portal/tier-two-legal/welcome/")
    );
    let first = app.portal_link_for("ivy@tiertwo.test", "/welcome/").await.unwrap();

    // Sending again: the first link dies, the new one works.
    let id = account_id(&app, "ivy@tiertwo.test");
    owner.post(&format!("{USERS}/{id}/resend"), &[]).await.assert_redirect(USERS);
    let second = app.portal_link_for("ivy@tiertwo.test", "/welcome/").await.unwrap();
    let mut ivy = app.client().await;
    ivy.get(&first).await.assert_status(400).assert_contains("invitation link no longer works");
    ivy.get(&second).await.assert_status(200).assert_contains("choose your password");
    ivy.post(&second, &[("password", "short"), ("confirm", "short")]).await.assert_status(422);
    let done =
        ivy.post(&second, &[("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")]).await;
    done.assert_redirect(T2);
    ivy.get(T2).await.assert_status(200).assert_contains("Hello, Ivy");
    ivy.get(&second).await.assert_status(400);
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.welcome").len(), 1);
    // The account is linked to a (new) contact with that email, and shows as active.
    let row = owner.get(USERS).await;
    row.assert_contains("Active");
    let mut again = app.client().await;
    again.portal_sign_in_with(T2, "ivy@tiertwo.test", "a brand new passphrase").await.assert_status(303);
}

#[actix_web::test]
async fn a_person_who_already_has_a_password_is_invited_to_sign_in_with_it() {
    let (app, f, _) = TestApp::with_tenants().await;
    let tech = "tech@northwind.test";
    let hash_of = |app: &TestApp| -> String {
        users::table.filter(users::email.eq(tech)).select(users::password_hash).first(&mut app.conn()).unwrap()
    };
    let before = hash_of(&app);
    let mut owner = app.signed_in(OWNER).await;
    owner.get(USERS).await.assert_status(200);
    owner.post(USERS, &[("name", "Tom Tech"), ("email", tech)]).await.assert_redirect(USERS);
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("invited you to Tier Two Legal"), "{}", mail[0].subject);
    assert!(mail[0].text.contains("sign in with its password"), "{}", mail[0].text);
    assert!(mail[0].html.contains("http://localhost/portal/tier-two-legal/sign-in"));
    // No link that could replace the password they use in the staff app.
    assert_eq!(app.portal_link_for(tech, "/welcome/").await, None);
    let links = format!("SELECT COUNT(*) AS n FROM portal_links WHERE org_id = '{}'", f.t2);
    assert_eq!(fixture::count(&mut app.conn(), &links), 0);
    assert_eq!(hash_of(&app), before);
    let mut tom = app.client().await;
    tom.portal_sign_in_with(T2, tech, crate::support::PASSWORD).await.assert_status(303);
    tom.get(T2).await.assert_status(200).assert_contains("Hello, Tom");
}

#[actix_web::test]
async fn an_expired_invitation_and_a_link_at_another_clients_portal_are_refused() {
    let (app, _, other) = TestApp::with_tenants().await;
    let mut owner = app.signed_in(OWNER).await;
    owner.get(USERS).await.assert_status(200);
    owner.post(USERS, &[("name", "Ivy Invitee"), ("email", "ivy@tiertwo.test")]).await.assert_redirect(USERS);
    let link = app.portal_link_for("ivy@tiertwo.test", "/welcome/").await.unwrap();
    let token = link.rsplit('/').next().unwrap().to_string();
    let mut ivy = app.client().await;
    ivy.get("/portal/rival-client-bakery/sign-in").await;
    let body = [("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")];
    ivy.post(&format!("/portal/rival-client-bakery/welcome/{token}"), &body).await.assert_status(400);
    ivy.get(&format!("{T2}/welcome/not-a-token")).await.assert_status(400);
    let _ = other;
    app.clock().advance(Duration::days(7) + Duration::minutes(1));
    ivy.get(&link).await.assert_status(400);
    ivy.post(&link, &body).await.assert_status(400);
    let hash: String = users::table
        .filter(users::email.eq("ivy@tiertwo.test"))
        .select(users::password_hash)
        .first(&mut app.conn())
        .unwrap();
    assert!(hash.is_empty(), "no password was set");
}

#[actix_web::test]
async fn a_contact_is_invited_from_their_page() {
    let (app, f, _) = TestApp::with_tenants().await;
    let dora = contact(&mut app.conn(), &f.t2, "Dora Contact", "dora@tiertwo.test");
    let mut owner = app.signed_in(OWNER).await;
    let page = owner.get(&format!("/contacts/{dora}")).await;
    page.assert_status(200).assert_contains("Invite to the portal");
    owner.post(&format!("/contacts/{dora}/portal-invite"), &[]).await.assert_redirect(&format!("/contacts/{dora}"));
    owner.get(&format!("/contacts/{dora}")).await.assert_contains("Has access");
    let linked: Option<String> = portal_accounts::table
        .filter(portal_accounts::org_id.eq(f.t2.as_str()))
        .select(portal_accounts::contact_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(linked.as_deref(), Some(dora.as_str()));
    assert_eq!(app.mail().await[0].to, "dora@tiertwo.test");
}

#[actix_web::test]
async fn forbidden_roles_and_other_tenants_cannot_manage_portal_users() {
    let (app, f, other) = TestApp::with_tenants().await;
    fixture::portal_user(&mut app.conn(), &f.t2, "erin@tiertwo.test", "Erin Enduser", None, false);
    let id = account_id(&app, "erin@tiertwo.test");
    let employee = fixture::user(&mut app.conn(), "emma@tiertwo.test", "Emma Employee");
    fixture::member(&mut app.conn(), &f.t2, &employee, Role::Employee);
    let mut emma = app.signed_in("emma@tiertwo.test").await;
    emma.get(USERS).await.assert_status(403);
    emma.post(USERS, &[("name", "Ivy"), ("email", "ivy@tiertwo.test")]).await.assert_status(403);
    emma.post(&format!("{USERS}/{id}/remove"), &[]).await.assert_status(403);
    // Another MSP's admin, with this client's account id: not found.
    let mut rival = app.signed_in("admin@contoso.test").await;
    rival.switch_to(other.client.as_str()).await;
    rival.get(USERS).await.assert_status(200).assert_not_contains("Erin");
    rival.post(&format!("{USERS}/{id}/remove"), &[]).await.assert_status(404);
    rival.post(&format!("{USERS}/{id}/tickets"), &[("company", "1")]).await.assert_status(404);
    rival.post(&format!("{USERS}/{id}/resend"), &[]).await.assert_status(404);
    // The end user's access stands, and nothing was sent.
    let active: bool = diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::org_id.eq(f.t2.as_str()))
            .filter(memberships::user_id.eq(erin_id(&app)))
            .filter(memberships::deactivated_at.is_null()),
    ))
    .get_result(&mut app.conn())
    .unwrap();
    assert!(active);
    assert!(app.mail().await.is_empty());
}

fn erin_id(app: &TestApp) -> String {
    users::table.filter(users::email.eq("erin@tiertwo.test")).select(users::id).first(&mut app.conn()).unwrap()
}

#[actix_web::test]
async fn removed_access_ends_the_session_and_the_company_toggle_changes_the_ticket_list() {
    let (app, f, _) = TestApp::with_tenants().await;
    {
        let mut conn = app.conn();
        let erin = contact(&mut conn, &f.t2, "Erin Enduser", "erin@tiertwo.test");
        let bob = contact(&mut conn, &f.t2, "Bob Builder", "bob@tiertwo.test");
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", Some(&erin), false);
        ticket(&mut conn, &f.t2, &f.tech, "Printer on fire", Some(&erin));
        ticket(&mut conn, &f.t2, &f.tech, "Bob's laptop is slow", Some(&bob));
    }
    let id = account_id(&app, "erin@tiertwo.test");
    let mut erin = app.client().await;
    erin.portal_sign_in(T2, "erin@tiertwo.test").await;
    erin.get(&format!("{T2}/tickets")).await.assert_contains("Printer on fire").assert_not_contains("laptop is slow");

    let mut owner = app.signed_in(OWNER).await;
    owner.get(USERS).await.assert_contains("No, only theirs");
    owner.post(&format!("{USERS}/{id}/tickets"), &[("company", "1")]).await.assert_redirect(USERS);
    erin.get(&format!("{T2}/tickets")).await.assert_contains("laptop is slow");
    let logged = db::logged(&mut app.conn(), f.t2.as_str(), "portal.tickets_scope");
    assert_eq!(logged.len(), 1);
    owner.post(&format!("{USERS}/{id}/tickets"), &[("company", "0")]).await.assert_redirect(USERS);
    erin.get(&format!("{T2}/tickets")).await.assert_not_contains("laptop is slow");

    owner.post(&format!("{USERS}/{id}/remove"), &[]).await.assert_redirect(USERS);
    owner.get(USERS).await.assert_contains("Access removed");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.remove_access").len(), 1);
    // The open session dies at once; signing in again fails.
    erin.get(T2).await.assert_status(303);
    let open: i64 =
        portal_sessions::table.filter(portal_sessions::ended_at.is_null()).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(open, 0);
    let mut later = app.client().await;
    later.portal_sign_in_with(T2, "erin@tiertwo.test", crate::support::PASSWORD).await.assert_status(403);
    // Inviting again restores access.
    owner.post(&format!("{USERS}/{id}/resend"), &[]).await.assert_redirect(USERS);
    later.portal_sign_in_with(T2, "erin@tiertwo.test", crate::support::PASSWORD).await.assert_status(303);
}

#[actix_web::test]
async fn access_requests_on_a_known_domain_are_approved_or_refused_by_staff() {
    let (app, f, _) = TestApp::with_tenants().await;
    contact(&mut app.conn(), &f.t2, "Erin Enduser", "erin@tiertwo.test");
    let mut visitor = app.client().await;
    visitor.get(&format!("{T2}/sign-in")).await.assert_contains(&format!("{T2}/request-access"));
    visitor.get(&format!("{T2}/request-access")).await.assert_status(200);
    let empty = visitor.post(&format!("{T2}/request-access"), &[("name", ""), ("email", "x@tiertwo.test")]).await;
    empty.assert_status(422).assert_contains("field-error").assert_contains("x@tiertwo.test");
    let unknown = visitor.post(&format!("{T2}/request-access"), &[("name", "Gus"), ("email", "gus@gmail.test")]).await;
    unknown.assert_status(422).assert_contains("does not take requests").assert_contains("gus@gmail.test");
    // Known domain: the same thanks for a new address, one already asking, and an existing end user.
    for email in ["nina@tiertwo.test", "nina@tiertwo.test", "owner@tiertwo.test"] {
        let asked = visitor.post(&format!("{T2}/request-access"), &[("name", "Nina New"), ("email", email)]).await;
        asked.assert_status(200).assert_contains("The team reviews your request");
    }
    let count: i64 = portal_access_requests::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 2, "one pending request per address");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.request_access").len(), 2);

    let ids: Vec<(String, String)> = portal_access_requests::table
        .order(portal_access_requests::email.asc())
        .select((portal_access_requests::email, portal_access_requests::id))
        .load(&mut app.conn())
        .unwrap();
    let (nina, owner_request) = (ids[0].1.clone(), ids[1].1.clone());
    let mut owner = app.signed_in(OWNER).await;
    owner.get(USERS).await.assert_contains("Access requests waiting").assert_contains("nina@tiertwo.test");
    owner.post(&format!("/settings/portal/requests/{owner_request}/refuse"), &[]).await.assert_redirect(USERS);
    owner.post(&format!("/settings/portal/requests/{nina}/approve"), &[]).await.assert_redirect(USERS);
    owner.post(&format!("/settings/portal/requests/{nina}/approve"), &[]).await.assert_status(404);
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.approve_request").len(), 1);
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "portal.refuse_request").len(), 1);
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("access to Tier Two Legal is approved"), "{}", mail[0].subject);
    let link = app.portal_link_for("nina@tiertwo.test", "/welcome/").await.unwrap();
    let mut nina_browser = app.client().await;
    nina_browser.get(&link).await.assert_status(200);
    let body = [("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")];
    nina_browser.post(&link, &body).await.assert_redirect(T2);
    owner.get(USERS).await.assert_contains("Nina New").assert_not_contains("Access requests waiting");
}

#[actix_web::test]
async fn the_portal_users_page_runs_a_bounded_number_of_statements() {
    let (app, f, _) = TestApp::with_tenants().await;
    for i in 0..3 {
        fixture::portal_user(&mut app.conn(), &f.t2, &format!("p{i}@tiertwo.test"), &format!("P{i}"), None, false);
    }
    let mut owner = app.signed_in(OWNER).await;
    let few = app.statements_of(&mut owner, USERS).await;
    for i in 3..30 {
        fixture::portal_user(&mut app.conn(), &f.t2, &format!("p{i}@tiertwo.test"), &format!("P{i}"), None, false);
    }
    let many = app.statements_of(&mut owner, USERS).await;
    assert_eq!(few, many);
    owner.get(&format!("{USERS}?page=2")).await.assert_status(200).assert_contains("Page 2");
}

/// The access matrix's portal account and pending access request in `org`.
pub fn matrix_fixture(conn: &mut palisade::db::DbConnection, org: &palisade::db::ids::OrgId) -> (String, String) {
    use palisade::schema::portal_access_requests as par;
    fixture::portal_user(conn, org, "matrix.enduser@people.test", "Matt Enduser", None, false);
    let account: String = portal_accounts::table
        .inner_join(users::table)
        .filter(users::email.eq("matrix.enduser@people.test"))
        .filter(portal_accounts::org_id.eq(org.as_str()))
        .select(portal_accounts::id)
        .first(conn)
        .unwrap();
    let request = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(par::table)
        .values((
            par::id.eq(&request),
            par::org_id.eq(org.as_str()),
            par::name.eq("Rhea Request"),
            par::email.eq("rhea@people.test"),
            par::status.eq("pending"),
            par::created_at.eq(crate::support::start_time()),
        ))
        .execute(conn)
        .unwrap();
    (account, request)
}
