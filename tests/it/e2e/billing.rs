//! Billing in a real browser: a technician's timer on a ticket becomes an entry, the MSP's admin generates the
//! month's invoice for that client, marks it sent and downloads it.

use super::{E2e, TestResult};
use crate::support::{PASSWORD, fixture};

#[tokio::test]
async fn a_timer_on_a_ticket_ends_up_on_the_months_invoice() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    let ticket = {
        let mut conn = e2e.conn();
        crate::billing::matrix_fixture(&mut conn, &f.msp, &f.t2);
        let now = palisade::clock::Clock::system().now();
        crate::desk::ticket_at(&mut conn, &f.t2, &f.admin, "Laptop will not dock", now, None).0
    };
    let browser = e2e.browser().await;
    browser.sign_in("admin@northwind.test", PASSWORD).await?;
    browser.open(&format!("/tickets/by-id/{ticket}")).await?;
    browser.wait_for_banner("Tier Two Legal").await?;
    browser.click_button("Start timer").await?;
    browser.wait_for_text("[data-testid=running-timer]", "Laptop will not dock").await?;
    browser.assert_accessible().await?;
    browser.click("[data-testid=running-timer] button").await?;
    browser.wait_for_text("[role=status]", "Timer stopped: 0:01 logged").await?;
    browser.fill("#notes", "Replaced the dock's power supply.").await?;
    browser.click_button("Save entry").await?;
    browser.wait_for_text("[role=status]", "Time entry saved.").await?;

    browser.open(&format!("/billing/clients/{}/invoice", f.t2)).await?;
    browser.wait_for_text("[data-testid=invoice-lines]", "Replaced the dock's power supply.").await?;
    browser.assert_accessible().await?;
    browser.click_button("Generate invoice").await?;
    browser.wait_for_text("h1", "Invoice INV-1").await?;
    browser.click_button("Mark as sent").await?;
    browser.wait_for_text("[data-testid=invoice-status]", "Sent").await?;
    browser.assert_accessible().await?;
    // The download, as the browser fetches it with the person's session.
    let path = browser.path().await?;
    let script = "return fetch(arguments[0]).then(r => r.text())";
    let csv = browser.driver.execute(script, vec![serde_json::json!(format!("{path}/lines.csv"))]).await?;
    let text = csv.json().as_str().unwrap_or_default().to_string();
    assert!(text.contains("INV-1") && text.contains("Replaced the dock"), "{text}");
    browser.close().await?;
    Ok(())
}
