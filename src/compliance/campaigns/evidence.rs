//! A campaign is evidence for the controls its policies map to: one evidence item per campaign (an attestation
//! linking to the progress page, where who signed which version, when and from where is read), submitted by
//! whoever started it for approval like any evidence, and linked to every mapped control the organization has
//! in one statement. It stays valid a year after the due date.

use diesel::prelude::*;

use super::models::NewCampaign;
use crate::compliance::evidence::handlers::settle;
use crate::compliance::evidence::models::{self as evidence, EvidenceKind, EvidenceSource};
use crate::compliance::program::OrgTime;
use crate::db::DbConnection;
use crate::db::ids::{CampaignId, EvidenceId, OrgId, UserId};
use crate::error::AppResult;
use crate::schema::{campaigns, org_controls, policy_controls, policy_versions};

/// Writes the campaign's evidence item, links it to the controls its policies map to and records it on the
/// campaign. Returns the item's id.
pub fn attach(
    conn: &mut DbConnection,
    org: &OrgId,
    campaign: &CampaignId,
    started: &NewCampaign,
    by: &UserId,
    time: OrgTime,
) -> AppResult<EvidenceId> {
    let url = format!("/compliance/campaigns/{campaign}");
    let title = format!("Policy acknowledgments: {}", started.name);
    let body = "Signed acknowledgments of the campaign's policy versions: the progress page lists each person, \
                the version and its SHA-256, the typed name, the time, the IP address and the browser.";
    let new = evidence::NewEvidence {
        title: &title,
        source: EvidenceSource::Link,
        kind: EvidenceKind::Attestation,
        url: &url,
        body,
        effective_on: time.today,
        valid_until: started.due_on.plus_months(12),
    };
    let id = evidence::insert(conn, org, &new, by, time.now)?;
    let policies = policy_versions::table
        .filter(policy_versions::org_id.eq(org))
        .filter(policy_versions::id.eq_any(&started.versions))
        .select(policy_versions::policy_id);
    let controls: Vec<String> = org_controls::table
        .filter(org_controls::org_id.eq(org))
        .filter(
            org_controls::control_id.eq_any(
                policy_controls::table
                    .filter(policy_controls::org_id.eq(org))
                    .filter(policy_controls::policy_id.eq_any(policies))
                    .select(policy_controls::control_id),
            ),
        )
        .select(org_controls::control_id)
        .load(conn)?;
    evidence::link(conn, org, &id, &controls, by, time.now)?;
    diesel::update(campaigns::table.filter(campaigns::org_id.eq(org)).filter(campaigns::id.eq(campaign)))
        .set(campaigns::evidence_id.eq(Some(&id)))
        .execute(conn)?;
    settle(conn, org, &controls, time)?;
    Ok(id)
}
