//! The scales a risk is rated on: likelihood and impact from 1 to 5 with the definition of each level (shown
//! next to the form and on the register), the score (likelihood x impact) and the risk level it falls in.

/// A level of a 1-5 scale: its number, name and what it means.
pub struct ScaleLevel {
    pub value: i32,
    pub name: &'static str,
    pub meaning: &'static str,
}

pub const LIKELIHOOD: [ScaleLevel; 5] = [
    ScaleLevel { value: 1, name: "Rare", meaning: "Not expected; could happen once in more than 10 years." },
    ScaleLevel { value: 2, name: "Unlikely", meaning: "Could happen once in 5 to 10 years." },
    ScaleLevel { value: 3, name: "Possible", meaning: "Could happen once in 1 to 5 years." },
    ScaleLevel { value: 4, name: "Likely", meaning: "Expected about once a year." },
    ScaleLevel { value: 5, name: "Almost certain", meaning: "Expected several times a year." },
];

pub const IMPACT: [ScaleLevel; 5] = [
    ScaleLevel { value: 1, name: "Negligible", meaning: "No service interruption or data exposure; fixed in the day." },
    ScaleLevel {
        value: 2,
        name: "Minor",
        meaning: "Brief interruption of a non-critical service; no sensitive data exposed.",
    },
    ScaleLevel {
        value: 3,
        name: "Moderate",
        meaning: "A day of disruption, or limited exposure of internal data; may need notifying a client.",
    },
    ScaleLevel {
        value: 4,
        name: "Major",
        meaning: "Days of disruption, or exposure of sensitive data; regulators or clients must be told.",
    },
    ScaleLevel {
        value: 5,
        name: "Severe",
        meaning: "Lasting loss of critical services or large breach of regulated data; threatens the business.",
    },
];

/// "4 Likely".
pub fn likelihood_label(value: i32) -> String {
    label(&LIKELIHOOD, value)
}

/// "3 Moderate".
pub fn impact_label(value: i32) -> String {
    label(&IMPACT, value)
}

fn label(scale: &[ScaleLevel; 5], value: i32) -> String {
    scale.iter().find(|l| l.value == value).map(|l| format!("{} {}", l.value, l.name)).unwrap_or_default()
}

crate::text_enum! {
    /// How serious a risk is, from its residual score (likelihood x impact): the rule `Level::of` states.
    pub enum Level {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

/// The rule, as the register states it.
pub const LEVEL_RULE: &str = "Score = likelihood × impact (1 to 25). Low: 1 to 4; Medium: 5 to 9; High: 10 to 16; \
     Critical: 20 or more. An organization's risk level is the level of its highest residual score among the risks \
     that are not closed.";

impl Level {
    pub fn of(score: i32) -> Level {
        match score {
            ..=4 => Level::Low,
            5..=9 => Level::Medium,
            10..=16 => Level::High,
            _ => Level::Critical,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "Low",
            Level::Medium => "Medium",
            Level::High => "High",
            Level::Critical => "Critical",
        }
    }

    /// The stylesheet's tone of its badge and heat-map cells.
    pub fn tone(self) -> &'static str {
        match self {
            Level::Low => "ok",
            Level::Medium => "info",
            Level::High => "warn",
            Level::Critical => "bad",
        }
    }

    /// The scores the level covers (the register's level filter).
    pub fn scores(self) -> (i32, i32) {
        match self {
            Level::Low => (1, 4),
            Level::Medium => (5, 9),
            Level::High => (10, 16),
            Level::Critical => (17, 25),
        }
    }
}

/// "$12,500.00" from cents.
pub fn money(cents: i64) -> String {
    format!("${}", crate::billing::money::format_cents(cents))
}

/// "0.25" from hundredths.
pub fn rate(hundredths: i32) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_every_score_once() {
        let levels: Vec<Level> = (1..=25).map(Level::of).collect();
        assert_eq!(
            (levels[3], levels[4], levels[8], levels[9], levels[15], levels[19]),
            (Level::Low, Level::Medium, Level::Medium, Level::High, Level::High, Level::Critical)
        );
        for level in Level::ALL {
            let (low, high) = level.scores();
            assert!((low..=high).all(|s| Level::of(s) == level));
        }
    }

    #[test]
    fn money_and_rates_read_like_people_write_them() {
        assert_eq!(money(125_000_000), "$1,250,000.00");
        assert_eq!(rate(25), "0.25");
        assert_eq!(rate(200), "2");
        assert_eq!(rate(150), "1.5");
    }
}
