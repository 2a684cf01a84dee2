//! Settings -> Portal: the client's portal branding with its contrast check, the logo and favicon, the custom
//! domain and its verification, the stylesheet of the client's colors, and emails in the client's look.

use diesel::prelude::*;

use crate::desk::post_multipart;
use crate::support::db::logged;
use crate::support::fixture::{self, count};
use crate::support::{TestApp, strip_tags};
use palisade::schema::{organizations, portal_settings as ps};

/// A PNG header of `width` x `height` pixels, padded to `size` bytes.
fn png(width: u32, height: u32, size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(b"\x08\x06\0\0\0");
    bytes.resize(size.max(bytes.len()), 0);
    bytes
}

/// An ICO with one `side` x `side` entry.
fn ico(side: u8) -> Vec<u8> {
    let mut bytes = vec![0, 0, 1, 0, 1, 0, side, side];
    bytes.resize(64, 0);
    bytes
}

fn rows(app: &TestApp, sql: &str) -> i64 {
    count(&mut app.conn(), sql)
}

const GOOD_FORM: &[(&str, &str)] = &[
    ("portal_name", "Tier Two Help"),
    ("primary_color", "#FDE047"),
    ("accent_color", "#0f766e"),
    ("welcome_markdown", "**Welcome** to the help desk <script>alert(1)</script>"),
    ("support_email", "Help@TierTwo.test"),
    ("support_phone", "+1 555 010 0100"),
    ("show_tickets", "1"),
    ("show_kb", "1"),
    ("allowed_priorities", "low"),
    ("allowed_priorities", "critical"),
    ("reopen_days", "30"),
];

