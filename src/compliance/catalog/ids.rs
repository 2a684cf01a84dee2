//! Identifier formats of each framework (what `validate` enforces) and the normal form used to find a
//! requirement by an identifier however a person types it ("PR.AC-01", "pr.ac-1", "5.15", "Art 32").

use std::sync::OnceLock;

use regex::Regex;

/// (framework, kind) -> the official identifier format of requirements of that kind.
const ID_FORMATS: &[(&str, &str, &str)] = &[
    ("hipaa", "section", r"^164\.3(08|10|12|14|16)$"),
    ("hipaa", "standard", r"^164\.3(08|10|12|14|16)\([a-z]\)(\(\d{1,2}\))?$"),
    (
        "hipaa",
        "implementation_specification",
        r"^164\.3(08|10|12|14|16)\([a-z]\)\(\d{1,2}\)(\((i|ii|iii|iv|v|vi)\)(\([A-Z]\))?)?$",
    ),
    ("soc2", "series", r"^(CC[1-9]|A1|C1|PI1|P[1-8])$"),
    ("soc2", "criterion", r"^(CC[1-9]|A1|C1|PI1|P[1-8])\.[1-9]\d?$"),
    ("nist-csf-2", "function", r"^(GV|ID|PR|DE|RS|RC)$"),
    ("nist-csf-2", "category", r"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}$"),
    ("nist-csf-2", "subcategory", r"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$"),
    ("iso27001-2022", "clause", r"^([4-9]|10)$"),
    ("iso27001-2022", "subclause", r"^([4-9]|10)\.\d{1,2}(\.\d{1,2})?$"),
    ("iso27001-2022", "theme", r"^A\.[5-8]$"),
    ("iso27001-2022", "control", r"^A\.[5-8]\.\d{1,2}$"),
    ("cmmc-2", "domain", r"^(AC|AT|AU|CA|CM|IA|IR|MA|MP|PE|PS|RA|SC|SI)$"),
    ("cmmc-2", "requirement", r"^[A-Z]{2}\.(L1-b\.1\.[ivx]+|L2-3\.\d{1,2}\.\d{1,2})$"),
    ("pci-dss-4", "principal", r"^([1-9]|1[0-2]|A[1-3])$"),
    ("pci-dss-4", "section", r"^([1-9]|1[0-2]|A[1-3])\.\d{1,2}$"),
    ("pci-dss-4", "requirement", r"^([1-9]|1[0-2]|A[1-3])(\.\d{1,2}){2,4}$"),
    ("gdpr", "chapter", r"^Chapter [IVX]+$"),
    ("gdpr", "article", r"^Art\. \d{1,2}$"),
    ("gdpr", "paragraph", r"^Art\. \d{1,2}\(\d{1,2}\)$"),
    ("gdpr", "point", r"^Art\. \d{1,2}\(\d{1,2}\)\([a-z]\)$"),
    ("ftc-safeguards", "section", r"^314\.4$"),
    ("ftc-safeguards", "element", r"^314\.4\([a-j]\)$"),
    ("ftc-safeguards", "sub_element", r"^314\.4\([a-j]\)\(\d{1,2}\)(\([ivx]+\))?$"),
];

/// framework -> the format of the older identifiers it accepts as aliases (none where absent).
const ALIAS_FORMATS: &[(&str, &str)] = &[
    // Audit-protocol citations of standards ("(i)") and the pre-2013 164.308(b)(4).
    ("hipaa", r"^164\.3(08|10|12|14|16)\([a-z]\)\(\d{1,2}\)(\((i|ii|iii|iv|v|vi)\)(\([A-Z]\))?)?$"),
    // CSF 1.1 categories and subcategories, written without zero padding.
    ("nist-csf-2", r"^(ID|PR|DE|RS|RC)\.[A-Z]{2}(-[1-9]\d?)?$"),
    // ISO/IEC 27001:2013 Annex A controls.
    ("iso27001-2022", r"^A\.([5-9]|1[0-8])\.\d{1,2}\.\d{1,2}$"),
    // CMMC 2.0 (v2.0, 2021) Level 1 practice ids.
    ("cmmc-2", r"^[A-Z]{2}\.L1-3\.\d{1,2}\.\d{1,2}$"),
];

fn compiled(table: &'static [(&'static str, &'static str, &'static str)]) -> Vec<(&'static str, &'static str, Regex)> {
    table.iter().map(|(f, k, re)| (*f, *k, Regex::new(re).expect("identifier pattern"))).collect()
}

