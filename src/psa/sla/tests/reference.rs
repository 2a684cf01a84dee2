//! A deliberately naive model of the calendar, to check the fast engine against: it reads the
//! local wall clock of every UTC minute through chrono-tz. Exact for minute-aligned windows,
//! instants and offsets (true of the zones used here in the years tested).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::psa::sla::{BusinessCalendar, Pause};

pub const MINUTE: TimeDelta = TimeDelta::minutes(1);

/// A calendar described plainly: windows as `[start, end)` minutes of the local day.
#[derive(Debug, Clone)]
pub struct Spec {
    pub tz: Tz,
    pub week: [Vec<(u32, u32)>; 7],
    pub holidays: Vec<NaiveDate>,
    pub yearly: Vec<(u32, u32)>,
}

impl Spec {
    pub fn calendar(&self) -> BusinessCalendar {
        let mut calendar = BusinessCalendar::new(self.tz);
        for (day, windows) in self.week.iter().enumerate() {
            let weekday = Weekday::try_from(day as u8).unwrap();
            for &(start, end) in windows {
                calendar = if end == 24 * 60 {
                    calendar.with_window_until_midnight(weekday, minute_of_day(start))
                } else {
                    calendar.with_window(weekday, minute_of_day(start), minute_of_day(end))
                }
                .unwrap();
            }
        }
        for &date in &self.holidays {
            calendar = calendar.with_holiday(date);
        }
        for &(month, day) in &self.yearly {
            calendar = calendar.with_yearly_holiday(month, day).unwrap();
        }
        calendar
    }

    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz);
        let date = local.date_naive();
        if self.holidays.contains(&date) || self.yearly.contains(&(date.month(), date.day())) {
            return false;
        }
        let minute = local.hour() * 60 + local.minute();
        let day = local.weekday().num_days_from_monday() as usize;
        self.week[day].iter().any(|&(s, e)| s <= minute && minute < e)
    }

    /// Open minutes in `[from, to)`; both minute-aligned.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let mut total = TimeDelta::zero();
        let mut at = from;
        while at < to {
            if self.is_open(at) {
                total += MINUTE;
            }
            at += MINUTE;
        }
        total
    }

    /// End of the `minutes`-th open minute from `start`, looking no further than `horizon`.
    pub fn add(&self, start: DateTime<Utc>, minutes: i64, horizon: TimeDelta) -> Option<DateTime<Utc>> {
        self.due(start, minutes, &[], horizon)
    }

    /// End of the `minutes`-th minute that is open and not paused.
    pub fn due(
        &self,
        start: DateTime<Utc>,
        minutes: i64,
        pauses: &[Pause],
        horizon: TimeDelta,
    ) -> Option<DateTime<Utc>> {
        if minutes <= 0 {
            return Some(start);
        }
        let mut counted = 0;
        let mut at = start;
        while at < start + horizon {
            if self.is_open(at) && !paused(pauses, at) {
                counted += 1;
                if counted == minutes {
                    return Some(at + MINUTE);
                }
            }
            at += MINUTE;
        }
        None
    }

    /// Minutes open and not paused in `[start, now)`.
    pub fn elapsed(&self, start: DateTime<Utc>, pauses: &[Pause], now: DateTime<Utc>) -> TimeDelta {
        let mut total = TimeDelta::zero();
        let mut at = start;
        while at < now {
            if self.is_open(at) && !paused(pauses, at) {
                total += MINUTE;
            }
            at += MINUTE;
        }
        total
    }
}

fn paused(pauses: &[Pause], at: DateTime<Utc>) -> bool {
    pauses.iter().any(|&(start, end)| start <= at && end.is_none_or(|end| at < end))
}

pub fn minute_of_day(minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap()
}

/// The instants in `year` at which the zone's UTC offset changes, found by scanning hours and
/// bisecting minutes (the zones used change on whole minutes).
pub fn offset_changes(tz: Tz, year: i32) -> Vec<DateTime<Utc>> {
    let offset = |at: DateTime<Utc>| {
        use chrono::Offset;
        at.with_timezone(&tz).offset().fix()
    };
    let mut changes = Vec::new();
    let mut at = NaiveDate::from_ymd_opt(year, 1, 1).unwrap().and_time(NaiveTime::MIN).and_utc();
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap().and_time(NaiveTime::MIN).and_utc();
    while at < end {
        let next = at + TimeDelta::hours(1);
        if offset(at) != offset(next) {
            let (mut same, mut changed) = (at, next);
            while changed - same > MINUTE {
                let mid = same + TimeDelta::minutes((changed - same).num_minutes() / 2);
                if offset(mid) == offset(at) {
                    same = mid;
                } else {
                    changed = mid;
                }
            }
            changes.push(changed);
        }
        at = next;
    }
    changes
}
