//! The client portal (issue 13): one file per area of it.

mod auth;
mod brand;
mod policies;
mod sections;
