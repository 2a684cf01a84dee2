//! Invoices: preview then generate a client's month (lines traceable to entries, rounding and tax in cents
//! worked by hand), numbers consecutive per MSP also under concurrent generation, entries locked then released
//! by voiding, Draft -> Sent -> Paid, CSV; forbidden roles, another tenant's ids and bad input.

use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};
use palisade::billing::invoices::store;
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};

fn rows(app: &TestApp, sql: &str) -> i64 {
    count(&mut app.conn(), sql)
}

/// A billable entry of `user` (no work type: the default one).
pub fn entry(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    user: &UserId,
    day: &str,
    minutes: i32,
    billable: bool,
) -> String {
    use palisade::schema::time_entries as t;
    let id = palisade::db::new_id();
    let now = crate::support::start_time();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::org_id.eq(msp),
            t::client_org_id.eq(client),
            t::user_id.eq(user),
            t::work_date.eq(day),
            t::minutes.eq(minutes),
            t::notes.eq(format!("Work of {minutes} min")),
            t::billable.eq(billable),
            t::created_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    id
}

/// "Bill Payer", the client's billing contact at `email`.
pub fn billing_contact(app: &TestApp, client: &OrgId, email: &str) {
    let input = palisade::psa::contacts::models::ContactInput {
        name: "Bill Payer".into(),
        email: Some(email.into()),
        is_billing: true,
        ..Default::default()
    };
    palisade::psa::contacts::models::insert(&mut app.conn(), client, &input, app.now()).unwrap();
}

/// An invoice of `msp` for `client`'s March 2026 (the access matrix's `{invoice_id}`), billing the entries there.
pub fn matrix_invoice(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> String {
    let month = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let generated = palisade::db::write_transaction(conn, |conn| {
        store::generate(conn, msp, client, month, crate::support::start_time())?
            .ok_or(diesel::result::Error::RollbackTransaction)
    })
    .expect("the fixture invoice");
    generated.id.to_string()
}

async fn set_up_terms(
    app: &TestApp,
    f: &crate::support::fixture::Msp,
) -> crate::support::Client<
    impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya
        .post("/billing/work-types", &[("name", "Remote support"), ("rate", "125"), ("is_default", "1")])
        .await
        .assert_status(303);
    let path = format!("/billing/clients/{}", f.t2);
    priya.get(&path).await;
    priya
        .post(&format!("{path}/terms"), &[("round_up_to", "15"), ("minimum", "30"), ("tax_rate", "8.25")])
        .await
        .assert_status(303);
    priya
}

