//! The built-in SMTP receiver: mailin's SMTP state machine (the engine of mailin-embedded) driven by our own
//! tokio loop, so that hostile clients are bounded: at most `MAX_CONNECTIONS` at once, lines of at most
//! `MAX_LINE` bytes, an idle limit per line, at most `MAX_RECIPIENTS` recipients, messages over
//! `PALISADE_INBOUND_LIMIT_MB` refused (552) while they arrive. (mailin-embedded itself reads lines without a
//! bound on a fixed pool of four threads: four slow clients would stop it.)
//!
//! A recipient is accepted only when its address names an organization (`slug@inbound domain`); each message
//! is processed before the end of DATA is answered: 250 when it was stored (whatever its outcome), 554 when it
//! was rejected as malformed, 451 when the database or storage failed (the sender tries again later).

use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use mailin::{Action, Handler, Response, SessionBuilder, response};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::ingest::{self, Received};
use super::models::{Outcome, Source};
use super::route::Mailbox;
use crate::AppState;
use crate::orgs::Organization;

pub const MAX_CONNECTIONS: usize = 32;
pub const MAX_LINE: usize = 64 * 1024;
pub const MAX_RECIPIENTS: usize = 50;
const IDLE: Duration = Duration::from_secs(120);

/// Starts the receiver on `addr` (port 0: any free port) and returns the address it listens on.
pub async fn start(state: web::Data<AppState>, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    actix_web::rt::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!("inbound SMTP: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let state = state.clone();
            match slots.clone().try_acquire_owned() {
                Ok(slot) => {
                    actix_web::rt::spawn(async move {
                        if let Err(e) = serve(state, stream, peer.ip()).await {
                            tracing::debug!(%peer, "inbound SMTP connection ended: {e}");
                        }
                        drop(slot);
                    });
                }
                Err(_) => {
                    let mut stream = stream;
                    let _ = stream.write_all(b"421 Too many connections, try again later\r\n").await;
                }
            }
        }
    });
    tracing::info!("inbound SMTP receiver listening on {local}");
    Ok(local)
}

/// What the state machine's callbacks saw, read by the connection loop after each line.
#[derive(Default)]
struct Envelope {
    from: String,
    /// Recipients whose organization is known, with it.
    accepted: Vec<(String, Organization)>,
    /// A recipient waiting to be looked up (the callback cannot wait for the database).
    pending_rcpt: Option<String>,
    data: Vec<u8>,
    too_big: bool,
    /// The end of DATA was reached: the message waits to be processed.
    complete: bool,
}

#[derive(Clone)]
struct Callbacks {
    envelope: Rc<RefCell<Envelope>>,
    limit: usize,
    domains: Rc<Vec<String>>,
}

impl Handler for Callbacks {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        let mut envelope = self.envelope.borrow_mut();
        let from = if from == NULL_SENDER { "" } else { from };
        *envelope = Envelope { from: from.chars().take(254).collect(), ..Envelope::default() };
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let mut envelope = self.envelope.borrow_mut();
        if envelope.accepted.len() >= MAX_RECIPIENTS {
            return Response::custom(452, "Too many recipients".into());
        }
        let domain = to.rsplit_once('@').map(|(_, d)| d.to_lowercase()).unwrap_or_default();
        if !self.domains.contains(&domain) {
            return response::NO_MAILBOX;
        }
        envelope.pending_rcpt = Some(to.to_string());
        response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        let mut envelope = self.envelope.borrow_mut();
        if envelope.accepted.is_empty() {
            return Response::custom(554, "No valid recipients".into());
        }
        envelope.data.clear();
        envelope.too_big = false;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let mut envelope = self.envelope.borrow_mut();
        if envelope.data.len() + buf.len() > self.limit {
            envelope.too_big = true;
            envelope.data = Vec::new();
        } else if !envelope.too_big {
            envelope.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.envelope.borrow_mut().complete = true;
        response::OK
    }
}

async fn serve(state: web::Data<AppState>, stream: TcpStream, peer: IpAddr) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let envelope = Rc::new(RefCell::new(Envelope::default()));
    let callbacks = Callbacks {
        envelope: envelope.clone(),
        limit: state.config.inbound.limit_bytes as usize,
        domains: Rc::new(state.config.inbound.domains.clone()),
    };
    let host = state.config.inbound.domains.first().cloned().unwrap_or_else(|| "palisade".into());
    let mut session = SessionBuilder::new(host).build(peer, callbacks);
    send(&mut write, &session.greeting()).await?;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match tokio::time::timeout(IDLE, read_line(&mut reader, &mut line)).await {
            Err(_) => return close(reader, write, Response::custom(421, "Idle too long, closing".into())).await,
            Ok(Err(e)) => return Err(e),
            Ok(Ok(LineRead::Eof)) => return Ok(()),
            Ok(Ok(LineRead::TooLong)) => {
                return close(reader, write, Response::custom(500, "Line too long, closing".into())).await;
            }
            Ok(Ok(LineRead::Line)) => {}
        }
        null_sender_as_sentinel(&mut line);
        let mut reply = session.process(&line);
        let pending = envelope.borrow_mut().pending_rcpt.take();
        if let Some(to) = pending
            && !reply.is_error
        {
            reply = check_recipient(&state, &envelope, to).await;
        }
        let complete = std::mem::take(&mut envelope.borrow_mut().complete);
        if complete {
            let (from, accepted, data, too_big) = {
                let mut e = envelope.borrow_mut();
                (std::mem::take(&mut e.from), std::mem::take(&mut e.accepted), std::mem::take(&mut e.data), e.too_big)
            };
            reply = if too_big { response::NO_STORAGE } else { deliver(&state, from, accepted, data).await };
        }
        if reply.action != Action::NoReply {
            send(&mut write, &reply).await?;
        }
        if reply.action == Action::Close || reply.action == Action::UpgradeTls {
            return Ok(());
        }
    }
}

