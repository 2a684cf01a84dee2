//! The defects a black-box probe and a review found in the first foundation, each pinned by a test that failed
//! on that code: session revival through an invitation, cookies replayed after sign-out, forms without their
//! organization, open redirects, control characters, and lockout of the owner by somebody else's guesses.

use actix_web::test::TestRequest;
use diesel::prelude::*;

use crate::support::fixture::{self, count};
use crate::support::{PASSWORD, TestApp, invitation_token};
use palisade::SESSION_COOKIE;
use palisade::schema::{invitations, memberships, users};

/// Guards the fix: accepting an invitation signed the person in with their current stamp, so a cookie ended by
/// "sign out everywhere" (or a password change) came back to life through any open invitation.
#[actix_web::test]
async fn accepting_an_invitation_never_revives_an_ended_session() {
    let (app, f) = TestApp::with_msp().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t3).await;
    priya.invite("tech@northwind.test", "EMPLOYEE").await.assert_redirect("/settings/team");
    let link = format!("/invitations/{}", invitation_token(&app.mail().await[0]));

    let mut tom = app.signed_in("tech@northwind.test").await;
    let copied = tom.cookie(SESSION_COOKIE).expect("a session cookie");
    tom.get("/profile").await;
    tom.post("/profile/sign-out-everywhere", &[]).await.assert_redirect("/login");

    // Somebody replays the copied cookie and accepts the invitation with it.
    let mut thief = app.client().await;
    thief.set_cookie(SESSION_COOKIE, &copied);
    let page = thief.get(&link).await;
    page.assert_status(200).assert_contains("Enter its password to join").assert_not_contains("signed in as");
    let accepted = thief.post(&link, &[]).await;
    accepted.assert_status(422).assert_contains("That is not the password of tech@northwind.test.");
    thief.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    let mut conn = app.conn();
    let joined: i64 = memberships::table
        .filter(memberships::org_id.eq(&f.t3))
        .filter(memberships::user_id.eq(&f.tech))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(joined, 0, "nothing joined");
    let open: i64 =
        invitations::table.filter(invitations::accepted_at.is_null()).count().get_result(&mut conn).unwrap();
    assert_eq!(open, 1, "the invitation is still open");
}

/// Guards the fix: "Sign out" only cleared the browser's cookie, so a copy of it kept working.
#[actix_web::test]
async fn a_copied_cookie_stops_working_when_its_session_signs_out() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let copied = olive.cookie(SESSION_COOKIE).expect("a session cookie");
    olive.get("/overview").await;
    olive.post("/logout", &[]).await.assert_redirect("/login");
    let mut thief = app.client().await;
    thief.set_cookie(SESSION_COOKIE, &copied);
    thief.get("/settings/team").await.assert_redirect("/login?next=%2Fsettings%2Fteam");
    let ended = count(
        &mut app.conn(),
        &format!("SELECT COUNT(*) AS n FROM sessions WHERE user_id = '{}' AND ended_at IS NOT NULL", f.client_admin),
    );
    assert_eq!(ended, 1, "the session record is ended");
}

