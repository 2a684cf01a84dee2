//! Tickets: opening, the conversation (public replies emailed with threading headers, internal notes never
//! leaving the staff app), status, assignment, watchers, related tickets, merging, attachments; forbidden roles,
//! another tenant's ids and bad input.

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};

const MARKER: &str = "INTERNAL-MARKER-7f3a";

#[actix_web::test]
async fn staff_open_a_ticket_for_a_new_contact_and_the_requester_is_told() {
    let (app, f) = TestApp::with_msp().await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/new").await.assert_status(200);
    let resp = tom
        .post(
            "/tickets",
            &[
                ("subject", "Printer jams on tray 2"),
                ("description", "It **jams** every morning."),
                ("requester_email", "Ann@Legal.test"),
                ("requester_name", "Ann Lee"),
                ("priority", "high"),
                ("ticket_type", "incident"),
                ("status", "new"),
                ("assignee", f.tech.as_str()),
            ],
        )
        .await;
    resp.assert_redirect("/tickets/1");
    let ticket = tom.follow(&resp).await;
    ticket
        .assert_contains("Printer jams on tray 2")
        .assert_contains("<strong>jams</strong>")
        .assert_contains("Ann Lee");
    assert_eq!(page::testid(&ticket.body, "ticket-status"), "New");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND number = 1 AND priority = 'high' AND assignee_user_id = '{}' AND msp_org_id = '{}'",
        f.t2, f.tech, f.msp
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "ticket.create").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "contact.create").len(), 1);
    let mail = super::delivered(&app).await;
    let to_ann: Vec<_> = mail.iter().filter(|m| m.to == "ann@legal.test").collect();
    assert_eq!(to_ann.len(), 1, "the requester is told, the technician who assigned himself is not");
    assert_eq!(to_ann[0].subject, "[#1] Printer jams on tray 2");
    assert_eq!(to_ann[0].from_name, "Tier Two Legal");
    assert!(to_ann[0].text.contains("opened ticket #1"), "{}", to_ann[0].text);
    // The queue lists it.
    let queue = tom.get("/tickets").await;
    assert!(page::row(&queue.body, "Printer jams on tray 2").contains("Ann Lee"));
}

