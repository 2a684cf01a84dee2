//! MSP -> Clients (add, tier, staff assignments, archive and restore, search and pages) and MSP -> Dashboard.

use chrono::Duration;
use diesel::prelude::*;

use crate::support::TestApp;
use crate::support::db::{Logged, logged, snapshot};
use crate::support::fixture::{self, count};
use crate::support::page::{self, has_row, row};
use palisade::auth::permissions::{Role, Tier};
use palisade::db::DbConnection;
use palisade::schema::{organizations, technician_assignments};

fn client_id_from(location: &Option<String>) -> String {
    location.as_deref().and_then(|l| l.strip_prefix("/msp/clients/")).expect("redirect to the client").to_string()
}

fn tier_of(conn: &mut DbConnection, client: &str) -> String {
    organizations::table.find(client).select(organizations::tier).first::<Option<String>>(conn).unwrap().unwrap()
}

fn is_archived(conn: &mut DbConnection, org: &str) -> bool {
    let at: Option<chrono::NaiveDateTime> =
        organizations::table.find(org).select(organizations::archived_at).first(conn).unwrap();
    at.is_some()
}

fn assigned(conn: &mut DbConnection, client: &str) -> Vec<String> {
    technician_assignments::table
        .filter(technician_assignments::org_id.eq(client))
        .select(technician_assignments::user_id)
        .load(conn)
        .unwrap()
}

fn archive(conn: &mut DbConnection, org: &palisade::db::ids::OrgId) {
    palisade::orgs::models::set_archived(conn, org, true, crate::support::start_time()).unwrap();
}

fn set_last_activity(conn: &mut DbConnection, org: &str, ago: Duration) {
    diesel::update(organizations::table.find(org))
        .set(organizations::last_activity_at.eq(crate::support::start_time() - ago))
        .execute(conn)
        .unwrap();
}

#[actix_web::test]
async fn the_add_client_form_starts_in_the_msps_timezone_at_t2_inviting_a_first_admin() {
    let (app, f) = TestApp::with_msp().await;
    diesel::update(organizations::table.find(&f.msp))
        .set(organizations::timezone.eq("Europe/Berlin"))
        .execute(&mut app.conn())
        .unwrap();
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    // Working inside a client, the form is still the MSP's.
    priya.switch_to(&f.t3).await;
    let form = priya.get("/msp/clients/new").await;
    form.assert_status(200).assert_contains("<option value=\"Europe/Berlin\" selected>");
    form.assert_contains("name=\"tier\" value=\"T2\" checked")
        .assert_contains("name=\"invite_admin\" value=\"1\" checked");
}

#[actix_web::test]
async fn adding_a_client_creates_its_tenant_with_its_tier_and_assigned_staff() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let form = priya.get("/msp/clients/new").await;
    form.assert_status(200).assert_contains(&format!("name=\"staff\" value=\"{}\"", f.tech));
    form.assert_not_contains(&format!("name=\"staff\" value=\"{}\"", f.admin));
    let created = priya
        .post(
            "/msp/clients",
            &[
                ("name", "Harbor Point Dental"),
                ("slug", ""),
                ("timezone", "Europe/London"),
                ("tier", "T3"),
                ("contact_email", "Ops@Harbor.test"),
                ("staff", &f.tech),
            ],
        )
        .await;
    created.assert_status(303);
    let id = client_id_from(&created.location);
    let detail = priya.follow(&created).await;
    detail.assert_status(200).assert_contains("Harbor Point Dental is added.");
    detail.assert_contains("T3 Manage").assert_contains("<code>harbor-point-dental</code>");
    detail.assert_contains("Europe/London").assert_contains("ops@harbor.test");
    detail.assert_contains(&format!("name=\"staff\" value=\"{}\" checked", f.tech));

    let mut conn = app.conn();
    let (kind, slug, tz, contact): (String, String, String, String) = organizations::table
        .find(&id)
        .select((organizations::kind, organizations::slug, organizations::timezone, organizations::contact_email))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (kind.as_str(), slug.as_str(), tz.as_str(), contact.as_str()),
        ("client", "harbor-point-dental", "Europe/London", "ops@harbor.test")
    );
    let (msp, tier): (Option<String>, Option<String>) = organizations::table
        .find(&id)
        .select((organizations::msp_org_id, organizations::tier))
        .first(&mut conn)
        .unwrap();
    assert_eq!((msp, tier), (Some(f.msp.to_string()), Some("T3".to_string())));
    assert_eq!(assigned(&mut conn, &id), vec![f.tech.clone()]);
    assert_eq!(
        logged(&mut conn, &f.msp, "client.create"),
        vec![Logged {
            actor_user_id: Some(f.msp_admin.clone()),
            target_id: id.clone(),
            target_label: "Harbor Point Dental".into(),
            details: "tier T3, 1 staff assigned".into(),
        }]
    );
    assert_eq!(logged(&mut conn, &id, "organization.create").len(), 1, "the new tenant's own log starts");

    // The list shows it with its tier, member count and created date; the assigned technician reaches it.
    let list = priya.get("/msp/clients").await;
    let listed = row(&list.body, "Harbor Point Dental");
    assert!(listed.contains("T3 Manage") && listed.contains("<td class=\"num\">0</td>"), "{listed}");
    assert!(listed.contains(&crate::support::start_time().format("%Y-%m-%d").to_string()), "{listed}");
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/msp/clients").await.assert_contains("Harbor Point Dental");
    let inside = tom.switch_to(&id).await;
    assert!(page::banner(&inside.body).contains("Harbor Point Dental"), "{}", page::banner(&inside.body));
}

