//! Form validation helpers: collected field errors shown next to the fields, with the input kept.

use std::collections::BTreeMap;

#[derive(Default, Debug, Clone)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn count(&self) -> usize {
        self.0.len()
    }
}

/// The first value of a field in a submitted form's pairs ("" when absent).
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Every value of a repeated field (checkboxes, multiple selects), in the order sent.
pub fn values(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// An optional text field: trimmed, at most `max` characters.
pub fn optional(errors: &mut FieldErrors, field: &'static str, value: &str, label: &str, max: usize) -> String {
    let v = value.trim().to_string();
    if v.chars().count() > max {
        errors.add(field, format!("{label} must be at most {max} characters."));
    }
    v
}

/// An optional calendar day (`YYYY-MM-DD`, what date inputs send).
pub fn optional_day(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<crate::db::Day> {
    if value.trim().is_empty() {
        return None;
    }
    let day = crate::db::Day::parse(value);
    if day.is_none() {
        errors.add(field, "Enter a date like 2026-03-31.");
    }
    day
}

/// A required calendar day.
pub fn day(errors: &mut FieldErrors, field: &'static str, value: &str, label: &str) -> Option<crate::db::Day> {
    if value.trim().is_empty() {
        errors.add(field, format!("{label} is required."));
        return None;
    }
    optional_day(errors, field, value)
}

/// Trims and checks a required text field's length; returns the trimmed value.
pub fn required(errors: &mut FieldErrors, field: &'static str, value: &str, label: &str, max: usize) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        errors.add(field, format!("{label} is required."));
    } else if v.chars().count() > max {
        errors.add(field, format!("{label} must be at most {max} characters."));
    }
    v
}

/// A plausible email address (one @, a dot in the domain, no spaces), lower-cased.
pub fn email(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.contains(char::is_whitespace)
                && !domain.contains('@')
        })
        && v.parse::<lettre::Address>().is_ok();
    if v.is_empty() {
        errors.add(field, "Email is required.");
    } else if !valid {
        errors.add(field, "Enter an email address like name@example.com.");
    }
    v
}

/// A known IANA timezone name.
pub fn timezone(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let v = value.trim().to_string();
    if v.parse::<chrono_tz::Tz>().is_err() {
        errors.add(field, "Choose a timezone from the list.");
    }
    v
}

/// A URL slug: lowercase letters, digits and single hyphens, 2-40 characters.
pub fn slug(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let ok = (2..=40).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-')
        && !v.contains("--");
    if !ok {
        errors.add(field, "Use 2-40 lowercase letters, digits and single hyphens (e.g. acme-dental).");
    }
    v
}

/// A slug made from a name ("Acme Dental, Inc." -> "acme-dental-inc").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(40).collect::<String>().trim_end_matches('-').to_string()
}

/// Common IANA timezones offered in pickers (any valid IANA name is accepted).
pub const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "UTC",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_emails_slugs_timezones() {
        let mut e = FieldErrors::default();
        assert_eq!(email(&mut e, "email", " Ann@Example.COM "), "ann@example.com");
        assert!(e.is_empty());
        email(&mut e, "email", "not-an-email");
        assert!(e.has("email"));
        let mut e = FieldErrors::default();
        slug(&mut e, "slug", "Bad Slug");
        timezone(&mut e, "tz", "Mars/Olympus");
        assert_eq!(e.count(), 2);
        assert_eq!(slugify("Acme Dental, Inc."), "acme-dental-inc");
    }
}
