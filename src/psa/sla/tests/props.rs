//! Property tests: the fast engine against the naive reference on random calendars around
//! daylight-saving changes, and the laws the engine must keep.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::reference::{MINUTE, Spec, offset_changes};
use crate::psa::sla::{BusinessCalendar, Pause, due_at, elapsed};

const ZONES: [Tz; 13] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Santiago,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::America::St_Johns,
    chrono_tz::America::Havana,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Africa::Casablanca,
    chrono_tz::Europe::Dublin,
    Tz::UTC,
];

const DAY_MINUTES: i64 = 24 * 60;

/// A window boundary in minutes of the day, often on the half hour where DST changes happen.
fn boundary() -> impl Strategy<Value = u32> {
    prop_oneof![(0..=48u32).prop_map(|half_hours| half_hours * 30), 0..=1440u32]
}

/// Windows of one day: separate ones (lunch breaks) or back-to-back ones.
fn day_windows() -> impl Strategy<Value = Vec<(u32, u32)>> {
    let cuts =
        || prop::collection::btree_set(boundary(), 0..=6).prop_map(|cuts| cuts.into_iter().collect::<Vec<u32>>());
    prop_oneof![
        3 => cuts().prop_map(|c| c.chunks_exact(2).map(|w| (w[0], w[1])).collect()),
        1 => cuts().prop_map(|c| c.windows(2).map(|w| (w[0], w[1])).collect()),
    ]
}

/// Where a case happens: a zone, and an instant near one of its offset changes.
#[derive(Debug, Clone)]
struct Scene {
    tz: Tz,
    anchor: DateTime<Utc>,
}

fn scene() -> impl Strategy<Value = Scene> {
    (0..ZONES.len(), 2000..2040i32, 0..8usize, -4 * DAY_MINUTES..4 * DAY_MINUTES).prop_map(
        |(zone, year, pick, shift)| {
            let tz = ZONES[zone];
            let changes = offset_changes(tz, year);
            let base = changes.get(pick % changes.len().max(1)).copied().unwrap_or_else(|| {
                let day = NaiveDate::from_yo_opt(year, 1 + (pick as u32 * 45) % 365).unwrap();
                day.and_time(NaiveTime::MIN).and_utc()
            });
            Scene { tz, anchor: base + TimeDelta::minutes(shift) }
        },
    )
}

/// A random calendar in the scene's zone, with holidays near the anchor.
fn spec_in(scene: &Scene) -> impl Strategy<Value = Spec> + use<> {
    let tz = scene.tz;
    let anchor_date = scene.anchor.with_timezone(&tz).date_naive();
    let near = move |days: i64| anchor_date + TimeDelta::days(days);
    (
        prop::array::uniform7(day_windows()),
        prop::collection::vec(-5..12i64, 0..4),
        prop::collection::vec(-5..12i64, 0..3),
        any::<bool>(),
    )
        .prop_map(move |(week, holidays, yearly, whole_days)| {
            let mut week = week;
            if whole_days {
                week[6] = vec![(0, 1440)];
            }
            Spec {
                tz,
                week,
                holidays: holidays.into_iter().map(near).collect(),
                yearly: yearly.into_iter().map(near).map(|d| (d.month(), d.day())).collect(),
            }
        })
}

fn scene_and_spec() -> impl Strategy<Value = (Scene, Spec)> {
    scene().prop_flat_map(|scene| {
        let spec = spec_in(&scene);
        (Just(scene), spec)
    })
}

