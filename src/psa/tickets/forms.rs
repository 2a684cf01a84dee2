//! The ticket forms' values as typed and their validation into the service's inputs.

use serde::Deserialize;

use super::models::{Priority, TicketStatus, TicketType};
use crate::web::forms::FieldErrors;

/// The new-ticket form.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct NewTicketForm {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub description: String,
    /// An existing contact's email, or a new one (then `requester_name` names them).
    #[serde(default)]
    pub requester_email: String,
    #[serde(default)]
    pub requester_name: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub ticket_type: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub status: String,
}

/// A choice from a select field, or the message for it.
pub fn choice<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        errors.add(field, format!("Choose {what} from the list."));
    }
    parsed
}

pub fn subject(errors: &mut FieldErrors, value: &str) -> String {
    crate::web::forms::required(errors, "subject", value, "Subject", 200)
}

pub fn description(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let text = value.trim().to_string();
    if text.chars().count() > 50_000 {
        errors.add(field, "Keep it under 50,000 characters (attach longer texts as files).");
    }
    text
}

pub fn category(errors: &mut FieldErrors, value: &str) -> String {
    let text = value.trim().to_string();
    if text.chars().count() > 80 {
        errors.add("category", "A category has at most 80 characters.");
    }
    text
}

/// Validated fields of the new-ticket form (people are resolved by the handler, against the database).
pub struct ValidNewTicket {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub ticket_type: TicketType,
    pub category: String,
    pub status: TicketStatus,
}

impl NewTicketForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<ValidNewTicket> {
        let subject = subject(errors, &self.subject);
        let description = description(errors, "description", &self.description);
        let priority = choice(errors, "priority", &self.priority, Priority::parse, "a priority");
        let ticket_type = choice(errors, "ticket_type", &self.ticket_type, TicketType::parse, "a type");
        let category = category(errors, &self.category);
        let status = if self.status.is_empty() {
            Some(TicketStatus::New)
        } else {
            choice(errors, "status", &self.status, TicketStatus::parse, "a status")
        };
        Some(ValidNewTicket {
            subject,
            description,
            priority: priority?,
            ticket_type: ticket_type?,
            category,
            status: status?,
        })
    }
}

/// The ticket page's properties form: status (with the resolution note), priority, assignee.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct PropertiesForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub resolution_note: String,
}

/// The ticket page's details form.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct DetailsForm {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub ticket_type: String,
    #[serde(default)]
    pub category: String,
    /// A contact's email; empty for no requester.
    #[serde(default)]
    pub requester_email: String,
}
