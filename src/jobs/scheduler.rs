//! The scheduler: claims due jobs in `scheduled_jobs`, runs them, records their outcome.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::web;
use futures_util::FutureExt;
use futures_util::future::join_all;
use tracing::Instrument;

use super::{Job, models};
use crate::AppState;
use crate::error::AppError;

/// How often the timer looks for due jobs (one indexed SELECT on `scheduled_jobs`).
const TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// The registry of jobs plus this instance's identity in the `scheduled_jobs` leases.
pub struct Scheduler {
    jobs: Vec<Job>,
    /// Written to `locked_by` while this instance runs a job.
    instance: String,
    registered: AtomicBool,
}

/// What happened to one job in a pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobOutcome {
    pub name: &'static str,
    /// The summary, or the error with its cause chain.
    pub result: Result<String, String>,
}

impl Scheduler {
    pub fn new(jobs: Vec<Job>) -> Scheduler {
        Scheduler { jobs, instance: crate::db::new_id(), registered: AtomicBool::new(false) }
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }

    /// Runs the jobs that are due (and not running on another instance), all at once, and waits for them.
    pub async fn run_due(&self, state: &web::Data<AppState>) -> Result<Vec<JobOutcome>, AppError> {
        let claimed = self.claim(state, false).await?;
        Ok(join_all(claimed.into_iter().map(|job| self.run_claimed(state, job))).await)
    }

    /// Runs every job now, due or not (except one running on another instance), and waits for them. Each job
    /// still selects its work by due time, so this does the due work at once: tests (`run_pending_jobs`) use it.
    pub async fn run_all(&self, state: &web::Data<AppState>) -> Result<Vec<JobOutcome>, AppError> {
        let claimed = self.claim(state, true).await?;
        Ok(join_all(claimed.into_iter().map(|job| self.run_claimed(state, job))).await)
    }

    /// The timer: every tick, starts the due jobs as tasks of their own (a long run does not hold up the others;
    /// its lease keeps the next tick from starting it again). Runs until the actix system stops.
    pub async fn run_forever(state: web::Data<AppState>) {
        tracing::info!(jobs = state.jobs.jobs.len(), instance = %state.jobs.instance, "scheduler started");
        loop {
            match state.jobs.claim(&state, false).await {
                Ok(claimed) => {
                    for job in claimed {
                        let state = state.clone();
                        actix_web::rt::spawn(async move {
                            state.jobs.run_claimed(&state, job).await;
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e.chain(), "scheduler: could not look for due jobs"),
            }
            actix_web::rt::time::sleep(TICK).await;
        }
    }

    /// Registers the jobs (once per instance) and claims the due ones (or all, with `force`).
    async fn claim(&self, state: &web::Data<AppState>, force: bool) -> Result<Vec<Job>, AppError> {
        let now = state.clock.now();
        let first = !self.registered.load(Ordering::Acquire);
        let names: Vec<&'static str> = self.jobs.iter().map(|j| j.name).collect();
        let instance = self.instance.clone();
        let jobs = self.jobs.clone();
        let claimed = state
            .db
            .run(move |conn| {
                if first {
                    models::register(conn, &names, now)?;
                }
                let candidates: Vec<&Job> = if force {
                    jobs.iter().collect()
                } else {
                    let due = models::due(conn, now)?;
                    jobs.iter().filter(|j| due.iter().any(|d| d == j.name)).collect()
                };
                let mut claimed = Vec::new();
                for job in candidates {
                    if models::claim(conn, job.name, &instance, now, job.every, job.lease, force)? {
                        claimed.push(job.clone());
                    }
                }
                Ok(claimed)
            })
            .await?;
        self.registered.store(true, Ordering::Release);
        Ok(claimed)
    }

    /// Runs a claimed job (a panic counts as a failure), then records the outcome and releases the lease.
    async fn run_claimed(&self, state: &web::Data<AppState>, job: Job) -> JobOutcome {
        let span = tracing::info_span!("job", name = job.name);
        self.run_and_record(state, job).instrument(span).await
    }

    async fn run_and_record(&self, state: &web::Data<AppState>, job: Job) -> JobOutcome {
        let started = std::time::Instant::now();
        let result = match AssertUnwindSafe((job.run)(state.clone())).catch_unwind().await {
            Ok(Ok(summary)) => Ok(summary),
            Ok(Err(e)) => Err(e.chain()),
            Err(panic) => Err(format!("the job panicked: {}", panic_text(panic.as_ref()))),
        };
        let ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(summary) => tracing::debug!(ms, summary = %summary, "job finished"),
            Err(error) => tracing::error!(ms, error = %error, "job failed"),
        }
        let (name, instance, now, recorded) = (job.name, self.instance.clone(), state.clock.now(), result.clone());
        match state.db.run(move |conn| Ok(models::finish(conn, name, &instance, now, &recorded)?)).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!("job outlived its lease; another instance has taken it over"),
            Err(e) => tracing::error!(error = %e.chain(), "could not record the job's outcome"),
        }
        JobOutcome { name: job.name, result }
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
