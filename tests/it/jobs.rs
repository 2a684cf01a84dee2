//! The scheduler: jobs run when due and on one instance at a time, catch up once after downtime, record their
//! outcome (failures with their cause), and the timer drives them in a running server.

use chrono::Duration;
use diesel::prelude::*;

use crate::support::{TestApp, fixture};
use palisade::error::AppError;
use palisade::jobs::{Job, JobOutcome, Scheduler};
use palisade::schema::scheduled_jobs as sj;

/// (runs, failures) of a job's row.
#[track_caller]
fn runs(app: &TestApp, name: &str) -> (i64, i64) {
    sj::table.find(name).select((sj::runs, sj::failures)).first(&mut app.conn()).expect("a job row")
}

fn names(outcomes: &[JobOutcome]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = outcomes.iter().map(|o| o.name).collect();
    names.sort();
    names
}

async fn run_due(app: &TestApp) -> Vec<JobOutcome> {
    app.state.jobs.run_due(&app.state).await.expect("a scheduler pass")
}

/// Every registered job, by name.
const EVERY_JOB: [&str; 9] = [
    "assets.renewal_digest",
    "compliance.campaign_reminders",
    "compliance.daily",
    "inbound.imap",
    "mail.deliver",
    "mail.purge",
    "sla.escalate",
    "tickets.autoclose",
    "tickets.recurring",
];

#[actix_web::test]
async fn jobs_run_at_the_first_pass_then_on_their_schedule() {
    let app = TestApp::new().await;
    assert_eq!(names(&run_due(&app).await), EVERY_JOB, "a new job runs at once");
    assert!(run_due(&app).await.is_empty(), "nothing is due right after");
    app.clock().advance(Duration::seconds(4));
    assert!(run_due(&app).await.is_empty());
    app.clock().advance(Duration::seconds(1));
    assert_eq!(names(&run_due(&app).await), vec!["mail.deliver"], "every 5 seconds");
    assert_eq!(runs(&app, "mail.deliver"), (2, 0));
    assert_eq!(runs(&app, "mail.purge"), (1, 0));
}

#[actix_web::test]
async fn missed_runs_are_caught_up_once_after_downtime() {
    let app = TestApp::new().await;
    run_due(&app).await;
    // Every instance was down for three days.
    app.clock().advance(Duration::days(3));
    assert_eq!(names(&run_due(&app).await), EVERY_JOB);
    assert_eq!(runs(&app, "mail.deliver"), (2, 0), "once, not once per missed interval");
    assert_eq!(runs(&app, "mail.purge"), (2, 0));
    assert!(run_due(&app).await.is_empty(), "the next runs are an interval after the catch-up");
    let next: chrono::NaiveDateTime =
        sj::table.find("mail.purge").select(sj::next_run_at).first(&mut app.conn()).unwrap();
    assert_eq!(next, app.clock().now() + Duration::hours(24));

    // The work itself is chosen by its own due times: email queued before the downtime goes out now.
    let now = app.clock().now() - Duration::days(2);
    let mail = palisade::mail::OutgoingMail::new("late@example.test", "Hello", "Hi".into(), "<p>Hi</p>".into());
    app.state.db.write(move |conn| Ok(palisade::mail::enqueue(conn, now, &mail)?)).await.unwrap();
    app.clock().advance(Duration::seconds(5));
    run_due(&app).await;
    assert_eq!(app.state.mailer.delivered().await.len(), 1);
}

#[actix_web::test]
async fn two_schedulers_run_each_due_job_once() {
    let app = TestApp::new().await;
    let other = app.second_instance();
    for _ in 0..3 {
        let (a, b) = futures_util::join!(app.state.jobs.run_due(&app.state), other.jobs.run_due(&other));
        let mut all = a.unwrap();
        all.extend(b.unwrap());
        let ran = names(&all);
        let mut unique = ran.clone();
        unique.dedup();
        assert_eq!(ran, unique, "no job ran on both instances: {all:?}");
        app.clock().advance(Duration::hours(25));
    }
    assert_eq!(runs(&app, "mail.deliver"), (3, 0));
    assert_eq!(runs(&app, "mail.purge"), (3, 0));
}