#[actix_web::test]
async fn client_slugs_are_unique_across_every_tenant() {
    let (app, f, _other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/msp/clients/new").await;
    let before = snapshot(&mut app.conn());
    for taken in ["tier-two-legal", "rival-client-bakery", "Tier-Two-Legal"] {
        let resp = priya
            .post(
                "/msp/clients",
                &[("name", "Second Legal"), ("slug", taken), ("timezone", "UTC"), ("tier", "T2"), ("staff", &f.tech)],
            )
            .await;
        resp.assert_status(422).assert_contains("This slug is already used by another organization. Choose another.");
        resp.assert_contains("value=\"Second Legal\"").assert_contains(&format!("value=\"{taken}\""));
        resp.assert_contains("<option value=\"UTC\" selected>").assert_contains("value=\"T2\" checked");
        resp.assert_contains(&format!("value=\"{}\" checked", f.tech));
    }
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    // Left empty, the slug is made from the name and made unique (the same name confirmed as intended).
    let fields = [("name", "Tier Two Legal"), ("timezone", "UTC"), ("tier", "T1"), ("confirm_name", "Tier Two Legal")];
    let created = priya.post("/msp/clients", &fields).await;
    created.assert_status(303);
    let id = client_id_from(&created.location);
    let slug: String = organizations::table.find(&id).select(organizations::slug).first(&mut app.conn()).unwrap();
    assert_eq!(slug, "tier-two-legal-2");
}

#[actix_web::test]
async fn adding_a_client_with_bad_input_shows_every_message_keeps_the_values_and_writes_nothing() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/msp/clients/new").await;
    let before = snapshot(&mut app.conn());
    let resp = priya
        .post(
            "/msp/clients",
            &[
                ("name", "  "),
                ("slug", "Bad Slug!"),
                ("timezone", "Mars/Base"),
                ("tier", "T9"),
                ("contact_email", "nope"),
                ("staff", &other.admin),
            ],
        )
        .await;
    resp.assert_status(422).assert_contains("Nothing was saved. Please correct the 6 highlighted fields.");
    for message in [
        "Client name is required.",
        "Use 2-40 lowercase letters, digits and single hyphens",
        "Choose a timezone from the list.",
        "Choose a tier.",
        "Enter an email address like name@example.com.",
        "Only active staff of this MSP can be assigned.",
    ] {
        resp.assert_contains(message);
    }
    resp.assert_contains("value=\"Bad Slug!\"").assert_contains("value=\"nope\"");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
    // Staff who reach every client anyway, or who are deactivated, cannot be assigned either.
    let deactivated = fixture::user(&mut app.conn(), "former@northwind.test", "Fay Former");
    let former = fixture::member(&mut app.conn(), &f.msp, &deactivated, Role::MspTechnician);
    diesel::update(palisade::schema::memberships::table.find(&former))
        .set(palisade::schema::memberships::deactivated_at.eq(Some(crate::support::start_time())))
        .execute(&mut app.conn())
        .unwrap();
    let before = snapshot(&mut app.conn());
    for staff in [&f.msp_admin, &deactivated] {
        let resp = priya
            .post("/msp/clients", &[("name", "Valid Name"), ("timezone", "UTC"), ("tier", "T2"), ("staff", staff)])
            .await;
        resp.assert_status(422).assert_contains("Only active staff of this MSP can be assigned.");
        resp.assert_contains("value=\"Valid Name\"");
    }
    assert_eq!(snapshot(&mut app.conn()), before, "nothing written");
}