#[actix_web::test]
async fn a_months_invoice_is_previewed_then_generated_with_its_entries_locked() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = set_up_terms(&app, &f).await;
    let (fifty, seven) = {
        let mut conn = app.conn();
        let fifty = entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-02", 50, true);
        let seven = entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-03", 7, true);
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-03", 20, false);
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-02-27", 60, true);
        entry(&mut conn, &f.msp, &f.t3, &f.admin, "2026-03-04", 60, true);
        (fifty, seven)
    };
    // 50 min -> 60 billed at 125.00/h = 125.00; 7 min -> the 30 minimum = 62.50; subtotal 187.50;
    // tax 8.25 % = 15.46875 -> 15.47 (half up); total 202.97. Non-billable, February and another client: out.
    let preview = priya.get(&format!("/billing/clients/{}/invoice?month=2026-03", f.t2)).await;
    preview.assert_status(200).assert_contains("Invoice preview · March 2026");
    assert_eq!(page::testid(&preview.body, "invoice-subtotal"), "187.50");
    assert_eq!(page::testid(&preview.body, "invoice-tax"), "15.47");
    assert!(preview.contains(">202.97 USD<"), "the MSP's currency: USD until it chooses another");
    assert!(page::row(&preview.body, "Work of 7 min").contains(">0:30<"));
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoices"), 0, "a preview writes nothing");
    let generated = priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await;
    let to = generated.location.clone().unwrap();
    let invoice = priya.follow(&generated).await;
    invoice
        .assert_contains("Invoice INV-1")
        .assert_contains("Billed to Tier Two Legal")
        .assert_contains("Northwind Managed IT");
    assert_eq!(page::testid(&invoice.body, "invoice-status"), "Draft");
    assert!(invoice.contains(">202.97 USD<"));
    let id = to.trim_start_matches("/billing/invoices/").to_string();
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id = '{id}'")), 2);
    for e in [&fifty, &seven] {
        let traced = format!(
            "SELECT COUNT(*) AS n FROM invoice_lines WHERE invoice_id = '{id}' AND time_entry_id = '{e}' AND live"
        );
        assert_eq!(rows(&app, &traced), 1);
    }
    let totals = format!(
        "SELECT COUNT(*) AS n FROM invoices WHERE id = '{id}' AND subtotal_cents = 18750 AND tax_cents = 1547 AND total_cents = 20297 AND number = 1"
    );
    assert_eq!(rows(&app, &totals), 1);
    // The entries are locked for their author.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(&format!("/time/entries/{fifty}")).await.assert_contains("it can only change after that invoice is voided");
    // Nothing left to bill: refused, and the number is not used up.
    priya.get(&format!("/billing/clients/{}/invoice?month=2026-03", f.t2)).await.assert_contains("Nothing to bill");
    let again = priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await;
    priya.follow(&again).await.assert_contains("Nothing to bill for this month");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoices"), 1);
    // Draft -> Sent -> Paid; a paid invoice is not voided.
    priya.get(&to).await;
    priya.post(&format!("{to}/paid"), &[("paid_on", "2026-03-20")]).await;
    assert_eq!(page::testid(&priya.get(&to).await.body, "invoice-status"), "Draft", "paid only once sent");
    priya.post(&format!("{to}/sent"), &[]).await.assert_redirect(&to);
    priya.get(&to).await;
    let bad = priya.post(&format!("{to}/paid"), &[("paid_on", "20/03/2026"), ("reference", "Wire")]).await;
    priya.follow(&bad).await.assert_contains("Enter the payment date as YYYY-MM-DD.");
    priya.post(&format!("{to}/paid"), &[("paid_on", "2026-03-20"), ("reference", "Wire 4471")]).await;
    let paid = priya.get(&to).await;
    assert_eq!(page::testid(&paid.body, "invoice-status"), "Paid");
    paid.assert_contains("Paid on 2026-03-20 (Wire 4471)");
    priya.post(&format!("{to}/void"), &[]).await;
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id = '{id}'")), 2);
    // CSV of invoices and of the lines.
    let csv = priya.get("/billing/invoices.csv").await;
    assert!(
        csv.body.contains(
            "\"INV-1\",\"Tier Two Legal\",2026-03-01,2026-03-31,paid,USD,187.50,8.25 %,15.47,202.97,2026-03-20"
        ),
        "{}",
        csv.body
    );
    let lines = priya.get(&format!("{to}/lines.csv")).await;
    assert!(lines.body.contains(&fifty) && lines.body.contains(",50,60,USD,125.00,125.00"), "{}", lines.body);
    assert_eq!(logged(&mut app.conn(), &f.msp, "invoice.generate").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "invoice.status").len(), 2);
    priya.get("/billing/invoices").await.assert_contains("INV-1");
}

#[actix_web::test]
async fn voiding_releases_exactly_its_entries_and_stays_readable() {
    let (app, f) = TestApp::with_msp().await;
    set_up_terms(&app, &f).await;
    let (feb, march) = {
        let mut conn = app.conn();
        let feb = entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-02-10", 60, true);
        let march = entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-10", 60, true);
        (feb, march)
    };
    let february = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let first = palisade::db::write_transaction(&mut app.conn(), |conn| {
        store::generate(conn, &f.msp, &f.t2, february, app.now())?.ok_or(diesel::result::Error::RollbackTransaction)
    })
    .unwrap();
    let second = matrix_invoice(&mut app.conn(), &f.msp, &f.t2);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get(&format!("/billing/invoices/{second}")).await;
    priya.post(&format!("/billing/invoices/{second}/void"), &[]).await;
    let voided = priya.get(&format!("/billing/invoices/{second}")).await;
    assert_eq!(page::testid(&voided.body, "invoice-status"), "Void");
    voided.assert_contains("This invoice is void").assert_contains("Work of 60 min");
    assert_eq!(
        rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE id = '{march}' AND invoice_id IS NULL")),
        1
    );
    assert_eq!(
        rows(
            &app,
            &format!("SELECT COUNT(*) AS n FROM time_entries WHERE id = '{feb}' AND invoice_id = '{}'", first.id)
        ),
        1
    );
    assert_eq!(
        rows(&app, &format!("SELECT COUNT(*) AS n FROM invoice_lines WHERE invoice_id = '{second}' AND live")),
        0
    );
    // Billed again, on the next number.
    let third = priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await;
    priya.follow(&third).await.assert_contains("Invoice INV-3");
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM invoice_lines WHERE time_entry_id = '{march}'")), 2);
    assert_eq!(
        rows(&app, &format!("SELECT COUNT(*) AS n FROM invoice_lines WHERE time_entry_id = '{march}' AND live")),
        1
    );
}

