//! Business calendar: a time zone, weekly local windows and closed local dates.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::error::CalendarError;
use super::timeline::{OpenIntervals, Touching};
use super::window::{WHOLE_DAY, Window, since_midnight};

/// When a business is open, as a set of UTC instants.
///
/// An instant is open when its local wall-clock time (in `tz`) falls in `[start, end)` of one of
/// the windows set for its local weekday, and its local date is not a holiday. Daylight-saving
/// changes are therefore honoured to the second: nonexistent local times are never open and a
/// repeated local hour inside a window is open twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Indexed by `Weekday::num_days_from_monday`, each sorted by start.
    week: [Vec<Window>; 7],
    holidays: BTreeSet<NaiveDate>,
    yearly_holidays: YearlyDates,
}

impl BusinessCalendar {
    /// Open around the clock, every day (a 23- or 25-hour day counts its real length).
    pub fn always_open(tz: Tz) -> Self {
        let mut calendar = Self::new(tz);
        calendar.week = std::array::from_fn(|_| vec![WHOLE_DAY]);
        calendar
    }

    /// A calendar with no windows yet: it never opens.
    pub fn new(tz: Tz) -> Self {
        Self { tz, week: Default::default(), holidays: BTreeSet::new(), yearly_holidays: YearlyDates::default() }
    }

    /// Adds a window `[start, end)` on `day`; a day may have several, which must not overlap.
    pub fn with_window(self, day: Weekday, start: NaiveTime, end: NaiveTime) -> Result<Self, CalendarError> {
        let window = Window::new(start, Some(end)).ok_or(CalendarError::EmptyWindow { day, start, end })?;
        self.with(day, window)
    }

    /// Adds a window from `start` until midnight at the end of `day` (24:00), which
    /// [`with_window`](Self::with_window) cannot express; `start` 00:00 opens the whole day.
    pub fn with_window_until_midnight(self, day: Weekday, start: NaiveTime) -> Result<Self, CalendarError> {
        let window = Window::new(start, None).expect("a window from a time of day to 24:00");
        self.with(day, window)
    }

    fn with(mut self, day: Weekday, window: Window) -> Result<Self, CalendarError> {
        let windows = &mut self.week[day.num_days_from_monday() as usize];
        if let Some(&existing) = windows.iter().find(|w| w.overlaps(&window)) {
            return Err(CalendarError::OverlappingWindows { day, new: window, existing });
        }
        let at = windows.partition_point(|w| w.start_since_midnight() < window.start_since_midnight());
        windows.insert(at, window);
        Ok(self)
    }

    /// Closes that local date.
    pub fn with_holiday(mut self, date: NaiveDate) -> Self {
        self.holidays.insert(date);
        self
    }

    /// Closes that local date every year. February 29 is accepted and closes only leap years.
    pub fn with_yearly_holiday(mut self, month: u32, day: u32) -> Result<Self, CalendarError> {
        if !(1..=12).contains(&month) {
            return Err(CalendarError::NoSuchMonth { month });
        }
        // 2000 is a leap year, so every day that ever occurs in the month exists in it.
        if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
            return Err(CalendarError::NoSuchDay { month, day });
        }
        self.yearly_holidays.insert(month, day);
        Ok(self)
    }

    /// The time zone whose wall clock the windows and holidays are read in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The windows of a weekday, sorted by start.
    pub fn windows(&self, day: Weekday) -> &[Window] {
        &self.week[day.num_days_from_monday() as usize]
    }

    /// The one-off holidays, in order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// The yearly holidays as `(month, day)`, in calendar order.
    pub fn yearly_holidays(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.yearly_holidays.iter()
    }

    /// Whether a local date is closed as a one-off or yearly holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.yearly_holidays.contains(date.month(), date.day()) || self.holidays.contains(&date)
    }

    /// Whether the calendar is open at some instant after any given one.
    ///
    /// With at least one window, only holidays can keep it shut; one-off holidays are finitely
    /// many, and every month/day not closed yearly falls on every weekday over the 400-year
    /// Gregorian cycle. So it opens (again and again) unless it has no windows or every one
    /// of the 366 month/days is a yearly holiday.
    pub fn ever_opens(&self) -> bool {
        self.week.iter().any(|w| !w.is_empty()) && !self.yearly_holidays.is_every_day()
    }

    /// Whether the instant is within business hours.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let at = at.naive_utc();
        let offset = self.tz.offset_from_utc_datetime(&at).fix().local_minus_utc();
        // Local times beyond what chrono can represent are outside the calendar.
        let Some(local) = at.checked_add_signed(TimeDelta::seconds(offset.into())) else {
            return false;
        };
        let time = since_midnight(local.time());
        self.windows_on(local.date()).iter().any(|w| w.contains(time))
    }

    /// The instant at which `d` of business time has passed after `start`: a start outside hours
    /// begins counting at the next opening, and a total reached exactly at a window's end gives
    /// that end. `d <= 0` gives `start`. `None` when the calendar never opens (or the instant
    /// lies beyond what `chrono` can represent).
    pub fn add_business_time(&self, start: DateTime<Utc>, d: TimeDelta) -> Option<DateTime<Utc>> {
        if d <= TimeDelta::zero() {
            return Some(start);
        }
        if !self.ever_opens() {
            return None;
        }
        let mut remaining = d;
        for (open, close) in self.raw_intervals(start.naive_utc(), NaiveDateTime::MAX) {
            let length = close - open;
            if remaining <= length {
                return Some((open + remaining).and_utc());
            }
            remaining -= length;
        }
        None
    }

    /// Business time within `[from, to)`; zero when `to <= from`.
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        self.raw_intervals(from.naive_utc(), to.naive_utc()).map(|(open, close)| close - open).sum()
    }

    /// The open periods within `[from, to)`, in order, as `[open, close)` UTC pairs clipped to
    /// the range; periods that touch are joined.
    pub fn open_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let intervals = (from < to).then(|| self.raw_intervals(from.naive_utc(), to.naive_utc()));
        Touching::new(intervals.into_iter().flatten()).map(|(open, close)| (open.and_utc(), close.and_utc()))
    }

    /// Open intervals from `from` (clipped) until `until` (clipped), in UTC, possibly touching.
    fn raw_intervals(&self, from: NaiveDateTime, until: NaiveDateTime) -> OpenIntervals<'_> {
        OpenIntervals::new(self, from, until)
    }

    /// The windows in force on a local date: none on a holiday.
    pub(crate) fn windows_on(&self, date: NaiveDate) -> &[Window] {
        let windows = self.windows(date.weekday());
        if windows.is_empty() || self.is_holiday(date) {
            return &[];
        }
        windows
    }
}

/// A set of month/day pairs, as a bitmap for constant-time lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct YearlyDates {
    bits: [u64; 6],
}

impl YearlyDates {
    const DAYS_IN_LEAP_YEAR: u32 = 366;

    fn index(month: u32, day: u32) -> usize {
        ((month - 1) * 31 + (day - 1)) as usize
    }

    fn insert(&mut self, month: u32, day: u32) {
        let i = Self::index(month, day);
        self.bits[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, month: u32, day: u32) -> bool {
        let i = Self::index(month, day);
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (1..=12)
            .flat_map(|month| (1..=31).map(move |day| (month, day)))
            .filter(|&(month, day)| self.contains(month, day))
    }

    /// Only valid dates are ever inserted, so a full count means every date is closed.
    fn is_every_day(&self) -> bool {
        self.bits.iter().map(|b| b.count_ones()).sum::<u32>() == Self::DAYS_IN_LEAP_YEAR
    }
}
