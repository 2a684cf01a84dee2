//! The activity log as people read it: each entry as a sentence ("Dana Admin invited bob@example.com as
//! Analyst"). The log keeps its ids (action codes, role ids, tier codes in the details) for exports and the API;
//! pages show these words instead. Each action's short label (the log's filter) is `Action::label`.

use crate::audit::actions::Action;
use crate::audit::log::ActivityEntry;
use crate::auth::permissions::{Role, Tier};

/// Who acted, by name: "Dana Admin <dana@x>" -> "Dana Admin"; an anonymous visitor is "Someone".
pub fn actor_name(label: &str) -> String {
    let name = label.split(" <").next().unwrap_or(label).trim();
    if name.is_empty() || name == "visitor" { "Someone".into() } else { name.to_string() }
}

/// The entry as one sentence.
pub fn sentence(entry: &ActivityEntry) -> String {
    use Action::*;
    let who = actor_name(&entry.actor_label);
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    match entry.action {
        SignIn => format!("{who} signed in"),
        SignInFailed => format!("A sign-in as {what} failed (wrong email or password)"),
        SignInRefused => format!("A sign-in as {what} was refused (no active membership)"),
        SignOut => format!("{who} signed out"),
        PasswordResetRequested => format!("A password reset link was sent to {what}"),
        PasswordReset => format!("{who} set a new password from a reset link"),
        ProfileUpdated => format!("{who} changed their name to {what}"),
        PasswordChanged => format!("{who} changed their password"),
        SignedOutEverywhere => format!("{who} signed out on every device"),
        SessionEnded => format!("{who} signed out one of their sessions"),
        SignInLinkRequested => format!("A one-time sign-in link was sent to {what}"),
        PortalInvited => format!("{who} invited {what} to the portal"),
        PortalWelcomed => format!("{who} accepted the portal invitation and set a password"),
        PortalAccessRemoved => format!("{who} removed the portal access of {what}"),
        PortalTicketsScopeChanged => format!("{who} set {what} to see {details} in the portal"),
        PortalAccessRequested => format!("{what} asked for access to the portal"),
        PortalAccessApproved => format!("{who} approved the portal access request of {what}"),
        PortalAccessRefused => format!("{who} refused the portal access request of {what}"),
        InstallationOnboard => format!("{who} set up Palisade with {what}"),
        OrganizationCreated => format!("{who} created {what}{}", created_details(details)),
        OrganizationMadeMsp => format!("{who} made {what} an MSP"),
        OrganizationArchived => format!("{who} archived {what}"),
        OrganizationRestored => format!("{who} restored {what}"),
        SeatsChanged => format!("{who} changed the seats of {what}{}", arrow(details, |s| s.into())),
        MemberInvited => format!("{who} invited {what}{}", as_role(details)),
        InvitationResent => format!("{who} sent {what} a new invitation link"),
        InvitationRevoked => format!("{who} revoked the invitation to {what}"),
        MemberJoined => format!("{what} joined{}", as_role(details)),
        MemberRoleChanged => format!("{who} changed the role of {what}{}", arrow(details, role_label)),
        MemberDeactivated => format!("{who} deactivated {what}"),
        MemberReactivated => format!("{who} reactivated {what}"),
        ComplianceTeamChanged if details == "off" => format!("{who} took {what} off the compliance team"),
        ComplianceTeamChanged => format!("{who} put {what} on the compliance team"),
        ClientCreated => format!("{who} added the client {what}{}", created_details(details)),
        ClientUpdated => format!("{who} changed the details of {what}{}", update_details(details)),
        ClientAdminInvited => {
            format!("{who} invited {} as Admin of {what}", details.strip_prefix("admin ").unwrap_or(details))
        }
        ClientTierChanged => format!("{who} moved {what}{}", arrow(details, tier_label)),
        ClientStaffAssigned => format!("{who} assigned staff to {what}{}", in_parens(details)),
        ClientArchived => format!("{who} archived the client {what}"),
        ClientRestored => format!("{who} restored the client {what}"),
        EmailRetried => format!("{who} queued the email to {what} again{}", in_parens(details)),
        FrameworkAdopted => format!("{who} adopted {what}{}", in_parens(details)),
        FrameworkUnadopted => format!("{who} unadopted {what}{}", in_parens(details)),
        FrameworkScoped => format!("{who} changed the scope of {what}{}", arrow(details, |s| s.into())),
        RequirementExcluded => format!("{who} marked {what} not applicable{}", in_parens(details)),
        RequirementIncluded => format!("{who} made {what} applicable again"),
        ControlUpdated => format!("{who} changed {what}{}", update_details(details)),
        ControlStatusChanged => format!("{who} moved {what}{}", arrow(details, status_label)),
        ControlApproved => format!("{who} approved {what} as implemented{}", in_parens(details)),
        ControlRejected => format!("{who} sent {what} back to In progress{}", in_parens(details)),
        EvidenceAdded => format!("{who} added the evidence {what}{}", in_parens(details)),
        EvidenceUpdated => format!("{who} changed the evidence {what}{}", update_details(details)),
        EvidenceRevised => format!("{who} replaced the file of {what}{}", in_parens(details)),
        EvidenceLinked => format!("{who} linked {} to {what}", or(details, "evidence")),
        EvidenceUnlinked => format!("{who} unlinked {} from {what}", or(details, "evidence")),
        EvidenceApproved => format!("{who} approved the evidence {what}"),
        EvidenceRejected => format!("{who} rejected the evidence {what}{}", in_parens(details)),
        EvidenceDownloaded => format!("{who} downloaded {what}{}", in_parens(details)),
        ReportDownloaded => format!("{who} downloaded {what}"),
        BaaAdded => format!("{who} added the business associate agreement with {what}"),
        BaaUpdated => format!("{who} changed the business associate agreement with {what}{}", update_details(details)),
        DsrLogged => format!("{who} logged the data-subject request {what}{}", in_parens(details)),
        DsrUpdated => format!("{who} changed the data-subject request {what}{}", update_details(details)),
        SprsPartialCredit => format!("{who} recorded {what} as {}", or(details, "changed")),
        RiskCreated => format!("{who} added the risk {what}{}", in_parens(details)),
        RiskUpdated => format!("{who} changed the risk {what}{}", update_details(details)),
        RiskClosed => format!("{who} closed the risk {what}{}", in_parens(details)),
        RiskReopened => format!("{who} reopened the risk {what}"),
        RiskAccepted => format!("{who} accepted the risk {what}{}", in_parens(details)),
        RisksImported => format!("{who} imported risks{}", in_parens(details)),
        RiskAssessmentStarted => format!("{who} started the risk assessment {what}{}", in_parens(details)),
        RiskAssessmentSignedOff => format!("{who} signed off the risk assessment {what}{}", in_parens(details)),
        ContactCreated
        | ContactUpdated
        | ContactArchived
        | ContactRestored
        | ContactsImported
        | AssetCreated
        | AssetUpdated
        | AssetRetired
        | AssetRestored
        | AssetFileAdded
        | AssetsImported
        | AssetTicketLinked
        | AssetTicketUnlinked
        | TicketCreated
        | TicketReplied
        | TicketNoted
        | TicketStatusChanged
        | TicketAssigned
        | TicketPriorityChanged
        | TicketUpdated
        | TicketMerged
        | TicketLinked
        | TicketUnlinked
        | TicketAssetLinked
        | TicketAssetUnlinked
        | TicketWatchersChanged
        | TicketEscalated
        | TicketPolicyChanged
        | SlaPolicyCreated
        | SlaPolicyUpdated
        | SlaRuleAdded
        | SlaRuleRemoved
        | DeskSettingsChanged
        | TemplateAdded
        | TemplateRemoved
        | CannedAdded
        | CannedRemoved
        | RecurringAdded
        | RecurringRemoved
        | TimeEntryAdded
        | TimeEntryChanged
        | TimeEntryDeleted
        | TimerStarted
        | TimerStopped => crate::psa::activity::sentence(&who, entry),
        WorkTypeAdded => format!("{who} added the work type {what}{}", in_parens(details)),
        WorkTypeChanged => format!("{who} changed the work type {what}{}", in_parens(details)),
        WorkTypeArchived => format!("{who} archived the work type {what}"),
        WorkTypeRestored => format!("{who} restored the work type {what}"),
        ClientTermsChanged => format!("{who} changed the billing terms of {what}{}", in_parens(details)),
        ClientRateSet => format!("{who} set a rate for {what}{}", in_parens(details)),
        ClientRateRemoved => format!("{who} removed a rate of {what}{}", in_parens(details)),
        AgreementAdded => format!("{who} added an agreement for {what}{}", in_parens(details)),
        AgreementChanged => format!("{who} changed an agreement of {what}{}", in_parens(details)),
        InvoiceGenerated => format!("{who} generated invoice {details}"),
        InvoiceStatusChanged => format!("{who} moved invoice {what}{}", arrow(details, invoice_status)),
        InvoiceEmailed => format!("{who} emailed invoice {what}{}", in_parens(details)),
        InvoicePrefixChanged => format!("{who} changed the invoice number prefix{}", in_parens(details)),
        BillingSettingsChanged => format!("{who} changed the billing settings{}", in_parens(details)),
        PortalBrandingChanged => format!("{who} changed the portal's branding{}", in_parens(details)),
        PortalDomainChanged => format!("{who} changed the portal's domain{}", in_parens(details)),
        InboundTriageMoved | InboundReprocessed => crate::psa::inbound::activity_sentence(&who, entry),
        ArticleCreated | ArticleUpdated | ArticlePublished | ArticleUnpublished | ArticleArchived
        | ArticleFileAdded => crate::psa::kb::activity_sentence(&who, entry),
        PolicyCreated | PolicyUpdated | PolicySubmitted | PolicyApproved | PolicyRejected | PolicyPublished
        | PersonAdded | PersonUpdated | PersonDeactivated | PersonReactivated | PeopleImported | CampaignStarted
        | CampaignClosed | CampaignReminded | PolicyAcknowledged => {
            crate::compliance::policies::activity_sentence(&who, entry)
        }
        ChatAccepted | ChatEnded => crate::psa::chat::activity_sentence(&who, entry),
    }
}

