//! Templates, canned responses and recurring tickets: a schedule opens a ticket from its template when due (one
//! per run, missed runs skipped), templates start new tickets, canned responses start replies; forbidden roles,
//! another tenant's ids and bad input.

use chrono::Duration;

use crate::support::fixture::count;
use crate::support::{TestApp, page};

#[actix_web::test]
async fn a_schedule_opens_its_ticket_when_due_and_moves_to_the_next_run() {
    let (app, f) = TestApp::with_msp().await;
    super::contact(&mut app.conn(), &f.t2, "Ann Lee", "ann@legal.test");
    let mut morgan = app.signed_in("admin@northwind.test").await;
    // The MSP's template is offered in its clients.
    morgan.get("/settings/service-desk/templates").await.assert_status(200);
    morgan
        .post(
            "/settings/service-desk/templates",
            &[
                ("name", "Monthly patching"),
                ("subject", "Apply this month's patches"),
                ("priority", "high"),
                ("ticket_type", "change"),
            ],
        )
        .await
        .assert_status(303);
    let bad = morgan
        .post(
            "/settings/service-desk/templates",
            &[("name", ""), ("subject", "x"), ("priority", "urgent"), ("ticket_type", "change")],
        )
        .await;
    bad.assert_status(422).assert_contains("Name is required.").assert_contains("Choose a priority from the list.");
    morgan
        .post("/settings/service-desk/canned", &[("title", "Restart first"), ("body", "Please restart the computer.")])
        .await
        .assert_status(303);
    let template = crate::support::fixture::count(&mut app.conn(), "SELECT COUNT(*) AS n FROM ticket_templates");
    assert_eq!(template, 1);
    let template_id: String = {
        use diesel::prelude::*;
        use palisade::schema::ticket_templates as t;
        t::table.select(t::id).first(&mut app.conn()).unwrap()
    };
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/tickets/recurring").await.assert_status(200).assert_contains("Monthly patching");
    let bad = tom
        .post(
            "/tickets/recurring",
            &[("template", &template_id), ("frequency", "yearly"), ("first_date", "tomorrow"), ("first_time", "9am")],
        )
        .await;
    bad.assert_status(422).assert_contains("Choose how often.").assert_contains("Enter the first date like");
    tom.post(
        "/tickets/recurring",
        &[
            ("template", &template_id),
            ("frequency", "monthly"),
            ("first_date", "2026-03-03"),
            ("first_time", "09:00"),
            ("requester_email", "ann@legal.test"),
            ("assignee", f.tech.as_str()),
        ],
    )
    .await
    .assert_status(303);
    // 09:00 in New York is 14:00 UTC on 3 March.
    app.clock().set(crate::support::start_time() + Duration::hours(28));
    app.run_pending_jobs().await;
    assert_eq!(
        count(
            &mut app.conn(),
            &format!("SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND source = 'recurring'", f.t2)
        ),
        0
    );
    app.clock().set(crate::support::start_time() + Duration::hours(29));
    let outcomes = app.run_pending_jobs().await;
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    app.run_pending_jobs().await;
    let opened = format!(
        "SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND source = 'recurring' AND priority = 'high' AND subject = 'Apply this month''s patches' AND assignee_user_id = '{}'",
        f.t2, f.tech
    );
    assert_eq!(count(&mut app.conn(), &opened), 1, "one ticket per run");
    assert!(page::row(&tom.get("/tickets/recurring").await.body, "Monthly patching").contains("2026-04-03 09:00"));
    // Three months without any instance: one ticket, then the next future run.
    app.clock().advance(Duration::days(95));
    app.run_pending_jobs().await;
    assert_eq!(
        count(
            &mut app.conn(),
            &format!("SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{}' AND source = 'recurring'", f.t2)
        ),
        2
    );
    assert!(page::row(&tom.get("/tickets/recurring").await.body, "Monthly patching").contains("2026-07-03 09:00"));
    // The template starts a new ticket; the canned response starts a reply.
    tom.get(&format!("/tickets/new?template={template_id}"))
        .await
        .assert_contains("value=\"Apply this month&#39;s patches\"");
    let canned: String = {
        use diesel::prelude::*;
        use palisade::schema::canned_responses as c;
        c::table.select(c::id).first(&mut app.conn()).unwrap()
    };
    tom.get(&format!("/tickets/1?canned={canned}")).await.assert_contains(">Please restart the computer.</textarea>");
}

#[actix_web::test]
async fn templates_and_schedules_belong_to_their_organization() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/settings/service-desk/templates").await;
    rita.post(
        "/settings/service-desk/templates",
        &[("name", "Rival"), ("subject", "Rival"), ("priority", "low"), ("ticket_type", "change")],
    )
    .await
    .assert_status(303);
    let theirs: String = {
        use diesel::prelude::*;
        use palisade::schema::ticket_templates as t;
        t::table.select(t::id).first(&mut app.conn()).unwrap()
    };
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/settings/service-desk/templates").await.assert_status(403);
    tom.get("/tickets/recurring").await.assert_not_contains("Rival");
    let refused = tom
        .post(
            "/tickets/recurring",
            &[("template", &theirs), ("frequency", "weekly"), ("first_date", "2026-04-01"), ("first_time", "09:00")],
        )
        .await;
    refused.assert_status(422).assert_contains("Choose a template");
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.get("/settings/service-desk/templates").await;
    morgan.post(&format!("/settings/service-desk/templates/{theirs}/delete"), &[]).await.assert_status(404);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM recurring_tickets"), 0);
    let _ = other;
}
