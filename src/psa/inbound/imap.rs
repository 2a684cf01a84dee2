//! IMAP polling: the scheduler's `inbound.imap` job reads the unseen messages of one mailbox
//! (`PALISADE_IMAP_*`, TLS through rustls), hands each to `ingest`, and marks it seen (or moves it to
//! `PALISADE_IMAP_DONE_FOLDER`) once it is stored. Each message is claimed by its identity (mailbox, UIDVALIDITY,
//! UID) in `inbound_messages.source_ref`, unique: a second instance, or a poll after a crash between storing and
//! marking, finds it taken and only marks it. The job's lease already keeps two instances from polling together.
//!
//! The polling logic (`poll`) works on the `Mailbox` trait, so it is tested without an IMAP server; `ImapMailbox`
//! is the async-imap implementation.

use std::fmt::Debug;
use std::sync::Arc;

use actix_web::web;
use chrono::Duration;
use diesel::prelude::*;
use tokio::io::{AsyncRead, AsyncWrite};

use super::ingest::{self, Received};
use super::models::{self, Source};
use super::route;
use crate::AppState;
use crate::config::ImapSettings;
use crate::error::AppError;
use crate::jobs::{Job, JobResult};
use crate::orgs::Organization;
use crate::schema::organizations;

/// The most messages one poll takes (the rest wait for the next).
pub const MAX_PER_POLL: usize = 50;

/// A message fetched from the mailbox: its bytes, cut one byte past the size limit.
pub type Fetched = Vec<u8>;

/// What the poller needs from a mailbox.
#[allow(async_fn_in_trait)]
pub trait Mailbox {
    /// The mailbox's UIDVALIDITY and the UIDs of its unseen messages, oldest first.
    async fn unseen(&mut self) -> Result<(u32, Vec<u32>), String>;
    /// A message's bytes (at most `limit` + 1), without marking it seen; None when it is gone.
    async fn fetch(&mut self, uid: u32, limit: u64) -> Result<Option<Fetched>, String>;
    /// Marks a processed message: seen, and moved to the done folder when there is one.
    async fn done(&mut self, uid: u32) -> Result<(), String>;
}

/// What one poll did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Polled {
    pub processed: usize,
    /// Already taken (by another instance, or before a crash): only marked.
    pub skipped: usize,
}

/// The job, every `PALISADE_IMAP_POLL_SECS` (it does nothing when IMAP is not configured).
pub fn job() -> Job {
    Job::new("inbound.imap", "Read the IMAP mailbox", Duration::seconds(60), run)
}

async fn run(state: web::Data<AppState>) -> JobResult {
    let Some(settings) = state.config.inbound.imap.clone() else {
        return Ok("IMAP polling is off".into());
    };
    let org = mailbox_org(&state, &settings).await?;
    let mut mailbox = ImapMailbox::connect(&settings).await.map_err(|e| AppError::BadRequest(format!("IMAP: {e}")))?;
    let identity = format!("{}@{}/{}", settings.username, settings.host, settings.mailbox);
    let result = poll(&state, &mut mailbox, &identity, org).await;
    mailbox.logout().await;
    let polled = result?;
    Ok(format!("{} messages processed, {} already taken", polled.processed, polled.skipped))
}