fn nanos_within(days: i64) -> impl Strategy<Value = TimeDelta> {
    let limit = days * 86_400 * 1_000_000_000;
    (-limit..limit).prop_map(TimeDelta::nanoseconds)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn between_matches_the_reference(
        (scene, spec) in scene_and_spec(),
        shift in -2 * DAY_MINUTES..2 * DAY_MINUTES,
        span in 0..6 * DAY_MINUTES,
    ) {
        let cal = spec.calendar();
        let from = scene.anchor + TimeDelta::minutes(shift);
        let to = from + TimeDelta::minutes(span);
        let expected = spec.between(from, to);
        prop_assert_eq!(cal.business_time_between(from, to), expected);
        let intervals: Vec<_> = cal.open_intervals(from, to).collect();
        let sum: TimeDelta = intervals.iter().map(|&(open, close)| close - open).sum();
        prop_assert_eq!(sum, expected);
        for pair in intervals.windows(2) {
            prop_assert!(pair[0].1 < pair[1].0, "intervals disjoint, apart and increasing");
        }
        for &(open, close) in &intervals {
            prop_assert!(spec.is_open(open) && spec.is_open(close - MINUTE));
            if close < to {
                prop_assert!(!spec.is_open(close));
            }
        }
    }

    #[test]
    fn add_matches_the_reference(
        (scene, spec) in scene_and_spec(),
        shift in -2 * DAY_MINUTES..2 * DAY_MINUTES,
        minutes in 0..2 * DAY_MINUTES,
    ) {
        let cal = spec.calendar();
        let start = scene.anchor + TimeDelta::minutes(shift);
        let horizon = TimeDelta::days(15);
        let got = cal.add_business_time(start, TimeDelta::minutes(minutes));
        match spec.add(start, minutes, horizon) {
            Some(expected) => prop_assert_eq!(got, Some(expected)),
            None => prop_assert!(got.is_none_or(|due| due > start + horizon)),
        }
    }

    #[test]
    fn is_open_matches_the_reference(
        (scene, spec) in scene_and_spec(),
        shifts in prop::collection::vec(nanos_within(5), 1..40),
    ) {
        let cal = spec.calendar();
        for shift in shifts {
            let at = scene.anchor + shift;
            prop_assert_eq!(cal.is_open(at), spec.is_open(at), "at {}", at);
        }
    }

    #[test]
    fn adding_then_measuring_gives_back_the_duration(
        (scene, spec) in scene_and_spec(),
        shift in nanos_within(5),
        d in (0..30 * 86_400_000_000_000i64).prop_map(TimeDelta::nanoseconds),
    ) {
        let cal = spec.calendar();
        let start = scene.anchor + shift;
        let due = cal.add_business_time(start, d);
        prop_assert_eq!(due.is_some(), cal.ever_opens() || d.is_zero());
        if let Some(due) = due {
            prop_assert!(due >= start);
            prop_assert_eq!(cal.business_time_between(start, due), d);
        }
    }

    #[test]
    fn the_due_instant_grows_with_the_duration(
        (scene, spec) in scene_and_spec(),
        shift in nanos_within(5),
        d1 in 1..10 * 86_400_000_000_000i64,
        extra in 1..5 * 86_400_000_000_000i64,
    ) {
        let cal = spec.calendar();
        prop_assume!(cal.ever_opens());
        let start = scene.anchor + shift;
        let shorter = cal.add_business_time(start, TimeDelta::nanoseconds(d1)).unwrap();
        let longer = cal.add_business_time(start, TimeDelta::nanoseconds(d1 + extra)).unwrap();
        prop_assert!(shorter < longer);
    }

    #[test]
    fn the_due_instant_grows_with_the_start(
        (scene, spec) in scene_and_spec(),
        shift in nanos_within(5),
        later_by in (0..3 * 86_400_000_000_000i64).prop_map(TimeDelta::nanoseconds),
        d in (0..10 * 86_400_000_000_000i64).prop_map(TimeDelta::nanoseconds),
    ) {
        let cal = spec.calendar();
        prop_assume!(cal.ever_opens());
        let start = scene.anchor + shift;
        let early = cal.add_business_time(start, d).unwrap();
        let late = cal.add_business_time(start + later_by, d).unwrap();
        prop_assert!(early <= late);
        // Business time is additive over adjacent ranges.
        let whole = cal.business_time_between(start, late);
        let split = cal.business_time_between(start, start + later_by)
            + cal.business_time_between(start + later_by, late);
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn always_open_agrees_with_wall_clock_arithmetic(
        zone in 0..ZONES.len(),
        start in (-2_000_000_000..5_000_000_000i64, 0..1_000_000_000u32),
        d in (0..400 * 86_400_000_000_000i64).prop_map(TimeDelta::nanoseconds),
    ) {
        let cal = BusinessCalendar::always_open(ZONES[zone]);
        let start = DateTime::from_timestamp(start.0, start.1).unwrap();
        prop_assert_eq!(cal.add_business_time(start, d), Some(start + d));
        prop_assert_eq!(cal.business_time_between(start, start + d), d);
        prop_assert!(cal.is_open(start) && cal.is_open(start + d));
        prop_assert_eq!(cal.open_intervals(start, start + d).count(), usize::from(!d.is_zero()));
    }
}

/// Pauses near the anchor, minute-aligned, possibly overlapping, unsorted or still open.
fn pauses_near(anchor: DateTime<Utc>) -> impl Strategy<Value = Vec<Pause>> {
    let pause = (-DAY_MINUTES..4 * DAY_MINUTES, -60..DAY_MINUTES, 0..10u8).prop_map(move |(start, length, open)| {
        let start = anchor + TimeDelta::minutes(start);
        let end = (open != 0).then(|| start + TimeDelta::minutes(length));
        (start, end)
    });
    prop::collection::vec(pause, 0..5)
}

fn clock_case() -> impl Strategy<Value = (Scene, Spec, Vec<Pause>)> {
    scene_and_spec().prop_flat_map(|(scene, spec)| {
        let pauses = pauses_near(scene.anchor);
        (Just(scene), Just(spec), pauses)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_clock_matches_the_reference(
        (scene, spec, pauses) in clock_case(),
        start_shift in -DAY_MINUTES..DAY_MINUTES,
        now_after in 0..5 * DAY_MINUTES,
        target in 0..DAY_MINUTES,
    ) {
        let cal = spec.calendar();
        let started = scene.anchor + TimeDelta::minutes(start_shift);
        let now = started + TimeDelta::minutes(now_after);
        prop_assert_eq!(elapsed(&cal, started, &pauses, now), spec.elapsed(started, &pauses, now));
        let horizon = TimeDelta::days(10);
        let got = due_at(&cal, started, TimeDelta::minutes(target), &pauses);
        match spec.due(started, target, &pauses, horizon) {
            Some(expected) => prop_assert_eq!(got, Some(expected)),
            None => prop_assert!(got.is_none_or(|due| due > started + horizon)),
        }
    }

    #[test]
    fn the_due_instant_is_the_first_reaching_the_target(
        (scene, spec, pauses) in clock_case(),
        start_shift in nanos_within(1),
        target in (1..3 * 86_400_000_000_000i64).prop_map(TimeDelta::nanoseconds),
    ) {
        let cal = spec.calendar();
        let started = scene.anchor + start_shift;
        if let Some(due) = due_at(&cal, started, target, &pauses) {
            prop_assert_eq!(elapsed(&cal, started, &pauses, due), target);
            let just_before = due - TimeDelta::nanoseconds(1);
            prop_assert!(elapsed(&cal, started, &pauses, just_before) < target);
        } else {
            let open_pause = pauses.iter().any(|p| p.1.is_none());
            prop_assert!(open_pause || !cal.ever_opens());
        }
    }
}

/// Any zone of the database, at any instant from 1850 to 2100 or near an offset change of a
/// random year (historical offsets have seconds).
fn scene_anywhere() -> impl Strategy<Value = Scene> {
    let instant = (-3_786_825_600..4_102_444_800i64, 0..1_000_000_000u32)
        .prop_map(|(seconds, nanos)| DateTime::from_timestamp(seconds, nanos).unwrap());
    (0..chrono_tz::TZ_VARIANTS.len(), instant, any::<bool>(), 0..8usize, nanos_within(1)).prop_map(
        |(zone, instant, near_change, pick, shift)| {
            let tz = chrono_tz::TZ_VARIANTS[zone];
            let changes = if near_change { offset_changes(tz, instant.year()) } else { Vec::new() };
            let anchor = changes.get(pick % changes.len().max(1)).map_or(instant, |&change| change + shift);
            Scene { tz, anchor }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn open_intervals_agree_with_is_open_in_every_zone(
        (scene, spec) in scene_anywhere().prop_flat_map(|scene| {
            let spec = spec_in(&scene);
            (Just(scene), spec)
        }),
        probes in prop::collection::vec(nanos_within(2), 1..20),
    ) {
        let cal = spec.calendar();
        let (from, to) = (scene.anchor - TimeDelta::days(3), scene.anchor + TimeDelta::days(3));
        let intervals: Vec<_> = cal.open_intervals(from, to).collect();
        for probe in probes {
            let at = scene.anchor + probe;
            let inside = intervals.iter().any(|&(open, close)| open <= at && at < close);
            prop_assert_eq!(cal.is_open(at), inside, "at {} in {}", at, scene.tz);
        }
        for &(open, close) in &intervals {
            prop_assert!(cal.is_open(open) && cal.is_open(close - TimeDelta::nanoseconds(1)));
            prop_assert!(close == to || !cal.is_open(close));
            prop_assert!(open == from || !cal.is_open(open - TimeDelta::nanoseconds(1)));
        }
    }
}
