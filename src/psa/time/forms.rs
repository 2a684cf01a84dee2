//! The time entry form (on a ticket, on the timesheet, when editing an entry): a date, then either a start and
//! an end time or a duration, notes, billable. Times are read in the MSP's timezone.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::billing::models::WorkType;
use crate::web::forms::FieldErrors;

/// The longest entry: a day.
pub const MAX_MINUTES: i32 = 24 * 60;
const MAX_NOTES: usize = 2000;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub work_date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub billable: Option<String>,
    /// The client (timesheet entries only; on a ticket the ticket's organization is the client).
    #[serde(default)]
    pub client: String,
    /// A client's name typed instead of choosing one (the timesheet lists only recent clients when there are many).
    #[serde(default)]
    pub client_name: String,
    /// A work type id of the MSP, or empty (billed as the default work type).
    #[serde(default)]
    pub work_type: String,
}

/// A valid entry, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidEntry {
    pub work_date: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub minutes: i32,
    pub notes: String,
    pub billable: bool,
    /// Set by the handler once the form's work type is found among the MSP's (`with_work_type`).
    pub work_type: Option<crate::db::ids::WorkTypeId>,
}

impl EntryForm {
    /// A blank form for today, billable, with the MSP's default work type chosen (of `work_types`, the ones
    /// the form offers).
    pub fn today(today: NaiveDate, work_types: &[WorkType]) -> EntryForm {
        let work_type = work_types.iter().find(|w| w.is_default).map(|w| w.id.to_string()).unwrap_or_default();
        EntryForm { work_date: today.to_string(), billable: Some("1".into()), work_type, ..Default::default() }
    }

    pub fn is_billable(&self) -> bool {
        self.billable.is_some()
    }

    /// Checks the form; errors go next to their fields.
    pub fn validate(&self, tz: Tz, errors: &mut FieldErrors) -> Option<ValidEntry> {
        let work_date = NaiveDate::parse_from_str(self.work_date.trim(), "%Y-%m-%d").ok();
        if work_date.is_none() {
            errors.add("work_date", "Enter the date as YYYY-MM-DD.");
        }
        let start = time_field(errors, "start", &self.start);
        let end = time_field(errors, "end", &self.end);
        let minutes = match (start, end, self.duration.trim()) {
            (Some(Some(start)), Some(Some(end)), _) if end > start => Some((end - start).num_minutes() as i32),
            (Some(Some(_)), Some(Some(_)), _) => {
                errors.add("end", "The end must be after the start (an entry stays within one day).");
                None
            }
            (_, Some(Some(_)), "") => {
                errors.add("start", "Enter the start time too, or a duration instead.");
                None
            }
            (Some(_), Some(_), "") => {
                errors.add("duration", "Enter a duration (such as 1:30 or 45), or a start and an end time.");
                None
            }
            (_, _, text) if !text.is_empty() => {
                let minutes = parse_duration(text);
                if minutes.is_none() {
                    errors.add("duration", "Enter the duration as hours:minutes (1:30) or minutes (45), up to 24:00.");
                }
                minutes
            }
            _ => None,
        };
        let notes = self.notes.trim().to_string();
        if notes.chars().count() > MAX_NOTES {
            errors.add("notes", format!("Notes must be at most {MAX_NOTES} characters."));
        }
        let (work_date, minutes) = (work_date?, minutes?);
        if !errors.is_empty() {
            return None;
        }
        let started_at = start.flatten().map(|t| crate::psa::time::models::utc_of(work_date.and_time(t), tz));
        Some(ValidEntry { work_date, started_at, minutes, notes, billable: self.is_billable(), work_type: None })
    }
}

/// The form's work type among the MSP's (`types`): None for none chosen, an error when it is not one of them.
pub fn work_type_of(
    form: &EntryForm,
    types: &[WorkType],
    errors: &mut FieldErrors,
) -> Option<crate::db::ids::WorkTypeId> {
    let wanted = form.work_type.trim();
    if wanted.is_empty() {
        return None;
    }
    let found = types.iter().find(|w| w.id == wanted).map(|w| w.id.clone());
    if found.is_none() {
        errors.add("work_type", "Choose one of your work types.");
    }
    found
}

/// An optional HH:MM field: Some(None) when empty, Some(Some(time)) when valid, None (with an error) otherwise.
fn time_field(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<Option<NaiveTime>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    match NaiveTime::parse_from_str(text, "%H:%M") {
        Ok(t) => Some(Some(t)),
        Err(_) => {
            errors.add(field, "Enter the time as HH:MM (24-hour clock).");
            None
        }
    }
}

/// "1:30" (hours:minutes) or "45" (minutes) as minutes, from 1 to a day.
pub fn parse_duration(text: &str) -> Option<i32> {
    let minutes = match text.trim().split_once(':') {
        Some((h, m)) if m.len() == 2 => {
            let (h, m) = (h.trim().parse::<i32>().ok()?, m.parse::<i32>().ok()?);
            if !(0..60).contains(&m) || !(0..=24).contains(&h) {
                return None;
            }
            h * 60 + m
        }
        Some(_) => return None,
        None => text.trim().parse::<i32>().ok()?,
    };
    (1..=MAX_MINUTES).contains(&minutes).then_some(minutes)
}

/// "1:30" from 90 minutes.
pub fn hours_minutes(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(date: &str, start: &str, end: &str, duration: &str) -> EntryForm {
        EntryForm {
            work_date: date.into(),
            start: start.into(),
            end: end.into(),
            duration: duration.into(),
            ..Default::default()
        }
    }

    #[test]
    fn durations_read_as_hours_and_minutes_or_minutes() {
        assert_eq!(parse_duration("1:30"), Some(90));
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration("24:00"), Some(1440));
        for bad in ["0", "0:00", "1:60", "24:01", "1:5", "abc", "-5", "1.5"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(hours_minutes(90), "1:30");
        assert_eq!(hours_minutes(5), "0:05");
    }

    #[test]
    fn start_and_end_or_a_duration() {
        let mut errors = FieldErrors::default();
        let valid = form("2026-11-30", "09:15", "10:45", "").validate(chrono_tz::UTC, &mut errors).unwrap();
        assert_eq!(valid.minutes, 90);
        assert_eq!(valid.started_at.unwrap().to_string(), "2026-11-30 09:15:00");
        let valid = form("2026-11-30", "", "", "0:20").validate(chrono_tz::UTC, &mut errors).unwrap();
        assert_eq!((valid.minutes, valid.started_at), (20, None));
        // A start with a duration: the start is kept.
        let valid = form("2026-11-30", "08:00", "", "30").validate(chrono_tz::Europe::Paris, &mut errors).unwrap();
        assert_eq!(valid.started_at.unwrap().to_string(), "2026-11-30 07:00:00");
        assert!(errors.is_empty());
        for (f, field) in [
            (form("30/11/2026", "", "", "30"), "work_date"),
            (form("2026-11-30", "10:00", "09:00", ""), "end"),
            (form("2026-11-30", "", "", ""), "duration"),
            (form("2026-11-30", "", "10:00", ""), "start"),
            (form("2026-11-30", "9am", "", "30"), "start"),
        ] {
            let mut errors = FieldErrors::default();
            assert!(f.validate(chrono_tz::UTC, &mut errors).is_none(), "{f:?}");
            assert!(errors.has(field), "{f:?}: {errors:?}");
        }
    }
}
