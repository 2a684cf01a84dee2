//! Acknowledgment campaigns (issue 10): starting one emails each person a single-use link, the sign page needs
//! no account and records person, version, hash, name, IP and browser; spent, expired, closed and unknown links
//! sign nothing and say why; members sign from "My policies"; reminders go out at most once a day; the progress
//! page and its export; refusals; and what the progress page costs in statements.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::team;
use crate::support::db::logged;
use crate::support::{TestApp, fixture, table_snapshot};
use palisade::compliance::people::models::{self as people_models, PersonInput};
use palisade::db::ids::{OrgId, UserId};
use palisade::schema::{acknowledgments, campaign_requests, campaigns, policy_versions};

/// Adds people to the directory: `n` of them in `department`, named "Person 001"...
fn add_people(app: &TestApp, org: &OrgId, department: &str, n: usize) {
    let mut conn = app.conn();
    for i in 1..=n {
        let input = PersonInput {
            name: format!("Person {i:03}"),
            email: format!("person{i:03}.{}@people.test", department.to_lowercase()),
            department: department.into(),
            ..Default::default()
        };
        people_models::insert(&mut conn, org, &input, None, app.now()).unwrap();
    }
}

/// A published policy of the organization and the id of its version 1.
fn published_version(app: &TestApp, org: &OrgId, author: &UserId, approver: &UserId) -> String {
    let mut conn = app.conn();
    let policy = super::policies::published(&mut conn, org, author, approver, app.now());
    policy_versions::table
        .filter(policy_versions::policy_id.eq(&policy))
        .select(policy_versions::id)
        .first(&mut conn)
        .unwrap()
}

fn campaign_form<'a>(version: &'a str, due: &'a str, audience: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Annual acknowledgment"),
        ("version", version),
        ("due_on", due),
        ("audience", audience),
        ("department", "Finance"),
        ("message", "Please read carefully."),
        ("remind_days_before", "3"),
        ("remind_on_due", "1"),
        ("remind_every_days", "7"),
    ]
}