#[actix_web::test]
async fn technicians_see_only_their_assigned_clients_and_cannot_manage_any() {
    let (app, f) = TestApp::with_msp().await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let before = snapshot(&mut app.conn());
    let list = tom.get("/msp/clients").await;
    list.assert_status(200).assert_contains("Tier Two Legal").assert_not_contains("Add client");
    assert!(!has_row(&list.body, "Tier One Dental") && !has_row(&list.body, "Tier Three Health"));
    list.assert_contains("1–1 of 1");
    tom.get(&format!("/msp/clients/{}", f.t1)).await.assert_status(404);
    tom.get(&format!("/msp/clients/{}", f.t3)).await.assert_status(404);
    let detail = tom.get(&format!("/msp/clients/{}", f.t2)).await;
    detail.assert_status(200).assert_contains("Tom Tech").assert_not_contains("Change tier");
    detail.assert_not_contains("Archive client");
    tom.get("/msp/clients/new").await.assert_status(403);
    tom.post("/msp/clients", &[("name", "Sneaky Co"), ("timezone", "UTC"), ("tier", "T3")]).await.assert_status(403);
    tom.post(&format!("/msp/clients/{}/tier", f.t2), &[("tier", "T3")]).await.assert_status(403);
    tom.post(&format!("/msp/clients/{}/assignments", f.t1), &[("staff", &f.tech)]).await.assert_status(403);
    tom.post(&format!("/msp/clients/{}/archive", f.t2), &[]).await.assert_status(403);
    tom.post(&format!("/msp/clients/{}/restore", f.t2), &[]).await.assert_status(403);
    let dashboard = tom.get("/msp/dashboard").await;
    assert_eq!(page::testid(&dashboard.body, "managed-clients"), "1");
    dashboard.assert_contains("Clients per tier. T1 Monitor: 0, T2 Operate: 1, T3 Manage: 0");
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed");
    // A client's own admin has no MSP pages at all.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/msp/clients").await.assert_status(403);
    olive.get("/msp/dashboard").await.assert_status(403);
}

