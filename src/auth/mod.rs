//! Sign-in, sessions, passwords, tokens, rate limits, and the roles and permissions model.

pub mod handlers;
pub mod password;
pub mod permissions;
pub mod ratelimit;
pub mod scope;
pub mod session;
pub mod tokens;
pub mod users;

pub use permissions::{Permission, PermissionSet, Role, Tier};
pub use scope::{Identity, Scope};
