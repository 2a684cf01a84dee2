//! A client's own portal domain (support.client.com): set, shown with the DNS record to create, verified by a
//! TXT lookup of `_palisade-verify.<domain>` holding the token, then `organizations.portal_host`, which the
//! guard matches a request's Host against. Removing it sends the portal back to `/portal/<slug>` only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use futures_util::future::BoxFuture;

use super::handlers::{Refused, SETTINGS_PATH, portal_client, render_settings};
use crate::audit::{self, Action, Target};
use crate::auth::session;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::AppResult;
use crate::schema::{organizations, portal_settings as ps};
use crate::web::change::Change;
use crate::web::redirect;

/// How long one verification may wait for DNS answers.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(8);

/// The name whose TXT record proves a domain: `_palisade-verify.<domain>`.
pub fn txt_name(domain: &str) -> String {
    format!("_palisade-verify.{domain}")
}

/// Why a TXT lookup gave no records.
#[derive(Debug)]
pub enum LookupFailure {
    /// The name has no TXT record (or does not exist).
    NoRecords,
    /// DNS did not answer (timeout, unreachable server).
    Unreachable(String),
}

/// Looks up TXT records: the system's DNS in production, a table in tests (`MemoryDns`).
pub trait TxtResolver: Send + Sync {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, LookupFailure>>;
}

/// The resolver the host system configures (`/etc/resolv.conf`), else public DNS, with a short timeout.
pub struct SystemDns(hickory_resolver::TokioResolver);

impl SystemDns {
    pub fn new() -> SystemDns {
        use hickory_resolver::config::ResolverConfig;
        use hickory_resolver::name_server::TokioConnectionProvider;
        let mut builder = hickory_resolver::TokioResolver::builder_tokio().unwrap_or_else(|_| {
            hickory_resolver::TokioResolver::builder_with_config(
                ResolverConfig::default(),
                TokioConnectionProvider::default(),
            )
        });
        let options = builder.options_mut();
        options.timeout = Duration::from_secs(3);
        options.attempts = 2;
        // A verification must see the record as just created, not an answer cached before it existed.
        options.cache_size = 0;
        SystemDns(builder.build())
    }
}

impl Default for SystemDns {
    fn default() -> SystemDns {
        SystemDns::new()
    }
}

impl TxtResolver for SystemDns {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, LookupFailure>> {
        Box::pin(async move {
            let fqdn = format!("{name}.");
            match tokio::time::timeout(LOOKUP_TIMEOUT, self.0.txt_lookup(fqdn)).await {
                Err(_) => Err(LookupFailure::Unreachable("no answer in time".into())),
                Ok(Err(e)) if e.is_no_records_found() => Err(LookupFailure::NoRecords),
                Ok(Err(e)) => Err(LookupFailure::Unreachable(e.to_string())),
                Ok(Ok(found)) => Ok(found
                    .iter()
                    .map(|txt| txt.txt_data().iter().map(|part| String::from_utf8_lossy(part)).collect())
                    .collect()),
            }
        })
    }
}

/// TXT records kept in memory: what tests verify against (`set` a record, or leave it out).
#[derive(Default)]
pub struct MemoryDns(Mutex<HashMap<String, Vec<String>>>);

impl MemoryDns {
    pub fn set(&self, name: &str, values: &[&str]) {
        let values = values.iter().map(|v| v.to_string()).collect();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_lowercase(), values);
    }
}

impl TxtResolver for MemoryDns {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, LookupFailure>> {
        let found = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&name.to_lowercase()).cloned();
        Box::pin(async move { found.ok_or(LookupFailure::NoRecords) })
    }
}

/// A domain as typed, checked as a hostname people can point at the portal: lowercase, without a trailing dot,
/// at least two labels of letters, digits and inner hyphens, not an IP address.
pub fn parse_domain(text: &str) -> Result<String, &'static str> {
    let domain = text.trim().trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return Err("Enter the domain, like support.example.com.");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|tld| tld.bytes().any(|b| b.is_ascii_lowercase()));
    if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err("Enter a domain name only (letters, digits, hyphens and dots), like support.example.com.");
    }
    Ok(domain)
}

