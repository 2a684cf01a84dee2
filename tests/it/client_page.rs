//! MSP -> Clients -> one client: editing its details, inviting its admins at any tier (and its first Admin from
//! the add-client form), same-name warnings, archived clients read only, and what the client's team page tells
//! MSP staff who may not manage that team.

use diesel::prelude::*;

use crate::support::db::{logged, snapshot};
use crate::support::fixture::{self, count};
use crate::support::{TestApp, invitation_token, strip_tags};
use palisade::schema::organizations;

fn details_of(conn: &mut palisade::db::DbConnection, id: &str) -> (String, String, String) {
    organizations::table
        .find(id)
        .select((organizations::name, organizations::contact_email, organizations::timezone))
        .first(conn)
        .unwrap()
}

fn admin_invitations(conn: &mut palisade::db::DbConnection, org: &str, email: &str) -> i64 {
    count(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{org}' AND email = '{email}' AND role = 'ADMIN' \
             AND accepted_at IS NULL AND revoked_at IS NULL"
        ),
    )
}

#[actix_web::test]
async fn adding_a_client_invites_its_first_admin_who_joins_as_admin() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let form = priya.get("/msp/clients/new").await;
    form.assert_contains("name=\"invite_admin\" value=\"1\" checked");
    let fields = [
        ("name", "Cedar Vets"),
        ("timezone", "UTC"),
        ("tier", "T1"),
        ("contact_email", "Owner@CedarVets.test"),
        ("invite_admin", "1"),
    ];
    let created = priya.post("/msp/clients", &fields).await;
    created.assert_status(303);
    let id = created.location.clone().unwrap().trim_start_matches("/msp/clients/").to_string();
    let page = priya.follow(&created).await;
    page.assert_contains("Cedar Vets is added.").assert_contains("Invitation sent to owner@cedarvets.test as Admin.");
    page.assert_contains("data-testid=\"client-invitations\"");

    let mut conn = app.conn();
    assert_eq!(admin_invitations(&mut conn, &id, "owner@cedarvets.test"), 1);
    assert_eq!(logged(&mut conn, &id, "member.invite")[0].details, "role ADMIN", "in the client's log");
    let msp_log = logged(&mut conn, &f.msp, "client.invite_admin");
    assert_eq!((msp_log.len(), msp_log[0].target_id.as_str()), (1, id.as_str()), "and in the MSP's");
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "owner@cedarvets.test");

    // The contact accepts and is the client's Admin, with its team page to invite the rest.
    let token = invitation_token(&mail[0]);
    let mut owner = app.client().await;
    owner.ip = "10.0.0.20".into();
    owner.get(&format!("/invitations/{token}")).await.assert_contains("You are invited as <strong>Admin</strong>");
    let fields =
        [("name", "Olga Owner"), ("password", "cedar-trees-in-the-rain"), ("confirm", "cedar-trees-in-the-rain")];
    owner.post(&format!("/invitations/{token}"), &fields).await.assert_redirect("/");
    let team = owner.get("/settings/team").await;
    team.assert_status(200).assert_contains("Send invitation");
    assert!(crate::support::page::banner(&team.body).contains("Cedar Vets"));
}

