//! Settings -> Activity log: what is logged, filters by person, action and date (in the organization's
//! timezone), pages, and who may read it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::support::db::{logged, membership_id};
use crate::support::fixture::{self, count};
use crate::support::page::{has_row, row};
use crate::support::{TestApp, strip_tags};
use palisade::auth::permissions::Role;
use palisade::db::DbConnection;
use palisade::schema::{activity_log, organizations};

fn utc(day: &str, time: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_time(time.parse().unwrap())
}

/// An entry written at a chosen time (as `audit::record` would, but in the past).
fn entry(
    conn: &mut DbConnection,
    org: &str,
    actor: (Option<&str>, &str),
    action: &str,
    target: &str,
    at: NaiveDateTime,
) {
    diesel::insert_into(activity_log::table)
        .values((
            activity_log::id.eq(palisade::db::new_id()),
            activity_log::org_id.eq(org),
            activity_log::actor_user_id.eq(actor.0),
            activity_log::actor_label.eq(actor.1),
            activity_log::action.eq(action),
            activity_log::target_type.eq("membership"),
            activity_log::target_id.eq(""),
            activity_log::target_label.eq(target),
            activity_log::details.eq(""),
            activity_log::ip.eq("192.0.2.1"),
            activity_log::created_at.eq(at),
        ))
        .execute(conn)
        .unwrap();
}

/// The targets of the rows shown, top to bottom (each test names its targets uniquely).
fn targets(body: &str, known: &[&str]) -> Vec<String> {
    let Some(table) = body.split("data-testid=\"activity\"").nth(1) else { return Vec::new() };
    table
        .split("<tr>")
        .skip(2)
        .filter_map(|r| known.iter().find(|t| r.contains(&format!("{t}<"))).map(|t| t.to_string()))
        .collect()
}

#[actix_web::test]
async fn sign_ins_that_succeed_or_fail_and_sign_outs_are_in_the_organizations_log() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut tom = app.client().await;
    tom.ip = "203.0.113.7".into();
    tom.sign_in_with("tech@northwind.test", "not my password at all").await.assert_status(401);
    tom.sign_in_with("nobody@northwind.test", "not my password at all").await.assert_status(401);
    tom.sign_in("tech@northwind.test").await;
    tom.get("/overview").await;
    tom.post("/logout", &[]).await.assert_redirect("/login");
    let mut rita = app.client().await;
    rita.sign_in_with("admin@contoso.test", "wrong wrong wrong").await.assert_status(401);

    let mut conn = app.conn();
    let failed = logged(&mut conn, &f.msp, "auth.sign_in_failed");
    assert_eq!(failed.len(), 1, "the member's failed sign-in is in the MSP's log");
    assert_eq!((failed[0].actor_user_id.as_deref(), failed[0].target_label.as_str()), (None, "tech@northwind.test"));
    assert_eq!(logged(&mut conn, &other.msp, "auth.sign_in_failed").len(), 1, "each in its own organization");
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM activity_log WHERE action = 'auth.sign_in_failed' AND org_id IS NULL"
        ),
        1,
        "an unknown email belongs to no organization"
    );

    let mut admin = app.signed_in("admin@northwind.test").await;
    let log = admin.get("/settings/activity").await;
    log.assert_status(200).assert_contains("Times in America/New_York");
    let failure = strip_tags(&row(&log.body, "A sign-in as tech@northwind.test failed"));
    assert!(failure.contains("sign-in attempt as tech@northwind.test") && failure.contains("203.0.113.7"), "{failure}");
    let sign_in = strip_tags(&row(&log.body, "Tom Tech signed in<"));
    assert!(sign_in.contains("203.0.113.7"), "{sign_in}");
    assert!(has_row(&log.body, "Tom Tech signed out"));
    log.assert_not_contains("nobody@northwind.test").assert_not_contains("admin@contoso.test");
}

