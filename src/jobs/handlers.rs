//! Administration -> Scheduled jobs (super admins): every registered job, when it last ran, how it ended, when it
//! runs next, and whether an instance is running it now.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::models::{self, JobRow};
use crate::AppState;
use crate::error::AppResult;
use crate::web::{PageContext, PageInput, render};

/// A registered job with its stored schedule (none before its first run).
pub struct JobLine {
    pub label: &'static str,
    pub name: &'static str,
    pub every: String,
    pub row: Option<JobRow>,
}

#[derive(Template)]
#[template(path = "jobs/list.html")]
struct JobsPage {
    page: PageContext,
    jobs: Vec<JobLine>,
    now: NaiveDateTime,
    enabled: bool,
}

impl JobsPage {
    fn time(&self, at: &NaiveDateTime) -> String {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
    fn ago(&self, at: &NaiveDateTime) -> String {
        crate::web::time::ago(*at, self.now)
    }
}

pub async fn list(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    let (page, rows) = state.db.run(move |conn| Ok((input.load(conn)?, models::all(conn)?))).await?;
    let jobs = state
        .jobs
        .jobs()
        .iter()
        .map(|job| JobLine {
            label: job.label,
            name: job.name,
            every: every_text(job.every),
            row: rows.iter().find(|r| r.name == job.name).cloned(),
        })
        .collect();
    render(JobsPage { page, jobs, now: state.clock.now(), enabled: state.config.jobs_enabled })
}

/// "every 5 seconds", "every 24 hours".
fn every_text(every: chrono::Duration) -> String {
    let secs = every.num_seconds();
    let (n, unit) = match secs {
        s if s % 3600 == 0 => (s / 3600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 { format!("every {unit}") } else { format!("every {n} {unit}s") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn intervals_read_naturally() {
        use chrono::Duration;
        assert_eq!(super::every_text(Duration::seconds(5)), "every 5 seconds");
        assert_eq!(super::every_text(Duration::minutes(1)), "every minute");
        assert_eq!(super::every_text(Duration::hours(24)), "every 24 hours");
    }
}