#[actix_web::test]
async fn the_first_admin_invitation_needs_an_email_and_can_be_left_out() {
    let (app, _f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/msp/clients/new").await;
    let before = snapshot(&mut app.conn());
    let resp = priya
        .post("/msp/clients", &[("name", "No Mail Co"), ("timezone", "UTC"), ("tier", "T2"), ("invite_admin", "1")])
        .await;
    resp.assert_status(422).assert_contains("Enter the email of the person to invite as the first Admin");
    resp.assert_contains("value=\"No Mail Co\"").assert_contains("name=\"invite_admin\" value=\"1\" checked");
    let bad = [("name", "No Mail Co"), ("timezone", "UTC"), ("tier", "T2"), ("contact_email", "not an email")];
    priya.post("/msp/clients", &bad).await.assert_status(422).assert_contains("Enter an email address like");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    assert!(app.mail().await.is_empty());
    // Unticked, the client is added with its contact and nobody is invited.
    let quiet = [("name", "No Mail Co"), ("timezone", "UTC"), ("tier", "T2"), ("contact_email", "desk@nomail.test")];
    priya.post("/msp/clients", &quiet).await.assert_status(303);
    assert!(app.mail().await.is_empty());
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM invitations"), 0);
}

#[actix_web::test]
async fn msp_admins_invite_a_clients_admins_from_the_client_page_at_any_tier() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let path = format!("/msp/clients/{}", f.t1);
    priya.get(&path).await.assert_contains("Invite an admin");
    let sent = priya.post(&format!("{path}/invite"), &[("email", "boss@tierone.test")]).await;
    sent.assert_redirect(&path);
    priya.follow(&sent).await.assert_contains("Invitation sent to boss@tierone.test as Admin.");
    let mut conn = app.conn();
    assert_eq!(admin_invitations(&mut conn, &f.t1, "boss@tierone.test"), 1, "at T1 Monitor");
    assert_eq!(logged(&mut conn, &f.msp, "client.invite_admin")[0].details, "admin boss@tierone.test");
    assert_eq!(app.mail().await.len(), 1);

    // Bad input comes back next to the field, with what was typed; nothing is written.
    let before = snapshot(&mut conn);
    let bad = priya.post(&format!("{path}/invite"), &[("email", "boss at tierone")]).await;
    bad.assert_status(422).assert_contains("Enter an email address like name@example.com.");
    bad.assert_contains("value=\"boss at tierone\"").assert_contains("id=\"email-error\"");
    let twice = priya.post(&format!("{path}/invite"), &[("email", "boss@tierone.test")]).await;
    twice.assert_status(422).assert_contains("This person already has an open invitation.");
    let member = priya.post(&format!("/msp/clients/{}/invite", f.t2), &[("email", "owner@tiertwo.test")]).await;
    member.assert_status(422).assert_contains("This person is already an active member.");
    assert_eq!(snapshot(&mut conn), before);
    assert_eq!(app.mail().await.len(), 1);
}

#[actix_web::test]
async fn technicians_and_other_msps_cannot_invite_or_edit_a_client() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let mut rita = app.signed_in("admin@contoso.test").await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let before = snapshot(&mut app.conn());
    let detail = tom.get(&format!("/msp/clients/{}", f.t2)).await;
    detail.assert_status(200).assert_not_contains("Invite an admin").assert_not_contains("Save details");
    let edit = [("name", "Renamed"), ("timezone", "UTC")];
    // His forms name his MSP (the page shows him none): refused for what he may do, not for a missing context.
    tom.org = Some(f.msp.to_string());
    let invite = tom.post(&format!("/msp/clients/{}/invite", f.t2), &[("email", "x@y.test")]).await;
    invite.assert_status(403).assert_contains("Not allowed");
    tom.post(&format!("/msp/clients/{}/details", f.t2), &edit).await.assert_status(403).assert_contains("Not allowed");
    // Her forms carry her own MSP, as a page of hers rendered them.
    rita.get(&format!("/msp/clients/{}", other.client)).await.assert_status(200);
    for id in [f.t1.as_str(), f.t2.as_str(), "no-such-client"] {
        rita.post(&format!("/msp/clients/{id}/invite"), &[("email", "x@y.test")]).await.assert_status(404);
        rita.post(&format!("/msp/clients/{id}/details"), &edit).await.assert_status(404);
    }
    priya.get(&format!("/msp/clients/{}", f.t2)).await;
    let theirs = priya.post(&format!("/msp/clients/{}/invite", other.client), &[("email", "x@y.test")]).await;
    theirs.assert_status(404).assert_not_contains(fixture::OTHER_CLIENT);
    priya.post(&format!("/msp/clients/{}/details", other.client), &edit).await.assert_status(404);
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed");
    assert!(app.mail().await.is_empty());
}