fn day(app: &TestApp, days: i64) -> String {
    (app.now().date() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    fixture::count(&mut app.conn(), sql)
}

/// The signing tokens emailed to this address, oldest first (from the delivered emails: delivering clears the
/// bodies kept in the outbox).
async fn tokens_for(app: &TestApp, to: &str) -> Vec<String> {
    let mails = app.mail().await;
    let to_them = mails.iter().filter(|m| m.to == to);
    to_them.map(|m| m.text.split("/sign/").nth(1).expect("a signing link")[..43].to_string()).collect()
}

fn written(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let tables = ["campaigns", "campaign_policies", "campaign_requests", "acknowledgments", "outbox", "activity_log"];
    table_snapshot(&mut app.conn(), &|table, _| tables.contains(&table).then(|| "1 = 1".to_string()))
}

fn campaign_id(app: &TestApp, org: &OrgId) -> String {
    campaigns::table
        .filter(campaigns::org_id.eq(org.as_str()))
        .order(campaigns::started_at.desc())
        .select(campaigns::id)
        .first(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_campaign_emails_each_person_a_link_that_signs_once_and_members_sign_from_my_policies() {
    let (app, f) = TestApp::with_msp().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 3);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/campaigns").await.assert_status(200).assert_contains("No campaigns yet.");
    olive.get("/compliance/campaigns/new").await.assert_status(200).assert_contains("Fixture policy (version 1)");
    let due = day(&app, 14);
    let started = olive.post("/compliance/campaigns", &campaign_form(&version, &due, "everyone")).await;
    started.assert_status(303);
    let id = campaign_id(&app, &f.t2);
    assert_eq!(started.location.as_deref(), Some(format!("/compliance/campaigns/{id}").as_str()));
    // Everyone: the 3 people and the 4 members of the organization, synced into the directory on the way.
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM campaign_requests"), 7);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM people WHERE user_id IS NOT NULL"), 4);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM outbox"), 7);
    let stored: Vec<String> =
        campaign_requests::table.select(campaign_requests::token_sha256).load(&mut app.conn()).unwrap();
    let token = tokens_for(&app, "person001.finance@people.test").await.remove(0);
    assert!(!stored.contains(&token) && stored.contains(&palisade::auth::tokens::hash_token(&token)));
    // Its evidence item stands on the controls the policy maps to.
    let linked = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM evidence_links l JOIN campaigns c ON c.evidence_id = l.evidence_id WHERE c.id = '{id}' AND l.control_id = 'CCF-AC-01'"
        ),
    );
    assert_eq!(linked, 1);
    let evidence_id: String = palisade::schema::campaigns::table
        .find(&id)
        .select(palisade::schema::campaigns::evidence_id.assume_not_null())
        .first(&mut app.conn())
        .unwrap();
    let kept = olive.get(&format!("/compliance/evidence/{evidence_id}")).await;
    kept.assert_status(200).assert_contains(&format!("Kept by the campaign <a href=\"/compliance/campaigns/{id}\">"));
    olive.post(&format!("/compliance/evidence/{evidence_id}/approve"), &[]).await.assert_status(400);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "campaign.start")[0].details.split(',').next(), Some("7 people"));

    // The emailed link: no account needed.
    let mut visitor = app.client().await;
    let page = visitor.get(&format!("/sign/{token}")).await;
    page.assert_status(200).assert_contains("Hello Person 001").assert_contains("Everyone locks their screen.");
    let before = written(&app);
    let refused = visitor.post(&format!("/sign/{token}"), &[("full_name", " "), ("consent", "1")]).await;
    refused.assert_status(422).assert_contains("Your full name is required.");
    let unticked = visitor.post(&format!("/sign/{token}"), &[("full_name", "Pat One")]).await;
    unticked.assert_status(422).assert_contains("Tick the box").assert_contains("value=\"Pat One\"");
    assert_eq!(written(&app), before, "a refused signature writes nothing");
    let signed = visitor.post(&format!("/sign/{token}"), &[("full_name", "Pat One"), ("consent", "1")]).await;
    signed.assert_status(200).assert_contains("Thank you");
    let (hash, name, agent): (String, String, String) = acknowledgments::table
        .select((acknowledgments::sha256, acknowledgments::typed_name, acknowledgments::user_agent))
        .first(&mut app.conn())
        .unwrap();
    let version_hash: String =
        policy_versions::table.find(&version).select(policy_versions::sha256).first(&mut app.conn()).unwrap();
    assert_eq!((hash, name), (version_hash, "Pat One".to_string()));
    assert_eq!(agent, "", "the test client sends no User-Agent: stored as sent");
    // Spent: signs nothing more, and says so.
    let again = visitor.post(&format!("/sign/{token}"), &[("full_name", "Pat Again"), ("consent", "1")]).await;
    again.assert_status(410).assert_contains("You already signed");
    visitor.get(&format!("/sign/{token}")).await.assert_status(410);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM acknowledgments"), 1);

    // Olive, a member, signs from My policies.
    olive.get("/my/policies").await.assert_status(200).assert_contains("Annual acknowledgment");
    olive.get(&format!("/my/policies/{id}")).await.assert_status(200).assert_contains("Everyone locks their screen.");
    olive.post(&format!("/my/policies/{id}"), &[("full_name", ""), ("consent", "1")]).await.assert_status(422);
    let mine = olive.post(&format!("/my/policies/{id}"), &[("full_name", "Olive Owner"), ("consent", "1")]).await;
    mine.assert_redirect("/my/policies");
    olive.get("/my/policies").await.assert_contains("Nothing to sign");
    olive.get(&format!("/my/policies/{id}")).await.assert_status(404);

    let progress = olive.get(&format!("/compliance/campaigns/{id}")).await;
    progress.assert_status(200);
    assert_eq!(crate::support::page::testid(&progress.body, "progress"), "2/7");
    olive
        .get(&format!("/compliance/campaigns/{id}?state=signed"))
        .await
        .assert_contains("Person 001")
        .assert_not_contains("Person 002");
    olive
        .get(&format!("/compliance/campaigns/{id}?state=pending"))
        .await
        .assert_contains("Person 002")
        .assert_not_contains("Person 001");
    let csv = olive.get(&format!("/compliance/campaigns/{id}/export.csv")).await;
    csv.assert_status(200);
    assert!(csv.body.starts_with("name,email,department,status,"), "{}", csv.body);
    assert!(csv.body.contains("Person 001,person001.finance@people.test,Finance,Signed,"), "{}", csv.body);
    assert!(csv.body.contains("Person 002,person002.finance@people.test,Finance,Pending,"), "{}", csv.body);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "campaign.sign").len(), 2);

    // Closed early: the remaining links sign nothing.
    olive.post(&format!("/compliance/campaigns/{id}/close"), &[]).await.assert_status(303);
    let other = tokens_for(&app, "person002.finance@people.test").await.remove(0);
    let closed = visitor.post(&format!("/sign/{other}"), &[("full_name", "P Two"), ("consent", "1")]).await;
    closed.assert_status(410).assert_contains("This campaign is closed");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM acknowledgments"), 2);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "campaign.close").len(), 1);
}

