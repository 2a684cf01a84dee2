//! Settings -> Team Members (invitations, roles, deactivation, seats, the last-admin rule) and Settings -> Roles.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::support::db::{self, Logged, logged, membership, membership_id, snapshot};
use crate::support::fixture::{self, count};
use crate::support::page::{self, row};
use crate::support::{PASSWORD, TestApp, invitation_token};
use palisade::auth::permissions::{Permission, Role};
use palisade::auth::tokens::hash_token;
use palisade::orgs::OrgKind;
use palisade::schema::{invitations, organizations};

/// (id, email, role, token_hash, expires_at, accepted_at, accepted_user_id, revoked_at) of an organization's
/// invitations.
type InvitationRow =
    (String, String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<String>, Option<NaiveDateTime>);

fn invitations_of(conn: &mut palisade::db::DbConnection, org: &str) -> Vec<InvitationRow> {
    invitations::table
        .filter(invitations::org_id.eq(org))
        .order(invitations::created_at.asc())
        .select((
            invitations::id,
            invitations::email,
            invitations::role,
            invitations::token_hash,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::accepted_user_id,
            invitations::revoked_at,
        ))
        .load(conn)
        .unwrap()
}

fn expire(conn: &mut palisade::db::DbConnection, invitation_id: &str) {
    diesel::update(invitations::table.find(invitation_id))
        .set(invitations::expires_at.eq(crate::support::start_time() - Duration::minutes(1)))
        .execute(conn)
        .unwrap();
}

const LINK_REFUSED: &str = "This invitation link has expired, was revoked, or was already used.";

#[actix_web::test]
async fn an_invitation_is_emailed_stored_only_as_a_hash_and_accepting_it_creates_the_account_and_signs_in() {
    let (app, f) = TestApp::with_msp().await;
    let mut owner = app.signed_in("owner@tiertwo.test").await;
    owner.get("/settings/team").await.assert_status(200).assert_contains("Send invitation");
    let sent = owner
        .post("/settings/team/invite", &[("email", "New.Hire@Example.test"), ("role", "COMPLIANCE_OFFICER")])
        .await;
    sent.assert_redirect("/settings/team");
    let team = owner.follow(&sent).await;
    team.assert_contains("Invitation sent to new.hire@example.test as Approver.");
    assert!(row(&team.body, "new.hire@example.test").contains("Olive Owner"), "listed with who invited");

    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "new.hire@example.test");
    assert!(mail[0].subject.contains("Olive Owner invited you to Tier Two Legal"), "{}", mail[0].subject);
    let token = invitation_token(&mail[0]);
    assert_eq!(token.len(), 43);

    let mut conn = app.conn();
    let rows = invitations_of(&mut conn, &f.t2);
    assert_eq!(rows.len(), 1);
    let (id, email, role, token_hash, expires_at, accepted, _, revoked) = rows[0].clone();
    assert_eq!((email.as_str(), role.as_str()), ("new.hire@example.test", "COMPLIANCE_OFFICER"));
    assert_eq!(token_hash, hash_token(&token), "only the SHA-256 of the token is stored");
    assert!(!format!("{:?}", rows[0]).contains(&token), "the token itself is stored nowhere");
    let in_seven_days = crate::support::start_time() + Duration::days(7);
    assert!((expires_at - in_seven_days).num_seconds().abs() < 120, "expires after 7 days: {expires_at}");
    assert!(accepted.is_none() && revoked.is_none());
    let invite_log = logged(&mut conn, &f.t2, "member.invite");
    assert_eq!(
        invite_log,
        vec![Logged {
            actor_user_id: Some(f.client_admin.clone()),
            target_id: id.clone(),
            target_label: "new.hire@example.test".into(),
            details: "role COMPLIANCE_OFFICER".into(),
        }]
    );

    // The invited person opens the link, chooses a name and a password, and is in.
    let mut newcomer = app.client().await;
    newcomer.ip = "10.0.0.9".into();
    let accept = newcomer.get(&format!("/invitations/{token}")).await;
    accept.assert_status(200).assert_contains("Join Tier Two Legal").assert_contains("Approver");
    accept.assert_contains("new.hire@example.test").assert_contains("Create my account and join");
    let joined = newcomer
        .post(
            &format!("/invitations/{token}"),
            &[("name", "Nina Newhire"), ("password", PASSWORD), ("confirm", PASSWORD)],
        )
        .await;
    joined.assert_redirect("/");
    let user = db::user_id(&mut conn, "new.hire@example.test").expect("the account is created");
    let member = membership_id(&mut conn, &f.t2, &user);
    assert_eq!(membership(&mut conn, &member), ("COMPLIANCE_OFFICER".into(), false, false));
    let (_, _, _, _, _, accepted, accepted_by, _) = invitations_of(&mut conn, &f.t2)[0].clone();
    assert!(accepted.is_some());
    assert_eq!(accepted_by.as_deref(), Some(user.as_str()));
    let join_log = logged(&mut conn, &f.t2, "member.join");
    assert_eq!(join_log.len(), 1);
    assert_eq!(join_log[0].actor_user_id.as_deref(), Some(user.as_str()));

    // Signed in, in that organization.
    let start = newcomer.get("/start").await;
    start.assert_redirect("/overview");
    let overview = newcomer.follow(&start).await;
    overview.assert_status(200).assert_contains("Welcome to Tier Two Legal.");
    assert!(page::banner(&overview.body).contains("Tier Two Legal"), "{}", page::banner(&overview.body));
    let their_team = newcomer.get("/settings/team").await;
    let nina = row(&their_team.body, "Nina Newhire");
    assert!(nina.contains("Approver") && !nina.contains("COMPLIANCE_OFFICER"), "the label, not the id: {nina}");

    // The link works once.
    let mut again = app.client().await;
    again.ip = "10.0.0.10".into();
    again.get(&format!("/invitations/{token}")).await.assert_status(400).assert_contains(LINK_REFUSED);
    // The chosen password signs in.
    again.sign_in("new.hire@example.test").await.assert_status(200);
    // The inviter sees the new member and no open invitation any more.
    let team = owner.get("/settings/team").await;
    team.assert_contains("Nina Newhire").assert_contains("No open invitations.");
}

