//! Hand-worked cases for the calendar rules, away from daylight-saving changes.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Asia::Kolkata;
use chrono_tz::Tz;

use super::{daily, date, local, office, split_shift, t, utc};
use crate::psa::sla::{BusinessCalendar, CalendarError};

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

// 2024-06-03 is a Monday.

#[test]
fn adding_zero_returns_the_start_even_outside_hours() {
    let cal = office(New_York);
    let saturday = local(New_York, 2024, 6, 8, 3, 17);
    assert_eq!(cal.add_business_time(saturday, TimeDelta::zero()), Some(saturday));
}

#[test]
fn a_negative_duration_is_taken_as_zero() {
    let cal = office(New_York);
    let at = local(New_York, 2024, 6, 3, 10, 0);
    assert_eq!(cal.add_business_time(at, hours(-3)), Some(at));
}

#[test]
fn a_target_used_up_at_closing_is_due_at_closing() {
    let cal = office(New_York);
    let monday_nine = local(New_York, 2024, 6, 3, 9, 0);
    assert_eq!(cal.add_business_time(monday_nine, hours(8)), Some(local(New_York, 2024, 6, 3, 17, 0)));
    let friday_nine = local(New_York, 2024, 6, 7, 9, 0);
    assert_eq!(cal.add_business_time(friday_nine, hours(8)), Some(local(New_York, 2024, 6, 7, 17, 0)));
}

#[test]
fn one_nanosecond_more_than_a_day_runs_into_the_next_opening() {
    let cal = office(New_York);
    let monday_nine = local(New_York, 2024, 6, 3, 9, 0);
    let due = cal.add_business_time(monday_nine, hours(8) + TimeDelta::nanoseconds(1));
    assert_eq!(due, Some(local(New_York, 2024, 6, 4, 9, 0) + TimeDelta::nanoseconds(1)));
}

#[test]
fn a_start_outside_hours_counts_from_the_next_opening() {
    let cal = office(New_York);
    let saturday = local(New_York, 2024, 6, 8, 10, 0);
    assert_eq!(cal.add_business_time(saturday, hours(1)), Some(local(New_York, 2024, 6, 10, 10, 0)));
    let early_monday = local(New_York, 2024, 6, 10, 6, 30);
    assert_eq!(cal.add_business_time(early_monday, TimeDelta::minutes(30)), Some(local(New_York, 2024, 6, 10, 9, 30)));
    let at_closing = local(New_York, 2024, 6, 10, 17, 0);
    assert_eq!(cal.add_business_time(at_closing, hours(2)), Some(local(New_York, 2024, 6, 11, 11, 0)));
}

#[test]
fn a_split_shift_skips_the_lunch_break() {
    let cal = split_shift(New_York);
    let eleven = local(New_York, 2024, 6, 4, 11, 0);
    assert_eq!(cal.add_business_time(eleven, hours(2)), Some(local(New_York, 2024, 6, 4, 14, 0)));
    assert_eq!(cal.add_business_time(eleven, hours(1)), Some(local(New_York, 2024, 6, 4, 12, 0)));
    let lunch = local(New_York, 2024, 6, 4, 12, 30);
    assert!(!cal.is_open(lunch));
    assert_eq!(cal.add_business_time(lunch, TimeDelta::minutes(10)), Some(local(New_York, 2024, 6, 4, 13, 10)));
    let between = cal.business_time_between(local(New_York, 2024, 6, 4, 11, 30), local(New_York, 2024, 6, 4, 13, 30));
    assert_eq!(between, hours(1));
    // A full week is 5 × 8 hours.
    let week = cal.business_time_between(local(New_York, 2024, 6, 3, 0, 0), local(New_York, 2024, 6, 10, 0, 0));
    assert_eq!(week, hours(40));
}

#[test]
fn is_open_includes_the_start_and_excludes_the_end_of_a_window() {
    let cal = office(New_York);
    let nine = local(New_York, 2024, 6, 3, 9, 0);
    let five = local(New_York, 2024, 6, 3, 17, 0);
    assert!(!cal.is_open(nine - TimeDelta::nanoseconds(1)));
    assert!(cal.is_open(nine));
    assert!(cal.is_open(five - TimeDelta::nanoseconds(1)));
    assert!(!cal.is_open(five));
    assert!(!cal.is_open(local(New_York, 2024, 6, 8, 12, 0)));
}

