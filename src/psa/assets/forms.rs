//! The asset form: its values as typed, and their validation (shared with the CSV import's rows).

use serde::Deserialize;

use super::models::{Asset, AssetStatus, AssetType};
use crate::db::Day;
use crate::web::forms::{self, FieldErrors};

#[derive(Deserialize, Default, Clone, Debug)]
pub struct AssetForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub asset_type: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub serial_number: String,
    #[serde(default)]
    pub operating_system: String,
    #[serde(default)]
    pub ip_address: String,
    #[serde(default)]
    pub mac_address: String,
    #[serde(default)]
    pub location: String,
    /// A contact id from the picker ("" for nobody); checked against the organization's contacts by the caller.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub purchase_date: String,
    #[serde(default)]
    pub warranty_expires: String,
    #[serde(default)]
    pub seats_used: String,
    #[serde(default)]
    pub seats_purchased: String,
    #[serde(default)]
    pub renewal_date: String,
    #[serde(default)]
    pub notes: String,
}

impl AssetForm {
    pub fn of(a: &Asset) -> AssetForm {
        let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
        AssetForm {
            name: a.name.clone(),
            asset_type: a.asset_type.id().into(),
            status: a.status.id().into(),
            manufacturer: a.manufacturer.clone(),
            model: a.model.clone(),
            serial_number: a.serial_text().into(),
            operating_system: a.operating_system.clone(),
            ip_address: a.ip_address.clone(),
            mac_address: a.mac_address.clone(),
            location: a.location.clone(),
            contact: a.contact_id.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            purchase_date: Asset::day_text(&a.purchase_date),
            warranty_expires: Asset::day_text(&a.warranty_expires),
            seats_used: number(a.seats_used),
            seats_purchased: number(a.seats_purchased),
            renewal_date: Asset::day_text(&a.renewal_date),
            notes: a.notes.clone(),
        }
    }

    /// The form's fields as the shared checks take them.
    pub fn fields(&self) -> AssetFields<'_> {
        AssetFields {
            name: &self.name,
            asset_type: &self.asset_type,
            status: &self.status,
            manufacturer: &self.manufacturer,
            model: &self.model,
            serial_number: &self.serial_number,
            operating_system: &self.operating_system,
            ip_address: &self.ip_address,
            mac_address: &self.mac_address,
            location: &self.location,
            purchase_date: &self.purchase_date,
            warranty_expires: &self.warranty_expires,
            seats_used: &self.seats_used,
            seats_purchased: &self.seats_purchased,
            renewal_date: &self.renewal_date,
            notes: &self.notes,
        }
    }
}

/// An asset's fields as text (from the form or a CSV row), before checking. The contact is resolved apart: the
/// form names it by id, a CSV file by email.
#[derive(Clone, Copy, Debug, Default)]
pub struct AssetFields<'a> {
    pub name: &'a str,
    pub asset_type: &'a str,
    pub status: &'a str,
    pub manufacturer: &'a str,
    pub model: &'a str,
    pub serial_number: &'a str,
    pub operating_system: &'a str,
    pub ip_address: &'a str,
    pub mac_address: &'a str,
    pub location: &'a str,
    pub purchase_date: &'a str,
    pub warranty_expires: &'a str,
    pub seats_used: &'a str,
    pub seats_purchased: &'a str,
    pub renewal_date: &'a str,
    pub notes: &'a str,
}

/// The fields in the order a page shows their errors (the first is what a refused CSV row says).
pub const FIELD_ORDER: [&str; 16] = [
    "name",
    "asset_type",
    "status",
    "manufacturer",
    "model",
    "serial_number",
    "operating_system",
    "ip_address",
    "mac_address",
    "location",
    "purchase_date",
    "warranty_expires",
    "seats_used",
    "seats_purchased",
    "renewal_date",
    "notes",
];

