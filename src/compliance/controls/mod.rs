//! Compliance -> Controls: the organization's controls (one per common control its adopted frameworks need),
//! each with its status, owner, dates, notes, evidence and approval.

pub mod forms;
pub mod handlers;
pub mod list;
pub mod models;
pub mod page;

use crate::auth::Permission::{ApproveCompliance, EditControls, ViewCompliance};
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    vec![
        get("/compliance/controls", Org(ViewCompliance), list::list),
        get("/compliance/controls/{control_id}", Org(ViewCompliance), page::show),
        post("/compliance/controls/{control_id}", Org(EditControls), handlers::save_details).example(&[
            ("owner", ""),
            ("due_on", "2026-06-30"),
            ("review_months", "12"),
            ("next_review_on", ""),
            ("notes", "Access is reviewed **quarterly** by the IT lead."),
        ]),
        post("/compliance/controls/{control_id}/status", Org(EditControls), handlers::set_status)
            .example(&[("status", "ready_for_review"), ("justification", "")]),
        post("/compliance/controls/{control_id}/approve", Org(ApproveCompliance), handlers::approve)
            .example(&[("comment", "Policy reviewed and signed.")]),
        post("/compliance/controls/{control_id}/reject", Org(ApproveCompliance), handlers::reject)
            .example(&[("comment", "The policy is missing its approval date.")]),
    ]
}
