//! CMMC Level 2: the SPRS score by the DoD Assessment Methodology. It starts at 110 and subtracts, for each
//! Level 2 requirement not met, its weight (5, 3 or 1 points, kept as data in
//! `catalog/data/cmmc-sprs-weights.toml`); 3.5.3 and 3.13.11 cost 3 instead of 5 when partly implemented the way
//! the methodology credits. Requirements marked not applicable cost nothing. Range: -203 to 110.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::compliance::program::index::CatalogIndex;
use crate::compliance::scores::compute::{FrameworkScore, Outcome};

pub const WEIGHTS_FILE: &str = include_str!("../catalog/data/cmmc-sprs-weights.toml");
pub const MAX_SCORE: i32 = 110;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// The NIST SP 800-171 number (3.1.1).
    pub requirement: String,
    pub points: i32,
    #[serde(default)]
    pub partial_points: Option<i32>,
    #[serde(default)]
    pub partial_rule: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct WeightsFile {
    weight: Vec<Weight>,
}

/// The weights, parsed once (the data is embedded; a test proves it parses and adds up to 313).
pub fn weights() -> &'static HashMap<String, Weight> {
    static WEIGHTS: OnceLock<HashMap<String, Weight>> = OnceLock::new();
    WEIGHTS.get_or_init(|| {
        toml::from_str::<WeightsFile>(WEIGHTS_FILE)
            .map(|f| f.weight.into_iter().map(|w| (w.requirement.clone(), w)).collect())
            .unwrap_or_default()
    })
}

/// A requirement that costs points (or could, when partly credited).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cost {
    pub requirement_id: String,
    pub nist: String,
    pub title: String,
    pub outcome: Outcome,
    pub points: i32,
    /// Partial credit applied: the rule that allowed it.
    pub partial: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sprs {
    pub score: i32,
    /// What costs points, most first.
    pub costs: Vec<Cost>,
    pub met: usize,
    pub not_applicable: usize,
    /// Level 2 requirements scored.
    pub assessed: usize,
}

/// The SPRS score from the CMMC Level 2 requirement outcomes; `partly` names the requirements (NIST numbers)
/// recorded as partly implemented in the credited way.
pub fn score(index: &CatalogIndex, cmmc: &FrameworkScore, partly: &HashSet<String>) -> Sprs {
    let framework = &index.frameworks[cmmc.framework];
    let weights = weights();
    let mut sprs = Sprs { score: MAX_SCORE, costs: Vec::new(), met: 0, not_applicable: 0, assessed: 0 };
    for &(ri, outcome) in &cmmc.requirements {
        let requirement = &framework.requirements[ri];
        let (Some(nist), Some(2)) = (&requirement.nist_800_171, requirement.level) else { continue };
        let Some(weight) = weights.get(nist) else { continue };
        sprs.assessed += 1;
        let (points, partial) = match outcome {
            Outcome::Met => {
                sprs.met += 1;
                continue;
            }
            Outcome::Excluded | Outcome::ControlsNotApplicable => {
                sprs.not_applicable += 1;
                continue;
            }
            Outcome::Partial | Outcome::Unmet => match (&weight.partial_points, &weight.partial_rule) {
                (Some(p), Some(rule)) if outcome == Outcome::Partial || partly.contains(nist) => {
                    (*p, Some(rule.clone()))
                }
                _ => (weight.points, None),
            },
        };
        sprs.score -= points;
        sprs.costs.push(Cost {
            requirement_id: requirement.id.clone(),
            nist: nist.clone(),
            title: requirement.title.clone(),
            outcome,
            points,
            partial,
        });
    }
    sprs.costs.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.requirement_id.cmp(&b.requirement_id)));
    sprs
}

/// The requirements partial credit can apply to: (NIST number, rule).
pub fn creditable() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        weights().values().filter_map(|w| Some((w.requirement.clone(), w.partial_rule.clone()?))).collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::program::ControlStatus;
    use crate::compliance::program::facts::{Adopted, ControlFacts, Facts};
    use crate::compliance::program::index::embedded;
    use crate::compliance::program::scoping::Scoping;
    use crate::compliance::scores::compute::compute;
    use crate::db::Day;

    fn cmmc_score(all_effective: bool, partly: &[&str]) -> Sprs {
        let index = embedded().unwrap();
        let today = Day::parse("2026-03-02").unwrap();
        let mut facts = Facts::new(index, today);
        let fi = index.framework("cmmc-2").unwrap();
        facts.adopted = vec![Adopted { framework: fi, scoping: Scoping { level: Some(2), ..Scoping::default() } }];
        if all_effective {
            for c in 0..index.controls.len() {
                let effective = ControlFacts {
                    status: ControlStatus::Implemented,
                    evidence_approved: 1,
                    evidence_valid_until: Some(today),
                };
                facts.controls.insert(c, effective);
            }
        }
        let scores = compute(&facts);
        let partly = partly.iter().map(|p| p.to_string()).collect();
        score(index, &scores.frameworks[0], &partly)
    }

    #[test]
    fn the_weights_cover_every_level_2_requirement_and_add_up_to_313() {
        let w = weights();
        assert_eq!(w.len(), 110);
        assert_eq!(w.values().map(|w| w.points).sum::<i32>(), 313);
        let index = embedded().unwrap();
        let cmmc = index.framework_entry("cmmc-2").unwrap();
        for r in cmmc.requirements.iter().filter(|r| r.level == Some(2)) {
            assert!(w.contains_key(r.nist_800_171.as_deref().unwrap_or("")), "{} has a weight", r.id);
        }
        assert_eq!(creditable().iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["3.13.11", "3.5.3"]);
    }

    #[test]
    fn all_met_is_110_and_none_met_is_minus_203() {
        let all = cmmc_score(true, &[]);
        assert_eq!((all.score, all.met, all.costs.len()), (110, 110, 0));
        let none = cmmc_score(false, &[]);
        assert_eq!((none.score, none.assessed), (-203, 110));
        assert_eq!(none.costs[0].points, 5, "the costliest first");
    }

    #[test]
    fn partial_credit_applies_only_to_3_5_3_and_3_13_11() {
        let credited = cmmc_score(false, &["3.5.3", "3.13.11", "3.1.1"]);
        assert_eq!(credited.score, -203 + 2 + 2, "3.1.1 gets no partial credit");
        let mfa = credited.costs.iter().find(|c| c.nist == "3.5.3").unwrap();
        assert_eq!(mfa.points, 3);
        assert!(mfa.partial.as_deref().unwrap_or("").contains("privileged"));
    }
}
