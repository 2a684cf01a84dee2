//! What an SLA policy says, as stored (JSON in `sla_policies`) and as edited: the business calendar (weekly
//! windows, holidays, yearly holidays) and the targets per priority. Turning it into the engine's
//! `BusinessCalendar` reports the engine's `CalendarError` messages per field.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, TimeDelta, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::psa::sla::{BusinessCalendar, CalendarError};
use crate::psa::tickets::models::Priority;

pub const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

pub fn day_name(day: Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day.num_days_from_monday() as usize]
}

/// The form field of a weekday's windows ("hours_mon").
pub fn day_field(day: Weekday) -> &'static str {
    ["hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun"]
        [day.num_days_from_monday() as usize]
}

/// A business calendar as stored: windows per weekday ("09:00"–"17:00", "24:00" for midnight), one-off
/// holidays ("2026-12-25") and yearly ones ("12-25").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// Monday first.
    pub week: Vec<Vec<(String, String)>>,
    #[serde(default)]
    pub holidays: Vec<String>,
    #[serde(default)]
    pub yearly: Vec<String>,
}

/// A calendar that cannot be built: the form field and the message to show next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub field: &'static str,
    pub message: String,
}

fn time(text: &str) -> Option<Option<NaiveTime>> {
    let text = text.trim();
    if text == "24:00" {
        return Some(None);
    }
    NaiveTime::parse_from_str(text, "%H:%M").ok().map(Some)
}

impl CalendarSpec {
    /// Monday to Friday, 09:00 to 17:00.
    pub fn office_hours() -> CalendarSpec {
        let day = vec![("09:00".to_string(), "17:00".to_string())];
        CalendarSpec {
            week: (0..7).map(|i| if i < 5 { day.clone() } else { Vec::new() }).collect(),
            ..Default::default()
        }
    }

    /// The weekday's windows as the form shows them: "09:00-12:00, 13:00-17:00".
    pub fn day_text(&self, day: Weekday) -> String {
        let windows = self.week.get(day.num_days_from_monday() as usize).cloned().unwrap_or_default();
        windows.iter().map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>().join(", ")
    }

    /// The engine's calendar in `tz`, or the first problem with the field it belongs to.
    pub fn build(&self, tz: Tz) -> Result<BusinessCalendar, SpecError> {
        let mut cal = BusinessCalendar::new(tz);
        for (i, day) in WEEKDAYS.into_iter().enumerate() {
            let field = day_field(day);
            for (start, end) in self.week.get(i).cloned().unwrap_or_default() {
                let bad = || SpecError {
                    field,
                    message: format!("Write {} hours like 09:00-17:00 (24:00 for midnight).", day_name(day)),
                };
                let start = time(&start).flatten().ok_or_else(bad)?;
                let built = match time(&end).ok_or_else(bad)? {
                    Some(end) => cal.with_window(day, start, end),
                    None => cal.with_window_until_midnight(day, start),
                };
                cal = built.map_err(|e: CalendarError| SpecError { field, message: e.to_string() })?;
            }
        }
        for text in &self.holidays {
            let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| SpecError {
                field: "holidays",
                message: format!("{text} is not a date like 2026-12-25."),
            })?;
            cal = cal.with_holiday(date);
        }
        for text in &self.yearly {
            let bad = || SpecError {
                field: "yearly",
                message: format!("Write yearly holidays as month-day, like 12-25 (not {text})."),
            };
            let (month, day) = text.trim().split_once('-').ok_or_else(bad)?;
            let (month, day) = (month.parse::<u32>().map_err(|_| bad())?, day.parse::<u32>().map_err(|_| bad())?);
            cal = cal
                .with_yearly_holiday(month, day)
                .map_err(|e| SpecError { field: "yearly", message: e.to_string() })?;
        }
        if !cal.ever_opens() {
            return Err(SpecError {
                field: "hours_mon",
                message: "Open at least one window: a calendar that never opens has no due instants.".into(),
            });
        }
        Ok(cal)
    }

    /// Reads the form's texts: windows per weekday ("09:00-12:00, 13:00-17:00"), holidays one per line.
    pub fn from_form(days: [&str; 7], holidays: &str, yearly: &str) -> Result<CalendarSpec, SpecError> {
        let mut week = Vec::with_capacity(7);
        for (day, text) in WEEKDAYS.into_iter().zip(days) {
            let mut windows = Vec::new();
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let Some((start, end)) = part.split_once('-') else {
                    return Err(SpecError {
                        field: day_field(day),
                        message: format!("Write {} hours like 09:00-17:00, 18:00-20:00.", day_name(day)),
                    });
                };
                windows.push((start.trim().to_string(), end.trim().to_string()));
            }
            week.push(windows);
        }
        let lines = |text: &str| text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        Ok(CalendarSpec { week, holidays: lines(holidays), yearly: lines(yearly) })
    }
}

