//! The `scheduled_jobs` rows: registering jobs, claiming a run, recording its outcome, listing them.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::DbConnection;
use crate::schema::scheduled_jobs as sj;

/// One job's schedule and last outcome, as the jobs page shows it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sj)]
pub struct JobRow {
    pub name: String,
    pub next_run_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_started_at: Option<NaiveDateTime>,
    pub last_finished_at: Option<NaiveDateTime>,
    pub last_outcome: Option<RunOutcome>,
    pub last_summary: String,
    pub last_error: String,
    pub runs: i64,
    pub failures: i64,
}

impl JobRow {
    pub fn is_running(&self, now: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
    pub fn failed_last(&self) -> bool {
        self.last_outcome == Some(RunOutcome::Failed)
    }
}

crate::text_enum! {
    /// How a job's last run ended.
    pub enum RunOutcome {
        Ok = "ok",
        Failed = "failed",
    }
}

/// Adds a row for each job that has none yet, due at once (a new job runs at the first tick). Another instance
/// registering the same job at the same moment is not an error.
pub fn register(conn: &mut DbConnection, names: &[&'static str], now: NaiveDateTime) -> QueryResult<()> {
    let known: Vec<String> = sj::table.select(sj::name).load(conn)?;
    for name in names.iter().filter(|n| !known.iter().any(|k| k == *n)) {
        let inserted = diesel::insert_into(sj::table)
            .values((sj::name.eq(name), sj::next_run_at.eq(now), sj::created_at.eq(now)))
            .execute(conn);
        match inserted {
            Ok(_) | Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Names of the jobs that are due and not leased by a running instance.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    sj::table
        .filter(sj::next_run_at.le(now))
        .filter(sj::locked_until.is_null().or(sj::locked_until.le(now)))
        .select(sj::name)
        .load(conn)
}

/// Claims one run of a job for `instance`: one conditional UPDATE, so of several instances trying at once
/// exactly one gets it. `force` runs it even when it is not due yet (tests, "run now"), never while another
/// instance holds its lease. The next run is scheduled from this start.
pub fn claim(
    conn: &mut DbConnection,
    name: &str,
    instance: &str,
    now: NaiveDateTime,
    every: Duration,
    lease: Duration,
    force: bool,
) -> QueryResult<bool> {
    let free = sj::locked_until.is_null().or(sj::locked_until.le(now));
    let values = (
        sj::locked_by.eq(instance),
        sj::locked_until.eq(now + lease),
        sj::last_started_at.eq(now),
        sj::next_run_at.eq(now + every),
    );
    let target = sj::table.filter(sj::name.eq(name)).filter(free);
    let updated = if force {
        diesel::update(target).set(values).execute(conn)?
    } else {
        diesel::update(target.filter(sj::next_run_at.le(now))).set(values).execute(conn)?
    };
    Ok(updated == 1)
}

/// Records how a claimed run ended and releases the lease. False when the lease had already passed to
/// another instance (the run took longer than its lease); that instance's record is left alone.
pub fn finish(
    conn: &mut DbConnection,
    name: &str,
    instance: &str,
    now: NaiveDateTime,
    outcome: &Result<String, String>,
) -> QueryResult<bool> {
    let (recorded, summary, error, failed) = match outcome {
        Ok(summary) => (RunOutcome::Ok, summary.as_str(), "", 0i64),
        Err(error) => (RunOutcome::Failed, "", error.as_str(), 1i64),
    };
    let updated = diesel::update(sj::table.filter(sj::name.eq(name)).filter(sj::locked_by.eq(instance)))
        .set((
            sj::locked_by.eq(None::<String>),
            sj::locked_until.eq(None::<NaiveDateTime>),
            sj::last_finished_at.eq(now),
            sj::last_outcome.eq(recorded),
            sj::last_summary.eq(summary),
            sj::last_error.eq(error),
            sj::runs.eq(sj::runs + 1i64),
            sj::failures.eq(sj::failures + failed),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Every job row, by name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<JobRow>> {
    sj::table.order(sj::name.asc()).select(JobRow::as_select()).load(conn)
}