#[actix_web::test]
async fn accepting_with_bad_input_keeps_the_name_and_creates_nothing() {
    let (app, f) = TestApp::with_msp().await;
    let mut owner = app.signed_in("owner@tiertwo.test").await;
    owner.invite("nina@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);
    let before = snapshot(&mut app.conn());

    let mut newcomer = app.client().await;
    newcomer.get(&format!("/invitations/{token}")).await.assert_status(200);
    let empty = newcomer
        .post(&format!("/invitations/{token}"), &[("name", " "), ("password", "short"), ("confirm", "short")])
        .await;
    empty.assert_status(422).assert_contains("Your name is required.").assert_contains("Use at least 10 characters.");
    let mismatch = newcomer
        .post(
            &format!("/invitations/{token}"),
            &[("name", "Nina Newhire"), ("password", "one long passphrase"), ("confirm", "another long passphrase")],
        )
        .await;
    mismatch.assert_status(422).assert_contains("The two passwords do not match.");
    mismatch.assert_contains("value=\"Nina Newhire\"").assert_not_contains("one long passphrase");
    let same_as_email = newcomer
        .post(
            &format!("/invitations/{token}"),
            &[("name", "Nina Newhire"), ("password", "nina@example.test"), ("confirm", "nina@example.test")],
        )
        .await;
    same_as_email.assert_status(422).assert_contains("Your password cannot be your email address.");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    newcomer.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    let mut conn = app.conn();
    assert_eq!(db::user_id(&mut conn, "nina@example.test"), None);
    assert_eq!(count(&mut conn, &format!("SELECT COUNT(*) AS n FROM memberships WHERE org_id = '{}'", f.t2)), 1);
}

#[actix_web::test]
async fn resending_makes_a_new_link_and_kills_the_old_one() {
    let (app, f) = TestApp::with_msp().await;
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("sam@example.test", "MSP_TECHNICIAN").await.assert_redirect("/settings/team");
    let old_token = invitation_token(&app.mail().await[0]);
    let id = invitations_of(&mut app.conn(), &f.msp)[0].0.clone();

    let resent = admin.post(&format!("/settings/team/invitations/{id}/resend"), &[]).await;
    resent.assert_redirect("/settings/team");
    admin.follow(&resent).await.assert_contains("The previous link no longer works.");
    let mail = app.mail().await;
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1].to, "sam@example.test");
    let new_token = invitation_token(&mail[1]);
    assert_ne!(old_token, new_token);
    let mut conn = app.conn();
    let rows = invitations_of(&mut conn, &f.msp);
    assert_eq!(rows.len(), 1, "the same invitation, renewed");
    assert_eq!(rows[0].3, hash_token(&new_token));
    let resend_log = logged(&mut conn, &f.msp, "member.invite_resend");
    assert_eq!(resend_log.len(), 1);
    assert_eq!(
        (resend_log[0].target_id.as_str(), resend_log[0].actor_user_id.as_deref()),
        (id.as_str(), Some(f.admin.as_str()))
    );

    let mut sam = app.client().await;
    sam.get(&format!("/invitations/{old_token}")).await.assert_status(400).assert_contains(LINK_REFUSED);
    sam.get(&format!("/invitations/{new_token}")).await.assert_status(200).assert_contains("Join Northwind Managed IT");
    sam.post(
        &format!("/invitations/{new_token}"),
        &[("name", "Sam Lee"), ("password", PASSWORD), ("confirm", PASSWORD)],
    )
    .await
    .assert_redirect("/");
    let user = db::user_id(&mut conn, "sam@example.test").unwrap();
    let member = membership_id(&mut conn, &f.msp, &user);
    assert_eq!(membership(&mut conn, &member).0, "MSP_TECHNICIAN");
}

