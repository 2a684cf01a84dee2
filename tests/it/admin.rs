//! Administration -> Organizations (super admins only): every organization, creating any kind, make-MSP,
//! archive and restore, seats and members.

use diesel::prelude::*;

use crate::support::db::{self, Logged, logged, membership, membership_id, snapshot};
use crate::support::fixture;
use crate::support::page::{self, has_row, row};
use crate::support::{PASSWORD, TestApp, invitation_token};
use palisade::auth::permissions::Role;
use palisade::db::DbConnection;
use palisade::orgs::OrgKind;
use palisade::schema::organizations;

fn org_id_from(location: &Option<String>) -> String {
    location.as_deref().and_then(|l| l.strip_prefix("/admin/orgs/")).expect("redirect to the organization").to_string()
}

/// (kind, slug, timezone, seat_limit, archived) of an organization.
fn org_row(conn: &mut DbConnection, id: &str) -> (String, String, String, i32, bool) {
    let (kind, slug, tz, seats, archived): (String, String, String, i32, Option<chrono::NaiveDateTime>) =
        organizations::table
            .find(id)
            .select((
                organizations::kind,
                organizations::slug,
                organizations::timezone,
                organizations::seat_limit,
                organizations::archived_at,
            ))
            .first(conn)
            .unwrap();
    (kind, slug, tz, seats, archived.is_some())
}

#[actix_web::test]
async fn super_admins_see_every_organization_and_can_filter_and_page_the_list() {
    let app = TestApp::new().await;
    let f = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        fixture::other(&mut conn);
        fixture::org(&mut conn, OrgKind::Solo, "Solo Shop");
        palisade::orgs::models::set_archived(&mut conn, &f.t1, true, app.now()).unwrap();
        f
    };
    let mut root = app.client().await;
    let home = root.sign_in("admin@northwind.test").await;
    home.assert_contains("href=\"/admin/orgs\"");
    let list = root.get("/admin/orgs").await;
    list.assert_status(200).assert_contains("1–6 of 6");
    for name in [
        fixture::MSP_NAME,
        "Tier Two Legal",
        "Tier Three Health",
        fixture::OTHER_NAME,
        fixture::OTHER_CLIENT,
        "Solo Shop",
    ] {
        assert!(has_row(&list.body, name), "{name} listed");
    }
    assert!(!has_row(&list.body, "Tier One Dental"), "archived organizations are under their own filter");
    let t2 = crate::support::strip_tags(&row(&list.body, "Tier Two Legal"));
    assert!(t2.contains("Client Northwind Managed IT 1"), "kind, MSP and member count: {t2}");
    let bakery = crate::support::strip_tags(&row(&list.body, fixture::OTHER_CLIENT));
    assert!(bakery.contains("Client Contoso Rival IT 0"), "{bakery}");

    let msps = root.get("/admin/orgs?kind=msp").await;
    msps.assert_contains("1–2 of 2");
    assert!(has_row(&msps.body, fixture::MSP_NAME) && has_row(&msps.body, fixture::OTHER_NAME));
    let rival = root.get("/admin/orgs?q=rival").await;
    rival.assert_contains("1–2 of 2");
    assert!(has_row(&rival.body, fixture::OTHER_CLIENT) && !has_row(&rival.body, "Tier Two Legal"));
    let archived = root.get("/admin/orgs?status=archived").await;
    archived.assert_contains("1–1 of 1");
    assert!(row(&archived.body, "Tier One Dental").contains("Archived"));
    root.get("/admin/orgs?status=all&kind=client").await.assert_contains("1–4 of 4");

    {
        let mut conn = app.conn();
        for i in 0..30 {
            fixture::org(&mut conn, OrgKind::Solo, &format!("Paged Solo {i:02}"));
        }
    }
    let first = root.get("/admin/orgs?kind=solo").await;
    first.assert_contains("1–25 of 31").assert_contains("Page 1 of 2");
    let second = root.get("/admin/orgs?kind=solo&page=2").await;
    second.assert_contains("26–31 of 31");
    assert!(has_row(&second.body, "Solo Shop") && !has_row(&second.body, "Paged Solo 00"));
    root.get(&format!("/admin/orgs/{}", f.t1))
        .await
        .assert_status(200)
        .assert_contains("This organization is archived.");
}

