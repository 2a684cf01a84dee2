//! SLA policies on tickets: the settings page (the engine's calendar messages next to the fields, the
//! preview), due instants stored and shown in the organization's timezone, pauses over a weekend, a DST week,
//! escalations fired once by two instances, breaches recorded at the instant they happened, switching an SLA
//! off, the SLA report; forbidden roles and another tenant's policy.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::support::fixture::count;
use crate::support::{TestApp, page};
use palisade::db::ids::{OrgId, TicketId};
use palisade::psa::tickets::models::{Priority, TicketStatus};
use palisade::psa::tickets::service;

fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(hour, minute, 0).unwrap()
}

/// Creates a policy through the settings page, as the person signed in to `c` (in the organization).
const OFFICE: &[(&str, &str)] = &[
    ("hours_mon", "09:00-17:00"),
    ("hours_tue", "09:00-17:00"),
    ("hours_wed", "09:00-17:00"),
    ("hours_thu", "09:00-17:00"),
    ("hours_fri", "09:00-17:00"),
    ("medium_first_response", "1h"),
    ("medium_resolution", "8h"),
    ("high_first_response", "30m"),
    ("high_resolution", "4h"),
    ("pause", "pending_customer"),
    ("is_default", "1"),
    ("enabled", "1"),
];

fn resolution_due(conn: &mut palisade::db::DbConnection, ticket: &TicketId) -> Option<NaiveDateTime> {
    use palisade::schema::ticket_sla;
    ticket_sla::table.find(ticket.as_str()).select(ticket_sla::resolution_due_at).first(conn).unwrap()
}

fn set_status(app: &TestApp, org: &OrgId, ticket: &TicketId, by: &palisade::db::ids::UserId, status: TicketStatus) {
    palisade::db::write_transaction(&mut app.conn(), |conn| {
        service::change_status(conn, &super::env(), org, ticket, &super::staff_at(by, app.now()), status, "")
    })
    .unwrap();
}

#[actix_web::test]
async fn the_policy_page_shows_the_engines_messages_and_a_preview_then_tickets_get_due_instants() {
    let (app, f) = TestApp::with_msp().await;
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t3).await;
    morgan.get("/settings/service-desk").await.assert_status(200).assert_contains("No SLA policy yet");
    let new = morgan.get("/settings/service-desk/policies/new").await;
    new.assert_status(200).assert_contains("A High ticket opened now is due");
    let mut fields: Vec<(&str, &str)> = vec![
        ("name", "Office"),
        ("timezone", "UTC"),
        ("hours_mon", "09:00-17:00, 12:00-13:00"),
        ("yearly", "02-30"),
        ("high_resolution", "4 hours"),
    ];
    let bad = morgan.post("/settings/service-desk/policies", &fields).await;
    bad.assert_status(422)
        .assert_contains("Monday 12:00–13:00 overlaps 09:00–17:00")
        .assert_contains("Write a time like 4h");
    bad.assert_contains("09:00-17:00, 12:00-13:00");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM sla_policies"), 0);
    fields = vec![("name", "Office"), ("timezone", "UTC")];
    fields.extend_from_slice(OFFICE);
    let created = morgan.post("/settings/service-desk/policies", &fields).await;
    created.assert_status(303);
    let edit = morgan.follow(&created).await;
    // Monday 09:00 UTC: a High ticket is due for resolution at 13:00 the same day.
    edit.assert_contains("A High ticket opened now is due for its first response at <strong>Mon 2026-03-02 09:30 UTC</strong> and for resolution at <strong>Mon 2026-03-02 13:00 UTC</strong>");
    let (id, number) = super::ticket(&mut app.conn(), &f.t3, &f.admin, "Mail is slow", None);
    assert_eq!(resolution_due(&mut app.conn(), &id), Some(at(2, 17, 0)));
    let shown = morgan.get(&format!("/tickets/{number}")).await;
    // The organization is in New York: 17:00 UTC is 12:00 local; 8 business hours left.
    shown
        .assert_contains("<time datetime=\"2026-03-02T17:00:00Z\">2026-03-02 12:00</time>")
        .assert_contains("8h 0m of business time left");
    let queue = morgan.get("/tickets").await;
    let row = page::row(&queue.body, "Mail is slow");
    assert!(
        row.contains("datetime=\"2026-03-02T10:00:00Z\""),
        "the queue shows the earliest due instant (first response)"
    );
    assert!(row.contains("1h 0m of business time left"), "{row}");
}

