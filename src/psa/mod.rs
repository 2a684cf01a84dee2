//! The PSA: the service desk (contacts, tickets, SLA policies, assets), time, later the knowledge base.

pub mod activity;
pub mod assets;
pub mod chat;
pub mod contacts;
pub mod demo;
pub mod inbound;
pub mod kb;
pub mod sla;
pub mod sla_policy;
pub mod tickets;
pub mod time;

use crate::web::routes::RouteDef;

/// Every route of the PSA (the route table adds them).
pub fn routes() -> Vec<RouteDef> {
    let mut routes = contacts::routes();
    routes.extend(tickets::routes());
    routes.extend(assets::routes());
    routes.extend(sla_policy::handlers::routes());
    routes.extend(time::routes());
    routes.extend(inbound::routes());
    routes.extend(kb::routes());
    routes.extend(chat::routes());
    routes
}

/// Every scheduled job of the PSA.
pub fn jobs() -> Vec<crate::jobs::Job> {
    let mut jobs = sla_policy::jobs();
    jobs.extend(tickets::jobs());
    jobs.extend(inbound::jobs());
    jobs.extend(assets::jobs());
    jobs
}