#[actix_web::test]
async fn an_expired_invitation_is_refused_shown_as_expired_and_can_be_resent() {
    let (app, f) = TestApp::with_msp().await;
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("late@example.test", "READ_ONLY").await.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);
    let id = invitations_of(&mut app.conn(), &f.msp)[0].0.clone();
    expire(&mut app.conn(), &id);

    let mut late = app.client().await;
    late.get(&format!("/invitations/{token}")).await.assert_status(400).assert_contains(LINK_REFUSED);
    // A form opened before it expired is refused too.
    late.get("/login").await;
    late.post(&format!("/invitations/{token}"), &[("name", "Lee Late"), ("password", PASSWORD), ("confirm", PASSWORD)])
        .await
        .assert_status(400);
    let mut conn = app.conn();
    assert_eq!(db::user_id(&mut conn, "late@example.test"), None, "no account");
    assert!(invitations_of(&mut conn, &f.msp)[0].5.is_none(), "not accepted");

    let team = admin.get("/settings/team").await;
    assert!(row(&team.body, "late@example.test").contains("Expired"));
    // Resending revives it with a fresh link.
    admin.post(&format!("/settings/team/invitations/{id}/resend"), &[]).await.assert_redirect("/settings/team");
    let fresh = invitation_token(&app.mail().await[1]);
    late.get(&format!("/invitations/{fresh}")).await.assert_status(200);
    late.get(&format!("/invitations/{token}")).await.assert_status(400);
}

