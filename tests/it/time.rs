//! Time tracking: the timer on a ticket (stored, in the top bar of every page), manual entries on a ticket and
//! for a client, editing until invoiced, weekly timesheets and the manager's view, the "time entry before
//! Resolved" closing rule; forbidden roles, another tenant's ids and bad input.

use chrono::Duration;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};

fn entries_where(app: &TestApp, filter: &str) -> i64 {
    count(&mut app.conn(), &format!("SELECT COUNT(*) AS n FROM time_entries WHERE {filter}"))
}

/// An entry in the MSP's books by `user` for `client` today (the access matrix edits it).
pub fn matrix_entry(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, user: &UserId) -> String {
    use palisade::schema::time_entries as t;
    let id = palisade::db::new_id();
    let now = crate::support::start_time();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::org_id.eq(msp),
            t::client_org_id.eq(client),
            t::user_id.eq(user),
            t::work_date.eq(now.date().to_string()),
            t::minutes.eq(30),
            t::notes.eq("Fixture entry"),
            t::billable.eq(true),
            t::created_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    id
}

/// The top bar's running timer as text, if shown.
fn timer_bar(body: &str) -> Option<String> {
    let part = body.split("data-testid=\"running-timer\"").nth(1)?;
    Some(crate::support::strip_tags(part.split("</div>").next().unwrap_or("")))
}

#[actix_web::test]
async fn a_timer_started_on_a_ticket_shows_everywhere_and_logs_its_minutes_when_stopped() {
    let (app, f) = TestApp::with_msp().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/1").await.assert_contains("Start timer").assert_contains("No time logged on this ticket yet.");
    let started = tom.post("/tickets/1/timer", &[]).await;
    started.assert_redirect("/tickets/1");
    tom.follow(&started).await.assert_contains("Timer started on #1.").assert_contains("Stop timer");
    // Stored: it survives a restart, and every page's top bar shows it.
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM running_timers"), 1);
    let contacts = tom.get("/contacts").await;
    let bar = timer_bar(&contacts.body).expect("the top bar shows the timer");
    assert!(bar.contains("#1 Printer jams · Tier Two Legal") && bar.contains("Stop"), "{bar}");
    // A second start on the same ticket changes nothing.
    tom.get("/tickets/1").await;
    tom.post("/tickets/1/timer", &[]).await;
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM running_timers"), 1);
    app.clock().advance(Duration::minutes(24) + Duration::seconds(10));
    let stopped = tom.post("/time/timer/stop", &[("_org", f.msp.as_str())]).await;
    let to = stopped.location.clone().unwrap();
    assert!(to.starts_with("/time/entries/"), "{to}");
    let entry = tom.follow(&stopped).await;
    entry.assert_status(200).assert_contains("Timer stopped: 0:25 logged on #1 Printer jams");
    assert_eq!(timer_bar(&entry.body), None, "the top bar no longer shows it");
    let sql = format!(
        "org_id = '{}' AND client_org_id = '{}' AND user_id = '{}' AND minutes = 25 AND billable AND ticket_id IS NOT NULL AND work_date = '2026-03-02'",
        f.msp, f.t2, f.tech
    );
    assert_eq!(entries_where(&app, &sql), 1);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM running_timers"), 0);
    assert_eq!(logged(&mut app.conn(), &f.msp, "time.timer_start").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "time.timer_stop")[0].details, "0:25");
    // Stopping again: nothing runs.
    tom.get("/time").await;
    let again = tom.post("/time/timer/stop", &[("_org", f.msp.as_str())]).await;
    tom.follow(&again).await.assert_contains("No timer is running.");
    assert_eq!(entries_where(&app, "1 = 1"), 1);
    // The activity log says it in words.
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.get("/settings/activity").await.assert_contains("Tom Tech stopped the timer on #1 Printer jams");
}

