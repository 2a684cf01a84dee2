//! SLA clock: business-hours calendars and the due instants of SLA targets, exact to the
//! nanosecond.
//!
//! A [`BusinessCalendar`] says when a business is open: weekly windows of local wall-clock time in
//! a time zone, minus holidays. [`due_at`] and [`elapsed`] run an SLA target's clock on it, with
//! pauses (a ticket waiting on the customer).
//!
//! Rules where daylight saving makes a choice:
//! - An instant is open when its local time lies in `[start, end)` of a window of its local
//!   weekday and its local date is no holiday. So a window boundary that falls in a DST gap takes
//!   effect at the first instant whose local time is later (the end of the gap), and a window
//!   overlapping a repeated (fold) hour is open during both passes of it.
//! - A local date that does not exist at all (Samoa skipped 2011-12-30) has no open time.
//! - The offsets are chrono-tz's: after its last listed transition (2099 in tzdb 2025) a zone
//!   keeps the offset it has then.
//!
//! Cost is proportional to the days spanned (see `timeline`), never to minutes.

mod calendar;
mod clock;
mod error;
mod timeline;
mod window;

#[cfg(test)]
mod tests;

pub use calendar::BusinessCalendar;
pub use clock::{Pause, due_at, elapsed};
pub use error::CalendarError;
pub use window::Window;
