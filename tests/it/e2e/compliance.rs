//! The compliance program in a real browser: an Admin adopts two frameworks, an Analyst adds evidence to a
//! control both frameworks need and asks for review, an Approver approves the evidence and the control, and
//! both frameworks' scores rise. axe checks every page on the way.

use super::{E2e, TestResult};
use crate::compliance::{needed_by, team};
use crate::support::PASSWORD;
use crate::support::fixture;

/// The frameworks page's score of one framework, as a number.
async fn score(browser: &super::Browser, framework: &str) -> thirtyfour::prelude::WebDriverResult<i64> {
    browser.open("/compliance/frameworks").await?;
    browser.wait_for_path("/compliance/frameworks").await?;
    let text = browser.find(&format!("[data-testid=score-{framework}]")).await?.text().await?;
    Ok(text.trim_end_matches('%').parse().unwrap_or(-1))
}

#[tokio::test]
async fn adopting_two_frameworks_and_approving_a_control_with_evidence_raises_both_scores() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    team(&mut e2e.conn(), &f.t2);
    // A control both frameworks need.
    let hipaa = needed_by("hipaa");
    let control = needed_by("soc2").into_iter().find(|c| hipaa.contains(c)).expect("a shared control");

    let olive = e2e.browser().await;
    olive.sign_in("owner@tiertwo.test", PASSWORD).await?;
    olive.click_link("Frameworks").await?;
    olive.wait_for_path("/compliance/frameworks").await?;
    olive.click_button("Adopt HIPAA Security").await?;
    olive.wait_for_text("[role=status]", "HIPAA Security adopted").await?;
    olive.click_button("Adopt SOC 2").await?;
    olive.wait_for_text("[role=status]", "SOC 2 adopted").await?;
    olive.assert_accessible().await?;
    let before = (score(&olive, "hipaa").await?, score(&olive, "soc2").await?);
    assert_eq!(before, (0, 0));

    // The analyst adds a file as evidence from the control's page and asks for review.
    let grace = e2e.browser().await;
    grace.sign_in("grace@tiertwo.test", PASSWORD).await?;
    grace.click_link("Controls").await?;
    grace.wait_for_path("/compliance/controls").await?;
    grace.fill("#f-q", &control).await?;
    grace.click_button("Apply").await?;
    grace.click_link(&format!("{control} {}", control_title(&control))).await?;
    grace.wait_for_path(&format!("/compliance/controls/{control}")).await?;
    grace.click_link("Add evidence").await?;
    grace.wait_for_path(&format!("/compliance/evidence/new?control={control}")).await?;
    grace.fill("#title", "Signed access control policy").await?;
    let file = tempfile::Builder::new().suffix(".pdf").tempfile()?;
    std::fs::write(file.path(), b"%PDF-1.7 signed policy")?;
    grace.find("#file").await?.send_keys(file.path().display().to_string()).await?;
    grace.click_button("Add and send for approval").await?;
    grace.wait_for_path(&format!("/compliance/controls/{control}")).await?;
    grace.wait_for_text("[role=status]", "Evidence added and sent for approval.").await?;
    grace.select("#status", "Ready for review").await?;
    grace.click_button("Change status").await?;
    grace.wait_for_text("[data-testid=control-status]", "Ready for review").await?;
    grace.assert_accessible().await?;

    // The approver approves the evidence, then the control.
    let raj = e2e.browser().await;
    raj.sign_in("raj@tiertwo.test", PASSWORD).await?;
    raj.open(&format!("/compliance/controls/{control}")).await?;
    raj.wait_for_path(&format!("/compliance/controls/{control}")).await?;
    raj.click_link("Signed access control policy").await?;
    raj.wait_for_text("[data-testid=evidence-status]", "Awaiting approval").await?;
    raj.assert_accessible().await?;
    raj.click_button("Approve").await?;
    raj.wait_for_text("[data-testid=evidence-status]", "Approved").await?;
    raj.open(&format!("/compliance/controls/{control}")).await?;
    raj.wait_for_path(&format!("/compliance/controls/{control}")).await?;
    raj.click_button("Approve as implemented").await?;
    raj.wait_for_text("[data-testid=control-effective]", "Effective").await?;
    raj.assert_accessible().await?;

    // Both frameworks' scores rose, on the frameworks page and the dashboard.
    let after = (score(&olive, "hipaa").await?, score(&olive, "soc2").await?);
    assert!(after.0 > before.0 && after.1 > before.1, "both scores rise: {before:?} -> {after:?}");
    olive.click_link("Dashboard").await?;
    olive.wait_for_text("[data-testid=dashboard-score-soc2]", &format!("{}%", after.1)).await?;
    olive.assert_accessible().await?;
    for browser in [olive, grace, raj] {
        browser.close().await?;
    }
    Ok(())
}