#[actix_web::test]
async fn tiers_change_archived_clients_lose_access_and_restoring_brings_it_back() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let mut tom = app.signed_in("tech@northwind.test").await;

    // T3 -> T1: the MSP's staff lose team management there at once.
    priya.switch_to(&f.t3).await;
    priya.get("/settings/team").await.assert_contains("Send invitation");
    priya.switch_to(&f.msp).await;
    let detail_path = format!("/msp/clients/{}", f.t3);
    priya.get(&detail_path).await;
    let changed = priya.post(&format!("/msp/clients/{}/tier", f.t3), &[("tier", "T1")]).await;
    changed.assert_redirect(&detail_path);
    priya.follow(&changed).await.assert_contains("Tier Three Health is now at T1 Monitor.");
    let mut conn = app.conn();
    assert_eq!(tier_of(&mut conn, &f.t3), "T1");
    for org in [&f.msp, &f.t3] {
        let log = logged(&mut conn, org, "client.change_tier");
        assert_eq!((log.len(), log[0].details.as_str()), (1, "T3 -> T1"), "logged in {org}");
    }
    priya.switch_to(&f.t3).await;
    priya.get("/settings/team").await.assert_not_contains("Send invitation");
    let invite = [("_org", f.t3.as_str()), ("email", "x@example.test"), ("role", "EMPLOYEE")];
    priya.post("/settings/team/invite", &invite).await.assert_status(403);
    priya.switch_to(&f.msp).await;
    // Same tier or no tier: a message, nothing changed.
    priya.get(&detail_path).await;
    priya.post(&format!("/msp/clients/{}/tier", f.t3), &[("tier", "T1")]).await;
    priya.get(&detail_path).await.assert_contains("Tier Three Health is already at T1 Monitor.");
    priya.post(&format!("/msp/clients/{}/tier", f.t3), &[("tier", "T9")]).await;
    priya.get(&detail_path).await.assert_contains("Choose one of the tiers T1, T2 or T3.");
    assert_eq!(tier_of(&mut conn, &f.t3), "T1");
    assert_eq!(logged(&mut conn, &f.msp, "client.change_tier").len(), 1);

    // Archive Tier Two Legal: its members and assigned staff lose access on their next request.
    let t2_path = format!("/msp/clients/{}", f.t2);
    priya.get(&t2_path).await;
    let archived = priya.post(&format!("/msp/clients/{}/archive", f.t2), &[]).await;
    priya.follow(&archived).await.assert_contains("Tier Two Legal is archived").assert_contains("Restore client");
    assert!(is_archived(&mut conn, &f.t2));
    assert_eq!(logged(&mut conn, &f.msp, "client.archive")[0].target_id, f.t2);
    // Olive belongs to Tier Two Legal only: with no active membership left, her session ends.
    olive.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    olive.get("/settings/team").await.assert_redirect("/login?next=%2Fsettings%2Fteam");
    tom.post("/switch", &[("org_id", &f.t2)]).await.assert_status(404);
    assert!(!has_row(&tom.get("/msp/clients").await.body, "Tier Two Legal"));
    let active = priya.get("/msp/clients").await;
    assert!(!has_row(&active.body, "Tier Two Legal"));
    let archived_list = priya.get("/msp/clients?status=archived").await;
    assert!(row(&archived_list.body, "Tier Two Legal").contains("Archived"));
    priya.get(&t2_path).await;
    priya.post(&format!("/msp/clients/{}/archive", f.t2), &[]).await;
    priya.get(&t2_path).await.assert_contains("Tier Two Legal is already archived.");

    // Restore: access is back, the data was kept.
    let restored = priya.post(&format!("/msp/clients/{}/restore", f.t2), &[]).await;
    priya.follow(&restored).await.assert_contains("Tier Two Legal is restored.");
    assert!(!is_archived(&mut conn, &f.t2));
    assert_eq!(logged(&mut conn, &f.msp, "client.restore").len(), 1);
    let back = olive.sign_in("owner@tiertwo.test").await;
    assert!(page::banner(&back.body).contains("Tier Two Legal"), "{}", page::banner(&back.body));
    tom.post("/switch", &[("org_id", &f.t2)]).await.assert_status(303);
    assert_eq!(assigned(&mut conn, &f.t2), vec![f.tech.clone()]);
}

#[actix_web::test]
async fn staff_assignments_decide_which_clients_a_technician_reaches() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let t1_path = format!("/msp/clients/{}", f.t1);
    priya.get(&t1_path).await.assert_contains("Also reaching every client: Morgan Admin, Priya MspAdmin.");
    let saved = priya.post(&format!("/msp/clients/{}/assignments", f.t1), &[("staff", &f.tech)]).await;
    priya.follow(&saved).await.assert_contains("Staff assignments for Tier One Dental are saved.");
    let mut conn = app.conn();
    assert_eq!(assigned(&mut conn, &f.t1), vec![f.tech.clone()]);
    assert_eq!(logged(&mut conn, &f.msp, "client.assign_staff")[0].details, "1 staff assigned");
    tom.get("/msp/clients").await.assert_contains("Tier One Dental");
    tom.get(&t1_path).await.assert_status(200);
    // Another MSP's admin cannot be assigned; nothing changes.
    priya.get(&t1_path).await;
    priya.post(&format!("/msp/clients/{}/assignments", f.t1), &[("staff", &other.admin)]).await;
    priya.get(&t1_path).await.assert_contains("Only active staff of this MSP can be assigned.");
    assert_eq!(assigned(&mut conn, &f.t1), vec![f.tech.clone()]);
    // Unassigned: gone from the technician's list on the next request.
    priya.post(&format!("/msp/clients/{}/assignments", f.t1), &[]).await;
    assert!(assigned(&mut conn, &f.t1).is_empty());
    assert!(!has_row(&tom.get("/msp/clients").await.body, "Tier One Dental"));
    tom.get(&t1_path).await.assert_status(404);
}