#[test]
fn a_holiday_inside_a_long_target_is_skipped() {
    let cal = office(New_York).with_holiday(date(2024, 7, 4));
    // Monday July 1, 09:00 + 5 business days: Thursday is closed, so Monday July 8 at 17:00.
    let start = local(New_York, 2024, 7, 1, 9, 0);
    let due = cal.add_business_time(start, hours(40));
    assert_eq!(due, Some(local(New_York, 2024, 7, 8, 17, 0)));
    assert_eq!(cal.business_time_between(start, due.unwrap()), hours(40));
    assert!(!cal.is_open(local(New_York, 2024, 7, 4, 12, 0)));
    assert!(cal.is_holiday(date(2024, 7, 4)));
    assert!(!cal.is_holiday(date(2025, 7, 4)));
}

#[test]
fn yearly_holidays_close_every_year_across_the_year_boundary() {
    let cal = office(New_York)
        .with_yearly_holiday(12, 25)
        .and_then(|c| c.with_yearly_holiday(12, 31))
        .and_then(|c| c.with_yearly_holiday(1, 1))
        .unwrap();
    // Monday 2024-12-30 16:00 + 2h: Dec 31 and Jan 1 closed, so Thursday Jan 2, 10:00.
    let start = local(New_York, 2024, 12, 30, 16, 0);
    assert_eq!(cal.add_business_time(start, hours(2)), Some(local(New_York, 2025, 1, 2, 10, 0)));
    // 2025-12-31 is a Wednesday, 2026-01-01 a Thursday.
    assert!(!cal.is_open(local(New_York, 2025, 12, 31, 10, 0)));
    assert!(!cal.is_open(local(New_York, 2026, 1, 1, 10, 0)));
    assert!(cal.is_open(local(New_York, 2026, 1, 2, 10, 0)));
    // 2024: 262 weekdays, of which Dec 25 (Wed), Dec 31 (Tue), Jan 1 (Mon) are closed.
    let year = cal.business_time_between(local(New_York, 2024, 1, 1, 0, 0), local(New_York, 2025, 1, 1, 0, 0));
    assert_eq!(year, hours(8 * (262 - 3)));
}

#[test]
fn a_target_spanning_new_year_in_plain_utc() {
    let cal = office(Tz::UTC);
    let start = utc(2027, 12, 31, 13, 0); // Friday
    assert_eq!(cal.add_business_time(start, hours(6)), Some(utc(2028, 1, 3, 11, 0)));
}

#[test]
fn kolkata_local_dates_are_read_from_utc_around_midnight() {
    // Open only on Tuesdays 00:00–01:00 Kolkata time (UTC+05:30).
    let cal = BusinessCalendar::new(Kolkata).with_window(Weekday::Tue, t(0, 0), t(1, 0)).unwrap();
    // Monday 2024-06-03 18:30 UTC is Tuesday 00:00 in Kolkata.
    let opening = utc(2024, 6, 3, 18, 30);
    assert!(!cal.is_open(opening - TimeDelta::seconds(1)));
    assert!(cal.is_open(opening));
    assert!(cal.is_open(utc(2024, 6, 3, 19, 29)));
    assert!(!cal.is_open(utc(2024, 6, 3, 19, 30)));
    assert_eq!(cal.add_business_time(utc(2024, 6, 3, 12, 0), TimeDelta::minutes(30)), Some(utc(2024, 6, 3, 19, 0)));
    assert_eq!(cal.business_time_between(utc(2024, 6, 3, 0, 0), utc(2024, 6, 4, 0, 0)), hours(1));
}

#[test]
fn windows_touching_across_midnight_join_into_one_open_period() {
    let cal = BusinessCalendar::new(Kolkata)
        .with_window_until_midnight(Weekday::Mon, t(23, 0))
        .and_then(|c| c.with_window(Weekday::Tue, t(0, 0), t(1, 0)))
        .unwrap();
    let intervals: Vec<_> = cal.open_intervals(utc(2024, 6, 3, 0, 0), utc(2024, 6, 5, 0, 0)).collect();
    assert_eq!(intervals, vec![(utc(2024, 6, 3, 17, 30), utc(2024, 6, 3, 19, 30))]);
    assert_eq!(cal.add_business_time(utc(2024, 6, 3, 17, 30), hours(1)), Some(utc(2024, 6, 3, 18, 30)));
}

