//! The compliance catalog: eight frameworks and the Common Control Framework that ties them together, kept as
//! data in `data/`, embedded in the binary, validated, and loaded into global catalog tables. The pages are
//! reference data for staff with compliance access (Compliance -> Catalog).

pub mod crosswalk;
pub mod crosswalk_pages;
pub mod data;
pub mod export;
pub mod handlers;
pub mod ids;
pub mod load;
pub mod models;
pub mod search;
pub mod status;
pub mod validate;
pub mod view;

use crate::auth::Permission::ViewCompliance;
use crate::web::routes::{Access, RouteDef, get};

pub fn routes() -> Vec<RouteDef> {
    let access = Access::Org(ViewCompliance);
    vec![
        get("/compliance/catalog", access, handlers::frameworks),
        get("/compliance/catalog/frameworks/{framework_id}", access, handlers::framework),
        get("/compliance/catalog/controls", access, handlers::controls),
        get("/compliance/catalog/controls/{control_id}", access, handlers::control),
        get("/compliance/catalog/search", access, handlers::search),
        get("/compliance/catalog/frameworks/{framework_id}/requirement", access, crosswalk_pages::requirement),
        get("/compliance/crosswalk", access, crosswalk_pages::crosswalk_page),
        get("/compliance/crosswalk.csv", access, crosswalk_pages::crosswalk_csv),
    ]
}
