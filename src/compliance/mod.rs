//! The compliance program: frameworks catalog and the Common Control Framework (controls, evidence, policies,
//! campaigns, risks and reports build on it).

pub mod catalog;

use crate::web::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    catalog::routes()
}
