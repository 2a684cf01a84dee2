//! The activity log (who did what, where, when, from which IP) and, later, auditor access.

pub mod actions;
pub mod handlers;
pub mod log;
pub mod sentences;

pub use actions::Action;
pub use log::{Actor, Target, record};

use crate::auth::Permission;
use crate::web::routes::{Access, RouteDef, get};

pub fn routes() -> Vec<RouteDef> {
    vec![get("/settings/activity", Access::Org(Permission::ViewActivityLog), handlers::activity_log)]
}
