//! Showing UTC times in an organization's timezone.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// "2026-11-22 14:03" in the given timezone.
pub fn local(at: NaiveDateTime, tz: Tz) -> String {
    tz.from_utc_datetime(&at).format("%Y-%m-%d %H:%M").to_string()
}

/// "2026-11-22" in the given timezone.
pub fn local_date(at: NaiveDateTime, tz: Tz) -> String {
    tz.from_utc_datetime(&at).format("%Y-%m-%d").to_string()
}

/// The UTC instant at which a local day begins (the first instant of that date, even across a DST gap).
pub fn local_midnight_utc(day: NaiveDate, tz: Tz) -> NaiveDateTime {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=3)
        .find_map(|h| tz.from_local_datetime(&(midnight + chrono::Duration::hours(h))).earliest())
        .map(|t| t.naive_utc())
        .unwrap_or(midnight)
}

/// "3 days ago", "just now": for last-activity columns.
pub fn ago(at: NaiveDateTime, now: NaiveDateTime) -> String {
    let secs = (now - at).num_seconds().max(0);
    match secs {
        0..60 => "just now".into(),
        60..3600 => plural(secs / 60, "minute"),
        3600..86400 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86400, "day"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") }
}
