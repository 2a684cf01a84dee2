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

#[derive(Template)]
#[template(path = "mail/evidence_expiry.txt")]
struct ExpiryText<'a> {
    name: &'a str,
    headline: &'a str,
    title: &'a str,
    org_name: &'a str,
    valid_until: &'a str,
    consequence: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/evidence_expiry.html")]
struct ExpiryHtml<'a> {
    name: &'a str,
    headline: &'a str,
    title: &'a str,
    org_name: &'a str,
    valid_until: &'a str,
    consequence: &'a str,
    link: &'a str,
}

/// Evidence approaching or past its valid-until day: `days_left` is 30, 7, 0 (today) or negative (expired).
pub fn evidence_expiry(
    to: &str,
    name: &str,
    title: &str,
    org_name: &str,
    valid_until: &str,
    days_left: i64,
    link: &str,
) -> OutgoingMail {
    let (subject, headline) = match days_left {
        d if d > 1 => (format!("Evidence expires in {d} days: {title}"), format!("This evidence expires in {d} days.")),
        1 => (format!("Evidence expires tomorrow: {title}"), "This evidence expires tomorrow.".to_string()),
        0 => (format!("Evidence expires today: {title}"), "This evidence is valid for the last day today.".to_string()),
        _ => (format!("Evidence expired: {title}"), "This evidence has expired.".to_string()),
    };
    let consequence = if days_left >= 0 {
        "After that day the controls it supports stop counting as effective, and the compliance scores drop."
    } else {
        "The controls it supports no longer count as effective, and the compliance scores have dropped."
    };
    OutgoingMail::new(
        to,
        subject,
        ExpiryText { name, headline: &headline, title, org_name, valid_until, consequence, link }
            .render()
            .unwrap_or_default(),
        ExpiryHtml { name, headline: &headline, title, org_name, valid_until, consequence, link }
            .render()
            .unwrap_or_default(),
    )
}
