//! Tests of the SLA clock: hand-worked cases, and property tests against a naive reference.

mod calendar;
mod clock;
mod dst;
mod props;
mod reference;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::BusinessCalendar;

const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

fn t(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).unwrap()
}

/// A local wall-clock time that exists exactly once.
fn local(tz: Tz, year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

/// Monday to Friday, 09:00–17:00.
fn office(tz: Tz) -> BusinessCalendar {
    WEEKDAYS.iter().fold(BusinessCalendar::new(tz), |cal, &day| cal.with_window(day, t(9, 0), t(17, 0)).unwrap())
}

/// Monday to Friday, 08:00–12:00 and 13:00–17:00.
fn split_shift(tz: Tz) -> BusinessCalendar {
    WEEKDAYS.iter().fold(BusinessCalendar::new(tz), |cal, &day| {
        cal.with_window(day, t(8, 0), t(12, 0)).and_then(|cal| cal.with_window(day, t(13, 0), t(17, 0))).unwrap()
    })
}

/// Every day, the given local windows.
fn daily(tz: Tz, windows: &[(NaiveTime, NaiveTime)]) -> BusinessCalendar {
    let mut cal = BusinessCalendar::new(tz);
    for day in 0..7u8 {
        for &(start, end) in windows {
            cal = cal.with_window(Weekday::try_from(day).unwrap(), start, end).unwrap();
        }
    }
    cal
}
