//! Billing clients for the MSP's work: work types and rates, each client's rounding rule, tax rate and
//! agreements (money in integer cents, see `money`). Time entries come from `psa::time`.

pub mod client;
pub mod demo;
pub mod forms;
pub mod handlers;
pub mod invoices;
pub mod models;
pub mod money;
pub mod profile;
pub mod reports;
pub mod settings;

use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get("/billing/work-types", Msp(BillClients), handlers::list),
        post("/billing/work-types", Msp(BillClients), handlers::create).example(&[
            ("name", "Remote support"),
            ("rate", "125.00"),
            ("is_default", "1"),
        ]),
        post("/billing/work-types/{work_type_id}", Msp(BillClients), handlers::update)
            .example(&[("name", "Remote support"), ("rate", "130.00")]),
        post("/billing/work-types/{work_type_id}/archive", Msp(BillClients), handlers::archive),
        post("/billing/work-types/{work_type_id}/restore", Msp(BillClients), handlers::restore),
        get("/billing/clients/{client_id}", Msp(BillClients), client::show),
        post("/billing/clients/{client_id}/terms", Msp(BillClients), client::save_terms).example(&[
            ("round_up_to", "15"),
            ("minimum", "30"),
            ("tax_rate", "8.25"),
        ]),
        post("/billing/clients/{client_id}/rates", Msp(BillClients), client::set_rate)
            .example(&[("work_type", "{work_type_id}"), ("rate", "150.00")]),
        post("/billing/clients/{client_id}/rates/{rate_id}/delete", Msp(BillClients), client::remove_rate),
        post("/billing/clients/{client_id}/agreements", Msp(BillClients), client::add_agreement).example(&[
            ("name", "Managed services"),
            ("monthly_fee", "1500.00"),
            ("included_hours", "10"),
            ("overage_rate", "110.00"),
            ("starts_on", "2026-03-01"),
            ("covers", "{work_type_id}"),
        ]),
        post("/billing/clients/{client_id}/agreements/{agreement_id}", Msp(BillClients), client::update_agreement)
            .example(&[
                ("name", "Managed services"),
                ("monthly_fee", "1500.00"),
                ("included_hours", "10"),
                ("overage_rate", "110.00"),
                ("starts_on", "2026-03-01"),
                ("ends_on", "2026-06-30"),
            ]),
        get("/billing/clients/{client_id}/invoice", Msp(BillClients), invoices::handlers::preview),
        post("/billing/clients/{client_id}/invoices", Msp(BillClients), invoices::handlers::generate)
            .example(&[("month", "2026-03")]),
        get("/billing/invoices", Msp(BillClients), invoices::handlers::list),
        get("/billing/invoices.csv", Msp(BillClients), invoices::handlers::invoices_csv),
        post("/billing/invoices/prefix", Msp(BillClients), invoices::handlers::set_prefix)
            .example(&[("prefix", "NW-")]),
        get("/billing/invoices/{invoice_id}", Msp(BillClients), invoices::handlers::show),
        get("/billing/invoices/{invoice_id}/lines.csv", Msp(BillClients), invoices::handlers::lines_csv),
        post("/billing/invoices/{invoice_id}/sent", Msp(BillClients), invoices::handlers::mark_sent),
        post("/billing/invoices/{invoice_id}/paid", Msp(BillClients), invoices::handlers::mark_paid)
            .example(&[("paid_on", "2026-03-20"), ("reference", "Wire 4471")]),
        post("/billing/invoices/{invoice_id}/void", Msp(BillClients), invoices::handlers::void),
        post("/billing/invoices/{invoice_id}/email", Msp(BillClients), invoices::email::email),
        get("/billing/settings", Msp(BillClients), settings::page),
        post("/billing/settings/currency", Msp(BillClients), settings::save_currency).example(&[("currency", "EUR")]),
        post("/billing/logo", Msp(BillClients), settings::upload_logo),
        post("/billing/logo/remove", Msp(BillClients), settings::remove_logo),
        get("/billing/logo", Msp(BillClients), settings::logo),
        get("/billing/reports", Msp(BillClients), reports::page),
        get("/billing/reports/hours.csv", Msp(BillClients), reports::hours_csv),
        get("/billing/reports/unbilled.csv", Msp(BillClients), reports::unbilled_csv),
        get("/billing/reports/agreements.csv", Msp(BillClients), reports::agreements_csv),
        get("/billing/reports/revenue.csv", Msp(BillClients), reports::revenue_csv),
    ]
}