#[actix_web::test]
async fn only_super_admins_reach_the_organization_pages() {
    let (app, f) = TestApp::with_msp().await;
    let olive_member = membership_id(&mut app.conn(), &f.t2, &f.client_admin);
    let mut people = Vec::new();
    for email in ["mspadmin@northwind.test", "owner@tiertwo.test", "tech@northwind.test"] {
        let mut c = app.client().await;
        let home = c.sign_in(email).await;
        home.assert_not_contains("href=\"/admin/orgs\"");
        people.push(c);
    }
    let before = snapshot(&mut app.conn());
    for c in &mut people {
        c.get("/admin/orgs").await.assert_status(403);
        c.get("/admin/orgs/new").await.assert_status(403);
        c.get(&format!("/admin/orgs/{}", f.t2)).await.assert_status(403);
        let create = [("name", "Sneaky Org"), ("kind", "msp"), ("timezone", "UTC"), ("seat_limit", "5")];
        c.post("/admin/orgs", &create).await.assert_status(403);
        for action in ["make-msp", "archive", "restore"] {
            c.post(&format!("/admin/orgs/{}/{action}", f.t2), &[]).await.assert_status(403);
        }
        c.post(&format!("/admin/orgs/{}/seats", f.t2), &[("seat_limit", "999")]).await.assert_status(403);
        let invite = [("email", "x@example.test"), ("role", "ADMIN")];
        c.post(&format!("/admin/orgs/{}/invite", f.t2), &invite).await.assert_status(403);
        let role = [("role", "READ_ONLY")];
        c.post(&format!("/admin/orgs/{}/members/{olive_member}/role", f.t2), &role).await.assert_status(403);
        c.post(&format!("/admin/orgs/{}/members/{olive_member}/deactivate", f.t2), &[]).await.assert_status(403);
    }
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed");
    assert!(app.mail().await.is_empty());
}