fn id_formats() -> &'static [(&'static str, &'static str, Regex)] {
    static FORMATS: OnceLock<Vec<(&str, &str, Regex)>> = OnceLock::new();
    FORMATS.get_or_init(|| compiled(ID_FORMATS))
}

fn alias_formats() -> &'static [(&'static str, Regex)] {
    static FORMATS: OnceLock<Vec<(&str, Regex)>> = OnceLock::new();
    FORMATS.get_or_init(|| ALIAS_FORMATS.iter().map(|(f, re)| (*f, Regex::new(re).expect("alias pattern"))).collect())
}

/// Is `id` in the official format for a requirement of this kind? None when the framework or kind has no format.
pub fn id_format_ok(framework: &str, kind: &str, id: &str) -> Option<bool> {
    id_formats().iter().find(|(f, k, _)| *f == framework && *k == kind).map(|(_, _, re)| re.is_match(id))
}

/// The format rule as written, for messages.
pub fn id_format(framework: &str, kind: &str) -> &'static str {
    ID_FORMATS.iter().find(|(f, k, _)| *f == framework && *k == kind).map(|(_, _, re)| *re).unwrap_or("")
}

pub fn alias_format_ok(framework: &str, alias: &str) -> bool {
    alias_formats().iter().any(|(f, re)| *f == framework && re.is_match(alias))
}

/// The normal form of an identifier: upper case, no spaces, citation prefixes dropped, "Article 5" and "Art 5"
/// as "ART.5", and the zero padding of CSF numbers removed ("PR.AA-01" -> "PR.AA-1").
pub fn normalize(id: &str) -> String {
    let mut s: String = id.chars().filter(|c| !c.is_whitespace() && *c != '§').flat_map(char::to_uppercase).collect();
    for prefix in ["45CFR", "16CFR"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("ARTICLE") {
        s = format!("ART.{rest}");
    } else if let Some(rest) = s.strip_prefix("ART")
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        s = format!("ART.{rest}");
    }
    strip_dash_zeros(&s)
}

/// "PR.AA-01" -> "PR.AA-1"; "-0" stays "-0".
fn strip_dash_zeros(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_dash = false;
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if after_dash && *c == '0' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            continue;
        }
        after_dash = *c == '-' || (after_dash && *c == '0');
        out.push(*c);
    }
    out
}

/// The normal forms a typed identifier may stand for: itself, and for a bare "5.15" also the ISO Annex A
/// control "A.5.15".
pub fn candidates(query: &str) -> Vec<String> {
    let n = normalize(query);
    if n.is_empty() {
        return Vec::new();
    }
    let mut out = vec![n.clone()];
    let dotted_number = n.contains('.') && n.chars().all(|c| c.is_ascii_digit() || c == '.') && !n.ends_with('.');
    if dotted_number {
        out.push(format!("A.{n}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(normalize("PR.AC-01"), "PR.AC-1");
        assert_eq!(normalize("pr.ac-1"), "PR.AC-1");
        assert_eq!(normalize("PR.AA-10"), "PR.AA-10");
        assert_eq!(normalize("Art. 32(1)(b)"), "ART.32(1)(B)");
        assert_eq!(normalize("Article 32(1)(b)"), "ART.32(1)(B)");
        assert_eq!(normalize("art 32(1)(b)"), "ART.32(1)(B)");
        assert_eq!(normalize("45 CFR § 164.308(a)(1)"), "164.308(A)(1)");
        assert_eq!(candidates("5.15"), vec!["5.15".to_string(), "A.5.15".to_string()]);
        assert_eq!(candidates("A.9.2.1"), vec!["A.9.2.1".to_string()]);
        assert!(candidates("  ").is_empty());
    }

    #[test]
    fn formats() {
        assert_eq!(id_format_ok("nist-csf-2", "subcategory", "PR.AA-01"), Some(true));
        assert_eq!(id_format_ok("nist-csf-2", "subcategory", "PR.AA-1"), Some(false));
        assert_eq!(id_format_ok("gdpr", "chapter", "Chapter II"), Some(true));
        assert_eq!(id_format_ok("pci-dss-4", "requirement", "9.5.1.2.1"), Some(true));
        assert_eq!(id_format_ok("nope", "x", "1"), None);
        assert!(alias_format_ok("iso27001-2022", "A.9.2.1"));
        assert!(!alias_format_ok("soc2", "CC6.1"));
    }
}