/// The host (without port) of the installation's own address: never a client's portal domain.
fn own_host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or("");
    authority.rsplit_once(':').map_or(authority, |(host, _)| host).to_ascii_lowercase()
}

/// Is this domain some other organization's portal domain, verified or waiting for verification?
fn claimed_elsewhere(conn: &mut DbConnection, client: &OrgId, domain: &str) -> QueryResult<bool> {
    let verified: i64 = organizations::table
        .filter(organizations::portal_host.eq(domain))
        .filter(organizations::id.ne(client))
        .count()
        .get_result(conn)?;
    let pending: i64 =
        ps::table.filter(ps::pending_domain.eq(domain)).filter(ps::org_id.ne(client)).count().get_result(conn)?;
    Ok(verified + pending > 0)
}

const CLAIMED: &str = "This domain is already used by another portal. Choose another one.";

/// Why a domain cannot be set for this client, in words for the person; None when it can.
fn refusal(conn: &mut DbConnection, client: &OrgId, domain: &str, own: &str) -> QueryResult<Option<String>> {
    if domain == own {
        return Ok(Some("This is the address of Palisade itself. Choose your own domain.".into()));
    }
    let current: Option<String> = organizations::table.find(client).select(organizations::portal_host).first(conn)?;
    if current.as_deref() == Some(domain) {
        return Ok(Some("This domain already serves the portal.".into()));
    }
    Ok(claimed_elsewhere(conn, client, domain)?.then(|| CLAIMED.to_string()))
}

/// A fresh verification token: 32 hexadecimal digits.
fn new_token() -> String {
    use rand::Rng;
    hex::encode(rand::rng().random::<[u8; 16]>())
}