/// One target: how long, and whether it runs around the clock or in business hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub minutes: i64,
    #[serde(default)]
    pub around_the_clock: bool,
}

impl Target {
    pub fn duration(&self) -> TimeDelta {
        TimeDelta::minutes(self.minutes)
    }

    /// "4h", "1h 30m", "2d" of business or wall time.
    pub fn text(&self) -> String {
        let (h, m) = (self.minutes / 60, self.minutes % 60);
        let time = match (h, m) {
            (0, m) => format!("{m}m"),
            (h, 0) => format!("{h}h"),
            (h, m) => format!("{h}h {m}m"),
        };
        if self.around_the_clock { format!("{time} (24x7)") } else { time }
    }
}

/// The targets of one priority; None: no such target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTargets {
    pub first_response: Option<Target>,
    pub next_response: Option<Target>,
    pub resolution: Option<Target>,
}

/// Targets per priority id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets(pub BTreeMap<String, PriorityTargets>);

impl Targets {
    pub fn of(&self, priority: Priority) -> PriorityTargets {
        self.0.get(priority.id()).copied().unwrap_or_default()
    }

    /// A common starting point: Critical 1h / 2h / 4h (24x7), High 2h / 4h / 8h, Medium 4h / 8h / 24h, Low 8h /
    /// 16h / 40h, in business hours.
    pub fn standard() -> Targets {
        let t = |minutes: i64, around_the_clock: bool| Some(Target { minutes, around_the_clock });
        let row = |fr: i64, nr: i64, res: i64, always: bool| PriorityTargets {
            first_response: t(fr * 60, always),
            next_response: t(nr * 60, always),
            resolution: t(res * 60, always),
        };
        Targets(BTreeMap::from([
            (Priority::Critical.id().to_string(), row(1, 2, 4, true)),
            (Priority::High.id().to_string(), row(2, 4, 8, false)),
            (Priority::Medium.id().to_string(), row(4, 8, 24, false)),
            (Priority::Low.id().to_string(), row(8, 16, 40, false)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_problems_name_their_field_with_the_engines_message() {
        let spec = CalendarSpec::from_form(["09:00-17:00, 12:00-13:00", "", "", "", "", "", ""], "", "").unwrap();
        let err = spec.build(chrono_tz::UTC).unwrap_err();
        assert_eq!(err.field, "hours_mon");
        assert_eq!(err.message, "Monday 12:00–13:00 overlaps 09:00–17:00");
        let spec = CalendarSpec::from_form(["09:00-17:00", "", "", "", "", "", ""], "", "02-30").unwrap();
        assert_eq!(spec.build(chrono_tz::UTC).unwrap_err().message, "February 30 is not a date");
        let spec = CalendarSpec::from_form(["", "", "", "", "", "", ""], "", "").unwrap();
        assert_eq!(spec.build(chrono_tz::UTC).unwrap_err().field, "hours_mon");
        let spec = CalendarSpec::from_form(["", "", "", "", "", "18:00-24:00", ""], "2026-12-25", "01-01").unwrap();
        let cal = spec.build(chrono_tz::UTC).unwrap();
        assert_eq!(cal.windows(Weekday::Sat)[0].end(), None);
        assert_eq!(spec.day_text(Weekday::Sat), "18:00-24:00");
    }
}
