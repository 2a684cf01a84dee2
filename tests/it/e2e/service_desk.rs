//! The service desk in a real browser, staff side: a technician finds a client's ticket in the MSP's queue
//! across clients, sees its SLA due instants, answers publicly with an internal note beside it, and resolves
//! it with a resolution; the requester gets the reply and the resolution by email, never the note. (The inbound
//! part, a contact emailing in and replying, is helper G's.)

use super::{E2e, TestResult};
use crate::support::{PASSWORD, fixture};

#[tokio::test]
async fn a_technician_works_a_client_ticket_from_the_msp_queue_to_resolved() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    let number = {
        let mut conn = e2e.conn();
        crate::desk::policy(
            &mut conn,
            &f.t2,
            "America/New_York",
            &[
                ("hours_mon", "00:00-24:00"),
                ("hours_tue", "00:00-24:00"),
                ("hours_wed", "00:00-24:00"),
                ("hours_thu", "00:00-24:00"),
                ("hours_fri", "00:00-24:00"),
                ("hours_sat", "00:00-24:00"),
                ("hours_sun", "00:00-24:00"),
                ("medium_first_response", "2h"),
                ("medium_resolution", "8h"),
                ("enabled", "1"),
            ],
        );
        let ann = crate::desk::contact(&mut conn, &f.t2, "Ann Lee", "ann@legal.test");
        let now = palisade::clock::Clock::system().now();
        crate::desk::ticket_at(&mut conn, &f.t2, &f.admin, "Scanner stopped sending to email", now, Some(&ann)).1
    };
    let browser = e2e.browser().await;
    browser.sign_in("tech@northwind.test", PASSWORD).await?;
    browser.click_link("All tickets").await?;
    browser.wait_for_path("/msp/tickets").await?;
    browser.wait_for_text("table", "Tier Two Legal").await?;
    browser.click_link("Scanner stopped sending to email").await?;
    browser.wait_for_path(&format!("/tickets/{number}")).await?;
    browser.wait_for_banner("Tier Two Legal").await?;
    browser.wait_for_text(".sla", "of business time left").await?;
    browser.assert_accessible().await?;

    browser.click("input[name=visibility][value=internal]").await?;
    browser.fill("#body", "Scan-to-mail relay password expired.").await?;
    browser.click_button("Send").await?;
    browser.wait_for_text("[role=status]", "Note added.").await?;
    browser.click("input[name=visibility][value=public]").await?;
    browser.fill("#body", "We reset the scanner's mail password; please try again.").await?;
    browser.click_button("Send").await?;
    browser.wait_for_text("[role=status]", "Reply sent.").await?;
    browser.select("#status", "Resolved").await?;
    browser.fill("#resolution_note", "Relay password renewed.").await?;
    browser.click_button("Update").await?;
    browser.wait_for_text("[data-testid=ticket-status]", "Resolved").await?;
    browser.assert_accessible().await?;

    let mail: Vec<String> = e2e.outbox().await.iter().map(|raw| String::from_utf8_lossy(raw).to_string()).collect();
    let to_ann: Vec<&String> = mail.iter().filter(|m| m.contains("ann@legal.test")).collect();
    assert!(to_ann.iter().any(|m| m.contains("We reset the scanner")), "the public reply");
    assert!(to_ann.iter().any(|m| m.contains("Relay password renewed.")), "the resolution");
    assert!(mail.iter().all(|m| !m.contains("relay password expired")), "never the internal note");
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_service_desk_pages_have_no_serious_accessibility_findings() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    {
        let mut conn = e2e.conn();
        let ann = crate::desk::contact(&mut conn, &f.t3, "Ann Lee", "ann@health.test");
        crate::desk::ticket(&mut conn, &f.t3, &f.admin, "Badge reader offline", Some(&ann));
    }
    let browser = e2e.browser().await;
    browser.sign_in("admin@northwind.test", PASSWORD).await?;
    browser.switch_to("Tier Three Health").await?;
    for path in [
        "/tickets",
        "/tickets/new",
        "/tickets/1",
        "/tickets/recurring",
        "/contacts",
        "/contacts/new",
        "/contacts/import",
        "/reports/sla",
        "/settings/service-desk",
        "/settings/service-desk/policies/new",
        "/settings/service-desk/templates",
        "/msp/tickets",
    ] {
        browser.open(path).await?;
        browser.find("main h1").await?;
        browser.assert_accessible().await?;
    }
    browser.close().await?;
    Ok(())
}
