//! Outgoing email through an outbox: a change that sends email inserts an `outbox` row in the SAME transaction
//! ([`enqueue`]), so the email exists exactly when the change does; the scheduler's `mail.deliver` job sends due
//! rows through the [`Mailer`] with retries and exponential backoff, and marks a row failed (visible to super
//! admins at Administration -> Email) after its last attempt. No request ever waits on a mail server.
//!
//! ```ignore
//! state.db.write(move |conn| {
//!     let invitation = members::create_invitation(conn, &actor, &org, input)?;
//!     mail::enqueue(conn, now, &messages::invitation(&invitation.email, ...).for_org(&org.id))?;
//!     Ok(invitation)
//! })
//! ```
//!
//! Delivery is at least once: a crash between the mail server accepting a message and the row being marked sent
//! can send that one message again after its claim's lease; never does one row go out twice from two instances.

pub mod handlers;
pub mod messages;
pub mod outbox;
mod transport;

pub use outbox::enqueue;
pub use transport::{Mailer, SendError};

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::db::ids::OrgId;
use crate::jobs::Job;

/// An email to send: rendered bodies plus what threading, replies and attachments need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The organization the email is about (None for installation-level mail such as password resets).
    pub org_id: Option<OrgId>,
    pub headers: MailHeaders,
    pub attachments: Vec<MailAttachment>,
}

impl OutgoingMail {
    pub fn new(to: &str, subject: impl Into<String>, text: String, html: String) -> OutgoingMail {
        OutgoingMail { to: to.to_string(), subject: subject.into(), text, html, ..OutgoingMail::default() }
    }

    pub fn for_org(mut self, org_id: &OrgId) -> OutgoingMail {
        self.org_id = Some(org_id.clone());
        self
    }
}

/// Headers beyond From/To/Subject, stored as JSON with the outbox row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailHeaders {
    /// `<id@host>`: set it when replies must be threaded back (tickets); otherwise one is made at delivery.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub reply_to: Option<String>,
    /// Display name of the sender (the address stays PALISADE_MAIL_FROM's), e.g. a client's portal name.
    pub from_name: Option<String>,
}

/// A file sent with an email, read from storage at delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: String,
    pub storage_key: String,
}

/// A new Message-ID on the installation's host, for mail whose replies must find their way back.
pub fn new_message_id(base_url: &str) -> String {
    let host = base_url.split("://").nth(1).unwrap_or("palisade.local").split(':').next().unwrap_or("palisade.local");
    format!("<{}@{host}>", uuid::Uuid::now_v7().simple())
}

/// The scheduled jobs of this area.
pub fn jobs() -> Vec<Job> {
    vec![
        Job::new("mail.deliver", "Deliver queued email", Duration::seconds(5), outbox::deliver_due),
        Job::new("mail.purge", "Remove old delivered email", Duration::hours(24), outbox::purge_old),
    ]
}

/// Routes of this area (the route table adds them).
pub fn routes() -> Vec<crate::web::routes::RouteDef> {
    use crate::web::routes::{Access, get, post};
    vec![
        get("/admin/mail", Access::SuperAdmin, handlers::list),
        post("/admin/mail/{mail_id}/retry", Access::SuperAdmin, handlers::retry),
    ]
}
