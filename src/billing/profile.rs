//! The MSP's billing profile: the currency its money is in and the logo on its invoices.
//!
//! Amounts are integer cents, so the currencies offered are those with two decimal places. Changing the
//! currency converts nothing: it relabels rates and fees, and new invoices take it; each invoice keeps the
//! currency it was generated in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::schema::billing_profiles;
use crate::storage::StoredFile;

/// ISO 4217 codes with two decimal places that an MSP may bill in, with their names.
pub const CURRENCIES: &[(&str, &str)] = &[
    ("USD", "US dollar"),
    ("CAD", "Canadian dollar"),
    ("EUR", "Euro"),
    ("GBP", "Pound sterling"),
    ("AUD", "Australian dollar"),
    ("NZD", "New Zealand dollar"),
    ("CHF", "Swiss franc"),
    ("SEK", "Swedish krona"),
    ("NOK", "Norwegian krone"),
    ("DKK", "Danish krone"),
    ("PLN", "Polish złoty"),
    ("CZK", "Czech koruna"),
    ("ZAR", "South African rand"),
    ("SGD", "Singapore dollar"),
    ("HKD", "Hong Kong dollar"),
    ("INR", "Indian rupee"),
    ("MXN", "Mexican peso"),
    ("BRL", "Brazilian real"),
    ("ILS", "Israeli new shekel"),
    ("AED", "UAE dirham"),
];

pub const DEFAULT_CURRENCY: &str = "USD";

/// The largest logo accepted, in bytes: it is embedded in every emailed invoice.
pub const LOGO_MAX_BYTES: u64 = 512 * 1024;

/// A stored logo: where it is and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct Logo {
    pub key: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub currency: String,
    pub logo: Option<Logo>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile { currency: DEFAULT_CURRENCY.to_string(), logo: None }
    }
}

/// The code, when it is one of `CURRENCIES` (upper-cased first).
pub fn known_currency(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_uppercase();
    CURRENCIES.iter().map(|(c, _)| *c).find(|c| *c == code)
}

/// The MSP's profile (the default when it has none yet), one statement.
pub fn profile_of(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<Profile> {
    type Row = (String, Option<String>, Option<String>, Option<i64>);
    let row: Option<Row> = billing_profiles::table
        .find(msp)
        .select((
            billing_profiles::currency,
            billing_profiles::logo_key,
            billing_profiles::logo_content_type,
            billing_profiles::logo_size,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Profile::default(),
        Some((currency, key, content_type, size)) => {
            let logo = match (key, content_type, size) {
                (Some(key), Some(content_type), Some(size)) => Some(Logo { key, content_type, size }),
                _ => None,
            };
            Profile { currency, logo }
        }
    })
}

/// The MSP's currency, one statement.
pub fn currency_of(conn: &mut DbConnection, msp: &OrgId) -> QueryResult<String> {
    Ok(billing_profiles::table
        .find(msp)
        .select(billing_profiles::currency)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| DEFAULT_CURRENCY.to_string()))
}

/// Creates the MSP's profile row if it has none (a race with another first save loses harmlessly, inside a
/// savepoint).
fn ensure_profile(conn: &mut DbConnection, msp: &OrgId, now: NaiveDateTime) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(billing_profiles::table.find(msp))).get_result(conn)?;
    if exists {
        return Ok(());
    }
    let created = conn.transaction(|conn| {
        diesel::insert_into(billing_profiles::table)
            .values((billing_profiles::org_id.eq(msp), billing_profiles::updated_at.eq(now)))
            .execute(conn)
    });
    match created {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

pub fn set_currency(conn: &mut DbConnection, msp: &OrgId, currency: &str, now: NaiveDateTime) -> QueryResult<()> {
    ensure_profile(conn, msp, now)?;
    diesel::update(billing_profiles::table.find(msp))
        .set((billing_profiles::currency.eq(currency), billing_profiles::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Puts `logo` (or none) on the profile; returns the key of the logo it replaced, to delete from storage once
/// the transaction has committed.
pub fn set_logo(
    conn: &mut DbConnection,
    msp: &OrgId,
    logo: Option<&StoredFile>,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    ensure_profile(conn, msp, now)?;
    let replaced = profile_of(conn, msp)?.logo.map(|l| l.key);
    diesel::update(billing_profiles::table.find(msp))
        .set((
            billing_profiles::logo_key.eq(logo.map(|f| f.key.clone())),
            billing_profiles::logo_content_type.eq(logo.map(|f| f.content_type.clone())),
            billing_profiles::logo_size.eq(logo.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX))),
            billing_profiles::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_currencies_are_three_letter_codes_once_each() {
        let mut codes: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        assert!(codes.iter().all(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len());
        assert_eq!(known_currency(" eur "), Some("EUR"));
        assert_eq!(known_currency("JPY"), None, "no decimal places: not representable in cents as entered");
        assert_eq!(known_currency("US"), None);
    }
}
