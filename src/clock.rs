//! The application's clock. Every "now" of the application comes from the `Clock` in `AppState`, so tests can
//! move time (escalations, expiries, reminders) without sleeping: `Clock::manual(start)` then `advance`.

use std::sync::{Arc, Mutex};

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// The system clock, or a manual one that tests set and advance. Cheap to clone (clones share the time).
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<NaiveDateTime>>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands still at `start` until it is set or advanced.
    pub fn manual(start: NaiveDateTime) -> Clock {
        Clock { manual: Some(Arc::new(Mutex::new(start.trunc_subsecs(6)))) }
    }

    /// Now, in UTC, truncated to microseconds so it round-trips through both backends unchanged.
    pub fn now(&self) -> NaiveDateTime {
        match &self.manual {
            None => Utc::now().naive_utc().trunc_subsecs(6),
            Some(time) => *time.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// Sets a manual clock (ignored by the system clock).
    pub fn set(&self, to: NaiveDateTime) {
        if let Some(time) = &self.manual {
            *time.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to.trunc_subsecs(6);
        }
    }

    /// Moves a manual clock forward (ignored by the system clock).
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(time) = &self.manual {
            let mut t = time.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *t += by;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_manual() { write!(f, "Clock::manual({})", self.now()) } else { f.write_str("Clock::system") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let clock = Clock::manual(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        shared.advance(chrono::Duration::hours(2));
        assert_eq!(clock.now(), start + chrono::Duration::hours(2));
        assert!(Clock::system().now() > start);
    }
}
