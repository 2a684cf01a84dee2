//! The "start a campaign" form: the values as typed (repeated `version` fields, so the body is read as pairs)
//! and their validation.

use super::models::{Audience, NewCampaign};
use crate::db::Day;
use crate::db::ids::PolicyVersionId;
use crate::web::forms::{self, FieldErrors, value, values};

#[derive(Clone, Debug, Default)]
pub struct CampaignForm {
    pub name: String,
    pub message: String,
    pub due_on: String,
    pub audience: String,
    pub department: String,
    pub role: String,
    /// Chosen people's emails, one a line.
    pub emails: String,
    pub versions: Vec<String>,
    pub remind_days_before: String,
    pub remind_on_due: bool,
    pub remind_every_days: String,
    pub follow_up_of: String,
    pub follow_up_reason: String,
}

impl CampaignForm {
    /// A new campaign: reminders 3 days before, on the due date and weekly after.
    pub fn blank() -> CampaignForm {
        CampaignForm {
            audience: Audience::Everyone.id().to_string(),
            remind_days_before: "3".into(),
            remind_on_due: true,
            remind_every_days: "7".into(),
            ..CampaignForm::default()
        }
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> CampaignForm {
        CampaignForm {
            name: value(pairs, "name").to_string(),
            message: value(pairs, "message").to_string(),
            due_on: value(pairs, "due_on").to_string(),
            audience: value(pairs, "audience").to_string(),
            department: value(pairs, "department").to_string(),
            role: value(pairs, "role").to_string(),
            emails: value(pairs, "emails").to_string(),
            versions: values(pairs, "version"),
            remind_days_before: value(pairs, "remind_days_before").to_string(),
            remind_on_due: value(pairs, "remind_on_due") == "1",
            remind_every_days: value(pairs, "remind_every_days").to_string(),
            follow_up_of: value(pairs, "follow_up_of").to_string(),
            follow_up_reason: value(pairs, "follow_up_reason").to_string(),
        }
    }

    pub fn has_version(&self, id: &str) -> bool {
        self.versions.iter().any(|v| v == id)
    }

    /// The campaign, or the errors. `signable` are the versions that may be chosen, `today` bounds the due date;
    /// chosen people's emails are checked against the directory by the caller (they need the database).
    pub fn validate(&self, signable: &[PolicyVersionId], today: Day) -> Result<NewCampaign, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = forms::required(&mut errors, "name", &self.name, "Name", 160);
        let message = forms::optional(&mut errors, "message", &self.message, "Message", 4000);
        let due_on = forms::day(&mut errors, "due_on", &self.due_on, "Due date");
        if due_on.is_some_and(|d| d < today) {
            errors.add("due_on", "The due date cannot be in the past.");
        }
        let versions: Vec<PolicyVersionId> =
            signable.iter().filter(|v| self.has_version(v.as_str())).cloned().collect();
        if versions.is_empty() || versions.len() != self.versions.len() {
            errors.add("version", "Choose at least one published policy.");
        }
        let audience = Audience::parse(&self.audience);
        let audience_value = match audience {
            Some(Audience::Department) => {
                forms::required(&mut errors, "department", &self.department, "Department", 120)
            }
            Some(Audience::Role) => {
                if crate::auth::permissions::Role::parse(&self.role).is_none() {
                    errors.add("role", "Choose a role.");
                }
                self.role.clone()
            }
            Some(Audience::Chosen) => {
                if self.chosen_emails().is_empty() {
                    errors.add("emails", "Enter the email of at least one person.");
                }
                String::new()
            }
            Some(Audience::Everyone | Audience::Signers) => String::new(),
            None => {
                errors.add("audience", "Choose who must sign.");
                String::new()
            }
        };
        let remind_days_before = days(&mut errors, "remind_days_before", &self.remind_days_before);
        let remind_every_days = days(&mut errors, "remind_every_days", &self.remind_every_days);
        let follow_up_reason = forms::optional(&mut errors, "follow_up_reason", &self.follow_up_reason, "Reason", 500);
        match (errors.is_empty(), due_on, audience) {
            (true, Some(due_on), Some(audience)) => Ok(NewCampaign {
                name,
                message,
                due_on,
                audience,
                audience_value,
                chosen: Vec::new(),
                versions,
                remind_days_before,
                remind_on_due: self.remind_on_due,
                remind_every_days,
                // Ids come from rows: the handler looks the previous campaign up in the organization.
                follow_up_of: None,
                follow_up_reason,
            }),
            _ => Err(errors),
        }
    }

    /// The chosen people's emails, lower-case, without blanks or repeats.
    pub fn chosen_emails(&self) -> Vec<String> {
        let mut emails: Vec<String> =
            self.emails.split(['\n', ',', ';']).map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        emails.sort();
        emails.dedup();
        emails
    }
}

/// A number of days, 0 to 365 (blank is 0: no such reminder).
fn days(errors: &mut FieldErrors, field: &'static str, text: &str) -> i32 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    match text.parse::<i32>() {
        Ok(n) if (0..=365).contains(&n) => n,
        _ => {
            errors.add(field, "Enter a number of days from 0 to 365.");
            0
        }
    }
}
