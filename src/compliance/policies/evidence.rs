//! A published policy is evidence for the controls it maps to: one evidence item per policy (a link to the
//! policy, approved by the policy's approver, valid until its next review), rewritten at each publication and
//! linked to every mapped control the organization has in one statement. The controls' evidence summaries and
//! the scores are then recomputed as for any other evidence, so a policy whose review is overdue stops
//! counting like expired evidence does.

use diesel::prelude::*;

use super::models::Policy;
use crate::compliance::evidence::handlers::settle;
use crate::compliance::evidence::models::{self as evidence, EvidenceKind, EvidenceSource};
use crate::compliance::program::OrgTime;
use crate::db::ids::{EvidenceId, OrgId};
use crate::db::{Day, DbConnection};
use crate::error::AppResult;
use crate::schema::{evidence_links, org_controls};

fn title(policy: &Policy, version: i32) -> String {
    format!("{} (version {version}, published)", policy.title)
}

/// Until when a published policy counts: its next review day, or a cadence from today when none is set.
fn valid_until(policy: &Policy, today: Day) -> Day {
    policy.next_review_on.unwrap_or_else(|| today.plus_months(policy.review_months.max(1) as u32))
}

/// Writes the evidence of a policy being published as `version` (approved by its approver) and links it to
/// the mapped controls; returns the item's id. Its summaries and the scores are refreshed.
pub fn publish(
    conn: &mut DbConnection,
    org: &OrgId,
    policy: &Policy,
    version: i32,
    controls: &[String],
    time: OrgTime,
) -> AppResult<EvidenceId> {
    let (Some(author), Some(approver)) = (&policy.submitted_by_user_id, &policy.approved_by_user_id) else {
        return Err(crate::error::AppError::internal("a policy is published without author or approver"));
    };
    let url = format!("/compliance/policies/{}/versions/{version}", policy.id);
    let body = format!("Policy published as version {version}: {}", policy.change_summary);
    let (title, until) = (title(policy, version), valid_until(policy, time.today));
    let id = match &policy.evidence_id {
        Some(id) => {
            let edited = evidence::Edited {
                title: &title,
                kind: EvidenceKind::Document,
                url: &url,
                body: &body,
                effective_on: time.today,
                valid_until: until,
            };
            evidence::update(conn, org, id, &edited, time.now)?;
            evidence::resubmit(conn, org, id, author, time.now)?;
            id.clone()
        }
        None => {
            let new = evidence::NewEvidence {
                title: &title,
                source: EvidenceSource::Link,
                kind: EvidenceKind::Document,
                url: &url,
                body: &body,
                effective_on: time.today,
                valid_until: until,
            };
            evidence::insert(conn, org, &new, author, time.now)?
        }
    };
    evidence::review(conn, org, &id, true, "Approved as the policy's published version.", approver, time.now)?;
    let before = evidence::linked_controls(conn, org, &id)?;
    // Only controls the organization has (its adopted frameworks need them) can hold evidence.
    let present: Vec<String> = org_controls::table
        .filter(org_controls::org_id.eq(org))
        .filter(org_controls::control_id.eq_any(controls))
        .select(org_controls::control_id)
        .load(conn)?;
    diesel::delete(
        evidence_links::table
            .filter(evidence_links::org_id.eq(org))
            .filter(evidence_links::evidence_id.eq(&id))
            .filter(evidence_links::control_id.ne_all(&present)),
    )
    .execute(conn)?;
    evidence::link(conn, org, &id, &present, approver, time.now)?;
    let mut touched = before;
    touched.extend(present);
    touched.sort();
    touched.dedup();
    settle(conn, org, &touched, time)?;
    Ok(id)
}

/// A published policy's review date changed: its evidence is valid until the new date (and counts again, or
/// stops counting, at once).
pub fn follow_review_date(
    conn: &mut DbConnection,
    org: &OrgId,
    policy: &Policy,
    next_review_on: Option<Day>,
    time: OrgTime,
) -> AppResult<()> {
    let Some(id) = &policy.evidence_id else { return Ok(()) };
    let until = valid_until(&Policy { next_review_on, ..policy.clone() }, time.today);
    diesel::update(crate::schema::evidence::table)
        .filter(crate::schema::evidence::org_id.eq(org))
        .filter(crate::schema::evidence::id.eq(id))
        .set((crate::schema::evidence::valid_until.eq(until), crate::schema::evidence::updated_at.eq(time.now)))
        .execute(conn)?;
    let controls = evidence::linked_controls(conn, org, id)?;
    settle(conn, org, &controls, time)
}
