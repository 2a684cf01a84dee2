//! SLA due instants as pages show them: `<time datetime="RFC 3339 in UTC">` with the local time in the
//! organization's timezone as its text, the time left (or overdue), breached in red.

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueView {
    /// "2026-03-02T14:00:00Z".
    pub iso: String,
    /// "2026-03-02 09:00" in the organization's timezone.
    pub local: String,
    /// Due in the past, or breached before.
    pub breached: bool,
    /// "3h 20m left", "overdue by 2h 5m".
    pub left: String,
}

/// How a due instant reads at `now`; `left` is wall-clock time (see `due_view_business` for business time).
pub fn due_view(at: NaiveDateTime, now: NaiveDateTime, tz: Tz, breached_before: bool) -> DueView {
    let left = if at > now { format!("{} left", span(at - now)) } else { format!("overdue by {}", span(now - at)) };
    DueView {
        iso: at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        local: crate::web::time::local(at, tz),
        breached: breached_before || at <= now,
        left,
    }
}

/// The same with the time left counted in business time (`business_left`, when the due instant is ahead).
pub fn due_view_business(
    at: NaiveDateTime,
    now: NaiveDateTime,
    tz: Tz,
    breached_before: bool,
    business_left: TimeDelta,
) -> DueView {
    let mut view = due_view(at, now, tz, breached_before);
    if at > now {
        view.left = format!("{} of business time left", span(business_left));
    }
    view
}

/// "2d 3h", "3h 20m", "12m", "under a minute".
pub fn span(d: TimeDelta) -> String {
    let minutes = d.num_minutes();
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_instants_read_in_the_organizations_timezone() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(14, 0, 0).unwrap();
        let view = due_view(at, at - TimeDelta::minutes(200), chrono_tz::America::New_York, false);
        assert_eq!(view.iso, "2026-03-02T14:00:00Z");
        assert_eq!(view.local, "2026-03-02 09:00");
        assert_eq!((view.breached, view.left.as_str()), (false, "3h 20m left"));
        let late = due_view(at, at + TimeDelta::hours(50), chrono_tz::UTC, false);
        assert_eq!((late.breached, late.left.as_str()), (true, "overdue by 2d 2h"));
    }
}