#[actix_web::test]
async fn client_details_are_edited_with_validation_and_logged() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let path = format!("/msp/clients/{}", f.t2);
    priya.get(&path).await.assert_contains("value=\"Tier Two Legal\"");
    let fields = [("name", "Tier Two Law"), ("contact_email", "Office@TierTwo.test"), ("timezone", "Europe/Berlin")];
    let saved = priya.post(&format!("{path}/details"), &fields).await;
    saved.assert_redirect(&path);
    priya.follow(&saved).await.assert_contains("The details of Tier Two Law are saved.");
    let mut conn = app.conn();
    assert_eq!(
        details_of(&mut conn, &f.t2),
        ("Tier Two Law".into(), "office@tiertwo.test".into(), "Europe/Berlin".into())
    );
    for org in [&f.msp, &f.t2] {
        let log = logged(&mut conn, org, "client.update");
        assert_eq!(log.len(), 1, "logged in {org}");
        assert_eq!(
            log[0].details,
            "name: Tier Two Legal -> Tier Two Law; contact: (none) -> office@tiertwo.test; timezone: \
             America/New_York -> Europe/Berlin"
        );
    }
    // The same again: nothing to save, nothing logged.
    priya.post(&format!("{path}/details"), &fields).await;
    priya.get(&path).await.assert_contains("Nothing to save: the details of Tier Two Law are unchanged.");
    assert_eq!(logged(&mut conn, &f.msp, "client.update").len(), 1);

    // Bad input: every message next to its field, the values kept, nothing written.
    let before = snapshot(&mut conn);
    let bad = [("name", " "), ("contact_email", "nope"), ("timezone", "Mars/Olympus")];
    let resp = priya.post(&format!("{path}/details"), &bad).await;
    resp.assert_status(422).assert_contains("Client name is required.");
    resp.assert_contains("Enter an email address like name@example.com.").assert_contains("value=\"nope\"");
    resp.assert_contains("Choose a timezone from the list.").assert_contains("id=\"timezone-error\"");
    let long = "x".repeat(121);
    let resp = priya.post(&format!("{path}/details"), &[("name", &long), ("timezone", "UTC")]).await;
    resp.assert_status(422).assert_contains("Client name must be at most 120 characters.");
    assert_eq!(snapshot(&mut conn), before);
}

#[actix_web::test]
async fn a_name_another_client_has_is_accepted_only_once_confirmed_and_the_switcher_shows_the_slugs() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/msp/clients/new").await;
    let before = snapshot(&mut app.conn());
    let fields = [("name", "tier one dental"), ("timezone", "UTC"), ("tier", "T2")];
    let warned = priya.post("/msp/clients", &fields).await;
    warned
        .assert_status(422)
        .assert_contains("Another client is already called Tier One Dental (slug tier-one-dental).");
    warned.assert_contains("name=\"confirm_name\" value=\"tier one dental\"");
    assert_eq!(snapshot(&mut app.conn()), before, "not added without confirming");
    // Confirming a different name than the one warned about does not count.
    let other = [("name", "Tier One Dental"), ("timezone", "UTC"), ("tier", "T2"), ("confirm_name", "Something")];
    priya.post("/msp/clients", &other).await.assert_status(422);
    let confirmed =
        [("name", "Tier One Dental"), ("timezone", "UTC"), ("tier", "T2"), ("confirm_name", "Tier One Dental")];
    let created = priya.post("/msp/clients", &confirmed).await;
    created.assert_status(303);
    let twin = created.location.clone().unwrap().trim_start_matches("/msp/clients/").to_string();

    // The switcher tells the two apart by their slugs; other names show none.
    let page = priya.get("/msp/dashboard").await;
    page.assert_contains("Tier One Dental <span class=\"switcher-slug\">tier-one-dental</span>");
    page.assert_contains("Tier One Dental <span class=\"switcher-slug\">tier-one-dental-2</span>");
    page.assert_not_contains("<span class=\"switcher-slug\">tier-two-legal</span>");
    let options = priya.get("/switch/options?q=tier%20one").await;
    options.assert_contains("\"slug\":\"tier-one-dental-2\"");

    // Renaming a client to another's name warns the same way.
    let path = format!("/msp/clients/{}", f.t3);
    let rename = [("name", "Tier One Dental"), ("timezone", "UTC")];
    priya
        .post(&format!("{path}/details"), &rename)
        .await
        .assert_status(422)
        .assert_contains("Another client is already called");
    let confirmed = [("name", "Tier One Dental"), ("timezone", "UTC"), ("confirm_name", "Tier One Dental")];
    priya.post(&format!("{path}/details"), &confirmed).await.assert_redirect(&path);
    // Its own name is never a clash.
    let twin_path = format!("/msp/clients/{twin}");
    priya.post(&format!("{twin_path}/details"), &[("name", "Tier One Dental"), ("timezone", "Europe/Paris")]).await;
    priya.get(&twin_path).await.assert_contains("The details of Tier One Dental are saved.");
}