async fn check_recipient(state: &web::Data<AppState>, envelope: &Rc<RefCell<Envelope>>, to: String) -> Response {
    let settings = state.config.inbound.clone();
    let address = to.clone();
    let found = state.db.run(move |conn| Ok(super::organization_of_address(conn, &settings, &address)?)).await;
    match found {
        Ok(Some(org)) => {
            let mut e = envelope.borrow_mut();
            if !e.accepted.iter().any(|(a, _)| a.eq_ignore_ascii_case(&to)) {
                e.accepted.push((to.to_lowercase(), org));
            }
            response::OK
        }
        Ok(None) => response::NO_MAILBOX,
        Err(e) => {
            tracing::warn!("inbound SMTP: looking up a recipient failed: {e}");
            response::INTERNAL_ERROR
        }
    }
}

/// Processes a message once per organization family it was addressed to (an MSP's and its client's address
/// are one family: one ticket).
async fn deliver(state: &AppState, from: String, accepted: Vec<(String, Organization)>, raw: Vec<u8>) -> Response {
    let recipients: Vec<String> = accepted.iter().map(|(a, _)| a.clone()).collect();
    let mut seen_heads = Vec::new();
    let mut rejected = None;
    for (_, org) in accepted {
        let mailbox = Mailbox::of(org);
        if seen_heads.contains(&mailbox.head) {
            continue;
        }
        seen_heads.push(mailbox.head.clone());
        let received = Received {
            source: Source::Smtp,
            source_ref: None,
            envelope_from: Some(from.clone()),
            recipients: recipients.clone(),
            raw: raw.clone(),
        };
        match ingest::ingest(state, mailbox, received).await {
            Ok(processed) if processed.outcome == Outcome::Rejected => rejected = Some(processed.detail),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("inbound SMTP: processing a message failed: {e}");
                return response::INTERNAL_ERROR;
            }
        }
    }
    match rejected {
        Some(why) => Response::custom(554, format!("Rejected: {}", one_line(&why))),
        None => Response::custom(250, "OK: received".into()),
    }
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect()
}

/// Says why and closes: the last answer sent, our side shut, and a bounded drain of what the client still sends,
/// so that it reads the answer instead of a reset.
async fn close(
    mut reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    mut write: tokio::net::tcp::OwnedWriteHalf,
    reply: Response,
) -> std::io::Result<()> {
    send(&mut write, &reply).await?;
    write.shutdown().await?;
    let drain = async {
        let mut sink = [0u8; 8192];
        let mut left = 4 * MAX_LINE;
        while left > 0 {
            match tokio::io::AsyncReadExt::read(&mut reader, &mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    Ok(())
}

async fn send(write: &mut tokio::net::tcp::OwnedWriteHalf, reply: &Response) -> std::io::Result<()> {
    write.write_all(&reply.buffer()?).await?;
    write.flush().await
}

/// Stands for the null reverse path in mailin's parser, which refuses `MAIL FROM:<>` (the sender of every
/// bounce and many automatic replies, which must be accepted to be recognised and dropped).
const NULL_SENDER: &str = "null-reverse-path";

fn null_sender_as_sentinel(line: &mut Vec<u8>) {
    const COMMAND: &[u8] = b"MAIL FROM:<>";
    if line.len() >= COMMAND.len() && line[..COMMAND.len()].eq_ignore_ascii_case(COMMAND) {
        let rest = line[COMMAND.len()..].to_vec();
        *line = format!("MAIL FROM:<{NULL_SENDER}>").into_bytes();
        line.extend_from_slice(&rest);
    }
}

enum LineRead {
    Line,
    Eof,
    TooLong,
}

/// One line, through its "\n", of at most `MAX_LINE` bytes.
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<LineRead> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if line.is_empty() { LineRead::Eof } else { LineRead::Line });
        }
        let (taken, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if line.len() + taken > MAX_LINE {
            return Ok(LineRead::TooLong);
        }
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if done {
            return Ok(LineRead::Line);
        }
    }
}
