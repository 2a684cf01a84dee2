//! Billing reports: hours per client, technician and month; unbilled time with its age; agreement use this
//! month; revenue per client and month. Figures worked by hand below, on the page and in each CSV; the date
//! range and its bad input; a technician and another tenant; statements that do not grow with the data.

use chrono::NaiveDate;

use crate::invoices::entry;
use crate::support::TestApp;
use palisade::billing::invoices::store;
use palisade::db::DbConnection;
use palisade::db::ids::{InvoiceId, OrgId};

/// Generates `client`'s invoice for the month starting `first` (the store, as the generate button does).
fn invoice(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, first: &str) -> InvoiceId {
    let month = NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    palisade::db::write_transaction(conn, |conn| {
        store::generate(conn, msp, client, month, crate::support::start_time())?
            .ok_or(diesel::result::Error::RollbackTransaction)
    })
    .unwrap()
    .id
}

/// Northwind's time, worked by hand (today is 2026-03-02, so the default range is 2025-10-01 to 2026-03-02):
/// - Tier Two Legal: Tom 90 min billable on 2026-02-10 (invoiced in February's invoice at its 120.00/h: 180.00,
///   then sent) and 30 min non-billable on 2026-02-11;
/// - Tier Three Health: Tom 60 min billable on 2026-01-05 (January's invoice at the default 100.00/h: 100.00,
///   then paid); Priya 45 min billable on 2026-03-01 (unbilled);
/// - Tier One Dental: Tom 120 min billable on 2025-09-30 (before the range; unbilled, 153 days old);
/// - Contoso's own client: 999 min, never in Northwind's figures.
#[actix_web::test]
async fn billing_reports_add_up_hours_unbilled_time_agreements_and_revenue() {
    let (app, f, other) = TestApp::with_tenants().await;
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    {
        let conn = &mut app.conn();
        entry(conn, &f.msp, &f.t2, &f.tech, "2026-02-10", 90, true);
        entry(conn, &f.msp, &f.t2, &f.tech, "2026-02-11", 30, false);
        entry(conn, &f.msp, &f.t3, &f.tech, "2026-01-05", 60, true);
        entry(conn, &f.msp, &f.t3, &f.msp_admin, "2026-03-01", 45, true);
        entry(conn, &f.msp, &f.t1, &f.tech, "2025-09-30", 120, true);
        entry(conn, &other.msp, &other.client, &other.admin, "2026-02-10", 999, true);
    }
    let february = invoice(&mut app.conn(), &f.msp, &f.t2, "2026-02-01");
    let january = invoice(&mut app.conn(), &f.msp, &f.t3, "2026-01-01");
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get(&format!("/billing/invoices/{february}")).await;
    priya.post(&format!("/billing/invoices/{february}/sent"), &[]).await.assert_status(303);
    priya.get(&format!("/billing/invoices/{january}")).await;
    priya.post(&format!("/billing/invoices/{january}/sent"), &[]).await.assert_status(303);
    priya.get(&format!("/billing/invoices/{january}")).await;
    priya
        .post(&format!("/billing/invoices/{january}/paid"), &[("paid_on", "2026-02-20"), ("reference", "Wire 1")])
        .await
        .assert_status(303);
    // An agreement of Tier Three Health with 2 hours a month: 45 min used in March (no work type: the default,
    // and the agreement covers all work), 1:15 remaining, 45 / 120 = 37 % (rounded down).
    let billing = format!("/billing/clients/{}", f.t3);
    priya.get(&billing).await;
    let agreement = [
        ("name", "Managed services"),
        ("monthly_fee", "500"),
        ("included_hours", "2"),
        ("overage_rate", "110"),
        ("starts_on", "2026-03-01"),
    ];
    priya.post(&format!("{billing}/agreements"), &agreement).await.assert_status(303);

    // The client page and the MSP dashboard show the same use (one statement for the listed clients).
    let client_page = priya.get(&format!("/msp/clients/{}", f.t3)).await;
    client_page.assert_contains("0:45 used, 1:15 left").assert_contains("of 2:00 agreement hours this month");
    priya.get(&format!("/msp/clients/{}", f.t2)).await.assert_not_contains("agreement hours this month");
    let dashboard = priya.get("/msp/dashboard").await;
    let row = crate::support::page::row(&dashboard.body, "Tier Three Health");
    assert!(row.contains("0:45 of 2:00"), "{row}");
    assert!(crate::support::page::row(&dashboard.body, "Tier Two Legal").contains("—"));

    let page = priya.get("/billing/reports").await;
    page.assert_status(200)
        .assert_contains("value=\"2025-10-01\"")
        .assert_contains("value=\"2026-03-02\"")
        .assert_contains("Billable hours per month")
        .assert_contains("<svg");
    let row = |name: &str| crate::support::page::row(&page.body, name);
    assert!(row("Tom Tech").contains("2:30") && row("Tom Tech").contains("3:00") && row("Tom Tech").contains("83%"));
    assert!(row("Tier One Dental").contains("2025-09-30") && row("Tier One Dental").contains("153"));
    assert!(row("Managed services").contains("0:45") && row("Managed services").contains("1:15"));
    // What the page shows (ids and tokens in its markup are random and may contain any digits).
    let shown = crate::support::strip_tags(&page.body);
    assert!(!shown.contains("999") && !shown.contains("16:39"), "{shown}");

    let hours = priya.get("/billing/reports/hours.csv").await;
    hours.assert_status(200);
    assert_eq!(
        hours.body,
        "grouping,group,billable_minutes,non_billable_minutes,total_minutes,billable_percent\r\n\
         client,Tier Three Health,105,0,105,100\r\n\
         client,Tier Two Legal,90,30,120,75\r\n\
         technician,Priya MspAdmin,45,0,45,100\r\n\
         technician,Tom Tech,150,30,180,83\r\n\
         month,2026-01,60,0,60,100\r\n\
         month,2026-02,90,30,120,75\r\n\
         month,2026-03,45,0,45,100\r\n"
    );
    let unbilled = priya.get("/billing/reports/unbilled.csv").await;
    assert_eq!(
        unbilled.body,
        "client,entries,minutes,oldest_entry,age_days_on,age_days\r\n\
         Tier One Dental,1,120,2025-09-30,2026-03-02,153\r\n\
         Tier Three Health,1,45,2026-03-01,2026-03-02,1\r\n"
    );
    let agreements = priya.get("/billing/reports/agreements.csv").await;
    assert_eq!(
        agreements.body,
        "month,client,agreement,included_minutes,used_minutes,remaining_minutes,overage_minutes,used_percent\r\n\
         2026-03,Tier Three Health,Managed services,120,45,75,0,37\r\n"
    );
    let revenue = priya.get("/billing/reports/revenue.csv").await;
    assert_eq!(
        revenue.body,
        "grouping,group,paid,outstanding,total\r\n\
         client,Tier Three Health,100.00,0.00,100.00\r\n\
         client,Tier Two Legal,0.00,180.00,180.00\r\n\
         month,2026-01,100.00,0.00,100.00\r\n\
         month,2026-02,0.00,180.00,180.00\r\n"
    );
    assert!(revenue.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));

    // February alone: only Tier Two Legal's time and invoice.
    let range = "?from=2026-02-01&to=2026-02-28";
    let february_hours = priya.get(&format!("/billing/reports/hours.csv{range}")).await;
    assert!(february_hours.body.contains("client,Tier Two Legal,90,30,120,75"), "{}", february_hours.body);
    assert!(!february_hours.body.contains("Tier Three Health"), "{}", february_hours.body);
    let february_revenue = priya.get(&format!("/billing/reports/revenue.csv{range}")).await;
    assert!(!february_revenue.body.contains("Tier Three Health"), "{}", february_revenue.body);
    priya.get(&format!("/billing/reports{range}")).await.assert_status(200).assert_contains("value=\"2026-02-28\"");

    // Bad dates: the message next to the field, the input back; the CSV refuses too.
    let bad = priya.get("/billing/reports?from=2026-13-01&to=2026-03-01").await;
    bad.assert_status(422).assert_contains("Enter a date like 2026-03-31.").assert_contains("value=\"2026-13-01\"");
    let reversed = priya.get("/billing/reports?from=2026-03-01&to=2026-02-01").await;
    reversed.assert_status(422).assert_contains("The last day must not be before the first.");
    priya.get("/billing/reports/hours.csv?from=yesterday").await.assert_status(422);

    // A technician sees no billing; another tenant sees only its own time.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/billing/reports").await.assert_status(403);
    tom.get("/billing/reports/revenue.csv").await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    let theirs = rita.get("/billing/reports/hours.csv").await;
    theirs.assert_status(200);
    assert!(theirs.body.contains(",999,0,999,100") && !theirs.body.contains("Tier"), "{}", theirs.body);
    rita.get("/billing/reports").await.assert_not_contains("Tier Two Legal").assert_not_contains("Managed services");
}