#[actix_web::test]
async fn a_revoked_invitation_is_refused() {
    let (app, f) = TestApp::with_msp().await;
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("gone@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);
    let id = invitations_of(&mut app.conn(), &f.msp)[0].0.clone();
    let mut invitee = app.client().await;
    invitee.get(&format!("/invitations/{token}")).await.assert_status(200);

    let revoked = admin.post(&format!("/settings/team/invitations/{id}/revoke"), &[]).await;
    revoked.assert_redirect("/settings/team");
    let team = admin.follow(&revoked).await;
    team.assert_contains("The invitation to gone@example.test is revoked; its link no longer works.");
    team.assert_contains("No open invitations.");
    let mut conn = app.conn();
    assert!(invitations_of(&mut conn, &f.msp)[0].7.is_some(), "revoked_at set");
    let log = logged(&mut conn, &f.msp, "member.invite_revoke");
    assert_eq!((log.len(), log[0].target_label.as_str()), (1, "gone@example.test"));

    // The page opened before the revocation cannot be submitted; the link is dead.
    invitee
        .post(
            &format!("/invitations/{token}"),
            &[("name", "Gone Person"), ("password", PASSWORD), ("confirm", PASSWORD)],
        )
        .await
        .assert_status(400)
        .assert_contains(LINK_REFUSED);
    invitee.get(&format!("/invitations/{token}")).await.assert_status(400);
    assert_eq!(db::user_id(&mut conn, "gone@example.test"), None);
    // Revoking or resending it again finds no open invitation.
    admin.get("/settings/team").await;
    admin.post(&format!("/settings/team/invitations/{id}/revoke"), &[]).await.assert_status(404);
    admin.post(&format!("/settings/team/invitations/{id}/resend"), &[]).await.assert_status(404);
    assert_eq!(app.mail().await.len(), 1);
}

#[actix_web::test]
async fn an_existing_user_joins_only_after_signing_in_as_the_invited_email() {
    let (app, f) = TestApp::with_msp().await;
    // The MSP admin invites the technician into a T3 client (Manage tier allows team management).
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t3).await;
    priya.invite("tech@northwind.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);
    let link = format!("/invitations/{token}");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let before = snapshot(&mut app.conn());

    // Not signed in: asked for the account's password; a wrong one (or a new account's fields) joins nothing.
    let mut visitor = app.client().await;
    let page = visitor.get(&link).await;
    page.assert_status(200).assert_contains("You already have a Palisade account. Enter its password to join.");
    page.assert_not_contains("Choose a password");
    visitor.get("/login").await;
    visitor
        .post(&link, &[("name", "Impostor"), ("password", "an impostor's guess"), ("confirm", "an impostor's guess")])
        .await
        .assert_status(422)
        .assert_contains("That is not the password of tech@northwind.test.");
    // Signed in as somebody else: a clear message, nothing joined.
    let other = olive.get(&link).await;
    other.assert_contains("You are signed in as owner@tiertwo.test, but this invitation is for tech@northwind.test.");
    let refused = olive.post(&link, &[]).await;
    refused.assert_status(200).assert_contains("but this invitation is for tech@northwind.test");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing joined, the invitation still open");

    // Signed in as the invited email (through the sign-in link of the page): one click to join.
    let mut tech = app.client().await;
    tech.get(&format!("/login?next=/invitations/{token}")).await;
    tech.post("/login", &[("email", "tech@northwind.test"), ("password", PASSWORD), ("next", &link)])
        .await
        .assert_redirect(&link);
    tech.get(&link).await.assert_status(200).assert_contains("Join Tier Three Health");
    tech.post(&link, &[]).await.assert_redirect("/");
    let mut conn = app.conn();
    let joined = membership_id(&mut conn, &f.t3, &f.tech);
    assert_eq!(membership(&mut conn, &joined), ("EMPLOYEE".into(), false, false));
    let msp_member = membership_id(&mut conn, &f.msp, &f.tech);
    assert_eq!(membership(&mut conn, &msp_member), ("MSP_TECHNICIAN".into(), false, false), "other memberships kept");
    assert_eq!(logged(&mut conn, &f.t3, "member.join")[0].actor_user_id.as_deref(), Some(f.tech.as_str()));
    // Working in the organization just joined (not the MSP the technician usually starts in).
    let overview = tech.get("/overview").await;
    assert!(page::banner(&overview.body).contains("Tier Three Health"), "{}", page::banner(&overview.body));
}

#[actix_web::test]
async fn members_are_listed_with_role_labels_not_ids_and_the_pickers_offer_the_roles_of_the_kind() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        for role in Role::allowed_in(OrgKind::Msp) {
            let email = format!("{}@roles.test", role.id().to_lowercase());
            let user = fixture::user(&mut conn, &email, &format!("Person {}", role.id()));
            fixture::member(&mut conn, &f.msp, &user, role);
        }
        let portal = fixture::user(&mut conn, "portal@tiertwo.test", "Paula Portal");
        fixture::member(&mut conn, &f.t2, &portal, Role::PortalUser);
    }
    let mut admin = app.signed_in("admin@northwind.test").await;
    let team = admin.get("/settings/team").await;
    let expected = [
        (Role::Admin, "Admin"),
        (Role::ComplianceAdmin, "Compliance Admin"),
        (Role::ComplianceOfficer, "Approver"),
        (Role::PrivacyOfficer, "Approver (Privacy)"),
        (Role::SecurityOfficer, "Approver (Security)"),
        (Role::Employee, "Analyst"),
        (Role::ReadOnly, "Read Only"),
        (Role::MspAdmin, "MSP Admin"),
        (Role::MspTechnician, "MSP Technician"),
    ];
    for (role, label) in expected {
        let r = row(&team.body, &format!("Person {}<", role.id()));
        assert!(r.contains(&format!("<td>{label}</td>")), "{role:?}: {r}");
        assert!(!r.contains("<code"), "no role id beside the label: {r}");
    }
    let picker = team.body.split("id=\"invite-role\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert!(picker.contains("MSP Technician") && !picker.contains("End User"), "{picker}");

    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let client_team = olive.get("/settings/team").await;
    let paula = row(&client_team.body, "Paula Portal");
    assert!(paula.contains("End User") && !crate::support::strip_tags(&paula).contains("PORTAL_USER"), "{paula}");
    let picker = client_team.body.split("id=\"invite-role\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert!(picker.contains("End User") && !picker.contains("MSP_"), "{picker}");
    // Search narrows the table.
    let found = olive.get("/settings/team?q=paula").await;
    assert!(page::has_row(&found.body, "Paula Portal") && !page::has_row(&found.body, "owner@tiertwo.test"));
}

#[actix_web::test]
async fn role_changes_the_compliance_flag_deactivation_and_reactivation_take_effect_at_once() {
    let (app, f) = TestApp::with_msp().await;
    let tech_member = membership_id(&mut app.conn(), &f.msp, &f.tech);
    let mut tech = app.signed_in("tech@northwind.test").await;
    tech.get("/msp/clients").await.assert_status(200).assert_not_contains("Tier One Dental");
    let mut admin = app.signed_in("admin@northwind.test").await;
    let team = admin.get("/settings/team").await;
    team.assert_contains("<strong>3 of 25</strong> seats used");

    // Change role: the technician now reaches every client.
    let changed = admin.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "MSP_ADMIN")]).await;
    changed.assert_redirect("/settings/team");
    admin.follow(&changed).await.assert_contains("Tom Tech is now MSP Admin.");
    let mut conn = app.conn();
    assert_eq!(membership(&mut conn, &tech_member).0, "MSP_ADMIN");
    assert_eq!(logged(&mut conn, &f.msp, "member.change_role")[0].details, "MSP_TECHNICIAN -> MSP_ADMIN");
    tech.get("/msp/clients").await.assert_contains("Tier One Dental");

    // The compliance team flag.
    admin.post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", "1")]).await;
    assert!(membership(&mut conn, &tech_member).1);
    let team = admin.get("/settings/team").await;
    assert!(row(&team.body, "Tom Tech").contains("✓ Yes"));
    admin.post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", "0")]).await;
    assert!(!membership(&mut conn, &tech_member).1);
    let flags: Vec<String> =
        logged(&mut conn, &f.msp, "member.compliance_team").into_iter().map(|l| l.details).collect();
    assert_eq!(flags, ["on", "off"]);

    // Deactivate: access ends on the very next request, the seat is free, history is kept.
    let off = admin.post(&format!("/settings/team/members/{tech_member}/deactivate"), &[]).await;
    let team = admin.follow(&off).await;
    team.assert_contains("Tom Tech is deactivated: their access to Northwind Managed IT ended now and a seat is free.");
    team.assert_contains("<strong>2 of 25</strong> seats used");
    assert!(row(&team.body, "Tom Tech").contains("Deactivated"));
    assert_eq!(membership(&mut conn, &tech_member), ("MSP_ADMIN".into(), false, true));
    assert_eq!(logged(&mut conn, &f.msp, "member.deactivate")[0].target_id, tech_member);
    let refused = tech.get("/msp/clients").await;
    assert!(refused.status.as_u16() == 403 || refused.location.is_some(), "{}", refused.status);
    // His only membership: the session itself ended.
    tech.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    tech.post("/switch", &[("org_id", &f.t1)]).await.assert_status(403);
    assert_eq!(
        logged(&mut conn, &f.msp, "auth.sign_in").iter().filter(|l| l.actor_user_id.as_ref() == Some(&f.tech)).count(),
        1,
        "history kept"
    );

    // Reactivate: access is back once he signs in again.
    let on = admin.post(&format!("/settings/team/members/{tech_member}/reactivate"), &[]).await;
    admin.follow(&on).await.assert_contains("Tom Tech is active again.").assert_contains("<strong>3 of 25</strong>");
    assert_eq!(membership(&mut conn, &tech_member), ("MSP_ADMIN".into(), false, false));
    assert_eq!(logged(&mut conn, &f.msp, "member.reactivate").len(), 1);
    tech.sign_in("tech@northwind.test").await;
    tech.get("/msp/clients").await.assert_status(200).assert_contains("Tier One Dental");
}

