//! Daylight-saving changes: a window is as long as the wall clock says on that day.

use chrono::{TimeDelta, Weekday};
use chrono_tz::America::{New_York, Santiago};
use chrono_tz::Australia::Lord_Howe;
use chrono_tz::Europe::London;
use chrono_tz::Pacific::Apia;
use chrono_tz::Tz;

use super::{date, local, office, t, utc};
use crate::psa::sla::BusinessCalendar;

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

/// A calendar open only on `day`, `start`–`end` local time.
fn one_window(tz: Tz, day: Weekday, start: (u32, u32), end: (u32, u32)) -> BusinessCalendar {
    BusinessCalendar::new(tz).with_window(day, t(start.0, start.1), t(end.0, end.1)).unwrap()
}

type Intervals = Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>;

/// The open periods of the calendar on the UTC days `first..=last` of one month.
fn intervals(cal: &BusinessCalendar, year: i32, month: u32, first: u32, last: u32) -> Intervals {
    let from = utc(year, month, first, 0, 0);
    let to = utc(year, month, last, 0, 0) + TimeDelta::days(1);
    cal.open_intervals(from, to).collect()
}

fn total(intervals: &Intervals) -> TimeDelta {
    intervals.iter().map(|(open, close)| *close - *open).sum()
}

// New York: 2024-03-10 02:00 EST -> 03:00 EDT (07:00 UTC); 2024-11-03 02:00 EDT -> 01:00 EST
// (06:00 UTC). Both are Sundays.

#[test]
fn new_york_spring_forward_shortens_a_window_spanning_the_gap() {
    let cal = one_window(New_York, Weekday::Sun, (0, 0), (6, 0));
    let got = intervals(&cal, 2024, 3, 9, 11);
    assert_eq!(got, vec![(utc(2024, 3, 10, 5, 0), utc(2024, 3, 10, 10, 0))]);
    assert_eq!(cal.add_business_time(utc(2024, 3, 10, 5, 0), hours(3)), Some(utc(2024, 3, 10, 8, 0)));
    assert_eq!(cal.add_business_time(utc(2024, 3, 10, 5, 0), hours(5)), Some(local(New_York, 2024, 3, 10, 6, 0)));
}

#[test]
fn new_york_window_boundaries_inside_the_gap_move_to_the_end_of_the_gap() {
    // 02:30 does not exist: the window opens at the first later instant, 03:00 EDT.
    let starts_in_gap = one_window(New_York, Weekday::Sun, (2, 30), (5, 0));
    assert_eq!(intervals(&starts_in_gap, 2024, 3, 9, 11), vec![(utc(2024, 3, 10, 7, 0), utc(2024, 3, 10, 9, 0))]);
    assert!(starts_in_gap.is_open(utc(2024, 3, 10, 7, 0)));
    assert!(!starts_in_gap.is_open(utc(2024, 3, 10, 7, 0) - TimeDelta::nanoseconds(1)));
    // Ending at 02:30 closes at the gap, 02:00 EST = 03:00 EDT.
    let ends_in_gap = one_window(New_York, Weekday::Sun, (0, 0), (2, 30));
    assert_eq!(intervals(&ends_in_gap, 2024, 3, 9, 11), vec![(utc(2024, 3, 10, 5, 0), utc(2024, 3, 10, 7, 0))]);
    // Wholly inside the gap: closed that day, open the next Sunday.
    let inside_gap = one_window(New_York, Weekday::Sun, (2, 10), (2, 50));
    assert_eq!(intervals(&inside_gap, 2024, 3, 9, 11), vec![]);
    assert_eq!(
        inside_gap.add_business_time(utc(2024, 3, 9, 0, 0), minutes(10)),
        Some(local(New_York, 2024, 3, 17, 2, 20))
    );
}

#[test]
fn new_york_fall_back_counts_the_repeated_hour_twice() {
    let cal = one_window(New_York, Weekday::Sun, (0, 0), (6, 0));
    let got = intervals(&cal, 2024, 11, 2, 4);
    assert_eq!(got, vec![(utc(2024, 11, 3, 4, 0), utc(2024, 11, 3, 11, 0))]);
    // 00:00 EDT + 3 h = 02:00 EST: the hour 01:00–02:00 passed twice.
    assert_eq!(cal.add_business_time(utc(2024, 11, 3, 4, 0), hours(3)), Some(utc(2024, 11, 3, 7, 0)));
}

