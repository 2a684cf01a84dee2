//! Billing terms: work types with default rates, a client's rounding rule, tax rate and own rates, agreements
//! with their use this month; forbidden roles, another tenant's ids and bad input.

use diesel::prelude::*;

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page};
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};

fn rows(app: &TestApp, sql: &str) -> i64 {
    count(&mut app.conn(), sql)
}

/// A work type of `msp` (the default one) and a rate of `client` for it: the access matrix's ids.
pub fn matrix_fixture(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> (String, String) {
    work_type_with_rate(conn, msp, client, "Fixture work", true)
}

/// One more (not default) work type of `msp` named `name`, with a rate of `client` for it.
pub fn extra_work_type_with_rate(conn: &mut DbConnection, msp: &OrgId, client: &OrgId, name: &str) -> (String, String) {
    work_type_with_rate(conn, msp, client, name, false)
}

fn work_type_with_rate(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    name: &str,
    is_default: bool,
) -> (String, String) {
    use palisade::schema::{client_rates as r, work_types as w};
    let (work_type, rate) = (palisade::db::new_id(), palisade::db::new_id());
    let now = crate::support::start_time();
    diesel::insert_into(w::table)
        .values((
            w::id.eq(&work_type),
            w::org_id.eq(msp),
            w::name.eq(name),
            w::hourly_rate_cents.eq(10_000i64),
            w::is_default.eq(is_default),
            w::created_at.eq(now),
            w::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(r::table)
        .values((
            r::id.eq(&rate),
            r::org_id.eq(msp),
            r::client_org_id.eq(client),
            r::work_type_id.eq(&work_type),
            r::hourly_rate_cents.eq(12_000i64),
            r::created_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    (work_type, rate)
}

/// An agreement of `msp` with `client` (the access matrix's `{agreement_id}`).
pub fn matrix_agreement(conn: &mut DbConnection, msp: &OrgId, client: &OrgId) -> String {
    let input = palisade::billing::models::AgreementInput {
        name: "Fixture agreement".into(),
        monthly_fee_cents: 100_000,
        included_minutes: 600,
        overage_rate_cents: 11_000,
        starts_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ends_on: None,
        covered: vec![],
    };
    let now = crate::support::start_time();
    palisade::billing::models::insert_agreement(conn, msp, client, &input, now).unwrap().to_string()
}

fn work_type_id(app: &TestApp, msp: &OrgId, name: &str) -> String {
    use palisade::schema::work_types as w;
    w::table.filter(w::org_id.eq(msp)).filter(w::name.eq(name)).select(w::id).first(&mut app.conn()).unwrap()
}

#[actix_web::test]
async fn work_types_have_a_default_rate_and_unique_names() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await.assert_status(200).assert_contains("No work types yet.");
    let added =
        priya.post("/billing/work-types", &[("name", "Remote support"), ("rate", "125"), ("is_default", "1")]).await;
    added.assert_redirect("/billing/work-types");
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "On-site"), ("rate", "150.50"), ("is_default", "1")]).await;
    let page = priya.get("/billing/work-types").await;
    assert!(
        page::row(&page.body, "On-site").contains("150.50") && page::row(&page.body, "On-site").contains("Default")
    );
    assert!(!page::row(&page.body, "Remote support").contains("badge-ok"), "one default at a time");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM work_types WHERE org_id = '{}' AND hourly_rate_cents = 15050 AND is_default",
        f.msp
    );
    assert_eq!(rows(&app, &sql), 1);
    // Bad input: the message next to the field, the input kept, nothing written.
    let dup = priya.post("/billing/work-types", &[("name", "remote SUPPORT"), ("rate", "99")]).await;
    dup.assert_status(422)
        .assert_contains("A work type of this name exists already.")
        .assert_contains("remote SUPPORT");
    let bad = priya.post("/billing/work-types", &[("name", "After hours"), ("rate", "12.345")]).await;
    bad.assert_status(422).assert_contains("Enter the hourly rate as an amount").assert_contains("12.345");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM work_types"), 2);
    // A change.
    let remote = work_type_id(&app, &f.msp, "Remote support");
    priya
        .post(&format!("/billing/work-types/{remote}"), &[("name", "Remote support"), ("rate", "130")])
        .await
        .assert_status(303);
    assert_eq!(
        rows(
            &app,
            &format!("SELECT COUNT(*) AS n FROM work_types WHERE id = '{remote}' AND hourly_rate_cents = 13000")
        ),
        1
    );
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.work_type_add").len(), 2);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.work_type_update")[0].details, "130.00/h");
    // Technicians see no rates; another tenant cannot change ours.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/billing/work-types").await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get("/billing/work-types").await.assert_not_contains("Remote support");
    rita.post(&format!("/billing/work-types/{remote}"), &[("name", "Hijacked"), ("rate", "1")])
        .await
        .assert_status(404);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM work_types WHERE name = 'Hijacked'"), 0);
    let _ = other;
}

