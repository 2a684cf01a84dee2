//! Two tabs, one session: a form opened for one client is submitted after another tab switched to a different
//! client. It is refused with the input kept, and "switch back and submit again" applies it to the client it
//! was written for.

use super::{E2e, TestResult};
use crate::support::fixture::count;

const FORM_CLIENT: &str = "Tier Three Health";
const OTHER_CLIENT: &str = "Tier Two Legal";
const EMAIL: &str = "new.nurse@tierthree.test";

#[tokio::test]
async fn a_form_submitted_after_another_tab_switched_client_is_refused_then_resubmitted() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let (f, browser) = e2e.msp_admin().await?;

    // Tab one: the invite form of Tier Three Health.
    let first_tab = browser.driver.window().await?;
    browser.switch_to(FORM_CLIENT).await?;
    browser.click_link("Team Members").await?;
    browser.wait_for_path("/settings/team").await?;
    browser.wait_for_banner(FORM_CLIENT).await?;

    // Tab two, same session: switch to Tier Two Legal.
    let second_tab = browser.driver.new_tab().await?;
    browser.driver.switch_to_window(second_tab).await?;
    browser.open("/overview").await?;
    browser.wait_for_banner(FORM_CLIENT).await?;
    browser.switch_to(OTHER_CLIENT).await?;

    // Back in tab one, the form still says Tier Three Health; submitting it must not invite into Tier Two Legal.
    browser.driver.switch_to_window(first_tab).await?;
    browser.fill("#invite-email", EMAIL).await?;
    browser.click_button("Send invitation").await?;
    browser.wait_for_text("h1", "This form belongs to Tier Three Health").await?;
    browser.wait_for_text(".kept-input", EMAIL).await?;
    browser.assert_accessible().await?;
    let invitations =
        |org: &str| format!("SELECT COUNT(*) AS n FROM invitations WHERE org_id = '{org}' AND email = '{EMAIL}'");
    assert_eq!(count(&mut e2e.conn(), &invitations(&f.t2)), 0, "nothing reached the other client");
    assert_eq!(count(&mut e2e.conn(), &invitations(&f.t3)), 0, "nothing applied yet");

    // Switch back and submit again: the same POST is repeated in the form's organization.
    browser.click_button("Switch to Tier Three Health and submit again").await?;
    browser.wait_for_path("/settings/team").await?;
    browser.wait_for_text("[role=status]", &format!("Invitation sent to {EMAIL}")).await?;
    browser.wait_for_banner(FORM_CLIENT).await?;
    assert_eq!(count(&mut e2e.conn(), &invitations(&f.t3)), 1, "the invitation belongs to the form's client");
    assert_eq!(count(&mut e2e.conn(), &invitations(&f.t2)), 0);
    assert_eq!(e2e.outbox().await.len(), 1, "one invitation email");
    browser.close().await?;
    Ok(())
}
