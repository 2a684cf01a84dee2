//! Calendar days (due dates, effective and valid-until dates, renewals) stored as TEXT `YYYY-MM-DD` on both
//! backends: they sort and compare correctly as text, and read back as a `NaiveDate`.

use chrono::{Datelike, NaiveDate};

/// A calendar day, with no time or timezone of its own. It keeps its text form beside the date, so that it can
/// be bound to a statement by reference (as SQLite binds text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Day {
    date: NaiveDate,
    text: [u8; 10],
}

impl From<NaiveDate> for Day {
    fn from(date: NaiveDate) -> Day {
        let mut text = [b'0'; 10];
        let formatted = date.format("%Y-%m-%d").to_string();
        if formatted.len() == 10 {
            text.copy_from_slice(formatted.as_bytes());
        }
        Day { date, text }
    }
}

impl Day {
    /// Parses `YYYY-MM-DD` with a four-digit year (what date inputs send); None for anything else.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        if text.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|d| (1..=9999).contains(&d.year())).map(Day::from)
    }

    pub fn date(self) -> NaiveDate {
        self.date
    }

    /// `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or("0000-00-00")
    }

    pub fn plus_days(self, days: i64) -> Day {
        Day::from(self.date + chrono::Duration::days(days))
    }

    /// The same day `months` later (the month's last day when it has no such day: Jan 31 + 1 month = Feb 28).
    pub fn plus_months(self, months: u32) -> Day {
        Day::from(self.date.checked_add_months(chrono::Months::new(months)).unwrap_or(self.date))
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: Day) -> i64 {
        (other.date - self.date).num_days()
    }

    /// "Mar 2, 2026": how pages show a day.
    pub fn label(self) -> String {
        self.date.format("%b %-d, %Y").to_string()
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for Day
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        Day::parse(&text).ok_or_else(|| format!("{text:?} is not a day (YYYY-MM-DD) in the database").into())
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for Day
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_strictly_and_add_months_to_the_end_of_short_months() {
        assert_eq!(Day::parse("2026-01-31").map(|d| d.plus_months(1).to_string()), Some("2026-02-28".into()));
        assert_eq!(Day::parse("2026-03-02").map(|d| d.label()), Some("Mar 2, 2026".into()));
        for bad in ["", "2026-3-2", "02/03/2026", "12026-01-01", "2026-02-30", "0000-01-01"] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }
}
