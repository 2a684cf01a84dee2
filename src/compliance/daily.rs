//! The compliance program's daily work, per organization at its local midnight: the scores are recomputed on
//! the new day (evidence whose valid-until day has passed stops counting), stored as that day's snapshot (the
//! dashboard's 90-day trend), and the evidence expiry notices due that day go out.
//!
//! Organizations are claimed by their own due time (`compliance_programs.next_daily_at`), a batch at a time,
//! with `FOR UPDATE SKIP LOCKED` inside the transaction that does their work and moves their due time to the
//! next local midnight: two instances never do one organization twice, and an organization whose midnight
//! passed while every instance was down is done at the next run (its snapshot for that day; days nobody was
//! running have no snapshot, and the trend draws across them).

use actix_web::web;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::AppState;
use crate::compliance::evidence::notices;
use crate::compliance::program::{self, index, sync};
use crate::compliance::scores::store;
use crate::db::ids::OrgId;
use crate::db::{DbConnection, write_transaction};
use crate::error::AppError;
use crate::jobs::{Job, JobResult};
use crate::lock_skip_locked;
use crate::schema::{compliance_programs, organizations};

/// Organizations per transaction.
const BATCH: i64 = 50;

pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "compliance.daily",
        "Compliance scores, daily snapshots and evidence expiry notices",
        // Each organization's work is due at its own local midnight; a pass with nothing due is one indexed read.
        Duration::minutes(1),
        run,
    )]
}

async fn run(state: web::Data<AppState>) -> JobResult {
    let now = state.clock.now();
    let (mut organizations, mut emails) = (0usize, 0usize);
    loop {
        let base_url = state.config.base_url.clone();
        let (done, sent) =
            state.db.run(move |conn| write_transaction(conn, |conn| batch(conn, now, &base_url))).await?;
        organizations += done;
        emails += sent;
        if done < BATCH as usize {
            break;
        }
    }
    Ok(format!("{organizations} organizations brought up to date, {emails} expiry notices queued"))
}

/// Claims and does one batch of due organizations: (organizations done, emails queued).
fn batch(conn: &mut DbConnection, now: NaiveDateTime, base_url: &str) -> Result<(usize, usize), AppError> {
    let due: Vec<OrgId> = lock_skip_locked!(
        conn,
        compliance_programs::table
            .filter(compliance_programs::next_daily_at.le(now))
            .order(compliance_programs::next_daily_at)
            .limit(BATCH)
            .select(compliance_programs::org_id)
    )?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    let orgs: Vec<(OrgId, String, String)> = organizations::table
        .filter(organizations::id.eq_any(&due))
        .select((organizations::id, organizations::name, organizations::timezone))
        .load(conn)?;
    let index = index::embedded()?;
    let mut sent = 0;
    for (org_id, name, timezone) in &orgs {
        let tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let today = program::today(now, tz);
        let refreshed = sync::refresh(conn, index, org_id, today, now)?;
        store::snapshot(conn, index, org_id, today, &refreshed.scores, now)?;
        sent += notices::send_due(conn, org_id, name, today, now, base_url)?;
        diesel::update(compliance_programs::table.find(org_id))
            .set((
                compliance_programs::next_daily_at.eq(program::next_local_midnight(now, tz)),
                compliance_programs::last_daily_on.eq(Some(today)),
            ))
            .execute(conn)?;
    }
    Ok((due.len(), sent))
}
