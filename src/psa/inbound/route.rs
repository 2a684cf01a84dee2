//! Where a message goes. The organization is never taken from the message alone: the sender decides which
//! organizations a message may land in (a contact of a client, or a domain only one client's contacts use),
//! within the organizations the receiving address serves (an MSP's address: the MSP and its clients; a client's
//! address: that client). Threading (In-Reply-To/References against the Message-IDs we sent or received, then
//! the "[#number]" token of the subject) picks a ticket only inside those organizations, so a message from
//! client A never lands on client B's ticket whatever its headers or subject say. Everything else goes to the
//! MSP's triage queue.

use diesel::prelude::*;

use super::models;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, TicketId};
use crate::orgs::{OrgKind, Organization};
use crate::psa::contacts::models::Contact;
use crate::psa::tickets::{mail as ticket_mail, models as tickets};
use crate::schema::{contacts, organizations};

/// Free-mail domains: many unrelated people share them, so they never tie a sender to a client.
const SHARED_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "gmx.de",
    "mail.com",
    "yandex.com",
    "zoho.com",
    "fastmail.com",
    "web.de",
    "t-online.de",
    "orange.fr",
    "free.fr",
];

/// The organizations a receiving address serves.
#[derive(Clone, Debug)]
pub struct Mailbox {
    /// The organization the address names.
    pub org: Organization,
    /// Whose staff see the messages and own the triage queue: the MSP (itself, or the client's MSP), or the
    /// organization itself when no MSP manages it.
    pub head: OrgId,
}

impl Mailbox {
    pub fn of(org: Organization) -> Mailbox {
        let head = match (org.kind, &org.msp_org_id) {
            (OrgKind::Msp, _) | (_, None) => org.id.clone(),
            (_, Some(msp)) => msp.clone(),
        };
        Mailbox { org, head }
    }

    /// An MSP's address serves the MSP and all its clients; any other address serves its organization only.
    fn serves_family(&self) -> bool {
        self.org.kind == OrgKind::Msp
    }
}

/// Who the sender is, within the mailbox's organizations.
#[derive(Clone, Debug)]
pub enum Sender {
    /// Active contacts with the sender's address (one per organization that has them).
    Contacts(Vec<Contact>),
    /// Not a contact, but the contacts of exactly one organization share the sender's domain.
    Domain(OrgId),
    Unknown,
}

impl Sender {
    fn orgs(&self) -> Vec<&OrgId> {
        match self {
            Sender::Contacts(contacts) => contacts.iter().map(|c| &c.org_id).collect(),
            Sender::Domain(org) => vec![org],
            Sender::Unknown => Vec::new(),
        }
    }

    /// The contact of `org` the sender is, if any.
    pub fn contact_in(&self, org: &OrgId) -> Option<&Contact> {
        match self {
            Sender::Contacts(contacts) => contacts.iter().find(|c| &c.org_id == org),
            _ => None,
        }
    }
}

/// Where to put the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// On an existing ticket of `org`; `via` says how it was found ("In-Reply-To header", "subject [#4]").
    Reply { org: OrgId, ticket: TicketId, via: String },
    /// A new ticket of `org` for the sender.
    Open { org: OrgId, via: String },
    /// A new ticket in the MSP's (the mailbox head's) triage queue.
    Triage { why: String },
}

/// Finds who the sender is among the organizations the mailbox serves: one statement for contacts and, for
/// senders that are none, one for the domain.
pub fn identify(conn: &mut DbConnection, mailbox: &Mailbox, from: &str) -> QueryResult<Sender> {
    let mut query = contacts::table
        .inner_join(organizations::table.on(organizations::id.eq(contacts::org_id)))
        .filter(contacts::email.eq(from))
        .filter(contacts::archived_at.is_null())
        .filter(organizations::archived_at.is_null())
        .select(Contact::as_select())
        .into_boxed();
    query = if mailbox.serves_family() {
        query.filter(organizations::id.eq(&mailbox.head).or(organizations::msp_org_id.eq(&mailbox.head)))
    } else {
        query.filter(organizations::id.eq(&mailbox.org.id))
    };
    let found: Vec<Contact> = query.order(contacts::org_id.asc()).limit(20).load(conn)?;
    if !found.is_empty() {
        return Ok(Sender::Contacts(found));
    }
    let Some(domain) = from.rsplit_once('@').map(|(_, d)| d) else { return Ok(Sender::Unknown) };
    if SHARED_DOMAINS.contains(&domain) {
        return Ok(Sender::Unknown);
    }
    let mut query = contacts::table
        .inner_join(organizations::table.on(organizations::id.eq(contacts::org_id)))
        .filter(contacts::email_domain.eq(domain))
        .filter(contacts::archived_at.is_null())
        .filter(organizations::archived_at.is_null())
        // The MSP's own staff domain never makes a stranger a client's contact.
        .filter(organizations::kind.ne(OrgKind::Msp))
        .select(contacts::org_id)
        .distinct()
        .into_boxed();
    query = if mailbox.serves_family() {
        query.filter(organizations::msp_org_id.eq(&mailbox.head))
    } else {
        query.filter(organizations::id.eq(&mailbox.org.id))
    };
    let orgs: Vec<OrgId> = query.limit(2).load(conn)?;
    Ok(match orgs.as_slice() {
        [only] => Sender::Domain(only.clone()),
        _ => Sender::Unknown,
    })
}