#[actix_web::test]
async fn a_pause_over_the_weekend_moves_the_due_instant_by_business_time_only() {
    let (app, f) = TestApp::with_msp().await;
    super::policy(&mut app.conn(), &f.t2, "UTC", OFFICE);
    app.clock().set(at(5, 13, 0)); // Thursday 13:00
    let (id, _) = super::ticket_at(&mut app.conn(), &f.t2, &f.tech, "Laptop", app.now(), None);
    assert_eq!(resolution_due(&mut app.conn(), &id), Some(at(6, 13, 0)));
    app.clock().set(at(6, 10, 0)); // Friday 10:00: waiting on the customer
    set_status(&app, &f.t2, &id, &f.tech, TicketStatus::PendingCustomer);
    assert_eq!(resolution_due(&mut app.conn(), &id), None, "no due instant while paused");
    app.clock().set(at(9, 10, 0)); // Monday 10:00
    set_status(&app, &f.t2, &id, &f.tech, TicketStatus::Open);
    // 5 business hours used before the pause; the 3 left run from Monday 10:00.
    assert_eq!(resolution_due(&mut app.conn(), &id), Some(at(9, 13, 0)));
    let pauses =
        format!("SELECT COUNT(*) AS n FROM ticket_sla_pauses WHERE ticket_id = '{id}' AND ended_at IS NOT NULL");
    assert_eq!(count(&mut app.conn(), &pauses), 1);
}

#[actix_web::test]
async fn due_instants_follow_the_clients_timezone_across_the_dst_change() {
    let (app, f) = TestApp::with_msp().await;
    super::policy(&mut app.conn(), &f.t2, "America/New_York", OFFICE);
    // Friday 6 March 14:00 EST (19:00 UTC); clocks go forward on Sunday 8 March.
    app.clock().set(at(6, 19, 0));
    let (id, number) = super::ticket_at(&mut app.conn(), &f.t2, &f.tech, "Printer", app.now(), None);
    // 3 business hours on Friday, 5 on Monday: Monday 14:00 EDT = 18:00 UTC.
    assert_eq!(resolution_due(&mut app.conn(), &id), Some(at(9, 18, 0)));
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive
        .get(&format!("/tickets/{number}"))
        .await
        .assert_contains("<time datetime=\"2026-03-09T18:00:00Z\">2026-03-09 14:00</time>");
    // Raising the priority keeps the time used: at Monday 10:00 EDT 4 hours are used; High resolves in 4.
    app.clock().set(at(9, 14, 0));
    palisade::db::write_transaction(&mut app.conn(), |conn| {
        service::set_priority(conn, &f.t2, &id, &super::staff_at(&f.tech, app.now()), Priority::High)
    })
    .unwrap();
    assert_eq!(resolution_due(&mut app.conn(), &id), Some(at(9, 14, 0)), "used up at the change");
}

#[actix_web::test]
async fn an_escalation_fires_once_with_two_instances_and_breaches_are_recorded_when_they_happened() {
    let (app, f) = TestApp::with_msp().await;
    let policy = super::policy(&mut app.conn(), &f.t2, "UTC", OFFICE);
    super::rule(&mut app.conn(), &f.t2, &policy, "resolution", 50, "notify_assignee");
    let ann = super::contact(&mut app.conn(), &f.t2, "Ann", "ann@legal.test");
    let (id, number) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Server down", Some(&ann));
    palisade::db::write_transaction(&mut app.conn(), |conn| {
        service::assign(conn, &super::env(), &f.t2, &id, &super::staff_at(&f.admin, app.now()), Some(&f.tech))
    })
    .unwrap();
    let fire_at = format!(
        "SELECT COUNT(*) AS n FROM ticket_escalations WHERE ticket_id = '{id}' AND status = 'pending' AND fire_at = '2026-03-02 13:00:00'"
    );
    assert_eq!(count(&mut app.conn(), &fire_at.replace("'2026-03-02 13:00:00'", "fire_at")), 1);
    app.clock().set(at(2, 13, 30));
    let second = app.second_instance();
    let (a, b) = futures_util::join!(app.state.jobs.run_all(&app.state), second.jobs.run_all(&second));
    assert!(a.is_ok() && b.is_ok());
    app.run_pending_jobs().await;
    // Either instance may have delivered the outbox: read both mailers.
    let mut mail = super::delivered(&app).await;
    mail.extend(second.mailer.delivered().await.iter().map(|raw| crate::mail::read_message(raw.as_bytes())));
    let escalations: Vec<_> = mail.iter().filter(|m| m.subject.starts_with("SLA escalation")).collect();
    assert_eq!(escalations.len(), 1, "one notice, whatever ran the job");
    assert_eq!(escalations[0].to, "tech@northwind.test");
    let fired = format!("SELECT COUNT(*) AS n FROM ticket_escalations WHERE ticket_id = '{id}' AND status = 'fired'");
    assert_eq!(count(&mut app.conn(), &fired), 1);
    // The due instant (17:00) passes while no instance runs; the next run records the breach at 17:00.
    app.clock().set(at(3, 8, 0));
    app.run_pending_jobs().await;
    use palisade::schema::ticket_sla;
    let breached: Option<NaiveDateTime> =
        ticket_sla::table.find(id.as_str()).select(ticket_sla::resolution_breached_at).first(&mut app.conn()).unwrap();
    assert_eq!(breached, Some(at(2, 17, 0)));
    let outcome = format!(
        "SELECT COUNT(*) AS n FROM sla_outcomes WHERE ticket_id = '{id}' AND target = 'resolution' AND breached_at IS NOT NULL"
    );
    assert_eq!(count(&mut app.conn(), &outcome), 1);
    app.run_pending_jobs().await;
    let events = format!("SELECT COUNT(*) AS n FROM ticket_events WHERE ticket_id = '{id}' AND kind = 'breach'");
    assert_eq!(count(&mut app.conn(), &events), 2, "first response and resolution, once each");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let shown = olive.get(&format!("/tickets/{number}")).await;
    shown.assert_contains("due-breached").assert_contains("Resolution SLA breached");
    olive.get("/tickets?view=breached").await.assert_contains("Server down");
    let report = olive.get("/reports/sla").await;
    report.assert_status(200);
    assert!(page::row(&report.body, "Medium").contains("0%"));
    let csv = olive.get("/reports/sla.csv").await;
    csv.assert_status(200).assert_contains("priority,\"Medium\",0,2,0");
}