#[actix_web::test]
async fn starting_a_timer_on_another_ticket_logs_the_one_that_ran() {
    let (app, f) = TestApp::with_msp().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "First", None);
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Second", None);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/1").await;
    tom.post("/tickets/1/timer", &[]).await;
    app.clock().advance(Duration::minutes(10));
    tom.get("/tickets/2").await;
    let moved = tom.post("/tickets/2/timer", &[("_org", f.t2.as_str())]).await;
    tom.follow(&moved).await.assert_contains("0:10 logged on #1 First").assert_contains("Timer started on #2.");
    assert_eq!(entries_where(&app, "minutes = 10"), 1);
    let timer = format!("SELECT COUNT(*) AS n FROM running_timers WHERE user_id = '{}' AND label LIKE '#2 %'", f.tech);
    assert_eq!(count(&mut app.conn(), &timer), 1);
}

#[actix_web::test]
async fn manual_time_on_a_ticket_is_checked_and_totalled() {
    let (app, f) = TestApp::with_msp().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/1").await;
    let bad = tom
        .post(
            "/tickets/1/time",
            &[("work_date", "2026-03-02"), ("start", "9am"), ("duration", "1:30"), ("notes", "Keep me")],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("Enter the time as HH:MM (24-hour clock).")
        .assert_contains("value=\"9am\"")
        .assert_contains("Keep me");
    let bad = tom.post("/tickets/1/time", &[("work_date", "2026-03-02"), ("duration", "25:00")]).await;
    bad.assert_status(422).assert_contains("up to 24:00");
    assert_eq!(entries_where(&app, "1 = 1"), 0);
    let ok = tom
        .post(
            "/tickets/1/time",
            &[
                ("work_date", "2026-03-02"),
                ("start", "10:00"),
                ("end", "11:30"),
                ("notes", "Cleaned the rollers"),
                ("billable", "1"),
            ],
        )
        .await;
    ok.assert_redirect("/tickets/1");
    tom.post("/tickets/1/time", &[("work_date", "2026-03-03"), ("duration", "20")]).await.assert_status(303);
    let ticket = tom.get("/tickets/1").await;
    assert_eq!(page::testid(&ticket.body, "ticket-time-total"), "1:50 logged, 1:30 billable");
    assert!(page::row(&ticket.body, "Cleaned the rollers").contains("Tom Tech"));
    assert_eq!(entries_where(&app, "minutes = 90 AND started_at IS NOT NULL AND billable"), 1);
    assert_eq!(entries_where(&app, "minutes = 20 AND started_at IS NULL AND NOT billable"), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "time.add").len(), 2);
}

#[actix_web::test]
async fn time_on_a_ticket_takes_one_of_the_msps_work_types_the_default_chosen() {
    let (app, f, other) = TestApp::with_tenants().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let (default, _) = crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let (onsite, _) = crate::billing::extra_work_type_with_rate(&mut app.conn(), &f.msp, &f.t2, "On-site");
    let (theirs, _) = crate::billing::matrix_fixture(&mut app.conn(), &other.msp, &other.client);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    let ticket = tom.get("/tickets/1").await;
    ticket.assert_contains(&format!("<option value=\"{default}\" selected>Fixture work</option>"));
    ticket.assert_contains(&format!("<option value=\"{onsite}\">On-site</option>"));
    assert!(!ticket.contains(&theirs), "another tenant's work type is not offered");
    fn entry(work_type: &str) -> [(&'static str, &str); 4] {
        [("work_date", "2026-03-02"), ("duration", "40"), ("notes", "Kept"), ("work_type", work_type)]
    }
    for bad in [theirs.as_str(), "not-an-id"] {
        let refused = tom.post("/tickets/1/time", &entry(bad)).await;
        refused.assert_status(422).assert_contains("Choose one of your work types.").assert_contains("Kept");
    }
    assert_eq!(entries_where(&app, "1 = 1"), 0);
    tom.post("/tickets/1/time", &entry(&onsite)).await.assert_redirect("/tickets/1");
    assert_eq!(entries_where(&app, &format!("work_type_id = '{onsite}' AND minutes = 40")), 1);
    assert!(page::row(&tom.get("/time?week=2026-03-02").await.body, "2026-03-02").contains("On-site"));
    // A client's own admin still logs nothing, whatever the work type.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/tickets/1").await;
    let refused = olive.post("/tickets/1/time", &entry(&onsite)).await;
    olive.follow(&refused).await.assert_contains("is logged by its MSP");
    assert_eq!(entries_where(&app, "1 = 1"), 1);
}

#[actix_web::test]
async fn only_the_msps_staff_who_log_time_use_the_timer() {
    let (app, f) = TestApp::with_msp().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    crate::desk::ticket(&mut app.conn(), &f.t1, &f.admin, "Monitor only", None);
    // The client's own admin works tickets but the MSP logs the time.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get("/tickets/1").await;
    assert!(!page.contains("Start timer"));
    let refused = olive.post("/tickets/1/timer", &[]).await;
    olive.follow(&refused).await.assert_contains("is logged by its MSP");
    olive.get("/time").await.assert_status(403);
    // At a Monitor client even the MSP's admin only reads.
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t1).await;
    morgan.post("/tickets/1/timer", &[]).await.assert_status(403);
    morgan.post("/tickets/1/time", &[("work_date", "2026-03-02"), ("duration", "30")]).await.assert_status(403);
    // A technician logs their own time but does not see the team's.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/time/team").await.assert_status(403);
    tom.get(&format!("/time/team/{}", f.admin)).await.assert_status(403);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM running_timers"), 0);
    assert_eq!(entries_where(&app, "1 = 1"), 0);
}

