//! Onboarding, sign-in, sessions, passwords, rate limits, csrf and same-origin checks.

use actix_web::test;
use diesel::prelude::*;

use crate::support::fixture::{self, count};
use crate::support::{PASSWORD, TestApp};
use palisade::schema::{activity_log, password_resets, users};

const ONBOARD: &[(&str, &str)] = &[
    ("mode", "msp"),
    ("org_name", "Northwind Managed IT"),
    ("contact_email", "ops@northwind.test"),
    ("timezone", "America/Chicago"),
    ("admin_name", "Morgan Hale"),
    ("admin_email", "Morgan@Northwind.test"),
    ("password", "a long enough passphrase"),
    ("confirm", "a long enough passphrase"),
];

#[actix_web::test]
async fn an_empty_installation_leads_to_onboarding_which_creates_the_msp_and_its_admin() {
    let app = TestApp::new().await;
    let mut c = app.client().await;
    c.get("/").await.assert_redirect("/onboarding");
    c.get("/login").await.assert_redirect("/onboarding");
    c.get("/onboarding").await.assert_status(200).assert_contains("MSP / Partner");
    let resp = c.post("/onboarding", ONBOARD).await;
    resp.assert_redirect("/");
    // Signed in, working in the new MSP, landing on its dashboard.
    let start = c.get("/start").await;
    start.assert_redirect("/msp/dashboard");
    c.get("/msp/dashboard").await.assert_status(200).assert_contains("Northwind Managed IT");
    let mut conn = app.conn();
    let (email, is_super): (String, bool) =
        users::table.select((users::email, users::is_super_admin)).first(&mut conn).unwrap();
    assert_eq!(email, "morgan@northwind.test");
    assert!(is_super, "the first admin is the installation's super admin");
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM memberships WHERE role = 'ADMIN'"), 1);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM organizations WHERE kind = 'msp'"), 1);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM activity_log WHERE action = 'installation.onboard'"), 1);
    // Gone for good, even for a new visitor.
    let mut other = app.client().await;
    other.get("/onboarding").await.assert_status(404);
    other.get("/").await.assert_redirect("/login");
}

#[actix_web::test]
async fn onboarding_with_bad_input_keeps_the_values_and_saves_nothing() {
    let app = TestApp::new().await;
    let mut c = app.client().await;
    c.get("/onboarding").await;
    let mut bad: Vec<(&str, &str)> = ONBOARD.to_vec();
    bad.retain(|(k, _)| !matches!(*k, "confirm" | "admin_email" | "timezone"));
    bad.extend([("confirm", "something else entirely"), ("admin_email", "not-an-email"), ("timezone", "Mars/Base")]);
    let resp = c.post("/onboarding", &bad).await;
    resp.assert_status(422)
        .assert_contains("The two passwords do not match.")
        .assert_contains("Enter an email address like name@example.com.")
        .assert_contains("Choose a timezone from the list.")
        .assert_contains("value=\"Northwind Managed IT\"")
        .assert_contains("value=\"not-an-email\"")
        .assert_not_contains("a long enough passphrase");
    let mut conn = app.conn();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM organizations"), 0);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM users"), 0);
}

#[actix_web::test]
async fn solo_onboarding_creates_a_solo_organization_without_msp_pages() {
    let app = TestApp::new().await;
    let mut c = app.client().await;
    c.get("/onboarding").await;
    let mut solo: Vec<(&str, &str)> = ONBOARD.iter().copied().filter(|(k, _)| *k != "mode").collect();
    solo.push(("mode", "solo"));
    c.post("/onboarding", &solo).await.assert_redirect("/");
    c.get("/start").await.assert_redirect("/overview");
    c.get("/msp/dashboard").await.assert_status(403);
    let mut conn = app.conn();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM organizations WHERE kind = 'solo'"), 1);
}

