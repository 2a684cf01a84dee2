//! The requirement-status rule the compliance program's scores are built on: a requirement is met through its
//! primary mappings only. Related mappings never change a requirement's status.

use super::data::{Catalog, MappingKind};

/// The status of one in-scope requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequirementStatus {
    /// Every control mapped to it by a primary mapping is effective.
    Met,
    /// At least one of them is effective, not all.
    Partial,
    /// None is (or it has no primary mapping, which `catalog check` never lets through).
    Unmet,
}

impl RequirementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::Met => "met",
            RequirementStatus::Partial => "partial",
            RequirementStatus::Unmet => "unmet",
        }
    }
}

/// The status of a requirement from the common controls mapped to it by **primary** mappings
/// (`catalog_mappings.kind = 'primary'`), given whether each control is effective in the organization.
///
/// For the compliance program: call it with the requirement's primary controls only; a control is effective when
/// it is Implemented and none of its evidence is expired. Framework score = (met + 0.5 x partial) / in-scope
/// requirements.
pub fn requirement_status<'a>(
    control_effective: impl Fn(&str) -> bool,
    primary_controls: impl IntoIterator<Item = &'a str>,
) -> RequirementStatus {
    let (mut total, mut effective) = (0usize, 0usize);
    for control in primary_controls {
        total += 1;
        if control_effective(control) {
            effective += 1;
        }
    }
    match effective {
        0 => RequirementStatus::Unmet,
        n if n == total => RequirementStatus::Met,
        _ => RequirementStatus::Partial,
    }
}

/// The controls mapped to a requirement by primary mappings: the ones its status is made of.
pub fn primary_controls<'a>(catalog: &'a Catalog, framework: &str, requirement: &str) -> Vec<&'a str> {
    catalog
        .mapping_file(framework)
        .into_iter()
        .flat_map(|file| &file.mappings)
        .filter(|m| m.kind == MappingKind::Primary && m.requirement == requirement)
        .map(|m| m.control.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn met_partial_unmet() {
        let effective = |c: &str| c == "CCF-AC-01" || c == "CCF-IA-03";
        assert_eq!(requirement_status(effective, ["CCF-AC-01", "CCF-IA-03"]), RequirementStatus::Met);
        assert_eq!(requirement_status(effective, ["CCF-AC-01", "CCF-LM-01"]), RequirementStatus::Partial);
        assert_eq!(requirement_status(effective, ["CCF-LM-01"]), RequirementStatus::Unmet);
        assert_eq!(requirement_status(effective, []), RequirementStatus::Unmet);
    }
}
