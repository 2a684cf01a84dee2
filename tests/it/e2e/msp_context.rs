//! MSP pages act on the person's MSP whatever client is selected: inside a client, the sidebar still offers the
//! MSP's dashboard and clients, and they open.

use super::{E2e, TestResult};

#[tokio::test]
async fn an_msp_admin_inside_a_client_opens_the_msp_dashboard_and_clients_from_the_sidebar() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let (_, browser) = e2e.msp_admin().await?;
    browser.switch_to("Tier Two Legal").await?;
    browser.wait_for_path("/overview").await?;

    browser.click_link("Dashboard").await?;
    browser.wait_for_path("/msp/dashboard").await?;
    browser.wait_for_text("h1", "Dashboard").await?;
    browser.wait_for_text("[data-testid=managed-clients]", "3").await?;
    browser.click_link("Clients").await?;
    browser.wait_for_path("/msp/clients").await?;
    browser.wait_for_text("main table", "Tier One Dental").await?;
    browser.close().await?;
    Ok(())
}
