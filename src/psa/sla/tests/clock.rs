//! Hand-worked cases for the SLA clock with pauses.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;

use super::{local, office, utc};
use crate::psa::sla::{BusinessCalendar, due_at, elapsed};

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

fn ny(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    local(New_York, 2024, month, day, hour, minute)
}

// 2024-06-07 is a Friday.

#[test]
fn without_pauses_the_due_instant_is_the_business_time_sum() {
    let cal = office(New_York);
    let started = ny(6, 7, 15, 0);
    assert_eq!(due_at(&cal, started, hours(4), &[]), Some(ny(6, 10, 11, 0)));
    assert_eq!(elapsed(&cal, started, &[], ny(6, 10, 11, 0)), hours(4));
}

#[test]
fn a_pause_spanning_the_weekend_resumes_with_the_business_time_left() {
    let cal = office(New_York);
    let started = ny(6, 7, 15, 0);
    let pauses = [(ny(6, 7, 16, 0), Some(ny(6, 10, 10, 0)))];
    // 1 h ran on Friday; the remaining 3 h run from Monday 10:00.
    assert_eq!(due_at(&cal, started, hours(4), &pauses), Some(ny(6, 10, 13, 0)));
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 10, 9, 30)), hours(1));
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 10, 13, 0)), hours(4));
}

#[test]
fn a_pause_outside_business_hours_changes_nothing() {
    let cal = office(New_York);
    let started = ny(6, 7, 15, 0);
    let pauses = [(ny(6, 8, 10, 0), Some(ny(6, 9, 20, 0)))];
    assert_eq!(due_at(&cal, started, hours(4), &pauses), Some(ny(6, 10, 11, 0)));
}

#[test]
fn an_open_pause_means_no_due_instant_yet() {
    let cal = office(New_York);
    let started = ny(6, 7, 9, 0);
    let pauses = [(ny(6, 7, 11, 0), None)];
    assert_eq!(due_at(&cal, started, hours(8), &pauses), None);
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 14, 12, 0)), hours(2));
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 7, 10, 0)), hours(1));
}

#[test]
fn an_open_pause_after_the_target_was_used_up_keeps_the_past_due_instant() {
    let cal = office(New_York);
    let started = ny(6, 7, 9, 0);
    let pauses = [(ny(6, 7, 14, 0), None)];
    assert_eq!(due_at(&cal, started, hours(2), &pauses), Some(ny(6, 7, 11, 0)));
    // Used up exactly when the pause begins: still due then.
    assert_eq!(due_at(&cal, started, hours(5), &pauses), Some(ny(6, 7, 14, 0)));
}

#[test]
fn unsorted_overlapping_pauses_are_merged() {
    let cal = office(New_York);
    let started = ny(6, 3, 9, 0);
    let messy = [
        (ny(6, 3, 13, 0), Some(ny(6, 3, 14, 0))),
        (ny(6, 3, 10, 0), Some(ny(6, 3, 12, 0))),
        (ny(6, 3, 11, 0), Some(ny(6, 3, 13, 30))),
        (ny(6, 3, 11, 30), Some(ny(6, 3, 11, 45))),
    ];
    let clean = [(ny(6, 3, 10, 0), Some(ny(6, 3, 14, 0)))];
    let due = due_at(&cal, started, hours(3), &messy);
    assert_eq!(due, due_at(&cal, started, hours(3), &clean));
    assert_eq!(due, Some(ny(6, 3, 16, 0)));
    assert_eq!(elapsed(&cal, started, &messy, ny(6, 3, 17, 0)), elapsed(&cal, started, &clean, ny(6, 3, 17, 0)));
    assert_eq!(elapsed(&cal, started, &messy, ny(6, 3, 17, 0)), hours(4));
}

#[test]
fn an_open_pause_swallows_later_pauses() {
    let cal = office(New_York);
    let started = ny(6, 3, 9, 0);
    let pauses = [(ny(6, 3, 12, 0), Some(ny(6, 3, 13, 0))), (ny(6, 3, 10, 0), None)];
    assert_eq!(due_at(&cal, started, hours(2), &pauses), None);
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 5, 0, 0)), hours(1));
}

#[test]
fn pauses_before_the_start_only_count_after_it() {
    let cal = office(New_York);
    let started = ny(6, 3, 9, 0);
    let pauses = [(ny(6, 1, 0, 0), Some(ny(6, 2, 0, 0))), (ny(6, 3, 8, 0), Some(ny(6, 3, 10, 0)))];
    assert_eq!(due_at(&cal, started, hours(2), &pauses), Some(ny(6, 3, 12, 0)));
    assert_eq!(elapsed(&cal, started, &pauses, ny(6, 3, 12, 0)), hours(2));
}

#[test]
fn empty_and_inverted_pauses_are_ignored() {
    let cal = office(New_York);
    let started = ny(6, 3, 9, 0);
    let pauses = [(ny(6, 3, 10, 0), Some(ny(6, 3, 10, 0))), (ny(6, 3, 12, 0), Some(ny(6, 3, 11, 0)))];
    assert_eq!(due_at(&cal, started, hours(3), &pauses), Some(ny(6, 3, 12, 0)));
}

#[test]
fn elapsed_is_zero_before_the_start() {
    let cal = office(New_York);
    let started = ny(6, 3, 12, 0);
    assert_eq!(elapsed(&cal, started, &[], ny(6, 3, 10, 0)), TimeDelta::zero());
    assert_eq!(elapsed(&cal, started, &[], started), TimeDelta::zero());
}

#[test]
fn a_zero_target_is_due_at_the_start_even_while_paused() {
    let cal = office(New_York);
    let started = ny(6, 8, 12, 0);
    assert_eq!(due_at(&cal, started, TimeDelta::zero(), &[(started, None)]), Some(started));
}

#[test]
fn a_calendar_that_never_opens_has_no_due_instant() {
    let cal = BusinessCalendar::new(Tz::UTC);
    let started = utc(2024, 6, 3, 9, 0);
    assert_eq!(due_at(&cal, started, hours(1), &[]), None);
    assert_eq!(elapsed(&cal, started, &[], utc(2025, 6, 3, 9, 0)), TimeDelta::zero());
}

#[test]
fn a_thirty_business_day_target_crossing_holidays_and_dst() {
    let cal = office(New_York).with_holiday(chrono::NaiveDate::from_ymd_opt(2024, 11, 28).unwrap());
    let started = ny(10, 21, 9, 0);
    // 30 business days of 8 h from Monday Oct 21; Thanksgiving is closed: due Dec 2, 17:00.
    let due = due_at(&cal, started, hours(8 * 30), &[]);
    assert_eq!(due, Some(ny(12, 2, 17, 0)));
    assert_eq!(elapsed(&cal, started, &[], due.unwrap()), hours(240));
}
