//! Live chat in two browsers (issue 13): Tier Two Legal's portal is served on its own verified domain
//! (support.tiertwo.test, which the end user's Chromium resolves to loopback); Erin signs in there through an
//! emailed one-time link, opens a ticket and starts a chat; Tom, a technician in the staff app on the
//! application's host, sees it waiting in his console, accepts it, they write to each other (each sees the other
//! typing), and Tom ends it onto Erin's ticket. The transcript is then on the ticket, for Tom and on Erin's
//! portal. axe checks the portal's pages and the console's.

use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::{Browser, E2e, TestResult};
use crate::desk::contact;
use crate::support::PASSWORD;
use crate::support::fixture::{self, count};

const HOST: &str = "support.tiertwo.test";

/// Olive, Tier Two's admin, sets the portal's domain in Settings -> Portal and verifies it by its TXT record.
async fn verify_domain(e2e: &E2e, olive: &Browser) -> TestResult {
    olive.sign_in("owner@tiertwo.test", PASSWORD).await?;
    olive.open("/settings/portal").await?;
    olive.fill("#domain", HOST).await?;
    olive.click_button("Set the domain").await?;
    olive.wait_for_text("main", &format!("_palisade-verify.{HOST}")).await?;
    let token: String = {
        use palisade::schema::portal_settings as ps;
        ps::table.select(ps::domain_token).first::<Option<String>>(&mut e2e.conn())?.expect("a domain token")
    };
    e2e.app.dns.set(&format!("_palisade-verify.{HOST}"), &[&token]);
    olive.click_button("Check now").await?;
    olive.wait_for_text("main", "The domain is verified").await?;
    Ok(())
}

/// Erin asks her portal's sign-in page for a link, reads the email (its link is under the portal's own domain)
/// and opens it.
async fn sign_in_by_emailed_link(e2e: &E2e, erin: &Browser) -> TestResult {
    erin.open("/").await?;
    erin.wait_for_path("/sign-in?next=%2F").await?;
    erin.fill("#link-email", "erin@tiertwo.test").await?;
    erin.click_button("Email me a sign-in link").await?;
    erin.wait_for_text("[role=status]", "a sign-in link is on its way").await?;
    erin.assert_accessible().await?;
    let mail: Vec<_> = e2e.outbox().await.iter().map(|raw| crate::mail::read_message(raw)).collect();
    let to_erin: Vec<_> = mail.iter().filter(|m| m.to == "erin@tiertwo.test").collect();
    assert_eq!(to_erin.len(), 1, "one sign-in email to Erin");
    let own_domain = format!("https://{HOST}");
    let link = to_erin[0]
        .text
        .split_whitespace()
        .find(|word| word.starts_with(&format!("{own_domain}/link/")))
        .unwrap_or_else(|| panic!("a sign-in link on {own_domain} in {}", to_erin[0].text));
    // The browser reaches the domain over plain HTTP on the test's port.
    erin.open(&link[own_domain.len()..]).await?;
    erin.wait_for_text("h1", "Sign in to Tier Two Legal").await?;
    erin.assert_accessible().await?;
    erin.click_button("Sign in").await?;
    erin.wait_for_text("h1", "Hello, Erin").await?;
    Ok(())
}

