//! Scores: the one function that computes them (`compute`), where they are kept (`store`).

pub mod compute;
pub mod dashboard;
pub mod store;

use crate::auth::Permission::ViewCompliance;
use crate::web::routes::{Access, RouteDef, get};

pub fn routes() -> Vec<RouteDef> {
    vec![get("/compliance", Access::Org(ViewCompliance), dashboard::page)]
}

/// The definitions every score page states, one sentence each (see `compute`).
pub const DEFINITIONS: [(&str, &str); 4] = [
    ("Effective control", "Implemented, with approved evidence, none of it expired."),
    ("Requirement", "Met when every control mapped to it is effective, partial when at least one is, unmet otherwise."),
    ("Framework score", "(met + ½ × partial) ÷ in-scope requirements, as a whole percent rounded half up."),
    (
        "Overall score",
        "Effective controls ÷ in-scope controls; not-applicable requirements and controls leave both counts.",
    ),
];
