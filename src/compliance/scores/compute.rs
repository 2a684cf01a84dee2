//! The one function every score comes from. Pages, CSV exports, the MSP dashboard (and later the portal and the
//! API) all show what `compute` returns (stored per organization by `store`), so two views never disagree.
//!
//! Definitions (each page states them in one sentence):
//! - a control is **effective** when it is Implemented and has approved evidence, none of it expired;
//! - an in-scope requirement is **met** when every control mapped to it by a primary mapping is effective,
//!   **partial** when at least one is, **unmet** otherwise;
//! - framework score = (met + 0.5 x partial) / in-scope requirements, a whole percent rounded half up;
//! - overall score = effective controls / in-scope controls, a whole percent rounded half up;
//! - not-applicable requirements and controls leave both counts: a requirement marked not applicable is not
//!   counted, a control marked not applicable is left out of its requirements (a requirement whose controls are
//!   all not applicable is not counted either) and out of the overall score.

use std::collections::BTreeMap;

use crate::compliance::catalog::status::{RequirementStatus, requirement_status};
use crate::compliance::program::ControlStatus;
use crate::compliance::program::facts::Facts;

/// What became of one in-scope requirement of an adopted framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Met,
    Partial,
    Unmet,
    /// Marked not applicable by the organization.
    Excluded,
    /// Every control mapped to it is marked not applicable.
    ControlsNotApplicable,
}

impl Outcome {
    pub fn counts(self) -> bool {
        matches!(self, Outcome::Met | Outcome::Partial | Outcome::Unmet)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "Met",
            Outcome::Partial => "Partial",
            Outcome::Unmet => "Unmet",
            Outcome::Excluded => "Not applicable",
            Outcome::ControlsNotApplicable => "Not applicable (its controls are)",
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            Outcome::Met => "ok",
            Outcome::Partial => "warn",
            Outcome::Unmet => "bad",
            Outcome::Excluded | Outcome::ControlsNotApplicable => "muted",
        }
    }

    /// met | partial | unmet | not_applicable, as exports write it.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Partial => "partial",
            Outcome::Unmet => "unmet",
            Outcome::Excluded | Outcome::ControlsNotApplicable => "not_applicable",
        }
    }
}

/// Counts behind a score. For a framework: in-scope requirements met / partial / unmet. For the overall score:
/// in-scope controls, `met` the effective ones, `unmet` the rest (`partial` is 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub in_scope: i32,
    pub met: i32,
    pub partial: i32,
    pub unmet: i32,
}

impl Tally {
    /// (met + 0.5 x partial) / in scope as a whole percent, rounded half up; None when nothing is in scope.
    pub fn percent(&self) -> Option<i32> {
        percent_half_up(2 * self.met + self.partial, 2 * self.in_scope)
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Met => self.met += 1,
            Outcome::Partial => self.partial += 1,
            Outcome::Unmet => self.unmet += 1,
            Outcome::Excluded | Outcome::ControlsNotApplicable => return,
        }
        self.in_scope += 1;
    }
}

