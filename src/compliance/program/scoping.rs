//! Scoping: which of an adopted framework's requirements are in the organization's scope. SOC 2 always covers
//! Security and adds the optional categories chosen; CMMC covers the chosen level; other frameworks cover every
//! assessable requirement. Requirements marked not applicable are left out afterwards, by the scores.

use serde::{Deserialize, Serialize};

use super::index::{FrameworkEntry, RequirementEntry};

/// The SOC 2 categories an organization may add to Security.
pub const SOC2_OPTIONAL: [&str; 4] = ["Availability", "Confidentiality", "Processing Integrity", "Privacy"];
/// CMMC levels this catalog covers.
pub const CMMC_LEVELS: [u8; 2] = [1, 2];

/// What a framework's scoping choice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopingKind {
    /// Every assessable requirement.
    Whole,
    /// SOC 2: Security plus the optional categories chosen.
    Soc2Categories,
    /// CMMC: one level.
    CmmcLevel,
}

impl ScopingKind {
    pub fn of(framework_id: &str) -> ScopingKind {
        match framework_id {
            "soc2" => ScopingKind::Soc2Categories,
            "cmmc-2" => ScopingKind::CmmcLevel,
            _ => ScopingKind::Whole,
        }
    }
}

/// An adopted framework's scoping, stored as JSON in `org_frameworks.scoping`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scoping {
    /// SOC 2: optional categories in scope besides Security.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// CMMC: the level assessed (2 when not chosen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
}

impl Scoping {
    /// The stored JSON back; an unreadable value is the default scope (it is only ever written by `to_json`).
    pub fn from_json(text: &str) -> Scoping {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn cmmc_level(&self) -> u8 {
        self.level.unwrap_or(2)
    }

    /// Is this requirement of `framework` in scope?
    pub fn includes(&self, framework: &FrameworkEntry, requirement: &RequirementEntry) -> bool {
        match ScopingKind::of(&framework.id) {
            ScopingKind::Whole => true,
            ScopingKind::Soc2Categories => match requirement.category.as_deref() {
                None | Some("Security") => true,
                Some(category) => self.categories.iter().any(|c| c == category),
            },
            ScopingKind::CmmcLevel => requirement.level.is_none_or(|level| level == self.cmmc_level()),
        }
    }

    /// The scope in words, for the frameworks page ("Security, Availability", "Level 2").
    pub fn describe(&self, framework_id: &str) -> String {
        match ScopingKind::of(framework_id) {
            ScopingKind::Whole => "All requirements".into(),
            ScopingKind::Soc2Categories => {
                let mut parts = vec!["Security".to_string()];
                parts.extend(
                    SOC2_OPTIONAL.iter().filter(|c| self.categories.iter().any(|x| x == *c)).map(|c| c.to_string()),
                );
                parts.join(", ")
            }
            ScopingKind::CmmcLevel => format!("Level {}", self.cmmc_level()),
        }
    }

    /// The scoping a form asks for (`categories` repeated, `level`), or the message for the field it got wrong.
    pub fn from_form(
        framework_id: &str,
        categories: &[String],
        level: &str,
    ) -> Result<Scoping, (&'static str, String)> {
        match ScopingKind::of(framework_id) {
            ScopingKind::Whole => Ok(Scoping::default()),
            ScopingKind::Soc2Categories => {
                if let Some(bad) = categories.iter().find(|c| !SOC2_OPTIONAL.contains(&c.as_str())) {
                    return Err(("categories", format!("{bad:?} is not a SOC 2 category. Choose from the list.")));
                }
                // Kept in the catalog's order, once each.
                let chosen = SOC2_OPTIONAL.iter().filter(|c| categories.iter().any(|x| x == *c)).map(|c| c.to_string());
                Ok(Scoping { categories: chosen.collect(), level: None })
            }
            ScopingKind::CmmcLevel => match level.trim() {
                "" | "2" => Ok(Scoping { categories: Vec::new(), level: Some(2) }),
                "1" => Ok(Scoping { categories: Vec::new(), level: Some(1) }),
                _ => Err(("level", "Choose level 1 or level 2.".into())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::program::index::embedded;

    #[test]
    fn soc2_always_covers_security_and_adds_the_chosen_categories() {
        let index = embedded().unwrap();
        let soc2 = index.framework_entry("soc2").unwrap();
        let count = |scoping: &Scoping| soc2.requirements.iter().filter(|r| scoping.includes(soc2, r)).count();
        assert_eq!(count(&Scoping::default()), 33);
        let with_availability = Scoping::from_form("soc2", &["Availability".into()], "").unwrap();
        assert_eq!(count(&with_availability), 36);
        assert_eq!(with_availability.describe("soc2"), "Security, Availability");
        assert!(Scoping::from_form("soc2", &["Security ".into()], "").is_err());
    }

    #[test]
    fn cmmc_covers_one_level() {
        let index = embedded().unwrap();
        let cmmc = index.framework_entry("cmmc-2").unwrap();
        let count = |level: &str| {
            let scoping = Scoping::from_form("cmmc-2", &[], level).unwrap();
            cmmc.requirements.iter().filter(|r| scoping.includes(cmmc, r)).count()
        };
        assert_eq!((count("1"), count("2"), count("")), (15, 110, 110));
        assert_eq!(Scoping::from_form("cmmc-2", &[], "3").unwrap_err().0, "level");
        assert_eq!(Scoping::from_json(&Scoping::from_form("cmmc-2", &[], "1").unwrap().to_json()).cmmc_level(), 1);
    }
}
