//! MSP -> Inbound email: the list with outcomes, a message, the raw original, processing again, triage moves;
//! roles, reach and other tenants.

use super::{MSP_ADDRESS, bodies, mail_from, message, outcomes, receiving, tickets_of};
use crate::desk::{contact, delivered};
use crate::support::fixture::count;
use crate::support::page;

#[actix_web::test]
async fn staff_see_messages_and_outcomes_and_move_a_triaged_request_to_a_client() {
    let (app, f, addr) = receiving(&[]).await;
    mail_from(
        addr,
        "zed@elsewhere.test",
        MSP_ADDRESS,
        &message("Zed Quinn <zed@elsewhere.test>", MSP_ADDRESS, "Need a quote", &[], "For 5 laptops."),
    )
    .await;
    let auto = message("ann@legal.test", MSP_ADDRESS, "Out of office", &[("Auto-Submitted", "auto-replied")], "Away.");
    mail_from(addr, "ann@legal.test", MSP_ADDRESS, &auto).await;

    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let list = priya.get("/msp/inbound").await;
    list.assert_status(200).assert_contains("Need a quote").assert_contains("Sent to triage");
    list.assert_contains("Ignored: automatic reply").assert_contains("zed@elsewhere.test");
    assert!(page::row(&list.body, "Sent to triage").contains(crate::support::fixture::MSP_NAME));

    // One message: what happened and the text.
    let id: String = {
        use diesel::prelude::*;
        use palisade::schema::inbound_messages as im;
        im::table.filter(im::subject.eq("Out of office")).select(im::id).first(&mut app.conn()).unwrap()
    };
    let shown = priya.get(&format!("/msp/inbound/{id}")).await;
    shown.assert_status(200).assert_contains("Auto-Submitted: auto-replied").assert_contains("Away.");
    let raw = priya.get(&format!("/msp/inbound/{id}/raw")).await;
    raw.assert_status(200).assert_contains("Auto-Submitted: auto-replied");
    assert!(raw.headers.get("content-disposition").unwrap().to_str().unwrap().contains("attachment"));

    // Move the triaged request to Tier Two Legal: the sender becomes its contact and is told.
    let triage_ticket: String = {
        use diesel::prelude::*;
        use palisade::schema::inbound_triage as t;
        t::table.select(t::ticket_id).first(&mut app.conn()).unwrap()
    };
    let bad = priya.post(&format!("/msp/inbound/triage/{triage_ticket}/move"), &[("client", "")]).await;
    bad.assert_redirect("/msp/inbound");
    priya.follow(&bad).await.assert_contains("Choose the client");
    let moved = priya.post(&format!("/msp/inbound/triage/{triage_ticket}/move"), &[("client", f.t2.as_str())]).await;
    moved.assert_redirect("/msp/inbound");
    priya
        .follow(&moved)
        .await
        .assert_contains("Moved to Tier Two Legal as ticket #1")
        .assert_contains("Nothing to triage");
    let t2 = tickets_of(&mut app.conn(), &f.t2);
    assert_eq!(t2, vec![(1, "Need a quote".to_string(), Some("zed@elsewhere.test".to_string()), "email".to_string())]);
    assert!(bodies(&mut app.conn(), &f.t2, 1)[0].contains("For 5 laptops"));
    let sql = format!("SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND status = 'closed'", f.msp);
    assert_eq!(count(&mut app.conn(), &sql), 1, "the triage ticket is closed");
    let sql =
        format!("SELECT COUNT(*) AS n FROM activity_log WHERE org_id = '{}' AND action = 'inbound.triage_move'", f.msp);
    assert_eq!(count(&mut app.conn(), &sql), 1);
    let told = delivered(&app).await.into_iter().find(|m| m.to == "zed@elsewhere.test").expect("the sender is told");
    assert_eq!(told.reply_to, "tier-two-legal@help.test");
    // Moving twice is refused.
    let again = priya.post(&format!("/msp/inbound/triage/{triage_ticket}/move"), &[("client", f.t2.as_str())]).await;
    priya.follow(&again).await.assert_contains("already moved");

    // Zed answers the client's email: it lands on the client's ticket.
    let reply =
        message("zed@elsewhere.test", &told.reply_to, "Re: quote", &[("In-Reply-To", &told.message_id)], "Thanks!");
    mail_from(addr, "zed@elsewhere.test", &told.reply_to, &reply).await;
    assert_eq!(bodies(&mut app.conn(), &f.t2, 1).len(), 2);
}