#[actix_web::test]
async fn billing_reports_say_so_when_there_is_nothing() {
    let (app, _f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let page = priya.get("/billing/reports").await;
    page.assert_status(200)
        .assert_contains("No time logged between these dates.")
        .assert_contains("All billable time up to 2026-03-02 is on an invoice.")
        .assert_contains("No agreement runs this month.")
        .assert_contains("No invoice was sent for a month between these dates.");
    let hours = priya.get("/billing/reports/hours.csv").await;
    assert_eq!(hours.body, "grouping,group,billable_minutes,non_billable_minutes,total_minutes,billable_percent\r\n");
}

/// Statements of the reports page with `scale` clients' entries over `scale` days each, every client with an
/// agreement and a sent invoice.
async fn statements(scale: usize) -> u64 {
    let (app, f) = TestApp::with_msp().await;
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let clients = [&f.t1, &f.t2, &f.t3];
    for client in clients.iter().take(scale.min(3)) {
        for day in 1..=scale {
            let conn = &mut app.conn();
            entry(conn, &f.msp, client, &f.tech, &format!("2026-02-{day:02}"), 30, true);
            entry(conn, &f.msp, client, &f.msp_admin, &format!("2026-03-{:02}", day.min(2)), 15, day % 2 == 0);
        }
        invoice(&mut app.conn(), &f.msp, client, "2026-02-01");
        let terms = palisade::billing::models::AgreementInput {
            name: "Managed".into(),
            monthly_fee_cents: 10_000,
            included_minutes: 600,
            overage_rate_cents: 9_000,
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends_on: None,
            covered: vec![],
        };
        palisade::billing::models::insert_agreement(&mut app.conn(), &f.msp, client, &terms, app.now()).unwrap();
    }
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    app.statements_of(&mut priya, "/billing/reports").await
}

#[actix_web::test]
async fn the_reports_page_costs_the_same_whatever_the_entries() {
    let (few, many) = (statements(1).await, statements(8).await);
    assert_eq!(few, many);
    // Identity and context (two), the MSP; hours (five), unbilled (two), agreements (four), revenue (two).
    assert!(few <= 16, "{few}");
}