async fn mailbox_org(state: &AppState, settings: &ImapSettings) -> Result<Organization, AppError> {
    let slug = settings.org_slug.clone();
    let org = state
        .db
        .run(move |conn| {
            Ok(organizations::table
                .filter(organizations::slug.eq(&slug))
                .filter(organizations::archived_at.is_null())
                .select(Organization::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
    org.ok_or_else(|| AppError::BadRequest(format!("PALISADE_IMAP_ORG: no organization '{}'", settings.org_slug)))
}

/// Processes the unseen messages of `mailbox` for `org`. `identity` names the mailbox in claims.
pub async fn poll<M: Mailbox>(
    state: &AppState,
    mailbox: &mut M,
    identity: &str,
    org: Organization,
) -> Result<Polled, AppError> {
    let imap = |e: String| AppError::BadRequest(format!("IMAP: {e}"));
    let (validity, uids) = mailbox.unseen().await.map_err(imap)?;
    let mut polled = Polled::default();
    for uid in uids.into_iter().take(MAX_PER_POLL) {
        let claim = format!("imap:{identity}:{validity}:{uid}");
        if taken(state, &claim).await? {
            mailbox.done(uid).await.map_err(imap)?;
            polled.skipped += 1;
            continue;
        }
        let Some(raw) = mailbox.fetch(uid, state.config.inbound.limit_bytes).await.map_err(imap)? else {
            continue;
        };
        let received = Received {
            source: Source::Imap,
            source_ref: Some(claim.clone()),
            envelope_from: None,
            recipients: Vec::new(),
            raw,
        };
        match ingest::ingest(state, route::Mailbox::of(org.clone()), received).await {
            Ok(_) => polled.processed += 1,
            // Another instance stored it first (the claim is unique): it is theirs.
            Err(_) if taken(state, &claim).await? => polled.skipped += 1,
            // The database or storage failed: the message stays unseen for the next poll.
            Err(e) => return Err(e),
        }
        mailbox.done(uid).await.map_err(imap)?;
    }
    Ok(polled)
}

async fn taken(state: &AppState, claim: &str) -> Result<bool, AppError> {
    let claim = claim.to_string();
    state.db.run(move |conn| Ok(models::source_ref_taken(conn, &claim)?)).await
}

/// Any stream async-imap can talk over: TLS or (a server on this host) plain TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}

/// A mailbox on an IMAP server, through async-imap.
pub struct ImapMailbox {
    session: async_imap::Session<Box<dyn Io>>,
    mailbox: String,
    done_folder: Option<String>,
}

impl ImapMailbox {
    pub async fn connect(settings: &ImapSettings) -> Result<ImapMailbox, String> {
        let addr = (settings.host.as_str(), settings.port);
        let tcp = tokio::time::timeout(std::time::Duration::from_secs(30), tokio::net::TcpStream::connect(addr))
            .await
            .map_err(|_| format!("connecting to {}:{} timed out", settings.host, settings.port))?
            .map_err(|e| format!("cannot connect to {}:{}: {e}", settings.host, settings.port))?;
        let stream: Box<dyn Io> = if settings.tls { Box::new(tls(&settings.host, tcp).await?) } else { Box::new(tcp) };
        let mut client = async_imap::Client::new(stream);
        client.read_response().await.map_err(|e| format!("no greeting: {e}"))?;
        let mut session =
            client.login(&settings.username, &settings.password).await.map_err(|(e, _)| format!("sign-in: {e}"))?;
        session.select(&settings.mailbox).await.map_err(|e| format!("selecting {}: {e}", settings.mailbox))?;
        Ok(ImapMailbox { session, mailbox: settings.mailbox.clone(), done_folder: settings.done_folder.clone() })
    }

    pub async fn logout(&mut self) {
        let _ = self.session.logout().await;
    }
}

async fn tls(
    host: &str,
    tcp: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    use tokio_rustls::rustls;
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name =
        rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| format!("TLS name {host}: {e}"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.map_err(|e| format!("TLS: {e}"))
}

impl Mailbox for ImapMailbox {
    async fn unseen(&mut self) -> Result<(u32, Vec<u32>), String> {
        let selected = self.session.select(&self.mailbox).await.map_err(|e| e.to_string())?;
        let mut uids: Vec<u32> =
            self.session.uid_search("UNSEEN").await.map_err(|e| e.to_string())?.into_iter().collect();
        uids.sort_unstable();
        Ok((selected.uid_validity.unwrap_or(0), uids))
    }

    async fn fetch(&mut self, uid: u32, limit: u64) -> Result<Option<Fetched>, String> {
        use futures_util::TryStreamExt;
        let query = format!("BODY.PEEK[]<0.{}>", limit + 1);
        let fetches: Vec<_> = self
            .session
            .uid_fetch(uid.to_string(), query)
            .await
            .map_err(|e| e.to_string())?
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec)))
    }

    async fn done(&mut self, uid: u32) -> Result<(), String> {
        use futures_util::TryStreamExt;
        let _: Vec<_> = self
            .session
            .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
            .await
            .map_err(|e| e.to_string())?
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        if let Some(folder) = &self.done_folder {
            self.session.uid_mv(uid.to_string(), folder).await.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
