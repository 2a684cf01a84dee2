//! The client portal (issue 13): one file per area of it.

pub mod accounts;
mod auth;
mod auth_links;
mod brand;
pub mod chat;
mod kb;
mod policies;
mod sections;
