//! The billing forms: a work type, a client's terms, a client rate, an agreement. Amounts are typed as
//! "125.00", percentages as "8.25", included time as hours ("20" or "7:30").

use chrono::NaiveDate;
use serde::Deserialize;

use super::models::{AgreementInput, Terms, WorkTypeInput};
use super::money::{Rounding, parse_cents, parse_percent_bp};
use crate::web::forms::{FieldErrors, required};

fn amount(errors: &mut FieldErrors, field: &'static str, text: &str, what: &str) -> i64 {
    parse_cents(text).unwrap_or_else(|| {
        errors.add(field, format!("Enter {what} as an amount such as 125 or 125.50."));
        0
    })
}

fn minutes_in(errors: &mut FieldErrors, field: &'static str, text: &str, max: i32, what: &str) -> i32 {
    match text.trim().parse::<i32>() {
        Ok(n) if (0..=max).contains(&n) => n,
        _ if text.trim().is_empty() => 0,
        _ => {
            errors.add(field, format!("Enter {what} in minutes, from 0 to {max}."));
            0
        }
    }
}

/// "20" or "7:30" hours as minutes, up to a month of hours (744).
fn parse_hours(text: &str) -> Option<i32> {
    let (hours, minutes) = text.split_once(':').unwrap_or((text, "0"));
    let (hours, minutes) = (hours.trim().parse::<i32>().ok()?, minutes.trim().parse::<i32>().ok()?);
    ((0..=744).contains(&hours) && (0..60).contains(&minutes)).then_some(hours * 60 + minutes)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WorkTypeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub rate: String,
    #[serde(default)]
    pub is_default: Option<String>,
}

impl WorkTypeForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> WorkTypeInput {
        WorkTypeInput {
            name: required(errors, "name", &self.name, "Name", 80),
            hourly_rate_cents: amount(errors, "rate", &self.rate, "the hourly rate"),
            is_default: self.is_default.is_some(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TermsForm {
    #[serde(default)]
    pub round_up_to: String,
    #[serde(default)]
    pub minimum: String,
    #[serde(default)]
    pub tax_rate: String,
}

impl TermsForm {
    pub fn of(terms: &Terms) -> TermsForm {
        let bp = terms.tax_rate_bp;
        TermsForm {
            round_up_to: terms.rounding.up_to.to_string(),
            minimum: terms.rounding.minimum.to_string(),
            tax_rate: format!("{}.{:02}", bp / 100, bp % 100),
        }
    }

    pub fn validate(&self, errors: &mut FieldErrors) -> Terms {
        let up_to = minutes_in(errors, "round_up_to", &self.round_up_to, 240, "the increment");
        let minimum = minutes_in(errors, "minimum", &self.minimum, 480, "the minimum");
        let tax_rate_bp = if self.tax_rate.trim().is_empty() {
            0
        } else {
            parse_percent_bp(&self.tax_rate).unwrap_or_else(|| {
                errors.add("tax_rate", "Enter the tax rate as a percentage from 0 to 100, such as 8.25.");
                0
            })
        };
        Terms { rounding: Rounding { up_to, minimum }, tax_rate_bp }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RateForm {
    #[serde(default)]
    pub work_type: String,
    #[serde(default)]
    pub rate: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub monthly_fee: String,
    #[serde(default)]
    pub included_hours: String,
    #[serde(default)]
    pub overage_rate: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    /// Covered work type ids (the repeated field `covers`).
    #[serde(skip)]
    pub covers: Vec<String>,
}

impl AgreementForm {
    /// The form from its fields (`covers` repeats, one per covered work type).
    pub fn from_pairs(pairs: &[(String, String)]) -> AgreementForm {
        let mut form = AgreementForm::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "name" => form.name = value,
                "monthly_fee" => form.monthly_fee = value,
                "included_hours" => form.included_hours = value,
                "overage_rate" => form.overage_rate = value,
                "starts_on" => form.starts_on = value,
                "ends_on" => form.ends_on = value,
                "covers" => form.covers.push(value),
                _ => {}
            }
        }
        form
    }

    /// The form filled with an agreement, to change it.
    pub fn of(row: &super::models::AgreementRow) -> AgreementForm {
        let a = &row.agreement;
        AgreementForm {
            name: a.name.clone(),
            monthly_fee: super::money::format_cents(a.monthly_fee_cents).replace(',', ""),
            included_hours: crate::psa::time::forms::hours_minutes(a.included_minutes.into()),
            overage_rate: super::money::format_cents(a.overage_rate_cents).replace(',', ""),
            starts_on: a.starts_on.clone(),
            ends_on: a.ends_on.clone().unwrap_or_default(),
            covers: row.covered.iter().map(|(id, _)| id.to_string()).collect(),
        }
    }

    pub fn covers_type(&self, id: &str) -> bool {
        self.covers.iter().any(|c| c == id)
    }

    /// Checks the form; the covered work types are checked against the MSP's by the caller.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<AgreementInput> {
        let name = required(errors, "name", &self.name, "Name", 120);
        let monthly_fee_cents = amount(errors, "monthly_fee", &self.monthly_fee, "the monthly fee");
        let overage_rate_cents = amount(errors, "overage_rate", &self.overage_rate, "the overage rate");
        let included = self.included_hours.trim();
        let included_minutes = parse_hours(included);
        if included_minutes.is_none() {
            errors.add("included_hours", "Enter the included hours per month, such as 20 or 7:30 (0 for none).");
        }
        let date = |errors: &mut FieldErrors, field: &'static str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                errors.add(field, "Enter the date as YYYY-MM-DD.");
            })
        };
        let starts_on = date(errors, "starts_on", &self.starts_on).ok();
        let ends_on = match self.ends_on.trim() {
            "" => Some(None),
            text => date(errors, "ends_on", text).ok().map(Some),
        };
        if let (Some(start), Some(Some(end))) = (starts_on, ends_on)
            && end < start
        {
            errors.add("ends_on", "The end must be on or after the start.");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(AgreementInput {
            name,
            monthly_fee_cents,
            included_minutes: included_minutes?,
            overage_rate_cents,
            starts_on: starts_on?,
            ends_on: ends_on?,
            covered: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreements_take_hours_amounts_and_dates() {
        let form = AgreementForm {
            name: "Managed services".into(),
            monthly_fee: "1,500".into(),
            included_hours: "7:30".into(),
            overage_rate: "95.5".into(),
            starts_on: "2026-03-01".into(),
            ..Default::default()
        };
        let mut errors = FieldErrors::default();
        let input = form.validate(&mut errors).unwrap();
        assert_eq!((input.monthly_fee_cents, input.included_minutes, input.overage_rate_cents), (150_000, 450, 9_550));
        assert_eq!(input.ends_on, None);
        let bad = AgreementForm { included_hours: "lots".into(), ends_on: "2026-01-01".into(), ..form };
        let mut errors = FieldErrors::default();
        assert!(bad.validate(&mut errors).is_none());
        assert!(errors.has("included_hours") && errors.has("ends_on"));
    }
}