#[actix_web::test]
async fn expired_and_unknown_links_sign_nothing_and_say_why() {
    let (app, f) = TestApp::with_msp().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 1);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let due = day(&app, 2);
    olive.get("/compliance/campaigns/new").await;
    olive.post("/compliance/campaigns", &campaign_form(&version, &due, "department")).await.assert_status(303);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM campaign_requests"), 1);
    let token = tokens_for(&app, "person001.finance@people.test").await.remove(0);
    let mut visitor = app.client().await;
    let unknown = palisade::auth::tokens::new_token();
    visitor.get(&format!("/sign/{unknown}")).await.assert_status(404).assert_contains("This signing link is not valid");
    visitor.get("/sign/not-a-token").await.assert_status(404);
    visitor.get("/login").await;
    let junk = visitor.post("/sign/not-a-token", &[("full_name", "X"), ("consent", "1")]).await;
    junk.assert_status(404).assert_contains("not valid");
    app.clock().advance(chrono::Duration::days(40));
    let expired = visitor.post(&format!("/sign/{token}"), &[("full_name", "Late"), ("consent", "1")]).await;
    expired.assert_status(410).assert_contains("This signing link has expired");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM acknowledgments"), 0);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM campaign_requests WHERE signed_at IS NOT NULL"), 0);
}