#[test]
fn open_intervals_are_clipped_to_the_range() {
    let cal = split_shift(Tz::UTC);
    let intervals: Vec<_> = cal.open_intervals(utc(2024, 6, 3, 10, 0), utc(2024, 6, 4, 9, 0)).collect();
    assert_eq!(
        intervals,
        vec![
            (utc(2024, 6, 3, 10, 0), utc(2024, 6, 3, 12, 0)),
            (utc(2024, 6, 3, 13, 0), utc(2024, 6, 3, 17, 0)),
            (utc(2024, 6, 4, 8, 0), utc(2024, 6, 4, 9, 0)),
        ]
    );
    assert_eq!(cal.open_intervals(utc(2024, 6, 4, 9, 0), utc(2024, 6, 3, 9, 0)).count(), 0);
}

#[test]
fn between_is_zero_when_the_range_is_empty_or_reversed() {
    let cal = BusinessCalendar::always_open(New_York);
    let at = utc(2024, 6, 3, 12, 0);
    assert_eq!(cal.business_time_between(at, at), TimeDelta::zero());
    assert_eq!(cal.business_time_between(at, at - hours(5)), TimeDelta::zero());
}

#[test]
fn durations_are_exact_to_the_nanosecond() {
    let cal = split_shift(New_York);
    let start = local(New_York, 2024, 6, 3, 11, 59) + TimeDelta::nanoseconds(59_999_999_999);
    let d = TimeDelta::seconds(60) + TimeDelta::nanoseconds(7);
    let due = cal.add_business_time(start, d).unwrap();
    // 1 ns is spent before noon, the other 60 s + 6 ns after 13:00.
    let expected = local(New_York, 2024, 6, 3, 13, 1) + TimeDelta::nanoseconds(6);
    assert_eq!(due, expected);
    assert_eq!(cal.business_time_between(start, due), d);
}

#[test]
fn always_open_agrees_with_the_wall_clock() {
    let cal = BusinessCalendar::always_open(New_York);
    let start = utc(2024, 1, 1, 0, 0);
    assert_eq!(cal.add_business_time(start, hours(24 * 366)), Some(utc(2025, 1, 1, 0, 0)));
    assert_eq!(cal.business_time_between(start, utc(2025, 1, 1, 0, 0)), hours(24 * 366));
    assert_eq!(
        cal.open_intervals(start, utc(2025, 1, 1, 0, 0)).collect::<Vec<_>>(),
        vec![(start, utc(2025, 1, 1, 0, 0))]
    );
}

#[test]
fn always_open_with_a_holiday_closes_that_local_day() {
    let cal = BusinessCalendar::always_open(New_York).with_holiday(date(2024, 7, 4));
    let from = local(New_York, 2024, 7, 3, 0, 0);
    let to = local(New_York, 2024, 7, 6, 0, 0);
    assert_eq!(cal.business_time_between(from, to), hours(48));
    assert_eq!(
        cal.add_business_time(local(New_York, 2024, 7, 3, 23, 0), hours(2)),
        Some(local(New_York, 2024, 7, 5, 1, 0))
    );
}

#[test]
fn a_calendar_without_windows_never_opens() {
    let cal = BusinessCalendar::new(New_York);
    let at = utc(2024, 6, 3, 12, 0);
    assert!(!cal.ever_opens());
    assert!(!cal.is_open(at));
    assert_eq!(cal.add_business_time(at, TimeDelta::nanoseconds(1)), None);
    assert_eq!(cal.add_business_time(at, TimeDelta::zero()), Some(at));
    assert_eq!(cal.business_time_between(at, at + hours(24 * 365)), TimeDelta::zero());
}