#[actix_web::test]
async fn every_change_made_through_the_pages_shows_in_the_log_with_who_and_what() {
    let (app, f) = TestApp::with_msp().await;
    let tech_member = membership_id(&mut app.conn(), &f.msp, &f.tech);
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.invite("log@example.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    admin.post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", "1")]).await;
    admin.post(&format!("/settings/team/members/{tech_member}/role"), &[("role", "READ_ONLY")]).await;
    admin.post(&format!("/settings/team/members/{tech_member}/deactivate"), &[]).await;
    admin.post(&format!("/settings/team/members/{tech_member}/reactivate"), &[]).await;
    admin.get("/msp/clients/new").await;
    let created = admin.post("/msp/clients", &[("name", "Logged Client"), ("timezone", "UTC"), ("tier", "T2")]).await;
    let client = created.location.clone().unwrap().trim_start_matches("/msp/clients/").to_string();
    admin.post(&format!("/msp/clients/{client}/tier"), &[("tier", "T3")]).await;
    admin.post(&format!("/msp/clients/{client}/assignments"), &[("staff", &f.tech)]).await;
    admin.post(&format!("/msp/clients/{client}/archive"), &[]).await;
    admin.post(&format!("/msp/clients/{client}/restore"), &[]).await;

    let log = admin.get("/settings/activity").await;
    // Sentences with labels (roles, tiers), never the codes the log stores.
    let expected = [
        "Morgan Admin invited log@example.test as Analyst",
        "Morgan Admin put tech@northwind.test on the compliance team",
        "Morgan Admin changed the role of tech@northwind.test from MSP Technician to Read Only",
        "Morgan Admin deactivated tech@northwind.test",
        "Morgan Admin reactivated tech@northwind.test",
        "Morgan Admin added the client Logged Client (at T2 Operate, 0 staff assigned)",
        "Morgan Admin moved Logged Client from T2 Operate to T3 Manage",
        "Morgan Admin assigned staff to Logged Client (1 staff assigned)",
        "Morgan Admin archived the client Logged Client",
        "Morgan Admin restored the client Logged Client",
    ];
    for sentence in expected {
        let r = row(&log.body, &format!("<td>{sentence}<span"));
        assert!(r.contains("Morgan Admin &#60;admin@northwind.test&#62;"), "{sentence}: {r}");
    }
    for code in ["EMPLOYEE", "READ_ONLY", "MSP_TECHNICIAN", "T2 -", "member.", "client.", "Member invite"] {
        assert!(!strip_tags(&log.body).contains(code), "no {code:?} on the page");
    }
    // Newest first.
    let text = strip_tags(log.body.split("data-testid=\"activity\"").nth(1).unwrap());
    assert!(text.find("restored the client").unwrap() < text.find("invited log@example.test").unwrap());
    // The new client's own log starts with its creation, not the MSP's entries.
    let mut conn = app.conn();
    assert_eq!(logged(&mut conn, &client, "organization.create").len(), 1);
    assert!(logged(&mut conn, &client, "member.invite").is_empty());
}

