//! Compliance -> Policies: the policy library. Policies start as drafts (from one of our templates, with the
//! organization's details filled in, or from scratch), go through review and approval like controls, and are
//! published as immutable versions (number, change summary, approver, SHA-256 of the text). A published policy
//! is evidence for the controls it maps to until its review falls due (`evidence`).

pub mod evidence;
pub mod forms;
pub mod handlers;
pub mod leads;
pub mod library;
pub mod lifecycle;
pub mod models;
pub mod page;

use crate::audit::log::ActivityEntry;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::Permission::{ApproveCompliance, ManagePolicies, ViewCompliance};
use crate::auth::{Permission, Scope};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PolicyId};
use crate::web::routes::{Access, RouteDef, get, post};
use models::PolicyKind;

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    const DRAFT: &[(&str, &str)] = &[
        ("title", "Access Control Policy"),
        ("kind", "security"),
        ("owner", ""),
        ("review_months", "12"),
        ("next_review_on", "2027-06-30"),
        ("body", "# Access Control Policy\n\nAccess is granted by role."),
        ("controls", "CCF-AC-01"),
    ];
    vec![
        get("/compliance/policies", Org(ViewCompliance), handlers::list),
        get("/compliance/policies/new", Org(ManagePolicies), handlers::new_form),
        post("/compliance/policies", Org(ManagePolicies), handlers::create).example(&[("template", "access-control")]),
        get("/compliance/policies/{policy_doc_id}", Org(ViewCompliance), page::show),
        get("/compliance/policies/{policy_doc_id}/edit", Org(ManagePolicies), page::edit_form),
        post("/compliance/policies/{policy_doc_id}", Org(ManagePolicies), page::update).example(DRAFT),
        post("/compliance/policies/{policy_doc_id}/submit", Org(ManagePolicies), lifecycle::submit)
            .example(&[("change_summary", "First version from the template.")]),
        post("/compliance/policies/{policy_doc_id}/approve", Org(ApproveCompliance), lifecycle::approve)
            .example(&[("comment", "")]),
        post("/compliance/policies/{policy_doc_id}/reject", Org(ApproveCompliance), lifecycle::reject)
            .example(&[("comment", "Name the security lead.")]),
        post("/compliance/policies/{policy_doc_id}/publish", Org(ManagePolicies), lifecycle::publish)
            .example(&[("material", "yes"), ("reason", "New requirements for everyone.")]),
        get("/compliance/policies/{policy_doc_id}/versions/{version}", Org(ViewCompliance), page::version),
    ]
}

/// May this person approve a policy of this kind? Approvers (and admins) approve any policy; an Approver
/// (Security) approves security policies, an Approver (Privacy) privacy ones. All of them are approvers of
/// controls and evidence too (the route's access).
pub fn may_approve(scope: &Scope, kind: PolicyKind) -> bool {
    scope.can(Permission::ApproveCompliance)
        && (scope.can(Permission::ApprovePolicies)
            || (kind == PolicyKind::Security && scope.can(Permission::ApproveSecurityPolicies))
            || (kind == PolicyKind::Privacy && scope.can(Permission::ApprovePrivacyPolicies)))
}

/// Writes a policy's entry of the activity log.
fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &PolicyId,
    title: &str,
    details: impl Into<String>,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("policy", id, title).details(details))
}

/// The policies' and the people directory's entries of the activity log as sentences.
pub fn activity_sentence(who: &str, entry: &ActivityEntry) -> String {
    use Action::*;
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    let details = if details.is_empty() { String::new() } else { format!(" ({details})") };
    match entry.action {
        PolicyCreated => format!("{who} started the policy {what}{details}"),
        PolicyUpdated => format!("{who} changed the draft of {what}{details}"),
        PolicySubmitted => format!("{who} sent {what} for review{details}"),
        PolicyApproved => format!("{who} approved {what}{details}"),
        PolicyRejected => format!("{who} sent {what} back to draft{details}"),
        PolicyPublished => format!("{who} published {what}{details}"),
        PersonAdded => format!("{who} added {what} to the people directory"),
        PersonUpdated => format!("{who} changed {what} in the people directory"),
        PersonDeactivated => format!("{who} deactivated {what} in the people directory"),
        PersonReactivated => format!("{who} reactivated {what} in the people directory"),
        PeopleImported => format!("{who} imported people{details}"),
        CampaignStarted => format!("{who} started the acknowledgment campaign {what}{details}"),
        CampaignClosed => format!("{who} closed the acknowledgment campaign {what}{details}"),
        CampaignReminded => format!("{who} sent reminders for {what}{details}"),
        PolicyAcknowledged => format!("{who} signed {what}{details}"),
        other => format!("{who}: {} {what}", other.label()),
    }
}