#[actix_web::test]
async fn an_agreement_bills_its_fee_once_and_overage_beyond_the_included_hours() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "Remote support"), ("rate", "125"), ("is_default", "1")]).await;
    let path = format!("/billing/clients/{}", f.t2);
    priya.get(&path).await;
    priya
        .post(
            &format!("{path}/agreements"),
            &[
                ("name", "Managed"),
                ("monthly_fee", "1500"),
                ("included_hours", "1"),
                ("overage_rate", "110"),
                ("starts_on", "2026-01-01"),
            ],
        )
        .await
        .assert_status(303);
    {
        let mut conn = app.conn();
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-02", 45, true);
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-03", 30, true);
    }
    // Fee 1,500.00; 45 min included; the 30 min entry: 15 included, 15 over at 110.00/h = 27.50. Total 1,527.50.
    let preview = priya.get(&format!("{path}/invoice?month=2026-03")).await;
    assert_eq!(page::testid(&preview.body, "invoice-subtotal"), "1,527.50");
    assert!(page::row(&preview.body, "Work of 30 min").contains("0:15 beyond the included hours"));
    priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await.assert_status(303);
    // More time in March later: its invoice has no second fee, and all of it is overage.
    entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, "2026-03-20", 60, true);
    let later = priya.get(&format!("{path}/invoice?month=2026-03")).await;
    assert_eq!(page::testid(&later.body, "invoice-subtotal"), "110.00");
    assert!(!later.contains("monthly fee"));
}

#[actix_web::test]
async fn twenty_concurrent_generations_bill_each_entry_once_with_consecutive_numbers() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        palisade::db::write_transaction(&mut conn, |conn| {
            let input = palisade::billing::models::WorkTypeInput {
                name: "Remote".into(),
                hourly_rate_cents: 10_000,
                is_default: true,
            };
            palisade::billing::models::insert_work_type(conn, &f.msp, &input, app.now())
        })
        .unwrap();
        for (client, month) in [(&f.t2, "03"), (&f.t2, "04"), (&f.t3, "03"), (&f.t3, "04")] {
            for day in 1..=5 {
                entry(&mut conn, &f.msp, client, &f.tech, &format!("2026-{month}-{day:02}"), 30 + day, true);
            }
        }
    }
    let db = palisade::db::Db::open(&app.state.config.database_url, 20).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(20));
    let mut threads = Vec::new();
    for i in 0..20 {
        let (db, msp, barrier, now) = (db.clone(), f.msp.clone(), barrier.clone(), app.now());
        let client = if i % 2 == 0 { f.t2.clone() } else { f.t3.clone() };
        let month = NaiveDate::from_ymd_opt(2026, 3 + (i / 2 % 2) as u32, 1).unwrap();
        threads.push(std::thread::spawn(move || {
            barrier.wait();
            let mut conn = db.conn().unwrap();
            palisade::db::write_transaction(&mut conn, |conn| {
                store::generate(conn, &msp, &client, month, now)?.ok_or(diesel::result::Error::RollbackTransaction)
            })
            .ok()
            .map(|g| g.label)
        }));
    }
    let mut labels: Vec<String> = threads.into_iter().filter_map(|t| t.join().unwrap()).collect();
    labels.sort_by_key(|l| l.trim_start_matches("INV-").parse::<i64>().unwrap());
    let expected: Vec<String> = (1..=labels.len()).map(|n| format!("INV-{n}")).collect();
    assert_eq!(labels, expected, "consecutive numbers, none skipped");
    assert_eq!(labels.len(), 4, "one invoice per client and month: the others found nothing left to bill");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id IS NULL"), 0);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoice_lines WHERE live AND time_entry_id IS NOT NULL"), 20);
    assert_eq!(rows(&app, "SELECT COUNT(DISTINCT time_entry_id) AS n FROM invoice_lines WHERE live"), 20);
}

