//! Messages through the SMTP receiver: where each lands, and what never lands.

use std::io::{Read, Write};

use super::{MSP_ADDRESS, bodies, mail_from, message, outcomes, receiving, send, tickets_of};
use crate::desk::{contact, delivered};
use crate::support::fixture::count;

const ANN: &str = "ann@legal.test";

#[actix_web::test]
async fn a_known_contact_opens_a_ticket_and_replies_thread_by_header_and_by_subject() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let first = message(
        "Ann Lee <Ann@Legal.test>",
        MSP_ADDRESS,
        "Printer on fire",
        &[],
        "The printer smokes.\n\n-- \nAnn Lee\nLegal",
    );
    mail_from(addr, ANN, MSP_ADDRESS, &first).await;
    let opened = tickets_of(&mut app.conn(), &f.t2);
    assert_eq!(opened, vec![(1, "Printer on fire".to_string(), Some(ANN.to_string()), "email".to_string())]);
    let description = &bodies(&mut app.conn(), &f.t2, 1)[0];
    assert!(description.contains("The printer smokes") && !description.contains("Legal"), "{description}");
    assert_eq!(outcomes(&mut app.conn())[0].0, "ticket_opened");

    // The "we have your request" email names the client's reply address and carries the thread.
    let sent = delivered(&app).await;
    let told = sent.iter().find(|m| m.to == ANN).expect("the requester is told");
    assert_eq!(told.reply_to, "tier-two-legal@help.test");
    assert_eq!(told.subject, "[#1] Printer on fire");

    // A reply built from that email's headers, without the ticket number in the subject.
    let reply = message(
        ANN,
        &told.reply_to,
        "Re: your request",
        &[("In-Reply-To", &told.message_id), ("References", &told.references.join(" "))],
        "It stopped smoking.\n\nOn Mon, Northwind wrote:\n> We have your request",
    );
    mail_from(addr, ANN, &told.reply_to, &reply).await;
    // A reply that only names the ticket in its subject (a mail client that drops headers).
    let by_subject = message(ANN, MSP_ADDRESS, "RE: [#1] Printer on fire", &[], "Now it beeps.");
    mail_from(addr, ANN, MSP_ADDRESS, &by_subject).await;

    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 1, "both replies landed on #1");
    let conversation = bodies(&mut app.conn(), &f.t2, 1);
    assert_eq!(conversation.len(), 3, "{conversation:?}");
    assert!(conversation[1].contains("It stopped smoking") && !conversation[1].contains("We have your request"));
    assert!(conversation[2].contains("Now it beeps"));
    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.1).collect();
    assert!(results[1].contains("In-Reply-To"), "{results:?}");
    assert!(results[2].contains("[#1]"), "{results:?}");
    let sql = format!("SELECT COUNT(*) AS n FROM activity_log WHERE org_id = '{}' AND action = 'ticket.reply'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 2);
}

#[actix_web::test]
async fn a_sender_whose_domain_is_a_clients_becomes_its_contact_and_strangers_go_to_triage() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let bob = message("Bob Stone <bob@legal.test>", MSP_ADDRESS, "VPN down", &[], "Cannot connect.");
    mail_from(addr, "bob@legal.test", MSP_ADDRESS, &bob).await;
    assert_eq!(tickets_of(&mut app.conn(), &f.t2)[0].2.as_deref(), Some("bob@legal.test"));
    let sql = format!("SELECT COUNT(*) AS n FROM contacts WHERE org_id = '{}' AND name = 'Bob Stone'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 1);

    // Nobody's domain, and a free-mail address: the MSP's triage queue, nobody emailed back.
    let before = delivered(&app).await.len();
    for (from, subject) in [("zed@elsewhere.test", "Quote please"), ("someone@gmail.com", "Hello")] {
        mail_from(addr, from, MSP_ADDRESS, &message(from, MSP_ADDRESS, subject, &[], "Hi.")).await;
    }
    let triage = tickets_of(&mut app.conn(), &f.msp);
    assert_eq!(triage.len(), 2, "{triage:?}");
    assert!(triage.iter().all(|t| t.2.is_none() && t.3 == "email"));
    let sql = format!("SELECT COUNT(*) AS n FROM inbound_triage WHERE org_id = '{}' AND moved_at IS NULL", f.msp);
    assert_eq!(count(&mut app.conn(), &sql), 2);
    assert_eq!(delivered(&app).await.len(), before, "no email goes back to a stranger");
    assert_eq!(outcomes(&mut app.conn())[1].0, "triaged");
}