#[actix_web::test]
async fn a_clients_rounding_tax_and_own_rates() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (theirs, _) = matrix_fixture(&mut app.conn(), &other.msp, &other.client);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "Remote support"), ("rate", "125")]).await;
    let path = format!("/billing/clients/{}", f.t2);
    priya.get(&path).await.assert_status(200).assert_contains("Exact minutes; tax 0 %");
    let bad =
        priya.post(&format!("{path}/terms"), &[("round_up_to", "15"), ("minimum", "30"), ("tax_rate", "8.255")]).await;
    bad.assert_status(422).assert_contains("Enter the tax rate as a percentage").assert_contains("8.255");
    let saved =
        priya.post(&format!("{path}/terms"), &[("round_up_to", "15"), ("minimum", "30"), ("tax_rate", "8.25")]).await;
    saved.assert_redirect(&path);
    priya.follow(&saved).await.assert_contains("Up to the next 15 minutes, at least 30 minutes per entry; tax 8.25 %");
    let terms = format!(
        "SELECT COUNT(*) AS n FROM client_billing WHERE org_id = '{}' AND client_org_id = '{}' AND round_up_to_minutes = 15 AND minimum_minutes = 30 AND tax_rate_bp = 825",
        f.msp, f.t2
    );
    assert_eq!(rows(&app, &terms), 1);
    // Own rate, replacing the previous one.
    let remote = work_type_id(&app, &f.msp, "Remote support");
    priya.post(&format!("{path}/rates"), &[("work_type", remote.as_str()), ("rate", "140")]).await.assert_status(303);
    priya.get(&path).await;
    priya.post(&format!("{path}/rates"), &[("work_type", remote.as_str()), ("rate", "145.5")]).await.assert_status(303);
    priya.get(&path).await.assert_contains("Remote support: 145.50 USD/h (this client)");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM client_rates WHERE hourly_rate_cents = 14550"), 1);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM client_rates WHERE client_org_id = '{}'", f.t2)), 1);
    // Another tenant's work type, another tenant's client.
    let foreign = priya.post(&format!("{path}/rates"), &[("work_type", theirs.as_str()), ("rate", "1")]).await;
    foreign.assert_status(422).assert_contains("Choose one of your work types.");
    priya.get(&format!("/billing/clients/{}", other.client)).await.assert_status(404);
    priya.post(&format!("/billing/clients/{}/terms", other.client), &[("tax_rate", "1")]).await.assert_status(404);
    // Technicians: no rates.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(&path).await.assert_status(403);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.terms").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.rate_set").len(), 2);
}

/// A time entry of Tom's (the technician) in the MSP's books: (client, day, minutes, billable, work type).
fn entry(
    conn: &mut DbConnection,
    f: &crate::support::fixture::Msp,
    (client, day, minutes, billable, work_type): (&OrgId, &str, i32, bool, Option<&str>),
) {
    let (msp, user): (&OrgId, &UserId) = (&f.msp, &f.tech);
    use palisade::schema::time_entries as t;
    let now = crate::support::start_time();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(palisade::db::new_id()),
            t::org_id.eq(msp),
            t::client_org_id.eq(client),
            t::user_id.eq(user),
            t::work_date.eq(day),
            t::minutes.eq(minutes),
            t::billable.eq(billable),
            t::work_type_id.eq(work_type),
            t::created_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
}