#[actix_web::test]
async fn bad_ticket_input_is_shown_next_to_the_fields_and_nothing_is_written() {
    let (app, _f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/tickets/new").await;
    let resp = olive
        .post(
            "/tickets",
            &[
                ("subject", ""),
                ("description", "Kept text"),
                ("requester_email", "new@legal.test"),
                ("priority", "urgent"),
                ("ticket_type", "incident"),
            ],
        )
        .await;
    resp.assert_status(422).assert_contains("Subject is required.").assert_contains("Choose a priority from the list.");
    resp.assert_contains("Kept text").assert_contains("give their name to add them");
    let resp = olive
        .post(
            "/tickets",
            &[
                ("subject", "Fine"),
                ("requester_email", "new@legal.test"),
                ("requester_name", "New Person"),
                ("priority", "low"),
                ("ticket_type", "incident"),
                ("assignee", "someone-else"),
            ],
        )
        .await;
    resp.assert_status(422).assert_contains("Choose someone who works this organization");
    for table in ["tickets", "contacts", "ticket_counters"] {
        assert_eq!(count(&mut app.conn(), &format!("SELECT COUNT(*) AS n FROM {table}")), 0, "{table}");
    }
}

#[actix_web::test]
async fn replies_are_emailed_threaded_and_internal_notes_never_leave_the_staff_app() {
    let (app, f) = TestApp::with_msp().await;
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let bo = super::contact(&mut app.conn(), &f.t2, "Bo Watcher", "bo@legal.test");
    let (id, number) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "VPN drops", Some(&ann));
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    let path = format!("/tickets/{number}");
    tom.get(&path).await;
    tom.post(&format!("{path}/watchers"), &[("watcher", "bo@legal.test")]).await.assert_status(303);
    tom.get(&path).await;
    let note = super::post_multipart(
        &mut tom,
        &format!("{path}/reply"),
        &[("visibility", "internal"), ("body", &format!("Router firmware is old {MARKER}"))],
        &[("files", "internal.txt", format!("{MARKER} log").as_bytes())],
    )
    .await;
    note.assert_status(303);
    tom.get(&path).await;
    let reply = super::post_multipart(
        &mut tom,
        &format!("{path}/reply"),
        &[("visibility", "public"), ("body", "Please restart the router."), ("then_status", "pending_customer")],
        &[("files", "steps.txt", b"1. unplug")],
    )
    .await;
    reply.assert_status(303);
    let shown = tom.get(&path).await;
    shown
        .assert_contains(MARKER)
        .assert_contains("Internal note")
        .assert_contains("Please restart the router.")
        .assert_contains("steps.txt");
    assert_eq!(page::testid(&shown.body, "ticket-status"), "Pending customer");
    // The requester answers by the service (as inbound email will): the ticket is open again.
    super::customer_reply(&mut app.conn(), &f.t2, &id, &ann, "Restarted, still drops.", app.now());
    assert_eq!(page::testid(&tom.get(&path).await.body, "ticket-status"), "Open");

    let mail = super::delivered(&app).await;
    for m in &mail {
        assert!(!m.text.contains(MARKER) && !m.html.clone().unwrap_or_default().contains(MARKER), "{}", m.subject);
        assert!(
            m.attachments
                .iter()
                .all(|(name, bytes)| name != "internal.txt" && !String::from_utf8_lossy(bytes).contains(MARKER))
        );
    }
    let replies: Vec<_> = mail.iter().filter(|m| m.subject == "Re: [#1] VPN drops").collect();
    let mut to: Vec<&str> = replies.iter().map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        ["ann@legal.test", "bo@legal.test", "bo@legal.test"],
        "Tom's reply to both; Ann's to the watcher only"
    );
    assert!(replies.iter().any(|m| m.to == "bo@legal.test" && m.text.contains("Restarted, still drops.")));
    let created = mail.iter().find(|m| m.subject == "[#1] VPN drops").expect("the created email");
    for m in &replies {
        assert_eq!(m.in_reply_to, created.in_reply_to, "threaded on the ticket's first Message-ID");
        assert_eq!(
            m.references.first().map(|r| format!("<{r}>")),
            Some(m.in_reply_to.clone()).map(|r| if r.starts_with('<') { r } else { format!("<{r}>") })
        );
    }
    let tom_reply = replies.iter().find(|m| m.to == "ann@legal.test").unwrap();
    assert_eq!(tom_reply.attachments.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["steps.txt"]);
    // Every Message-ID sent is remembered for the ticket (replies come back to it).
    let known = format!("SELECT COUNT(*) AS n FROM ticket_message_ids WHERE ticket_id = '{id}'");
    assert_eq!(count(&mut app.conn(), &known), 1 + mail.len() as i64);
    let _ = bo;
}

#[actix_web::test]
async fn resolving_tells_the_requester_how_to_reopen_and_late_replies_open_a_linked_ticket() {
    let (app, f) = TestApp::with_msp().await;
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let (id, number) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Mailbox full", Some(&ann));
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let path = format!("/tickets/{number}");
    olive.get(&path).await;
    olive
        .post(
            &format!("{path}/properties"),
            &[
                ("status", "resolved"),
                ("priority", "medium"),
                ("assignee", ""),
                ("resolution_note", "Archived old mail."),
            ],
        )
        .await
        .assert_status(303);
    let resolved =
        super::delivered(&app).await.into_iter().find(|m| m.subject.starts_with("Resolved:")).expect("resolved email");
    assert!(
        resolved.text.contains("Archived old mail.") && resolved.text.contains("within 7 days"),
        "{}",
        resolved.text
    );
    // Within the window a reply reopens the ticket; past it, a new ticket links to the old one.
    app.clock().advance(chrono::Duration::days(2));
    let landed = super::customer_reply(&mut app.conn(), &f.t2, &id, &ann, "Full again", app.now());
    assert!(matches!(landed, palisade::psa::tickets::service::Landed::OnTicket { reopened: true, .. }), "{landed:?}");
    olive.get(&path).await;
    olive
        .post(&format!("{path}/properties"), &[("status", "closed"), ("priority", "medium"), ("assignee", "")])
        .await
        .assert_status(303);
    app.clock().advance(chrono::Duration::days(30));
    let landed = super::customer_reply(&mut app.conn(), &f.t2, &id, &ann, "Full once more", app.now());
    let palisade::psa::tickets::service::Landed::NewTicket { ticket, follows } = landed else { panic!("{landed:?}") };
    assert_eq!((ticket.number, follows.number), (2, 1));
    olive
        .get("/tickets/2")
        .await
        .assert_contains("Re: Mailbox full")
        .assert_contains("Full once more")
        .assert_contains("href=\"/tickets/1\"");
}

