//! The open intervals of a calendar as UTC instants, walked in order.
//!
//! The UTC timeline is cut into chunks in which the zone's UTC offset is constant. Within a
//! chunk local time is `utc + offset`, continuous and increasing, so the instants whose local
//! wall-clock time lies in a window are the window's local span on each local date, shifted back
//! by the offset and clipped to the chunk. This is exactly the set the calendar defines: local
//! times skipped by a daylight-saving gap belong to no chunk (a window boundary in a gap thus
//! takes effect at the first instant whose local time is later), and a repeated local hour
//! belongs to two chunks, so it is counted twice. Intervals come out in increasing UTC order,
//! even when a fold makes one local date resume after the next one began.
//!
//! Cost: one or two offset look-ups per chunk (a few days), a bisection (about 20 look-ups) per
//! offset change, and a few comparisons per local date and window: proportional to days spanned.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;

use super::calendar::BusinessCalendar;
use super::window::Window;

/// Longest chunk probed for an offset change. The tz database compiled into chrono-tz never
/// changes a zone's UTC offset twice within 167 hours (checked over every zone), so a span this
/// long holds at most one change, and comparing the offsets at its two ends detects it.
const MAX_CHUNK: TimeDelta = TimeDelta::hours(96);

/// A UTC span `[start, end)` with one UTC offset, and the same span in local time.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    end: NaiveDateTime,
    offset: TimeDelta,
    local_start: NaiveDateTime,
    local_end: NaiveDateTime,
}

impl Chunk {
    /// The chunk beginning at `start`; `None` where `chrono` runs out of representable time.
    fn starting_at(tz: Tz, start: NaiveDateTime) -> Option<Self> {
        let offset = offset_at(tz, start);
        let probe = start.checked_add_signed(MAX_CHUNK)?;
        let end = if offset_at(tz, probe) == offset { probe } else { offset_change(tz, start, probe, offset)? };
        // Local times of the chunk must be representable too.
        let local_start = start.checked_add_signed(offset)?;
        let local_end = end.checked_add_signed(offset)?;
        Some(Self { end, offset, local_start, local_end })
    }

    /// The UTC span of the chunk's instants whose local time lies in `window` of the local day
    /// starting at `midnight`; `None` when there are none.
    fn instants_within(&self, midnight: NaiveDateTime, window: Window) -> Option<(NaiveDateTime, NaiveDateTime)> {
        // A window reaching beyond representable time is cut at the chunk's end.
        let open = midnight.checked_add_signed(window.start_since_midnight())?.max(self.local_start);
        let close = midnight
            .checked_add_signed(window.end_since_midnight())
            .map_or(self.local_end, |close| close.min(self.local_end));
        (open < close).then(|| (open - self.offset, close - self.offset))
    }
}

fn offset_at(tz: Tz, utc: NaiveDateTime) -> TimeDelta {
    let seconds = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    TimeDelta::seconds(seconds.into())
}

/// The one instant in `(from, to]` at which the offset stops being `offset`. Offsets change
/// on whole seconds, so bisecting over seconds finds it exactly.
fn offset_change(tz: Tz, from: NaiveDateTime, to: NaiveDateTime, offset: TimeDelta) -> Option<NaiveDateTime> {
    let mut same = from.and_utc().timestamp();
    let mut changed = to.and_utc().timestamp();
    while changed - same > 1 {
        let mid = same + (changed - same) / 2;
        let at = chrono::DateTime::from_timestamp(mid, 0)?.naive_utc();
        if offset_at(tz, at) == offset {
            same = mid;
        } else {
            changed = mid;
        }
    }
    Some(chrono::DateTime::from_timestamp(changed, 0)?.naive_utc())
}

/// Iterator over the open `[open, close)` UTC intervals from `from` until `until`, both clipped.
/// Intervals are disjoint and increasing but may touch (adjacent windows, chunk boundaries).
pub(crate) struct OpenIntervals<'a> {
    calendar: &'a BusinessCalendar,
    until: NaiveDateTime,
    /// `None` once exhausted.
    chunk: Option<Chunk>,
    /// Local date being walked within the chunk, its windows, and the next one to look at.
    date: NaiveDate,
    windows: &'a [Window],
    window: usize,
}

impl<'a> OpenIntervals<'a> {
    pub(crate) fn new(calendar: &'a BusinessCalendar, from: NaiveDateTime, until: NaiveDateTime) -> Self {
        let chunk = (from < until).then(|| Chunk::starting_at(calendar.tz(), from)).flatten();
        let mut walk = Self { calendar, until, chunk, date: NaiveDate::MIN, windows: &[], window: 0 };
        if let Some(chunk) = chunk {
            walk.enter_date(chunk.local_start.date());
        }
        walk
    }

    fn next_date(&mut self) {
        match self.date.succ_opt() {
            Some(next) => self.enter_date(next),
            None => self.chunk = None,
        }
    }

    fn enter_date(&mut self, date: NaiveDate) {
        self.date = date;
        self.windows = self.calendar.windows_on(date);
        self.window = 0;
    }

    /// Moves on to the chunk after the current one, if it starts before `until`.
    fn next_chunk(&mut self, current: Chunk) {
        self.chunk = (current.end < self.until).then(|| Chunk::starting_at(self.calendar.tz(), current.end)).flatten();
        if let Some(chunk) = self.chunk {
            self.enter_date(chunk.local_start.date());
        }
    }
}

impl Iterator for OpenIntervals<'_> {
    type Item = (NaiveDateTime, NaiveDateTime);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let chunk = self.chunk?;
            let midnight = self.date.and_time(NaiveTime::MIN);
            if midnight >= chunk.local_end {
                self.next_chunk(chunk);
                continue;
            }
            let Some(&window) = self.windows.get(self.window) else {
                self.next_date();
                continue;
            };
            self.window += 1;
            let Some((open, close)) = chunk.instants_within(midnight, window) else {
                continue;
            };
            if open >= self.until {
                self.chunk = None;
                return None;
            }
            return Some((open, close.min(self.until)));
        }
    }
}

/// Joins intervals of an increasing sequence that touch end to start.
pub(crate) struct Touching<I: Iterator<Item = (NaiveDateTime, NaiveDateTime)>> {
    inner: std::iter::Peekable<I>,
}

impl<I: Iterator<Item = (NaiveDateTime, NaiveDateTime)>> Touching<I> {
    pub(crate) fn new(inner: I) -> Self {
        Self { inner: inner.peekable() }
    }
}

impl<I: Iterator<Item = (NaiveDateTime, NaiveDateTime)>> Iterator for Touching<I> {
    type Item = (NaiveDateTime, NaiveDateTime);

    fn next(&mut self) -> Option<Self::Item> {
        let (open, mut close) = self.inner.next()?;
        while let Some(&(next_open, next_close)) = self.inner.peek() {
            if next_open != close {
                break;
            }
            close = next_close;
            self.inner.next();
        }
        Some((open, close))
    }
}