#[actix_web::test]
async fn a_job_leased_by_another_instance_waits_for_the_lease() {
    let app = TestApp::new().await;
    run_due(&app).await;
    // Another instance claimed it and died mid-run.
    let now = app.clock().now();
    diesel::update(sj::table.find("mail.deliver"))
        .set((sj::locked_by.eq("dead-instance"), sj::locked_until.eq(now + Duration::minutes(10))))
        .execute(&mut app.conn())
        .unwrap();
    app.clock().advance(Duration::minutes(5));
    assert!(!names(&run_due(&app).await).contains(&"mail.deliver"), "its lease still holds");
    assert!(!names(&app.run_pending_jobs().await).contains(&"mail.deliver"), "not even when forced");
    app.clock().advance(Duration::minutes(5));
    assert!(names(&run_due(&app).await).contains(&"mail.deliver"), "taken over once the lease passed");
}

#[actix_web::test]
async fn failures_are_recorded_with_their_cause_and_do_not_stop_other_jobs() {
    let app = TestApp::new().await;
    let scheduler = Scheduler::new(vec![
        Job::new("test.fails", "Fails", Duration::minutes(1), |_| async {
            let disk = std::io::Error::other("disk full");
            Err(AppError::internal_from("cannot write the snapshot", disk))
        }),
        Job::new("test.panics", "Panics", Duration::minutes(1), |_| async { panic!("boom") }),
        Job::new("test.works", "Works", Duration::minutes(1), |_| async { Ok("did it".to_string()) }),
    ]);
    let outcomes = scheduler.run_due(&app.state).await.unwrap();
    let result = |name: &str| outcomes.iter().find(|o| o.name == name).unwrap().result.clone();
    assert_eq!(result("test.fails"), Err("cannot write the snapshot: disk full".to_string()));
    assert_eq!(result("test.panics"), Err("the job panicked: boom".to_string()));
    assert_eq!(result("test.works"), Ok("did it".to_string()));
    assert_eq!(runs(&app, "test.fails"), (1, 1));
    assert_eq!(runs(&app, "test.panics"), (1, 1));
    assert_eq!(runs(&app, "test.works"), (1, 0));
    let (outcome, error, locked): (Option<String>, String, Option<String>) = sj::table
        .find("test.fails")
        .select((sj::last_outcome, sj::last_error, sj::locked_by))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(outcome.as_deref(), Some("failed"));
    assert_eq!(error, "cannot write the snapshot: disk full");
    assert_eq!(locked, None, "the lease is released after a failure too");
    // A failed job runs again at its next time.
    app.clock().advance(Duration::minutes(1));
    assert_eq!(scheduler.run_due(&app.state).await.unwrap().len(), 3);
}

#[actix_web::test]
async fn the_timer_delivers_queued_email_in_a_running_server() {
    let app = TestApp::new().await;
    let now = app.clock().now();
    let mail = palisade::mail::OutgoingMail::new("timer@example.test", "Hello", "Hi".into(), "<p>Hi</p>".into());
    app.state.db.write(move |conn| Ok(palisade::mail::enqueue(conn, now, &mail)?)).await.unwrap();
    let timer = actix_web::rt::spawn(Scheduler::run_forever(app.state.clone()));
    // Wait (bounded) for the first tick's delivery: the new job is due at once.
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = app.state.mailer.delivered().await;
        if !delivered.is_empty() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    timer.abort();
    assert_eq!(delivered.len(), 1, "the timer ran the delivery job");
    assert!(delivered[0].contains("To: timer@example.test"), "{}", delivered[0]);
}

#[actix_web::test]
async fn the_jobs_page_shows_each_job_to_super_admins_only() {
    let app = TestApp::new().await;
    fixture::msp(&mut app.conn());
    let mut admin = app.signed_in("admin@northwind.test").await;
    let before = admin.get("/admin/jobs").await;
    before.assert_status(200).assert_contains("Deliver queued email").assert_contains("Not run yet");
    app.run_pending_jobs().await;
    diesel::update(sj::table.find("mail.purge"))
        .set((sj::last_outcome.eq("failed"), sj::last_error.eq("database: connection refused")))
        .execute(&mut app.conn())
        .unwrap();
    let page = admin.get("/admin/jobs").await;
    let deliver = crate::support::page::row(&page.body, "mail.deliver");
    assert!(
        deliver.contains("OK") && deliver.contains("nothing due") && deliver.contains("every 5 seconds"),
        "{deliver}"
    );
    let purge = crate::support::page::row(&page.body, "mail.purge");
    assert!(purge.contains("Failed") && purge.contains("database: connection refused"), "{purge}");
    let mut tech = app.signed_in("tech@northwind.test").await;
    tech.get("/admin/jobs").await.assert_status(403);
}
