//! The portal's signed-in pages in a browser, on a laptop and on a phone: an end user signs in, opens a ticket
//! through the form, reads it, browses the knowledge base and the policies. axe checks every page; on the
//! phone, nothing scrolls sideways and the content starts on the first screen.

use super::phone::assert_fits_phone;
use super::{Browser, E2e, TestResult};
use crate::desk::contact;
use crate::desk::kb::article;
use crate::support::PASSWORD;
use crate::support::fixture;

const PORTAL: &str = "/portal/tier-two-legal";

/// Signs the end user in through the login form; they land on their portal.
async fn sign_in_to_portal(browser: &Browser) -> TestResult {
    browser.open(&format!("{PORTAL}/sign-in")).await?;
    browser.fill("#email", "erin@tiertwo.test").await?;
    browser.fill("#password", PASSWORD).await?;
    browser.click_button("Sign in").await?;
    browser.wait_for_text("h1", "Hello").await?;
    Ok(())
}

fn seed(e2e: &E2e) -> String {
    let mut conn = e2e.conn();
    let f = fixture::msp(&mut conn);
    let erin = contact(&mut conn, &f.t2, "Erin Enduser", "erin@tiertwo.test");
    fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", Some(&erin), false);
    article(&mut conn, &f.t2, false, "Reset your password", "Open the portal and choose **reset**.").to_string()
}

#[tokio::test]
async fn an_end_user_opens_a_ticket_and_reads_the_portal_on_a_laptop_and_a_phone() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let article = seed(&e2e);
    let browser = e2e.browser().await;
    sign_in_to_portal(&browser).await?;
    browser.open(PORTAL).await?;
    browser.wait_for_text("h1", "Hello, Erin").await?;
    browser.assert_accessible().await?;
    browser.open(&format!("{PORTAL}/tickets/new")).await?;
    browser.fill("#subject", "Printer jams on tray 2").await?;
    browser.fill("#description", "Since this morning.").await?;
    browser.assert_accessible().await?;
    browser.click_button("Open the ticket").await?;
    browser.wait_for_text("h1", "#1 Printer jams on tray 2").await?;
    browser.assert_accessible().await?;
    browser.open(&format!("{PORTAL}/tickets")).await?;
    browser.wait_for_text("table", "Printer jams on tray 2").await?;
    browser.assert_accessible().await?;
    for path in ["/kb", &format!("/kb/{article}"), "/kb?q=password", "/policies"] {
        browser.open(&format!("{PORTAL}{path}")).await?;
        browser.find("main h1").await?;
        browser.assert_accessible().await?;
    }
    browser.close().await?;

    let phone = e2e.phone().await;
    sign_in_to_portal(&phone).await?;
    for path in ["", "/tickets", "/tickets/1", "/tickets/new", "/kb", "/policies"] {
        phone.open(&format!("{PORTAL}{path}")).await?;
        phone.find("main h1").await?;
        assert_fits_phone(&phone).await?;
    }
    phone.close().await?;
    Ok(())
}