#[actix_web::test]
async fn another_msps_client_ids_are_not_found_and_change_nothing() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut rita = app.signed_in("admin@contoso.test").await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let before = snapshot(&mut app.conn());
    let list = rita.get("/msp/clients?status=all&q=tier").await;
    list.assert_status(200).assert_contains("No client matches");
    rita.get("/msp/clients").await.assert_contains(fixture::OTHER_CLIENT).assert_not_contains("Tier Two Legal");
    rita.get(&format!("/msp/clients/{}", f.t2)).await.assert_status(404).assert_not_contains("Tier Two Legal");
    // Her forms carry her own MSP, as a page of hers rendered them.
    rita.get(&format!("/msp/clients/{}", other.client)).await.assert_status(200);
    rita.post(&format!("/msp/clients/{}/tier", f.t2), &[("tier", "T3")]).await.assert_status(404);
    rita.post(&format!("/msp/clients/{}/assignments", f.t2), &[("staff", &other.admin)]).await.assert_status(404);
    rita.post(&format!("/msp/clients/{}/archive", f.t2), &[]).await.assert_status(404);
    rita.post(&format!("/msp/clients/{}/restore", f.t2), &[]).await.assert_status(404);
    // And the other way round, plus ids that do not exist at all.
    priya.get(&format!("/msp/clients/{}", f.t2)).await.assert_status(200);
    for id in [other.client.as_str(), "no-such-client"] {
        priya.get(&format!("/msp/clients/{id}")).await.assert_status(404);
        priya.post(&format!("/msp/clients/{id}/tier"), &[("tier", "T1")]).await.assert_status(404);
        priya.post(&format!("/msp/clients/{id}/archive"), &[]).await.assert_status(404);
    }
    // The MSP itself is not one of its clients.
    priya.post(&format!("/msp/clients/{}/archive", f.msp), &[]).await.assert_status(404);
    assert_eq!(snapshot(&mut app.conn()), before, "nothing changed");
}

#[actix_web::test]
async fn the_clients_list_is_searchable_filterable_and_paginated() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        for i in 0..30 {
            let id = fixture::client_of(&mut conn, &f.msp, &format!("Bulk Client {i:02}"), Tier::Operate);
            if i >= 25 {
                archive(&mut conn, &id);
            }
        }
    }
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let first = priya.get("/msp/clients").await;
    first.assert_contains("1–25 of 28").assert_contains("Page 1 of 2").assert_contains("href=\"?page=2\"");
    assert!(has_row(&first.body, "Bulk Client 00") && has_row(&first.body, "Bulk Client 24"));
    assert!(!has_row(&first.body, "Tier Two Legal") && !has_row(&first.body, "Bulk Client 25"));
    let second = priya.get("/msp/clients?page=2").await;
    second.assert_contains("26–28 of 28");
    let t2 = row(&second.body, "Tier Two Legal");
    assert!(t2.contains("T2 Operate") && t2.contains("<td class=\"num\">1</td>") && t2.contains("Active"), "{t2}");
    assert!(has_row(&second.body, "Tier One Dental") && !has_row(&second.body, "Bulk Client 00"));

    // Searches ignore case on both databases (LIKE does on SQLite only).
    let search = priya.get("/msp/clients?q=client+1").await;
    search.assert_contains("1–10 of 10").assert_contains("value=\"client 1\"");
    assert!((10..20).all(|i| has_row(&search.body, &format!("Bulk Client {i}"))));
    assert!(!has_row(&search.body, "Bulk Client 01"));
    let by_slug = priya.get("/msp/clients?q=tier-two").await;
    by_slug.assert_contains("1–1 of 1");
    assert!(has_row(&by_slug.body, "Tier Two Legal"));
    priya.get("/msp/clients?q=%25").await.assert_contains("No client matches");

    let archived = priya.get("/msp/clients?status=archived").await;
    archived.assert_contains("1–5 of 5").assert_contains("<option value=\"archived\" selected>");
    assert!((25..30).all(|i| row(&archived.body, &format!("Bulk Client {i}")).contains("Archived")));
    let all = priya.get("/msp/clients?status=all&q=bulk").await;
    all.assert_contains("1–25 of 30");
    let next = all.body.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().to_string();
    assert_eq!(next, "?q=bulk&#38;status=all&#38;page=2\" ", "the page links keep the filters");
    let all_two = priya.get("/msp/clients?status=all&q=bulk&page=2").await;
    all_two.assert_contains("26–30 of 30");
    assert!(has_row(&all_two.body, "Bulk Client 29"));
    let narrowed = priya.get("/msp/clients?status=archived&q=27").await;
    narrowed.assert_contains("1–1 of 1");
    // Junk page numbers and statuses fall back to sensible defaults.
    priya.get("/msp/clients?page=abc&status=zzz").await.assert_status(200).assert_contains("1–25 of 28");
    priya.get("/msp/clients?page=99").await.assert_status(200).assert_contains("Page 2 of 2");
}

