//! The SLA clock: business time that runs except while a target is paused.

use chrono::{DateTime, TimeDelta, Utc};

use super::calendar::BusinessCalendar;

/// A span during which the SLA clock was stopped (say, waiting on the customer), `[start, end)`;
/// an `end` of `None` means the clock is stopped still.
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// The due instant of an SLA target that started at `started`, given the intervals during which
/// the clock was paused; an open pause (end `None`) means it is paused now, and then there is no
/// due instant yet — unless the target was already used up before that pause began, in which
/// case that (past) instant is returned.
///
/// Pauses may be unsorted or overlapping; pauses with `end <= start` are ignored. The result is
/// the first instant at which [`elapsed`] reaches `target` (`started` for a target of zero or
/// less); `None` also when the calendar never opens.
pub fn due_at(
    cal: &BusinessCalendar,
    started: DateTime<Utc>,
    target: TimeDelta,
    pauses: &[Pause],
) -> Option<DateTime<Utc>> {
    if target <= TimeDelta::zero() {
        return Some(started);
    }
    let mut remaining = target;
    let mut cursor = started;
    for (pause_start, pause_end) in merge(pauses) {
        if pause_end.is_some_and(|end| end <= cursor) {
            continue;
        }
        if pause_start > cursor {
            let run = cal.business_time_between(cursor, pause_start);
            if run >= remaining {
                return cal.add_business_time(cursor, remaining);
            }
            remaining -= run;
        }
        // Paused now: when the clock resumes, and so the due instant, is not known yet.
        cursor = pause_end?;
    }
    cal.add_business_time(cursor, remaining)
}

/// Business time consumed from `started` until `now`, pauses excluded.
pub fn elapsed(cal: &BusinessCalendar, started: DateTime<Utc>, pauses: &[Pause], now: DateTime<Utc>) -> TimeDelta {
    let mut total = TimeDelta::zero();
    let mut cursor = started;
    for (pause_start, pause_end) in merge(pauses) {
        if pause_start >= now {
            break;
        }
        if pause_start > cursor {
            total += cal.business_time_between(cursor, pause_start);
        }
        match pause_end {
            Some(end) => cursor = cursor.max(end),
            None => return total,
        }
    }
    total + cal.business_time_between(cursor, now)
}

/// The pauses sorted, with empty or inverted ones dropped and overlapping or touching ones
/// joined, so that they are disjoint and increasing.
fn merge(pauses: &[Pause]) -> Vec<Pause> {
    let mut sorted: Vec<Pause> =
        pauses.iter().copied().filter(|&(start, end)| end.is_none_or(|end| end > start)).collect();
    sorted.sort_by_key(|&(start, _)| start);
    let mut merged: Vec<Pause> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match merged.last_mut() {
            Some((_, last_end)) if last_end.is_none_or(|last| start <= last) => {
                *last_end = last_end.zip(end).map(|(a, b)| a.max(b));
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}
