//! A ticket's SLA clocks, pure: from the ticket's facts (when each target started and was met, the pauses, the
//! business time used under earlier policies) and the policy in force, the due instant of each target and the
//! instant any share of it is reached (escalations). No database here; `track` stores what this computes.
//!
//! A change of policy or priority starts a new segment: the time a target used until then is kept (measured on
//! the calendar that applied then), and the rest of the target runs from the change on the new calendar, so
//! neither used nor paused time is ever lost. Within a segment every instant is computed from the segment's
//! start with the engine's `due_at`, the pauses excluded.

use chrono::{DateTime, TimeDelta, Utc};

use super::spec::{PriorityTargets, Target};
use crate::psa::sla::{BusinessCalendar, Pause, due_at, elapsed};

crate::text_enum! {
    /// The three targets of a ticket.
    pub enum TargetKind {
        FirstResponse = "first_response",
        NextResponse = "next_response",
        Resolution = "resolution",
    }
}

impl TargetKind {
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::FirstResponse => "First response",
            TargetKind::NextResponse => "Next response",
            TargetKind::Resolution => "Resolution",
        }
    }
}

/// Business time each target used before the current segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Used {
    pub first_response: TimeDelta,
    pub next_response: TimeDelta,
    pub resolution: TimeDelta,
}

impl Used {
    pub fn of(&self, kind: TargetKind) -> TimeDelta {
        match kind {
            TargetKind::FirstResponse => self.first_response,
            TargetKind::NextResponse => self.next_response,
            TargetKind::Resolution => self.resolution,
        }
    }

    pub fn set(&mut self, kind: TargetKind, value: TimeDelta) {
        match kind {
            TargetKind::FirstResponse => self.first_response = value,
            TargetKind::NextResponse => self.next_response = value,
            TargetKind::Resolution => self.resolution = value,
        }
    }
}

