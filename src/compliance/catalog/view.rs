//! How catalog rows are shown: attribute chips per framework, relationship badges, kind labels, anchors.

use std::collections::BTreeMap;

/// A small label next to a requirement (Required, Level 2, Privacy...).
#[derive(Clone, Debug)]
pub struct Chip {
    pub text: String,
    /// A CSS modifier: "strong" for the attributes auditors ask about first, "" otherwise.
    pub tone: &'static str,
}

impl Chip {
    fn new(text: impl Into<String>, tone: &'static str) -> Chip {
        Chip { text: text.into(), tone }
    }
}

/// The framework-specific attributes worth showing on a requirement (the rest repeat the tree's grouping).
pub fn chips(framework: &str, attributes: &BTreeMap<String, String>) -> Vec<Chip> {
    let get = |k: &str| attributes.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let mut out = Vec::new();
    match framework {
        "hipaa" => {
            if let Some(v) = get("implementation") {
                out.push(Chip::new(v, if v == "Required" { "strong" } else { "soft" }));
            }
        }
        "soc2" => {
            if let Some(v) = get("category") {
                out.push(Chip::new(v, "strong"));
            }
            if let Some(v) = get("coso_principle") {
                out.push(Chip::new(format!("COSO principle {v}"), ""));
            }
        }
        "iso27001-2022" => {
            if let Some(v) = get("theme") {
                out.push(Chip::new(v, "strong"));
            }
            if let Some(v) = get("control_type") {
                out.push(Chip::new(v, ""));
            }
        }
        "cmmc-2" => {
            if let Some(v) = get("level") {
                out.push(Chip::new(format!("Level {v}"), "strong"));
            }
            if let Some(v) = get("nist_800_171") {
                out.push(Chip::new(format!("SP 800-171 {v}"), ""));
            }
            if let Some(v) = get("far_52_204_21") {
                out.push(Chip::new(format!("FAR 52.204-21 {v}"), ""));
            }
        }
        "pci-dss-4" => {
            if let Some(v) = get("applicability").filter(|v| *v != "All entities") {
                out.push(Chip::new(v, "strong"));
            }
            if let Some(v) = get("best_practice_until") {
                out.push(Chip::new(format!("Future-dated: best practice until {v}"), "soft"));
            }
        }
        "gdpr" => {
            if let Some(v) = get("role") {
                out.push(Chip::new(v, "strong"));
            }
        }
        "ftc-safeguards" if get("small_institution_exempt") == Some("yes") => {
            out.push(Chip::new("Exempt below 5,000 consumers", "soft"));
        }
        _ => {}
    }
    out
}

/// "implementation_specification" -> "Implementation specification".
pub fn kind_label(kind: &str) -> String {
    let text = kind.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a relationship means, for the badge's tooltip.
pub fn relationship_help(relationship: &str) -> &'static str {
    match relationship {
        "equal" => "The common control and the requirement ask for the same thing.",
        "subset" => "The common control fulfils part of the requirement; other controls cover the rest.",
        "superset" => "The common control fulfils all of the requirement and asks for more.",
        "intersects" => "They overlap: each asks for something the other does not.",
        _ => "",
    }
}

/// What a mapping kind means, for the badge's tooltip.
pub fn kind_help(kind: &str) -> &'static str {
    match kind {
        "primary" => "Primary mapping: implementing the control is part of meeting the requirement; scores count it.",
        "related" => {
            "Related mapping: the control contributes to the requirement or overlaps it; scores never count it."
        }
        _ => "",
    }
}

/// What a cross-framework link's kind means, for the badge's tooltip.
pub fn link_help(kind: &str) -> &'static str {
    match kind {
        "primary" => "A common control is a primary mapping of both requirements: implementing it counts toward both.",
        "related" => "Linked through a common control that is a related mapping of at least one of them.",
        _ => "",
    }
}

/// An HTML id for a requirement ("164.308(a)(1)" -> "r-164-308-a-1").
pub fn anchor(requirement_id: &str) -> String {
    let mut out = String::from("r-");
    let mut dash = false;
    for c in requirement_id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The framework page's link to one requirement, inside its top-level group.
pub fn requirement_href(framework_id: &str, top_id: &str, requirement_id: &str) -> String {
    format!(
        "/compliance/catalog/frameworks/{}?group={}#{}",
        crate::web::urlencode(framework_id),
        crate::web::urlencode(top_id),
        anchor(requirement_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_anchors() {
        assert_eq!(kind_label("implementation_specification"), "Implementation specification");
        assert_eq!(anchor("164.308(a)(1)"), "r-164-308-a-1");
        assert_eq!(anchor("Art. 5(1)(a)"), "r-art-5-1-a");
        assert_eq!(
            requirement_href("gdpr", "Chapter II", "Art. 5"),
            "/compliance/catalog/frameworks/gdpr?group=Chapter+II#r-art-5"
        );
        let attrs = BTreeMap::from([("implementation".to_string(), "Addressable".to_string())]);
        assert_eq!(chips("hipaa", &attrs)[0].text, "Addressable");
    }
}