/// numerator / denominator as a whole percent, halves rounded up, in integers (no float rounding surprises).
pub fn percent_half_up(numerator: i32, denominator: i32) -> Option<i32> {
    if denominator <= 0 {
        return None;
    }
    let (n, d) = (i64::from(numerator) * 100, i64::from(denominator));
    Some(((2 * n + d) / (2 * d)) as i32)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameworkScore {
    /// Index into the catalog index's frameworks.
    pub framework: usize,
    pub tally: Tally,
    /// Every in-scope requirement (scoping applied) with its outcome, in official order.
    pub requirements: Vec<(usize, Outcome)>,
}

impl FrameworkScore {
    pub fn not_applicable(&self) -> usize {
        self.requirements.iter().filter(|(_, o)| !o.counts()).count()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scores {
    pub overall: Tally,
    /// One per adopted framework, in catalog order.
    pub frameworks: Vec<FrameworkScore>,
    /// The controls the adopted frameworks need (through in-scope, applicable requirements), each with the
    /// frameworks it serves: what the controls list shows. Controls marked not applicable are included (they are
    /// listed) but leave the overall counts.
    pub controls: BTreeMap<usize, Vec<usize>>,
}

impl Scores {
    pub fn framework(&self, framework: usize) -> Option<&FrameworkScore> {
        self.frameworks.iter().find(|f| f.framework == framework)
    }
}

/// Every score of an organization from its facts.
pub fn compute(facts: &Facts<'_>) -> Scores {
    let index = facts.index;
    let effective = |control: usize| facts.control(control).is_effective(facts.today);
    let applicable = |control: &usize| facts.control(*control).status != ControlStatus::NotApplicable;
    let mut controls: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut frameworks = Vec::with_capacity(facts.adopted.len());
    for adopted in &facts.adopted {
        let framework = &index.frameworks[adopted.framework];
        let mut tally = Tally::default();
        let mut requirements = Vec::new();
        for (ri, requirement) in framework.requirements.iter().enumerate() {
            if !adopted.scoping.includes(framework, requirement) {
                continue;
            }
            let outcome = if facts.excluded.contains(&(adopted.framework, ri)) {
                Outcome::Excluded
            } else {
                for &control in &requirement.controls {
                    let served = controls.entry(control).or_default();
                    if !served.contains(&adopted.framework) {
                        served.push(adopted.framework);
                    }
                }
                let counted: Vec<usize> = requirement.controls.iter().copied().filter(applicable).collect();
                if counted.is_empty() {
                    Outcome::ControlsNotApplicable
                } else {
                    let ids = counted.iter().map(|&c| index.controls[c].id.as_str());
                    match requirement_status(|id| index.control(id).is_some_and(effective), ids) {
                        RequirementStatus::Met => Outcome::Met,
                        RequirementStatus::Partial => Outcome::Partial,
                        RequirementStatus::Unmet => Outcome::Unmet,
                    }
                }
            };
            tally.add(outcome);
            requirements.push((ri, outcome));
        }
        frameworks.push(FrameworkScore { framework: adopted.framework, tally, requirements });
    }
    let mut overall = Tally::default();
    for &control in controls.keys().filter(|c| applicable(c)) {
        overall.add(if effective(control) { Outcome::Met } else { Outcome::Unmet });
    }
    Scores { overall, frameworks, controls }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;
    use crate::compliance::program::facts::{Adopted, ControlFacts};
    use crate::compliance::program::index::{CatalogIndex, embedded};
    use crate::compliance::program::scoping::Scoping;
    use crate::db::Day;

    fn today() -> Day {
        Day::parse("2026-03-02").unwrap()
    }

    fn implemented(valid_until: &str) -> ControlFacts {
        ControlFacts {
            status: ControlStatus::Implemented,
            evidence_approved: 1,
            evidence_valid_until: Day::parse(valid_until),
        }
    }

    fn facts_with<'a>(index: &'a CatalogIndex, frameworks: &[&str]) -> Facts<'a> {
        let mut facts = Facts::new(index, today());
        facts.adopted = frameworks
            .iter()
            .map(|id| Adopted { framework: index.framework(id).unwrap(), scoping: Scoping::default() })
            .collect();
        facts
    }

    #[test]
    fn percent_rounds_half_up_in_whole_numbers() {
        assert_eq!(percent_half_up(1, 200), Some(1), "0.5% rounds up");
        assert_eq!(percent_half_up(1, 201), Some(0));
        assert_eq!(percent_half_up(1, 16), Some(6), "6.25%");
        assert_eq!(percent_half_up(5, 8), Some(63), "62.5%");
        assert_eq!(percent_half_up(0, 0), None);
        let tally = Tally { in_scope: 8, met: 2, partial: 1, unmet: 5 };
        assert_eq!(tally.percent(), Some(31), "(2 + 0.5) / 8 = 31.25%");
        let half = Tally { in_scope: 4, met: 1, partial: 1, unmet: 2 };
        assert_eq!(half.percent(), Some(38), "(1 + 0.5) / 4 = 37.5% rounds up");
    }

    #[test]
    fn nothing_done_is_zero_everywhere_and_a_control_without_evidence_is_not_effective() {
        let index = embedded().unwrap();
        let mut facts = facts_with(index, &["hipaa", "soc2"]);
        let scores = compute(&facts);
        assert_eq!(scores.overall.met, 0);
        assert!(scores.overall.in_scope > 0);
        assert!(scores.frameworks.iter().all(|f| f.tally.percent() == Some(0) && f.tally.unmet == f.tally.in_scope));
        let no_evidence = ControlFacts { status: ControlStatus::Implemented, ..ControlFacts::default() };
        for &c in scores.controls.keys() {
            facts.controls.insert(c, no_evidence);
        }
        assert_eq!(compute(&facts).overall.met, 0, "implemented without evidence is not effective");
    }

    #[test]
    fn everything_effective_is_one_hundred_and_expired_evidence_lowers_it() {
        let index = embedded().unwrap();
        let mut facts = facts_with(index, &["soc2"]);
        let needed: Vec<usize> = compute(&facts).controls.keys().copied().collect();
        for &c in &needed {
            facts.controls.insert(c, implemented("2026-03-02"));
        }
        let full = compute(&facts);
        assert_eq!(full.overall.percent(), Some(100));
        assert_eq!(full.frameworks[0].tally.percent(), Some(100));
        assert_eq!(full.frameworks[0].tally.in_scope, 33, "Security only by default");
        // Valid through its valid-until day, expired the day after.
        facts.today = today().plus_days(1);
        let expired = compute(&facts);
        assert_eq!(expired.overall.met, 0);
        assert_eq!(expired.frameworks[0].tally.percent(), Some(0));
    }

    #[test]
    fn shared_controls_count_once_and_serve_every_framework() {
        let index = embedded().unwrap();
        let hipaa = compute(&facts_with(index, &["hipaa"]));
        let both = compute(&facts_with(index, &["hipaa", "soc2"]));
        let soc2 = compute(&facts_with(index, &["soc2"]));
        let shared = hipaa.controls.keys().filter(|c| soc2.controls.contains_key(c)).count();
        assert!(shared > 0);
        assert_eq!(both.controls.len(), hipaa.controls.len() + soc2.controls.len() - shared);
        assert_eq!(both.overall.in_scope as usize, both.controls.len());
        let fi = index.framework("soc2").unwrap();
        assert!(both.controls.values().filter(|served| served.contains(&fi)).count() == soc2.controls.len());
    }

    #[test]
    fn not_applicable_requirements_and_controls_leave_both_counts() {
        let index = embedded().unwrap();
        let mut facts = facts_with(index, &["soc2"]);
        let base = compute(&facts);
        let fi = index.framework("soc2").unwrap();
        let first = base.frameworks[0].requirements[0].0;
        facts.excluded.insert((fi, first));
        let excluded = compute(&facts);
        assert_eq!(excluded.frameworks[0].tally.in_scope, base.frameworks[0].tally.in_scope - 1);
        assert_eq!(excluded.frameworks[0].requirements[0].1, Outcome::Excluded);
        // Every control of a requirement set aside: the requirement leaves the count, the controls the overall.
        let mut facts = facts_with(index, &["soc2"]);
        let requirement = &index.frameworks[fi].requirements[first];
        for &c in &requirement.controls {
            facts.controls.insert(c, ControlFacts { status: ControlStatus::NotApplicable, ..ControlFacts::default() });
        }
        let set_aside = compute(&facts);
        assert_eq!(set_aside.frameworks[0].requirements[0].1, Outcome::ControlsNotApplicable);
        let overall_drop = (base.overall.in_scope - set_aside.overall.in_scope) as usize;
        assert_eq!(overall_drop, requirement.controls.len());
    }

    #[test]
    fn a_requirement_is_partial_when_some_of_its_controls_are_effective() {
        let index = embedded().unwrap();
        let fi = index.framework("hipaa").unwrap();
        let (ri, requirement) = index.frameworks[fi]
            .requirements
            .iter()
            .enumerate()
            .find(|(_, r)| r.controls.len() >= 2)
            .expect("a requirement with two controls");
        let mut facts = facts_with(index, &["hipaa"]);
        facts.controls.insert(requirement.controls[0], implemented("2027-01-01"));
        let scores = compute(&facts);
        let outcome = scores.frameworks[0].requirements.iter().find(|(r, _)| *r == ri).unwrap().1;
        assert_eq!(outcome, Outcome::Partial);
    }

    fn statuses() -> impl Strategy<Value = ControlFacts> {
        let status = prop_oneof![
            Just(ControlStatus::NotStarted),
            Just(ControlStatus::InProgress),
            Just(ControlStatus::ReadyForReview),
            Just(ControlStatus::Implemented),
            Just(ControlStatus::NotApplicable),
        ];
        (status, 0..3i32, -40i64..400).prop_map(|(status, evidence, days)| ControlFacts {
            status,
            evidence_approved: evidence,
            evidence_valid_until: (evidence > 0).then(|| today().plus_days(days)),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Counts add up, percents stay in 0..=100, and making one more control effective never lowers a score.
        #[test]
        fn scores_are_consistent_and_monotonic(
            picks in proptest::collection::vec(0usize..8, 1..4),
            controls in proptest::collection::vec(statuses(), 200),
            excluded in proptest::collection::vec((0usize..8, 0usize..400), 0..20),
            improve in 0usize..200,
        ) {
            let index = embedded().unwrap();
            let mut facts = Facts::new(index, today());
            let chosen: HashSet<usize> = picks.into_iter().collect();
            let mut chosen: Vec<usize> = chosen.into_iter().collect();
            chosen.sort();
            facts.adopted = chosen.iter().map(|&f| Adopted { framework: f, scoping: Scoping::default() }).collect();
            facts.controls = controls.into_iter().enumerate().collect();
            facts.excluded = excluded
                .into_iter()
                .filter(|(f, r)| *r < index.frameworks[*f].requirements.len())
                .collect();
            let scores = compute(&facts);
            for f in &scores.frameworks {
                let t = f.tally;
                prop_assert_eq!(t.met + t.partial + t.unmet, t.in_scope);
                prop_assert!(t.percent().is_none_or(|p| (0..=100).contains(&p)));
            }
            let o = scores.overall;
            prop_assert_eq!(o.met + o.unmet, o.in_scope);
            // Make one control effective.
            facts.controls.insert(improve, implemented("2027-12-31"));
            let better = compute(&facts);
            prop_assert!(better.overall.met >= o.met);
            for (before, after) in scores.frameworks.iter().zip(&better.frameworks) {
                prop_assert!(2 * after.tally.met + after.tally.partial >= 2 * before.tally.met + before.tally.partial
                    || after.tally.in_scope != before.tally.in_scope);
            }
        }
    }
}
