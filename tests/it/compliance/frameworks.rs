//! Adopting and unadopting frameworks, scoping, and requirements marked not applicable.

use diesel::prelude::*;

use super::{control, control_rows, flash, needed_by, score, team};
use crate::support::db::logged;
use crate::support::{TestApp, fixture};
use palisade::schema::{evidence_links, org_frameworks};

#[actix_web::test]
async fn adopting_a_second_framework_creates_only_the_controls_it_adds_and_says_how_many_it_shares() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let empty = olive.get("/compliance/frameworks").await;
    empty.assert_status(200).assert_contains("No framework adopted yet");
    let hipaa = needed_by("hipaa");
    let soc2 = needed_by("soc2");
    let shared = hipaa.intersection(&soc2).count();
    assert!(shared > 0 && shared < soc2.len(), "the catalog has shared and SOC 2-only controls");

    let resp = olive.post("/compliance/frameworks/hipaa/adopt", &[]).await;
    resp.assert_redirect("/compliance/frameworks");
    let page = olive.follow(&resp).await;
    assert_eq!(
        flash(&page.body),
        format!(
            "HIPAA Security adopted: {} controls added, 0 controls shared with the frameworks already adopted.",
            hipaa.len()
        )
    );
    assert_eq!(control_rows(&mut app.conn(), &f.t2), (hipaa.len() as i64, hipaa.len() as i64));

    let resp = olive.post("/compliance/frameworks/soc2/adopt", &[]).await;
    let page = olive.follow(&resp).await;
    let added = soc2.len() - shared;
    assert_eq!(
        flash(&page.body),
        format!("SOC 2 adopted: {added} controls added, {shared} controls shared with the frameworks already adopted.")
    );
    let union = hipaa.union(&soc2).count() as i64;
    assert_eq!(control_rows(&mut app.conn(), &f.t2), (union, union), "one row per control, no duplicates");
    // Both show as adopted, with their scores (nothing done yet: 0%).
    page.assert_contains("data-testid=\"score-hipaa\">0%").assert_contains("data-testid=\"score-soc2\">0%");
    let entries = logged(&mut app.conn(), &f.t2, "framework.adopt");
    assert_eq!(entries.len(), 2);
    assert!(entries[1].details.starts_with(&format!("{added} controls added, {shared} shared")), "{:?}", entries[1]);
    // Adopting again changes nothing.
    let again = olive.post("/compliance/frameworks/soc2/adopt", &[]).await;
    assert_eq!(flash(&olive.follow(&again).await.body), "SOC 2 is already adopted.");
    assert_eq!(control_rows(&mut app.conn(), &f.t2), (union, union));
    // The activity log reads in words.
    let log = olive.get("/settings/activity").await;
    log.assert_contains(&format!("Olive Owner adopted SOC 2 ({added} controls added, {shared} shared"));
}

#[actix_web::test]
async fn unadopting_hides_what_no_other_framework_needs_and_adopting_again_brings_back_the_same_work() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(303);
    olive.post("/compliance/frameworks/soc2/adopt", &[]).await.assert_status(303);
    let soc2_only = needed_by("soc2").difference(&needed_by("hipaa")).next().cloned().unwrap();
    let path = format!("/compliance/controls/{soc2_only}");
    olive.get(&path).await.assert_status(200);
    olive
        .post(
            &path,
            &[
                ("owner", people.analyst.as_str()),
                ("due_on", "2026-05-01"),
                ("review_months", "6"),
                ("next_review_on", ""),
                ("notes", "Run by the **service desk**."),
            ],
        )
        .await
        .assert_status(303);
    olive.post(&format!("{path}/status"), &[("status", "in_progress"), ("justification", "")]).await.assert_status(303);
    let evidence = fixture::evidence_file(&app, &f.t2, &people.analyst, "Change board minutes", &[&soc2_only]).await;
    let before = control(&mut app.conn(), &f.t2, &soc2_only);
    assert_eq!((before.status.as_str(), before.in_scope), ("in_progress", true));

    let resp = olive.post("/compliance/frameworks/soc2/unadopt", &[]).await;
    let page = olive.follow(&resp).await;
    let hidden = needed_by("soc2").difference(&needed_by("hipaa")).count();
    assert!(
        flash(&page.body)
            .starts_with(&format!("SOC 2 unadopted. {hidden} controls no other adopted framework needs are hidden"))
    );
    let after = control(&mut app.conn(), &f.t2, &soc2_only);
    assert_eq!(after, crate::compliance::Row { in_scope: false, ..before.clone() }, "nothing but the scope changed");
    olive.get(&format!("/compliance/controls?q={soc2_only}")).await.assert_contains("No control matches");
    olive.get(&path).await.assert_status(200).assert_contains("No adopted framework needs this control");
    let links: i64 = evidence_links::table
        .filter(evidence_links::evidence_id.eq(evidence.as_str()))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(links, 1, "the evidence link is kept");
    let adopted: bool = org_frameworks::table
        .find((f.t2.as_str(), "soc2"))
        .select(org_frameworks::adopted)
        .first(&mut app.conn())
        .unwrap();
    assert!(!adopted, "the adoption row is kept, unadopted");

    olive.post("/compliance/frameworks/soc2/adopt", &[]).await.assert_status(303);
    assert_eq!(control(&mut app.conn(), &f.t2, &soc2_only), before, "the same status, owner, notes and dates");
    let listed = olive.get(&format!("/compliance/controls?q={soc2_only}")).await;
    assert!(crate::support::page::row(&listed.body, &soc2_only).contains("In progress"));
    olive.get(&path).await.assert_contains("Change board minutes").assert_contains("<strong>service desk</strong>");
}