#[actix_web::test]
async fn invoices_are_the_msps_billing_peoples_only() {
    let (app, f, other) = TestApp::with_tenants().await;
    entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, "2026-03-02", 60, true);
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let ours = matrix_invoice(&mut app.conn(), &f.msp, &f.t2);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/billing/invoices").await.assert_status(403);
    tom.get(&format!("/billing/invoices/{ours}")).await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/billing/invoices").await.assert_status(200).assert_not_contains("INV-1");
    rita.get(&format!("/billing/invoices/{ours}")).await.assert_status(404);
    rita.post(&format!("/billing/invoices/{ours}/void"), &[]).await.assert_status(404);
    rita.get(&format!("/billing/clients/{}/invoice", f.t2)).await.assert_status(404);
    rita.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await.assert_status(404);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM invoices WHERE id = '{ours}' AND status = 'draft'")), 1);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/invoices").await;
    let bad = priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "March")]).await;
    priya.follow(&bad).await.assert_contains("Choose the month to invoice.");
    priya.get("/billing/invoices").await;
    priya.post("/billing/invoices/prefix", &[("prefix", "NW 2026!")]).await;
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoice_counters WHERE prefix = 'INV-'"), 1);
    priya.get("/billing/invoices").await;
    priya.post("/billing/invoices/prefix", &[("prefix", "NW-")]).await;
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoice_counters WHERE prefix = 'NW-'"), 1);
    let _ = other;
}

/// Statements of the invoice list and an invoice page with `scale` invoices of `scale` lines each.
async fn statements(scale: usize) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let mut first = String::new();
    for month in 1..=scale {
        for day in 1..=scale {
            entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, &format!("2026-{month:02}-{day:02}"), 30, true);
        }
        let first_day = NaiveDate::from_ymd_opt(2026, month as u32, 1).unwrap();
        let generated = palisade::db::write_transaction(&mut app.conn(), |conn| {
            store::generate(conn, &f.msp, &f.t2, first_day, app.now())?
                .ok_or(diesel::result::Error::RollbackTransaction)
        })
        .unwrap();
        if first.is_empty() {
            first = generated.id.to_string();
        }
    }
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let mut counts = Vec::new();
    for path in ["/billing/invoices".to_string(), format!("/billing/invoices/{first}")] {
        counts.push(app.statements_of(&mut priya, &path).await);
    }
    counts
}

#[actix_web::test]
async fn the_invoice_list_and_an_invoice_cost_the_same_whatever_the_invoices_and_lines() {
    let (few, many) = (statements(1).await, statements(8).await);
    assert_eq!(few, many, "[list, invoice]");
    // Identity and context (two); the list's count, page and prefix; the invoice, its lines, the MSP and its
    // billing profile (the logo).
    assert!(few.iter().all(|n| *n <= 6), "{few:?}");
}

