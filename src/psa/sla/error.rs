//! Errors raised while building a [`BusinessCalendar`](super::BusinessCalendar); their
//! `Display` text is meant to be shown as-is on a settings page.

use std::fmt;

use chrono::{NaiveTime, Weekday};

use super::window::{Window, format_time};

/// A calendar setting that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A new window shares time with a window already set for the same day.
    #[error("{} {new} overlaps {existing}", DayName(*.day))]
    OverlappingWindows { day: Weekday, new: Window, existing: Window },
    /// A window whose end is not after its start (windows cannot cross midnight).
    #[error(
        "A window must end after it starts ({} {}–{})",
        DayName(*.day),
        format_time(*.start),
        format_time(*.end)
    )]
    EmptyWindow { day: Weekday, start: NaiveTime, end: NaiveTime },
    /// A yearly holiday in a month that does not exist.
    #[error("There is no month {month} (months run from 1 to 12)")]
    NoSuchMonth { month: u32 },
    /// A yearly holiday on a day the month never has, such as February 30.
    #[error("{} {day} is not a date", MonthName(*.month))]
    NoSuchDay { month: u32, day: u32 },
}

/// English name of a weekday ("Monday").
pub(crate) struct DayName(pub Weekday);

impl fmt::Display for DayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            Weekday::Mon => "Monday",
            Weekday::Tue => "Tuesday",
            Weekday::Wed => "Wednesday",
            Weekday::Thu => "Thursday",
            Weekday::Fri => "Friday",
            Weekday::Sat => "Saturday",
            Weekday::Sun => "Sunday",
        };
        f.write_str(name)
    }
}

/// English name of a month number in 1..=12 ("February").
struct MonthName(u32);

impl fmt::Display for MonthName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match NAMES.get((self.0 as usize).wrapping_sub(1)) {
            Some(name) => f.write_str(name),
            None => write!(f, "Month {}", self.0),
        }
    }
}
