//! An MSP admin adds a client in a real browser, then moves into it and back with the sidebar switcher: the
//! banner always names the organization being worked in.

use super::{E2e, TestResult};
use crate::support::fixture::{MSP_NAME, count};

const CLIENT: &str = "Harbor Family Dental";

#[tokio::test]
async fn an_msp_admin_adds_a_client_and_switches_into_it_and_back() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let (f, browser) = e2e.msp_admin().await?;

    browser.click_link("Clients").await?;
    browser.wait_for_path("/msp/clients").await?;
    browser.click_link("Add client").await?;
    browser.wait_for_path("/msp/clients/new").await?;
    browser.fill("#name", CLIENT).await?;
    browser.click("input[name=tier][value=T3]").await?;
    browser.fill("#contact_email", "office@harbordental.test").await?;
    browser.click_button("Add client").await?;
    browser.wait_for_text("h1", CLIENT).await?;
    browser.wait_for_text("[role=status]", "Harbor Family Dental is added").await?;
    browser.assert_accessible().await?;
    assert!(browser.path().await?.starts_with("/msp/clients/"), "the new client's page");
    let linked = format!(
        "SELECT COUNT(*) AS n FROM organizations WHERE name = '{CLIENT}' AND kind = 'client' AND msp_org_id = '{}' \
         AND tier = 'T3'",
        f.msp
    );
    assert_eq!(count(&mut e2e.conn(), &linked), 1);
    // Adding a client does not move the admin into it.
    browser.wait_for_banner(MSP_NAME).await?;

    let banner = browser.switch_to(CLIENT).await?;
    assert!(banner.contains("Client"), "{banner}");
    assert!(
        banner.contains("via Northwind Managed IT · T3 Manage"),
        "the banner shows how the admin reaches it: {banner}"
    );
    browser.wait_for_path("/overview").await?;
    browser.wait_for_text("h1", CLIENT).await?;
    browser.assert_accessible().await?;

    let banner = browser.switch_to(MSP_NAME).await?;
    assert!(banner.contains("MSP") && !banner.contains(CLIENT), "{banner}");
    browser.close().await?;
    Ok(())
}
