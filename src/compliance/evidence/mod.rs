//! Compliance -> Evidence: files (with every revision kept), links and notes that support controls, each
//! approved or rejected by an approver, valid from an effective date until a valid-until date (expiry notices
//! 30 and 7 days before and on the day: `notices`).

pub mod forms;
pub mod handlers;
pub mod list;
pub mod living;
pub mod models;
pub mod notices;
pub mod page;

use crate::auth::Permission::{ApproveCompliance, ManageEvidence, ViewCompliance};
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    vec![
        get("/compliance/evidence", Org(ViewCompliance), list::list),
        get("/compliance/evidence/new", Org(ManageEvidence), page::new_form),
        post("/compliance/evidence", Org(ManageEvidence), handlers::create).example(&[
            ("title", "Access review, first quarter"),
            ("source", "note"),
            ("kind", "attestation"),
            ("body", "All accounts were reviewed by the IT lead on March 1."),
            ("effective_on", ""),
            ("valid_until", ""),
            ("controls", "CCF-AC-01"),
        ]),
        get("/compliance/evidence/{evidence_id}", Org(ViewCompliance), page::show),
        post("/compliance/evidence/{evidence_id}", Org(ManageEvidence), handlers::update).example(&[
            ("title", "Access review, Q1 (signed)"),
            ("kind", "attestation"),
            ("body", "All accounts were reviewed by the IT lead on March 1."),
            ("url", ""),
            ("effective_on", "2026-03-01"),
            ("valid_until", "2027-02-28"),
        ]),
        post("/compliance/evidence/{evidence_id}/revisions", Org(ManageEvidence), handlers::revise),
        get("/compliance/evidence/{evidence_id}/revisions/{revision}/download", Org(ViewCompliance), page::download),
        post("/compliance/evidence/{evidence_id}/links", Org(ManageEvidence), handlers::link_control)
            .example(&[("control_id", "CCF-AC-01")]),
        post("/compliance/evidence/{evidence_id}/approve", Org(ApproveCompliance), handlers::approve)
            .example(&[("comment", "")]),
        post("/compliance/evidence/{evidence_id}/reject", Org(ApproveCompliance), handlers::reject)
            .example(&[("comment", "The screenshot does not show the date.")]),
        post("/compliance/controls/{control_id}/evidence", Org(ManageEvidence), handlers::link_evidence)
            .example(&[("evidence_id", "{evidence_id}")]),
        post("/compliance/controls/{control_id}/evidence/{evidence_id}/unlink", Org(ManageEvidence), handlers::unlink),
    ]
}