#[actix_web::test]
async fn automatic_replies_bounces_and_our_own_mail_never_open_tickets_or_answer() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let out_of_office =
        message(ANN, MSP_ADDRESS, "Automatic reply: away", &[("Auto-Submitted", "auto-replied")], "I am away.");
    mail_from(addr, ANN, MSP_ADDRESS, &out_of_office).await;
    let vacation = message(ANN, MSP_ADDRESS, "Away", &[("X-Autoreply", "yes")], "Away.");
    mail_from(addr, ANN, MSP_ADDRESS, &vacation).await;
    let bulk = message(ANN, MSP_ADDRESS, "News", &[("Precedence", "bulk")], "Our newsletter.");
    mail_from(addr, ANN, MSP_ADDRESS, &bulk).await;
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.legal.test>\r\nTo: {MSP_ADDRESS}\r\nSubject: Undelivered Mail\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nCould not deliver to ann@legal.test.\r\n--b\r\n\
         Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.legal.test\r\n\r\n\
         Final-Recipient: rfc822; ann@legal.test\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
    );
    send(addr, None, MSP_ADDRESS, &bounce).await.expect("a bounce is accepted (and dropped)");
    let null_sender = message(ANN, MSP_ADDRESS, "Read: Printer", &[], "Your message was read.");
    send(addr, None, MSP_ADDRESS, &null_sender).await.unwrap();
    let ours = message("Palisade <no-reply@palisade.local>", MSP_ADDRESS, "[#1] Loop", &[], "Echo.");
    mail_from(addr, "no-reply@palisade.local", MSP_ADDRESS, &ours).await;

    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.0).collect();
    assert_eq!(results, ["auto_reply", "auto_reply", "auto_reply", "bounce", "auto_reply", "loop"]);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM tickets"), 0);
    assert!(delivered(&app).await.is_empty(), "nothing is answered");
}

#[actix_web::test]
async fn malformed_oversized_and_misaddressed_mail_is_refused_without_a_ticket() {
    let (app, f, addr) = receiving(&[("PALISADE_INBOUND_LIMIT_MB", "1")]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let garbage = "this is not an email at all\r\n\x01\x02 just noise\r\n";
    let refused = send(addr, Some(ANN), MSP_ADDRESS, garbage).await.expect_err("refused");
    assert!(refused.contains("554") || refused.to_lowercase().contains("rejected"), "{refused}");
    let senderless = "Subject: who am I\r\nTo: x@help.test\r\n\r\nbody\r\n";
    assert!(send(addr, Some(ANN), MSP_ADDRESS, senderless).await.is_err());
    let huge = message(ANN, MSP_ADDRESS, "Big", &[], &format!("{}\n", "x".repeat(76)).repeat(20_000));
    let too_big = send(addr, Some(ANN), MSP_ADDRESS, &huge).await.expect_err("over the limit");
    assert!(too_big.contains("552") || too_big.to_lowercase().contains("storage"), "{too_big}");
    for to in ["nobody-here@help.test", "northwind-managed-it@elsewhere.test"] {
        let err = send(addr, Some(ANN), to, &message(ANN, to, "Hi", &[], "Hi")).await.expect_err("unknown mailbox");
        assert!(err.contains("550") || err.to_lowercase().contains("mailbox"), "{err}");
    }
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM tickets"), 0);
    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.0).collect();
    assert_eq!(results, ["rejected", "rejected"], "malformed messages are kept for audit, refused ones are not");
}

