//! The branding form as typed (kept as text so that a refused form comes back exactly as entered) and its
//! validation into `Branding`.

use super::contrast::parse_hex;
use super::models::{Branding, parse_priorities};
use crate::auth::portal::PortalSections;
use crate::psa::tickets::models::Priority;
use crate::web::forms::{self, FieldErrors};

pub const NAME_MAX: usize = 80;
pub const WELCOME_MAX: usize = 5_000;
pub const PHONE_MAX: usize = 40;
pub const REOPEN_DAYS_MAX: i32 = 365;

/// The portal's sections as (form field, label, shown to end users as).
pub const SECTIONS: [(&str, &str, &str); 5] = [
    ("show_tickets", "Tickets", "Open tickets, follow them and reply"),
    ("show_kb", "Knowledge base", "Public articles of the company and of its IT provider"),
    ("show_chat", "Live chat", "Chat with the IT team from any portal page"),
    ("show_policies", "Policies", "Policies to read and sign"),
    ("show_compliance", "Compliance status", "Overall and per-framework scores, read only"),
];

#[derive(Clone, Debug, Default)]
pub struct BrandForm {
    pub portal_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub welcome_markdown: String,
    pub support_email: String,
    pub support_phone: String,
    /// The section fields checked (see `SECTIONS`).
    pub sections: Vec<String>,
    /// The priority ids checked.
    pub priorities: Vec<String>,
    pub reopen_days: String,
}

impl BrandForm {
    /// The form filled with saved settings.
    pub fn of(b: &Branding) -> BrandForm {
        let s = b.sections;
        let on = [s.tickets, s.kb, s.chat, s.policies, s.compliance];
        BrandForm {
            portal_name: b.portal_name.clone(),
            primary_color: b.primary_color.clone(),
            accent_color: b.accent_color.clone(),
            welcome_markdown: b.welcome_markdown.clone(),
            support_email: b.support_email.clone(),
            support_phone: b.support_phone.clone(),
            sections: SECTIONS.iter().zip(on).filter(|(_, on)| *on).map(|((f, _, _), _)| f.to_string()).collect(),
            priorities: b.allowed_priorities.iter().map(|p| p.id().to_string()).collect(),
            reopen_days: b.reopen_days.to_string(),
        }
    }

    /// The form as submitted (urlencoded pairs).
    pub fn from_pairs(pairs: &[(String, String)]) -> BrandForm {
        BrandForm {
            portal_name: forms::value(pairs, "portal_name").to_string(),
            primary_color: forms::value(pairs, "primary_color").to_string(),
            accent_color: forms::value(pairs, "accent_color").to_string(),
            welcome_markdown: forms::value(pairs, "welcome_markdown").to_string(),
            support_email: forms::value(pairs, "support_email").to_string(),
            support_phone: forms::value(pairs, "support_phone").to_string(),
            sections: SECTIONS
                .iter()
                .filter(|(f, _, _)| !forms::value(pairs, f).is_empty())
                .map(|(f, _, _)| f.to_string())
                .collect(),
            priorities: forms::values(pairs, "allowed_priorities"),
            reopen_days: forms::value(pairs, "reopen_days").to_string(),
        }
    }

    pub fn section_on(&self, field: &str) -> bool {
        self.sections.iter().any(|s| s == field)
    }

    pub fn priority_on(&self, priority: &Priority) -> bool {
        self.priorities.iter().any(|p| p == priority.id())
    }

    /// The valid branding, or None with the reasons in `errors`.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<Branding> {
        let portal_name = forms::optional(errors, "portal_name", &self.portal_name, "The portal name", NAME_MAX);
        let mut color = |field: &'static str, text: &str| {
            parse_hex(text).unwrap_or_else(|| {
                errors.add(field, "Enter a color as # and six hexadecimal digits, like #1d4ed8.");
                String::new()
            })
        };
        let primary_color = color("primary_color", &self.primary_color);
        let accent_color = color("accent_color", &self.accent_color);
        let welcome_markdown = self.welcome_markdown.trim().to_string();
        if welcome_markdown.chars().count() > WELCOME_MAX {
            errors.add("welcome_markdown", format!("The welcome text must be at most {WELCOME_MAX} characters."));
        }
        let support_email = match self.support_email.trim() {
            "" => String::new(),
            email => forms::email(errors, "support_email", email),
        };
        let support_phone = forms::optional(errors, "support_phone", &self.support_phone, "The phone", PHONE_MAX);
        if !support_phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            errors.add("support_phone", "Use digits, spaces and + - ( ) . only, like +1 555 010 0100.");
        }
        let allowed_priorities = parse_priorities(&self.priorities.join(","));
        if allowed_priorities.len() != self.priorities.len() || allowed_priorities.is_empty() {
            errors.add("allowed_priorities", "Choose at least one of the listed priorities.");
        }
        let reopen_days = match self.reopen_days.trim().parse::<i32>() {
            Ok(days) if (0..=REOPEN_DAYS_MAX).contains(&days) => days,
            _ => {
                errors.add("reopen_days", format!("Enter a number of days from 0 to {REOPEN_DAYS_MAX}."));
                0
            }
        };
        let sections = PortalSections {
            tickets: self.section_on("show_tickets"),
            kb: self.section_on("show_kb"),
            chat: self.section_on("show_chat"),
            policies: self.section_on("show_policies"),
            compliance: self.section_on("show_compliance"),
        };
        errors.is_empty().then_some(Branding {
            portal_name,
            primary_color,
            accent_color,
            welcome_markdown,
            support_email,
            support_phone,
            sections,
            allowed_priorities,
            reopen_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_valid_form_round_trips_through_branding() {
        let form = BrandForm::from_pairs(&pairs(&[
            ("portal_name", " Acme Help "),
            ("primary_color", "#AA0000"),
            ("accent_color", "#0f766e"),
            ("support_email", "Help@Acme.test"),
            ("support_phone", "+1 (555) 010-0100"),
            ("show_tickets", "1"),
            ("show_compliance", "1"),
            ("allowed_priorities", "low"),
            ("allowed_priorities", "critical"),
            ("reopen_days", "30"),
        ]));
        let mut errors = FieldErrors::default();
        let b = form.validate(&mut errors).expect("valid");
        assert_eq!((b.portal_name.as_str(), b.primary_color.as_str()), ("Acme Help", "#aa0000"));
        assert_eq!(b.support_email, "help@acme.test");
        assert!(b.sections.tickets && b.sections.compliance && !b.sections.kb);
        assert_eq!(b.allowed_priorities, vec![Priority::Critical, Priority::Low]);
        let again = BrandForm::of(&b);
        assert!(again.section_on("show_tickets") && !again.section_on("show_chat"));
        assert!(again.priority_on(&Priority::Critical) && !again.priority_on(&Priority::High));
    }

    #[test]
    fn every_bad_field_has_its_message() {
        let form = BrandForm::from_pairs(&pairs(&[
            ("primary_color", "blue"),
            ("accent_color", "#12345"),
            ("support_email", "not an email"),
            ("support_phone", "call me"),
            ("allowed_priorities", "urgent"),
            ("reopen_days", "-1"),
        ]));
        let mut errors = FieldErrors::default();
        assert!(form.validate(&mut errors).is_none());
        for field in
            ["primary_color", "accent_color", "support_email", "support_phone", "allowed_priorities", "reopen_days"]
        {
            assert!(errors.has(field), "{field}");
        }
    }
}