/// (managed, archived, staff, [T1, T2, T3]) of an MSP, counted with SQL.
fn dashboard_figures(conn: &mut DbConnection, msp: &str) -> (i64, i64, i64, [i64; 3]) {
    let clients = format!("SELECT COUNT(*) AS n FROM organizations o WHERE o.msp_org_id = '{msp}'");
    let managed = count(conn, &format!("{clients} AND o.archived_at IS NULL"));
    let archived = count(conn, &format!("{clients} AND o.archived_at IS NOT NULL"));
    let staff = count(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE org_id = '{msp}' AND deactivated_at IS NULL \
             AND role <> 'PORTAL_USER'"
        ),
    );
    let tiers = ["T1", "T2", "T3"]
        .map(|tier| count(conn, &format!("{clients} AND o.archived_at IS NULL AND o.tier = '{tier}'")));
    (managed, archived, staff, tiers)
}

#[actix_web::test]
async fn the_dashboard_shows_the_figures_of_the_database_without_archived_clients() {
    let app = TestApp::new().await;
    let (f, archived_names) = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let other = fixture::other(&mut conn);
        for client in [&f.t1, &f.t2, &f.t3] {
            set_last_activity(&mut conn, client, Duration::days(4));
        }
        let mut archived_names = Vec::new();
        for i in 0..40 {
            let tier = match i % 5 {
                0 => Tier::Monitor,
                1 | 2 => Tier::Operate,
                _ => Tier::Manage,
            };
            let name = format!("Dash Client {i:02}");
            let id = fixture::client_of(&mut conn, &f.msp, &name, tier);
            if i % 6 == 0 {
                archive(&mut conn, &id);
                set_last_activity(&mut conn, &id, Duration::seconds(5));
                archived_names.push(name);
            } else if i == 7 {
                set_last_activity(&mut conn, &id, Duration::minutes(5));
            } else if i == 11 {
                set_last_activity(&mut conn, &id, Duration::hours(2));
            } else {
                // A client's last activity starts at its creation; make the rest older than the two above.
                set_last_activity(&mut conn, &id, Duration::days(3));
            }
        }
        for i in 0..10 {
            fixture::client_of(&mut conn, &other.msp, &format!("Rival Dash {i}"), Tier::Monitor);
        }
        for (i, role) in [Role::MspTechnician, Role::ComplianceAdmin, Role::MspTechnician].into_iter().enumerate() {
            let user = fixture::user(&mut conn, &format!("staff{i}@northwind.test"), &format!("Staff {i}"));
            let member = fixture::member(&mut conn, &f.msp, &user, role);
            if i == 2 {
                diesel::update(palisade::schema::memberships::table.find(&member))
                    .set(palisade::schema::memberships::deactivated_at.eq(Some(crate::support::start_time())))
                    .execute(&mut conn)
                    .unwrap();
            }
        }
        (f, archived_names)
    };
    let (managed, archived, staff, tiers) = dashboard_figures(&mut app.conn(), &f.msp);
    assert_eq!((managed, archived, staff), (3 + 40 - 7, 7, 5), "the fixture is what this test thinks it is");

    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let dash = priya.get("/msp/dashboard").await;
    dash.assert_status(200);
    assert_eq!(page::testid(&dash.body, "managed-clients"), managed.to_string());
    assert_eq!(page::testid(&dash.body, "archived-clients"), archived.to_string());
    assert_eq!(page::testid(&dash.body, "active-staff"), staff.to_string());
    dash.assert_contains(&format!(
        "Clients per tier. T1 Monitor: {}, T2 Operate: {}, T3 Manage: {}",
        tiers[0], tiers[1], tiers[2]
    ));
    assert_eq!(tiers.iter().sum::<i64>(), managed);
    // The clients table: most recent activity first, archived clients nowhere.
    let table = dash.body.split("Clients by last activity").nth(1).unwrap();
    let first_rows: Vec<String> = table.split("<tr>").skip(2).take(2).map(crate::support::strip_tags).collect();
    assert!(first_rows[0].starts_with("Dash Client 07 T2 Operate 0 0 — — 5 minutes ago"), "{first_rows:?}");
    assert!(first_rows[1].starts_with("Dash Client 11 T2 Operate 0 0 — — 2 hours ago"), "{first_rows:?}");
    for name in &archived_names {
        dash.assert_not_contains(name);
    }
    dash.assert_not_contains("Rival Dash");
    dash.assert_contains(&format!("1–25 of {managed}"));
    let second = priya.get("/msp/dashboard?page=2").await;
    second.assert_contains(&format!("26–{managed} of {managed}"));
    for name in &archived_names {
        second.assert_not_contains(name);
    }
    // A change in a client makes it the most recently active.
    priya.get(&format!("/msp/clients/{}", f.t1)).await;
    priya.post(&format!("/msp/clients/{}/tier", f.t1), &[("tier", "T2")]).await.assert_status(303);
    let after = priya.get("/msp/dashboard").await;
    let table = after.body.split("Clients by last activity").nth(1).unwrap();
    let top = crate::support::strip_tags(table.split("<tr>").nth(2).unwrap());
    assert!(top.starts_with("Tier One Dental T2 Operate 0 0 — — just now"), "{top}");
    let (_, _, _, tiers) = dashboard_figures(&mut app.conn(), &f.msp);
    after.assert_contains(&format!(
        "Clients per tier. T1 Monitor: {}, T2 Operate: {}, T3 Manage: {}",
        tiers[0], tiers[1], tiers[2]
    ));
}

