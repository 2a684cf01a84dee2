//! A person's form (and an imported row): the values as typed, and their validation.

use serde::Deserialize;

use super::models::PersonInput;
use crate::web::forms::{self, FieldErrors};

#[derive(Deserialize, Default, Clone, Debug)]
pub struct PersonForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub manager: String,
    #[serde(default)]
    pub start_on: String,
}

impl PersonForm {
    pub fn of(p: &super::models::Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            email: p.email.clone(),
            department: p.department.clone(),
            manager: p.manager.clone(),
            start_on: p.start_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    pub fn validate(&self) -> Result<PersonInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let input = validate_fields(&mut errors, self);
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }
}

/// The fields checked, in the order a refused import row names its first problem.
pub const FIELDS: [&str; 5] = ["name", "email", "department", "manager", "start_on"];

/// Checks a person's fields (from the form or an imported row) into `errors`.
pub fn validate_fields(errors: &mut FieldErrors, f: &PersonForm) -> PersonInput {
    let name = forms::required(errors, "name", &f.name, "Name", 120);
    let email = forms::email(errors, "email", &f.email);
    let department = forms::optional(errors, "department", &f.department, "Department", 120);
    let manager = forms::optional(errors, "manager", &f.manager, "Manager", 120);
    let start_on = forms::optional_day(errors, "start_on", &f.start_on);
    PersonInput { name, email, department, manager, start_on }
}