#[actix_web::test]
async fn sign_in_failures_never_reveal_whether_the_account_exists_and_are_logged() {
    let app = TestApp::new().await;
    let f = fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let wrong = c.sign_in_with("admin@northwind.test", "wrong password here").await;
    wrong.assert_status(401).assert_contains("value=\"admin@northwind.test\"");
    let unknown = c.sign_in_with("nobody@northwind.test", "wrong password here").await;
    unknown.assert_status(401);
    let message = "That email and password do not match an account.";
    assert!(wrong.contains(message) && unknown.contains(message));
    c.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    let mut conn = app.conn();
    let failures: Vec<String> = activity_log::table
        .filter(activity_log::action.eq("auth.sign_in_failed"))
        .select(activity_log::target_label)
        .load(&mut conn)
        .unwrap();
    assert_eq!(failures.len(), 2);
    assert!(failures.contains(&"nobody@northwind.test".to_string()));
    // And a success is logged under the user's organization.
    c.sign_in("admin@northwind.test").await;
    let logged: Option<String> = activity_log::table
        .filter(activity_log::action.eq("auth.sign_in"))
        .select(activity_log::org_id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(logged, Some(f.msp.to_string()));
}

#[actix_web::test]
async fn session_cookie_is_http_only_same_site_lax_and_renewed_at_sign_in() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let login_page = c.get("/login").await;
    let before = login_page.headers.get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap();
    assert!(before.contains("HttpOnly") && before.contains("SameSite=Lax"));
    assert!(!before.contains("Secure"), "plain http base URL: no Secure flag");
    let resp = c.post("/login", &[("email", "admin@northwind.test"), ("password", PASSWORD)]).await;
    let after = resp.headers.get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap();
    assert_ne!(before.split(';').next(), after.split(';').next(), "a new cookie at sign-in");
    assert!(after.contains("HttpOnly"));
}

#[actix_web::test]
async fn repeated_failures_for_one_account_are_answered_with_429() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    let mut last = None;
    for i in 0..9 {
        c.ip = format!("10.1.0.{i}");
        last = Some(c.sign_in_with("admin@northwind.test", "not the password").await);
    }
    let last = last.unwrap();
    last.assert_status(429).assert_contains("Too many attempts");
    assert!(last.headers.get("retry-after").is_some());
    // Even the right password waits: the account is slowed, not the person's IP.
    c.ip = "10.2.0.1".into();
    c.sign_in_with("admin@northwind.test", PASSWORD).await.assert_status(429);
}

#[actix_web::test]
async fn repeated_attempts_from_one_ip_are_answered_with_429() {
    // The limiter runs on the application's clock, which stands still in tests: however slowly the password
    // hashes run, no attempt drains before the clock is moved.
    let app = TestApp::new().await;
    let mut c = app.client().await;
    fixture::msp(&mut app.conn());
    for i in 0..20 {
        c.sign_in_with(&format!("user{i}@example.test"), "not the password").await.assert_status(401);
    }
    let refused = c.sign_in_with("user99@example.test", "not the password").await;
    refused.assert_status(429);
    assert_eq!(refused.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("3"));
    let mut elsewhere = app.client().await;
    elsewhere.ip = "10.9.9.9".into();
    elsewhere.sign_in_with("user100@example.test", "not the password").await.assert_status(401);
    // One attempt drains every 3 seconds.
    app.clock().advance(chrono::Duration::seconds(3));
    c.sign_in_with("user101@example.test", "not the password").await.assert_status(401);
    c.sign_in_with("user102@example.test", "not the password").await.assert_status(429);
}

