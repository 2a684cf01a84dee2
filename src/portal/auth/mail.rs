//! The portal's emails to its end users: a sign-in link, a password reset link, an invitation, and the answer to
//! an approved access request. One template pair, in the client's portal brand (`portal::brand::email_brand`:
//! name, logo, colors), every link under the portal's own address (its verified domain, else `/portal/{slug}`).

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::mail::{self, MailHeaders, OutgoingMail};
use crate::portal::auth::links::Purpose;
use crate::portal::brand::{EmailBrand, email_brand};

#[derive(Template)]
#[template(path = "mail/portal_link.txt")]
struct LinkText<'a> {
    name: &'a str,
    lead: &'a str,
    action: &'a str,
    link: &'a str,
    fine_print: &'a str,
    portal: &'a str,
}

#[derive(Template)]
#[template(path = "mail/portal_link.html")]
struct LinkHtml<'a> {
    name: &'a str,
    lead: &'a str,
    action: &'a str,
    link: &'a str,
    fine_print: &'a str,
    brand: &'a EmailBrand,
}

/// Which email carries the link.
#[derive(Clone, Debug)]
pub enum LinkMail {
    SignIn,
    Reset,
    /// An invitation, naming who sent it.
    Invite {
        inviter: String,
    },
    /// An access request someone approved: its link sets a first password, like an invitation's.
    Approved,
    /// An invitation or an approval for a person who already has a password (staff elsewhere, or an end user of
    /// another client): its link is the portal's sign-in page, so that following it never replaces the
    /// password they use everywhere else. The inviter, or None for an approved request.
    ExistingAccount {
        inviter: Option<String>,
    },
}

impl LinkMail {
    /// The kind of link the email carries (`links::send` issues one of it). `ExistingAccount` carries no token,
    /// only the sign-in page (`accounts::grant` sends it with `send_link`), and is counted as a sign-in email.
    pub fn purpose(&self) -> Purpose {
        match self {
            LinkMail::SignIn | LinkMail::ExistingAccount { .. } => Purpose::SignIn,
            LinkMail::Reset => Purpose::Reset,
            LinkMail::Invite { .. } | LinkMail::Approved => Purpose::Invite,
        }
    }

    /// Subject, opening sentence, button label, fine print.
    fn words(&self, portal: &str) -> (String, String, &'static str, &'static str) {
        match self {
            LinkMail::SignIn => (
                format!("Your sign-in link for {portal}"),
                format!("Here is the link you asked for to sign in to {portal}."),
                "Sign in",
                "The link works once and expires in 15 minutes. If you did not ask for it, ignore this email.",
            ),
            LinkMail::Reset => (
                format!("Reset your {portal} password"),
                format!("Someone (hopefully you) asked to reset your password for {portal}."),
                "Choose a new password",
                "The link works once and expires in one hour. If you did not ask for this, ignore this email; your \
                 password stays as it is.",
            ),
            LinkMail::Invite { inviter } => (
                format!("{inviter} invited you to {portal}"),
                format!("{inviter} invited you to {portal}, where you can ask for help and follow your requests."),
                "Set your password",
                "The link works once and expires in 7 days.",
            ),
            LinkMail::Approved => (
                format!("Your access to {portal} is approved"),
                format!("Your request for access to {portal} is approved."),
                "Set your password",
                "The link works once and expires in 7 days.",
            ),
            LinkMail::ExistingAccount { inviter } => (
                match inviter {
                    Some(inviter) => format!("{inviter} invited you to {portal}"),
                    None => format!("Your access to {portal} is approved"),
                },
                format!(
                    "You can now use {portal}, where you can ask for help and follow your requests. You already \
                     have an account with this email address: sign in with its password."
                ),
                "Sign in",
                "Forgot your password? Choose “Forgot your password?” on the sign-in page.",
            ),
        }
    }
}

/// Queues the email carrying the portal link `{portal}{path}` to `to`, in the client's brand, in the caller's
/// transaction.
pub fn send_link(
    conn: &mut DbConnection,
    base_url: &str,
    client: &OrgId,
    kind: &LinkMail,
    to: (&str, &str),
    path: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(brand) = email_brand(conn, base_url, client)? else { return Ok(()) };
    let (email, name) = to;
    let link = brand.link(path);
    let (subject, lead, action, fine_print) = kind.words(&brand.name);
    let text = LinkText { name, lead: &lead, action, link: &link, fine_print, portal: &brand.name };
    let html = LinkHtml { name, lead: &lead, action, link: &link, fine_print, brand: &brand };
    let rendered = |r: askama::Result<String>| r.map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)));
    let mut outgoing = OutgoingMail::new(email, subject, rendered(text.render())?, rendered(html.render())?);
    outgoing = outgoing.for_org(client);
    outgoing.headers = MailHeaders { from_name: Some(brand.name.clone()), ..MailHeaders::default() };
    mail::enqueue(conn, now, &outgoing).map(|_| ())
}