#[test]
fn new_york_window_boundaries_inside_the_repeated_hour() {
    // 01:30–09:00: the first 01:30–02:00 (EDT), then 01:30 EST onwards; 01:00–01:30 EST is
    // outside the window.
    let late = one_window(New_York, Weekday::Sun, (1, 30), (9, 0));
    let got = intervals(&late, 2024, 11, 2, 4);
    assert_eq!(
        got,
        vec![(utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6, 0)), (utc(2024, 11, 3, 6, 30), utc(2024, 11, 3, 14, 0)),]
    );
    assert_eq!(total(&got), hours(8));
    assert!(late.is_open(utc(2024, 11, 3, 5, 45)));
    assert!(!late.is_open(utc(2024, 11, 3, 6, 15)));
    // 00:00–01:30: both passes through 01:00–01:30 count.
    let early = one_window(New_York, Weekday::Sun, (0, 0), (1, 30));
    let got = intervals(&early, 2024, 11, 2, 4);
    assert_eq!(
        got,
        vec![(utc(2024, 11, 3, 4, 0), utc(2024, 11, 3, 5, 30)), (utc(2024, 11, 3, 6, 0), utc(2024, 11, 3, 6, 30)),]
    );
    assert_eq!(early.add_business_time(utc(2024, 11, 3, 4, 0), minutes(100)), Some(utc(2024, 11, 3, 6, 10)));
}

#[test]
fn always_open_days_have_their_real_length() {
    let cal = BusinessCalendar::always_open(New_York);
    let day = |y, m, d| {
        cal.business_time_between(local(New_York, y, m, d, 0, 0), {
            let next = date(y, m, d).succ_opt().unwrap();
            use chrono::Datelike;
            local(New_York, next.year(), next.month(), next.day(), 0, 0)
        })
    };
    assert_eq!(day(2024, 3, 10), hours(23));
    assert_eq!(day(2024, 11, 3), hours(25));
    assert_eq!(day(2024, 6, 3), hours(24));
    let lord_howe = BusinessCalendar::always_open(Lord_Howe);
    assert_eq!(
        lord_howe.business_time_between(local(Lord_Howe, 2024, 4, 7, 0, 0), local(Lord_Howe, 2024, 4, 8, 0, 0)),
        hours(24) + minutes(30)
    );
    assert_eq!(
        lord_howe.business_time_between(local(Lord_Howe, 2024, 10, 6, 0, 0), local(Lord_Howe, 2024, 10, 7, 0, 0)),
        hours(23) + minutes(30)
    );
}

#[test]
fn an_office_week_is_unaffected_by_a_weekend_change() {
    let cal = office(New_York);
    assert_eq!(
        cal.business_time_between(local(New_York, 2024, 3, 4, 0, 0), local(New_York, 2024, 3, 18, 0, 0)),
        hours(80)
    );
    // Friday 16:00 EST + 2 h = Monday 10:00 EDT.
    assert_eq!(cal.add_business_time(local(New_York, 2024, 3, 8, 16, 0), hours(2)), Some(utc(2024, 3, 11, 14, 0)));
}

// London: 2024-03-31 01:00 GMT -> 02:00 BST; 2024-10-27 02:00 BST -> 01:00 GMT; both at 01:00 UTC.

#[test]
fn london_spring_forward() {
    let cal = one_window(London, Weekday::Sun, (0, 0), (3, 0));
    assert_eq!(intervals(&cal, 2024, 3, 30, 31), vec![(utc(2024, 3, 31, 0, 0), utc(2024, 3, 31, 2, 0))]);
    let in_gap = one_window(London, Weekday::Sun, (1, 0), (2, 0));
    assert_eq!(intervals(&in_gap, 2024, 3, 30, 31), vec![]);
    let office = office(London);
    assert_eq!(office.add_business_time(local(London, 2024, 3, 29, 16, 0), hours(2)), Some(utc(2024, 4, 1, 9, 0)));
}

#[test]
fn london_fall_back() {
    let cal = one_window(London, Weekday::Sun, (0, 0), (3, 0));
    let got = intervals(&cal, 2024, 10, 26, 27);
    assert_eq!(got, vec![(utc(2024, 10, 26, 23, 0), utc(2024, 10, 27, 3, 0))]);
    let repeated = one_window(London, Weekday::Sun, (1, 0), (2, 0));
    assert_eq!(intervals(&repeated, 2024, 10, 26, 27), vec![(utc(2024, 10, 27, 0, 0), utc(2024, 10, 27, 2, 0))]);
    assert_eq!(repeated.add_business_time(utc(2024, 10, 26, 12, 0), minutes(90)), Some(utc(2024, 10, 27, 1, 30)));
}