#[actix_web::test]
async fn state_changing_requests_need_the_session_token_and_the_same_origin() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.get("/login").await;
    let no_token = c
        .post_pairs("/login", &[("email".into(), "admin@northwind.test".into()), ("password".into(), PASSWORD.into())])
        .await;
    no_token.assert_status(403).assert_contains("This form has expired");
    let token = c.csrf.clone().unwrap();
    let cross = test::TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("origin", "https://evil.example"))
        .set_payload(format!("_csrf={token}&email=admin%40northwind.test&password=x"));
    c.send(cross).await.assert_status(403).assert_contains("came from another site");
    let fetch_site = test::TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("sec-fetch-site", "cross-site"))
        .set_payload(format!("_csrf={token}&email=admin%40northwind.test&password=x"));
    c.send(fetch_site).await.assert_status(403);
    let same = test::TestRequest::post()
        .uri("/login")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("origin", "http://localhost"))
        .set_payload(format!("_csrf={token}&email=admin%40northwind.test&password=correct+horse+battery+staple"));
    c.send(same).await.assert_status(303);
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::onboarded().await;
    let mut c = app.client().await;
    let resp = c.get("/login").await;
    let header = |name: &str| resp.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(!header("content-security-policy").contains("unsafe-inline"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    let missing = c.get("/no/such/page").await;
    missing.assert_status(404).assert_contains("Not found");
    assert!(missing.headers.get("content-security-policy").is_some());
}

#[actix_web::test]
async fn changing_the_password_ends_other_sessions_but_not_this_one() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut laptop = app.client().await;
    let mut phone = app.client().await;
    laptop.sign_in("admin@northwind.test").await;
    phone.sign_in("admin@northwind.test").await;
    laptop.get("/profile").await;
    let bad = laptop
        .post(
            "/profile/password",
            &[("current_password", "wrong"), ("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("That is not your current password.")
        .assert_contains("at least 10 characters");
    let new = "a brand new passphrase";
    let ok = laptop
        .post("/profile/password", &[("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)])
        .await;
    ok.assert_redirect("/profile");
    laptop.get("/profile").await.assert_status(200).assert_contains("Your password is changed");
    phone.get("/profile").await.assert_redirect("/login?next=%2Fprofile");
    let mut fresh = app.client().await;
    fresh.sign_in_with("admin@northwind.test", PASSWORD).await.assert_status(401);
    fresh.sign_in_with("admin@northwind.test", new).await.assert_status(303);
}

#[actix_web::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut a = app.client().await;
    let mut b = app.client().await;
    a.sign_in("admin@northwind.test").await;
    b.sign_in("admin@northwind.test").await;
    a.get("/profile").await;
    a.post("/profile/sign-out-everywhere", &[]).await.assert_redirect("/login");
    a.get("/overview").await.assert_status(303);
    b.get("/overview").await.assert_status(303);
    let mut conn = app.conn();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM activity_log WHERE action = 'user.sign_out_everywhere'"), 1);
}

#[actix_web::test]
async fn forgotten_passwords_are_reset_once_through_an_emailed_link() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.get("/forgot-password").await.assert_status(200);
    let unknown = c.post("/forgot-password", &[("email", "nobody@northwind.test")]).await;
    unknown.assert_status(200).assert_contains("If an account exists for nobody@northwind.test");
    assert!(app.mail().await.is_empty(), "no email for an unknown account");
    let bad = c.post("/forgot-password", &[("email", "nonsense")]).await;
    bad.assert_contains("Enter an email address").assert_contains("value=\"nonsense\"");
    c.post("/forgot-password", &[("email", "admin@northwind.test")]).await.assert_contains("If an account exists");
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "admin@northwind.test");
    assert!(mail[0].html.contains("Choose a new password"));
    let link = mail[0].text.lines().find(|l| l.contains("/reset-password/")).unwrap().trim().to_string();
    let path = link.trim_start_matches("http://localhost").to_string();
    let token = path.rsplit('/').next().unwrap().to_string();
    let mut conn = app.conn();
    let stored: String = password_resets::table.select(password_resets::token_hash).first(&mut conn).unwrap();
    assert_ne!(stored, token, "only the hash is stored");
    assert_eq!(stored, palisade::auth::tokens::hash_token(&token));
    c.get(&path).await.assert_status(200).assert_contains("Choose a new password");
    c.post(&path, &[("password", "another passphrase"), ("confirm", "different")])
        .await
        .assert_contains("do not match");
    c.post(&path, &[("password", "another passphrase"), ("confirm", "another passphrase")])
        .await
        .assert_redirect("/login");
    c.get(&path).await.assert_status(400).assert_contains("expired or was already used");
    c.sign_in_with("admin@northwind.test", "another passphrase").await.assert_status(303);
    c.get("/reset-password/not-a-token").await.assert_status(400);
}

#[actix_web::test]
async fn expired_reset_links_do_not_work() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.get("/forgot-password").await;
    c.post("/forgot-password", &[("email", "admin@northwind.test")]).await;
    let link = app.mail().await[0].text.lines().find(|l| l.contains("/reset-password/")).unwrap().trim().to_string();
    let mut conn = app.conn();
    let past = crate::support::start_time() - chrono::Duration::minutes(61);
    diesel::update(password_resets::table).set(password_resets::created_at.eq(past)).execute(&mut conn).unwrap();
    diesel::update(password_resets::table).set(password_resets::expires_at.eq(past)).execute(&mut conn).unwrap();
    c.get(link.trim_start_matches("http://localhost")).await.assert_status(400);
}

#[actix_web::test]
async fn the_profile_name_is_validated_and_kept() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut c = app.client().await;
    c.sign_in("admin@northwind.test").await;
    c.get("/profile").await;
    c.post("/profile", &[("name", "   ")]).await.assert_status(422).assert_contains("Name is required.");
    c.post("/profile", &[("name", "Morgan Q. Admin")]).await.assert_redirect("/profile");
    c.get("/profile").await.assert_contains("value=\"Morgan Q. Admin\"");
    c.post("/logout", &[]).await.assert_redirect("/login");
    c.get("/login").await.assert_contains("You are signed out.");
}