#[test]
fn a_calendar_closed_every_day_of_the_year_never_opens() {
    let mut cal = BusinessCalendar::always_open(Tz::UTC);
    for day in 0..366 {
        let d = date(2024, 1, 1) + TimeDelta::days(day);
        use chrono::Datelike;
        cal = cal.with_yearly_holiday(d.month(), d.day()).unwrap();
    }
    assert!(!cal.ever_opens());
    assert_eq!(cal.add_business_time(utc(2024, 6, 3, 12, 0), hours(1)), None);
    assert_eq!(cal.yearly_holidays().count(), 366);
}

#[test]
fn only_february_29_left_open_is_found_years_ahead() {
    let mut cal = office(Tz::UTC);
    for day in 0..366 {
        let d = date(2024, 1, 1) + TimeDelta::days(day);
        use chrono::Datelike;
        if (d.month(), d.day()) != (2, 29) {
            cal = cal.with_yearly_holiday(d.month(), d.day()).unwrap();
        }
    }
    assert!(cal.ever_opens());
    // 2024-02-29 is a Thursday, already past; 2028-02-29 is a Tuesday.
    assert_eq!(cal.add_business_time(utc(2024, 3, 1, 0, 0), hours(8)), Some(utc(2028, 2, 29, 17, 0)));
}

#[test]
fn one_off_holidays_in_a_row_are_skipped() {
    let mut cal = office(Tz::UTC);
    let first = date(2024, 6, 3);
    for day in 0..100 {
        cal = cal.with_holiday(first + TimeDelta::days(day));
    }
    assert_eq!(cal.add_business_time(utc(2024, 6, 3, 9, 0), hours(1)), Some(utc(2024, 9, 11, 10, 0)));
}

#[test]
fn far_future_dates_keep_the_last_known_offset_rules_without_panicking() {
    let cal = split_shift(New_York);
    let start = utc(2150, 3, 1, 0, 0);
    let due = cal.add_business_time(start, hours(8 * 30)).unwrap();
    assert_eq!(cal.business_time_between(start, due), hours(8 * 30));
}

#[test]
fn the_end_of_representable_time_gives_none_not_a_panic() {
    let cal = BusinessCalendar::always_open(New_York);
    let near_end = DateTime::<Utc>::MAX_UTC - hours(24 * 3);
    assert_eq!(cal.add_business_time(near_end, hours(24 * 10)), None);
    let between = cal.business_time_between(near_end, DateTime::<Utc>::MAX_UTC);
    assert!(between <= hours(24 * 3));
    let near_start = DateTime::<Utc>::MIN_UTC;
    let _ = cal.business_time_between(near_start, near_start + hours(48));
    let _ = cal.is_open(near_start);
    let _ = cal.is_open(DateTime::<Utc>::MAX_UTC);
}

#[test]
fn overlapping_windows_are_refused_with_a_readable_message() {
    let err = BusinessCalendar::new(Tz::UTC)
        .with_window(Weekday::Mon, t(9, 0), t(12, 30))
        .and_then(|c| c.with_window(Weekday::Mon, t(12, 0), t(13, 0)))
        .unwrap_err();
    assert_eq!(err.to_string(), "Monday 12:00–13:00 overlaps 09:00–12:30");
    let err = BusinessCalendar::always_open(Tz::UTC).with_window(Weekday::Sun, t(9, 0), t(17, 0)).unwrap_err();
    assert_eq!(err.to_string(), "Sunday 09:00–17:00 overlaps 00:00–24:00");
    let err = BusinessCalendar::new(Tz::UTC)
        .with_window(Weekday::Wed, t(9, 0), t(10, 0))
        .and_then(|c| c.with_window(Weekday::Wed, t(8, 0), t(11, 0)))
        .unwrap_err();
    assert!(matches!(err, CalendarError::OverlappingWindows { day: Weekday::Wed, .. }));
}

#[test]
fn touching_windows_and_other_days_are_accepted() {
    let cal = BusinessCalendar::new(Tz::UTC)
        .with_window(Weekday::Mon, t(12, 0), t(13, 0))
        .and_then(|c| c.with_window(Weekday::Mon, t(9, 0), t(12, 0)))
        .and_then(|c| c.with_window(Weekday::Mon, t(13, 0), t(17, 0)))
        .and_then(|c| c.with_window(Weekday::Tue, t(12, 0), t(13, 0)))
        .unwrap();
    let starts: Vec<_> = cal.windows(Weekday::Mon).iter().map(|w| w.start()).collect();
    assert_eq!(starts, vec![t(9, 0), t(12, 0), t(13, 0)]);
    assert_eq!(cal.business_time_between(utc(2024, 6, 3, 0, 0), utc(2024, 6, 4, 0, 0)), hours(8));
}

