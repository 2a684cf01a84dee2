//! Inbound email, end to end through the SMTP receiver on loopback (lettre's SMTP transport sends to the
//! in-process receiver): threading by header and by subject, new tickets from contacts and domains, triage,
//! automatic mail and bounces ignored, malformed mail rejected, no message ever landing in another client; the
//! staff pages; IMAP polling through its `Mailbox` trait.

mod imap;
mod pages;
mod receiving;

use std::net::SocketAddr;

use diesel::prelude::*;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::support::{TestApp, fixture};
use palisade::db::DbConnection;
use palisade::db::ids::OrgId;

/// The domain the test installation receives mail for.
pub const DOMAIN: &str = "help.test";
/// The MSP fixture's address (its slug at the domain).
pub const MSP_ADDRESS: &str = "northwind-managed-it@help.test";

/// An MSP fixture on an installation that receives mail, its receiver started on a free loopback port.
pub async fn receiving(extra: &[(&str, &str)]) -> (TestApp, fixture::Msp, SocketAddr) {
    let mut vars = vec![("PALISADE_INBOUND_DOMAINS", DOMAIN)];
    vars.extend_from_slice(extra);
    let app = TestApp::with_config(&vars).await;
    let f = fixture::msp(&mut app.conn());
    let addr = palisade::psa::inbound::smtp::start(app.state.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .expect("the receiver starts");
    (app, f, addr)
}

/// A message as a mail client writes it.
pub fn message(from: &str, to: &str, subject: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\
         Message-ID: <{}@mail.client.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
        uuid::Uuid::now_v7().simple()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&body.replace('\n', "\r\n"));
    text.push_str("\r\n");
    text
}

/// Sends a raw message through SMTP to the receiver; Err carries the server's refusal.
pub async fn send(addr: SocketAddr, envelope_from: Option<&str>, to: &str, raw: &str) -> Result<(), String> {
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(addr.port()).build();
    let envelope = Envelope::new(envelope_from.map(|f| f.parse().unwrap()), vec![to.parse().unwrap()])
        .map_err(|e| e.to_string())?;
    transport.send_raw(&envelope, raw.as_bytes()).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Sends from a person (envelope sender = their address).
pub async fn mail_from(addr: SocketAddr, from: &str, to: &str, raw: &str) {
    send(addr, Some(from), to, raw).await.unwrap_or_else(|e| panic!("the receiver refused the message: {e}"));
}

/// (outcome, detail, routed org, ticket id) of every stored message, oldest first.
pub fn outcomes(conn: &mut DbConnection) -> Vec<(String, String, Option<String>, Option<String>)> {
    use palisade::schema::inbound_messages as im;
    im::table
        .order((im::received_at.asc(), im::id.asc()))
        .select((im::outcome, im::outcome_detail, im::routed_org_id, im::ticket_id))
        .load(conn)
        .unwrap()
}

/// Tickets of an organization: (number, subject, requester email, source).
pub fn tickets_of(conn: &mut DbConnection, org: &OrgId) -> Vec<(i64, String, Option<String>, String)> {
    use palisade::schema::{contacts, tickets};
    tickets::table
        .left_join(contacts::table.on(contacts::id.nullable().eq(tickets::requester_contact_id)))
        .filter(tickets::org_id.eq(org))
        .order(tickets::number.asc())
        .select((tickets::number, tickets::subject, contacts::email.nullable(), tickets::source))
        .load::<(i64, String, Option<String>, String)>(conn)
        .unwrap()
}

/// The public replies and descriptions on a ticket, oldest first.
pub fn bodies(conn: &mut DbConnection, org: &OrgId, number: i64) -> Vec<String> {
    use palisade::schema::{ticket_events as ev, tickets};
    ev::table
        .inner_join(tickets::table.on(tickets::id.eq(ev::ticket_id)))
        .filter(tickets::org_id.eq(org))
        .filter(tickets::number.eq(number))
        .filter(ev::body.ne(""))
        .order((ev::created_at.asc(), ev::id.asc()))
        .select(ev::body)
        .load(conn)
        .unwrap()
}

/// An inbound message of `org`'s mailbox for the access matrix (rejected, nothing kept in storage).
pub fn matrix_message(conn: &mut DbConnection, org: &OrgId, now: chrono::NaiveDateTime) -> String {
    use palisade::schema::inbound_messages as im;
    let id = palisade::db::new_id();
    diesel::insert_into(im::table)
        .values((
            im::id.eq(&id),
            im::org_id.eq(org),
            im::received_at.eq(now),
            im::source.eq("smtp"),
            im::from_address.eq("x@y.test"),
            im::subject.eq("Matrix message"),
            im::size.eq(10i64),
            im::outcome.eq("rejected"),
            im::outcome_detail.eq("for the matrix"),
            im::processed_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    id
}
