//! Compliance -> Risks: the organization's risk register. Risks rated on likelihood and impact before
//! (inherent) and after (residual) their mitigating controls, with treatment, owner, exposure (SLE x ARO) and
//! the assets they affect; heat maps and the organization's level; acceptances by an approver; dated
//! assessments that snapshot the register; CSV import and export.

pub mod acceptance;
pub mod assessments;
pub mod cells;
pub mod choices;
pub mod csv_pages;
pub mod demo;
pub mod forms;
pub mod handlers;
pub mod heatmap;
pub mod import;
pub mod models;
pub mod page;
pub mod scale;

use crate::auth::Permission::{ApproveCompliance, EditControls, ViewCompliance};
use crate::web::import_pages;
use crate::web::routes::{Access, RouteDef, get, post};
use import::RisksImport;

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    const RISK: &[(&str, &str)] = &[
        ("title", "Ransomware encrypts the file server"),
        ("category", "cyber"),
        ("affected_processes", "Billing, scheduling"),
        ("owner", ""),
        ("inherent_likelihood", "4"),
        ("inherent_impact", "5"),
        ("residual_likelihood", "2"),
        ("residual_impact", "4"),
        ("treatment", "mitigate"),
        ("treatment_plan", "Offline backups tested monthly."),
        ("treatment_due_on", "2027-03-31"),
        ("status", "in_treatment"),
        ("next_review_on", "2027-06-30"),
        ("sle_low", "25,000"),
        ("sle_high", "150,000"),
        ("aro", "0.25"),
    ];
    const IMPORT: &str = "title,category,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,\
        treatment,treatment_plan\nImported risk,cyber,3,3,2,2,mitigate,Patch monthly\n";
    vec![
        get("/compliance/risks", Org(ViewCompliance), handlers::list),
        get("/compliance/risks/new", Org(EditControls), handlers::new_form),
        post("/compliance/risks", Org(EditControls), handlers::create).example(RISK),
        get("/compliance/risks/export.csv", Org(ViewCompliance), csv_pages::export),
        get("/compliance/risks/import", Org(EditControls), import_pages::form::<RisksImport>),
        post("/compliance/risks/import", Org(EditControls), import_pages::preview::<RisksImport>)
            .example(&[("csv", IMPORT)]),
        post("/compliance/risks/import/apply", Org(EditControls), import_pages::apply::<RisksImport>)
            .example(&[("csv", IMPORT)]),
        get("/compliance/risks/{risk_id}", Org(ViewCompliance), page::show),
        get("/compliance/risks/{risk_id}/edit", Org(EditControls), handlers::edit_form),
        post("/compliance/risks/{risk_id}", Org(EditControls), handlers::update).example(RISK),
        post("/compliance/risks/{risk_id}/close", Org(EditControls), handlers::close),
        post("/compliance/risks/{risk_id}/reopen", Org(EditControls), handlers::reopen),
        post("/compliance/risks/{risk_id}/accept", Org(ApproveCompliance), acceptance::accept)
            .example(&[("reason", "Cyber insurance covers the rest."), ("expires_on", "2099-12-31")]),
        get("/compliance/risk-assessments", Org(ViewCompliance), assessments::list),
        post("/compliance/risk-assessments", Org(EditControls), assessments::start).example(&[
            ("title", "Annual risk assessment"),
            ("assessed_on", "2027-01-15"),
            ("notes", ""),
        ]),
        get("/compliance/risk-assessments/{assessment_id}", Org(ViewCompliance), assessments::show),
        post("/compliance/risk-assessments/{assessment_id}/sign-off", Org(ApproveCompliance), assessments::sign_off)
            .example(&[("comment", "Reviewed with the owners.")]),
    ]
}
