//! The activity log as people read it: each entry as a sentence ("Dana Admin invited bob@example.com as
//! Analyst"), each action as a label. The log keeps its ids (action codes, role ids, tier codes in the details)
//! for exports and the API; pages show these words instead.

use crate::audit::log::ActivityEntry;
use crate::auth::permissions::{Role, Tier};

/// The label of an action, for the log's filter ("member.invite" -> "Invitation sent").
pub fn action_label(action: &str) -> String {
    let known = match action {
        "auth.sign_in" => "Signed in",
        "auth.sign_in_failed" => "Sign-in failed",
        "auth.sign_out" => "Signed out",
        "auth.password_reset_requested" => "Password reset requested",
        "auth.password_reset" => "Password reset",
        "user.update_profile" => "Profile updated",
        "user.change_password" => "Password changed",
        "user.sign_out_everywhere" => "Signed out everywhere",
        "installation.onboard" => "Palisade set up",
        "organization.create" => "Organization created",
        "organization.make_msp" => "Made an MSP",
        "organization.archive" => "Organization archived",
        "organization.restore" => "Organization restored",
        "organization.set_seats" => "Seats changed",
        "member.invite" => "Invitation sent",
        "member.invite_resend" => "Invitation resent",
        "member.invite_revoke" => "Invitation revoked",
        "member.join" => "Member joined",
        "member.change_role" => "Role changed",
        "member.deactivate" => "Member deactivated",
        "member.reactivate" => "Member reactivated",
        "member.compliance_team" => "Compliance team changed",
        "client.create" => "Client added",
        "client.update" => "Client details changed",
        "client.invite_admin" => "Client admin invited",
        "client.change_tier" => "Client tier changed",
        "client.assign_staff" => "Client staff assigned",
        "client.archive" => "Client archived",
        "client.restore" => "Client restored",
        _ => return fallback_label(action),
    };
    known.to_string()
}