/// Checks an asset's fields into `errors`; the contact is left empty for the caller to set.
pub fn validate_fields(errors: &mut FieldErrors, f: AssetFields<'_>) -> super::models::AssetInput {
    let name = forms::required(errors, "name", f.name, "Name", 120);
    let asset_type = AssetType::from_text(f.asset_type).unwrap_or_else(|| {
        errors.add("asset_type", "Choose a type from the list.");
        AssetType::Laptop
    });
    let status = if f.status.trim().is_empty() {
        AssetStatus::InUse
    } else {
        AssetStatus::from_text(f.status).filter(|s| *s != AssetStatus::Retired).unwrap_or_else(|| {
            errors.add("status", "Choose in use, in stock or in repair (retire an asset with its Retire button).");
            AssetStatus::InUse
        })
    };
    let serial = forms::optional(errors, "serial_number", f.serial_number, "Serial number", 80).to_uppercase();
    let purchase_date = forms::optional_day(errors, "purchase_date", f.purchase_date);
    let warranty_expires = forms::optional_day(errors, "warranty_expires", f.warranty_expires);
    if let (Some(bought), Some(ends)) = (purchase_date, warranty_expires)
        && ends < bought
    {
        errors.add("warranty_expires", "The warranty cannot end before the purchase date.");
    }
    let licensed = asset_type.is_license();
    let seats_used = if licensed { seats(errors, "seats_used", f.seats_used) } else { None };
    let seats_purchased = if licensed { seats(errors, "seats_purchased", f.seats_purchased) } else { None };
    let renewal_date = if licensed { forms::optional_day(errors, "renewal_date", f.renewal_date) } else { None };
    super::models::AssetInput {
        name,
        asset_type,
        status,
        manufacturer: forms::optional(errors, "manufacturer", f.manufacturer, "Manufacturer", 120),
        model: forms::optional(errors, "model", f.model, "Model", 120),
        serial_number: Some(serial).filter(|s| !s.is_empty()),
        operating_system: forms::optional(errors, "operating_system", f.operating_system, "Operating system", 120),
        ip_address: ip_address(errors, f.ip_address),
        mac_address: mac_address(errors, f.mac_address),
        location: forms::optional(errors, "location", f.location, "Location", 120),
        contact_id: None,
        purchase_date,
        warranty_expires,
        seats_used,
        seats_purchased,
        renewal_date,
        notes: forms::optional(errors, "notes", f.notes, "Notes", 4000),
    }
}

/// An optional IPv4 or IPv6 address, in its canonical form ("" when none).
fn ip_address(errors: &mut FieldErrors, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    match value.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => {
            errors.add("ip_address", "Enter an IP address like 192.168.1.20 or 2001:db8::1.");
            value.to_string()
        }
    }
}

/// An optional MAC address as six hex pairs, upper-cased and colon-separated ("" when none).
fn mac_address(errors: &mut FieldErrors, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    let hex: String = value.chars().filter(|c| !matches!(c, ':' | '-' | '.')).collect();
    let separators_ok = value.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'));
    if hex.len() != 12 || !separators_ok || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        errors.add("mac_address", "Enter a MAC address like 00:1A:2B:3C:4D:5E.");
        return value.to_string();
    }
    let upper = hex.to_uppercase();
    (0..6).map(|i| &upper[i * 2..i * 2 + 2]).collect::<Vec<_>>().join(":")
}

/// An optional count of seats: a whole number from 0 to 1,000,000.
fn seats(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<i32> {
    let value = value.trim().replace(',', "");
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.add(field, "Enter a whole number of seats from 0 to 1,000,000.");
            None
        }
    }
}

/// Today's date plus `days`, as the "warranty ending soon" filter and the renewals use.
pub fn window(today: Day, days: i64) -> (Day, Day) {
    (today, today.plus_days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: AssetFields<'_>) -> (super::super::models::AssetInput, FieldErrors) {
        let mut errors = FieldErrors::default();
        let input = validate_fields(&mut errors, f);
        (input, errors)
    }

    #[test]
    fn addresses_are_checked_and_made_canonical() {
        let base = AssetFields { name: "PC", asset_type: "laptop", ..Default::default() };
        let (input, errors) = check(AssetFields { ip_address: " 10.0.0.7 ", mac_address: "00-1a-2b-3c-4d-5e", ..base });
        assert!(errors.is_empty());
        assert_eq!((input.ip_address.as_str(), input.mac_address.as_str()), ("10.0.0.7", "00:1A:2B:3C:4D:5E"));
        let (_, errors) = check(AssetFields { ip_address: "10.0.0.300", mac_address: "00:1A:2B", ..base });
        assert!(errors.has("ip_address") && errors.has("mac_address"));
        let (input, errors) = check(AssetFields { ip_address: "2001:DB8::1", serial_number: " ab-12 ", ..base });
        assert!(errors.is_empty());
        assert_eq!((input.ip_address.as_str(), input.serial_number.as_deref()), ("2001:db8::1", Some("AB-12")));
    }

    #[test]
    fn dates_types_and_seats() {
        let (_, errors) = check(AssetFields {
            name: "PC",
            asset_type: "Toaster",
            purchase_date: "2026-05-01",
            warranty_expires: "2025-05-01",
            ..Default::default()
        });
        assert!(errors.has("asset_type") && errors.has("warranty_expires"));
        let (input, errors) = check(AssetFields {
            name: "Office 365",
            asset_type: "Software license",
            seats_used: "12",
            seats_purchased: "1,000",
            renewal_date: "2027-01-31",
            ..Default::default()
        });
        assert!(errors.is_empty());
        assert_eq!((input.seats_used, input.seats_purchased), (Some(12), Some(1000)));
        let (input, _) = check(AssetFields { name: "PC", asset_type: "laptop", seats_used: "5", ..Default::default() });
        assert_eq!(input.seats_used, None, "only licenses have seats");
        let (_, errors) =
            check(AssetFields { name: "L", asset_type: "software_license", seats_used: "-1", ..Default::default() });
        assert!(errors.has("seats_used"));
    }
}
