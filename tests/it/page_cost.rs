//! What every signed-in page pays before its own queries: the session record, the user, their memberships, the
//! organization worked in and the switcher's head, in at most two statements (one when there is no switcher to fill) whatever the person's kind of
//! access or the number of clients.

use crate::support::TestApp;
use crate::support::fixture;
use palisade::auth::Tier;

#[actix_web::test]
async fn identity_context_and_switcher_cost_two_statements_for_everyone() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        for i in 0..30 {
            fixture::client_of(&mut conn, &f.msp, &format!("Extra Client {i:02}"), Tier::Operate);
        }
    }
    // The roles page renders the page context and nothing else.
    let mut morgan = app.signed_in("admin@northwind.test").await;
    assert_eq!(app.statements_of(&mut morgan, "/settings/roles").await, 2, "an MSP admin in the MSP");
    morgan.switch_to(&f.t3).await;
    assert_eq!(app.statements_of(&mut morgan, "/settings/roles").await, 2, "an MSP admin in a client");
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    assert_eq!(app.statements_of(&mut tom, "/settings/roles").await, 2, "a technician in an assigned client");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    assert_eq!(
        app.statements_of(&mut olive, "/settings/roles").await,
        1,
        "a client's own admin: no switcher query at all"
    );
}

#[actix_web::test]
async fn last_seen_is_written_at_most_once_a_minute() {
    let (app, _f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    assert_eq!(app.statements_of(&mut olive, "/settings/roles").await, 1);
    app.clock().advance(chrono::Duration::seconds(59));
    assert_eq!(app.statements_of(&mut olive, "/settings/roles").await, 1, "not yet");
    app.clock().advance(chrono::Duration::seconds(2));
    olive.get("/profile").await.assert_status(200);
    let before = app.queries();
    olive.get("/settings/roles").await;
    assert_eq!(app.queries() - before, 1, "the profile request above wrote it; this one does not");
    app.clock().advance(chrono::Duration::minutes(5));
    let before = app.queries();
    olive.get("/settings/roles").await;
    assert_eq!(app.queries() - before, 2, "one write after a while");
}