/// An action this file does not know yet, in words rather than as a code ("risk.accept" -> "Risk accept").
fn fallback_label(action: &str) -> String {
    let text = action.replace(['.', '_'], " ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// Who acted, by name: "Dana Admin <dana@x>" -> "Dana Admin"; an anonymous visitor is "Someone".
pub fn actor_name(label: &str) -> String {
    let name = label.split(" <").next().unwrap_or(label).trim();
    if name.is_empty() || name == "visitor" { "Someone".into() } else { name.to_string() }
}

/// The entry as one sentence.
pub fn sentence(entry: &ActivityEntry) -> String {
    let who = actor_name(&entry.actor_label);
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    match entry.action.as_str() {
        "auth.sign_in" => format!("{who} signed in"),
        "auth.sign_in_failed" => format!("A sign-in as {what} failed (wrong email or password)"),
        "auth.sign_out" => format!("{who} signed out"),
        "auth.password_reset_requested" => format!("A password reset link was sent to {what}"),
        "auth.password_reset" => format!("{who} set a new password from a reset link"),
        "user.update_profile" => format!("{who} changed their name to {what}"),
        "user.change_password" => format!("{who} changed their password"),
        "user.sign_out_everywhere" => format!("{who} signed out on every device"),
        "installation.onboard" => format!("{who} set up Palisade with {what}"),
        "organization.create" => format!("{who} created {what}{}", created_details(details)),
        "organization.make_msp" => format!("{who} made {what} an MSP"),
        "organization.archive" => format!("{who} archived {what}"),
        "organization.restore" => format!("{who} restored {what}"),
        "organization.set_seats" => format!("{who} changed the seats of {what}{}", arrow(details, |s| s.into())),
        "member.invite" => format!("{who} invited {what}{}", as_role(details)),
        "member.invite_resend" => format!("{who} sent {what} a new invitation link"),
        "member.invite_revoke" => format!("{who} revoked the invitation to {what}"),
        "member.join" => format!("{what} joined{}", as_role(details)),
        "member.change_role" => format!("{who} changed the role of {what}{}", arrow(details, role_label)),
        "member.deactivate" => format!("{who} deactivated {what}"),
        "member.reactivate" => format!("{who} reactivated {what}"),
        "member.compliance_team" if details == "off" => format!("{who} took {what} off the compliance team"),
        "member.compliance_team" => format!("{who} put {what} on the compliance team"),
        "client.create" => format!("{who} added the client {what}{}", created_details(details)),
        "client.update" => format!("{who} changed the details of {what}{}", update_details(details)),
        "client.invite_admin" => {
            format!("{who} invited {} as Admin of {what}", details.strip_prefix("admin ").unwrap_or(details))
        }
        "client.change_tier" => format!("{who} moved {what}{}", arrow(details, tier_label)),
        "client.assign_staff" => format!("{who} assigned staff to {what}{}", in_parens(details)),
        "client.archive" => format!("{who} archived the client {what}"),
        "client.restore" => format!("{who} restored the client {what}"),
        other => format!("{who}: {} {what}{}", fallback_label(other), in_parens(details)).trim_end().to_string(),
    }
}

/// " as Analyst" from "role EMPLOYEE".
fn as_role(details: &str) -> String {
    details.strip_prefix("role ").map(|id| format!(" as {}", role_label(id))).unwrap_or_default()
}

fn role_label(id: &str) -> String {
    Role::parse(id).map(|r| r.label().to_string()).unwrap_or_else(|| id.to_string())
}

fn tier_label(code: &str) -> String {
    Tier::parse(code).map(Tier::label).unwrap_or_else(|| code.to_string())
}

/// " from A to B" from "A -> B", each side in words.
fn arrow(details: &str, words: impl Fn(&str) -> String) -> String {
    match details.split_once(" -> ") {
        Some((from, to)) => format!(" from {} to {}", words(from.trim()), words(to.trim())),
        None => in_parens(details),
    }
}

fn in_parens(details: &str) -> String {
    if details.is_empty() { String::new() } else { format!(" ({details})") }
}

/// Creation details in words: tier codes as tier labels, organization kinds as labels.
fn created_details(details: &str) -> String {
    let parts: Vec<String> = details
        .split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            if let Some(code) = part.strip_prefix("tier ") {
                format!("at {}", tier_label(code))
            } else if let Some(kind) = part.strip_prefix("kind ") {
                crate::orgs::OrgKind::parse(kind).map(|k| format!("as {}", k.label())).unwrap_or(part.to_string())
            } else {
                part.to_string()
            }
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

/// "name: A -> B; timezone: X -> Y" as ": name from A to B, timezone from X to Y".
fn update_details(details: &str) -> String {
    let changes: Vec<String> = details
        .split("; ")
        .filter_map(|change| {
            let (field, values) = change.split_once(": ")?;
            let (from, to) = values.split_once(" -> ")?;
            Some(format!("{field} from {from} to {to}"))
        })
        .collect();
    if changes.is_empty() { in_parens(details) } else { format!(": {}", changes.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, action: &str, target: &str, details: &str) -> ActivityEntry {
        ActivityEntry {
            id: String::new(),
            actor_label: actor.into(),
            action: action.into(),
            target_type: String::new(),
            target_label: target.into(),
            details: details.into(),
            ip: String::new(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn entries_read_as_sentences_with_labels_not_codes() {
        let dana = "Dana Admin <dana@x.test>";
        let cases = [
            (entry(dana, "member.invite", "bob@x.test", "role EMPLOYEE"), "Dana Admin invited bob@x.test as Analyst"),
            (entry("bob@x.test", "member.join", "bob@x.test", "role READ_ONLY"), "bob@x.test joined as Read Only"),
            (
                entry(dana, "member.change_role", "bob@x.test", "EMPLOYEE -> COMPLIANCE_OFFICER"),
                "Dana Admin changed the role of bob@x.test from Analyst to Approver",
            ),
            (
                entry(dana, "client.change_tier", "Acme", "T1 -> T3"),
                "Dana Admin moved Acme from T1 Monitor to T3 Manage",
            ),
            (
                entry(dana, "client.create", "Acme", "tier T2, 1 staff assigned"),
                "Dana Admin added the client Acme (at T2 Operate, 1 staff assigned)",
            ),
            (
                entry(dana, "client.update", "Acme Two", "name: Acme -> Acme Two"),
                "Dana Admin changed the details of Acme Two: name from Acme to Acme Two",
            ),
            (
                entry(dana, "member.compliance_team", "bob@x.test", "off"),
                "Dana Admin took bob@x.test off the compliance team",
            ),
            (entry("visitor", "risk.accept", "R-1", ""), "Someone: Risk accept R-1"),
        ];
        for (e, expected) in cases {
            assert_eq!(sentence(&e), expected);
        }
        assert_eq!(action_label("member.join"), "Member joined");
        assert_eq!(action_label("evidence.link_control"), "Evidence link control");
    }
}