#[actix_web::test]
async fn a_message_from_client_a_never_lands_in_client_b_whatever_its_subject_or_headers() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    contact(&mut app.conn(), &f.t1, "Dan Dent", "dan@dental.test");
    mail_from(addr, ANN, MSP_ADDRESS, &message(ANN, MSP_ADDRESS, "Legal secret", &[], "Privileged.")).await;
    let told = delivered(&app).await.into_iter().find(|m| m.to == ANN).unwrap();

    // Dan (client T1) names T2's ticket #1 in the subject and its thread in the headers.
    let forged = message(
        "dan@dental.test",
        "tier-two-legal@help.test",
        "Re: [#1] Legal secret",
        &[("In-Reply-To", &told.message_id), ("References", &told.message_id)],
        "Let me in.",
    );
    mail_from(addr, "dan@dental.test", "tier-two-legal@help.test", &forged).await;
    let forged_msp = forged.replace("tier-two-legal@help.test", MSP_ADDRESS);
    mail_from(addr, "dan@dental.test", MSP_ADDRESS, &forged_msp.replace("Message-ID: <", "Message-ID: <x")).await;

    assert_eq!(bodies(&mut app.conn(), &f.t2, 1).len(), 1, "T2's ticket is untouched");
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 1);
    // To T2's own address, Dan is nobody T2 knows: triage. To the MSP's address, Dan opens a T1 ticket.
    let t1 = tickets_of(&mut app.conn(), &f.t1);
    assert_eq!(t1.len(), 1, "{t1:?}");
    assert_eq!(t1[0].2.as_deref(), Some("dan@dental.test"));
    assert_eq!(tickets_of(&mut app.conn(), &f.msp).len(), 1);
    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.0).collect();
    assert_eq!(results, ["ticket_opened", "triaged", "ticket_opened"]);
    // Dan's T1 ticket #1 is his own: a later "[#1]" from him lands there, never on T2's #1.
    mail_from(
        addr,
        "dan@dental.test",
        MSP_ADDRESS,
        &message("dan@dental.test", MSP_ADDRESS, "Re: [#1] x", &[], "More."),
    )
    .await;
    assert_eq!(bodies(&mut app.conn(), &f.t1, 1).len(), 2);
    assert_eq!(bodies(&mut app.conn(), &f.t2, 1).len(), 1);
}

#[actix_web::test]
async fn another_msps_client_contact_is_a_stranger_here() {
    let (app, f, addr) = receiving(&[]).await;
    let other = crate::support::fixture::other(&mut app.conn());
    contact(&mut app.conn(), &other.client, "Rita Baker", "rita@bakery.test");
    mail_from(addr, "rita@bakery.test", MSP_ADDRESS, &message("rita@bakery.test", MSP_ADDRESS, "Hi", &[], "Hello."))
        .await;
    assert_eq!(tickets_of(&mut app.conn(), &other.client).len(), 0);
    assert_eq!(tickets_of(&mut app.conn(), &f.msp).len(), 1, "triage at the MSP that received it");
}

#[actix_web::test]
async fn a_sender_past_the_hourly_limit_is_held_and_duplicates_are_dropped() {
    let (app, f, addr) = receiving(&[("PALISADE_INBOUND_RATE_PER_HOUR", "3")]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let once = message(ANN, MSP_ADDRESS, "Same message", &[], "Once.");
    mail_from(addr, ANN, MSP_ADDRESS, &once).await;
    mail_from(addr, ANN, MSP_ADDRESS, &once).await;
    for n in 0..3 {
        mail_from(addr, ANN, MSP_ADDRESS, &message(ANN, MSP_ADDRESS, &format!("Loop {n}"), &[], "Again.")).await;
    }
    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.0).collect();
    assert_eq!(results, ["ticket_opened", "duplicate", "ticket_opened", "rate_limited", "rate_limited"]);
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 2);
    // An hour later the sender is heard again.
    app.clock().advance(chrono::Duration::minutes(61));
    mail_from(addr, ANN, MSP_ADDRESS, &message(ANN, MSP_ADDRESS, "Later", &[], "Fine now.")).await;
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 3);
}

#[actix_web::test]
async fn hostile_smtp_clients_are_cut_off_and_the_receiver_keeps_serving() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", ANN);
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut greeting = [0u8; 256];
        let _ = stream.read(&mut greeting).unwrap();
        // A line longer than any SMTP line may be, and no end to it.
        stream.write_all(&vec![b'A'; palisade::psa::inbound::smtp::MAX_LINE + 100]).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        String::from_utf8_lossy(&reply).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("500"), "{answer}");
    mail_from(addr, ANN, MSP_ADDRESS, &message(ANN, MSP_ADDRESS, "Still here?", &[], "Yes.")).await;
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 1);
}
