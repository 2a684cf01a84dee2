//! The queues and the ticket page run the same number of statements whatever the number of tickets, replies,
//! watchers, attachments or clients.

use crate::support::TestApp;
use crate::support::fixture;
use palisade::auth::Tier;
use palisade::psa::tickets::service::{self, Reply};

/// A new asset of `org` linked to the ticket.
fn link_asset(
    conn: &mut palisade::db::DbConnection,
    org: &palisade::db::ids::OrgId,
    ticket: &palisade::db::ids::TicketId,
    name: &str,
) {
    use diesel::prelude::*;
    use palisade::schema::ticket_assets as l;
    let asset = super::assets::asset(conn, org, name, None);
    diesel::insert_into(l::table)
        .values((
            l::org_id.eq(org),
            l::ticket_id.eq(ticket),
            l::asset_id.eq(&asset),
            l::linked_by.eq("Fixture"),
            l::linked_at.eq(crate::support::start_time()),
        ))
        .execute(conn)
        .unwrap();
}

/// Statements of the second of two GETs of each path by the MSP admin (working in client T2), with `scale`
/// clients, tickets per client, replies per ticket and assets linked to it.
async fn statements(scale: usize, paths: &[&str]) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        let ann = super::contact(&mut conn, &f.t2, "Ann Lee", "ann@legal.test");
        let policy = super::policy(
            &mut conn,
            &f.t2,
            "UTC",
            &[
                ("hours_mon", "09:00-17:00"),
                ("medium_resolution", "8h"),
                ("medium_first_response", "1h"),
                ("enabled", "1"),
            ],
        );
        super::rule(&mut conn, &f.t2, &policy, "resolution", 75, "notify_assignee");
        let mut orgs = vec![f.t2.clone()];
        for i in 0..scale {
            orgs.push(fixture::client_of(&mut conn, &f.msp, &format!("Scale Client {i:03}"), Tier::ALL[i % 3]));
        }
        for org in &orgs {
            for t in 0..scale.max(1) {
                let (id, _) = super::ticket(&mut conn, org, &f.admin, &format!("Ticket {t}"), None);
                if org == &f.t2 && t == 0 {
                    for r in 0..scale * 3 {
                        let reply = Reply { body: format!("Reply {r}"), internal: r % 2 == 0, ..Default::default() };
                        palisade::db::write_transaction(&mut conn, |conn| {
                            service::add_reply(conn, &super::env(), org, &id, &super::staff(&f.admin, "A"), reply)
                        })
                        .unwrap();
                    }
                    super::customer_reply(&mut conn, org, &id, &ann, "Thanks", crate::support::start_time());
                    for a in 0..scale {
                        link_asset(&mut conn, org, &id, &format!("Laptop {a}"));
                    }
                }
            }
        }
    }
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.switch_to(&f.t2).await;
    let mut counts = Vec::new();
    for path in paths {
        counts.push(app.statements_of(&mut morgan, path).await);
    }
    counts
}

#[actix_web::test]
async fn queues_and_the_ticket_page_do_not_grow_with_tickets_replies_or_clients() {
    let paths = [
        "/tickets",
        "/tickets?view=breached&q=ticket&sort=updated",
        "/msp/tickets",
        "/msp/tickets?view=mine&priority=medium",
        "/tickets/1",
        "/contacts",
        "/reports/sla",
    ];
    let few = statements(1, &paths).await;
    let many = statements(12, &paths).await;
    assert_eq!(few, many, "statements per page with little and with more data: {paths:?}");
    // Identity and context (two), then each page's own: queue count and page (and its assignee list), the
    // ticket page's ticket with its organization and requester, conversation, files, watchers, related, staff, SLA, and
    // its time entries and the time form's work types (two statements, for the MSP's staff who log time).
    for (path, n) in paths.iter().zip(&few) {
        assert!(*n <= 16, "{path}: {n} statements");
    }
}

/// Statements of the service desk's settings, templates and recurring pages, and a policy's page, as the admin of
/// client T2 (whose MSP works it at a tier without desk settings) holding `scale` SLA policies (each with an escalation rule), templates, canned responses and
/// recurring tickets.
async fn settings_statements(scale: usize) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    let mut first_policy = String::new();
    {
        let mut conn = app.conn();
        for n in 0..scale {
            let policy = super::policy(&mut conn, &f.t2, "UTC", &[("hours_mon", "09:00-17:00"), ("enabled", "1")]);
            super::rule(&mut conn, &f.t2, &policy, "resolution", 75, "notify_assignee");
            super::template_canned_recurring(&mut conn, &f.t2, &format!("Set {n}"));
            if first_policy.is_empty() {
                first_policy = policy;
            }
        }
    }
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let paths = [
        "/settings/service-desk".to_string(),
        format!("/settings/service-desk/policies/{first_policy}"),
        "/settings/service-desk/templates".to_string(),
        "/tickets/recurring".to_string(),
    ];
    let mut counts = Vec::new();
    for path in &paths {
        counts.push(app.statements_of(&mut olive, path).await);
    }
    counts
}

#[actix_web::test]
async fn desk_settings_templates_and_recurring_pages_do_not_grow_with_what_they_list() {
    let (few, many) = (settings_statements(1).await, settings_statements(12).await);
    assert_eq!(few, many, "[settings, policy, templates, recurring]");
    assert!(few.iter().all(|n| *n <= 8), "{few:?}");
}