#[actix_web::test]
async fn the_timesheet_adds_time_for_a_client_and_totals_the_week() {
    let (app, f, other) = TestApp::with_tenants().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/1").await;
    tom.post("/tickets/1/time", &[("work_date", "2026-03-03"), ("duration", "1:00"), ("billable", "1")]).await;
    let sheet = tom.get("/time").await;
    sheet.assert_status(200).assert_contains("week of 2–8 Mar 2026");
    assert!(!sheet.contains("href=\"/time/team"), "a technician is not offered the team's week");
    // Only the clients Tom reaches are offered.
    assert!(sheet.contains("Tier Two Legal") && !sheet.contains(">Tier Three Health<"));
    let client = |id: &OrgId| id.to_string();
    for (refused, why) in [(client(&f.t3), "not assigned"), (client(&other.client), "another tenant's")] {
        let resp = tom
            .post(
                "/time/entries",
                &[("client", &refused), ("work_date", "2026-03-04"), ("duration", "30"), ("notes", "Kept")],
            )
            .await;
        resp.assert_status(422).assert_contains("Choose one of your clients.").assert_contains("Kept");
        assert_eq!(entries_where(&app, &format!("client_org_id = '{refused}'")), 0, "{why}");
    }
    let bad =
        tom.post("/time/entries", &[("client", f.t2.as_str()), ("work_date", "04/03/2026"), ("duration", "30")]).await;
    bad.assert_status(422).assert_contains("Enter the date as YYYY-MM-DD.");
    let ok = tom
        .post(
            "/time/entries",
            &[
                ("client", f.t2.as_str()),
                ("work_date", "2026-03-04"),
                ("duration", "0:45"),
                ("notes", "Quarterly review"),
            ],
        )
        .await;
    ok.assert_redirect("/time?week=2026-03-04");
    let sheet = tom.follow(&ok).await;
    sheet.assert_contains("0:45 logged for Tier Two Legal.");
    let row = page::row(&sheet.body, "<th scope=\"row\">Tier Two Legal");
    assert!(row.contains(">1:00<") && row.contains(">0:45<"), "{row}");
    assert_eq!(page::testid(&sheet.body, "week-billable"), "1:00");
    assert_eq!(page::testid(&sheet.body, "week-non-billable"), "0:45");
    assert_eq!(page::testid(&sheet.body, "week-total"), "1:45");
    let sql = format!("client_org_id = '{}' AND ticket_id IS NULL AND minutes = 45 AND NOT billable", f.t2);
    assert_eq!(entries_where(&app, &sql), 1);
    // Another week is empty.
    tom.get("/time?week=2026-03-10").await.assert_contains("No time logged this week.");
}

