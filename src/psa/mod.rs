//! The PSA: tickets under SLA, time, invoices, assets, knowledge base.

pub mod sla;