#[actix_web::test]
async fn scoping_chooses_soc2_categories_and_the_cmmc_level_and_bad_choices_come_back_with_a_message() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/frameworks").await;
    let refused = olive
        .post("/compliance/frameworks/soc2/adopt", &[("categories", "Availability"), ("categories", "Vibes")])
        .await;
    refused.assert_status(422).assert_contains("&#34;Vibes&#34; is not a SOC 2 category. Choose from the list.");
    assert!(
        crate::support::page::occurrences(&refused.body, "value=\"Availability\" checked") == 1,
        "the choice is kept"
    );
    assert_eq!(control_rows(&mut app.conn(), &f.t2), (0, 0), "nothing adopted");
    olive
        .post("/compliance/frameworks/cmmc-2/adopt", &[("level", "7")])
        .await
        .assert_status(422)
        .assert_contains("Choose level 1 or level 2.");

    olive.post("/compliance/frameworks/soc2/adopt", &[("categories", "Availability")]).await.assert_status(303);
    assert_eq!(score(&mut app.conn(), &f.t2, "soc2").0, 36, "33 Security criteria and 3 Availability ones");
    let resp = olive.post("/compliance/frameworks/soc2/scope", &[]).await;
    assert_eq!(flash(&olive.follow(&resp).await.body), "SOC 2 now covers Security: 33 requirements in scope.");
    assert_eq!(score(&mut app.conn(), &f.t2, "soc2").0, 33);
    olive.post("/compliance/frameworks/cmmc-2/adopt", &[("level", "1")]).await.assert_status(303);
    assert_eq!(score(&mut app.conn(), &f.t2, "cmmc-2").0, 15);
    let log = olive.get("/settings/activity").await;
    log.assert_contains("Olive Owner changed the scope of SOC 2 from Security, Availability to Security");
    // A framework without scoping choices says so.
    olive.post("/compliance/frameworks/hipaa/adopt", &[]).await;
    let resp = olive.post("/compliance/frameworks/hipaa/scope", &[]).await;
    assert!(flash(&olive.follow(&resp).await.body).contains("has no scope to choose"));
    olive.post("/compliance/frameworks/no-such/adopt", &[]).await.assert_status(404);
}