#[actix_web::test]
async fn authors_edit_and_delete_their_entries_until_invoiced() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mine = matrix_entry(&mut app.conn(), &f.msp, &f.t2, &f.tech);
    let theirs = matrix_entry(&mut app.conn(), &other.msp, &other.client, &other.admin);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(&format!("/time/entries/{mine}")).await.assert_status(200).assert_contains("Fixture entry");
    tom.get(&format!("/time/entries/{theirs}")).await.assert_status(404);
    let bad = tom
        .post(&format!("/time/entries/{mine}"), &[("work_date", "2026-03-02"), ("start", "10:00"), ("end", "09:00")])
        .await;
    bad.assert_status(422).assert_contains("The end must be after the start");
    let saved = tom
        .post(
            &format!("/time/entries/{mine}"),
            &[("work_date", "2026-03-02"), ("duration", "1:15"), ("notes", "Changed"), ("billable", "1")],
        )
        .await;
    saved.assert_redirect("/time?week=2026-03-02");
    assert_eq!(entries_where(&app, &format!("id = '{mine}' AND minutes = 75 AND notes = 'Changed'")), 1);
    // Someone else's entry of the same MSP: not theirs to change.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get(&format!("/time/entries/{mine}")).await.assert_status(404);
    priya.get("/time").await;
    priya.post(&format!("/time/entries/{mine}/delete"), &[]).await.assert_status(404);
    // Another tenant's entry.
    tom.get("/time").await;
    tom.post(&format!("/time/entries/{theirs}/delete"), &[]).await.assert_status(404);
    assert_eq!(entries_where(&app, &format!("id = '{theirs}' AND minutes = 30")), 1);
    // Invoiced: locked.
    app.conn().batch_execute(&format!("UPDATE time_entries SET invoice_id = 'inv-1' WHERE id = '{mine}'")).unwrap();
    tom.get(&format!("/time/entries/{mine}")).await.assert_contains("it can only change after that invoice is voided");
    let locked = tom.post(&format!("/time/entries/{mine}"), &[("work_date", "2026-03-02"), ("duration", "5")]).await;
    tom.follow(&locked).await.assert_contains("This entry is on an invoice");
    tom.post(&format!("/time/entries/{mine}/delete"), &[("_org", f.msp.as_str())]).await;
    assert_eq!(entries_where(&app, &format!("id = '{mine}' AND minutes = 75")), 1);
    app.conn().batch_execute(&format!("UPDATE time_entries SET invoice_id = NULL WHERE id = '{mine}'")).unwrap();
    let deleted = tom.post(&format!("/time/entries/{mine}/delete"), &[("_org", f.msp.as_str())]).await;
    deleted.assert_redirect("/time?week=2026-03-02");
    assert_eq!(entries_where(&app, &format!("id = '{mine}'")), 0);
    assert_eq!(logged(&mut app.conn(), &f.msp, "time.update").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "time.delete").len(), 1);
}

#[actix_web::test]
async fn managers_see_everyones_week() {
    let (app, f, other) = TestApp::with_tenants().await;
    matrix_entry(&mut app.conn(), &f.msp, &f.t2, &f.tech);
    matrix_entry(&mut app.conn(), &other.msp, &other.client, &other.admin);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/time").await.assert_contains("href=\"/time/team?week=2026-03-02\"");
    let team = priya.get("/time/team").await;
    team.assert_status(200);
    assert!(page::row(&team.body, "Tom Tech").contains(">0:30<"));
    assert!(page::row(&team.body, "Priya MspAdmin").contains(">0:00<"), "people without time are listed too");
    assert!(!team.contains("Rita Rival"));
    let toms = priya.get(&format!("/time/team/{}", f.tech)).await;
    toms.assert_status(200).assert_contains("Timesheet of Tom Tech").assert_contains("Fixture entry");
    assert!(!toms.contains("/time/entries/"), "a manager reads, the author edits");
    priya.get(&format!("/time/team/{}", other.admin)).await.assert_status(404);
}

