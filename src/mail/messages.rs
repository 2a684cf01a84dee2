//! The emails Palisade sends, rendered from templates/mail/ (a text and an HTML body each).

use askama::Template;

use super::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    inviter: &'a str,
    org_name: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    inviter: &'a str,
    org_name: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

pub fn invitation(to: &str, inviter: &str, org_name: &str, role: &str, link: &str, expires: &str) -> OutgoingMail {
    OutgoingMail::new(
        to,
        format!("{inviter} invited you to {org_name} on Palisade"),
        InvitationText { inviter, org_name, role, link, expires }.render().unwrap_or_default(),
        InvitationHtml { inviter, org_name, role, link, expires }.render().unwrap_or_default(),
    )
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct ResetText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct ResetHtml<'a> {
    name: &'a str,
    link: &'a str,
}

pub fn password_reset(to: &str, name: &str, link: &str) -> OutgoingMail {
    OutgoingMail::new(
        to,
        "Reset your Palisade password",
        ResetText { name, link }.render().unwrap_or_default(),
        ResetHtml { name, link }.render().unwrap_or_default(),
    )
}