#[actix_web::test]
async fn the_log_filters_by_person_action_and_local_dates_of_the_organization() {
    let (app, f, other) = TestApp::with_tenants().await;
    {
        // March 2026 in New York is UTC-4 (daylight saving time began on March 8).
        let mut conn = app.conn();
        let morgan = (Some(f.admin.as_str()), "Morgan Admin <admin@northwind.test>");
        let priya = (Some(f.msp_admin.as_str()), "Priya MspAdmin <mspadmin@northwind.test>");
        entry(&mut conn, &f.msp, morgan, "member.invite", "target-a", utc("2026-03-10", "03:30:00"));
        entry(&mut conn, &f.msp, morgan, "member.change_role", "target-b", utc("2026-03-10", "04:30:00"));
        entry(&mut conn, &f.msp, priya, "member.invite", "target-c", utc("2026-03-11", "03:59:00"));
        entry(&mut conn, &f.msp, priya, "client.archive", "target-d", utc("2026-03-11", "04:01:00"));
        let rita = (Some(other.admin.as_str()), "Rita Rival <admin@contoso.test>");
        entry(&mut conn, &other.msp, rita, "member.invite", "target-e", utc("2026-03-10", "12:00:00"));
        entry(&mut conn, &f.t2, morgan, "member.invite", "target-f", utc("2026-03-10", "12:00:00"));
    }
    let all = ["target-a", "target-b", "target-c", "target-d", "target-e", "target-f"];
    let mut admin = app.signed_in("admin@northwind.test").await;

    let page = admin.get("/settings/activity").await;
    assert_eq!(targets(&page.body, &all), ["target-d", "target-c", "target-b", "target-a"]);
    assert!(row(&page.body, "target-b").contains("2026-03-10 00:30"), "shown in the organization's time");
    assert!(row(&page.body, "target-a").contains("2026-03-09 23:30"));
    let people = page.body.split("id=\"person\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert!(
        people.contains("Morgan Admin") && people.contains("Priya MspAdmin") && !people.contains("Rita"),
        "{people}"
    );
    let actions = page.body.split("id=\"action\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert!(actions.contains("<option value=\"client.archive\">Client archived</option>"), "{actions}");

    let day = admin.get("/settings/activity?from=2026-03-10&to=2026-03-10").await;
    assert_eq!(targets(&day.body, &all), ["target-c", "target-b"], "one local day, not one UTC day");
    day.assert_contains("value=\"2026-03-10\"");
    let until = admin.get("/settings/activity?to=2026-03-09").await;
    assert_eq!(targets(&until.body, &all), ["target-a"]);
    let since = admin.get("/settings/activity?from=2026-03-11").await;
    assert_eq!(targets(&since.body, &all), ["target-d"]);
    let by_person = admin.get(&format!("/settings/activity?person={}", f.admin)).await;
    assert_eq!(targets(&by_person.body, &all), ["target-b", "target-a"]);
    by_person.assert_contains(&format!("<option value=\"{}\" selected>Morgan Admin</option>", f.admin));
    let by_action = admin.get("/settings/activity?action=member.invite").await;
    assert_eq!(targets(&by_action.body, &all), ["target-c", "target-a"]);
    let combined =
        admin.get(&format!("/settings/activity?person={}&action=member.invite&from=2026-03-10", f.msp_admin)).await;
    assert_eq!(targets(&combined.body, &all), ["target-c"]);
    // Another tenant's person: nothing of theirs, nothing at all.
    let rival = admin.get(&format!("/settings/activity?person={}", other.admin)).await;
    rival.assert_status(200).assert_contains("No activity matches these filters.");
    // A malformed date says so, keeps the value and filters nothing.
    let bad = admin.get("/settings/activity?from=2026-13-45").await;
    bad.assert_status(200).assert_contains("Dates look like 2026-11-22.").assert_contains("value=\"2026-13-45\"");
    assert_eq!(targets(&bad.body, &all).len(), 4);

    // In another timezone the same entries fall on other local days.
    diesel::update(organizations::table.find(&f.msp))
        .set(organizations::timezone.eq("Asia/Tokyo"))
        .execute(&mut app.conn())
        .unwrap();
    let tokyo = admin.get("/settings/activity?from=2026-03-10&to=2026-03-10").await;
    tokyo.assert_contains("Times in Asia/Tokyo");
    assert_eq!(targets(&tokyo.body, &all), ["target-b", "target-a"]);
    assert!(row(&tokyo.body, "target-a").contains("2026-03-10 12:30"));
}