#[actix_web::test]
async fn an_analyst_starts_nothing_another_tenants_campaign_is_not_found_and_bad_input_writes_nothing() {
    let (app, f, other) = TestApp::with_tenants().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let due = day(&app, 10);
    olive.get("/compliance/campaigns/new").await;

    let before = written(&app);
    let past = day(&app, -1);
    let cases: [(&str, &str, &str, &str); 4] = [
        ("", &version, &due, "Name is required."),
        ("Bad date", &version, "31/12/2030", "Enter a date like"),
        ("Past", &version, &past, "The due date cannot be in the past."),
        ("No policy", "", &due, "Choose at least one published policy."),
    ];
    for (name, version, due, message) in cases {
        let mut form = campaign_form(version, due, "everyone");
        form[0] = ("name", name);
        let resp = olive.post("/compliance/campaigns", &form).await;
        resp.assert_status(422).assert_contains(message);
        if !name.is_empty() {
            resp.assert_contains(&format!("value=\"{name}\""));
        }
    }
    let mut nobody = campaign_form(&version, &due, "department");
    nobody[4] = ("department", "Nowhere");
    olive.post("/compliance/campaigns", &nobody).await.assert_status(422).assert_contains("Nobody active");
    let mut stranger = campaign_form(&version, &due, "chosen");
    stranger.push(("emails", "person001.finance@people.test\nstranger@elsewhere.test"));
    olive.post("/compliance/campaigns", &stranger).await.assert_status(422).assert_contains("stranger@elsewhere.test");
    let after = written(&app);
    assert_eq!(after.get("campaigns"), before.get("campaigns"));
    assert_eq!(after.get("outbox"), before.get("outbox"));
    assert_eq!(after.get("campaign_requests"), before.get("campaign_requests"));

    // Grace, an Employee, reads nothing of the program and starts nothing.
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/campaigns/new").await.assert_status(403);
    grace.post("/compliance/campaigns", &campaign_form(&version, &due, "everyone")).await.assert_status(403);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM campaigns"), 0);

    // Another tenant's campaign: 404 everywhere.
    let other_version = {
        let rival = fixture::user(&mut app.conn(), "writer@rival.test", "Rita Writer");
        published_version(&app, &other.client, &rival, &other.admin)
    };
    add_people(&app, &other.client, "Bakery", 1);
    let mut rival = app.signed_in("admin@contoso.test").await;
    rival.switch_to(other.client.as_str()).await;
    rival.get("/compliance/campaigns/new").await;
    rival.post("/compliance/campaigns", &campaign_form(&other_version, &due, "everyone")).await.assert_status(303);
    let foreign = campaign_id(&app, &other.client);
    for path in [
        format!("/compliance/campaigns/{foreign}"),
        format!("/compliance/campaigns/{foreign}/export.csv"),
        format!("/my/policies/{foreign}"),
    ] {
        olive.get(&path).await.assert_status(404);
    }
    let before = written(&app);
    for action in ["close", "remind"] {
        olive.post(&format!("/compliance/campaigns/{foreign}/{action}"), &[]).await.assert_status(404);
    }
    olive
        .post(&format!("/my/policies/{foreign}"), &[("full_name", "Olive"), ("consent", "1")])
        .await
        .assert_status(404);
    // A follow-up of another tenant's campaign is refused.
    let mut follow = campaign_form(&version, &due, "everyone");
    follow.push(("follow_up_of", &foreign));
    olive.post("/compliance/campaigns", &follow).await.assert_status(422);
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn reminders_go_once_a_day_to_those_who_have_not_signed_and_remind_the_rest_too() {
    let (app, f) = TestApp::with_msp().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 3);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let due = day(&app, 4);
    olive.get("/compliance/campaigns/new").await;
    olive.post("/compliance/campaigns", &campaign_form(&version, &due, "department")).await.assert_status(303);
    let id = campaign_id(&app, &f.t2);
    let token = tokens_for(&app, "person001.finance@people.test").await.remove(0);
    let mut visitor = app.client().await;
    visitor.get(&format!("/sign/{token}")).await.assert_status(200);
    visitor.post(&format!("/sign/{token}"), &[("full_name", "Pat One"), ("consent", "1")]).await.assert_status(200);
    let reminders = || count(&app, "SELECT COUNT(*) AS n FROM outbox WHERE subject LIKE 'Reminder:%'");

    // Nothing planned today (4 days before); tomorrow is 3 days before: one reminder per unsigned person, even
    // when the job runs twice that day.
    app.run_pending_jobs().await;
    assert_eq!(reminders(), 0);
    app.clock().advance(chrono::Duration::days(1));
    app.run_pending_jobs().await;
    app.clock().advance(chrono::Duration::hours(2));
    app.run_pending_jobs().await;
    assert_eq!(reminders(), 2);
    assert!(tokens_for(&app, "person001.finance@people.test").await.len() == 1, "the signer is not reminded");
    // The manual "remind the rest" the same day sends nothing more; the reminded link works, the first does not.
    olive.post(&format!("/compliance/campaigns/{id}/remind"), &[]).await.assert_status(303);
    assert_eq!(reminders(), 2);
    let links = tokens_for(&app, "person002.finance@people.test").await;
    assert_eq!(links.len(), 2);
    visitor.get(&format!("/sign/{}", links[0])).await.assert_status(404);
    visitor.get(&format!("/sign/{}", links[1])).await.assert_status(200);
    // The next day, nothing planned but "remind the rest" reminds the two.
    app.clock().advance(chrono::Duration::days(1));
    olive.post(&format!("/compliance/campaigns/{id}/remind"), &[]).await.assert_status(303);
    assert_eq!(reminders(), 4);
    assert_eq!(logged(&mut app.conn(), f.t2.as_str(), "campaign.remind").len(), 3);
    // Closed: the plan's due-date reminder never goes.
    olive.post(&format!("/compliance/campaigns/{id}/close"), &[]).await.assert_status(303);
    app.clock().advance(chrono::Duration::days(2));
    app.run_pending_jobs().await;
    assert_eq!(reminders(), 4);
}