#[actix_web::test]
async fn a_client_admin_brands_the_portal_and_weak_contrast_is_saved_with_a_warning() {
    let (app, f) = TestApp::with_msp().await;
    fixture::portal_user(&mut app.conn(), &f.t2, "erin@tiertwo.test", "Erin Enduser", None, false);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get("/settings/portal").await;
    page.assert_status(200).assert_contains("No logo yet").assert_contains("No custom domain");
    page.assert_contains(r##"value="#1d4ed8""##).assert_contains("http://localhost/portal/tier-two-legal");

    let saved = olive.post("/settings/portal", GOOD_FORM).await;
    saved.assert_status(303);
    let page = olive.follow(&saved).await;
    // Yellow takes dark text (readable) but is unreadable as text on the white page: saved, with the ratio.
    page.assert_contains("Portal settings saved, but some colors are hard to read: primary color on the page is 1.");
    page.assert_contains(r##"value="#fde047""##)
        .assert_contains("Below 4.5:1")
        .assert_contains("Buttons use dark text");
    page.assert_contains("<strong>Welcome</strong>").assert_not_contains("<script>alert(1)");
    assert_eq!(
        rows(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM portal_settings WHERE org_id = '{}' AND primary_color = '#fde047' \
                 AND allowed_priorities = 'critical,low' AND reopen_days = 30 AND show_chat = false \
                 AND show_kb = true AND support_email = 'help@tiertwo.test' AND portal_name = 'Tier Two Help'",
                f.t2
            )
        ),
        1
    );
    let log = logged(&mut app.conn(), &f.t2, "portal.branding");
    assert_eq!(log.len(), 1);
    assert!(strip_tags(&olive.get("/settings/activity").await.body).contains("changed the portal"));

    // The stylesheet carries the colors; its versioned address is cached for long, any other is not.
    let version = app.now().and_utc().timestamp();
    let mut visitor = app.client().await;
    let css = visitor.get(&format!("/portal/tier-two-legal/brand.css?v={version}")).await;
    css.assert_status(200).assert_contains("--brand-primary: #fde047;").assert_contains("--brand-on-primary: #111827;");
    assert_eq!(css.headers.get("content-type").unwrap(), "text/css; charset=utf-8");
    assert!(css.headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
    let stale = visitor.get("/portal/tier-two-legal/brand.css?v=1").await;
    assert_eq!(stale.headers.get("cache-control").unwrap(), "public, no-cache");
    visitor.get("/portal/no-such-client/brand.css").await.assert_status(404);
    visitor.get("/portal/northwind-managed-it/brand.css").await.assert_status(404);

    // The end user's portal wears the name, links the versioned stylesheet and shows the chosen sections only.
    let mut erin = app.client().await;
    erin.portal_sign_in("/portal/tier-two-legal", "erin@tiertwo.test").await;
    let home = erin.get("/portal/tier-two-legal").await;
    home.assert_status(200).assert_contains("Tier Two Help");
    home.assert_contains(&format!("/portal/tier-two-legal/brand.css?v={version}"));
    home.assert_contains("/portal/tier-two-legal/kb").assert_not_contains("/portal/tier-two-legal/compliance");

    // The page costs the context and one statement of its own, whatever is configured.
    assert_eq!(app.statements_of(&mut olive, "/settings/portal").await, 2);
}

#[actix_web::test]
async fn bad_colors_and_fields_are_refused_with_the_input_kept_and_nothing_saved() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/portal").await;
    let refused = olive
        .post(
            "/settings/portal",
            &[
                ("portal_name", "Kept name"),
                ("primary_color", "blue"),
                ("accent_color", "#12345"),
                ("support_email", "not an email"),
                ("support_phone", "call me maybe"),
                ("allowed_priorities", "urgent"),
                ("reopen_days", "400"),
            ],
        )
        .await;
    refused.assert_status(422).assert_contains("Nothing was saved");
    refused
        .assert_contains(r#"value="blue""#)
        .assert_contains(r##"value="#12345""##)
        .assert_contains(r#"value="Kept name""#);
    refused.assert_contains("Enter a color as # and six hexadecimal digits, like #1d4ed8.");
    refused.assert_contains("Enter an email address like name@example.com.");
    refused.assert_contains("Choose at least one of the listed priorities.");
    refused.assert_contains("Enter a number of days from 0 to 365.");
    refused.assert_contains(r#"id="primary_color" name="primary_color" type="text" value="blue""#);
    assert!(refused.body.contains(r#"aria-invalid="true""#));
    assert_eq!(rows(&app, "SELECT COUNT(*) AS n FROM portal_settings"), 0);
    assert!(logged(&mut app.conn(), &f.t2, "portal.branding").is_empty());
}

#[actix_web::test]
async fn only_client_admins_and_t3_staff_brand_a_portal_and_never_another_tenants() {
    let (app, f, other) = TestApp::with_tenants().await;
    // A technician (no ManageBranding) and MSP staff at T2 Operate are refused.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/settings/portal").await.assert_status(403);
    tom.post("/settings/portal", GOOD_FORM).await.assert_status(403);
    tom.post("/settings/portal/domain", &[("domain", "x.tiertwo.test")]).await.assert_status(403);
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t2).await;
    priya.get("/settings/portal").await.assert_status(403);
    priya.post("/settings/portal/logo/remove", &[]).await.assert_status(403);
    // At T3 Manage she may, in that client only.
    priya.switch_to(&f.t3).await;
    priya.get("/settings/portal").await.assert_status(200);
    let t3_form = [
        ("primary_color", "#7c3aed"),
        ("accent_color", "#be123c"),
        ("allowed_priorities", "high"),
        ("reopen_days", "7"),
    ];
    priya.post("/settings/portal", &t3_form).await.assert_status(303);
    assert_eq!(logged(&mut app.conn(), &f.t3, "portal.branding").len(), 1);
    // In the MSP itself there is no portal: the page says so and changes are not found.
    priya.switch_to(&f.msp).await;
    priya.get("/settings/portal").await.assert_status(200).assert_contains("Switch to a client");
    let msp = f.msp.to_string();
    let in_msp: Vec<(&str, &str)> = GOOD_FORM.iter().copied().chain([("_org", msp.as_str())]).collect();
    priya.post("/settings/portal", &in_msp).await.assert_status(404);

    // Another MSP's admin naming our client in the form gets nothing, and changes nothing.
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/settings/portal").await.assert_status(200).assert_not_contains("Tier Two");
    let mut fields: Vec<(&str, &str)> = GOOD_FORM.to_vec();
    let t2 = f.t2.to_string();
    fields.push(("_org", &t2));
    rita.post("/settings/portal", &fields).await.assert_status(404);
    assert_eq!(rows(&app, &format!("SELECT COUNT(*) AS n FROM portal_settings WHERE org_id = '{}'", f.t2)), 0);

    // Each client's stylesheet has its own colors only.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/portal").await;
    olive.post("/settings/portal", GOOD_FORM).await.assert_status(303);
    let mut visitor = app.client().await;
    let t3_css = visitor.get("/portal/tier-three-health/brand.css").await;
    t3_css.assert_contains("#7c3aed").assert_not_contains("#fde047");
    visitor.get("/portal/tier-two-legal/brand.css").await.assert_contains("#fde047").assert_not_contains("#7c3aed");
    visitor.get("/portal/rival-client-bakery/brand.css").await.assert_status(200).assert_contains("#1d4ed8");
}

fn image_key(app: &TestApp, client: &str, column: &str) -> Option<String> {
    let sql = format!("SELECT {column} FROM portal_settings WHERE org_id = '{client}'");
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        key: Option<String>,
    }
    let sql = sql.replacen(column, &format!("{column} AS key"), 1);
    diesel::sql_query(sql).get_result::<Key>(&mut app.conn()).ok().and_then(|k| k.key)
}

#[actix_web::test]
async fn the_logo_and_favicon_are_checked_images_served_safely_and_replaced_cleanly() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/portal").await;
    let refusals: [(&str, &str, Vec<u8>, &str); 6] = [
        ("logo", "logo.png", b"just text named like a picture".to_vec(), "logo.png is not a PNG, JPEG or WebP image."),
        (
            "logo",
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "is not a PNG",
        ),
        ("logo", "huge.png", png(600, 200, 300 * 1024), "huge.png is larger than 256 KB. Choose a smaller image."),
        (
            "favicon",
            "big.png",
            png(1024, 1024, 2048),
            "big.png is 1024 × 1024 pixels: a favicon is from 16 to 512 pixels a side.",
        ),
        ("favicon", "icon.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec(), "icon.jpg is not a PNG or ICO image."),
        ("favicon", "empty.ico", Vec::new(), "empty.ico is empty."),
    ];
    for (field, name, bytes, message) in refusals {
        let refused =
            post_multipart(&mut olive, &format!("/settings/portal/{field}"), &[], &[(field, name, &bytes)]).await;
        refused.assert_status(422).assert_contains(message).assert_contains(&format!(r#"id="{field}-error""#));
    }
    post_multipart(&mut olive, "/settings/portal/logo", &[], &[])
        .await
        .assert_status(422)
        .assert_contains("Choose an image");
    for folder in ["portal-logo", "portal-favicon"] {
        let prefix = format!("org/{}/{folder}", f.t2);
        assert_eq!(app.state.storage.list(&prefix).await.unwrap(), Vec::<String>::new(), "no file left behind");
    }
    assert!(logged(&mut app.conn(), &f.t2, "portal.branding").is_empty());

    let uploaded =
        post_multipart(&mut olive, "/settings/portal/logo", &[], &[("logo", "acme.png", &png(600, 150, 4096))]).await;
    uploaded.assert_status(303);
    olive.follow(&uploaded).await.assert_contains("The logo is on the portal now.").assert_contains("Remove the logo");
    post_multipart(&mut olive, "/settings/portal/favicon", &[], &[("favicon", "fav.ico", &ico(32))])
        .await
        .assert_status(303);
    let mut visitor = app.client().await;
    let logo = visitor.get("/portal/tier-two-legal/logo").await;
    logo.assert_status(200);
    assert_eq!(logo.headers.get("content-type").unwrap(), "image/png");
    assert_eq!(logo.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(logo.headers.get("content-security-policy").unwrap(), "default-src 'none'; sandbox");
    let favicon = visitor.get("/portal/tier-two-legal/favicon").await;
    assert_eq!(favicon.headers.get("content-type").unwrap(), "image/vnd.microsoft.icon");
    // Another client has neither.
    visitor.get("/portal/tier-three-health/logo").await.assert_status(404);
    visitor.get("/portal/tier-three-health/favicon").await.assert_status(404);

    // Replacing deletes the old file after the commit; removing clears the row and the file.
    let old = image_key(&app, &f.t2, "logo_key").expect("a logo");
    post_multipart(&mut olive, "/settings/portal/logo", &[], &[("logo", "new.png", &png(300, 100, 512))])
        .await
        .assert_status(303);
    assert!(!app.state.storage.exists(&old).await.unwrap(), "the replaced logo is gone");
    let new = image_key(&app, &f.t2, "logo_key").expect("the new logo");
    assert!(image_key(&app, &f.t2, "email_logo").unwrap().starts_with("data:image/png;base64,iVBORw0KGgo"));
    olive.get("/settings/portal").await;
    let removed = olive.post("/settings/portal/logo/remove", &[]).await;
    olive.follow(&removed).await.assert_contains("The logo is removed.").assert_contains("No logo yet");
    assert!(!app.state.storage.exists(&new).await.unwrap());
    assert_eq!(image_key(&app, &f.t2, "email_logo"), None);
    visitor.get("/portal/tier-two-legal/logo").await.assert_status(404);
    assert_eq!(logged(&mut app.conn(), &f.t2, "portal.branding").len(), 4);
}

#[actix_web::test]
async fn a_custom_domain_is_verified_by_its_txt_record_and_then_serves_the_clients_portal() {
    let (app, f) = TestApp::with_msp().await;
    fixture::portal_user(&mut app.conn(), &f.t2, "erin@tiertwo.test", "Erin Enduser", None, false);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/portal").await;
    olive.post("/settings/portal", GOOD_FORM).await.assert_status(303);
    for (typed, message) in [
        ("localhost", "Enter a domain name only"),
        ("https://help.tiertwo.test/x", "Enter a domain name only"),
        ("", "Enter the domain, like support.example.com."),
    ] {
        let refused = olive.post("/settings/portal/domain", &[("domain", typed)]).await;
        refused.assert_status(422).assert_contains(message);
    }
    let set = olive.post("/settings/portal/domain", &[("domain", " Help.TierTwo.TEST ")]).await;
    set.assert_status(303);
    let page = olive.follow(&set).await;
    page.assert_contains("_palisade-verify.help.tiertwo.test").assert_contains("Check now");
    let token: String = ps::table.select(ps::domain_token).first::<Option<String>>(&mut app.conn()).unwrap().unwrap();
    page.assert_contains(&token);

    // Not there yet, then a wrong value: refused, nothing verified.
    let missing = olive.post("/settings/portal/domain/check", &[]).await;
    missing.assert_status(422).assert_contains("No TXT record _palisade-verify.help.tiertwo.test was found yet");
    app.dns.set("_palisade-verify.help.tiertwo.test", &["someone-else"]);
    olive
        .post("/settings/portal/domain/check", &[])
        .await
        .assert_status(422)
        .assert_contains("holds someone-else, but not the token");
    let host: Option<String> =
        organizations::table.find(&f.t2).select(organizations::portal_host).first(&mut app.conn()).unwrap();
    assert_eq!(host, None);

    // Another client cannot take a domain pending here.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t3).await;
    priya.get("/settings/portal").await;
    let taken = priya.post("/settings/portal/domain", &[("domain", "help.tiertwo.test")]).await;
    taken
        .assert_status(422)
        .assert_contains("This domain is already used by another portal.")
        .assert_contains(r#"value="help.tiertwo.test""#);

    app.dns.set("_palisade-verify.help.tiertwo.test", &["v=other", &token]);
    let verified = olive.post("/settings/portal/domain/check", &[]).await;
    olive
        .follow(&verified)
        .await
        .assert_contains("The domain is verified")
        .assert_contains("https://help.tiertwo.test");
    let (host, pending): (Option<String>, Option<String>) = organizations::table
        .inner_join(ps::table)
        .filter(organizations::id.eq(&f.t2))
        .select((organizations::portal_host, ps::pending_domain))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((host.as_deref(), pending), (Some("help.tiertwo.test"), None));
    let details: Vec<String> = logged(&mut app.conn(), &f.t2, "portal.domain").into_iter().map(|l| l.details).collect();
    assert_eq!(details.len(), 2, "{details:?}");
    // Verified elsewhere now: still refused for another client.
    priya.post("/settings/portal/domain", &[("domain", "help.tiertwo.test")]).await.assert_status(422);

    // Requests on that host reach this client's portal, in its brand.
    let by_host = actix_web::test::TestRequest::get().uri("/").insert_header(("host", "help.tiertwo.test"));
    let mut visitor = app.client().await;
    visitor.send(by_host).await.assert_redirect("/sign-in?next=%2F");
    let mut erin = app.client().await;
    erin.portal_sign_in("/portal/tier-two-legal", "erin@tiertwo.test").await;
    let by_host = actix_web::test::TestRequest::get().uri("/").insert_header(("host", "help.tiertwo.test"));
    erin.send(by_host).await.assert_status(200).assert_contains("Tier Two Help");

    // Removing the domain takes the portal off it.
    olive.get("/settings/portal").await;
    let removed = olive.post("/settings/portal/domain/remove", &[]).await;
    olive.follow(&removed).await.assert_contains("The custom domain is removed").assert_contains("No custom domain");
    let by_host = actix_web::test::TestRequest::get().uri("/").insert_header(("host", "help.tiertwo.test"));
    erin.send(by_host).await.assert_status(404);
    assert_eq!(logged(&mut app.conn(), &f.t2, "portal.domain").len(), 3);
}

#[actix_web::test]
async fn ticket_notices_to_contacts_wear_the_portal_brand_and_link_to_the_ticket_in_the_portal() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/portal").await;
    olive.post("/settings/portal", GOOD_FORM).await.assert_status(303);
    post_multipart(&mut olive, "/settings/portal/logo", &[], &[("logo", "acme.png", &png(600, 150, 1024))])
        .await
        .assert_status(303);
    let (carl, dana) = {
        let mut conn = app.conn();
        (
            crate::desk::contact(&mut conn, &f.t2, "Carl Contact", "carl@tiertwo.test"),
            crate::desk::contact(&mut conn, &f.t3, "Dana Doctor", "dana@tierthree.test"),
        )
    };
    let (_, number) = crate::desk::ticket(&mut app.conn(), &f.t2, &f.client_admin, "Printer on fire", Some(&carl));
    let (_, other) = crate::desk::ticket(&mut app.conn(), &f.t3, &f.msp_admin, "Scanner jammed", Some(&dana));
    let mail = app.mail().await;
    let to_carl = mail.iter().find(|m| m.to.contains("carl@tiertwo.test")).expect("the requester's notice");
    let link = format!("http://localhost/portal/tier-two-legal/tickets/{number}");
    for expected in ["Tier Two Help", "data:image/png;base64,iVBORw0KGgo", "#fde047", &link, "color: #111827"] {
        assert!(to_carl.html.contains(expected), "{expected} in {}", to_carl.html);
    }
    assert!(to_carl.text.contains(&format!("View the ticket in the portal: {link}")), "{}", to_carl.text);
    // Another client's notice has its own (default) look and never this one's.
    let to_dana = mail.iter().find(|m| m.to.contains("dana@tierthree.test")).expect("the other notice");
    assert!(to_dana.html.contains("Tier Three Health") && to_dana.html.contains("#1d4ed8"));
    assert!(to_dana.html.contains(&format!("http://localhost/portal/tier-three-health/tickets/{other}")));
    for foreign in ["Tier Two Help", "#fde047", "data:image", "tier-two-legal"] {
        assert!(!to_dana.html.contains(foreign), "{foreign} leaked into another client's email");
    }

    // Once the domain is verified, links go there; a portal without tickets links nowhere.
    diesel::update(organizations::table.find(&f.t2))
        .set(organizations::portal_host.eq(Some("help.tiertwo.test")))
        .execute(&mut app.conn())
        .unwrap();
    let (_, second) = crate::desk::ticket(&mut app.conn(), &f.t2, &f.client_admin, "Toner empty", Some(&carl));
    diesel::update(ps::table.find(&f.t2)).set(ps::show_tickets.eq(false)).execute(&mut app.conn()).unwrap();
    let (_, third) = crate::desk::ticket(&mut app.conn(), &f.t2, &f.client_admin, "Fax broken", Some(&carl));
    let mail = app.mail().await;
    let notice = |number: i64| {
        mail.iter().find(|m| m.to.contains("carl@") && m.subject.contains(&format!("[#{number}]"))).expect("notice")
    };
    assert!(notice(second).html.contains(&format!("https://help.tiertwo.test/tickets/{second}")));
    assert!(!notice(third).html.contains("/tickets/") && !notice(third).text.contains("View the ticket"));
    assert!(notice(third).html.contains("Tier Two Help"), "still in the brand");
}