/// SQL statements of one request to `path` by the MSP admin, with `extra` more clients (each with a member).
async fn statements(extra: usize, path: &str) -> u64 {
    let app = TestApp::new().await;
    {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        for i in 0..extra {
            let tier = Tier::ALL[i % 3];
            let client = fixture::client_of(&mut conn, &f.msp, &format!("Scale Client {i:03}"), tier);
            let user = fixture::user(&mut conn, &format!("member{i}@scale.test"), &format!("Member {i}"));
            fixture::member(&mut conn, &client, &user, Role::Employee);
            set_last_activity(&mut conn, &client, Duration::minutes(i as i64));
        }
    }
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    app.statements_of(&mut priya, path).await
}

#[actix_web::test]
async fn the_dashboard_and_the_clients_page_run_the_same_statements_for_5_or_200_clients() {
    for path in ["/msp/dashboard", "/msp/clients", "/msp/clients?q=scale&status=all&page=2"] {
        let few = statements(5, path).await;
        let many = statements(200, path).await;
        assert_eq!(few, many, "{path}: {few} statements with 5 clients, {many} with 200");
        // Identity, context and switcher head in two; the page's count and rows (with their member counts) in
        // the rest; the dashboard adds the listed clients' compliance scores (one statement) and open tickets (the
        // total and the listed clients' counts, two).
        // The dashboard's eighth: this month's agreement hours of the listed clients (one batched statement); its
        // ninth: their risk levels (one batched statement).
        let ceiling = if path == "/msp/dashboard" { 9 } else { 5 };
        assert!(few <= ceiling, "{path}: {few} statements");
    }
}
