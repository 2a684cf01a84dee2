//! SLA clock speed: due instants on a realistic calendar (New York, Monday to Friday
//! 08:00–12:00 and 13:00–17:00, 15 holidays a year), and business time over a year.

use std::hint::black_box;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;
use criterion::{Criterion, criterion_group, criterion_main};
use palisade::psa::sla::BusinessCalendar;

/// Fixed-date holidays, closed every year.
const YEARLY: [(u32, u32); 7] = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 24), (12, 25), (12, 31)];

/// Holidays that move from year to year (MLK, Presidents', Good Friday, Memorial, Labor,
/// Columbus, Thanksgiving and the day after), 2025 to 2026.
const MOVING: [(i32, u32, u32); 16] = [
    (2025, 1, 20),
    (2025, 2, 17),
    (2025, 4, 18),
    (2025, 5, 26),
    (2025, 9, 1),
    (2025, 10, 13),
    (2025, 11, 27),
    (2025, 11, 28),
    (2026, 1, 19),
    (2026, 2, 16),
    (2026, 4, 3),
    (2026, 5, 25),
    (2026, 9, 7),
    (2026, 10, 12),
    (2026, 11, 26),
    (2026, 11, 27),
];

fn time(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap()
}

fn realistic_calendar() -> BusinessCalendar {
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    let mut calendar = BusinessCalendar::new(New_York);
    for day in weekdays {
        calendar =
            calendar.with_window(day, time(8), time(12)).and_then(|c| c.with_window(day, time(13), time(17))).unwrap();
    }
    for (month, day) in YEARLY {
        calendar = calendar.with_yearly_holiday(month, day).unwrap();
    }
    for (year, month, day) in MOVING {
        calendar = calendar.with_holiday(NaiveDate::from_ymd_opt(year, month, day).unwrap());
    }
    calendar
}

fn new_york(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    New_York.with_ymd_and_hms(year, month, day, hour, minute, 0).unwrap().with_timezone(&Utc)
}

fn bench_sla(c: &mut Criterion) {
    let calendar = realistic_calendar();
    // Friday afternoon before the March DST change: runs over the weekend into Monday.
    let friday = new_york(2025, 3, 7, 15, 0);
    c.bench_function("add_business_time 8h", |b| {
        b.iter(|| calendar.add_business_time(black_box(friday), black_box(TimeDelta::hours(8))))
    });
    // 30 business days of 8 h, across the November DST change and Thanksgiving.
    let monday = new_york(2025, 10, 27, 9, 0);
    c.bench_function("add_business_time 30 business days", |b| {
        b.iter(|| calendar.add_business_time(black_box(monday), black_box(TimeDelta::hours(8 * 30))))
    });
    let (from, to) = (new_york(2025, 1, 1, 0, 0), new_york(2026, 1, 1, 0, 0));
    c.bench_function("business_time_between 1 year", |b| {
        b.iter(|| calendar.business_time_between(black_box(from), black_box(to)))
    });
}

criterion_group!(benches, bench_sla);
criterion_main!(benches);
