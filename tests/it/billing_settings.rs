//! The MSP's billing settings: its currency (stamped on each invoice) and the logo on its invoices (printed page
//! and emailed attachment).

use crate::desk::post_multipart;
use crate::invoices::{entry, matrix_invoice};
use crate::support::TestApp;
use crate::support::db::logged;
use crate::support::fixture::count;

/// The smallest bytes `storage` sniffs as a PNG: the signature and an IHDR chunk.
fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.resize(size.max(bytes.len()), 0);
    bytes
}

fn rows(app: &TestApp, sql: &str) -> i64 {
    count(&mut app.conn(), sql)
}

#[actix_web::test]
async fn the_currency_and_logo_go_on_new_invoices_and_an_invoice_keeps_its_currency() {
    let (app, f) = TestApp::with_msp().await;
    entry(&mut app.conn(), &f.msp, &f.t2, &f.tech, "2026-03-02", 60, true);
    crate::billing::matrix_fixture(&mut app.conn(), &f.msp, &f.t2);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let settings = priya.get("/billing/settings").await;
    settings.assert_status(200).assert_contains("No logo yet");
    assert!(settings.body.contains(r#"<option value="USD" selected>"#), "USD until the MSP chooses");
    let saved = priya.post("/billing/settings/currency", &[("currency", "EUR")]).await;
    priya.follow(&saved).await.assert_contains("Rates, fees and new invoices are now in EUR.");
    let uploaded = post_multipart(&mut priya, "/billing/logo", &[], &[("logo", "northwind.png", &png(2048))]).await;
    uploaded.assert_status(303);
    priya
        .follow(&uploaded)
        .await
        .assert_contains("The logo is on your invoices now.")
        .assert_contains("image/png, 3 KB");
    let logo = priya.get("/billing/logo").await;
    logo.assert_status(200);
    assert_eq!(logo.headers.get("content-type").unwrap(), "image/png");
    assert_eq!(logo.headers.get("x-content-type-options").unwrap(), "nosniff");

    let id = matrix_invoice(&mut app.conn(), &f.msp, &f.t2);
    let invoice = priya.get(&format!("/billing/invoices/{id}")).await;
    invoice.assert_contains(r#"<img src="/billing/logo" alt="Northwind Managed IT" class="invoice-logo">"#);
    invoice.assert_contains("Amount (EUR)");
    priya.get("/billing/invoices").await.assert_contains(" EUR</td>");
    let csv = priya.get("/billing/invoices.csv").await;
    assert!(csv.body.starts_with("number,client,period_start,period_end,status,currency,"), "{}", csv.body);
    assert!(csv.body.contains(",draft,EUR,"), "{}", csv.body);
    let lines = priya.get(&format!("/billing/invoices/{id}/lines.csv")).await;
    assert!(lines.body.lines().nth(1).unwrap().contains(",EUR,"), "{}", lines.body);

    // The emailed attachment carries the logo inside it.
    crate::invoices::billing_contact(&app, &f.t2, "bills@legal.test");
    priya.get(&format!("/billing/invoices/{id}")).await;
    priya.post(&format!("/billing/invoices/{id}/email"), &[]).await.assert_status(303);
    let key = format!("invoices/{}/{id}.html", f.msp);
    let attachment = String::from_utf8(app.state.storage.get(&key).await.unwrap().to_vec()).unwrap();
    assert!(attachment.contains(r#"<img src="data:image/png;base64,iVBORw0KGgo"#), "the logo is embedded");
    assert!(attachment.contains("Amount (EUR)"));
    assert!(app.mail().await.iter().any(|m| m.text.contains("EUR due")));

    // A later change of currency leaves the invoice as it was generated.
    priya.get("/billing/settings").await;
    priya.post("/billing/settings/currency", &[("currency", "gbp")]).await.assert_status(303);
    priya.get(&format!("/billing/invoices/{id}")).await.assert_contains("Amount (EUR)");
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM invoices WHERE id = '{id}' AND currency = 'EUR'")), 1);
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM billing_profiles WHERE currency = 'GBP'"), 1);
    assert_eq!(logged(&mut app.conn(), &f.msp, "billing.settings").len(), 3);

    // Replacing the logo deletes the old file; removing it leaves the invoice with the name only.
    let old: String = rows_key(&app);
    let replaced = post_multipart(&mut priya, "/billing/logo", &[], &[("logo", "new.png", &png(100))]).await;
    replaced.assert_status(303);
    assert!(!app.state.storage.exists(&old).await.unwrap(), "the replaced logo is gone from storage");
    let new = rows_key(&app);
    priya.get("/billing/settings").await;
    priya.post("/billing/logo/remove", &[]).await.assert_status(303);
    assert!(!app.state.storage.exists(&new).await.unwrap());
    priya.get(&format!("/billing/invoices/{id}")).await.assert_not_contains("invoice-logo");
    priya.get("/billing/logo").await.assert_status(404);
}

fn rows_key(app: &TestApp) -> String {
    use diesel::prelude::*;
    use palisade::schema::billing_profiles as b;
    b::table.select(b::logo_key).first::<Option<String>>(&mut app.conn()).unwrap().expect("a logo")
}

#[actix_web::test]
async fn a_fake_or_oversized_logo_and_an_unknown_currency_are_refused_with_nothing_saved() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/settings").await;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("logo.png", b"just some text, named like a picture".to_vec(), "logo.png is not a PNG, JPEG or WebP image."),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "is not a PNG",
        ),
        ("huge.png", png(600 * 1024), "huge.png is larger than 512 KB. Choose a smaller image."),
        ("empty.png", Vec::new(), "empty.png is empty."),
    ];
    for (name, bytes, message) in cases {
        let refused = post_multipart(&mut priya, "/billing/logo", &[], &[("logo", name, &bytes)]).await;
        refused.assert_status(422).assert_contains(message).assert_contains(r#"aria-invalid="true""#);
    }
    post_multipart(&mut priya, "/billing/logo", &[], &[]).await.assert_status(422).assert_contains("Choose an image");
    let unknown = priya.post("/billing/settings/currency", &[("currency", "XYZ")]).await;
    unknown.assert_status(422).assert_contains("Choose one of the listed currencies.");
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM billing_profiles"), 0);
    let prefix = format!("org/{}/billing-logo", f.msp);
    assert_eq!(app.state.storage.list(&prefix).await.unwrap(), Vec::<String>::new(), "no file left behind");
    assert!(logged(&mut app.conn(), &f.msp, "billing.settings").is_empty());
}

#[actix_web::test]
async fn billing_settings_are_the_msps_billing_peoples_only() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.get("/billing/settings").await;
    priya.post("/billing/settings/currency", &[("currency", "CAD")]).await.assert_status(303);
    post_multipart(&mut priya, "/billing/logo", &[], &[("logo", "n.png", &png(64))]).await.assert_status(303);

    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.get("/billing/settings").await.assert_status(403);
    tom.get("/billing/logo").await.assert_status(403);
    tom.post("/billing/settings/currency", &[("currency", "EUR")]).await.assert_status(403);
    tom.post("/billing/logo/remove", &[]).await.assert_status(403);

    // Another MSP has its own settings: it sees neither our currency nor our logo, and changes only its own.
    let mut rita = app.signed_in("admin@contoso.test").await;
    let theirs = rita.get("/billing/settings").await;
    assert!(theirs.body.contains(r#"<option value="USD" selected>"#));
    theirs.assert_contains("No logo yet");
    rita.get("/billing/logo").await.assert_status(404);
    rita.post("/billing/logo/remove", &[]).await.assert_status(303);
    assert_eq!(
        rows(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM billing_profiles WHERE org_id = '{}' AND currency = 'CAD' AND logo_key IS NOT NULL",
                f.msp
            )
        ),
        1
    );
    assert_eq!(
        rows(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM billing_profiles WHERE org_id = '{}' AND logo_key IS NOT NULL",
                other.msp
            )
        ),
        0
    );
}
