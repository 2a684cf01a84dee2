//! The client portal: one module per area of it.

pub mod chat;