#[actix_web::test]
async fn the_profile_lists_active_sessions_and_signs_out_one_of_them() {
    let (app, f) = TestApp::with_msp().await;
    let mut laptop = app.client().await;
    laptop
        .send(
            TestRequest::get()
                .uri("/login")
                .insert_header(("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")),
        )
        .await;
    laptop.post("/login", &[("email", "owner@tiertwo.test"), ("password", PASSWORD)]).await.assert_status(303);
    let mut phone = app.client().await;
    phone.ip = "198.51.100.20".into();
    phone.sign_in("owner@tiertwo.test").await;
    let mut rita_conn = app.conn();
    let other = fixture::other(&mut rita_conn);
    let mut rita = app.signed_in("admin@contoso.test").await;

    let profile = laptop.get("/profile").await;
    let sessions = profile.body.split("data-testid=\"sessions\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(sessions.matches("<tr>").count(), 3, "a header and two sessions: {sessions}");
    assert!(sessions.contains("198.51.100.20") && sessions.contains("This browser"), "{sessions}");
    let ids: Vec<String> = {
        use palisade::schema::sessions as s;
        s::table
            .filter(s::user_id.eq(&f.client_admin))
            .order(s::created_at.asc())
            .select(s::id)
            .load(&mut app.conn())
            .unwrap()
    };
    let phone_session = ids[1].clone();
    // Another person cannot end it.
    rita.get("/profile").await;
    rita.post(&format!("/profile/sessions/{phone_session}/end"), &[]).await.assert_status(404);
    phone.get("/overview").await.assert_status(200);
    // Its owner can, from the other device: the phone is signed out, the laptop goes on.
    laptop.get("/profile").await;
    let ended = laptop.post(&format!("/profile/sessions/{phone_session}/end"), &[]).await;
    ended.assert_redirect("/profile");
    laptop.follow(&ended).await.assert_contains("That session is signed out.");
    phone.get("/overview").await.assert_redirect("/login?next=%2Foverview");
    laptop.get("/overview").await.assert_status(200);
    assert_eq!(crate::support::db::logged(&mut app.conn(), &f.t2, "user.end_session").len(), 1);
    let _ = other;
}

/// Guards the fix: a form without `_org` (a multipart upload, a script) was applied to whatever organization
/// the session held. It is refused like one for another organization; multipart forms may carry it in their
/// first part, scripts in the `X-Palisade-Org` header.
#[actix_web::test]
async fn a_form_that_does_not_name_its_organization_is_refused() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/settings/team").await;
    let csrf = olive.csrf.clone().unwrap();
    let no_org = vec![("email".to_string(), "x@example.test".to_string()), ("role".into(), "EMPLOYEE".into())];
    let mut with_csrf = no_org.clone();
    with_csrf.push(("_csrf".into(), csrf.clone()));
    let refused = olive.post_pairs("/settings/team/invite", &with_csrf).await;
    refused.assert_status(403).assert_contains("Nothing was saved");
    let invited: i64 = invitations::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(invited, 0);

    // Named in the header instead: accepted.
    let body = serde_urlencoded::to_string(&with_csrf).unwrap();
    let req = TestRequest::post()
        .uri("/settings/team/invite")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("x-palisade-org", f.t2.as_str()))
        .set_payload(body);
    olive.send(req).await.assert_redirect("/settings/team");

    // A multipart form: read from its first parts (the handler then wants a plain form: 400, not 403).
    let multipart = |org: Option<&str>| {
        let mut body = format!("--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n");
        if let Some(org) = org {
            body += &format!("--XyZ\r\nContent-Disposition: form-data; name=\"_org\"\r\n\r\n{org}\r\n");
        }
        body +=
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--XyZ--\r\n";
        TestRequest::post()
            .uri("/settings/team/invite")
            .insert_header(("content-type", "multipart/form-data; boundary=XyZ"))
            .set_payload(body)
    };
    olive.send(multipart(None)).await.assert_status(403);
    olive.send(multipart(Some(f.msp.as_str()))).await.assert_status(404);
    olive.send(multipart(Some(f.t2.as_str()))).await.assert_status(400);
}

/// Guards the fix: `next` let a tab through (browsers drop it, so "/\t/evil.example" is "//evil.example"), and
/// control characters in `next` or the resubmit target gave a 500.
#[actix_web::test]
async fn sign_in_and_resubmit_never_leave_the_site() {
    let (app, f) = TestApp::with_msp().await;
    let mut c = app.client().await;
    for raw in ["/%09/evil.example", "/%0A/evil.example", "%00", "/%5C/evil.example"] {
        let resp = c.get(&format!("/login?next={raw}")).await;
        assert!(matches!(resp.status.as_u16(), 200 | 400), "{raw}: {}", resp.status);
        resp.assert_not_contains("evil.example");
    }
    c.get("/login").await;
    for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"] {
        let resp = c.post("/login", &[("email", "admin@northwind.test"), ("password", PASSWORD), ("next", next)]).await;
        resp.assert_redirect("/");
        c.get("/profile").await;
        c.post("/logout", &[]).await.assert_redirect("/login");
        c.get("/login").await;
    }
    let mut admin = app.signed_in("admin@northwind.test").await;
    admin.get("/overview").await;
    for target in ["/\t/evil.example", "/\n/evil.example", "//evil.example"] {
        let resp =
            admin.post("/context/resubmit", &[("_org", f.t2.as_str()), ("_target", target), ("email", "x@y.z")]).await;
        assert_eq!(resp.status.as_u16(), 400, "{target:?}: {:?}", resp.location);
        resp.assert_contains("Nothing to resubmit.");
        admin.get("/overview").await;
    }
    // A NUL is stripped at the form boundary, leaving a same-site path.
    let stripped = admin.post("/context/resubmit", &[("_org", f.t2.as_str()), ("_target", "/\u{0}x")]).await;
    assert_eq!((stripped.status.as_u16(), stripped.location.as_deref()), (307, Some("/x")));
}