/// The ticket number a subject names: "[#42]", or with an organization's prefix, "[ACME#42]" / "[ACME-42]".
pub fn subject_number(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']')?;
        let token = &after[..close];
        let digits = token.rsplit(['#', '-']).next().unwrap_or_default();
        let prefix = &token[..token.len() - digits.len()];
        let prefix_ok = prefix == "#"
            || (prefix.len() >= 2
                && prefix.len() <= 21
                && (prefix.ends_with('#') || prefix.ends_with('-'))
                && prefix[..prefix.len() - 1].chars().all(|c| c.is_ascii_alphanumeric()));
        if prefix_ok && !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return tickets::parse_number(digits);
        }
        rest = after;
    }
    None
}

/// Decides where a message goes. `from` is the sender's (lower-cased) address.
pub fn decide(
    conn: &mut DbConnection,
    mailbox: &Mailbox,
    sender: &Sender,
    from: &str,
    thread_ids: &[String],
    subject: &str,
) -> QueryResult<Route> {
    for id in thread_ids {
        if let Some((org, ticket)) = ticket_mail::ticket_of_message_id(conn, id)? {
            let (org, ticket) = follow_move(conn, org, ticket)?;
            if may_write_to(conn, mailbox, sender, from, &org, &ticket)? {
                return Ok(Route::Reply { org, ticket, via: "the In-Reply-To/References headers".into() });
            }
        }
    }
    if let Some(number) = subject_number(subject) {
        let mut orgs = sender.orgs();
        orgs.dedup();
        let candidates: Vec<OrgId> = match orgs.as_slice() {
            [one] => vec![(*one).clone()],
            [] => vec![mailbox.head.clone()],
            _ => Vec::new(),
        };
        for org in candidates {
            if let Some(ticket) = tickets::by_number(conn, &org, number)?
                && may_write_to(conn, mailbox, sender, from, &org, &ticket.id)?
            {
                return Ok(Route::Reply { org, ticket: ticket.id, via: format!("the subject's [#{number}]") });
            }
        }
    }
    Ok(match sender {
        Sender::Contacts(contacts) if contacts.len() == 1 => {
            Route::Open { org: contacts[0].org_id.clone(), via: "the sender is a contact".into() }
        }
        Sender::Contacts(_) => Route::Triage { why: "the sender is a contact of several organizations".into() },
        Sender::Domain(org) => Route::Open { org: org.clone(), via: "the sender's domain is a client's".into() },
        Sender::Unknown => Route::Triage { why: "no client has this sender or their domain".into() },
    })
}

/// A triage ticket moved to a client: its messages now go to the client's ticket.
fn follow_move(conn: &mut DbConnection, org: OrgId, ticket: TicketId) -> QueryResult<(OrgId, TicketId)> {
    match models::triage_of(conn, &org, &ticket)? {
        Some(models::Triage { moved_to_org_id: Some(to_org), moved_to_ticket_id: Some(to_ticket), .. }) => {
            Ok((to_org, to_ticket))
        }
        _ => Ok((org, ticket)),
    }
}

/// Whether this sender may add to this ticket: the ticket's organization is one the sender belongs to, or the
/// ticket is the sender's own waiting triage ticket.
fn may_write_to(
    conn: &mut DbConnection,
    mailbox: &Mailbox,
    sender: &Sender,
    from: &str,
    org: &OrgId,
    ticket: &TicketId,
) -> QueryResult<bool> {
    if sender.orgs().contains(&org) {
        return Ok(true);
    }
    if org != &mailbox.head {
        return Ok(false);
    }
    Ok(models::triage_of(conn, org, ticket)?.is_some_and(|t| t.sender == from && t.moved_at.is_none()))
}

#[cfg(test)]
mod tests {
    use super::subject_number;

    #[test]
    fn subject_tokens() {
        assert_eq!(subject_number("Re: [#42] Printer"), Some(42));
        assert_eq!(subject_number("RE: AW: [ACME#7] x"), Some(7));
        assert_eq!(subject_number("[ACME-7] x"), Some(7));
        assert_eq!(subject_number("[External] Re: [#9] x"), Some(9));
        assert_eq!(subject_number("[#0] x"), None);
        assert_eq!(subject_number("[#12345678901] x"), None);
        assert_eq!(subject_number("[#4a] x"), None);
        assert_eq!(subject_number("no token #42"), None);
        assert_eq!(subject_number("[#42"), None);
        assert_eq!(subject_number("[[[[#3]"), Some(3));
    }
}