#[actix_web::test]
async fn an_invoice_is_emailed_to_the_billing_contact_with_the_invoice_attached() {
    let (app, f) = TestApp::with_msp().await;
    entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, "2026-03-02", 60, true);
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let id = matrix_invoice(&mut app.conn(), &f.msp, &f.t2);
    let to = format!("/billing/invoices/{id}");
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get(&to).await;
    let refused = priya.post(&format!("{to}/email"), &[]).await;
    priya.follow(&refused).await.assert_contains("Tier Two Legal has no billing contact with an email");
    billing_contact(&app, &f.t2, "bills@legal.test");
    let sent = priya.post(&format!("{to}/email"), &[]).await;
    let page = priya.follow(&sent).await;
    page.assert_contains("Invoice emailed to bills@legal.test.");
    assert_eq!(page::testid(&page.body, "invoice-status"), "Sent", "emailing a draft sends it");
    let mail = app.mail().await;
    let bill = mail.iter().find(|m| m.to == "bills@legal.test").expect("the billing contact's email");
    assert_eq!(bill.subject, "Invoice INV-1 from Northwind Managed IT");
    assert!(bill.text.contains("Please find attached invoice INV-1"), "{}", bill.text);
    let attached = "SELECT COUNT(*) AS n FROM outbox WHERE attachments LIKE '%INV-1.html%'";
    assert_eq!(rows(&app, attached), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "invoice.email").len(), 1);
}

/// Statements of the work types page, a client's billing page and its invoice preview with `scale` work types,
/// client rates, agreements and entries in the previewed month.
async fn terms_statements(scale: usize) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    for n in 0..scale {
        crate::billing::extra_work_type_with_rate(&mut app.conn(), &f.msp, &f.t2, &format!("Work {n}"));
        crate::billing::matrix_agreement(&mut app.conn(), &f.msp, &f.t2);
        entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, &format!("2026-03-{:02}", n + 1), 45, true);
    }
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let client = format!("/billing/clients/{}", f.t2);
    let mut counts = Vec::new();
    for path in ["/billing/work-types".to_string(), client.clone(), format!("{client}/invoice?month=2026-03")] {
        counts.push(app.statements_of(&mut priya, &path).await);
    }
    counts
}

#[actix_web::test]
async fn billing_terms_and_the_invoice_preview_cost_the_same_whatever_the_rates_agreements_and_entries() {
    let (few, many) = (terms_statements(1).await, terms_statements(10).await);
    assert_eq!(few, many, "[work types, client billing, preview]");
    assert!(few.iter().all(|n| *n <= 12), "{few:?}");
}

/// An agreement's form: (name, fee, included hours, overage rate, starts on, covered work type or "").
fn agreement_form(a: [&str; 6]) -> Vec<(&'static str, &str)> {
    let mut fields = vec![
        ("name", a[0]),
        ("monthly_fee", a[1]),
        ("included_hours", a[2]),
        ("overage_rate", a[3]),
        ("starts_on", a[4]),
    ];
    if !a[5].is_empty() {
        fields.push(("covers", a[5]));
    }
    fields
}

