//! The policy library (issue 10): templates filled from the organization, the lifecycle Draft -> In review ->
//! Approved -> Published under the approval rules, immutable versions with their SHA-256, the diff of a new
//! draft, published policies as evidence for their controls (expiring with an overdue review), and what the
//! library costs in statements.

use std::collections::BTreeMap;

use chrono::Duration;
use diesel::prelude::*;
use sha2::Digest;

use super::{flash, team};
use crate::support::db::logged;
use crate::support::page::{row, testid};
use crate::support::{TestApp, fixture, table_snapshot};
use palisade::compliance::policies::{evidence as policy_evidence, models};
use palisade::compliance::program::OrgTime;
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};
use palisade::schema::{evidence, evidence_links, org_controls, policies, policy_controls, policy_versions};

/// The tables a policy change writes, every row (for "nothing was written").
fn written(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let tables = ["policies", "policy_controls", "policy_versions", "evidence", "evidence_links", "activity_log"];
    table_snapshot(&mut app.conn(), &|table, _| tables.contains(&table).then(|| "1 = 1".to_string()))
}

/// (status, version) of a policy.
fn state(app: &TestApp, id: &str) -> (String, i32) {
    policies::table.find(id).select((policies::status, policies::version)).first(&mut app.conn()).unwrap()
}

fn id_from(location: &Option<String>) -> String {
    location.as_deref().expect("a redirect").trim_start_matches("/compliance/policies/").to_string()
}

/// A policy drafted from a template by the client's admin, Olive (through the gallery form).
async fn drafted<S, B>(c: &mut crate::support::Client<S>, template: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    c.get("/compliance/policies/new").await.assert_status(200);
    let created = c.post("/compliance/policies", &[("template", template)]).await;
    created.assert_status(303);
    id_from(&created.location)
}

/// A published policy made through the models (the access matrix's fixture): drafted and sent for review by
/// `author`, approved by `approver`, published as version 1.
pub fn published(
    conn: &mut DbConnection,
    org: &OrgId,
    author: &UserId,
    approver: &UserId,
    now: chrono::NaiveDateTime,
) -> String {
    let draft = models::Draft {
        title: "Fixture policy".into(),
        kind: models::PolicyKind::Security,
        owner: None,
        review_months: 12,
        next_review_on: palisade::db::Day::parse("2027-03-01"),
        body: "# Fixture policy\n\nEveryone locks their screen.\n".into(),
        controls: vec!["CCF-AC-01".into()],
    };
    let id = models::insert(conn, org, "", &draft, author, now).unwrap();
    models::submit(conn, org, &id, "First version.", author, now).unwrap();
    let policy = models::find(conn, org, &id).unwrap().unwrap();
    models::decide(conn, org, &policy, true, "", approver, now).unwrap();
    let policy = models::find(conn, org, &id).unwrap().unwrap();
    let time = OrgTime { now, today: palisade::compliance::program::today(now, chrono_tz::UTC), tz: chrono_tz::UTC };
    let evidence_id = policy_evidence::publish(conn, org, &policy, 1, &draft.controls, time).unwrap();
    let publication = models::Publication { material: true, reason: "", evidence_id: &evidence_id };
    models::publish(conn, org, &policy, &publication, approver, now).unwrap();
    id.to_string()
}

