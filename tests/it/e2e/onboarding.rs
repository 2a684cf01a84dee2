//! First run in a real browser: the empty installation leads to onboarding, an MSP is created through the
//! form, and its admin signs out and back in.

use super::{E2e, TestResult};
use crate::support::fixture::count;

const ORG: &str = "Bluewater IT Partners";
const EMAIL: &str = "dana@bluewater.test";
const PASSWORD: &str = "tide-pools-and-lighthouses";

#[tokio::test]
async fn an_msp_onboards_through_the_form_then_signs_out_and_back_in() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let browser = e2e.browser().await;

    // The front door of an empty installation is onboarding.
    browser.open("/").await?;
    browser.wait_for_path("/onboarding").await?;
    browser.click("input[name=mode][value=msp]").await?;
    browser.fill("#org_name", ORG).await?;
    browser.fill("#contact_email", "hello@bluewater.test").await?;
    browser.select("#timezone", "Europe/London").await?;
    browser.fill("#admin_name", "Dana Founder").await?;
    browser.fill("#admin_email", EMAIL).await?;
    browser.fill("#password", PASSWORD).await?;
    browser.fill("#confirm", "not the same password").await?;
    browser.click_button("Create my organization").await?;
    // Mismatched passwords: the form comes back with the input kept and nothing created.
    browser.wait_for_text("#confirm-error", "do not match").await?;
    assert_eq!(browser.find("#org_name").await?.value().await?.as_deref(), Some(ORG));
    assert_eq!(count(&mut e2e.conn(), "SELECT COUNT(*) AS n FROM organizations"), 0);

    browser.fill("#password", PASSWORD).await?;
    browser.fill("#confirm", PASSWORD).await?;
    browser.click_button("Create my organization").await?;
    browser.wait_for_path("/msp/dashboard").await?;
    let banner = browser.wait_for_banner(ORG).await?;
    assert!(banner.contains("MSP"), "the banner says what kind of organization this is: {banner}");
    browser.wait_for_text("[role=status]", "Welcome to Palisade").await?;
    let mut conn = e2e.conn();
    let msps = "SELECT COUNT(*) AS n FROM organizations WHERE kind = 'msp' AND name = 'Bluewater IT Partners' \
                AND timezone = 'Europe/London'";
    assert_eq!(count(&mut conn, msps), 1);
    let admins = "SELECT COUNT(*) AS n FROM users u JOIN memberships m ON m.user_id = u.id \
                  WHERE u.email = 'dana@bluewater.test' AND u.is_super_admin AND m.role = 'ADMIN'";
    assert_eq!(count(&mut conn, admins), 1);
    drop(conn);

    // Sign out from the user menu: the workspace is closed to this browser.
    browser.click(".user-menu > summary").await?;
    browser.click_button("Sign out").await?;
    browser.wait_for_path("/login").await?;
    browser.wait_for_text("[role=status]", "You are signed out.").await?;
    browser.open("/msp/dashboard").await?;
    browser.wait_for_path("/login?next=%2Fmsp%2Fdashboard").await?;

    // A wrong password is refused; the right one returns to the page that asked for it.
    browser.fill("#email", EMAIL).await?;
    browser.fill("#password", "not-my-password").await?;
    browser.click_button("Sign in").await?;
    browser.wait_for_text("[role=alert]", "do not match an account").await?;
    browser.fill("#password", PASSWORD).await?;
    browser.click_button("Sign in").await?;
    browser.wait_for_path("/msp/dashboard").await?;
    browser.wait_for_banner(ORG).await?;
    // Onboarding is gone for good; the signed-in founder keeps the app around the not-found page.
    browser.open("/onboarding").await?;
    browser.wait_for_text("h1", "Page not found").await?;
    browser.assert_accessible().await?;
    browser.wait_for_banner(ORG).await?;
    browser.close().await?;
    Ok(())
}
