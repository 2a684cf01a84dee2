//! The SLA policy form: name, timezone, weekly hours, holidays, targets per priority, pausing statuses.

use std::collections::BTreeMap;

use super::clocks::TargetKind;
use super::spec::{CalendarSpec, PriorityTargets, Target, Targets, WEEKDAYS, day_field};
use crate::psa::tickets::models::{Priority, TicketStatus};
use crate::web::forms::{self, FieldErrors};

/// The form as typed (every field kept when it comes back with errors).
#[derive(Clone, Debug, Default)]
pub struct PolicyForm {
    pub fields: BTreeMap<String, String>,
}

/// A valid policy.
pub struct ValidPolicy {
    pub name: String,
    pub timezone: String,
    pub spec: CalendarSpec,
    pub targets: Targets,
    pub pause_statuses: Vec<TicketStatus>,
    pub is_default: bool,
    pub enabled: bool,
}

pub fn target_field(priority: Priority, kind: TargetKind) -> String {
    format!("{}_{}", priority.id(), kind.id())
}

/// "4h", "90m", "1h 30m" as minutes.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim().to_lowercase().replace(' ', "");
    if text.is_empty() {
        return None;
    }
    let mut total = 0i64;
    let mut number = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' if !number.is_empty() => {
                let n: i64 = number.parse().ok()?;
                total = total.checked_add(if c == 'h' { n.checked_mul(60)? } else { n })?;
                number.clear();
            }
            _ => return None,
        }
    }
    (number.is_empty() && total > 0 && total <= 366 * 24 * 60).then_some(total)
}

/// "4h", "1h 30m", "45m".
pub fn duration_text(minutes: i64) -> String {
    Target { minutes, around_the_clock: false }.text()
}

impl PolicyForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> PolicyForm {
        let mut fields = BTreeMap::new();
        for (k, v) in pairs {
            let entry: &mut String = fields.entry(k.clone()).or_default();
            if k == "pause" && !entry.is_empty() {
                entry.push(' ');
            }
            entry.push_str(v);
        }
        PolicyForm { fields }
    }

    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub fn pauses(&self, status: &TicketStatus) -> bool {
        self.get("pause").split_whitespace().any(|s| s == status.id())
    }

    /// A form filled from a stored (or new) policy.
    pub fn of(
        name: &str,
        timezone: &str,
        spec: &CalendarSpec,
        targets: &Targets,
        pauses: &[TicketStatus],
        is_default: bool,
        enabled: bool,
    ) -> PolicyForm {
        let mut fields = BTreeMap::new();
        fields.insert("name".into(), name.to_string());
        fields.insert("timezone".into(), timezone.to_string());
        for day in WEEKDAYS {
            fields.insert(day_field(day).into(), spec.day_text(day));
        }
        fields.insert("holidays".into(), spec.holidays.join("\n"));
        fields.insert("yearly".into(), spec.yearly.join("\n"));
        for priority in Priority::ALL {
            let t = targets.of(priority);
            for (kind, target) in [
                (TargetKind::FirstResponse, t.first_response),
                (TargetKind::NextResponse, t.next_response),
                (TargetKind::Resolution, t.resolution),
            ] {
                if let Some(target) = target {
                    fields.insert(target_field(priority, kind), duration_text(target.minutes));
                    if target.around_the_clock {
                        fields.insert(format!("{}_24x7", target_field(priority, kind)), "1".into());
                    }
                }
            }
        }
        fields.insert("pause".into(), pauses.iter().map(|s| s.id()).collect::<Vec<_>>().join(" "));
        if is_default {
            fields.insert("is_default".into(), "1".into());
        }
        if enabled {
            fields.insert("enabled".into(), "1".into());
        }
        PolicyForm { fields }
    }

    pub fn validate(&self, errors: &mut FieldErrors) -> Option<ValidPolicy> {
        let name = forms::required(errors, "name", self.get("name"), "Name", 80);
        let timezone = forms::timezone(errors, "timezone", self.get("timezone"));
        let days: [&str; 7] = std::array::from_fn(|i| self.get(day_field(WEEKDAYS[i])));
        let spec = match CalendarSpec::from_form(days, self.get("holidays"), self.get("yearly")) {
            Ok(spec) => {
                if let Ok(tz) = timezone.parse()
                    && let Err(e) = spec.build(tz)
                {
                    errors.add(e.field, e.message);
                }
                Some(spec)
            }
            Err(e) => {
                errors.add(e.field, e.message);
                None
            }
        };
        let mut targets = BTreeMap::new();
        for priority in Priority::ALL {
            let mut row = PriorityTargets::default();
            for kind in TargetKind::ALL {
                let field = target_field(priority, kind);
                let text = self.get(&field);
                let target = if text.trim().is_empty() {
                    None
                } else if let Some(minutes) = parse_duration(text) {
                    Some(Target { minutes, around_the_clock: self.checked(&format!("{field}_24x7")) })
                } else {
                    errors.add(leak(field), "Write a time like 4h, 90m or 1h 30m (at most a year), or leave it empty.");
                    None
                };
                match kind {
                    TargetKind::FirstResponse => row.first_response = target,
                    TargetKind::NextResponse => row.next_response = target,
                    TargetKind::Resolution => row.resolution = target,
                }
            }
            targets.insert(priority.id().to_string(), row);
        }
        let pause_statuses = TicketStatus::UNRESOLVED.into_iter().filter(|s| self.pauses(s)).collect();
        let spec = spec?;
        errors.is_empty().then(|| ValidPolicy {
            name,
            timezone,
            spec,
            targets: Targets(targets),
            pause_statuses,
            is_default: self.checked("is_default"),
            enabled: self.checked("enabled"),
        })
    }
}

/// Field names of the targets are made at run time; `FieldErrors` keys are static. There are 12 of them.
fn leak(field: String) -> &'static str {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        Priority::ALL
            .into_iter()
            .flat_map(|p| TargetKind::ALL.into_iter().map(move |k| &*Box::leak(target_field(p, k).into_boxed_str())))
            .collect()
    });
    names.iter().copied().find(|n| *n == field).unwrap_or("targets")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("4h"), Some(240));
        assert_eq!(parse_duration("1h 30m"), Some(90));
        assert_eq!(parse_duration(" 45M "), Some(45));
        for bad in ["", "4", "h", "0m", "4d", "-1h", "99999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(duration_text(90), "1h 30m");
    }
}
