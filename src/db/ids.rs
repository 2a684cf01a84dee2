//! Ids and clocks: UUID v7 strings made in the application (time-ordered, so indexes stay local), UTC times.

use chrono::{NaiveDateTime, Utc};

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, in UTC, truncated to microseconds so it round-trips through both backends unchanged.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond_micro()
}

trait MicroTruncate {
    fn with_nanosecond_micro(self) -> Self;
}

impl MicroTruncate for NaiveDateTime {
    fn with_nanosecond_micro(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}
