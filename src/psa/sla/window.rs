//! A daily business-hours window in local wall-clock time.

use std::fmt;

use chrono::{NaiveTime, TimeDelta, Timelike};

/// Local wall-clock span `[start, end)` of one day, kept as offsets from local midnight so that
/// a window may end at midnight (24:00), which `NaiveTime` cannot express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    start: TimeDelta,
    end: TimeDelta,
}

pub(crate) const WHOLE_DAY: Window = Window { start: TimeDelta::zero(), end: TimeDelta::hours(24) };

impl Window {
    /// `None` unless `start < end`. An `end` of `None` means midnight at the end of the day.
    pub(crate) fn new(start: NaiveTime, end: Option<NaiveTime>) -> Option<Self> {
        let start = since_midnight(start);
        let end = end.map_or(TimeDelta::hours(24), since_midnight);
        (start < end).then_some(Self { start, end })
    }

    /// Local time at which the window opens.
    pub fn start(&self) -> NaiveTime {
        NaiveTime::MIN + self.start
    }

    /// Local time at which the window closes; `None` when it closes at midnight (24:00).
    pub fn end(&self) -> Option<NaiveTime> {
        (self.end < TimeDelta::hours(24)).then(|| NaiveTime::MIN + self.end)
    }

    /// Time from local midnight to the opening.
    pub fn start_since_midnight(&self) -> TimeDelta {
        self.start
    }

    /// Time from local midnight to the closing (at most 24 hours).
    pub fn end_since_midnight(&self) -> TimeDelta {
        self.end
    }

    /// Length by the wall clock; on a daylight-saving change day the real length may differ.
    pub fn nominal_length(&self) -> TimeDelta {
        self.end - self.start
    }

    /// Whether the two windows share any time (touching ends do not count).
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether a local time of day, given as time since midnight, lies in `[start, end)`.
    pub(crate) fn contains(&self, since_midnight: TimeDelta) -> bool {
        self.start <= since_midnight && since_midnight < self.end
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = match self.end() {
            Some(end) => format_time(end),
            None => "24:00".to_owned(),
        };
        write!(f, "{}–{}", format_time(self.start()), end)
    }
}

/// Time since midnight. A leap second (`:60`) is read as the last instant of the `:59` second.
pub(crate) fn since_midnight(time: NaiveTime) -> TimeDelta {
    let nanos = time.nanosecond().min(999_999_999);
    TimeDelta::seconds(time.num_seconds_from_midnight().into()) + TimeDelta::nanoseconds(nanos.into())
}

/// "09:00", or "09:00:30" / "09:00:30.250" when the time has seconds.
pub(crate) fn format_time(time: NaiveTime) -> String {
    if time.nanosecond() != 0 {
        time.format("%H:%M:%S%.f").to_string()
    } else if time.second() != 0 {
        time.format("%H:%M:%S").to_string()
    } else {
        time.format("%H:%M").to_string()
    }
}