#[actix_web::test]
async fn agreements_show_the_hours_used_and_remaining_this_month() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "Remote support"), ("rate", "125"), ("is_default", "1")]).await;
    priya.get("/billing/work-types").await;
    priya.post("/billing/work-types", &[("name", "On-site"), ("rate", "150")]).await;
    let (remote, onsite) = (work_type_id(&app, &f.msp, "Remote support"), work_type_id(&app, &f.msp, "On-site"));
    let path = format!("/billing/clients/{}", f.t2);
    priya.get(&path).await.assert_contains("No agreement");
    let bad = priya
        .post(
            &format!("{path}/agreements"),
            &[
                ("name", "Managed"),
                ("monthly_fee", "1500"),
                ("included_hours", "ten"),
                ("overage_rate", "110"),
                ("starts_on", "2026-03-01"),
                ("ends_on", "2026-02-01"),
            ],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("Enter the included hours per month")
        .assert_contains("The end must be on or after the start.");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM agreements"), 0);
    let added = priya
        .post(
            &format!("{path}/agreements"),
            &[
                ("name", "Managed"),
                ("monthly_fee", "1,500"),
                ("included_hours", "10"),
                ("overage_rate", "110"),
                ("starts_on", "2026-03-01"),
                ("covers", remote.as_str()),
            ],
        )
        .await;
    added.assert_redirect(&path);
    let sql = "SELECT COUNT(*) AS n FROM agreements WHERE monthly_fee_cents = 150000 AND included_minutes = 600 AND overage_rate_cents = 11000";
    assert_eq!(rows(&app, sql), 1);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM agreement_work_types"), 1);
    // March: 2 h remote and 1 h without a work type (the default: remote) count; on-site, non-billable time,
    // February and another client do not.
    {
        let mut conn = app.conn();
        entry(&mut conn, &f, (&f.t2, "2026-03-02", 120, true, Some(&remote)));
        entry(&mut conn, &f, (&f.t2, "2026-03-03", 60, true, None));
        entry(&mut conn, &f, (&f.t2, "2026-03-03", 60, true, Some(&onsite)));
        entry(&mut conn, &f, (&f.t2, "2026-03-04", 30, false, Some(&remote)));
        entry(&mut conn, &f, (&f.t2, "2026-02-27", 300, true, Some(&remote)));
        entry(&mut conn, &f, (&f.t3, "2026-03-04", 300, true, Some(&remote)));
    }
    let page = priya.get(&path).await;
    page.assert_contains("Agreements · March 2026");
    assert_eq!(page::testid(&page.body, "agreement-used"), "3:00");
    assert_eq!(page::testid(&page.body, "agreement-remaining"), "7:00");
    assert!(page::row(&page.body, "Managed").contains("1,500.00"));
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.agreement_add").len(), 1);
    // The client page links to the billing page for those who bill, and shows the same use (its one batched
    // statement follows the covered work types and the default too); so does the MSP dashboard.
    let client_page = priya.get(&format!("/msp/clients/{}", f.t2)).await;
    client_page.assert_contains(&format!("href=\"{path}\"")).assert_contains("3:00 used, 7:00 left");
    let dashboard = priya.get("/msp/dashboard").await;
    assert!(page::row(&dashboard.body, "Tier Two Legal").contains("3:00 of 10:00"));
    assert!(page::row(&dashboard.body, "Tier Three Health").contains("—"), "no agreement there");
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(&format!("/msp/clients/{}", f.t2)).await.assert_not_contains(&format!("href=\"{path}\""));

    // Changed, then ended on the last day of February: no longer running in March.
    let id: String = {
        use palisade::schema::agreements as a;
        a::table.filter(a::org_id.eq(&f.msp)).select(a::id).first(&mut app.conn()).unwrap()
    };
    let form = priya.get(&format!("{path}?edit={id}")).await;
    form.assert_status(200).assert_contains("Change Managed").assert_contains("value=\"10:00\"");
    form.assert_contains(&format!("action=\"{path}/agreements/{id}\""));
    let change = |included: &'static str, ends_on: &'static str| {
        vec![
            ("name", "Managed"),
            ("monthly_fee", "1500"),
            ("included_hours", included),
            ("overage_rate", "110"),
            ("starts_on", "2026-01-01"),
            ("ends_on", ends_on),
            ("covers", remote.as_str()),
        ]
    };
    let refused = priya.post(&format!("{path}/agreements/{id}"), &change("12", "2025-12-31")).await;
    refused
        .assert_status(422)
        .assert_contains("The end must be on or after the start.")
        .assert_contains("Change Managed");
    let ended = priya.post(&format!("{path}/agreements/{id}"), &change("12", "2026-02-28")).await;
    ended.assert_redirect(&path);
    priya.follow(&ended).await.assert_contains("Agreement Managed saved.").assert_contains("Not running this month");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM agreements WHERE id = '{id}' AND included_minutes = 720 AND ends_on = '2026-02-28'"
    );
    assert_eq!(rows(&app, &sql), 1);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM agreement_work_types WHERE agreement_id = '{id}'")), 1);
    let log = logged(&mut app.conn(), &f.msp, "billing.agreement_update");
    assert_eq!(
        log[0].details,
        "Managed: 1,500.00/month with 12:00 h included, overage 110.00/h, 2026-01-01 to 2026-02-28"
    );
    assert!(page::row(&priya.get("/msp/dashboard").await.body, "Tier Two Legal").contains("—"));
    // Another client's path, another tenant's client, a technician: nothing changes.
    priya.get(&format!("/billing/clients/{}", f.t3)).await;
    let wrong = priya.post(&format!("/billing/clients/{}/agreements/{id}", f.t3), &change("1", "")).await;
    wrong.assert_status(404);
    priya.get(&path).await;
    let foreign = priya.post(&format!("/billing/clients/{}/agreements/{id}", other.client), &change("1", "")).await;
    foreign.assert_status(404);
    tom.post(&format!("{path}/agreements/{id}"), &change("1", "")).await.assert_status(403);
    assert_eq!(rows(&app, &sql), 1, "unchanged");
}