#[actix_web::test]
async fn super_admins_create_organizations_of_every_kind_and_invite_their_first_admin() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut root = app.signed_in("admin@northwind.test").await;
    let form = root.get("/admin/orgs/new").await;
    form.assert_status(200).assert_contains(&format!(
        "<option value=\"{}\">{}</option>",
        other.msp,
        fixture::OTHER_NAME
    ));
    let solo = root
        .post(
            "/admin/orgs",
            &[
                ("name", "Harbor Point Dental"),
                ("slug", ""),
                ("kind", "solo"),
                ("timezone", "Europe/Paris"),
                ("contact_email", "office@harbor.test"),
                ("seat_limit", "10"),
                ("msp_org_id", ""),
                ("tier", "T2"),
            ],
        )
        .await;
    solo.assert_status(303);
    let solo_id = org_id_from(&solo.location);
    let detail = root.follow(&solo).await;
    detail.assert_contains("The organization is created. Invite its first admin below.");
    detail.assert_contains("0 / 10").assert_contains("Mark as MSP");
    let mut conn = app.conn();
    assert_eq!(
        org_row(&mut conn, &solo_id),
        ("solo".into(), "harbor-point-dental".into(), "Europe/Paris".into(), 10, false)
    );
    assert_eq!(
        logged(&mut conn, &solo_id, "organization.create"),
        vec![Logged {
            actor_user_id: Some(f.admin.clone()),
            target_id: solo_id.clone(),
            target_label: "Harbor Point Dental".into(),
            details: "kind solo".into(),
        }]
    );

    // A client managed by another MSP, at T1, and a new MSP.
    let client = root
        .post(
            "/admin/orgs",
            &[
                ("name", "Bakery Two"),
                ("kind", "client"),
                ("timezone", "UTC"),
                ("seat_limit", "25"),
                ("msp_org_id", &other.msp),
                ("tier", "T1"),
            ],
        )
        .await;
    let client_id = org_id_from(&client.location);
    let (msp, tier): (Option<String>, Option<String>) = organizations::table
        .find(&client_id)
        .select((organizations::msp_org_id, organizations::tier))
        .first(&mut conn)
        .unwrap();
    let (msp, tier) = (msp.unwrap(), tier.unwrap());
    assert_eq!((msp, tier), (other.msp.to_string(), "T1".to_string()));
    root.get(&format!("/admin/orgs/{client_id}"))
        .await
        .assert_contains(fixture::OTHER_NAME)
        .assert_not_contains("Mark as MSP");
    let mut rita = app.signed_in("admin@contoso.test").await;
    assert!(row(&rita.get("/msp/clients").await.body, "Bakery Two").contains("T1 Monitor"));
    let msp = root
        .post(
            "/admin/orgs",
            &[("name", "Fabrikam Partners"), ("kind", "msp"), ("timezone", "UTC"), ("seat_limit", "3")],
        )
        .await;
    let msp_id = org_id_from(&msp.location);
    assert_eq!(org_row(&mut conn, &msp_id).0, "msp");

    // The first admin is invited from the organization's page and joins.
    root.get(&format!("/admin/orgs/{solo_id}")).await;
    let invited =
        root.post(&format!("/admin/orgs/{solo_id}/invite"), &[("email", "boss@harbor.test"), ("role", "ADMIN")]).await;
    invited.assert_redirect(&format!("/admin/orgs/{solo_id}"));
    root.follow(&invited)
        .await
        .assert_contains("Invitation sent to boss@harbor.test as Admin.")
        .assert_contains("boss@harbor.test — Admin");
    assert_eq!(logged(&mut conn, &solo_id, "member.invite")[0].actor_user_id.as_deref(), Some(f.admin.as_str()));
    let token = invitation_token(&app.mail().await[0]);
    let mut boss = app.client().await;
    boss.get(&format!("/invitations/{token}")).await.assert_contains("Join Harbor Point Dental");
    boss.post(&format!("/invitations/{token}"), &[("name", "Bo Boss"), ("password", PASSWORD), ("confirm", PASSWORD)])
        .await
        .assert_redirect("/");
    let boss_id = db::user_id(&mut conn, "boss@harbor.test").unwrap();
    let boss_member = membership_id(&mut conn, &solo_id, &boss_id);
    assert_eq!(membership(&mut conn, &boss_member).0, "ADMIN");
    boss.get("/settings/team").await.assert_status(200).assert_contains("Send invitation").assert_contains("1 of 10");
}

#[actix_web::test]
async fn creating_an_organization_with_bad_input_keeps_the_values_and_writes_nothing() {
    let (app, f) = TestApp::with_msp().await;
    let mut root = app.signed_in("admin@northwind.test").await;
    root.get("/admin/orgs/new").await;
    let before = snapshot(&mut app.conn());
    let bad = root
        .post(
            "/admin/orgs",
            &[
                ("name", ""),
                ("slug", "Bad Slug"),
                ("kind", "galaxy"),
                ("timezone", "Mars/Base"),
                ("contact_email", "nope"),
                ("seat_limit", "lots"),
            ],
        )
        .await;
    bad.assert_status(422).assert_contains("Nothing was saved. Please correct the 6 highlighted fields.");
    for message in [
        "Name is required.",
        "Use 2-40 lowercase letters, digits and single hyphens",
        "Choose MSP, Client or Solo.",
        "Choose a timezone from the list.",
        "Enter an email address like name@example.com.",
        "Seats must be a whole number from 1 to 100000.",
    ] {
        bad.assert_contains(message);
    }
    bad.assert_contains("value=\"Bad Slug\"").assert_contains("value=\"nope\"").assert_contains("value=\"lots\"");
    // A client "managed" by an organization that is not an MSP, with a slug already taken.
    let not_msp = root
        .post(
            "/admin/orgs",
            &[
                ("name", "Fake Managed"),
                ("slug", "tier-two-legal"),
                ("kind", "client"),
                ("timezone", "UTC"),
                ("seat_limit", "0"),
                ("msp_org_id", &f.t2),
                ("tier", "T2"),
            ],
        )
        .await;
    not_msp.assert_status(422).assert_contains("Choose an active MSP, or none.");
    not_msp
        .assert_contains("This slug is already used by another organization.")
        .assert_contains("Seats must be a whole number");
    not_msp.assert_contains("value=\"Fake Managed\"").assert_contains("value=\"client\" checked");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
}