#[actix_web::test]
async fn a_template_is_drafted_reviewed_approved_and_published_as_evidence_for_its_controls() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/policies").await.assert_status(200).assert_contains("No policies yet.");

    // The gallery says who fills the leads: no Approver (Security) in the team, so the admin.
    let gallery = olive.get("/compliance/policies/new").await;
    gallery.assert_status(200).assert_contains("Access Control Policy").assert_contains("CCF-AC-01");
    assert_eq!(testid(&gallery.body, "security-lead").trim(), "Olive Owner");
    gallery.assert_contains("Admin: no Approver (Security) in the team");
    assert_eq!(testid(&gallery.body, "privacy-lead").trim(), "Nina Privacy");
    let id = drafted(&mut olive, "access-control").await;
    let page = olive.get(&format!("/compliance/policies/{id}")).await;
    assert!(flash(&page.body).contains("security lead Olive Owner"), "{}", flash(&page.body));
    let body: String = policies::table.find(&id).select(policies::body).first(&mut app.conn()).unwrap();
    assert!(body.contains("Tier Two Legal") && body.contains("Olive Owner") && !body.contains("{{"), "{body}");
    assert_eq!(state(&app, &id), ("draft".into(), 0));
    let mapped: i64 =
        policy_controls::table.filter(policy_controls::policy_id.eq(&id)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(mapped, 8);
    assert_eq!(logged(&mut app.conn(), &f.t2, "policy.create")[0].details, "from template access-control");

    // Olive sends it for review: she is its author, so she may not approve it although she is an admin.
    olive
        .post(&format!("/compliance/policies/{id}/submit"), &[("change_summary", "First version")])
        .await
        .assert_status(303);
    assert_eq!(state(&app, &id), ("in_review".into(), 0));
    let refused = olive.post(&format!("/compliance/policies/{id}/approve"), &[("comment", "")]).await;
    refused.assert_status(422).assert_contains("You sent this policy for review, so another approver decides it.");
    assert_eq!(state(&app, &id), ("in_review".into(), 0));
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get(&format!("/compliance/policies/{id}")).await.assert_contains("Approve");
    raj.post(&format!("/compliance/policies/{id}/approve"), &[("comment", "Fine")]).await.assert_status(303);
    assert_eq!(state(&app, &id), ("approved".into(), 0));

    // Publishing writes version 1 with the hash of its text, and evidence approved by Raj for the controls.
    olive.get(&format!("/compliance/policies/{id}")).await;
    olive.post(&format!("/compliance/policies/{id}/publish"), &[("material", "yes")]).await.assert_status(303);
    assert_eq!(state(&app, &id), ("published".into(), 1));
    let (sha, approver, author): (String, Option<String>, Option<String>) = policy_versions::table
        .filter(policy_versions::policy_id.eq(&id))
        .select((policy_versions::sha256, policy_versions::approver_user_id, policy_versions::author_user_id))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(sha, hex::encode(sha2::Sha256::digest(body.as_bytes())));
    assert_eq!(approver.as_deref(), Some(people.approver.as_str()));
    assert_eq!(author.as_deref(), Some(f.client_admin.as_str()));
    let version = olive.get(&format!("/compliance/policies/{id}/versions/1")).await;
    assert_eq!(testid(&version.body, "sha256"), sha);
    let evidence_id: String =
        policies::table.find(&id).select(policies::evidence_id.assume_not_null()).first(&mut app.conn()).unwrap();
    let (status, until): (String, String) = evidence::table
        .find(&evidence_id)
        .select((evidence::status, evidence::valid_until))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((status.as_str(), until.as_str()), ("approved", "2027-03-02"));
    let in_program: i64 = org_controls::table
        .filter(org_controls::org_id.eq(f.t2.as_str()))
        .filter(org_controls::control_id.eq_any(
            policy_controls::table.filter(policy_controls::policy_id.eq(&id)).select(policy_controls::control_id),
        ))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    let links: i64 = evidence_links::table
        .filter(evidence_links::evidence_id.eq(&evidence_id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert!(links > 0 && links == in_program, "{links} links for {in_program} controls in the program");
    // The policy keeps its evidence item: read-only on the evidence pages, and a hand-made request changes nothing.
    let kept = olive.get(&format!("/compliance/evidence/{evidence_id}")).await;
    kept.assert_status(200).assert_not_contains(&format!("action=\"/compliance/evidence/{evidence_id}\""));
    kept.assert_contains(&format!(
        "Kept by the policy <a href=\"/compliance/policies/{id}\">Access Control Policy</a>"
    ));
    let before = evidence::table.find(&evidence_id).select(evidence::title).first::<String>(&mut app.conn()).unwrap();
    let edit = [("title", "Renamed by hand"), ("kind", "document"), ("url", "https://example.test/x")];
    let refused = olive.post(&format!("/compliance/evidence/{evidence_id}"), &edit).await;
    refused.assert_status(400).assert_contains("kept by the policy");
    let unlink = format!("/compliance/controls/CCF-AC-01/evidence/{evidence_id}/unlink");
    olive.post(&unlink, &[]).await.assert_status(400);
    olive.post(&format!("/compliance/evidence/{evidence_id}/reject"), &[("comment", "no")]).await.assert_status(400);
    let after = evidence::table.find(&evidence_id).select(evidence::title).first::<String>(&mut app.conn()).unwrap();
    assert_eq!(before, after);
    let still: i64 = evidence_links::table
        .filter(evidence_links::evidence_id.eq(&evidence_id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(still, links, "nothing unlinked");
    let control = olive.get("/compliance/controls/CCF-AC-01").await;
    control.assert_contains("Access Control Policy (version 1, published)");
    let listed = olive.get("/compliance/policies").await;
    assert!(row(&listed.body, "Access Control Policy").contains("v1"));
    assert_eq!(logged(&mut app.conn(), &f.t2, "policy.publish")[0].details, "version 1, material change");

    // A new draft shows what changed against the published version; version 1 stays current.
    let edit = olive.get(&format!("/compliance/policies/{id}/edit")).await;
    edit.assert_status(200);
    let updated_at: chrono::NaiveDateTime =
        policies::table.find(&id).select(policies::updated_at).first(&mut app.conn()).unwrap();
    let stamp = palisade::compliance::policies::forms::stamp(updated_at);
    edit.assert_contains(&format!("name=\"stamp\" value=\"{stamp}\""));
    let changed = format!("{body}\nA line added for version 2.\n");
    let saved = olive
        .post(
            &format!("/compliance/policies/{id}"),
            &[
                ("title", "Access Control Policy"),
                ("kind", "security"),
                ("owner", f.client_admin.as_str()),
                ("review_months", "12"),
                ("next_review_on", "2027-03-02"),
                ("body", &changed),
                ("controls", "CCF-AC-01"),
                ("stamp", &stamp),
            ],
        )
        .await;
    saved.assert_status(303);
    assert_eq!(state(&app, &id), ("draft".into(), 1));
    let page = olive.get(&format!("/compliance/policies/{id}")).await;
    page.assert_contains("Changes against version 1 (published)").assert_contains("+ A line added for version 2.");

    // When the review falls due, the library and the dashboard say so and the evidence stops counting.
    app.clock().advance(Duration::days(366));
    let listed = olive.get("/compliance/policies?review=overdue").await;
    assert!(row(&listed.body, "Access Control Policy").contains("Overdue since Mar 2, 2027"));
    olive
        .get("/compliance")
        .await
        .assert_contains("Policy reviews overdue")
        .assert_contains(&format!("/compliance/policies/{id}"));
    let control = olive.get("/compliance/controls?q=CCF-AC-01").await;
    assert!(row(&control.body, "CCF-AC-01").contains("Expired"), "{}", row(&control.body, "CCF-AC-01"));
}

#[actix_web::test]
async fn approval_follows_the_kind_an_analyst_only_reads_and_a_privacy_approver_approves_privacy_policies() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let security = drafted(&mut olive, "encryption").await;
    let privacy = drafted(&mut olive, "privacy-data-subject-rights").await;
    for id in [&security, &privacy] {
        olive
            .post(&format!("/compliance/policies/{id}/submit"), &[("change_summary", "First")])
            .await
            .assert_status(303);
    }
    // An Analyst reads the library but drafts, sends and approves nothing.
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/policies").await.assert_status(200).assert_contains("Encryption");
    let before = written(&app);
    grace.get("/compliance/policies/new").await.assert_status(403);
    grace.post("/compliance/policies", &[("template", "backup")]).await.assert_status(403);
    grace.post(&format!("/compliance/policies/{security}/approve"), &[("comment", "")]).await.assert_status(403);
    grace.post(&format!("/compliance/policies/{security}/submit"), &[("change_summary", "x")]).await.assert_status(403);
    assert_eq!(written(&app), before, "an analyst wrote nothing");
    // Nina, Approver (Privacy): the privacy policy yes, the security one no.
    let mut nina = app.signed_in("nina@tiertwo.test").await;
    nina.get(&format!("/compliance/policies/{security}")).await.assert_not_contains(">Approve</button>");
    nina.get(&format!("/compliance/policies/{privacy}")).await.assert_contains(">Approve</button>");
    let refused = nina.post(&format!("/compliance/policies/{security}/approve"), &[("comment", "")]).await;
    refused
        .assert_status(422)
        .assert_contains("A security policy is approved by an Approver or an Approver (Security).");
    assert_eq!(state(&app, &security), ("in_review".into(), 0));
    nina.post(&format!("/compliance/policies/{privacy}/approve"), &[("comment", "")]).await.assert_status(303);
    assert_eq!(state(&app, &privacy), ("approved".into(), 0));
}

#[actix_web::test]
async fn another_tenants_policy_is_not_found_and_nothing_is_written() {
    let (app, f) = TestApp::with_msp().await;
    let other = fixture::other(&mut app.conn());
    team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let id = drafted(&mut olive, "backup").await;
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(other.client.as_str()).await;
    rita.get("/compliance/policies").await.assert_status(200).assert_not_contains("Backup Policy");
    let before = written(&app);
    rita.get(&format!("/compliance/policies/{id}")).await.assert_status(404);
    rita.get(&format!("/compliance/policies/{id}/edit")).await.assert_status(404);
    rita.get(&format!("/compliance/policies/{id}/versions/1")).await.assert_status(404);
    rita.get("/compliance/policies/new").await.assert_status(200);
    rita.post(&format!("/compliance/policies/{id}/submit"), &[("change_summary", "Mine now")]).await.assert_status(404);
    let update = [("title", "Taken"), ("kind", "general"), ("review_months", "12"), ("body", "x")];
    rita.post(&format!("/compliance/policies/{id}"), &update).await.assert_status(404);
    rita.post(&format!("/compliance/policies/{id}/publish"), &[("material", "yes")]).await.assert_status(404);
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn bad_input_comes_back_with_its_values_and_writes_nothing() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let id = drafted(&mut olive, "backup").await;
    let before = written(&app);
    olive.get("/compliance/policies/new").await;
    let scratch = olive.post("/compliance/policies", &[("template", ""), ("title", "  "), ("kind", "nonsense")]).await;
    scratch
        .assert_status(422)
        .assert_contains("Title is required.")
        .assert_contains("Choose whether this is a security");
    olive
        .post("/compliance/policies", &[("template", "no-such-template")])
        .await
        .assert_status(422)
        .assert_contains("This template does not exist.");
    olive.get(&format!("/compliance/policies/{id}/edit")).await;
    let fields = [
        ("title", "Backup Policy (kept)"),
        ("kind", "security"),
        ("owner", "someone-else"),
        ("review_months", "7"),
        ("next_review_on", "31/12/2027"),
        ("body", ""),
        ("controls", "CCF-NOPE-99"),
    ];
    let edit = olive.post(&format!("/compliance/policies/{id}"), &fields).await;
    edit.assert_status(422).assert_contains("value=\"Backup Policy (kept)\"");
    for message in [
        "Choose an owner from the compliance team.",
        "Choose how often the policy is reviewed.",
        "Enter a date like 2026-03-31.",
        "The policy text is required.",
        "CCF-NOPE-99 is not a common control of the catalog.",
    ] {
        edit.assert_contains(message);
    }
    // A save over a newer save is refused, with the text kept.
    let stale = [
        ("title", "Backup Policy"),
        ("kind", "security"),
        ("review_months", "12"),
        ("body", "My text"),
        ("stamp", "2000-01-01T00:00:00.000000"),
    ];
    let conflict = olive.post(&format!("/compliance/policies/{id}"), &stale).await;
    conflict
        .assert_status(422)
        .assert_contains("Someone else changed this policy")
        .assert_contains(">My text</textarea>");
    olive.get(&format!("/compliance/policies/{id}")).await;
    let summary = olive.post(&format!("/compliance/policies/{id}/submit"), &[("change_summary", " ")]).await;
    summary.assert_status(422).assert_contains("A summary of the change is required.");
    let early = olive.post(&format!("/compliance/policies/{id}/publish"), &[("material", "yes")]).await;
    early.assert_status(422).assert_contains("Only an approved policy is published; this one is draft.");
    // The preview renders the markdown safely and saves nothing.
    let preview = olive
        .post(
            &format!("/compliance/policies/{id}"),
            &[
                ("preview", "1"),
                ("title", "B"),
                ("kind", "security"),
                ("review_months", "12"),
                ("body", "**bold** <script>alert(1)</script>"),
            ],
        )
        .await;
    preview.assert_status(200).assert_contains("<strong>bold</strong>").assert_not_contains("<script>alert(1)");
    assert_eq!(written(&app), before, "nothing was written");
    assert_eq!(state(&app, &id), ("draft".into(), 0));
}

#[actix_web::test]
async fn a_minor_republication_needs_a_reason_and_keeps_versions_immutable() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    let id = published(&mut app.conn(), &f.t2, &f.client_admin, &people.approver, app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let policy = models::find(&mut app.conn(), &f.t2, &id).unwrap().unwrap();
    let draft = models::Draft {
        title: policy.title.clone(),
        kind: policy.kind,
        owner: None,
        review_months: 12,
        next_review_on: policy.next_review_on,
        body: format!("{}Typo fixed.\n", policy.body),
        controls: vec!["CCF-AC-01".into()],
    };
    models::save_draft(&mut app.conn(), &f.t2, &policy, &draft, app.now()).unwrap();
    olive.get(&format!("/compliance/policies/{id}")).await;
    olive.post(&format!("/compliance/policies/{id}/submit"), &[("change_summary", "Typo")]).await.assert_status(303);
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get(&format!("/compliance/policies/{id}")).await;
    raj.post(&format!("/compliance/policies/{id}/approve"), &[]).await.assert_status(303);
    let missing = olive.post(&format!("/compliance/policies/{id}/publish"), &[("material", ""), ("reason", "")]).await;
    missing.assert_status(422).assert_contains("Say whether the change is material");
    olive
        .post(&format!("/compliance/policies/{id}/publish"), &[("material", "no"), ("reason", "A typo")])
        .await
        .assert_status(303);
    let versions: Vec<(i32, bool, String, String)> = policy_versions::table
        .filter(policy_versions::policy_id.eq(&id))
        .order(policy_versions::number)
        .select((
            policy_versions::number,
            policy_versions::material,
            policy_versions::material_reason,
            policy_versions::body,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].3, policy.body, "version 1 is unchanged");
    assert_eq!((versions[1].0, versions[1].1, versions[1].2.as_str()), (2, false, "A typo"));
    let evidence_items: i64 =
        evidence::table.filter(evidence::org_id.eq(f.t2.as_str())).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(evidence_items, 1, "one evidence item per policy, rewritten at each publication");
}

#[actix_web::test]
async fn the_library_runs_the_same_statements_for_1_and_50_policies() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    published(&mut app.conn(), &f.t2, &f.client_admin, &people.approver, app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let pages =
        ["/compliance/policies", "/compliance/policies?status=published&kind=security&q=fixture&review=overdue"];
    let one: Vec<u64> = futures_collect(&app, &mut olive, &pages).await;
    for _ in 0..49 {
        published(&mut app.conn(), &f.t2, &f.client_admin, &people.approver, app.now());
    }
    let fifty: Vec<u64> = futures_collect(&app, &mut olive, &pages).await;
    assert_eq!(one, fifty);
}

async fn futures_collect<S, B>(app: &TestApp, c: &mut crate::support::Client<S>, pages: &[&str]) -> Vec<u64>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut out = Vec::new();
    for page in pages {
        out.push(app.statements_of(c, page).await);
    }
    out
}