#[actix_web::test]
async fn entries_take_one_of_the_msps_work_types() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (ours, _) = matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let (theirs, _) = matrix_fixture(&mut app.conn(), &other.msp, &other.client);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/time").await.assert_contains("Fixture work");
    let client = f.t2.to_string();
    let fields = |work_type: &'static str| {
        [("client", ""), ("work_date", "2026-03-02"), ("duration", "30"), ("work_type", work_type)]
    };
    let mut refused = fields("");
    (refused[0].1, refused[3].1) = (client.as_str(), theirs.as_str());
    tom.post("/time/entries", &refused).await.assert_status(422).assert_contains("Choose one of your work types.");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM time_entries"), 0);
    let mut accepted = fields("");
    (accepted[0].1, accepted[3].1) = (client.as_str(), ours.as_str());
    tom.post("/time/entries", &accepted).await.assert_status(303);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE work_type_id = '{ours}'")), 1);
    let sheet = tom.get("/time").await;
    assert!(page::row(&sheet.body, "2026-03-02").contains("Fixture work"));
}

#[actix_web::test]
async fn archived_work_types_leave_the_entry_forms_and_stay_on_entries_and_invoices() {
    let (app, f, other) = TestApp::with_tenants().await;
    let (default, _) = matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let (onsite, _) = extra_work_type_with_rate(&mut app.conn(), &f.msp, &f.t2, "On-site");
    let (theirs, _) = extra_work_type_with_rate(&mut app.conn(), &other.msp, &other.client, "Theirs");
    let day = crate::support::start_time().date().to_string();
    entry(&mut app.conn(), &f, (&f.t2, &day, 30, true, Some(&onsite)));
    let archived = |id: &str| {
        rows(&app, &format!("SELECT COUNT(*) AS n FROM work_types WHERE id = '{id}' AND archived_at IS NOT NULL"))
    };
    // A technician may not archive; another tenant's work type is not found; the default stays.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.post(&format!("/billing/work-types/{onsite}/archive"), &[]).await.assert_status(403);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/work-types").await;
    priya.post(&format!("/billing/work-types/{theirs}/archive"), &[]).await.assert_status(404);
    let refused = priya.post(&format!("/billing/work-types/{default}/archive"), &[]).await;
    priya.follow(&refused).await.assert_contains("make another one the default before archiving it");
    assert_eq!(archived(&default) + archived(&onsite) + archived(&theirs), 0);
    // Archived: marked on the work types page, logged, no longer changed by its form.
    let done = priya.post(&format!("/billing/work-types/{onsite}/archive"), &[]).await;
    let page = priya.follow(&done).await;
    page.assert_contains("Work type On-site archived.");
    assert!(page::row(&page.body, "On-site").contains("Archived"));
    assert_eq!(archived(&onsite), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.work_type_archive").len(), 1);
    let change = priya.post(&format!("/billing/work-types/{onsite}"), &[("name", "On-site"), ("rate", "1")]).await;
    change.assert_status(422).assert_contains("Restore this work type before changing it.");
    // Gone from the timesheet's form and the ticket's; still on the entry that has it.
    crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "Printer jams", None);
    let sheet = tom.get("/time").await;
    assert!(!sheet.contains(&format!("value=\"{onsite}\"")), "not offered on the timesheet");
    assert!(page::row(&sheet.body, &day).contains("On-site"), "the entry keeps it");
    let client = f.t2.to_string();
    let posted = [
        ("client", client.as_str()),
        ("work_date", day.as_str()),
        ("duration", "20"),
        ("notes", "Kept"),
        ("work_type", onsite.as_str()),
    ];
    let refused = tom.post("/time/entries", &posted).await;
    refused.assert_status(422).assert_contains("Choose one of your work types.").assert_contains("Kept");
    tom.switch_to(&f.t2).await;
    assert!(!tom.get("/tickets/1").await.contains(&format!("value=\"{onsite}\"")));
    let refused = tom.post("/tickets/1/time", &posted[1..]).await;
    refused.assert_status(422).assert_contains("Choose one of your work types.");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM time_entries"), 1);
    // The invoice still bills it as On-site, at its rate.
    let preview = priya.get(&format!("/billing/clients/{}/invoice", f.t2)).await;
    preview.assert_status(200).assert_contains("On-site");
    // Restored: offered again, logged.
    priya.get("/billing/work-types").await;
    priya.post(&format!("/billing/work-types/{onsite}/restore"), &[]).await.assert_status(303);
    assert_eq!(archived(&onsite), 0);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.work_type_restore").len(), 1);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/time").await.assert_contains(&format!("value=\"{onsite}\""));
    tom.post("/time/entries", &posted).await.assert_status(303);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE work_type_id = '{onsite}'")), 2);
}