#[actix_web::test]
async fn the_progress_page_costs_the_same_statements_for_3_and_60_people() {
    let (app, f) = TestApp::with_msp().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 3);
    add_people(&app, &f.t2, "Sales", 60);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let due = day(&app, 10);
    olive.get("/compliance/campaigns/new").await;
    olive.post("/compliance/campaigns", &campaign_form(&version, &due, "department")).await.assert_status(303);
    let small = campaign_id(&app, &f.t2);
    let mut sales = campaign_form(&version, &due, "department");
    sales[4] = ("department", "Sales");
    app.clock().advance(chrono::Duration::seconds(1));
    olive.post("/compliance/campaigns", &sales).await.assert_status(303);
    let large = campaign_id(&app, &f.t2);
    assert_ne!(small, large);
    let few = app.statements_of(&mut olive, &format!("/compliance/campaigns/{small}")).await;
    let many = app.statements_of(&mut olive, &format!("/compliance/campaigns/{large}")).await;
    assert_eq!(few, many);
    let list = app.statements_of(&mut olive, "/compliance/campaigns").await;
    assert!(list <= few + 2, "{list}");
}

/// A running campaign to everyone of the organization asking for the policy's version 1 (the access matrix's
/// fixture), written through the model.
pub fn matrix_campaign(
    conn: &mut palisade::db::DbConnection,
    org: &OrgId,
    policy: &str,
    now: chrono::NaiveDateTime,
) -> String {
    use palisade::compliance::campaigns::{models, start};
    let version = policy_versions::table
        .filter(policy_versions::policy_id.eq(policy))
        .select(policy_versions::id)
        .first(conn)
        .unwrap();
    let campaign = models::NewCampaign {
        name: "Matrix campaign".into(),
        message: String::new(),
        due_on: palisade::db::Day::parse("2030-01-31").unwrap(),
        audience: models::Audience::Everyone,
        audience_value: String::new(),
        chosen: Vec::new(),
        versions: vec![version],
        remind_days_before: 0,
        remind_on_due: false,
        remind_every_days: 0,
        follow_up_of: None,
        follow_up_reason: String::new(),
    };
    let recipients = start::audience(conn, org, &campaign).unwrap();
    start::start(conn, org, &campaign, &recipients, None, now, "http://localhost").unwrap().to_string()
}

