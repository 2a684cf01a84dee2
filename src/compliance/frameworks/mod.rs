//! Compliance -> Frameworks: adopting and unadopting frameworks, their scoping, and which of their requirements
//! apply (the not-applicable ones, with why).

pub mod handlers;
pub mod models;
pub mod pages;

use crate::auth::Permission::{ManageFrameworks, ViewCompliance};
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    vec![
        get("/compliance/frameworks", Org(ViewCompliance), pages::list),
        get("/compliance/frameworks/{framework_id}", Org(ViewCompliance), pages::detail),
        post("/compliance/frameworks/{framework_id}/adopt", Org(ManageFrameworks), handlers::adopt)
            .example(&[("categories", "Availability"), ("level", "2")]),
        post("/compliance/frameworks/{framework_id}/scope", Org(ManageFrameworks), handlers::rescope)
            .example(&[("categories", "Privacy"), ("level", "1")]),
        get("/compliance/frameworks/{framework_id}/applicability", Org(ViewCompliance), pages::applicability),
        post("/compliance/frameworks/{framework_id}/applicability", Org(ManageFrameworks), handlers::set_applicability)
            .example(&[
                ("requirement", "164.308(a)(1)(ii)(A)"),
                ("applicable", "no"),
                ("justification", "No electronic protected health information is stored on site."),
            ]),
        // After the others: the access matrix posts in this order, so they find the framework adopted.
        post("/compliance/frameworks/{framework_id}/unadopt", Org(ManageFrameworks), handlers::unadopt),
    ]
}