/// The facts of one ticket's SLA.
#[derive(Clone, Debug)]
pub struct TicketClocks<'a> {
    /// Business hours of the policy (targets not around the clock run on it).
    pub business: &'a BusinessCalendar,
    /// Around the clock, in the same timezone.
    pub always: &'a BusinessCalendar,
    pub targets: PriorityTargets,
    pub created_at: DateTime<Utc>,
    pub segment_start: DateTime<Utc>,
    pub used: Used,
    /// Spans the clocks stood still (pausing statuses, resolved and closed); the last may be open.
    pub pauses: &'a [Pause],
    pub first_responded_at: Option<DateTime<Utc>>,
    /// The running next-response cycle (a requester's message after a staff reply), if any.
    pub next_response_started_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl TicketClocks<'_> {
    fn target(&self, kind: TargetKind) -> Option<Target> {
        match kind {
            TargetKind::FirstResponse => self.targets.first_response,
            TargetKind::NextResponse => self.targets.next_response,
            TargetKind::Resolution => self.targets.resolution,
        }
    }

    fn calendar(&self, target: &Target) -> &BusinessCalendar {
        if target.around_the_clock { self.always } else { self.business }
    }

    /// When the target's clock started, if it runs (started and not met).
    pub fn running_since(&self, kind: TargetKind) -> Option<DateTime<Utc>> {
        self.target(kind)?;
        match kind {
            TargetKind::FirstResponse => self.first_responded_at.is_none().then_some(self.created_at),
            TargetKind::NextResponse => self.next_response_started_at,
            TargetKind::Resolution => self.resolved_at.is_none().then_some(self.created_at),
        }
    }

    /// Where the current segment's count starts for a target started at `started`, and what it had used.
    fn base(&self, kind: TargetKind, started: DateTime<Utc>) -> (DateTime<Utc>, TimeDelta) {
        if started < self.segment_start {
            (self.segment_start, self.used.of(kind))
        } else {
            (started, TimeDelta::zero())
        }
    }

    /// The instant at which `share` (per mille) of the target is used; None when the target does not run or its
    /// clock stands still now (due unknown until it resumes). An instant already past is returned as is.
    pub fn at_share(&self, kind: TargetKind, per_mille: i64) -> Option<DateTime<Utc>> {
        let target = self.target(kind)?;
        let started = self.running_since(kind)?;
        let (base, used) = self.base(kind, started);
        let wanted = target.duration() * i32::try_from(per_mille).ok()? / 1000;
        let remaining = wanted - used;
        if remaining <= TimeDelta::zero() {
            // Already used up under an earlier policy: it happened at the segment's start at the latest.
            return Some(base);
        }
        due_at(self.calendar(&target), base, remaining, self.pauses)
    }

    /// The target's due instant (all of it used).
    pub fn due(&self, kind: TargetKind) -> Option<DateTime<Utc>> {
        self.at_share(kind, 1000)
    }

    /// Business (or wall, for 24x7 targets) time the target has used by `now`, across segments.
    pub fn used_by(&self, kind: TargetKind, now: DateTime<Utc>) -> TimeDelta {
        let (Some(target), Some(started)) = (self.target(kind), self.running_since(kind)) else {
            return TimeDelta::zero();
        };
        let (base, used) = self.base(kind, started);
        used + elapsed(self.calendar(&target), base, self.pauses, now)
    }

    /// Time left before the due instant, counted the target's way (business hours, or wall time for 24x7).
    pub fn left(&self, kind: TargetKind, now: DateTime<Utc>) -> Option<TimeDelta> {
        let target = self.target(kind)?;
        self.running_since(kind)?;
        Some(target.duration() - self.used_by(kind, now))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone, Weekday};

    use super::*;

    fn office() -> BusinessCalendar {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
            .into_iter()
            .fold(BusinessCalendar::new(chrono_tz::UTC), |c, d| c.with_window(d, t(9), t(17)).unwrap())
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn targets(hours: i64) -> PriorityTargets {
        let t = Some(Target { minutes: hours * 60, around_the_clock: false });
        PriorityTargets { first_response: t, next_response: t, resolution: t }
    }

    fn clocks<'a>(cal: &'a BusinessCalendar, always: &'a BusinessCalendar, pauses: &'a [Pause]) -> TicketClocks<'a> {
        TicketClocks {
            business: cal,
            always,
            targets: targets(8),
            created_at: at(5, 13), // Thursday 13:00
            segment_start: at(5, 13),
            used: Used::default(),
            pauses,
            first_responded_at: None,
            next_response_started_at: None,
            resolved_at: None,
        }
    }

    #[test]
    fn a_pause_over_the_weekend_moves_the_due_instant_by_business_time_only() {
        let (cal, always) = (office(), BusinessCalendar::always_open(chrono_tz::UTC));
        let none = clocks(&cal, &always, &[]);
        // 4h on Thursday, 4h on Friday.
        assert_eq!(none.due(TargetKind::Resolution), Some(at(6, 13)));
        // Paused from Friday 10:00 to Monday 10:00: 5 hours used before, the 3 left run from Monday 10:00.
        let pauses = [(at(6, 10), Some(at(9, 10)))];
        let paused = clocks(&cal, &always, &pauses);
        assert_eq!(paused.due(TargetKind::Resolution), Some(at(9, 13)));
        assert_eq!(paused.at_share(TargetKind::Resolution, 750), Some(at(9, 11)));
        // Still paused: no due instant until it resumes.
        let open = [(at(6, 10), None)];
        assert_eq!(clocks(&cal, &always, &open).due(TargetKind::Resolution), None);
    }

    #[test]
    fn a_new_segment_keeps_the_time_already_used() {
        let (cal, always) = (office(), BusinessCalendar::always_open(chrono_tz::UTC));
        let before = clocks(&cal, &always, &[]);
        // At Friday 10:00, 5 business hours are used; the priority goes to a 24x7 target of 6 hours.
        let change = at(6, 10);
        let used = before.used_by(TargetKind::Resolution, change);
        assert_eq!(used, TimeDelta::hours(5));
        let mut after = clocks(&cal, &always, &[]);
        after.segment_start = change;
        after.used.set(TargetKind::Resolution, used);
        after.targets.resolution = Some(Target { minutes: 360, around_the_clock: true });
        assert_eq!(after.due(TargetKind::Resolution), Some(at(6, 11)));
        // A target smaller than what was used is due at the change at the latest.
        after.targets.resolution = Some(Target { minutes: 60, around_the_clock: false });
        assert_eq!(after.due(TargetKind::Resolution), Some(change));
    }

    #[test]
    fn met_targets_and_targets_not_set_have_no_due_instant() {
        let (cal, always) = (office(), BusinessCalendar::always_open(chrono_tz::UTC));
        let mut c = clocks(&cal, &always, &[]);
        c.first_responded_at = Some(at(5, 14));
        assert_eq!(c.due(TargetKind::FirstResponse), None);
        assert_eq!(c.due(TargetKind::NextResponse), None, "no customer message waiting");
        c.next_response_started_at = Some(at(5, 15));
        assert_eq!(c.due(TargetKind::NextResponse), Some(at(6, 15)));
        c.targets.next_response = None;
        assert_eq!(c.due(TargetKind::NextResponse), None);
    }
}