#[actix_web::test]
async fn a_solo_organization_marked_as_msp_can_then_add_clients() {
    let app = TestApp::new().await;
    let (f, solo) = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let solo = fixture::org(&mut conn, OrgKind::Solo, "Solo Shop");
        let boss = fixture::user(&mut conn, "boss@shop.test", "Bea Boss");
        fixture::member(&mut conn, &solo, &boss, Role::Admin);
        (f, solo)
    };
    let mut bea = app.signed_in("boss@shop.test").await;
    bea.get("/msp/clients").await.assert_status(403);
    let mut root = app.signed_in("admin@northwind.test").await;
    let page_path = format!("/admin/orgs/{solo}");
    root.get(&page_path).await.assert_contains("Mark as MSP");
    let made = root.post(&format!("/admin/orgs/{solo}/make-msp"), &[]).await;
    made.assert_redirect(&page_path);
    let after = root.follow(&made).await;
    after.assert_contains("Solo Shop is now an MSP: it can add and manage clients.").assert_not_contains("Mark as MSP");
    let mut conn = app.conn();
    assert_eq!(org_row(&mut conn, &solo).0, "msp");
    assert_eq!(logged(&mut conn, &solo, "organization.make_msp")[0].actor_user_id.as_deref(), Some(f.admin.as_str()));

    // Its admin now has the MSP pages and adds a client.
    bea.get("/msp/clients").await.assert_status(200).assert_contains("No clients yet.");
    bea.get("/msp/clients/new").await.assert_status(200);
    let created = bea.post("/msp/clients", &[("name", "Shop Client One"), ("timezone", "UTC"), ("tier", "T2")]).await;
    created.assert_status(303);
    let client = created.location.as_deref().unwrap().trim_start_matches("/msp/clients/").to_string();
    let msp: String = organizations::table
        .find(&client)
        .select(organizations::msp_org_id)
        .first::<Option<String>>(&mut conn)
        .unwrap()
        .unwrap();
    assert_eq!(msp, solo);
    bea.get("/msp/dashboard").await.assert_status(200);
    assert_eq!(page::testid(&bea.get("/msp/dashboard").await.body, "managed-clients"), "1");

    // Neither an MSP nor a managed client can be made an MSP.
    let before = snapshot(&mut conn);
    root.post(&format!("/admin/orgs/{solo}/make-msp"), &[]).await;
    root.get(&page_path).await.assert_contains("Solo Shop is already an MSP.");
    root.post(&format!("/admin/orgs/{}/make-msp", f.t2), &[]).await;
    root.get(&format!("/admin/orgs/{}", f.t2))
        .await
        .assert_contains("Tier Two Legal is managed by an MSP; a managed client cannot itself be an MSP.");
    assert_eq!(snapshot(&mut conn), before);
    assert_eq!(org_row(&mut conn, &f.t2).0, "client");
}

