//! Acknowledgment campaigns (Compliance -> Policies -> Campaigns): published policy versions that an audience of
//! the people directory reads and signs by a due date. Starting one emails each person a single-use link
//! (`start`); the link opens a page that needs no account (`sign`), members can also sign from "My policies"
//! (`my`); the scheduler reminds the rest (`reminders`); the progress page shows who signed (`handlers`).
//! Signatures (`acknowledgments`) are never changed or deleted.

pub mod demo;
pub mod evidence;
pub mod forms;
pub mod handlers;
pub mod models;
pub mod my;
pub mod reminders;
pub mod sign;
pub mod start;

use crate::auth::Permission::{ManagePolicies, ViewCompliance, ViewWorkspace};
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::{Org, Public};
    const CAMPAIGN: &[(&str, &str)] = &[
        ("name", "Annual acknowledgment"),
        ("due_on", "2030-01-31"),
        ("audience", "everyone"),
        ("remind_days_before", "3"),
    ];
    const SIGNATURE: &[(&str, &str)] = &[("full_name", "Ann Example"), ("consent", "1")];
    vec![
        get("/compliance/campaigns", Org(ViewCompliance), handlers::list),
        get("/compliance/campaigns/new", Org(ManagePolicies), handlers::new_form),
        post("/compliance/campaigns", Org(ManagePolicies), handlers::create).example(CAMPAIGN),
        get("/compliance/campaigns/{campaign_id}", Org(ViewCompliance), handlers::show),
        get("/compliance/campaigns/{campaign_id}/export.csv", Org(ViewCompliance), handlers::export),
        post("/compliance/campaigns/{campaign_id}/close", Org(ManagePolicies), handlers::close),
        post("/compliance/campaigns/{campaign_id}/remind", Org(ManagePolicies), handlers::remind),
        get("/my/policies", Org(ViewWorkspace), my::list),
        get("/my/policies/{campaign_id}", Org(ViewWorkspace), my::sign_page),
        post("/my/policies/{campaign_id}", Org(ViewWorkspace), my::submit).example(SIGNATURE),
        get("/sign/{token}", Public, sign::page),
        post("/sign/{token}", Public, sign::submit).example(SIGNATURE),
    ]
}
