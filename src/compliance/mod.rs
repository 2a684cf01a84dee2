//! The compliance program: frameworks catalog and the Common Control Framework (controls, evidence, policies,
//! campaigns, risks and reports build on it).

use crate::web::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    Vec::new()
}