#[actix_web::test]
async fn an_archived_organization_is_unreachable_for_its_members_and_restoring_brings_access_back() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.invite("later@tiertwo.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let token = invitation_token(&app.mail().await[0]);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    let mut root = app.signed_in("admin@northwind.test").await;
    let members_before = crate::support::fixture::count(&mut app.conn(), "SELECT COUNT(*) AS n FROM memberships");

    // Archive a client: its own admin, the MSP's staff and its invitation links lose access.
    root.get(&format!("/admin/orgs/{}", f.t2)).await;
    let archived = root.post(&format!("/admin/orgs/{}/archive", f.t2), &[]).await;
    root.follow(&archived)
        .await
        .assert_contains("Tier Two Legal is archived (its data is kept).")
        .assert_contains("Restore");
    let mut conn = app.conn();
    assert!(org_row(&mut conn, &f.t2).4);
    assert_eq!(logged(&mut conn, &f.t2, "organization.archive").len(), 1);
    // Her only organization is archived: her session ends (a person with no active membership has none).
    olive.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    olive.get("/settings/team").await.assert_redirect("/login?next=%2Fsettings%2Fteam");
    olive
        .sign_in_with("owner@tiertwo.test", crate::support::PASSWORD)
        .await
        .assert_status(403)
        .assert_contains("Your access to every organization has ended");
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.post("/switch", &[("org_id", &f.t2)]).await.assert_status(404);
    let mut invitee = app.client().await;
    invitee.get(&format!("/invitations/{token}")).await.assert_status(400);
    root.post(&format!("/admin/orgs/{}/archive", f.t2), &[]).await;
    root.get(&format!("/admin/orgs/{}", f.t2)).await.assert_contains("Tier Two Legal is already archived.");

    // Archive an MSP: its staff lose the MSP and the clients they reached through it.
    root.post(&format!("/admin/orgs/{}/archive", other.msp), &[]).await.assert_status(303);
    rita.get("/msp/clients").await.assert_redirect("/login?next=%2Fmsp%2Fclients");
    rita.sign_in_with("admin@contoso.test", crate::support::PASSWORD).await.assert_status(403);

    // Restore both: access is back on the next request, nothing was lost.
    root.post(&format!("/admin/orgs/{}/restore", f.t2), &[]).await;
    root.get(&format!("/admin/orgs/{}", f.t2)).await.assert_contains("Tier Two Legal is restored.");
    root.post(&format!("/admin/orgs/{}/restore", other.msp), &[]).await;
    assert!(!org_row(&mut conn, &f.t2).4 && !org_row(&mut conn, &other.msp).4);
    assert_eq!(logged(&mut conn, &f.t2, "organization.restore").len(), 1);
    assert_eq!(crate::support::fixture::count(&mut conn, "SELECT COUNT(*) AS n FROM memberships"), members_before);
    olive.sign_in("owner@tiertwo.test").await;
    assert!(page::banner(&olive.get("/overview").await.body).contains("Tier Two Legal"));
    olive.get("/settings/team").await.assert_status(200).assert_contains("later@tiertwo.test");
    invitee.get(&format!("/invitations/{token}")).await.assert_status(200);
    rita.sign_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    assert!(page::banner(&rita.get("/overview").await.body).contains(fixture::OTHER_CLIENT));
    rita.switch_to(&other.msp).await;
    rita.get("/msp/clients").await.assert_status(200).assert_contains(fixture::OTHER_CLIENT);
    tom.post("/switch", &[("org_id", &f.t2)]).await.assert_status(303);
}

