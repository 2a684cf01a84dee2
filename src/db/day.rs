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

// Reading, writing and showing days is done by hand rather than with chrono's format strings: a register page
// reads and shows hundreds of them, and the format strings were 4% of its CPU.

impl From<NaiveDate> for Day {
    fn from(date: NaiveDate) -> Day {
        let mut text = *b"0000-00-00";
        let write = |slot: &mut [u8], mut n: u32| {
            for digit in slot.iter_mut().rev() {
                *digit = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        if let Ok(year @ 0..=9999) = u32::try_from(date.year()) {
            write(&mut text[0..4], year);
            write(&mut text[5..7], date.month());
            write(&mut text[8..10], date.day());
        }
        Day { date, text }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Day {
    /// Parses `YYYY-MM-DD` with a four-digit year (what date inputs send); None for anything else.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim().as_bytes();
        if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
            return None;
        }
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        let year = i32::try_from(number(&text[0..4])?).ok().filter(|y| *y >= 1)?;
        NaiveDate::from_ymd_opt(year, number(&text[5..7])?, number(&text[8..10])?).map(Day::from)
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
        format!("{} {}, {}", MONTHS[self.date.month0() as usize], self.date.day(), self.date.year())
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
        assert_eq!(
            Day::parse(" 2026-12-31 ").map(|d| (d.to_string(), d.label())),
            Some(("2026-12-31".into(), "Dec 31, 2026".into()))
        );
        assert_eq!(Day::from(NaiveDate::from_ymd_opt(7, 1, 9).unwrap()).as_str(), "0007-01-09");
        for bad in [
            "",
            "2026-3-2",
            "2026-03-2x",
            "+026-01-01",
            "2026/03/02",
            "2026-13-01",
            "02/03/2026",
            "12026-01-01",
            "2026-02-30",
            "0000-01-01",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_hand_written_forms_agree_with_chrono_on_every_day() {
        let mut date = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        while date.year() < 2101 {
            let day = Day::from(date);
            assert_eq!(day.as_str(), date.format("%Y-%m-%d").to_string());
            assert_eq!(day.label(), date.format("%b %-d, %Y").to_string());
            assert_eq!(Day::parse(day.as_str()), Some(day));
            date = date.succ_opt().unwrap();
        }
    }
}