#[actix_web::test]
async fn switching_an_sla_off_clears_due_instants_and_pending_escalations() {
    let (app, f) = TestApp::with_msp().await;
    let policy = super::policy(&mut app.conn(), &f.t3, "UTC", OFFICE);
    super::rule(&mut app.conn(), &f.t3, &policy, "first_response", 100, "raise_priority");
    let (id, _) = super::ticket(&mut app.conn(), &f.t3, &f.admin, "Backups", None);
    let pending =
        format!("SELECT COUNT(*) AS n FROM ticket_escalations WHERE ticket_id = '{id}' AND status = 'pending'");
    assert_eq!(count(&mut app.conn(), &pending), 1);
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t3).await;
    morgan.get(&format!("/settings/service-desk/policies/{policy}")).await.assert_status(200);
    let mut fields = vec![("name", "Office"), ("timezone", "UTC")];
    fields.extend(OFFICE.iter().copied().filter(|(k, _)| *k != "enabled"));
    morgan.post(&format!("/settings/service-desk/policies/{policy}"), &fields).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), &pending), 0);
    let due = format!("SELECT COUNT(*) AS n FROM tickets WHERE id = '{id}' AND sla_due_at IS NULL");
    assert_eq!(count(&mut app.conn(), &due), 1);
}

#[actix_web::test]
async fn only_those_who_manage_the_service_desk_edit_policies_and_only_their_own() {
    let (app, f, other) = TestApp::with_tenants().await;
    let theirs = super::policy(&mut app.conn(), &other.client, "UTC", OFFICE);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/settings/service-desk").await.assert_status(403);
    tom.post("/settings/service-desk/policies", &[("name", "x")]).await.assert_status(403);
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t3).await;
    morgan.get(&format!("/settings/service-desk/policies/{theirs}")).await.assert_status(404);
    morgan.get("/settings/service-desk").await;
    morgan
        .post(
            &format!("/settings/service-desk/policies/{theirs}/rules"),
            &[("target", "resolution"), ("threshold_percent", "75"), ("action", "notify_assignee")],
        )
        .await
        .assert_status(404);
    let closing =
        morgan.post("/settings/service-desk/closing", &[("auto_close_hours", "lots"), ("reopen_days", "3")]).await;
    closing.assert_status(422).assert_contains("Enter a number of hours from 0 to 8760.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM sla_escalation_rules"), 0);
}

#[actix_web::test]
async fn resolved_tickets_close_by_themselves_after_the_closing_rule() {
    let (app, f) = TestApp::with_msp().await;
    let (id, _) = super::ticket(&mut app.conn(), &f.t2, &f.tech, "Done soon", None);
    set_status(&app, &f.t2, &id, &f.tech, TicketStatus::Resolved);
    app.clock().advance(Duration::hours(71));
    app.run_pending_jobs().await;
    let closed = format!("SELECT COUNT(*) AS n FROM tickets WHERE id = '{id}' AND status = 'closed'");
    assert_eq!(count(&mut app.conn(), &closed), 0);
    app.clock().advance(Duration::hours(2));
    app.run_pending_jobs().await;
    assert_eq!(count(&mut app.conn(), &closed), 1);
}