/// " as Analyst" from "role EMPLOYEE".
fn as_role(details: &str) -> String {
    details.strip_prefix("role ").map(|id| format!(" as {}", role_label(id))).unwrap_or_default()
}

fn role_label(id: &str) -> String {
    Role::parse(id).map(|r| r.label().to_string()).unwrap_or_else(|| id.to_string())
}

fn status_label(id: &str) -> String {
    crate::compliance::program::ControlStatus::parse(id)
        .map(|s| s.label().to_string())
        .unwrap_or_else(|| id.to_string())
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

fn invoice_status(id: &str) -> String {
    crate::billing::invoices::store::InvoiceStatus::parse(id)
        .map(|s| s.label().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The details, or `fallback` when there are none.
fn or<'a>(details: &'a str, fallback: &'a str) -> &'a str {
    if details.is_empty() { fallback } else { details }
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

/// "name: A -> B; timezone: X -> Y; notes: edited" as ": name from A to B, timezone from X to Y, notes edited".
fn update_details(details: &str) -> String {
    let changes: Vec<String> = details
        .split("; ")
        .filter_map(|change| {
            let (field, values) = change.split_once(": ")?;
            Some(match values.split_once(" -> ") {
                Some((from, to)) => format!("{field} from {from} to {to}"),
                None => format!("{field} {values}"),
            })
        })
        .collect();
    if changes.is_empty() { in_parens(details) } else { format!(": {}", changes.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, action: Action, target: &str, details: &str) -> ActivityEntry {
        ActivityEntry {
            id: crate::db::ids::ActivityId::new(),
            actor_label: actor.into(),
            action,
            target_type: String::new(),
            target_label: target.into(),
            details: details.into(),
            ip: String::new(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn entries_read_as_sentences_with_labels_not_codes() {
        use Action::*;
        let dana = "Dana Admin <dana@x.test>";
        let cases = [
            (entry(dana, MemberInvited, "bob@x.test", "role EMPLOYEE"), "Dana Admin invited bob@x.test as Analyst"),
            (entry("bob@x.test", MemberJoined, "bob@x.test", "role READ_ONLY"), "bob@x.test joined as Read Only"),
            (
                entry(dana, MemberRoleChanged, "bob@x.test", "EMPLOYEE -> COMPLIANCE_OFFICER"),
                "Dana Admin changed the role of bob@x.test from Analyst to Approver",
            ),
            (entry(dana, ClientTierChanged, "Acme", "T1 -> T3"), "Dana Admin moved Acme from T1 Monitor to T3 Manage"),
            (
                entry(dana, ClientCreated, "Acme", "tier T2, 1 staff assigned"),
                "Dana Admin added the client Acme (at T2 Operate, 1 staff assigned)",
            ),
            (
                entry(dana, ClientUpdated, "Acme Two", "name: Acme -> Acme Two"),
                "Dana Admin changed the details of Acme Two: name from Acme to Acme Two",
            ),
            (
                entry(dana, ComplianceTeamChanged, "bob@x.test", "off"),
                "Dana Admin took bob@x.test off the compliance team",
            ),
            (entry("visitor", PasswordReset, "", ""), "Someone set a new password from a reset link"),
        ];
        for (e, expected) in cases {
            assert_eq!(sentence(&e), expected);
        }
    }

    #[test]
    fn every_action_reads_as_a_sentence_without_codes() {
        for action in Action::ALL {
            let text = sentence(&entry("Dana Admin <dana@x.test>", action, "Acme", ""));
            assert!(!text.contains(action.id()), "{action:?}: {text}");
            assert!(!text.contains('<') && !text.trim().is_empty(), "{action:?}: {text}");
        }
    }
}
