//! Reminders: the scheduler's job sends each running campaign's plan (days before the due date, on it, every N
//! days after) on the organization's local day, and "remind the rest" sends one now. Either way a person gets at
//! most one reminder a day and none once signed or after the campaign closed: each reminder claims the day with
//! a conditional UPDATE (`last_reminded_on` before today, not signed) in the transaction that queues its email,
//! so a second run the same day, or a second instance, sends nothing more. A reminder carries a fresh link (only
//! hashes are stored, so the first link cannot be sent again); the earlier link of that person stops working.

use actix_web::web;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::models::{Campaign, CampaignStatus};
use super::start::{Letter, link_expiry};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::tokens::{hash_token, new_token};
use crate::compliance::program;
use crate::db::ids::CampaignRequestId;
use crate::db::{Day, DbConnection, write_transaction};
use crate::jobs::{Job, JobResult};
use crate::mail::outbox;
use crate::schema::{campaign_requests, campaigns, organizations, people};

pub fn jobs() -> Vec<Job> {
    vec![Job::new(
        "compliance.campaign_reminders",
        "Acknowledgment campaign reminders",
        // Hourly, so that each organization's local day is met soon after it starts; the day claim makes
        // every later run that day send nothing.
        Duration::hours(1),
        run,
    )]
}

async fn run(state: web::Data<AppState>) -> JobResult {
    let now = state.clock.now();
    let running: Vec<(Campaign, String)> = state
        .db
        .run(move |conn| {
            Ok(campaigns::table
                .inner_join(organizations::table)
                .filter(campaigns::status.eq(CampaignStatus::Running))
                .select((Campaign::as_select(), organizations::timezone))
                .load(conn)?)
        })
        .await?;
    let (mut campaigns_reminded, mut emails) = (0usize, 0usize);
    for (campaign, timezone) in running {
        let today = program::today(now, timezone.parse().unwrap_or(chrono_tz::UTC));
        if !campaign.reminds_on(today) {
            continue;
        }
        let base_url = state.config.base_url.clone();
        let sent = state
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let sent = remind(conn, &campaign, today, now, &base_url)?;
                    if sent > 0 {
                        let actor = Actor::system("Reminder schedule", now);
                        let target =
                            Target::new("campaign", &campaign.id, &campaign.name).details(format!("{sent} reminders"));
                        audit::record(conn, &actor, Some(&campaign.org_id), Action::CampaignReminded, target)?;
                    }
                    Ok::<_, crate::error::AppError>(sent)
                })
            })
            .await?;
        if sent > 0 {
            campaigns_reminded += 1;
            emails += sent;
        }
    }
    Ok(format!("{emails} reminders queued for {campaigns_reminded} campaigns"))
}

/// Reminds every active person of the campaign who has not signed and was not reminded on `today`: a fresh
/// link each, emails queued in the caller's transaction. Returns how many were sent.
pub fn remind(
    conn: &mut DbConnection,
    campaign: &Campaign,
    today: Day,
    now: NaiveDateTime,
    base_url: &str,
) -> QueryResult<usize> {
    let not_today = campaign_requests::last_reminded_on.is_null().or(campaign_requests::last_reminded_on.lt(today));
    let due: Vec<(CampaignRequestId, String, String)> = campaign_requests::table
        .inner_join(people::table)
        .filter(campaign_requests::org_id.eq(&campaign.org_id))
        .filter(campaign_requests::campaign_id.eq(&campaign.id))
        .filter(campaign_requests::signed_at.is_null())
        .filter(not_today)
        .filter(people::org_id.eq(&campaign.org_id))
        .filter(people::deactivated_at.is_null())
        .select((campaign_requests::id, people::name, people::email))
        .load(conn)?;
    if due.is_empty() {
        return Ok(0);
    }
    let letter = Letter::of(conn, campaign, base_url)?;
    let expires = link_expiry(campaign.due_on).max(now + Duration::days(super::start::LINK_DAYS_AFTER_DUE));
    let mut mails = Vec::with_capacity(due.len());
    for (request, name, email) in due {
        let token = new_token();
        let not_today = campaign_requests::last_reminded_on.is_null().or(campaign_requests::last_reminded_on.lt(today));
        let claimed = diesel::update(
            campaign_requests::table
                .filter(campaign_requests::org_id.eq(&campaign.org_id))
                .filter(campaign_requests::id.eq(&request))
                .filter(campaign_requests::signed_at.is_null())
                .filter(not_today),
        )
        .set((
            campaign_requests::token_sha256.eq(hash_token(&token)),
            campaign_requests::token_expires_at.eq(expires),
            campaign_requests::last_reminded_on.eq(Some(today)),
            campaign_requests::reminders.eq(campaign_requests::reminders + 1),
        ))
        .execute(conn)?;
        if claimed == 1 {
            mails.push(letter.to(&name, &email, &token, true));
        }
    }
    outbox::enqueue_many(conn, now, &mails)
}