#[actix_web::test]
async fn this_month_is_the_msps_month_on_every_page() {
    let (app, f, other) = TestApp::with_tenants().await;
    // Tokyo is nine hours ahead: 2026-03-31 15:30 UTC is 00:30 on 1 April there.
    diesel::sql_query(format!("UPDATE organizations SET timezone = 'Asia/Tokyo' WHERE id = '{}'", f.msp))
        .execute(&mut app.conn())
        .unwrap();
    let at =
        |d: u32, h: u32, m: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap();
    app.state.clock.set(at(31, 15, 30));
    let (remote, _) = matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let agreement = matrix_agreement(&mut app.conn(), &f.msp, &f.t2);
    // 2:00 in March, 0:45 on 1 April (Tokyo's today): April's figures show only the 0:45.
    entry(&mut app.conn(), &f, (&f.t2, "2026-03-31", 120, true, Some(&remote)));
    entry(&mut app.conn(), &f, (&f.t2, "2026-04-01", 45, true, Some(&remote)));
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let dashboard = priya.get("/msp/dashboard").await;
    assert!(page::row(&dashboard.body, "Tier Two Legal").contains("0:45 of 10:00"), "the dashboard");
    priya.get(&format!("/msp/clients/{}", f.t2)).await.assert_contains("0:45 used, 9:15 left");
    let billing = priya.get(&format!("/billing/clients/{}", f.t2)).await;
    assert!(page::row(&billing.body, "Fixture agreement").contains("0:45"), "the billing page");
    priya.get(&format!("/billing/clients/{}/invoice", f.t2)).await.assert_contains("April 2026");
    let usage = priya.get("/billing/reports/agreements.csv").await;
    assert!(usage.body.contains("2026-04,Tier Two Legal,Fixture agreement,600,45,555,0,"), "{}", usage.body);
    // A minute before midnight in Tokyo it is still March everywhere.
    app.state.clock.set(at(31, 14, 59));
    let dashboard = priya.get("/msp/dashboard").await;
    assert!(page::row(&dashboard.body, "Tier Two Legal").contains("2:00 of 10:00"));
    priya.get(&format!("/msp/clients/{}", f.t2)).await.assert_contains("2:00 used, 8:00 left");
    // Another tenant's people see none of it; a technician sees no agreement hours.
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.get(&format!("/msp/clients/{}", f.t2)).await.assert_status(404);
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get(&format!("/billing/clients/{}", f.t2)).await.assert_status(403);
    let _ = (other, agreement);
}

#[actix_web::test]
async fn the_load_demo_seeds_this_months_time_and_two_years_of_invoices() {
    let app = TestApp::new().await;
    let scale = palisade::orgs::demo::Scale { clients: 3, users: 10, time_entries: 60, ..Default::default() };
    let report = palisade::orgs::demo::seed_scale(&app.state.db, &scale).expect("the load demo");
    assert!(report.contains("60 time entries for Client 00000"), "{report}");
    let busy = "(SELECT id FROM organizations WHERE slug = 'client-00000')";
    let month = format!("SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id IS NULL AND client_org_id = {busy}");
    assert_eq!(rows(&app, &month), 60, "this month's entries are all unbilled");
    let admin = "(SELECT id FROM users WHERE email = 'admin@load.test')";
    assert!(
        rows(&app, &format!("SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id IS NULL AND user_id = {admin}"))
            >= 20
    );
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoices WHERE status = 'paid'"), 3 * 23);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoices WHERE status = 'sent'"), 3);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM time_entries WHERE invoice_id IS NOT NULL"), 3 * 24 * 3);
    let agreement = format!("SELECT COUNT(*) AS n FROM agreements WHERE client_org_id = {busy}");
    assert_eq!(rows(&app, &agreement), 1);
    // The busy client's past invoices bill the agreement's fee, once a month.
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM invoice_lines WHERE kind = 'fee' AND live"), 24);
    // Seeding again is refused (the load demo needs an empty database).
    assert!(palisade::orgs::demo::seed_scale(&app.state.db, &scale).is_err());
}
