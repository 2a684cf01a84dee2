//! The integration suite: one test binary (keeps link time down), one module per area.
//! `cargo test` runs it on SQLite; with PALISADE_TEST_DATABASE_URL=postgres://... it runs on PostgreSQL.
//! Browser tests (e2e/) need chromedriver and Chromium; see e2e/mod.rs.

mod support;

mod access_matrix;
mod activity;
mod admin;
mod auth;
mod billing;
mod billing_reports;
mod billing_settings;
mod catalog;
mod client_page;
mod clients;
mod compliance;
mod config;
mod desk;
mod e2e;
mod inbound;
mod invoices;
mod jobs;
mod mail;
mod ops;
mod orgs;
mod page_cost;
mod pages;
mod portal;
mod principals;
mod schema;
mod security;
mod storage;
mod team;
mod time;