#[actix_web::test]
async fn an_archived_clients_details_tier_and_staff_are_read_only() {
    let (app, f) = TestApp::with_msp().await;
    palisade::orgs::models::set_archived(&mut app.conn(), &f.t2, true, app.now()).unwrap();
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let path = format!("/msp/clients/{}", f.t2);
    let page = priya.get(&path).await;
    page.assert_status(200).assert_contains("Restore client").assert_contains("Tom Tech");
    for form in ["Change tier", "Save assignments", "Save details", "Send invitation", "Work in Tier Two Legal"] {
        page.assert_not_contains(form);
    }
    let before = snapshot(&mut app.conn());
    type Fields<'a> = Vec<(&'a str, &'a str)>;
    let attempts: [(&str, Fields, &str); 4] = [
        ("tier", vec![("tier", "T3")], "Tier Two Legal is archived, so its tier cannot change. Restore it first."),
        ("assignments", vec![], "Tier Two Legal is archived, so its staff assignments cannot change."),
        ("details", vec![("name", "New Name"), ("timezone", "UTC")], "so its details cannot change"),
        (
            "invite",
            vec![("email", "new@tiertwo.test")],
            "Tier Two Legal is archived; restore it before inviting anyone.",
        ),
    ];
    for (action, fields, message) in attempts {
        let resp = priya.post(&format!("{path}/{action}"), &fields).await;
        let shown = if resp.status.is_redirection() { priya.follow(&resp).await } else { resp };
        shown.assert_contains(message);
    }
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed");
    assert!(app.mail().await.is_empty());
}

#[actix_web::test]
async fn a_clients_team_page_says_why_msp_staff_cannot_invite_there_and_where_to_do_it() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    let team = priya.get("/settings/team").await;
    team.assert_status(200).assert_not_contains("Send invitation");
    let note = strip_tags(
        team.body.split("data-testid=\"invite-note\"").nth(1).expect("the note").split("</section>").next().unwrap(),
    );
    assert!(note.contains("You reach Tier One Dental through Northwind Managed IT at T1 Monitor"), "{note}");
    assert!(note.contains("you can invite this client&#39;s admins from its client page"), "{note}");
    team.assert_contains(&format!("href=\"/msp/clients/{}\"", f.t1));
    // A technician (T2) is told who can, without a link to a page they may not use.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    let team = tom.get("/settings/team").await;
    team.assert_contains("An MSP Admin of Northwind Managed IT can invite this client&#39;s admins");
    team.assert_not_contains(&format!("href=\"/msp/clients/{}\"", f.t2));
    // Where the MSP manages the team (T3), the form is there and no note.
    priya.switch_to(&f.t3).await;
    priya.get("/settings/team").await.assert_contains("Send invitation").assert_not_contains("invite-note");
}

/// SQL statements of one request to the client page of Tier Two Legal, with `extra` more staff assigned to it
/// and as many open admin invitations.
async fn client_page_statements(extra: usize) -> u64 {
    let app = TestApp::new().await;
    let f = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let mut staff = vec![f.tech.clone()];
        for i in 0..extra {
            let user = fixture::user(&mut conn, &format!("tech{i}@northwind.test"), &format!("Tech {i}"));
            fixture::member(&mut conn, &f.msp, &user, palisade::auth::permissions::Role::MspTechnician);
            staff.push(user);
        }
        let ids: Vec<&palisade::db::ids::UserId> = staff.iter().collect();
        fixture::assign(&mut conn, &f.t2, &ids);
        f
    };
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let path = format!("/msp/clients/{}", f.t2);
    priya.get(&path).await;
    for i in 0..extra {
        priya.post(&format!("{path}/invite"), &[("email", &format!("admin{i}@tiertwo.test"))]).await;
    }
    app.statements_of(&mut priya, &path).await
}

#[actix_web::test]
async fn the_client_page_runs_the_same_statements_for_1_or_40_staff_and_invitations() {
    let (few, many) = (client_page_statements(1).await, client_page_statements(40).await);
    assert_eq!(few, many, "{few} statements with 1 of each, {many} with 40");
    assert!(few <= 12, "{few} statements");
}