#[actix_web::test]
async fn a_material_new_version_offers_a_follow_up_campaign_to_those_who_signed() {
    let (app, f) = TestApp::with_msp().await;
    let t = team(&mut app.conn(), &f.t2);
    let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
    add_people(&app, &f.t2, "Finance", 3);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let due = day(&app, 10);
    olive.get("/compliance/campaigns/new").await;
    olive.post("/compliance/campaigns", &campaign_form(&version, &due, "department")).await.assert_status(303);
    let first = campaign_id(&app, &f.t2);
    let token = tokens_for(&app, "person001.finance@people.test").await.remove(0);
    let mut visitor = app.client().await;
    visitor.get(&format!("/sign/{token}")).await;
    visitor.post(&format!("/sign/{token}"), &[("full_name", "Pat One"), ("consent", "1")]).await.assert_status(200);
    olive.get(&format!("/compliance/campaigns/{first}")).await.assert_not_contains("Start a follow-up campaign");
    // Version 2, published as a material change (as the policy lifecycle records it).
    let v2 = {
        use palisade::schema::{policies, policy_versions as pv};
        let mut conn = app.conn();
        let (policy, title): (String, String) =
            pv::table.find(&version).select((pv::policy_id, pv::title)).first(&mut conn).unwrap();
        let id = palisade::db::new_id();
        let now = app.now();
        diesel::insert_into(pv::table)
            .values((
                pv::id.eq(&id),
                pv::org_id.eq(f.t2.as_str()),
                pv::policy_id.eq(&policy),
                pv::number.eq(2),
                pv::title.eq(&title),
                pv::body.eq("# Fixture policy\n\nEveryone locks their screen and their drawer.\n"),
                pv::sha256.eq("ab"),
                pv::change_summary.eq("Drawers too."),
                pv::approved_at.eq(now),
                pv::published_at.eq(now),
                pv::material.eq(true),
                pv::material_reason.eq("Scope widened to drawers"),
            ))
            .execute(&mut conn)
            .unwrap();
        diesel::update(policies::table.find(&policy)).set(policies::version.eq(2)).execute(&mut conn).unwrap();
        id
    };
    let progress = olive.get(&format!("/compliance/campaigns/{first}")).await;
    progress.assert_contains("Scope widened to drawers").assert_contains("Start a follow-up campaign");
    let form = olive.get(&format!("/compliance/campaigns/new?follow_up={first}")).await;
    form.assert_status(200)
        .assert_contains("value=\"signers\" selected")
        .assert_contains(&format!("value=\"{v2}\" checked"));
    let mut follow = campaign_form(&v2, &due, "signers");
    follow.push(("follow_up_of", &first));
    follow.push(("follow_up_reason", "Drawers are in scope now"));
    olive.post("/compliance/campaigns", &follow).await.assert_status(303);
    let second = campaign_id(&app, &f.t2);
    assert_ne!(first, second);
    let asked: Vec<String> = campaign_requests::table
        .filter(campaign_requests::campaign_id.eq(&second))
        .select(campaign_requests::person_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(asked.len(), 1, "only the one who signed the old version");
    let recorded: (Option<String>, String) = campaigns::table
        .find(&second)
        .select((campaigns::follow_up_of, campaigns::follow_up_reason))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(recorded, (Some(first.clone()), "Drawers are in scope now".to_string()));
    // Signers are only the audience of a follow-up.
    let plain = campaign_form(&v2, &due, "signers");
    olive.post("/compliance/campaigns", &plain).await.assert_status(422).assert_contains("Only a follow-up campaign");
}

#[actix_web::test]
async fn my_policies_runs_the_same_statements_with_1_or_6_pending_campaigns() {
    let mut counts = Vec::new();
    for n in [1, 6] {
        let (app, f) = TestApp::with_msp().await;
        let t = team(&mut app.conn(), &f.t2);
        let version = published_version(&app, &f.t2, &t.analyst, &t.approver);
        let mut olive = app.signed_in("owner@tiertwo.test").await;
        let due = day(&app, 14);
        for _ in 0..n {
            olive.get("/compliance/campaigns/new").await;
            olive.post("/compliance/campaigns", &campaign_form(&version, &due, "everyone")).await.assert_status(303);
            app.clock().advance(chrono::Duration::seconds(1));
        }
        let mine = olive.get("/my/policies").await;
        assert_eq!(mine.body.matches("/my/policies/").count(), n, "each campaign is pending for Olive");
        counts.push(app.statements_of(&mut olive, "/my/policies").await);
    }
    assert_eq!(counts[0], counts[1]);
}