#[actix_web::test]
async fn a_requirement_marked_not_applicable_leaves_the_score_with_its_justification() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(303);
    let in_scope = score(&mut app.conn(), &f.t2, "hipaa").0;
    let form = "/compliance/frameworks/hipaa/applicability?requirement=164.310(d)(2)(iii)";
    olive.get(form).await.assert_status(200).assert_contains("Does it apply here?");
    let refused = olive
        .post(
            "/compliance/frameworks/hipaa/applicability",
            &[("requirement", "164.310(d)(2)(iii)"), ("applicable", "no"), ("justification", "  ")],
        )
        .await;
    refused.assert_status(422).assert_contains("Why it does not apply is required.");
    assert_eq!(score(&mut app.conn(), &f.t2, "hipaa").0, in_scope);
    let why = "No hardware or media holding ePHI is ever moved between locations.";
    olive
        .post(
            "/compliance/frameworks/hipaa/applicability",
            &[("requirement", "164.310(d)(2)(iii)"), ("applicable", "no"), ("justification", why)],
        )
        .await
        .assert_redirect("/compliance/frameworks/hipaa");
    assert_eq!(score(&mut app.conn(), &f.t2, "hipaa").0, in_scope - 1);
    let page = olive.get("/compliance/frameworks/hipaa?outcome=not_applicable").await;
    assert!(crate::support::page::row(&page.body, "164.310(d)(2)(iii)").contains(why));
    assert_eq!(logged(&mut app.conn(), &f.t2, "requirement.exclude")[0].details, why);
    olive
        .post(
            "/compliance/frameworks/hipaa/applicability",
            &[("requirement", "164.310(d)(2)(iii)"), ("applicable", "yes")],
        )
        .await
        .assert_status(303);
    assert_eq!(score(&mut app.conn(), &f.t2, "hipaa").0, in_scope);
    // An unknown requirement is not found.
    olive
        .post(
            "/compliance/frameworks/hipaa/applicability",
            &[("requirement", "999"), ("applicable", "no"), ("justification", "x")],
        )
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn only_framework_managers_adopt_and_technicians_see_compliance_only_on_the_compliance_team() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    let page = grace.get("/compliance/frameworks").await;
    page.assert_status(200).assert_not_contains("/adopt\"");
    grace.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(403);
    assert_eq!(control_rows(&mut app.conn(), &f.t2), (0, 0));

    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    let home = tom.get("/overview").await;
    home.assert_not_contains("href=\"/compliance/controls\"");
    tom.get("/compliance/controls").await.assert_status(403);
    tom.get("/compliance/catalog").await.assert_status(403);
    // On the MSP's compliance team, Tom works compliance in the clients assigned to him.
    let membership = crate::support::db::membership_id(&mut app.conn(), &f.msp, &f.tech);
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.get("/settings/team").await;
    morgan
        .post(&format!("/settings/team/members/{membership}/compliance-team"), &[("on", "1")])
        .await
        .assert_status(303);
    tom.get("/compliance/controls").await.assert_status(200);
    tom.get("/overview").await.assert_contains("href=\"/compliance/controls\"");
    tom.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(403);
}

#[actix_web::test]
async fn another_tenant_neither_sees_nor_changes_the_program() {
    let (app, f, other) = TestApp::with_tenants().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let evidence = fixture::evidence_file(&app, &f.t2, &people.analyst, "Tier Two policy", &["CCF-AC-01"]).await;
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/compliance/controls/CCF-AC-01").await.assert_status(404);
    for path in
        [format!("/compliance/evidence/{evidence}"), format!("/compliance/evidence/{evidence}/revisions/1/download")]
    {
        rita.get(&path).await.assert_status(404).assert_not_contains("Tier Two policy");
    }
    rita.get("/compliance/frameworks").await;
    rita.post(&format!("/compliance/evidence/{evidence}/approve"), &[("comment", "")]).await.assert_status(404);
    rita.get("/compliance/controls").await.assert_contains("No framework is adopted yet");
    let status: String = palisade::schema::evidence::table
        .find(evidence.as_str())
        .select(palisade::schema::evidence::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "submitted");
}

#[actix_web::test]
async fn a_catalog_version_that_adds_a_mapping_adds_the_control_where_needed_and_touches_nothing_else() {
    use palisade::compliance::catalog::data::{self, Mapping, MappingKind};
    use palisade::compliance::program::{index::CatalogIndex, sync};
    let (app, f) = TestApp::with_msp().await;
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/controls/CCF-AC-01").await;
    olive.post("/compliance/controls/CCF-AC-01/status", &[("status", "in_progress")]).await.assert_status(303);
    let worked = control(&mut app.conn(), &f.t2, "CCF-AC-01");
    // The next catalog version maps a control HIPAA did not need to one of its requirements.
    let extra = needed_by("soc2").difference(&needed_by("hipaa")).next().cloned().unwrap();
    let mut next = data::embedded().unwrap().clone();
    next.version = "next".into();
    let hipaa = next.mappings.iter_mut().find(|m| m.framework == "hipaa").unwrap();
    hipaa.mappings.push(Mapping {
        control: extra.clone(),
        requirement: "164.308(a)(1)(ii)(A)".into(),
        kind: MappingKind::Primary,
        relationship: Some("intersects".into()),
        note: None,
    });
    let index = CatalogIndex::build(&next);
    let (rows, _) = control_rows(&mut app.conn(), &f.t2);
    assert_eq!(
        sync::after_catalog_load(&mut app.conn(), &index, app.now()).unwrap(),
        1,
        "one organization has a program"
    );
    assert_eq!(control_rows(&mut app.conn(), &f.t2).0, rows + 1);
    let added = control(&mut app.conn(), &f.t2, &extra);
    assert_eq!((added.status.as_str(), added.in_scope, added.owner), ("not_started", true, None));
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-01"), worked, "existing state untouched");
    assert_eq!(sync::after_catalog_load(&mut app.conn(), &index, app.now()).unwrap(), 0, "idempotent");
    assert_eq!(control_rows(&mut app.conn(), &f.t1), (0, 0), "organizations without a program get nothing");
}