fn set_pending(
    conn: &mut DbConnection,
    client: &OrgId,
    pending: Option<(&str, &str)>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    super::models::ensure_row(conn, client, now)?;
    diesel::update(ps::table.find(client))
        .set((
            ps::pending_domain.eq(pending.map(|(d, _)| d.to_string())),
            ps::domain_token.eq(pending.map(|(_, t)| t.to_string())),
            ps::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// POST /settings/portal/domain: the domain to verify.
pub async fn set(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let client = portal_client(&scope)?;
    let typed = crate::web::forms::value(&form, "domain").to_string();
    let refused = |message: String| Refused { domain_input: Some(typed.clone()), ..Refused::field("domain", message) };
    let domain = match parse_domain(&typed) {
        Ok(domain) => domain,
        Err(message) => return render_settings(&state, &scope, input, refused(message.into())).await,
    };
    let own = own_host(&state.config.base_url);
    let token = new_token();
    let (d, t) = (domain.clone(), token.clone());
    let outcome = state
        .db
        .write(move |conn| {
            if let Some(why) = refusal(conn, &client, &d, &own)? {
                return Ok(Some(why));
            }
            set_pending(conn, &client, Some((&d, &t)), actor.at)?;
            let target = Target::new("organization", &client, "").details(format!("domain {d} set, to verify"));
            audit::record(conn, &actor, Some(&client), Action::PortalDomainChanged, target)?;
            Ok(None)
        })
        .await?;
    if let Some(why) = outcome {
        return render_settings(&state, &scope, input, refused(why)).await;
    }
    session::flash_ok(&session, format!("Now create the TXT record below at your DNS provider, then check {domain}."));
    Ok(redirect(SETTINGS_PATH))
}

/// POST /settings/portal/domain/check: looks the TXT record up; on a match the domain serves the portal.
pub async fn check(c: Change) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let client = portal_client(&scope)?;
    let org = client.clone();
    let pending: Option<(Option<String>, Option<String>)> = state
        .db
        .run(move |conn| {
            Ok(ps::table.find(&org).select((ps::pending_domain, ps::domain_token)).first(conn).optional()?)
        })
        .await?;
    let Some((Some(domain), Some(token))) = pending else {
        session::flash_error(&session, "There is no domain waiting for verification.");
        return Ok(redirect(SETTINGS_PATH));
    };
    let name = txt_name(&domain);
    let found = match state.dns.txt(&name).await {
        Ok(records) if records.iter().any(|r| r.trim() == token) => true,
        Ok(records) => {
            let message = format!(
                "The TXT record {name} holds {}, but not the token. Set it to the token below and check again.",
                records.join(" and ")
            );
            return render_settings(&state, &scope, input, Refused::field("domain", message)).await;
        }
        Err(LookupFailure::NoRecords) => false,
        Err(LookupFailure::Unreachable(why)) => {
            tracing::warn!(%name, %why, "a portal domain's TXT lookup failed");
            let message = "DNS did not answer in time. Try again in a minute.";
            return render_settings(&state, &scope, input, Refused::field("domain", message)).await;
        }
    };
    if !found {
        let message =
            format!("No TXT record {name} was found yet. DNS changes can take a while to appear: check again later.");
        return render_settings(&state, &scope, input, Refused::field("domain", message)).await;
    }
    let verified = state
        .db
        .write(move |conn| {
            // Someone else may have verified it meanwhile: the domain is theirs then.
            if claimed_elsewhere(conn, &client, &domain)? {
                return Ok(false);
            }
            diesel::update(organizations::table.find(&client))
                .set(organizations::portal_host.eq(Some(&domain)))
                .execute(conn)?;
            set_pending(conn, &client, None, actor.at)?;
            diesel::update(ps::table.find(&client)).set(ps::domain_checked_at.eq(Some(actor.at))).execute(conn)?;
            let target = Target::new("organization", &client, "").details(format!("domain {domain} verified"));
            audit::record(conn, &actor, Some(&client), Action::PortalDomainChanged, target)?;
            Ok(true)
        })
        .await?;
    if !verified {
        return render_settings(&state, &scope, input, Refused::field("domain", CLAIMED)).await;
    }
    session::flash_ok(&session, "The domain is verified: the portal answers there now.");
    Ok(redirect(SETTINGS_PATH))
}

/// POST /settings/portal/domain/remove: the verified and the pending domain both go.
pub async fn remove(c: Change) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let client = portal_client(&scope)?;
    let removed = state
        .db
        .write(move |conn| {
            let host: Option<String> =
                organizations::table.find(&client).select(organizations::portal_host).first(conn)?;
            let pending: Option<Option<String>> =
                ps::table.find(&client).select(ps::pending_domain).first(conn).optional()?;
            let Some(domain) = host.clone().or(pending.flatten()) else { return Ok(false) };
            diesel::update(organizations::table.find(&client))
                .set(organizations::portal_host.eq(None::<String>))
                .execute(conn)?;
            set_pending(conn, &client, None, actor.at)?;
            let target = Target::new("organization", &client, "").details(format!("domain {domain} removed"));
            audit::record(conn, &actor, Some(&client), Action::PortalDomainChanged, target)?;
            Ok(true)
        })
        .await?;
    let message = if removed {
        "The custom domain is removed: the portal is at its Palisade address only."
    } else {
        "There was no custom domain to remove."
    };
    session::flash_ok(&session, message);
    Ok(redirect(SETTINGS_PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lowercase_hostnames_of_two_labels_or_more() {
        assert_eq!(parse_domain(" Support.Client.COM. "), Ok("support.client.com".into()));
        assert_eq!(parse_domain("help-desk.client.co.uk"), Ok("help-desk.client.co.uk".into()));
        for bad in
            ["", "localhost", "10.0.0.1", "-a.client.com", "a_b.client.com", "https://x.com", "x.com/y", "a..com"]
        {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_own_host_is_the_base_urls_host_without_port() {
        assert_eq!(own_host("https://App.Palisade.test:8443/x"), "app.palisade.test");
        assert_eq!(own_host("http://localhost"), "localhost");
    }

    #[actix_web::test]
    async fn memory_dns_answers_what_was_set() {
        let dns = MemoryDns::default();
        dns.set("_palisade-verify.a.test", &["token"]);
        assert_eq!(dns.txt("_Palisade-verify.A.test").await.unwrap(), vec!["token".to_string()]);
        assert!(matches!(dns.txt("b.test").await, Err(LookupFailure::NoRecords)));
    }
}