#[actix_web::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = TestApp::new().await;
    let (solo, sole_admin, employee) = {
        let mut conn = app.conn();
        fixture::msp(&mut conn);
        let solo = fixture::org(&mut conn, OrgKind::Solo, "Solo Shop");
        let admin = fixture::user(&mut conn, "boss@shop.test", "Bea Boss");
        let employee = fixture::user(&mut conn, "emp@shop.test", "Eli Employee");
        let admin_m = fixture::member(&mut conn, &solo, &admin, Role::Admin);
        let employee_m = fixture::member(&mut conn, &solo, &employee, Role::Employee);
        (solo, admin_m, employee_m)
    };
    let mut boss = app.signed_in("boss@shop.test").await;
    boss.get("/settings/team").await;
    let only_admin = "This is the organization&#39;s only active Admin.";
    let demote = boss.post(&format!("/settings/team/members/{sole_admin}/role"), &[("role", "READ_ONLY")]).await;
    boss.follow(&demote).await.assert_contains(only_admin);
    boss.post(&format!("/settings/team/members/{sole_admin}/deactivate"), &[]).await;
    boss.get("/settings/team").await.assert_contains("You cannot deactivate yourself.");
    // Not through the super admin's pages either.
    let mut root = app.signed_in("admin@northwind.test").await;
    let admin_page = format!("/admin/orgs/{solo}");
    root.get(&admin_page).await;
    root.post(&format!("/admin/orgs/{solo}/members/{sole_admin}/deactivate"), &[]).await.assert_redirect(&admin_page);
    root.get(&admin_page).await.assert_contains(only_admin);
    root.post(&format!("/admin/orgs/{solo}/members/{sole_admin}/role"), &[("role", "EMPLOYEE")]).await;
    root.get(&admin_page).await.assert_contains(only_admin);
    let mut conn = app.conn();
    assert_eq!(membership(&mut conn, &sole_admin), ("ADMIN".into(), false, false));
    assert!(logged(&mut conn, &solo, "member.change_role").is_empty());

    // A second Admin makes it possible; a deactivated Admin does not count.
    boss.post(&format!("/settings/team/members/{employee}/role"), &[("role", "ADMIN")]).await;
    boss.post(&format!("/settings/team/members/{employee}/deactivate"), &[]).await;
    assert_eq!(membership(&mut conn, &employee), ("ADMIN".into(), false, true));
    boss.post(&format!("/settings/team/members/{sole_admin}/role"), &[("role", "READ_ONLY")]).await;
    boss.get("/settings/team").await.assert_contains(only_admin);
    assert_eq!(membership(&mut conn, &sole_admin).0, "ADMIN");
    boss.post(&format!("/settings/team/members/{employee}/reactivate"), &[]).await;
    let demoted = boss.post(&format!("/settings/team/members/{sole_admin}/role"), &[("role", "READ_ONLY")]).await;
    boss.follow(&demoted).await.assert_contains("Bea Boss is now Read Only.");
    assert_eq!(membership(&mut conn, &sole_admin).0, "READ_ONLY");
}