#[actix_web::test]
async fn the_log_is_paginated_and_page_links_keep_the_filters() {
    let (app, f) = TestApp::with_msp().await;
    let tech_member = membership_id(&mut app.conn(), &f.msp, &f.tech);
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.get("/settings/team").await;
    for i in 0..30 {
        let on = if i % 2 == 0 { "1" } else { "0" };
        admin
            .post(&format!("/settings/team/members/{tech_member}/compliance-team"), &[("on", on)])
            .await
            .assert_redirect("/settings/team");
    }
    assert_eq!(logged(&mut app.conn(), &f.msp, "member.compliance_team").len(), 30);
    let first = admin.get("/settings/activity?action=member.compliance_team").await;
    first.assert_contains("1–25 of 30").assert_contains("Page 1 of 2");
    assert_eq!(first.body.split("data-testid=\"activity\"").nth(1).unwrap().matches("<tr>").count(), 26);
    let next = first.body.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().to_string();
    assert_eq!(next, "?action=member.compliance_team&#38;page=2\" ");
    let newest = strip_tags(&row(&first.body, "the compliance team"));
    assert!(newest.contains("Morgan Admin took tech@northwind.test off the compliance team"), "latest first: {newest}");
    assert!(newest.ends_with("10.0.0.1"), "{newest}");
    let second = admin.get("/settings/activity?action=member.compliance_team&page=2").await;
    second.assert_contains("26–30 of 30").assert_contains("Page 2 of 2");
    let table = second.body.split("data-testid=\"activity\"").nth(1).unwrap();
    assert_eq!(table.matches("<tr>").count(), 6);
    let oldest = strip_tags(table.split("<tr>").last().unwrap());
    assert!(oldest.contains("put tech@northwind.test on the compliance team"), "the first change last: {oldest}");
    // Unfiltered, the sign-in is there too (31 entries: two pages as well).
    admin.get("/settings/activity").await.assert_contains("1–25 of 31");
    admin.get("/settings/activity?page=2").await.assert_contains("26–31 of 31");
}

#[actix_web::test]
async fn only_roles_with_the_log_permission_read_it_and_only_their_organizations() {
    let app = TestApp::new().await;
    let (f, other) = {
        let mut conn = app.conn();
        let f = fixture::msp(&mut conn);
        let other = fixture::other(&mut conn);
        for (email, role) in [("analyst@northwind.test", Role::Employee), ("reader@northwind.test", Role::ReadOnly)] {
            let user = fixture::user(&mut conn, email, email);
            fixture::member(&mut conn, &f.msp, &user, role);
        }
        let end_user = fixture::user(&mut conn, "enduser@tiertwo.test", "Erin Enduser");
        fixture::member(&mut conn, &f.t2, &end_user, Role::PortalUser);
        entry(&mut conn, &f.t1, (None, "system"), "client.update", "t1-only", utc("2026-03-10", "12:00:00"));
        entry(&mut conn, &f.msp, (None, "system"), "client.update", "msp-only", utc("2026-03-10", "12:00:00"));
        (f, other)
    };
    for email in ["analyst@northwind.test", "tech@northwind.test", "enduser@tiertwo.test"] {
        let mut c = app.client().await;
        c.sign_in(email).await;
        c.get("/settings/activity").await.assert_status(403);
    }
    let mut reader = app.signed_in("reader@northwind.test").await;
    let page = reader.get("/settings/activity").await;
    page.assert_status(200).assert_contains("msp-only").assert_not_contains("t1-only");
    // An MSP Admin in a T1 (Monitor) client reads that client's log only.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    let client_log = priya.get("/settings/activity").await;
    client_log.assert_status(200).assert_contains("t1-only").assert_not_contains("msp-only");
    // Another MSP sees none of it, even naming this MSP's people.
    let mut rita = app.signed_in("admin@contoso.test").await;
    let theirs = rita.get(&format!("/settings/activity?person={}", f.admin)).await;
    theirs.assert_status(200).assert_contains("No activity matches these filters.");
    let theirs = rita.get("/settings/activity").await;
    theirs.assert_not_contains("msp-only").assert_not_contains("Morgan Admin").assert_not_contains("Tier One Dental");
    assert!(has_row(&theirs.body, "Rita Rival"), "their own sign-in");
    let _ = other;
}

#[actix_web::test]
async fn dates_out_of_any_plausible_range_are_reported_never_a_crash() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut admin = app.signed_in("admin@northwind.test").await;
    for q in ["to=%2B262142-12-31", "to=262142-12-31", "from=-262143-01-01", "to=99999-12-31", "from=0000-01-01"] {
        let resp = admin.get(&format!("/settings/activity?{q}")).await;
        resp.assert_status(200).assert_contains("Dates look like 2026-11-22.");
    }
    let edge = admin.get("/settings/activity?from=0001-01-01&to=9999-12-31").await;
    edge.assert_status(200).assert_not_contains("Dates look like").assert_contains("Morgan Admin signed in");
}
