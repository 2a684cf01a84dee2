//! The contact form: its values as typed, and their validation.

use serde::Deserialize;

use super::models::ContactInput;
use crate::web::forms::{self, FieldErrors};

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub primary: Option<String>,
    #[serde(default)]
    pub billing: Option<String>,
    #[serde(default)]
    pub technical: Option<String>,
    #[serde(default)]
    pub notes: String,
}

impl ContactForm {
    pub fn of(c: &super::models::Contact) -> ContactForm {
        let flag = |on: bool| on.then(|| "1".to_string());
        ContactForm {
            name: c.name.clone(),
            email: c.email_text().to_string(),
            phone: c.phone.clone(),
            title: c.title.clone(),
            primary: flag(c.is_primary),
            billing: flag(c.is_billing),
            technical: flag(c.is_technical),
            notes: c.notes.clone(),
        }
    }

    pub fn is_primary(&self) -> bool {
        self.primary.is_some()
    }
    pub fn is_billing(&self) -> bool {
        self.billing.is_some()
    }
    pub fn is_technical(&self) -> bool {
        self.technical.is_some()
    }

    /// The contact's details, or the messages to show next to the fields. (Whether the email is taken is the
    /// caller's question: it needs the database.)
    pub fn validate(&self) -> Result<ContactInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let input = validate_fields(
            &mut errors,
            &self.name,
            &self.email,
            &self.phone,
            &self.title,
            &self.notes,
            [self.is_primary(), self.is_billing(), self.is_technical()],
        );
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }
}

/// Checks a contact's fields (from the form or an imported row) into `errors`.
pub fn validate_fields(
    errors: &mut FieldErrors,
    name: &str,
    email: &str,
    phone: &str,
    title: &str,
    notes: &str,
    [is_primary, is_billing, is_technical]: [bool; 3],
) -> ContactInput {
    let name = forms::required(errors, "name", name, "Name", 120);
    let email = if email.trim().is_empty() { None } else { Some(forms::email(errors, "email", email)) };
    let phone = bounded(errors, "phone", phone, "Phone", 40);
    let title = bounded(errors, "title", title, "Title", 120);
    let notes = bounded(errors, "notes", notes, "Notes", 4000);
    ContactInput { name, email, phone, title, is_primary, is_billing, is_technical, notes }
}

fn bounded(errors: &mut FieldErrors, field: &'static str, value: &str, label: &str, max: usize) -> String {
    let value = value.trim().to_string();
    if value.chars().count() > max {
        errors.add(field, format!("{label} must be at most {max} characters."));
    }
    value
}