#[actix_web::test]
async fn seat_usage_warns_over_the_plan_limit_and_never_blocks_invitations() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        diesel::update(organizations::table.find(&f.t2))
            .set(organizations::seat_limit.eq(2))
            .execute(&mut conn)
            .unwrap();
        // End users do not take seats.
        for i in 0..3 {
            let user = fixture::user(&mut conn, &format!("enduser{i}@tiertwo.test"), &format!("End User {i}"));
            fixture::member(&mut conn, &f.t2, &user, Role::PortalUser);
        }
        let analyst = fixture::user(&mut conn, "analyst@tiertwo.test", "Andy Analyst");
        fixture::member(&mut conn, &f.t2, &analyst, Role::Employee);
    }
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let at_limit = olive.get("/settings/team").await;
    at_limit.assert_contains("<strong>2 of 2</strong> seats used").assert_not_contains("Over plan limit");

    let mut conn = app.conn();
    let seats_sql = format!(
        "SELECT COUNT(*) AS n FROM memberships WHERE org_id = '{}' AND deactivated_at IS NULL AND role <> 'PORTAL_USER'",
        f.t2
    );
    let extra = fixture::user(&mut conn, "third@tiertwo.test", "Theo Third");
    let extra_member = fixture::member(&mut conn, &f.t2, &extra, Role::ReadOnly);
    assert_eq!(count(&mut conn, &seats_sql), 3);
    let over = olive.get("/settings/team").await;
    over.assert_contains("<strong>3 of 2</strong> seats used").assert_contains("Over plan limit");
    assert!(over.contains("seat-usage seat-over"));
    // Inviting still works while over the limit.
    let invited = olive.post("/settings/team/invite", &[("email", "fourth@tiertwo.test"), ("role", "EMPLOYEE")]).await;
    invited.assert_redirect("/settings/team");
    assert_eq!(invitations_of(&mut conn, &f.t2).len(), 1);
    assert_eq!(app.mail().await.len(), 1);
    // Deactivating frees the seat.
    olive.get("/settings/team").await;
    olive.post(&format!("/settings/team/members/{extra_member}/deactivate"), &[]).await;
    let back = olive.get("/settings/team").await;
    back.assert_contains("<strong>2 of 2</strong> seats used").assert_not_contains("Over plan limit");
    assert_eq!(count(&mut conn, &seats_sql), 2);
}

#[actix_web::test]
async fn roles_without_team_management_cannot_change_the_team() {
    let (app, f) = TestApp::with_msp().await;
    let (tech_member, client_member) = {
        let mut conn = app.conn();
        let analyst = fixture::user(&mut conn, "analyst@northwind.test", "Ana Analyst");
        fixture::member(&mut conn, &f.msp, &analyst, Role::Employee);
        (membership_id(&mut conn, &f.msp, &f.tech), membership_id(&mut conn, &f.t2, &f.client_admin))
    };
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("x@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let invitation = invitations_of(&mut app.conn(), &f.msp)[0].0.clone();
    let mut ana = app.signed_in("analyst@northwind.test").await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t2).await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let before = snapshot(&mut app.conn());

    // An Analyst sees the team but cannot change it.
    let team = ana.get("/settings/team").await;
    team.assert_status(200).assert_contains("Tom Tech").assert_not_contains("Send invitation");
    team.assert_not_contains("/deactivate").assert_not_contains("/resend");
    ana.post("/settings/team/invite", &[("email", "y@example.test"), ("role", "ADMIN")]).await.assert_status(403);
    ana.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "ADMIN")]).await.assert_status(403);
    ana.post(&format!("/settings/team/members/{tech_member}/deactivate"), &[]).await.assert_status(403);
    ana.post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", "1")]).await.assert_status(403);
    ana.post(&format!("/settings/team/invitations/{invitation}/resend"), &[]).await.assert_status(403);
    ana.post(&format!("/settings/team/invitations/{invitation}/revoke"), &[]).await.assert_status(403);

    // An MSP Admin in a T2 (Operate) client sees its team but may not manage it.
    let client_team = priya.get("/settings/team").await;
    client_team.assert_status(200).assert_contains("Olive Owner").assert_not_contains("Send invitation");
    priya.post("/settings/team/invite", &[("email", "y@example.test"), ("role", "EMPLOYEE")]).await.assert_status(403);
    priya.post(&format!("/settings/team/members/{client_member}/deactivate"), &[]).await.assert_status(403);
    priya
        .post(&format!("/settings/team/members/{client_member}/role"), &[("role", "READ_ONLY")])
        .await
        .assert_status(403);

    // A technician cannot manage the MSP's team.
    tom.get("/settings/team").await;
    tom.post("/settings/team/invite", &[("email", "y@example.test"), ("role", "EMPLOYEE")]).await.assert_status(403);

    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed, nothing logged");
    assert_eq!(app.mail().await.len(), 1);
}

