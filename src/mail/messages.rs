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

/// What an acknowledgment request (or its reminder) says.
pub struct CampaignRequest<'a> {
    pub name: &'a str,
    pub org_name: &'a str,
    pub titles: &'a [String],
    pub due: &'a str,
    pub message: &'a str,
    pub link: &'a str,
    pub reminder: bool,
}

#[derive(Template)]
#[template(path = "mail/campaign_request.txt")]
struct CampaignRequestText<'a> {
    name: &'a str,
    org_name: &'a str,
    titles: &'a [String],
    due: &'a str,
    message: &'a str,
    link: &'a str,
    reminder: bool,
}

#[derive(Template)]
#[template(path = "mail/campaign_request.html")]
struct CampaignRequestHtml<'a> {
    name: &'a str,
    org_name: &'a str,
    titles: &'a [String],
    due: &'a str,
    message: &'a str,
    link: &'a str,
    reminder: bool,
}

pub fn campaign_request(to: &str, r: &CampaignRequest<'_>) -> OutgoingMail {
    let CampaignRequest { name, org_name, titles, due, message, link, reminder } = *r;
    let subject = if reminder {
        format!("Reminder: {org_name} policies to acknowledge by {due}")
    } else {
        format!("{org_name} asks you to acknowledge its policies by {due}")
    };
    OutgoingMail::new(
        to,
        subject,
        CampaignRequestText { name, org_name, titles, due, message, link, reminder }.render().unwrap_or_default(),
        CampaignRequestHtml { name, org_name, titles, due, message, link, reminder }.render().unwrap_or_default(),
    )
}