#[actix_web::test]
async fn the_closing_rule_requires_time_before_resolved() {
    let (app, f, _other) = TestApp::with_tenants().await;
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let closing = [("auto_close_hours", "72"), ("reopen_days", "7"), ("require_time_entry", "1")];
    // Not for a technician; not for another tenant.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.post("/settings/service-desk/closing", &closing).await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/settings/service-desk").await;
    let mut foreign = closing.to_vec();
    foreign.push(("_org", f.t2.as_str()));
    let refused = rita.post("/settings/service-desk/closing", &foreign).await;
    assert!(matches!(refused.status.as_u16(), 403 | 404 | 409), "{}", refused.status);
    let rule = "SELECT COUNT(*) AS n FROM service_desk_settings WHERE require_time_entry";
    assert_eq!(count(&mut app.conn(), rule), 0);
    // The client's admin sets the rule.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let settings = olive.get("/settings/service-desk").await;
    settings.assert_contains("Require at least one time entry before a ticket is resolved");
    olive.post("/settings/service-desk/closing", &closing).await.assert_redirect("/settings/service-desk");
    assert_eq!(count(&mut app.conn(), rule), 1);
    assert!(logged(&mut app.conn(), &f.t2, "servicedesk.settings")[0].details.contains("time entry required"));
    // Resolving without time: refused with the reason, the note kept, the status unchanged.
    tom.get("/tickets/1").await;
    let props =
        [("status", "resolved"), ("priority", "medium"), ("assignee", ""), ("resolution_note", "Replaced roller")];
    let resp = tom.post("/tickets/1/properties", &props).await;
    assert!(resp.status.as_u16() == 422 || resp.status.as_u16() == 303, "{}", resp.status);
    let shown = if resp.status.as_u16() == 303 { tom.follow(&resp).await } else { resp };
    shown.assert_contains("Log time on ticket #1 before resolving it");
    let resolved = "SELECT COUNT(*) AS n FROM tickets WHERE number = 1 AND status = 'resolved'";
    assert_eq!(count(&mut app.conn(), resolved), 0);
    // With time logged it resolves.
    tom.get("/tickets/1").await;
    tom.post("/tickets/1/time", &[("work_date", "2026-03-02"), ("duration", "15"), ("billable", "1")])
        .await
        .assert_status(303);
    tom.get("/tickets/1").await;
    tom.post("/tickets/1/properties", &props).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), resolved), 1);
}

/// Statements of each path, as the MSP's admin, with `scale` entries per client and day, and a running timer.
async fn statements(scale: usize, timer: bool, paths: &[&str]) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    let (ticket, _) = crate::desk::ticket(&mut app.conn(), &f.t2, &f.admin, "Busy ticket", None);
    for client in [&f.t1, &f.t2, &f.t3] {
        for _ in 0..scale {
            matrix_entry(&mut app.conn(), &f.msp, client, &f.admin);
            matrix_entry(&mut app.conn(), &f.msp, client, &f.tech);
        }
    }
    for _ in 0..scale {
        app.conn()
            .batch_execute(&format!(
                "UPDATE time_entries SET ticket_id = '{ticket}' WHERE ticket_id IS NULL AND client_org_id = '{}' AND id = (SELECT MIN(id) FROM time_entries WHERE ticket_id IS NULL AND client_org_id = '{}')",
                f.t2, f.t2
            ))
            .unwrap();
    }
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t2).await;
    if timer {
        morgan.get("/tickets/1").await;
        morgan.post("/tickets/1/timer", &[]).await.assert_status(303);
    }
    let mut counts = Vec::new();
    for path in paths {
        counts.push(app.statements_of(&mut morgan, path).await);
    }
    counts
}

