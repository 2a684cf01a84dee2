//! Scheduled work: one in-process scheduler for every area (email delivery now; score snapshots, evidence
//! expiry, SLA escalations and reminders later).
//!
//! An area adds a job to [`registry`]: a name, an interval and an async function of the application state.
//! Every instance runs the same registry on a timer ([`Scheduler::run_forever`], off with `PALISADE_JOBS=off`);
//! the `scheduled_jobs` table decides who runs what:
//! - a job runs on one instance at a time: an instance claims the job's row with one conditional UPDATE (due, not
//!   leased) before running it, and a lease lets another instance take over from one that died mid-run;
//! - a job that missed runs while every instance was down runs once at the next start (its `next_run_at` is in
//!   the past), not once per missed interval;
//! - last run, outcome, summary, error and counts are recorded per job (Administration -> Scheduled jobs).
//!
//! What a job works on is chosen by per-row due times (`outbox.next_attempt_at`, later `due_at` columns), never
//! by "since the last run", so a forced run, a late run or a run after downtime all do exactly the due work.
//! Rows are claimed atomically with [`claim::lock_skip_locked!`] inside [`crate::db::write_transaction`]
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the immediate transaction's write lock on SQLite), so even two runs
//! of one job never take the same row.
//!
//! Tests drive the scheduler explicitly: `app.run_pending_jobs().await` runs every job now, with the test's
//! manual clock.

pub mod claim;
pub mod handlers;
pub mod models;
mod scheduler;

use std::future::Future;
use std::sync::Arc;

use actix_web::web;
use chrono::Duration;
use futures_util::future::LocalBoxFuture;

pub use scheduler::{JobOutcome, Scheduler};

use crate::AppState;
use crate::error::AppError;

/// What a job returns: a one-line summary for the jobs page ("3 delivered"), or the error that stopped it.
pub type JobResult = Result<String, AppError>;

type JobFn = Arc<dyn Fn(web::Data<AppState>) -> LocalBoxFuture<'static, JobResult> + Send + Sync>;

/// One kind of scheduled work.
#[derive(Clone)]
pub struct Job {
    /// Stable identifier, stored in `scheduled_jobs.name` (e.g. "mail.deliver").
    pub name: &'static str,
    /// What the jobs page calls it.
    pub label: &'static str,
    /// Time between the start of one run and the next.
    pub every: Duration,
    /// How long a claimed run may take before another instance may assume it died and run the job itself.
    pub lease: Duration,
    run: JobFn,
}

impl Job {
    /// A job running `run` every `every`, with a ten-minute lease (change it with [`Job::lease`]).
    pub fn new<F, Fut>(name: &'static str, label: &'static str, every: Duration, run: F) -> Job
    where
        F: Fn(web::Data<AppState>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + 'static,
    {
        let run: JobFn = Arc::new(move |state| Box::pin(run(state)));
        Job { name, label, every, lease: Duration::minutes(10), run }
    }

    pub fn lease(mut self, lease: Duration) -> Job {
        self.lease = lease;
        self
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("every", &self.every).finish_non_exhaustive()
    }
}

/// Routes of this area (the route table adds them).
pub fn routes() -> Vec<crate::web::routes::RouteDef> {
    use crate::web::routes::{Access, get};
    vec![get("/admin/jobs", Access::SuperAdmin, handlers::list)]
}

/// Every job of the application, from every area (add an area's jobs here, as routes are added to the route
/// table).
pub fn registry() -> Vec<Job> {
    let mut jobs = Vec::new();
    jobs.extend(crate::mail::jobs());
    jobs.extend(crate::compliance::jobs());
    jobs.extend(crate::psa::jobs());
    jobs
}