#[actix_web::test]
async fn technicians_see_only_what_landed_in_their_clients_and_other_tenants_see_nothing() {
    let (app, f, addr) = receiving(&[]).await;
    contact(&mut app.conn(), &f.t1, "Dan Dent", "dan@dental.test");
    contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    mail_from(addr, "dan@dental.test", MSP_ADDRESS, &message("dan@dental.test", MSP_ADDRESS, "Dental drill", &[], "x"))
        .await;
    mail_from(addr, "ann@legal.test", MSP_ADDRESS, &message("ann@legal.test", MSP_ADDRESS, "Legal laptop", &[], "x"))
        .await;
    let dental: String = {
        use diesel::prelude::*;
        use palisade::schema::inbound_messages as im;
        im::table.filter(im::subject.eq("Dental drill")).select(im::id).first(&mut app.conn()).unwrap()
    };
    // Tom works Tier Two Legal only.
    let mut tom = app.signed_in("tech@northwind.test").await;
    let list = tom.get("/msp/inbound").await;
    list.assert_status(200).assert_contains("Legal laptop").assert_not_contains("Dental drill");
    tom.get(&format!("/msp/inbound/{dental}")).await.assert_status(404);
    tom.get(&format!("/msp/inbound/{dental}/raw")).await.assert_status(404);
    // A client's admin has no MSP pages.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/msp/inbound").await.assert_status(403);
    // Another MSP sees none of it.
    let other = crate::support::fixture::other(&mut app.conn());
    let _ = other;
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/msp/inbound")
        .await
        .assert_status(200)
        .assert_not_contains("Legal laptop")
        .assert_contains("No email received yet");
    rita.get(&format!("/msp/inbound/{dental}")).await.assert_status(404);
    // The list costs the same whatever the number of messages.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/msp/inbound").await;
    let before = app.queries();
    priya.get("/msp/inbound").await;
    let few = app.queries() - before;
    for n in 0..12 {
        let from = format!("p{n}@legal.test");
        mail_from(addr, &from, MSP_ADDRESS, &message(&from, MSP_ADDRESS, &format!("Issue {n}"), &[], "x")).await;
    }
    let before = app.queries();
    priya.get("/msp/inbound").await.assert_contains("Issue 11");
    assert_eq!(app.queries() - before, few, "statements per page do not grow with messages");
}

#[actix_web::test]
async fn a_held_message_is_processed_again_once_its_sender_is_a_contact_limit_aside() {
    let (app, f, addr) = receiving(&[("PALISADE_INBOUND_RATE_PER_HOUR", "1")]).await;
    contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    mail_from(addr, "ann@legal.test", MSP_ADDRESS, &message("ann@legal.test", MSP_ADDRESS, "First", &[], "x")).await;
    mail_from(addr, "ann@legal.test", MSP_ADDRESS, &message("ann@legal.test", MSP_ADDRESS, "Second", &[], "y")).await;
    let held: String = {
        use diesel::prelude::*;
        use palisade::schema::inbound_messages as im;
        im::table.filter(im::subject.eq("Second")).select(im::id).first(&mut app.conn()).unwrap()
    };
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya
        .get(&format!("/msp/inbound/{held}"))
        .await
        .assert_contains("Held: too many from this sender")
        .assert_contains("Process again");
    // A technician who only reads cannot; Priya can.
    let resp = priya.post(&format!("/msp/inbound/{held}/reprocess"), &[]).await;
    assert_eq!(resp.status.as_u16(), 303);
    priya.follow(&resp).await.assert_contains("Processed again: Ticket opened");
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 2);
    let results: Vec<String> = outcomes(&mut app.conn()).into_iter().map(|o| o.0).collect();
    assert_eq!(results, ["ticket_opened", "rate_limited", "ticket_opened"]);
    let sql =
        format!("SELECT COUNT(*) AS n FROM activity_log WHERE org_id = '{}' AND action = 'inbound.reprocess'", f.msp);
    assert_eq!(count(&mut app.conn(), &sql), 1);
    // A message that landed is not processed again.
    let landed: String = {
        use diesel::prelude::*;
        use palisade::schema::inbound_messages as im;
        im::table.filter(im::subject.eq("First")).select(im::id).first(&mut app.conn()).unwrap()
    };
    let refused = priya.post(&format!("/msp/inbound/{landed}/reprocess"), &[]).await;
    priya.follow(&refused).await.assert_contains("is not processed again");
    assert_eq!(tickets_of(&mut app.conn(), &f.t2).len(), 2);
}