#[test]
fn a_window_must_end_after_it_starts() {
    let err = BusinessCalendar::new(Tz::UTC).with_window(Weekday::Tue, t(17, 0), t(9, 0)).unwrap_err();
    assert_eq!(err.to_string(), "A window must end after it starts (Tuesday 17:00–09:00)");
    let err = BusinessCalendar::new(Tz::UTC).with_window(Weekday::Fri, t(9, 0), t(9, 0)).unwrap_err();
    assert_eq!(err.to_string(), "A window must end after it starts (Friday 09:00–09:00)");
    let err = BusinessCalendar::new(Tz::UTC).with_window(Weekday::Sat, t(18, 0), t(0, 0)).unwrap_err();
    assert_eq!(err.to_string(), "A window must end after it starts (Saturday 18:00–00:00)");
}

#[test]
fn impossible_yearly_dates_are_refused() {
    let cal = BusinessCalendar::new(Tz::UTC);
    let err = cal.clone().with_yearly_holiday(2, 30).unwrap_err();
    assert_eq!(err.to_string(), "February 30 is not a date");
    let err = cal.clone().with_yearly_holiday(4, 31).unwrap_err();
    assert_eq!(err.to_string(), "April 31 is not a date");
    let err = cal.clone().with_yearly_holiday(1, 0).unwrap_err();
    assert_eq!(err.to_string(), "January 0 is not a date");
    let err = cal.clone().with_yearly_holiday(13, 1).unwrap_err();
    assert_eq!(err.to_string(), "There is no month 13 (months run from 1 to 12)");
    let err = cal.clone().with_yearly_holiday(0, 1).unwrap_err();
    assert_eq!(err, CalendarError::NoSuchMonth { month: 0 });
    assert!(cal.with_yearly_holiday(2, 29).is_ok());
}

#[test]
fn february_29_closes_leap_years_only() {
    let cal = BusinessCalendar::always_open(Tz::UTC).with_yearly_holiday(2, 29).unwrap();
    assert!(!cal.is_open(utc(2028, 2, 29, 12, 0)));
    assert!(cal.is_open(utc(2027, 2, 28, 12, 0)));
    assert!(cal.is_open(utc(2027, 3, 1, 12, 0)));
}

#[test]
fn window_accessors_and_display() {
    let cal = BusinessCalendar::new(Kolkata)
        .with_window(Weekday::Mon, t(9, 0), t(17, 30))
        .and_then(|c| c.with_window_until_midnight(Weekday::Mon, t(20, 0)))
        .unwrap()
        .with_holiday(date(2024, 8, 15));
    assert_eq!(cal.tz(), Kolkata);
    let windows = cal.windows(Weekday::Mon);
    assert_eq!(windows[0].to_string(), "09:00–17:30");
    assert_eq!(windows[1].to_string(), "20:00–24:00");
    assert_eq!(windows[0].end(), Some(t(17, 30)));
    assert_eq!(windows[1].end(), None);
    assert_eq!(windows[1].nominal_length(), hours(4));
    assert!(cal.windows(Weekday::Tue).is_empty());
    assert_eq!(cal.holidays().collect::<Vec<NaiveDate>>(), vec![date(2024, 8, 15)]);
    let seconds = chrono::NaiveTime::from_hms_milli_opt(9, 0, 30, 250).unwrap();
    let err = BusinessCalendar::new(Tz::UTC).with_window(Weekday::Thu, seconds, t(9, 0)).unwrap_err();
    assert_eq!(err.to_string(), "A window must end after it starts (Thursday 09:00:30.250–09:00)");
}

#[test]
fn a_daily_calendar_counts_weekends_too() {
    let cal = daily(Tz::UTC, &[(t(10, 0), t(12, 0))]);
    assert_eq!(cal.business_time_between(utc(2024, 6, 1, 0, 0), utc(2024, 6, 8, 0, 0)), hours(14));
}
