//! Ticket numbers per organization: consecutive, never repeated or skipped, even when many tickets are opened at
//! once on either backend, and independent between organizations.

use std::sync::Arc;

use crate::support::TestApp;
use crate::support::fixture::count;

#[actix_web::test]
async fn fifty_concurrent_tickets_get_fifty_consecutive_numbers() {
    let (app, f) = TestApp::with_msp().await;
    // Fifty connections of their own (the test pool has four), all starting together.
    let db = palisade::db::Db::open(&app.state.config.database_url, 50).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(50));
    let mut threads = Vec::new();
    for i in 0..50 {
        let (db, org, user, barrier) = (db.clone(), f.t2.clone(), f.tech.clone(), barrier.clone());
        threads.push(std::thread::spawn(move || {
            barrier.wait();
            let mut conn = db.conn().unwrap();
            super::ticket(&mut conn, &org, &user, &format!("Concurrent {i}"), None).1
        }));
    }
    let mut numbers: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=50).collect::<Vec<i64>>());
    // Another organization counts on its own, from 1.
    let (_, first) = super::ticket(&mut app.conn(), &f.t3, &f.admin, "Elsewhere", None);
    assert_eq!(first, 1);
    let sql = format!("SELECT COUNT(DISTINCT number) AS n FROM tickets WHERE org_id = '{}'", f.t2);
    assert_eq!(count(&mut app.conn(), &sql), 50);
}
