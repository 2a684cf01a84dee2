//! `palisade demo --clients N --campaign-people M`: M people in "Client 00001" and a running campaign to all of
//! them (a published policy, one request and one queued email each, a third of them signed), for the load
//! measurement of the progress page; the report says how long starting the campaign took (every email queued).

use std::time::Instant;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Audience, NewCampaign};
use super::start;
use crate::compliance::policies::{evidence as policy_evidence, models as policies};
use crate::compliance::program::{self, OrgTime};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PersonId, PolicyVersionId, UserId};
use crate::error::AppError;
use crate::schema::{campaign_requests, people, policy_versions};

/// Rows per INSERT of the people.
const CHUNK: usize = 1000;

/// Seeds the people and the campaign in `org`; returns a sentence for the demo's report.
pub fn seed_scale(
    conn: &mut DbConnection,
    org: &OrgId,
    author: &UserId,
    approver: &UserId,
    count: usize,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    if count == 0 {
        return Ok(String::new());
    }
    let version = published_policy(conn, org, author, approver, now)?;
    let ids: Vec<PersonId> = (0..count).map(|_| PersonId::new()).collect();
    for (c, chunk) in ids.chunks(CHUNK).enumerate() {
        let rows: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let n = c * CHUNK + i;
                (
                    people::id.eq(id.clone()),
                    people::org_id.eq(org.clone()),
                    people::name.eq(format!("Employee {n:05}")),
                    people::email.eq(format!("employee{n:05}@client00001.test")),
                    people::department.eq(["Finance", "Sales", "Operations", "Engineering"][n % 4]),
                    people::created_at.eq(now),
                    people::updated_at.eq(now),
                )
            })
            .collect();
        crate::batch_insert!(conn, people::table, &rows)?;
    }
    let campaign = NewCampaign {
        name: "Annual policy acknowledgment".into(),
        message: "Please read and sign by the due date.".into(),
        due_on: program::today(now, chrono_tz::UTC).plus_days(30),
        audience: Audience::Everyone,
        audience_value: String::new(),
        chosen: Vec::new(),
        versions: vec![version],
        remind_days_before: 3,
        remind_on_due: true,
        remind_every_days: 7,
        follow_up_of: None,
        follow_up_reason: String::new(),
    };
    let started = Instant::now();
    start::sync_members(conn, org, now)?;
    let recipients = start::audience(conn, org, &campaign)?;
    let id = start::start(conn, org, &campaign, &recipients, Some(author), now, "http://localhost:8080")?;
    let took = started.elapsed();
    let mut signed = 0;
    for chunk in ids.iter().step_by(3).collect::<Vec<_>>().chunks(CHUNK) {
        signed += diesel::update(campaign_requests::table)
            .filter(campaign_requests::org_id.eq(org))
            .filter(campaign_requests::campaign_id.eq(&id))
            .filter(campaign_requests::person_id.eq_any(chunk.iter().copied()))
            .set(campaign_requests::signed_at.eq(Some(now)))
            .execute(conn)?;
    }
    super::models::count_signatures(conn, org, &id, signed)?;
    Ok(format!(
        " Campaign to {} people in Client 00001 started in {} ms (every email queued): /compliance/campaigns/{id}.",
        recipients.len(),
        took.as_millis()
    ))
}

/// A published security policy (version 1) of the organization: its version's id.
fn published_policy(
    conn: &mut DbConnection,
    org: &OrgId,
    author: &UserId,
    approver: &UserId,
    now: NaiveDateTime,
) -> Result<PolicyVersionId, AppError> {
    let draft = policies::Draft {
        title: "Acceptable Use Policy".into(),
        kind: policies::PolicyKind::Security,
        owner: None,
        review_months: 12,
        next_review_on: None,
        body: "# Acceptable Use Policy\n\nCompany systems are for company work. Lock your screen when you leave it.\n"
            .into(),
        controls: Vec::new(),
    };
    let id = policies::insert(conn, org, "", &draft, author, now)?;
    policies::submit(conn, org, &id, "First version.", author, now)?;
    let policy = policies::find(conn, org, &id)?.ok_or(AppError::NotFound)?;
    policies::decide(conn, org, &policy, true, "", approver, now)?;
    let policy = policies::find(conn, org, &id)?.ok_or(AppError::NotFound)?;
    let time = OrgTime { now, today: program::today(now, chrono_tz::UTC), tz: chrono_tz::UTC };
    let evidence_id = policy_evidence::publish(conn, org, &policy, 1, &draft.controls, time)?;
    let publication = policies::Publication { material: true, reason: "", evidence_id: &evidence_id };
    policies::publish(conn, org, &policy, &publication, approver, now)?;
    Ok(policy_versions::table
        .filter(policy_versions::org_id.eq(org))
        .filter(policy_versions::policy_id.eq(&id))
        .select(policy_versions::id)
        .first(conn)?)
}