#[actix_web::test]
async fn super_admins_manage_the_members_and_seats_of_any_organization() {
    let app = TestApp::new().await;
    let (f, other, colleague) = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let other = fixture::other(&mut conn);
        let user = fixture::user(&mut conn, "colleague@contoso.test", "Cole League");
        let colleague = fixture::member(&mut conn, &other.msp, &user, Role::MspTechnician);
        (f, other, colleague)
    };
    let rita_member = membership_id(&mut app.conn(), &other.msp, &other.admin);
    let mut root = app.signed_in("admin@northwind.test").await;
    let page_path = format!("/admin/orgs/{}", other.msp);
    let detail = root.get(&page_path).await;
    detail.assert_status(200).assert_contains("Rita Rival").assert_contains("Cole League").assert_contains("2 / 25");

    let invited = root
        .post(
            &format!("/admin/orgs/{}/invite", other.msp),
            &[("email", "new@contoso.test"), ("role", "MSP_TECHNICIAN")],
        )
        .await;
    invited.assert_redirect(&page_path);
    assert_eq!(app.mail().await[0].to, "new@contoso.test");
    let mut conn = app.conn();
    assert_eq!(logged(&mut conn, &other.msp, "member.invite")[0].target_label, "new@contoso.test");

    root.post(&format!("/admin/orgs/{}/members/{colleague}/role", other.msp), &[("role", "READ_ONLY")])
        .await
        .assert_redirect(&page_path);
    root.get(&page_path).await.assert_contains("Cole League is now Read Only.");
    assert_eq!(membership(&mut conn, &colleague).0, "READ_ONLY");
    let change = logged(&mut conn, &other.msp, "member.change_role");
    assert_eq!(
        (change[0].actor_user_id.as_deref(), change[0].details.as_str()),
        (Some(f.admin.as_str()), "MSP_TECHNICIAN -> READ_ONLY")
    );
    root.post(&format!("/admin/orgs/{}/members/{colleague}/deactivate", other.msp), &[]).await;
    assert!(membership(&mut conn, &colleague).2);
    assert!(row(&root.get(&page_path).await.body, "Cole League").contains("Deactivated"));
    root.post(&format!("/admin/orgs/{}/members/{colleague}/reactivate", other.msp), &[]).await;
    assert!(!membership(&mut conn, &colleague).2);
    assert_eq!(logged(&mut conn, &other.msp, "member.deactivate").len(), 1);
    assert_eq!(logged(&mut conn, &other.msp, "member.reactivate").len(), 1);

    let seats = root.post(&format!("/admin/orgs/{}/seats", other.msp), &[("seat_limit", "40")]).await;
    root.follow(&seats).await.assert_contains("Contoso Rival IT now has 40 seats.").assert_contains("2 / 40");
    assert_eq!(org_row(&mut conn, &other.msp).3, 40);
    assert_eq!(logged(&mut conn, &other.msp, "organization.set_seats")[0].details, "25 -> 40 seats");

    // A member of another organization in this organization's URL, or ids that do not exist: 404.
    let before = snapshot(&mut conn);
    let northwind_tech = membership_id(&mut conn, &f.msp, &f.tech);
    for member in [northwind_tech.as_str(), "no-such-member"] {
        root.post(&format!("/admin/orgs/{}/members/{member}/role", other.msp), &[("role", "READ_ONLY")])
            .await
            .assert_status(404);
        root.post(&format!("/admin/orgs/{}/members/{member}/deactivate", other.msp), &[]).await.assert_status(404);
        root.post(&format!("/admin/orgs/{}/members/{member}/reactivate", other.msp), &[]).await.assert_status(404);
    }
    root.post(&format!("/admin/orgs/no-such-org/members/{rita_member}/role"), &[("role", "READ_ONLY")])
        .await
        .assert_status(404);
    root.get("/admin/orgs/no-such-org").await.assert_status(404);
    for action in ["make-msp", "archive", "restore"] {
        root.post(&format!("/admin/orgs/no-such-org/{action}"), &[]).await.assert_status(404);
    }
    root.post("/admin/orgs/no-such-org/seats", &[("seat_limit", "5")]).await.assert_status(404);
    root.post("/admin/orgs/no-such-org/invite", &[("email", "x@example.test"), ("role", "ADMIN")])
        .await
        .assert_status(404);
    assert_eq!(snapshot(&mut conn), before, "nothing changed");
}