/// Waits until the database says `sql` counts at least one row (what a browser's socket did on the server).
async fn wait_for_row(e2e: &E2e, sql: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while count(&mut e2e.conn(), sql) == 0 {
        assert!(Instant::now() < deadline, "expected a row for {sql}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_end_user_on_the_clients_domain_chats_with_a_technician_and_the_transcript_lands_on_their_ticket()
-> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    {
        let mut conn = e2e.conn();
        let f = fixture::msp(&mut conn);
        let erin = contact(&mut conn, &f.t2, "Erin Enduser", "erin@tiertwo.test");
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", Some(&erin), false);
    }
    let olive = e2e.browser().await;
    verify_domain(&e2e, &olive).await?;
    olive.close().await?;

    // Tom opens the chat console: from now on he is available to Tier Two's end users.
    let tom = e2e.browser().await;
    tom.sign_in("tech@northwind.test", PASSWORD).await?;
    tom.open("/chat").await?;
    tom.wait_for_text("h1", "Live chat").await?;
    tom.wait_for_text("[data-chat-empty]", "Nobody is waiting").await?;
    tom.assert_accessible().await?;
    wait_for_row(&e2e, "SELECT COUNT(*) AS n FROM chat_presence").await;

    // Erin, on her company's portal domain: sign in by an emailed link, open a ticket, start a chat from the
    // portal's button.
    let erin = e2e.browser_on_host(HOST).await;
    sign_in_by_emailed_link(&e2e, &erin).await?;
    assert_eq!(erin.path().await?, "/", "the portal is at the root of its own domain");
    erin.assert_accessible().await?;
    erin.open("/tickets/new").await?;
    erin.fill("#subject", "VPN drops every hour").await?;
    erin.fill("#description", "Since the update on Monday.").await?;
    erin.click_button("Open the ticket").await?;
    erin.wait_for_text("h1", "#1 VPN drops every hour").await?;
    erin.click_link("Chat with us").await?;
    erin.wait_for_path("/chat").await?;
    erin.click_button("Start a chat").await?;
    erin.wait_for_text("[data-chat-status]", "Waiting for someone from the team to join").await?;
    erin.find("[data-chat-compose]:not([hidden]) #chat-text").await?;
    erin.assert_accessible().await?;
    erin.fill("#chat-text", "Hello, my VPN keeps dropping.").await?;
    erin.click_button("Send").await?;
    erin.wait_for_text("[data-chat-log]", "Hello, my VPN keeps dropping.").await?;

    // Tom's console shows the waiting chat live, with a count in the tab's title; he accepts it.
    tom.wait_for_text("[data-chat-rows]", "Erin Enduser").await?;
    tom.wait_for_text("[data-chat-rows]", "Tier Two Legal").await?;
    assert!(tom.driver.title().await?.starts_with("(1) "), "the waiting count is in the title");
    tom.assert_accessible().await?;
    tom.click("[data-chat-rows] tr[data-chat-id] button").await?;
    tom.wait_for_text("h1", "Chat with Erin Enduser").await?;
    tom.wait_for_text("[data-chat-log]", "Hello, my VPN keeps dropping.").await?;
    tom.find("[data-chat-compose]:not([hidden]) #chat-text").await?;
    tom.assert_accessible().await?;
    erin.wait_for_text("[data-chat-log]", "Tom Tech joined the chat.").await?;

    // Each sees the other typing, then reads what they wrote.
    erin.find("#chat-text").await?.send_keys("It drops at").await?;
    tom.wait_for_text("[data-chat-typing]", "Erin Enduser is typing").await?;
    erin.fill("#chat-text", "It drops at ten past every hour.").await?;
    erin.click_button("Send").await?;
    tom.wait_for_text("[data-chat-log]", "It drops at ten past every hour.").await?;
    tom.find("#chat-text").await?.send_keys("Let me").await?;
    erin.wait_for_text("[data-chat-typing]", "Support is typing").await?;
    tom.fill("#chat-text", "Let me push a new VPN profile to your laptop.").await?;
    tom.click_button("Send").await?;
    erin.wait_for_text("[data-chat-log]", "Let me push a new VPN profile to your laptop.").await?;
    erin.assert_accessible().await?;

    // Tom ends the chat onto Erin's ticket #1.
    tom.click("input[name=save_to][value=existing]").await?;
    tom.fill("#ticket", "1").await?;
    tom.click_button("End chat").await?;
    tom.wait_for_text("main", "The transcript is on ticket #1").await?;
    erin.wait_for_text("[data-chat-status]", "Ended").await?;
    assert_eq!(count(&mut e2e.conn(), "SELECT COUNT(*) AS n FROM chat_sessions WHERE status = 'ended'"), 1);

    // The transcript is on the ticket: on Tom's ticket page and on Erin's portal.
    tom.click_link("ticket #1").await?;
    tom.wait_for_text("h1", "VPN drops every hour").await?;
    for said in ["Hello, my VPN keeps dropping.", "It drops at ten past every hour.", "Let me push a new VPN profile"] {
        tom.wait_for_text("main", said).await?;
    }
    erin.open("/tickets/1").await?;
    erin.wait_for_text("h1", "VPN drops every hour").await?;
    for said in ["Chat transcript", "It drops at ten past every hour.", "Let me push a new VPN profile"] {
        erin.wait_for_text("main", said).await?;
    }
    erin.assert_accessible().await?;
    erin.close().await?;
    tom.close().await?;
    Ok(())
}