#[actix_web::test]
async fn merging_moves_the_conversation_and_the_duplicate_points_to_the_survivor() {
    let (app, f) = TestApp::with_msp().await;
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let (_, keep) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Wi-Fi slow", Some(&ann));
    let (dup_id, dup) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Internet slow", Some(&ann));
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/tickets/{dup}")).await;
    olive.post(&format!("/tickets/{dup}/merge"), &[("number", &keep.to_string())]).await.assert_status(303);
    olive.get(&format!("/tickets/{dup}")).await.assert_contains("Tick the box to confirm");
    olive.post(&format!("/tickets/{dup}/merge"), &[("number", "999"), ("confirm", "1")]).await;
    olive.get(&format!("/tickets/{dup}")).await.assert_contains("There is no ticket #999 here.");
    let resp = olive.post(&format!("/tickets/{dup}/merge"), &[("number", &keep.to_string()), ("confirm", "1")]).await;
    resp.assert_redirect(&format!("/tickets/{keep}"));
    let survivor = olive.follow(&resp).await;
    survivor.assert_contains("Internet slow").assert_contains("merged into this ticket");
    olive.get(&format!("/tickets/{dup}")).await.assert_contains("This ticket was merged into");
    let moved = format!("SELECT COUNT(*) AS n FROM ticket_events WHERE ticket_id = '{dup_id}' AND kind <> 'merge'");
    assert_eq!(count(&mut app.conn(), &moved), 0);
    let closed = format!(
        "SELECT COUNT(*) AS n FROM tickets WHERE id = '{dup_id}' AND status = 'closed' AND merged_into_ticket_id IS NOT NULL"
    );
    assert_eq!(count(&mut app.conn(), &closed), 1);
    // Related tickets show on both.
    let (_, third) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer", None);
    olive.get(&format!("/tickets/{keep}")).await;
    olive.post(&format!("/tickets/{keep}/related"), &[("number", &third.to_string())]).await.assert_status(303);
    olive.get(&format!("/tickets/{third}")).await.assert_contains("Wi-Fi slow");
    olive.post(&format!("/tickets/{keep}/related/{third}/remove"), &[]).await.assert_status(303);
    olive.get(&format!("/tickets/{third}")).await.assert_not_contains("href=\"/tickets/1\"");
}

#[actix_web::test]
async fn read_only_roles_see_tickets_and_change_nothing_and_other_tenants_find_nothing() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (theirs, _) = super::ticket(&mut app.conn(), &other.client, &other.admin, "Rival secret", None);
    let (_, t1_ticket) = super::ticket(&mut app.conn(), &f.t1, &f.admin, "Monitor only", None);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    let page = priya.get(&format!("/tickets/{t1_ticket}")).await;
    page.assert_status(200).assert_contains("Monitor only").assert_not_contains("/reply\"");
    priya
        .post(&format!("/tickets/{t1_ticket}/properties"), &[("status", "closed"), ("priority", "low")])
        .await
        .assert_status(403);
    priya
        .post("/tickets", &[("subject", "x"), ("priority", "low"), ("ticket_type", "incident")])
        .await
        .assert_status(403);
    // Another tenant's ticket: not by number in our client, not by id.
    priya.switch_to(&f.t3).await;
    priya.get("/tickets/1").await.assert_status(404);
    priya.get(&format!("/tickets/by-id/{theirs}")).await.assert_status(404);
    let mut rita = app.signed_in("admin@contoso.test").await;
    let ours = crate::support::db::ticket_id(&mut app.conn(), &f.t1, t1_ticket);
    rita.get(&format!("/tickets/by-id/{ours}")).await.assert_status(404);
    let untouched = format!("SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND status = 'new'", f.t1);
    assert_eq!(count(&mut app.conn(), &untouched), 1);
}

#[actix_web::test]
async fn an_empty_reply_comes_back_with_the_text_kept_and_attachments_download_only_in_scope() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (_, number) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Scanner", None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let path = format!("/tickets/{number}");
    olive.get(&path).await;
    let resp =
        super::post_multipart(&mut olive, &format!("{path}/reply"), &[("visibility", "public"), ("body", "   ")], &[])
            .await;
    resp.assert_status(422).assert_contains("Write a message or attach a file.");
    let long = "x".repeat(50_001);
    let resp = super::post_multipart(
        &mut olive,
        &format!("{path}/reply"),
        &[("visibility", "internal"), ("body", &long)],
        &[],
    )
    .await;
    resp.assert_status(422).assert_contains("under 50,000 characters");
    olive.get(&path).await;
    super::post_multipart(
        &mut olive,
        &format!("{path}/reply"),
        &[("visibility", "public"), ("body", "Driver attached")],
        &[("files", "driver.txt", b"DRIVER-BYTES")],
    )
    .await
    .assert_status(303);
    let attachment = crate::support::db::attachment_id(&mut app.conn(), &f.t2, "driver.txt");
    let download = olive.get(&format!("{path}/attachments/{attachment}")).await;
    download.assert_status(200);
    assert_eq!(download.body, "DRIVER-BYTES");
    assert!(download.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    let mut rita = app.signed_in("admin@contoso.test").await;
    let _ = other;
    rita.get(&format!("/tickets/1/attachments/{attachment}")).await.assert_status(404);
}

