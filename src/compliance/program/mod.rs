//! The organization's compliance program, shared by its pages: the catalog as the program reads it (`index`),
//! scoping, control statuses, the facts scores are computed from and the refresh that keeps controls and stored
//! scores in step with them (`sync`).

pub mod facts;
pub mod index;
pub mod scoping;
pub mod sync;

use chrono::{NaiveDateTime, TimeZone};

use crate::db::Day;

crate::text_enum! {
    /// Where an organization's control stands. Only an approver moves it from Ready for review to Implemented.
    pub enum ControlStatus {
        NotStarted = "not_started",
        InProgress = "in_progress",
        ReadyForReview = "ready_for_review",
        Implemented = "implemented",
        NotApplicable = "not_applicable",
    }
}

impl ControlStatus {
    pub fn label(self) -> &'static str {
        match self {
            ControlStatus::NotStarted => "Not started",
            ControlStatus::InProgress => "In progress",
            ControlStatus::ReadyForReview => "Ready for review",
            ControlStatus::Implemented => "Implemented",
            ControlStatus::NotApplicable => "Not applicable",
        }
    }

    /// The badge style of the status.
    pub fn tone(self) -> &'static str {
        match self {
            ControlStatus::NotStarted => "muted",
            ControlStatus::InProgress => "info",
            ControlStatus::ReadyForReview => "warn",
            ControlStatus::Implemented => "ok",
            ControlStatus::NotApplicable => "muted",
        }
    }

    /// The statuses someone working a control may set (Implemented comes only from an approval).
    pub const SETTABLE: [ControlStatus; 4] = [
        ControlStatus::NotStarted,
        ControlStatus::InProgress,
        ControlStatus::ReadyForReview,
        ControlStatus::NotApplicable,
    ];

    /// Still work to do: not implemented and not set aside as not applicable.
    pub fn is_open(self) -> bool {
        !matches!(self, ControlStatus::Implemented | ControlStatus::NotApplicable)
    }
}

/// The organization's calendar day at `now` (evidence expires, reviews and due dates fall due, by local days).
pub fn today(now: NaiveDateTime, tz: chrono_tz::Tz) -> Day {
    Day::from(tz.from_utc_datetime(&now).date_naive())
}

/// When the organization's next local day begins, in UTC.
pub fn next_local_midnight(now: NaiveDateTime, tz: chrono_tz::Tz) -> NaiveDateTime {
    crate::web::time::local_midnight_utc(today(now, tz).plus_days(1).date(), tz)
}

/// The request's time and the organization's day: what every program change is recorded and computed at.
#[derive(Clone, Copy, Debug)]
pub struct OrgTime {
    pub now: NaiveDateTime,
    pub today: Day,
    pub tz: chrono_tz::Tz,
}

impl OrgTime {
    pub fn of(now: NaiveDateTime, scope: &crate::auth::Scope) -> OrgTime {
        let tz = scope.org.tz();
        OrgTime { now, today: today(now, tz), tz }
    }

    /// When the organization's next local day begins (its daily work is due then).
    pub fn next_midnight(&self) -> NaiveDateTime {
        next_local_midnight(self.now, self.tz)
    }
}
