//! Billing clients for the MSP's work: work types and rates, each client's rounding rule, tax rate and
//! agreements (money in integer cents, see `money`). Time entries come from `psa::time`.

pub mod client;
pub mod forms;
pub mod handlers;
pub mod models;
pub mod money;

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
    ]
}
