//! Getting into the portal without the password: the emailed one-time sign-in link and the password reset.

use chrono::Duration;
use diesel::prelude::*;

use crate::support::fixture;
use crate::support::{PASSWORD, TestApp, db};
use palisade::schema::{organizations, portal_links, portal_sessions};

const T2: &str = "/portal/tier-two-legal";
const ERIN: &str = "erin@tiertwo.test";

async fn world() -> (TestApp, fixture::Msp, fixture::Other) {
    let (app, f, other) = TestApp::with_tenants().await;
    fixture::portal_user(&mut app.conn(), &f.t2, ERIN, "Erin Enduser", None, false);
    (app, f, other)
}

/// The path of the portal link in an email's text ("Sign in: http://localhost/portal/...").
fn link_path(text: &str, marker: &str) -> String {
    let line = text.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker} link in {text}"));
    line.split("http://localhost").nth(1).unwrap().trim().to_string()
}

#[actix_web::test]
async fn a_one_time_link_signs_in_once_within_15_minutes() {
    let (app, f, other) = world().await;
    let mut erin = app.client().await;
    erin.get(&format!("{T2}/sign-in")).await;
    let bad = erin.post(&format!("{T2}/sign-in/link"), &[("email", "not an email")]).await;
    bad.assert_status(422).assert_contains("link-email-error").assert_contains("not an email");
    // The same answer for the end user, a stranger, and staff of the client (who have no portal access).
    for email in [ERIN, "nobody@tiertwo.test", "owner@tiertwo.test"] {
        let sent = erin.post(&format!("{T2}/sign-in/link"), &[("email", email)]).await;
        sent.assert_status(200).assert_contains(&format!("If {email} has an account in this portal"));
    }
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1, "only the end user gets a link");
    assert_eq!(mail[0].to, ERIN);
    assert!(mail[0].subject.contains("sign-in link for Tier Two Legal"), "{}", mail[0].subject);
    let link = link_path(&mail[0].text, "/link/");
    let token = link.rsplit('/').next().unwrap().to_string();
    let stored: Vec<String> = portal_links::table.select(portal_links::token_hash).load(&mut app.conn()).unwrap();
    assert_eq!(stored, vec![palisade::auth::tokens::hash_token(&token)], "only the token's SHA-256 is stored");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_in_link_requested").len(), 1);

    // Opening the link signs nobody in (a mail scanner may open it); the button does, once.
    let mut browser = app.client().await;
    browser.get(&link).await.assert_status(200).assert_contains(ERIN);
    browser.get(T2).await.assert_status(303);
    // Another client's portal does not take it.
    diesel::update(organizations::table.find(&other.client))
        .set(organizations::portal_host.eq(Some("help.bakery.test")))
        .execute(&mut app.conn())
        .unwrap();
    browser.post(&format!("/portal/rival-client-bakery/link/{token}"), &[]).await.assert_status(400);
    browser.post(&link, &[]).await.assert_redirect(T2);
    browser.get(T2).await.assert_status(200).assert_contains("Hello, Erin");
    let mut again = app.client().await;
    again.get(&format!("{T2}/sign-in")).await;
    again.post(&link, &[]).await.assert_status(400).assert_contains("This sign-in link no longer works");
    again.get(&link).await.assert_status(400);
    again.get(&format!("{T2}/link/not-a-token")).await.assert_status(400);

    // A new link expires after 15 minutes.
    erin.post(&format!("{T2}/sign-in/link"), &[("email", ERIN)]).await.assert_status(200);
    let late = link_path(&app.mail().await[1].text, "/link/");
    app.clock().advance(Duration::minutes(16));
    again.get(&late).await.assert_status(400);
    again.post(&late, &[]).await.assert_status(400);
    let open: i64 =
        portal_sessions::table.filter(portal_sessions::ended_at.is_null()).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(open, 1, "only the first link signed in");
}

#[actix_web::test]
async fn asking_for_links_is_rate_limited_per_address() {
    let (app, f, _) = world().await;
    let mut c = app.client().await;
    c.get(&format!("{T2}/sign-in")).await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(c.post(&format!("{T2}/sign-in/link"), &[("email", ERIN)]).await.status.as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let sent = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(app.mail().await.len(), sent);
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "auth.sign_in_link_requested").len(), sent);
}

#[actix_web::test]
async fn a_forgotten_password_is_reset_by_email() {
    let (app, f, _) = world().await;
    let mut other_browser = app.client().await;
    other_browser.portal_sign_in(T2, ERIN).await;
    let mut erin = app.client().await;
    erin.get(&format!("{T2}/sign-in")).await.assert_contains("/portal/tier-two-legal/forgot");
    erin.get(&format!("{T2}/forgot")).await.assert_status(200);
    erin.post(&format!("{T2}/forgot"), &[("email", "")]).await.assert_status(422).assert_contains("field-error");
    for email in ["nobody@tiertwo.test", ERIN] {
        let sent = erin.post(&format!("{T2}/forgot"), &[("email", email)]).await;
        sent.assert_status(200).assert_contains(&format!("If {email} has an account in this portal"));
    }
    let mail = app.mail().await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("Reset your Tier Two Legal password"));
    let link = link_path(&mail[0].text, "/reset/");

    erin.get(&link).await.assert_status(200).assert_contains("Choose a new password");
    let mismatch = erin.post(&link, &[("password", "a brand new passphrase"), ("confirm", "something else")]).await;
    mismatch.assert_status(422).assert_contains("do not match");
    let short = erin.post(&link, &[("password", "short"), ("confirm", "short")]).await;
    short.assert_status(422).assert_contains("field-error");
    let done = erin.post(&link, &[("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")]).await;
    done.assert_redirect("/portal/tier-two-legal/sign-in");
    erin.follow(&done).await.assert_contains("Your password is changed.");
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "auth.password_reset").len(), 1);
    // Spent; the old password and the other browser's session are gone.
    erin.get(&link).await.assert_status(400).assert_contains("password reset link no longer works");
    other_browser.get(T2).await.assert_status(303);
    erin.portal_sign_in_with(T2, ERIN, PASSWORD).await.assert_status(401);
    erin.portal_sign_in_with(T2, ERIN, "a brand new passphrase").await.assert_status(303);
}