#[actix_web::test]
async fn the_msp_queue_shows_every_reached_client_and_bulk_changes_only_workable_tickets() {
    let (app, f, other) = TestApp::with_tenants().await;
    super::ticket(&mut app.conn(), &f.t1, &f.admin, "Dental monitor ticket", None);
    super::ticket(&mut app.conn(), &f.t2, &f.tech, "Legal printer", None);
    super::ticket(&mut app.conn(), &f.t3, &f.admin, "Health laptop", None);
    super::ticket(&mut app.conn(), &other.client, &other.admin, "Bakery oven", None);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let all = priya.get("/msp/tickets").await;
    for subject in ["Dental monitor ticket", "Legal printer", "Health laptop"] {
        assert!(page::row(&all.body, subject).contains("Tier "), "{subject} with its client");
    }
    all.assert_not_contains("Bakery oven");
    // The technician reaches only the assigned client.
    let mut tom = app.signed_in("tech@northwind.test").await;
    let mine = tom.get("/msp/tickets").await;
    mine.assert_contains("Legal printer")
        .assert_not_contains("Health laptop")
        .assert_not_contains("Dental monitor ticket");
    tom.get("/msp/tickets?q=printer").await.assert_contains("Legal printer");
    tom.get("/msp/tickets?q=laptop").await.assert_contains("No ticket matches");
    // Bulk: the T1 client's ticket is read only for the MSP admin, the others change.
    let ids: Vec<String> =
        [&f.t1, &f.t2, &f.t3].iter().map(|org| crate::support::db::ticket_id(&mut app.conn(), org, 1)).collect();
    let theirs = crate::support::db::ticket_id(&mut app.conn(), &other.client, 1);
    priya.get("/msp/tickets").await;
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("ticket", id.as_str())).collect();
    fields.push(("ticket", &theirs));
    fields.push(("bulk_priority", "critical"));
    let resp = priya.post("/msp/tickets/bulk", &fields).await;
    resp.assert_status(303);
    priya.follow(&resp).await.assert_contains("2 tickets changed. 2 left as they were");
    let critical = "SELECT COUNT(*) AS n FROM tickets WHERE priority = 'critical'";
    assert_eq!(count(&mut app.conn(), critical), 2);
    let views = priya.get("/msp/tickets?view=unassigned").await;
    views.assert_contains("Health laptop");
}

#[actix_web::test]
async fn the_msp_dashboard_counts_open_tickets_per_client_the_person_reaches() {
    let (app, f) = TestApp::with_msp().await;
    for (org, n) in [(&f.t2, 3), (&f.t3, 2)] {
        for i in 0..n {
            super::ticket(&mut app.conn(), org, &f.admin, &format!("Open {i}"), None);
        }
    }
    // Resolved tickets and the MSP's own do not count.
    let (resolved, _) = super::ticket(&mut app.conn(), &f.t3, &f.admin, "Done", None);
    super::ticket(&mut app.conn(), &f.msp, &f.admin, "Internal", None);
    palisade::db::write_transaction(&mut app.conn(), |conn| {
        palisade::psa::tickets::service::change_status(
            conn,
            &super::env(),
            &f.t3,
            &resolved,
            &super::staff(&f.admin, "A"),
            palisade::psa::tickets::models::TicketStatus::Resolved,
            "",
        )
    })
    .unwrap();
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let dash = priya.get("/msp/dashboard").await;
    assert!(dash.body.contains("data-testid=\"open-tickets\"><a href=\"/msp/tickets\">5</a>"), "total of 5");
    assert!(page::row(&dash.body, "Tier Two Legal").contains("<td class=\"num\">3</td>"));
    assert!(page::row(&dash.body, "Tier Three Health").contains("<td class=\"num\">2</td>"));
    let mut tom = app.signed_in("tech@northwind.test").await;
    let dash = tom.get("/msp/dashboard").await;
    assert!(
        dash.body.contains("data-testid=\"open-tickets\"><a href=\"/msp/tickets\">3</a>"),
        "only the assigned client"
    );
}