#[actix_web::test]
async fn timesheets_and_the_top_bar_timer_cost_the_same_whatever_the_entries() {
    let paths = ["/time", "/time?week=2026-03-02", "/time/team", "/tickets/1", "/contacts"];
    let few = statements(1, true, &paths).await;
    let many = statements(15, true, &paths).await;
    assert_eq!(few, many, "statements per page with few and with many entries: {paths:?}");
    // Identity and context (two), the MSP (its timezone), the week's entries, the client list and the work
    // types, or the team.
    for (path, n) in paths.iter().zip(&few).take(3) {
        assert!(*n <= 6, "{path}: {n} statements");
    }
    // The running timer in the top bar is read with the identity: no statement of its own.
    let without_timer = statements(1, false, &paths).await;
    assert_eq!(few, without_timer, "{paths:?}");
}

#[actix_web::test]
async fn my_timesheet_costs_the_same_with_one_or_two_hundred_entries_this_week() {
    let mut counts = Vec::new();
    for n in [1, 200] {
        let (app, f) = TestApp::with_msp().await;
        for i in 0..n {
            matrix_entry(&mut app.conn(), &f.msp, [&f.t1, &f.t2, &f.t3][i % 3], &f.admin);
        }
        let mut morgan = app.signed_in("admin@northwind.test").await;
        let sheet = morgan.get("/time").await;
        assert_eq!(sheet.body.matches("Fixture entry").count(), n, "every entry of the week is listed");
        counts.push(app.statements_of(&mut morgan, "/time").await);
    }
    assert_eq!(counts[0], counts[1], "statements of /time with 1 and 200 entries");
}

#[actix_web::test]
async fn a_long_client_list_offers_recent_clients_and_finds_any_other_by_name() {
    let (app, f, other) = TestApp::with_tenants().await;
    let many: Vec<OrgId> = (0..55)
        .map(|n| {
            let tier = palisade::auth::permissions::Tier::Operate;
            crate::support::fixture::client_of(&mut app.conn(), &f.msp, &format!("Client {n:02}"), tier)
        })
        .collect();
    matrix_entry(&mut app.conn(), &f.msp, &many[7], &f.admin);
    let mut morgan = app.signed_in("admin@northwind.test").await;
    let sheet = morgan.get("/time").await;
    sheet.assert_contains("Recent client").assert_contains("Or another client, by name");
    assert!(
        sheet.contains(&format!("<option value=\"{}\">Client 07</option>", many[7])),
        "a client of the last 90 days"
    );
    assert!(!sheet.contains(">Client 08</option>"), "not every one of the 58 clients");
    assert!(app.statements_of(&mut morgan, "/time").await <= 7, "the recent clients are one more statement");

    let log = |name: &'static str| [("client_name", name), ("work_date", "2026-03-04"), ("duration", "30")];
    let found = morgan.post("/time/entries", &log("client 12")).await;
    found.assert_status(303);
    morgan.follow(&found).await.assert_contains("0:30 logged for Client 12.");
    assert_eq!(entries_where(&app, &format!("client_org_id = '{}' AND user_id = '{}'", many[12], f.admin)), 1);

    morgan
        .post("/time/entries", &log("Client 1"))
        .await
        .assert_status(422)
        .assert_contains("Several clients match “Client 1”: type more of the name.")
        .assert_contains("value=\"Client 1\"");
    morgan
        .post("/time/entries", &log("Rival Client Bakery"))
        .await
        .assert_status(422)
        .assert_contains("No client you reach is called “Rival Client Bakery”.");
    assert_eq!(entries_where(&app, &format!("client_org_id = '{}'", other.client)), 0);

    // A technician's typed name reaches only the clients assigned to them.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/time").await.assert_not_contains("Or another client, by name");
    let typed = [("client_name", "Tier Three Health"), ("work_date", "2026-03-04"), ("duration", "30")];
    tom.post("/time/entries", &typed).await.assert_status(422).assert_contains("No client you reach is called");
    assert_eq!(entries_where(&app, &format!("client_org_id = '{}'", f.t3)), 0);
}
