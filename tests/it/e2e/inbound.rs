//! Email to ticket and back, in the browser: a contact emails in through the SMTP receiver, a technician finds
//! the ticket with its SLA times and replies, the requester's reply (built from the headers of the email the
//! outbox sent) lands on the same ticket, and the technician resolves it.

use super::{E2e, TestResult};
use crate::desk::{contact, policy};
use crate::inbound::{MSP_ADDRESS, message, send};
use crate::mail::read_message;
use crate::support::{PASSWORD, fixture};

const ANN: &str = "ann@legal.test";
/// Every day, all day: due instants an hour away whatever the time the test runs.
const ALWAYS: &[(&str, &str)] = &[
    ("hours_mon", "00:00-24:00"),
    ("hours_tue", "00:00-24:00"),
    ("hours_wed", "00:00-24:00"),
    ("hours_thu", "00:00-24:00"),
    ("hours_fri", "00:00-24:00"),
    ("hours_sat", "00:00-24:00"),
    ("hours_sun", "00:00-24:00"),
    ("medium_first_response", "1h"),
    ("medium_resolution", "8h"),
    ("is_default", "1"),
    ("enabled", "1"),
];

#[tokio::test]
async fn a_contact_emails_in_a_technician_replies_and_the_requesters_answer_lands_on_the_same_ticket() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let f = fixture::msp(&mut e2e.conn());
    contact(&mut e2e.conn(), &f.t2, "Ann Lee", ANN);
    policy(&mut e2e.conn(), &f.msp, "UTC", ALWAYS);
    let first = message("Ann Lee <ann@legal.test>", MSP_ADDRESS, "Printer on fire", &[], "It smokes since 9.");
    send(e2e.app.smtp, Some(ANN), MSP_ADDRESS, &first).await?;

    // Tom, who works Tier Two Legal, finds it in the MSP's queue, with its SLA clock running.
    let tom = e2e.browser().await;
    tom.sign_in("tech@northwind.test", PASSWORD).await?;
    tom.open("/msp/tickets").await?;
    tom.click_link("Printer on fire").await?;
    tom.wait_for_text("h1", "Printer on fire").await?;
    tom.wait_for_text(".conversation", "It smokes since 9.").await?;
    let sla = tom.wait_for_text("[aria-labelledby=sla-title]", "left").await?;
    assert!(sla.contains("First response"), "{sla}");
    tom.assert_accessible().await?;
    tom.fill("#body", "Unplug it, we are on our way.").await?;
    tom.click_button("Send").await?;
    tom.wait_for_text("[role=status]", "Reply sent.").await?;
    tom.wait_for_text("[aria-labelledby=sla-title]", "met").await?;

    // Ann answers the reply she got, from her mail client: its headers thread it.
    let outbox: Vec<_> = e2e.outbox().await.iter().map(|raw| read_message(raw)).collect();
    let reply = outbox.iter().find(|m| m.to == ANN && m.text.contains("Unplug it")).expect("Ann got the reply");
    assert_eq!(reply.reply_to, "tier-two-legal@help.test");
    let answer = message(
        "Ann Lee <ann@legal.test>",
        &reply.reply_to,
        &format!("Re: {}", reply.subject),
        &[("In-Reply-To", &reply.message_id), ("References", &reply.references.join(" "))],
        "Unplugged, thanks!\n\nOn Monday Tier Two Legal wrote:\n> Unplug it, we are on our way.",
    );
    send(e2e.app.smtp, Some(ANN), &reply.reply_to, &answer).await?;
    tom.open(&tom.path().await?).await?;
    let conversation = tom.wait_for_text(".conversation", "Unplugged, thanks!").await?;
    assert_eq!(conversation.matches("Unplug it, we are on our way.").count(), 1, "the quote was trimmed");

    // Resolved: the requester is told.
    tom.select("#status", "Resolved").await?;
    tom.fill("#resolution_note", "Replaced the fuser.").await?;
    tom.click_button("Update").await?;
    tom.wait_for_text("[data-testid=ticket-status]", "Resolved").await?;
    let outbox: Vec<_> = e2e.outbox().await.iter().map(|raw| read_message(raw)).collect();
    assert!(outbox.iter().any(|m| m.to == ANN && m.subject.starts_with("Resolved: [#1]")));

    // The MSP admin sees both messages and where they landed.
    let morgan = e2e.browser().await;
    morgan.sign_in("admin@northwind.test", PASSWORD).await?;
    morgan.click_link("Inbound email").await?;
    morgan.wait_for_path("/msp/inbound").await?;
    let list = morgan.wait_for_text("main", "Added to ticket").await?;
    assert!(list.contains("Ticket opened") && list.contains("Tier Two Legal"), "{list}");
    morgan.assert_accessible().await?;
    Ok(())
}
