//! Sign-in, sessions, passwords, tokens, rate limits, the roles and permissions model, and the principals a
//! route can require (staff, portal users, auditors, API keys: see `web::routes::Access`).

pub mod api_keys;
pub mod auditor;
pub mod device;
pub mod handlers;
pub mod identity;
pub mod password;
pub mod permissions;
pub mod portal;
pub mod ratelimit;
pub mod scope;
pub mod session;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use permissions::{Permission, PermissionSet, Role, Tier};
pub use scope::{Identity, MspScope, RunningTimer, Scope, SuperAdmin};

use crate::web::routes::{Access, RouteDef, get};

/// The routes of the non-staff principals other than portal users (theirs are `portal::routes`): the auditor's
/// link and home, and the API's own-organization endpoint.
pub fn principals_routes() -> Vec<RouteDef> {
    vec![
        get("/audit/{token}", Access::Public, auditor::enter),
        get("/audit", Access::Auditor, auditor::home),
        get("/api/v1/organization", Access::ApiKey(api_keys::ApiScope::ReadOrganization), api_keys::organization),
    ]
}
