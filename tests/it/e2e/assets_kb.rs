//! Assets and the knowledge base in a real browser: a technician imports assets from a CSV file and links one to
//! a ticket; an editor writes and publishes an article, finds it by search from a ticket and inserts its link
//! into the reply. Every page visited is checked with axe-core.

use super::{E2e, TestResult};
use crate::support::{PASSWORD, fixture};

#[tokio::test]
async fn import_assets_from_csv_then_link_one_to_a_ticket() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    let number = crate::desk::ticket(&mut e2e.conn(), &f.t2, &f.admin, "Laptop fan is loud", None).1;
    let browser = e2e.browser().await;
    browser.sign_in("owner@tiertwo.test", PASSWORD).await?;
    browser.click_link("Assets").await?;
    browser.wait_for_path("/assets").await?;
    browser.click_link("Import CSV").await?;
    browser.wait_for_path("/assets/import").await?;
    browser.assert_accessible().await?;
    let csv = "name,type,serial_number\nReception laptop,Laptop,SN-E2E-1\nHall printer,Printer,SN-E2E-2\n";
    browser.fill("#csv", csv).await?;
    browser.click_button("Preview").await?;
    browser.wait_for_text("main", "Reception laptop").await?;
    browser.assert_accessible().await?;
    browser.click_button("Import 2 assets").await?;
    browser.wait_for_text("[role=status]", "Assets imported: 2 added").await?;
    browser.wait_for_text("table", "Hall printer").await?;

    browser.open(&format!("/tickets/{number}")).await?;
    browser.wait_for_text("#assets-title", "Assets").await?;
    browser.fill("#asset-search", "sn-e2e-1").await?;
    browser.click_button("Find").await?;
    browser.wait_for_text("table", "Reception laptop").await?;
    browser.assert_accessible().await?;
    browser.click_button("Link Reception laptop").await?;
    browser.wait_for_path(&format!("/tickets/{number}")).await?;
    browser.wait_for_text("[role=status]", "Reception laptop is linked to this ticket.").await?;
    browser.assert_accessible().await?;
    browser.click_link("Reception laptop").await?;
    browser.wait_for_text("#tickets-title + ul", "Laptop fan is loud").await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test]
async fn write_an_article_then_find_it_from_a_ticket_and_insert_its_link() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    let number = crate::desk::ticket(&mut e2e.conn(), &f.t2, &f.admin, "VPN keeps asking for a token", None).1;
    let browser = e2e.browser().await;
    browser.sign_in("owner@tiertwo.test", PASSWORD).await?;
    browser.click_link("Knowledge base").await?;
    browser.wait_for_path("/kb").await?;
    browser.open("/kb/new").await?;
    browser.fill("#title", "Reset a VPN token").await?;
    browser.fill("#body", "Open the VPN client and choose **Reset token**, then sign in again.").await?;
    browser.click_button("Save draft").await?;
    browser.click_button("Publish").await?;
    browser.wait_for_text("main", "Reset token").await?;
    browser.assert_accessible().await?;

    browser.open(&format!("/tickets/{number}")).await?;
    browser.fill("#kb-q", "token reset").await?;
    browser.click_button("Search").await?;
    browser.wait_for_text(".kb-hits", "Reset a VPN token").await?;
    browser.assert_accessible().await?;
    browser.click("a[href*='?article=']").await?;
    browser.wait_for_text("#body", "[Reset a VPN token](").await?;
    let reply = browser.find("#body").await?.prop("value").await?.unwrap_or_default();
    assert!(reply.starts_with("[Reset a VPN token]("), "the reply starts with the article's link: {reply}");
    assert!(reply.contains("/kb/"), "{reply}");
    browser.assert_accessible().await?;
    browser.close().await?;
    Ok(())
}