/// Guards the fix: a NUL byte in any form or query value gave a 500 on PostgreSQL (also the sign-in email,
/// before sign-in) and was stored as-is on SQLite. Form values lose their control characters (tab, line feed
/// and carriage return stay); an address with one gets a friendly 400.
#[actix_web::test]
async fn control_characters_never_reach_the_database() {
    let (app, f) = TestApp::with_msp().await;
    let mut c = app.client().await;
    c.get("/login").await;
    let resp = c.post("/login", &[("email", "nobody\u{0}@northwind.test"), ("password", "x\u{0}y")]).await;
    resp.assert_status(401).assert_contains("nobody@northwind.test").assert_not_contains("\u{0}");
    c.get("/forgot-password").await;
    c.post("/forgot-password", &[("email", "admin\u{0}@northwind.test")]).await.assert_status(200);

    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/profile").await;
    olive.post("/profile", &[("name", "Olive\u{0}\u{7} O\u{1b}wner\tII")]).await.assert_redirect("/profile");
    let name: String = users::table.find(&f.client_admin).select(users::name).first(&mut app.conn()).unwrap();
    assert_eq!(name, "Olive Owner\tII");
    for uri in ["/settings/team?q=a%00b", "/msp/clients/%00", "/settings/activity?person=%01"] {
        let resp = olive.get(uri).await;
        resp.assert_status(400).assert_contains("characters a link never has");
    }
}

/// Guards the fixes: anybody could lock an account out by failing its password 8 times, and successful
/// sign-ins counted against the same limit. A browser that signed in to the account before keeps its own
/// allowance; everybody else gets the same 429 page.
#[actix_web::test]
async fn wrong_guesses_from_elsewhere_never_lock_the_owner_out() {
    let (app, _f) = TestApp::with_msp().await;
    let mut owner = app.client().await;
    for _ in 0..12 {
        owner.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(303);
        owner.get("/profile").await;
        owner.post("/logout", &[]).await;
    }
    assert!(owner.has_cookie("palisade_device"), "a device that signed in is remembered");

    let mut attacker = app.client().await;
    for i in 0..8 {
        attacker.ip = format!("203.0.113.{i}");
        attacker.sign_in_with("owner@tiertwo.test", "a wrong guess").await.assert_status(401);
    }
    let locked = attacker.sign_in_with("owner@tiertwo.test", PASSWORD).await;
    locked.assert_status(429).assert_contains("Too many attempts");
    let mut new_device = app.client().await;
    new_device.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(429);
    // The owner's own browser still signs in, from the same network as the attacker even.
    owner.ip = "203.0.113.9".into();
    owner.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(303);
    owner.get("/profile").await;
    owner.post("/logout", &[]).await;
    // Its own wrong guesses count in its own allowance, with the same page.
    for _ in 0..8 {
        owner.sign_in_with("owner@tiertwo.test", "my own typo").await.assert_status(401);
    }
    owner.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(429).assert_contains("Too many attempts");
    // A forged device cookie is an unknown device.
    let mut forger = app.client().await;
    forger.set_cookie("palisade_device", "abc.def");
    forger.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(429);
    // Time heals: a minute per attempt.
    app.clock().advance(chrono::Duration::minutes(10));
    new_device.sign_in_with("owner@tiertwo.test", PASSWORD).await.assert_status(303);
}

#[actix_web::test]
async fn websocket_upgrades_pass_the_same_origin_check() {
    let (app, _f) = TestApp::with_msp().await;
    let mut c = app.signed_in("admin@northwind.test").await;
    let upgrade = |origin: &str| {
        TestRequest::get()
            .uri("/settings/team")
            .insert_header(("upgrade", "websocket"))
            .insert_header(("connection", "upgrade"))
            .insert_header(("origin", origin.to_string()))
    };
    c.send(upgrade("http://evil.example")).await.assert_status(403).assert_contains("another site");
    c.send(upgrade("http://localhost")).await.assert_status(200);
}