#[actix_web::test]
async fn bad_seats_and_invitations_on_the_organization_page_come_back_with_messages_and_values() {
    let (app, f) = TestApp::with_msp().await;
    let mut root = app.signed_in("admin@northwind.test").await;
    let page_path = format!("/admin/orgs/{}", f.t2);
    root.get(&page_path).await;
    let before = snapshot(&mut app.conn());
    for seats in ["lots", "0", "-3", "100001"] {
        let resp = root.post(&format!("/admin/orgs/{}/seats", f.t2), &[("seat_limit", seats)]).await;
        resp.assert_status(422).assert_contains("Seats must be a whole number from 1 to 100000.");
        resp.assert_contains(&format!("name=\"seat_limit\" inputmode=\"numeric\" value=\"{seats}\""));
    }
    let bad_email =
        root.post(&format!("/admin/orgs/{}/invite", f.t2), &[("email", "not-an-email"), ("role", "READ_ONLY")]).await;
    bad_email.assert_status(422).assert_contains("Enter an email address like name@example.com.");
    bad_email.assert_contains("value=\"not-an-email\"").assert_contains("<option value=\"READ_ONLY\" selected>");
    let msp_role = root
        .post(&format!("/admin/orgs/{}/invite", f.t2), &[("email", "ok@example.test"), ("role", "MSP_ADMIN")])
        .await;
    msp_role.assert_status(422).assert_contains("Choose one of the roles offered for this organization.");
    msp_role.assert_contains("value=\"ok@example.test\"");
    let member =
        root.post(&format!("/admin/orgs/{}/invite", f.t2), &[("email", "owner@tiertwo.test"), ("role", "ADMIN")]).await;
    member.assert_status(422).assert_contains("This person is already an active member.");
    let olive = membership_id(&mut app.conn(), &f.t2, &f.client_admin);
    root.post(&format!("/admin/orgs/{}/members/{olive}/role", f.t2), &[("role", "MSP_TECHNICIAN")]).await;
    root.get(&page_path).await.assert_contains("MSP Technician is not a role an organization of this kind can have.");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    assert!(app.mail().await.is_empty());
}

#[actix_web::test]
async fn make_msp_is_refused_while_end_users_remain_and_archived_organizations_take_no_invitations() {
    let app = TestApp::new().await;
    let solo = {
        let mut conn = app.conn();
        fixture::msp(&mut conn);
        let solo = fixture::org(&mut conn, OrgKind::Solo, "Solo With End Users");
        let end_user = fixture::user(&mut conn, "enduser@solo.test", "Eddie End");
        fixture::member(&mut conn, &solo, &end_user, Role::PortalUser);
        solo
    };
    let mut root = app.client().await;
    root.sign_in("admin@northwind.test").await;
    root.get(&format!("/admin/orgs/{solo}")).await;
    root.post(&format!("/admin/orgs/{solo}/make-msp"), &[]).await.assert_status(303);
    root.get(&format!("/admin/orgs/{solo}")).await.assert_contains("has end users, a role an MSP cannot have");
    assert_eq!(org_row(&mut app.conn(), &solo).0, "solo", "nothing changed");

    root.post(&format!("/admin/orgs/{solo}/archive"), &[]).await.assert_status(303);
    let refused =
        root.post(&format!("/admin/orgs/{solo}/invite"), &[("email", "late@solo.test"), ("role", "ADMIN")]).await;
    refused.assert_status(422).assert_contains("is archived; restore it before inviting anyone");
    let mut conn = app.conn();
    assert_eq!(fixture::count(&mut conn, "SELECT COUNT(*) AS n FROM invitations"), 0);
    assert!(app.mail().await.is_empty());
}

#[actix_web::test]
async fn a_client_created_under_an_msp_by_a_super_admin_shows_in_the_msps_log() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let mut root = app.client().await;
    root.sign_in("admin@northwind.test").await;
    root.get("/admin/orgs/new").await;
    let created = root
        .post(
            "/admin/orgs",
            &[
                ("name", "Logged Client"),
                ("kind", "client"),
                ("timezone", "America/Chicago"),
                ("seat_limit", "10"),
                ("msp_org_id", &f.msp),
                ("tier", "T1"),
            ],
        )
        .await;
    created.assert_status(303);
    let mut conn = app.conn();
    let in_msp_log = fixture::count(
        &mut conn,
        &format!(
            "SELECT COUNT(*) AS n FROM activity_log WHERE org_id = '{}' AND action = 'client.create' \
             AND target_label = 'Logged Client'",
            f.msp
        ),
    );
    assert_eq!(in_msp_log, 1);
}
