//! An acknowledgment campaign in a real browser: a policy drafted from a template, sent for review, approved by
//! another person and published, then a campaign to three people of a department; one of them signs from the link
//! read from the emailed message (the button waits until the text was scrolled to its end), and the progress page
//! shows 1/3. axe checks every page on the way.

use super::{E2e, TestResult};
use crate::compliance::team;
use crate::support::{PASSWORD, delivered_mail, fixture};
use palisade::compliance::people::models::{self as people, PersonInput};

#[tokio::test]
async fn a_campaign_to_three_people_is_signed_by_one_from_the_emailed_link() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    // The team brings Raj, an approver of the policy.
    team(&mut e2e.conn(), &f.t2);
    let now = e2e.app.state.clock.now();
    for (name, email) in [("Ann Able", "ann@staff.test"), ("Bo Baker", "bo@staff.test"), ("Cy Cole", "cy@staff.test")] {
        let input =
            PersonInput { name: name.into(), email: email.into(), department: "Finance".into(), ..Default::default() };
        people::insert(&mut e2e.conn(), &f.t2, &input, None, now)?;
    }

    let olive = e2e.browser().await;
    olive.sign_in("owner@tiertwo.test", PASSWORD).await?;
    let policy = publish_from_template(&e2e, &olive).await?;
    assert!(policy.starts_with("/compliance/policies/"), "{policy}");
    olive.open("/compliance/campaigns").await?;
    olive.wait_for_path("/compliance/campaigns").await?;
    olive.click_link("Start a campaign").await?;
    olive.wait_for_path("/compliance/campaigns/new").await?;
    olive.fill("#name", "Finance acknowledgment").await?;
    olive.assert_accessible().await?;
    olive.click("input[name=version]").await?;
    let due = (now.date() + chrono::Duration::days(14)).format("%Y-%m-%d").to_string();
    let set_due = "document.getElementById('due_on').value = arguments[0];";
    olive.driver.execute(set_due, vec![serde_json::json!(due)]).await?;
    olive.select("#audience", "A department").await?;
    olive.fill("#department", "Finance").await?;
    olive.click_button("Start and email everyone").await?;
    olive.wait_for_text("[role=status]", "3 signing requests").await?;
    let progress = olive.path().await?;

    let mail = e2e.outbox().await.iter().map(|raw| delivered_mail(raw)).find(|m| m.to == "bo@staff.test");
    let text = mail.expect("Bo's email").text;
    let link = text.split_whitespace().find(|w| w.contains("/sign/")).expect("a signing link").to_string();
    let bo = e2e.browser().await;
    bo.open(&link).await?;
    bo.wait_for_text("h1", "Finance acknowledgment").await?;
    bo.assert_accessible().await?;
    bo.fill("#full_name", "Bo Baker").await?;
    bo.click("input[name=consent]").await?;
    let scroll = "var t = document.querySelector('[data-read-text]'); t.scrollTop = t.scrollHeight;";
    bo.driver.execute(scroll, Vec::new()).await?;
    bo.click_button("Sign").await?;
    bo.wait_for_text("h1", "Thank you").await?;
    bo.assert_accessible().await?;

    olive.open(&progress).await?;
    olive.wait_for_text("[data-testid=progress]", "1/3").await?;
    olive.assert_accessible().await?;
    Ok(())
}

/// Olive drafts the access control policy from its template and sends it for review; Raj, an approver, approves
/// it; Olive publishes version 1. Returns the policy's path.
async fn publish_from_template(e2e: &E2e, olive: &super::Browser) -> Result<String, Box<dyn std::error::Error>> {
    olive.open("/compliance/policies/new").await?;
    olive.wait_for_path("/compliance/policies/new").await?;
    olive.assert_accessible().await?;
    olive.click("section[aria-labelledby=t-access-control] button").await?;
    olive.wait_for_text("h1", "Access Control Policy").await?;
    let policy = olive.path().await?;
    olive.fill("#change_summary", "First version").await?;
    olive.click_button("Send for review").await?;
    olive.wait_for_text("[role=status]", "is sent for review").await?;

    let raj = e2e.browser().await;
    raj.sign_in("raj@tiertwo.test", PASSWORD).await?;
    raj.open(&policy).await?;
    raj.wait_for_text("h1", "Access Control Policy").await?;
    raj.assert_accessible().await?;
    raj.click_button("Approve").await?;
    raj.wait_for_text("[role=status]", "is approved").await?;

    olive.open(&policy).await?;
    olive.click_button("Publish version 1").await?;
    olive.wait_for_text("[role=status]", "version 1 is published").await?;
    olive.assert_accessible().await?;
    Ok(policy)
}
