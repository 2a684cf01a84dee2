//! Weekly timesheets: one person's week (days x clients) with their entries, and the manager's view of
//! everyone's week (days x people). Billable and non-billable totals per row and for the week. A fixed number
//! of statements whatever the number of entries.

use chrono::{Datelike, Duration, NaiveDate};

use super::forms::hours_minutes;
use super::models::EntryRow;

/// The week a timesheet shows: Monday to Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    pub monday: NaiveDate,
}

impl Week {
    /// The week of `?week=` (any day of it), else the week of `today`.
    pub fn of(query: Option<&str>, today: NaiveDate) -> Week {
        let day = query.and_then(|q| NaiveDate::parse_from_str(q.trim(), "%Y-%m-%d").ok()).unwrap_or(today);
        Week { monday: day - Duration::days(day.weekday().num_days_from_monday().into()) }
    }
    pub fn sunday(&self) -> NaiveDate {
        self.monday + Duration::days(6)
    }
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..7).map(|i| self.monday + Duration::days(i)).collect()
    }
    pub fn previous(&self) -> NaiveDate {
        self.monday - Duration::days(7)
    }
    pub fn next(&self) -> NaiveDate {
        self.monday + Duration::days(7)
    }
    /// "23–29 Nov 2026".
    pub fn title(&self) -> String {
        let sunday = self.sunday();
        if self.monday.month() == sunday.month() {
            format!("{}–{}", self.monday.format("%-d"), sunday.format("%-d %b %Y"))
        } else {
            format!("{} – {}", self.monday.format("%-d %b"), sunday.format("%-d %b %Y"))
        }
    }
}

/// "Mon 23".
pub fn day_label(day: &NaiveDate) -> String {
    day.format("%a %-d").to_string()
}

/// One row of the grid: a client (a person's timesheet) or a person (the manager's view).
#[derive(Clone, Debug, Default)]
pub struct GridRow {
    pub key: String,
    pub label: String,
    /// Minutes per day, Monday first.
    pub days: [i64; 7],
    pub billable: i64,
    pub non_billable: i64,
}

impl GridRow {
    pub fn total(&self) -> i64 {
        self.billable + self.non_billable
    }
    /// Each day as "1:30", empty for nothing.
    pub fn cells(&self) -> Vec<String> {
        self.days.iter().map(|m| if *m == 0 { String::new() } else { hours_minutes(*m) }).collect()
    }
    /// Each day as "1:30", "0:00" for nothing (the totals row).
    pub fn sums(&self) -> Vec<String> {
        self.days.iter().map(|m| hours_minutes(*m)).collect()
    }
    pub fn billable_text(&self) -> String {
        hours_minutes(self.billable)
    }
    pub fn non_billable_text(&self) -> String {
        hours_minutes(self.non_billable)
    }
    pub fn total_text(&self) -> String {
        hours_minutes(self.total())
    }
}

#[derive(Clone, Debug, Default)]
pub struct Grid {
    pub rows: Vec<GridRow>,
    pub totals: GridRow,
}

impl Grid {
    /// Sums the week's entries into rows keyed by `key` (id, label); rows in label order.
    pub fn of(week: &Week, entries: &[EntryRow], key: impl Fn(&EntryRow) -> (String, String)) -> Grid {
        let mut grid = Grid::default();
        for entry in entries {
            let Ok(date) = NaiveDate::parse_from_str(&entry.work_date, "%Y-%m-%d") else { continue };
            let day = (date - week.monday).num_days();
            if !(0..7).contains(&day) {
                continue;
            }
            let (id, label) = key(entry);
            let index = match grid.rows.iter().position(|r| r.key == id) {
                Some(i) => i,
                None => {
                    grid.rows.push(GridRow { key: id, label, ..Default::default() });
                    grid.rows.len() - 1
                }
            };
            for row in [&mut grid.rows[index], &mut grid.totals] {
                row.days[day as usize] += i64::from(entry.minutes);
                if entry.billable {
                    row.billable += i64::from(entry.minutes);
                } else {
                    row.non_billable += i64::from(entry.minutes);
                }
            }
        }
        grid.rows.sort_by_key(|row| row.label.to_lowercase());
        grid
    }

    /// Adds an empty row for each (id, label) not in the grid yet (people who logged nothing this week).
    pub fn with_rows(mut self, all: impl IntoIterator<Item = (String, String)>) -> Grid {
        for (key, label) in all {
            if !self.rows.iter().any(|r| r.key == key) {
                self.rows.push(GridRow { key, label, ..Default::default() });
            }
        }
        self.rows.sort_by_key(|row| row.label.to_lowercase());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(Week::of(None, today).monday.to_string(), "2026-11-30");
        let week = Week::of(Some("2026-11-29"), today);
        assert_eq!(week.monday.to_string(), "2026-11-23");
        assert_eq!(week.title(), "23–29 Nov 2026");
        assert_eq!(Week::of(Some("2026-12-02"), today).title(), "30 Nov – 6 Dec 2026");
        assert_eq!(Week::of(Some("nonsense"), today).monday.to_string(), "2026-11-30");
    }
}
