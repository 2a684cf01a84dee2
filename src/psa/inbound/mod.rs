//! Email to tickets. Two sources, both off by default, feed one parser and one router:
//! - `smtp`: a built-in SMTP receiver (`PALISADE_INBOUND_SMTP_BIND`) for the addresses `slug@domain` of the
//!   domains in `PALISADE_INBOUND_DOMAINS`, each naming an organization by its slug;
//! - `imap`: polling one mailbox (`PALISADE_IMAP_*`) that belongs to one organization, by the scheduler.
//!
//! `ingest` keeps every message (raw in file storage, parsed, outcome) and lands it through the ticket service;
//! `route` decides where, never trusting a message's headers or subject over who its sender is. Outgoing ticket
//! email names the organization's address as Reply-To, so replies come back here. Staff see recent messages, their
//! outcome and the triage queue at Service desk -> Inbound email (MSP scope).

pub mod handlers;
pub mod imap;
pub mod ingest;
pub mod models;
pub mod parse;
pub mod route;
pub mod smtp;
pub mod triage;
pub mod trim;

use diesel::prelude::*;

use crate::audit::log::ActivityEntry;
use crate::auth::Permission::*;
use crate::config::InboundSettings;
use crate::db::DbConnection;
use crate::orgs::Organization;
use crate::schema::organizations;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get("/msp/inbound", Msp(ViewTickets), handlers::list),
        get("/msp/inbound/{message_id}", Msp(ViewTickets), handlers::show),
        get("/msp/inbound/{message_id}/raw", Msp(ViewTickets), handlers::raw),
        post("/msp/inbound/{message_id}/reprocess", Msp(WorkTickets), handlers::reprocess),
        post("/msp/inbound/triage/{ticket_id}/move", Msp(WorkTickets), handlers::move_to_client)
            .example(&[("client", "{client_id}")]),
    ]
}

/// The scheduled jobs of inbound email: polling the IMAP mailbox, when one is configured.
pub fn jobs() -> Vec<crate::jobs::Job> {
    vec![imap::job()]
}

/// The organization an address names: `slug@domain` (or `slug+anything@domain`) for one of the inbound domains,
/// an organization that is not archived.
pub fn organization_of_address(
    conn: &mut DbConnection,
    settings: &InboundSettings,
    address: &str,
) -> QueryResult<Option<Organization>> {
    let Some(slug) = slug_of_address(settings, address) else { return Ok(None) };
    organizations::table
        .filter(organizations::slug.eq(slug))
        .filter(organizations::archived_at.is_null())
        .select(Organization::as_select())
        .first(conn)
        .optional()
}

/// The slug part of an address of one of the inbound domains ("acme" of "Acme+x@Help.Example.com").
pub fn slug_of_address(settings: &InboundSettings, address: &str) -> Option<String> {
    let address = address.trim().trim_matches(['<', '>']).to_lowercase();
    let (local, domain) = address.rsplit_once('@')?;
    if !settings.domains.iter().any(|d| d == domain) {
        return None;
    }
    let slug = local.split('+').next().unwrap_or_default();
    let valid = !slug.is_empty() && slug.len() <= 64 && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then(|| slug.to_string())
}

/// The activity log's sentences for inbound email.
pub fn activity_sentence(who: &str, entry: &ActivityEntry) -> String {
    use crate::audit::Action::*;
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    match entry.action {
        InboundTriageMoved => format!("{who} moved the emailed request {what} to {details}"),
        InboundReprocessed => format!("{who} processed the email {what} again ({details})"),
        other => format!("{who}: {} {what}", other.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> InboundSettings {
        InboundSettings {
            domains: vec!["help.example.com".into()],
            smtp_bind: None,
            limit_bytes: 1024,
            rate_per_hour: 10,
            imap: None,
        }
    }

    #[test]
    fn addresses_name_a_slug_of_our_domains_only() {
        let s = settings();
        assert_eq!(slug_of_address(&s, "acme@help.example.com").as_deref(), Some("acme"));
        assert_eq!(slug_of_address(&s, "<Acme+Ticket@HELP.example.com>").as_deref(), Some("acme"));
        assert_eq!(slug_of_address(&s, "acme@example.com"), None);
        assert_eq!(slug_of_address(&s, "a'b@help.example.com"), None);
        assert_eq!(slug_of_address(&s, "@help.example.com"), None);
        assert_eq!(slug_of_address(&s, "nonsense"), None);
    }
}