#[actix_web::test]
async fn another_tenants_member_and_invitation_ids_are_not_found_and_change_nothing() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (rival_member, client_member) = {
        let mut conn = app.conn();
        (membership_id(&mut conn, &other.msp, &other.admin), membership_id(&mut conn, &f.t2, &f.client_admin))
    };
    // Invitations in the other MSP and in a client of this MSP.
    let mut rival = app.signed_in("admin@contoso.test").await;
    rival.invite("r@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let rival_invitation = invitations_of(&mut app.conn(), &other.msp)[0].0.clone();
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.invite("c@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let client_invitation = invitations_of(&mut app.conn(), &f.t2)[0].0.clone();

    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.get("/settings/team").await;
    let before = snapshot(&mut app.conn());
    for member in [&rival_member, &client_member, &"no-such-member".to_string()] {
        admin.post(&format!("/settings/team/members/{member}/role"), &[("role", "READ_ONLY")]).await.assert_status(404);
        admin.post(&format!("/settings/team/members/{member}/deactivate"), &[]).await.assert_status(404);
        admin.post(&format!("/settings/team/members/{member}/reactivate"), &[]).await.assert_status(404);
        admin
            .post(&format!("/settings/team/members/{member}/compliance-team"), &[("on", "1")])
            .await
            .assert_status(404);
    }
    for invitation in [&rival_invitation, &client_invitation, &"no-such-invitation".to_string()] {
        admin.post(&format!("/settings/team/invitations/{invitation}/resend"), &[]).await.assert_status(404);
        admin.post(&format!("/settings/team/invitations/{invitation}/revoke"), &[]).await.assert_status(404);
    }
    // A form claiming to be for the other MSP is refused without naming it.
    let claimed = admin
        .post("/settings/team/invite", &[("_org", &other.msp), ("email", "z@example.test"), ("role", "EMPLOYEE")])
        .await;
    assert!(matches!(claimed.status.as_u16(), 403 | 404), "{}", claimed.status);
    claimed.assert_not_contains(fixture::OTHER_NAME);
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed anywhere");
    assert_eq!(app.mail().await.len(), 2, "no email sent");
    // The other tenant's team never shows up.
    admin.get("/settings/team?q=rita").await.assert_not_contains("Rita Rival");
}

#[actix_web::test]
async fn bad_invitations_come_back_with_messages_and_values_and_write_nothing() {
    let (app, f) = TestApp::with_msp().await;
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("open@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let before = snapshot(&mut app.conn());

    let bad_email = admin.post("/settings/team/invite", &[("email", "not-an-email"), ("role", "READ_ONLY")]).await;
    bad_email.assert_status(422).assert_contains("Enter an email address like name@example.com.");
    bad_email.assert_contains("value=\"not-an-email\"").assert_contains("<option value=\"READ_ONLY\" selected>");
    let bad_role = admin.post("/settings/team/invite", &[("email", "ok@example.test"), ("role", "SUPERUSER")]).await;
    bad_role.assert_status(422).assert_contains("Choose one of the roles offered for this organization.");
    bad_role.assert_contains("value=\"ok@example.test\"");
    let portal_in_msp =
        admin.post("/settings/team/invite", &[("email", "ok@example.test"), ("role", "PORTAL_USER")]).await;
    portal_in_msp.assert_status(422).assert_contains("Choose one of the roles offered for this organization.");
    let member = admin.post("/settings/team/invite", &[("email", "TECH@northwind.test"), ("role", "EMPLOYEE")]).await;
    member.assert_status(422).assert_contains("This person is already an active member.");
    let twice = admin.post("/settings/team/invite", &[("email", "open@example.test"), ("role", "EMPLOYEE")]).await;
    twice.assert_status(422).assert_contains("This person already has an open invitation.");
    let empty = admin.post("/settings/team/invite", &[]).await;
    empty.assert_status(422).assert_contains("Email is required.");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    assert_eq!(app.mail().await.len(), 1, "no email sent");

    // Bad member changes are refused with a message, unknown ones are 404, never a 500.
    let tech_member = membership_id(&mut app.conn(), &f.msp, &f.tech);
    admin.get("/settings/team").await;
    admin.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "KING")]).await;
    admin.get("/settings/team").await.assert_contains("Choose a role from the list.");
    admin.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "PORTAL_USER")]).await;
    admin.get("/settings/team").await.assert_contains("End User is not a role an organization of this kind can have.");
    admin.post(&format!("/settings/team/members/{tech_member}/reactivate"), &[]).await;
    admin.get("/settings/team").await.assert_contains("This member is already active.");
    // A change that changes nothing is not a change (and is not logged as one).
    admin.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "MSP_TECHNICIAN")]).await;
    admin.get("/settings/team").await.assert_contains("This member is already MSP Technician.");
    admin.post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", "0")]).await;
    admin.get("/settings/team").await.assert_contains("This member is not on the compliance team.");
    assert_eq!(snapshot(&mut app.conn()), before);
}