// Lord Howe shifts by 30 minutes: 2024-04-07 02:00 (+11) -> 01:30 (+10:30) at 15:00 UTC on the
// 6th; 2024-10-06 02:00 (+10:30) -> 02:30 (+11) at 15:30 UTC on the 5th.

#[test]
fn lord_howe_half_hour_fall_back() {
    let cal = one_window(Lord_Howe, Weekday::Sun, (1, 0), (3, 0));
    let got = intervals(&cal, 2024, 4, 6, 7);
    assert_eq!(got, vec![(utc(2024, 4, 6, 14, 0), utc(2024, 4, 6, 16, 30))]);
    let straddling = one_window(Lord_Howe, Weekday::Sun, (1, 45), (2, 15));
    let got = intervals(&straddling, 2024, 4, 6, 7);
    assert_eq!(
        got,
        vec![(utc(2024, 4, 6, 14, 45), utc(2024, 4, 6, 15, 0)), (utc(2024, 4, 6, 15, 15), utc(2024, 4, 6, 15, 45)),]
    );
    assert_eq!(straddling.add_business_time(utc(2024, 4, 6, 14, 50), minutes(15)), Some(utc(2024, 4, 6, 15, 20)));
}

#[test]
fn lord_howe_half_hour_spring_forward() {
    let cal = one_window(Lord_Howe, Weekday::Sun, (1, 0), (3, 0));
    let got = intervals(&cal, 2024, 10, 5, 6);
    assert_eq!(got, vec![(utc(2024, 10, 5, 14, 30), utc(2024, 10, 5, 16, 0))]);
    assert_eq!(total(&got), minutes(90));
    let start_in_gap = one_window(Lord_Howe, Weekday::Sun, (2, 15), (4, 0));
    assert_eq!(intervals(&start_in_gap, 2024, 10, 5, 6), vec![(utc(2024, 10, 5, 15, 30), utc(2024, 10, 5, 17, 0))]);
}

// Santiago changes at midnight: 2024-04-07 00:00 (-03) -> 2024-04-06 23:00 (-04), at 03:00 UTC;
// 2024-09-08 00:00 (-04) -> 01:00 (-03), at 04:00 UTC.

#[test]
fn santiago_midnight_fall_back_repeats_the_last_hour_of_saturday() {
    let cal = BusinessCalendar::new(Santiago).with_window_until_midnight(Weekday::Sat, t(23, 0)).unwrap();
    let got = intervals(&cal, 2024, 4, 6, 7);
    assert_eq!(got, vec![(utc(2024, 4, 7, 2, 0), utc(2024, 4, 7, 4, 0))]);
    let always = BusinessCalendar::always_open(Santiago).with_holiday(date(2024, 4, 7));
    // Saturday lasts 25 hours; the Sunday holiday starts at 04:00 UTC.
    assert_eq!(always.business_time_between(utc(2024, 4, 6, 3, 0), utc(2024, 4, 8, 12, 0)), hours(25) + hours(8));
}

#[test]
fn santiago_midnight_spring_forward_skips_the_first_hour_of_sunday() {
    let cal = one_window(Santiago, Weekday::Sun, (0, 0), (2, 0));
    let got = intervals(&cal, 2024, 9, 7, 8);
    assert_eq!(got, vec![(utc(2024, 9, 8, 4, 0), utc(2024, 9, 8, 5, 0))]);
}

#[test]
fn samoa_skipped_friday_2011_12_30_is_never_open() {
    let friday = one_window(Apia, Weekday::Fri, (9, 0), (17, 0));
    let from = local(Apia, 2011, 12, 24, 0, 0);
    let to = local(Apia, 2012, 1, 5, 0, 0);
    assert_eq!(friday.business_time_between(from, to), TimeDelta::zero());
    assert_eq!(
        friday.add_business_time(local(Apia, 2011, 12, 29, 12, 0), hours(1)),
        Some(local(Apia, 2012, 1, 6, 10, 0))
    );
    let always = BusinessCalendar::always_open(Apia);
    assert_eq!(
        always.business_time_between(local(Apia, 2011, 12, 29, 0, 0), local(Apia, 2011, 12, 31, 0, 0)),
        hours(24)
    );
}
