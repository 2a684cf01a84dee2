//! Compliance -> People: the people directory of an organization, the people who acknowledge its policies.
//! Mostly a client's employees without a Palisade account; members appear there too (linked by email).
//! Added by hand or imported from CSV with a preview; deactivating someone keeps their row and history.

pub mod forms;
pub mod handlers;
pub mod import;
pub mod models;

use crate::auth::Permission::{ManagePolicies, ViewCompliance};
use crate::web::import_pages;
use crate::web::routes::{Access, RouteDef, get, post};
use import::PeopleImport;

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    const PERSON: &[(&str, &str)] = &[
        ("name", "Ann Example"),
        ("email", "ann@client.example"),
        ("department", "Finance"),
        ("manager", "Bo Boss"),
        ("start_on", "2026-02-01"),
    ];
    const FILE: &[(&str, &str)] = &[("csv", "name,email,department\nBo Example,bo@client.example,Sales\n")];
    vec![
        get("/compliance/people", Org(ViewCompliance), handlers::list),
        get("/compliance/people/new", Org(ManagePolicies), handlers::new_form),
        post("/compliance/people", Org(ManagePolicies), handlers::create).example(PERSON),
        get("/compliance/people/import", Org(ManagePolicies), import_pages::form::<PeopleImport>),
        post("/compliance/people/import", Org(ManagePolicies), import_pages::preview::<PeopleImport>).example(FILE),
        post("/compliance/people/import/apply", Org(ManagePolicies), import_pages::apply::<PeopleImport>).example(FILE),
        get("/compliance/people/export.csv", Org(ViewCompliance), handlers::export),
        get("/compliance/people/{person_id}/edit", Org(ManagePolicies), handlers::edit_form),
        post("/compliance/people/{person_id}", Org(ManagePolicies), handlers::update).example(PERSON),
        post("/compliance/people/{person_id}/deactivate", Org(ManagePolicies), handlers::deactivate),
        post("/compliance/people/{person_id}/reactivate", Org(ManagePolicies), handlers::reactivate),
    ]
}