#[actix_web::test]
async fn every_agreement_running_in_the_month_bills_its_fee_and_its_own_hours() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "Remote"), ("rate", "100"), ("is_default", "1")]).await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "On-site"), ("rate", "150")]).await;
    use palisade::schema::work_types as w;
    let remote: String = w::table
        .filter(w::org_id.eq(&f.msp))
        .filter(w::name.eq("Remote"))
        .select(w::id)
        .first(&mut app.conn())
        .unwrap();
    let path = format!("/billing/clients/{}", f.t2);
    priya.get(&path).await.assert_contains("Time two agreements cover goes to the one that started first");
    // Alpha and Bravo started the same day (Alpha first by name); Aardvark started later, so it comes after
    // Alpha despite its name. Bravo covers all work, the other two only remote work.
    priya
        .post(&format!("{path}/agreements"), &agreement_form(["Alpha", "1000", "1", "90", "2026-01-01", &remote]))
        .await
        .assert_status(303);
    priya.get(&path).await;
    priya
        .post(&format!("{path}/agreements"), &agreement_form(["Bravo", "500", "0:30", "120", "2026-01-01", ""]))
        .await
        .assert_status(303);
    priya.get(&path).await;
    priya
        .post(&format!("{path}/agreements"), &agreement_form(["Aardvark", "10", "0", "1", "2026-02-01", &remote]))
        .await
        .assert_status(303);
    {
        use palisade::schema::time_entries as t;
        let mut conn = app.conn();
        let onsite: String =
            w::table.filter(w::org_id.eq(&f.msp)).filter(w::name.eq("On-site")).select(w::id).first(&mut conn).unwrap();
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-02", 90, true);
        entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-04", 20, true);
        let visit = entry(&mut conn, &f.msp, &f.t2, &f.tech, "2026-03-03", 45, true);
        diesel::update(t::table.find(&visit)).set(t::work_type_id.eq(&onsite)).execute(&mut conn).unwrap();
    }
    // Fees 1,000.00 + 500.00 + 10.00. Remote time is Alpha's: 90 min = 60 included + 30 over at 90.00/h = 45.00;
    // then 20 min all over = 30.00. On-site time is Bravo's only: 45 min = 30 included + 15 over at 120.00/h
    // = 30.00. Subtotal 1,510.00 + 45.00 + 30.00 + 30.00 = 1,615.00.
    let preview = priya.get(&format!("{path}/invoice?month=2026-03")).await;
    assert_eq!(page::testid(&preview.body, "invoice-subtotal"), "1,615.00");
    assert!(page::row(&preview.body, "Work of 90 min").contains("0:30 beyond the included hours of Alpha"));
    assert!(page::row(&preview.body, "Work of 20 min").contains("0:20 beyond the included hours of Alpha"));
    assert!(page::row(&preview.body, "Work of 45 min").contains("0:15 beyond the included hours of Bravo"));
    for fee in ["Alpha: monthly fee", "Bravo: monthly fee", "Aardvark: monthly fee"] {
        preview.assert_contains(fee);
    }
    // Refused: a technician, another tenant's people, a bad month; nothing written.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/time").await;
    tom.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get(&format!("{path}/invoice?month=2026-03")).await.assert_status(404);
    rita.get("/billing/invoices").await;
    rita.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await.assert_status(404);
    let bad = priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "March")]).await;
    priya.follow(&bad).await.assert_contains("Choose the month to invoice.");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoices"), 0);
    // Generated: the same lines as the preview (one function), each fee once, each covered line naming its
    // agreement.
    priya.post(&format!("/billing/clients/{}/invoices", f.t2), &[("month", "2026-03")]).await.assert_status(303);
    assert_eq!(
        rows(&app, "SELECT COUNT(*) AS n FROM invoices WHERE subtotal_cents = 161500 AND total_cents = 161500"),
        1
    );
    assert_eq!(
        rows(&app, "SELECT COUNT(*) AS n FROM invoice_lines WHERE kind = 'fee' AND fee_month = '2026-03' AND live"),
        3
    );
    let named = "SELECT COUNT(*) AS n FROM invoice_lines l JOIN agreements a ON a.id = l.agreement_id \
                 WHERE l.kind = 'overage' AND a.name = 'Alpha'";
    assert_eq!(rows(&app, named), 2);
    // Later March time: no fee again; Alpha's included hour is used up (overage), as is Bravo's half hour.
    entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, "2026-03-20", 30, true);
    let later = priya.get(&format!("{path}/invoice?month=2026-03")).await;
    assert_eq!(page::testid(&later.body, "invoice-subtotal"), "45.00");
    assert!(!later.contains("monthly fee"));
    // Every usage figure shares the time as the invoice does, so time two agreements cover counts once: remote
    // time (90 + 20 + 30 min) is Alpha's, on-site (45) Bravo's, none Aardvark's; the client uses 3:05 of 1:30.
    let csv = priya.get("/billing/reports/agreements.csv").await.body;
    for (agreement, used) in [("Alpha", ",60,140,0,80,"), ("Bravo", ",30,45,0,15,"), ("Aardvark", ",0,0,0,0,")] {
        let line = csv.lines().find(|l| l.contains(agreement)).unwrap_or_else(|| panic!("{agreement} in {csv}"));
        assert!(line.contains(used), "{agreement}: {line}");
    }
    let billing = priya.get(&path).await;
    assert!(page::row(&billing.body, "Alpha").contains(">2:20<"), "Alpha used 2:20");
    assert!(page::row(&billing.body, "Bravo").contains(">0:45<"), "Bravo used 0:45, not Alpha's time too");
    let client_page = priya.get(&format!("/msp/clients/{}", f.t2)).await;
    client_page.assert_contains("3:05 used, 0:00 left").assert_contains("of 1:30 agreement hours this month");
    let _ = other;
}
