//! The service desk's entries of the activity log as sentences (see `audit::sentences`).

use crate::audit::Action;
use crate::audit::log::ActivityEntry;
use crate::psa::tickets::models::{Priority, TicketStatus};

/// The entry as one sentence; `who` is the actor's name.
pub fn sentence(who: &str, entry: &ActivityEntry) -> String {
    use Action::*;
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    match entry.action {
        ContactCreated => format!("{who} added the contact {what}"),
        ContactUpdated => format!("{who} changed the contact {what}"),
        ContactArchived => format!("{who} archived the contact {what}"),
        ContactRestored => format!("{who} restored the contact {what}"),
        ContactsImported => format!("{who} imported contacts ({details})"),
        AssetCreated => format!("{who} added the asset {what} ({details})"),
        AssetUpdated if details.is_empty() => format!("{who} saved the asset {what} unchanged"),
        AssetUpdated => format!("{who} changed the {details} of the asset {what}"),
        AssetRetired => format!("{who} retired the asset {what} ({details})"),
        AssetRestored => format!("{who} put the asset {what} back in stock"),
        AssetFileAdded => format!("{who} added {details} to the asset {what}"),
        AssetsImported => format!("{who} imported assets ({details})"),
        AssetTicketLinked => format!("{who} linked the asset {what} to ticket {details}"),
        AssetTicketUnlinked => format!("{who} unlinked the asset {what} from ticket {details}"),
        TicketCreated => format!("{who} opened ticket {what}"),
        TicketReplied => format!("{who} replied on ticket {what}"),
        TicketNoted => format!("{who} added an internal note to ticket {what}"),
        TicketStatusChanged => format!("{who} moved ticket {what}{}", arrow(details, status_label)),
        TicketAssigned if details == "unassigned" => format!("{who} unassigned ticket {what}"),
        TicketAssigned => format!("{who} assigned ticket {what} {details}"),
        TicketPriorityChanged => {
            format!("{who} changed the priority of ticket {what}{}", arrow(details, priority_label))
        }
        TicketUpdated => format!("{who} changed ticket {what} ({details})"),
        TicketMerged => format!("{who} merged ticket {what} {details}"),
        TicketLinked => format!("{who} related tickets {details}"),
        TicketUnlinked => format!("{who} removed the relation between tickets {details}"),
        TicketAssetLinked => format!("{who} linked the asset {details} to ticket {what}"),
        TicketAssetUnlinked => format!("{who} unlinked the asset {details} from ticket {what}"),
        TicketWatchersChanged => format!("{who} changed the watchers of ticket {what}: {details}"),
        TicketEscalated => format!("Ticket {what} was escalated ({details})"),
        TicketPolicyChanged => format!("{who} changed the SLA policy of ticket {what} ({details})"),
        SlaPolicyCreated => format!("{who} added the SLA policy {what}"),
        SlaPolicyUpdated => format!(
            "{who} changed the SLA policy {what}{}",
            if details.is_empty() { String::new() } else { format!(" ({details})") }
        ),
        SlaRuleAdded => format!("{who} added an escalation rule to {what} ({details})"),
        SlaRuleRemoved => format!("{who} removed an escalation rule from {what} ({details})"),
        DeskSettingsChanged => format!("{who} changed the closing rules ({details})"),
        TemplateAdded => format!("{who} added the ticket template {what}"),
        TemplateRemoved => format!("{who} removed the ticket template {what}"),
        CannedAdded => format!("{who} added the canned response {what}"),
        CannedRemoved => format!("{who} removed the canned response {what}"),
        RecurringAdded => format!("{who} scheduled the recurring ticket {what} ({details})"),
        RecurringRemoved => format!("{who} removed the recurring ticket {what}"),
        TimeEntryAdded => format!("{who} logged {details} for {what}"),
        TimeEntryChanged => format!("{who} changed a time entry for {what} ({details})"),
        TimeEntryDeleted => format!("{who} deleted a time entry for {what} ({details})"),
        TimerStarted => format!("{who} started a timer on {what}"),
        TimerStopped => format!("{who} stopped the timer on {what} ({details})"),
        other => format!("{who}: {} {what}", other.label()),
    }
}

fn status_label(id: &str) -> String {
    TicketStatus::parse(id).map(|s| s.label().to_string()).unwrap_or_else(|| id.to_string())
}

fn priority_label(id: &str) -> String {
    Priority::parse(id).map(|p| p.label().to_string()).unwrap_or_else(|| id.to_string())
}

/// " from A to B" from "a -> b", each side in words.
fn arrow(details: &str, words: impl Fn(&str) -> String) -> String {
    match details.split_once(" -> ") {
        Some((from, to)) => format!(" from {} to {}", words(from.trim()), words(to.trim())),
        None if details.is_empty() => String::new(),
        None => format!(" ({details})"),
    }
}