#[actix_web::test]
async fn a_deactivated_member_invited_again_gets_the_same_membership_back_with_the_new_role() {
    let (app, f) = TestApp::with_msp().await;
    let tech_member = membership_id(&mut app.conn(), &f.msp, &f.tech);
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.get("/settings/team").await;
    admin.post(&format!("/settings/team/members/{tech_member}/deactivate"), &[]).await.assert_status(303);
    let invited = admin.post("/settings/team/invite", &[("email", "tech@northwind.test"), ("role", "READ_ONLY")]).await;
    invited.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);

    let mut tom = app.client().await;
    // With no active membership he cannot sign in; the invitation takes his password instead.
    tom.sign_in_with("tech@northwind.test", crate::support::PASSWORD).await.assert_status(403);
    tom.get(&format!("/invitations/{token}")).await.assert_contains("Join Northwind Managed IT");
    let wrong = tom.post(&format!("/invitations/{token}"), &[("password", "not his password")]).await;
    wrong.assert_status(422).assert_contains("That is not the password of tech@northwind.test.");
    let joined = tom.post(&format!("/invitations/{token}"), &[("password", crate::support::PASSWORD)]).await;
    joined.assert_redirect("/");
    let mut conn = app.conn();
    assert_eq!(membership(&mut conn, &tech_member), ("READ_ONLY".into(), false, false), "the same row, active again");
    assert_eq!(count(&mut conn, &format!("SELECT COUNT(*) AS n FROM memberships WHERE user_id = '{}'", f.tech)), 1);
    assert_eq!(logged(&mut conn, &f.msp, "member.join").len(), 1);
    tom.get("/overview").await.assert_status(200).assert_contains("Northwind Managed IT");
    // Already a member now: the same link cannot be used twice, and a new invitation is refused.
    admin.get("/settings/team").await;
    let again = admin.post("/settings/team/invite", &[("email", "tech@northwind.test"), ("role", "ADMIN")]).await;
    again.assert_status(422).assert_contains("This person is already an active member.");
}

#[actix_web::test]
async fn the_roles_page_renders_the_permission_table_of_the_code() {
    let (app, f) = TestApp::with_msp().await;
    let mut tech = app.signed_in("tech@northwind.test").await;
    let roles = tech.get("/settings/roles").await;
    roles.assert_status(200);
    for role in Role::ALL {
        roles.assert_contains(&format!(">{}</th>", role.label()));
        assert!(!crate::support::strip_tags(&roles.body).contains(role.id()), "{role:?} shown by its label only");
    }
    // The matrix scrolls inside its card as a named region that the keyboard can reach.
    roles.assert_contains("class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Permissions by role\"");
    for p in Permission::ALL {
        let r = row(&roles.body, &format!("</span>{}<span", p.label()));
        let ticks: Vec<bool> =
            r.split("class=\"matrix-cell\"").skip(1).map(|cell| cell.contains("class=\"yes\"")).collect();
        let expected: Vec<bool> = Role::ALL.iter().map(|role| role.permissions().contains(p)).collect();
        assert_eq!(ticks, expected, "{p:?}");
        let team = palisade::auth::permissions::COMPLIANCE_TEAM.contains(p);
        assert_eq!(r.contains("class=\"team-yes\""), team, "{p:?}: what the compliance-team flag adds");
        let tier = p.min_tier().map(|t| t.label()).unwrap_or_else(|| "never".into());
        assert!(r.contains(&format!("<td>{tier}</td>")), "{p:?}: {r}");
    }
    // A person without a workspace role (an end user) cannot open it.
    let mut conn = app.conn();
    let user = fixture::user(&mut conn, "enduser@tiertwo.test", "Erin Enduser");
    fixture::member(&mut conn, &f.t2, &user, Role::PortalUser);
    let mut erin = app.signed_in("enduser@tiertwo.test").await;
    erin.get("/settings/roles").await.assert_status(403);
}