/// The program's pages, with a program under way: accessible on a desktop, and fitting a phone's width (tables
/// scroll inside their cards).
#[tokio::test]
async fn the_program_pages_are_accessible_and_fit_a_phone() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    let people = team(&mut e2e.conn(), &f.t2);
    let now = e2e.app.state.clock.now();
    for framework in ["hipaa", "soc2", "cmmc-2", "gdpr", "iso27001-2022"] {
        fixture::adopt(&mut e2e.conn(), &f.t2, framework, now);
    }
    let evidence = {
        use palisade::compliance::evidence::models::{self, EvidenceKind, EvidenceSource, NewEvidence};
        let day = palisade::db::Day::from(now.date());
        let new = NewEvidence {
            title: "Quarterly access review",
            source: EvidenceSource::Note,
            kind: EvidenceKind::Attestation,
            url: "",
            body: "All accounts reviewed.",
            effective_on: day,
            valid_until: day.plus_days(20),
        };
        let mut conn = e2e.conn();
        let id = models::insert(&mut conn, &f.t2, &new, &people.analyst, now).unwrap();
        models::link(&mut conn, &f.t2, &id, &["CCF-AC-01".to_string()], &people.analyst, now).unwrap();
        id
    };
    let policy = crate::compliance::policies::published(&mut e2e.conn(), &f.t2, &f.client_admin, &people.approver, now);
    crate::compliance::people::matrix_person(&mut e2e.conn(), &f.t2);
    let (risk, assessment) = crate::compliance::risks::matrix_fixture(&mut e2e.conn(), &f.t2, &people.analyst);
    let campaign = crate::compliance::campaigns::matrix_campaign(&mut e2e.conn(), &f.t2, &policy, now);
    let pages = [
        "/compliance".to_string(),
        "/compliance/frameworks".into(),
        "/compliance/frameworks/hipaa".into(),
        "/compliance/frameworks/hipaa/applicability?requirement=164.308(a)(1)(ii)(A)".into(),
        "/compliance/controls".into(),
        "/compliance/controls/CCF-AC-01".into(),
        "/compliance/evidence".into(),
        "/compliance/evidence/new".into(),
        format!("/compliance/evidence/{evidence}"),
        "/compliance/gaps".into(),
        "/compliance/reports".into(),
        "/compliance/reports/print".into(),
        "/compliance/baa".into(),
        "/compliance/dsr".into(),
        "/compliance/sprs".into(),
        "/compliance/soa".into(),
        "/compliance/policies".into(),
        "/compliance/policies/new".into(),
        format!("/compliance/policies/{policy}"),
        format!("/compliance/policies/{policy}/edit"),
        format!("/compliance/policies/{policy}/versions/1"),
        "/compliance/people".into(),
        "/compliance/people/new".into(),
        "/compliance/people/import".into(),
        "/compliance/risks".into(),
        "/compliance/risks/new".into(),
        format!("/compliance/risks/{risk}"),
        format!("/compliance/risks/{risk}/edit"),
        "/compliance/risks/import".into(),
        "/compliance/risk-assessments".into(),
        format!("/compliance/risk-assessments/{assessment}"),
        "/compliance/campaigns".into(),
        "/compliance/campaigns/new".into(),
        format!("/compliance/campaigns/{campaign}"),
        "/my/policies".into(),
    ];
    let desktop = e2e.browser().await;
    desktop.sign_in("owner@tiertwo.test", PASSWORD).await?;
    for path in &pages {
        desktop.open(path).await?;
        desktop.find("h1").await?;
        desktop.assert_accessible().await?;
    }
    desktop.close().await?;
    let phone = e2e.phone().await;
    phone.sign_in("owner@tiertwo.test", PASSWORD).await?;
    for path in &pages {
        phone.open(path).await?;
        phone.find("h1").await?;
        let layout = phone.layout().await?;
        assert!(layout.scroll_width <= layout.inner_width, "{path} scrolls sideways on a phone: {layout:?}");
        phone.screenshot_size().await?;
        phone.assert_accessible().await?;
    }
    phone.close().await?;
    Ok(())
}

fn control_title(id: &str) -> String {
    let catalog = palisade::compliance::catalog::data::embedded().unwrap();
    catalog.controls.iter().find(|c| c.id == id).map(|c| c.title.clone()).unwrap_or_default()
}
