//! The catalog data against the official structure of each framework, identifier formats, mappings, coverage,
//! aliases and the worked example of the issue; and validation that fails when the data is wrong.

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;

use super::{catalog, framework, resolve_alias};
use palisade::compliance::catalog::data::{MappingKind, Requirement};
use palisade::compliance::catalog::validate;

fn kinds(framework_id: &str) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for r in &framework(framework_id).requirements {
        *out.entry(r.kind.as_str()).or_insert(0) += 1;
    }
    out
}

fn count(framework_id: &str, f: impl Fn(&Requirement) -> bool) -> usize {
    framework(framework_id).requirements.iter().filter(|r| f(r)).count()
}

fn attr<'a>(r: &'a Requirement, key: &str) -> Option<&'a str> {
    r.attributes.get(key).map(String::as_str)
}

#[test]
fn hipaa_security_rule_has_its_official_structure() {
    // 45 CFR 164.308, .310, .312, .314, .316 (eCFR) and Appendix A to Subpart C; 164.314(b)(2)(i)-(iv) and
    // 164.316(b)(2)(i)-(iii) listed separately as in NIST SP 800-66 Rev. 2.
    assert_eq!(
        kinds("hipaa"),
        BTreeMap::from([("section", 5), ("standard", 22), ("implementation_specification", 46)])
    );
    assert_eq!(count("hipaa", |r| r.assessable), 68);
    assert_eq!(count("hipaa", |r| attr(r, "implementation") == Some("Addressable")), 22);
    assert_eq!(count("hipaa", |r| r.kind == "standard" && attr(r, "implementation") == Some("Required")), 22);
    let sections: Vec<&str> =
        framework("hipaa").requirements.iter().filter(|r| r.parent.is_none()).map(|r| r.id.as_str()).collect();
    assert_eq!(sections, ["164.308", "164.310", "164.312", "164.314", "164.316"]);
}

#[test]
fn soc2_has_the_61_trust_services_criteria() {
    // AICPA TSP Section 100, 2017 Trust Services Criteria (revised points of focus 2022): CC1.1-CC9.2 (33),
    // A1.1-A1.3, C1.1-C1.2, PI1.1-PI1.5, P1.1-P8.1 (18).
    assert_eq!(kinds("soc2"), BTreeMap::from([("series", 20), ("criterion", 61)]));
    let by_category = |c: &str| count("soc2", |r| r.kind == "criterion" && attr(r, "category") == Some(c));
    assert_eq!([by_category("Security"), by_category("Availability"), by_category("Confidentiality")], [33, 3, 2]);
    assert_eq!([by_category("Processing Integrity"), by_category("Privacy")], [5, 18]);
    assert_eq!(count("soc2", |r| r.id.starts_with("CC") && r.kind == "criterion"), 33);
    // CC1.1-CC5.3 restate the 17 COSO principles.
    assert_eq!(count("soc2", |r| attr(r, "coso_principle").is_some()), 17);
}

#[test]
fn nist_csf_2_has_6_functions_22_categories_106_subcategories() {
    // NIST CSWP 29, The NIST Cybersecurity Framework 2.0 (February 26, 2024), Appendix A (the CSF Core).
    assert_eq!(kinds("nist-csf-2"), BTreeMap::from([("function", 6), ("category", 22), ("subcategory", 106)]));
    assert_eq!(count("nist-csf-2", |r| r.assessable), 106);
    let per_function: Vec<usize> = ["GV", "ID", "PR", "DE", "RS", "RC"]
        .iter()
        .map(|f| count("nist-csf-2", |r| r.kind == "subcategory" && r.id.starts_with(f)))
        .collect();
    assert_eq!(per_function, [31, 21, 22, 11, 13, 8]);
}

#[test]
fn iso_27001_has_clauses_4_to_10_and_93_annex_a_controls() {
    // ISO/IEC 27001:2022 clauses 4-10 and Annex A Table A.1: 37 organizational, 8 people, 14 physical,
    // 34 technological controls.
    assert_eq!(
        kinds("iso27001-2022"),
        BTreeMap::from([("clause", 7), ("subclause", 34), ("theme", 4), ("control", 93)])
    );
    let theme = |t: &str| count("iso27001-2022", |r| r.kind == "control" && attr(r, "theme") == Some(t));
    assert_eq!([theme("Organizational"), theme("People"), theme("Physical"), theme("Technological")], [37, 8, 14, 34]);
    let clauses: Vec<&str> =
        framework("iso27001-2022").requirements.iter().filter(|r| r.kind == "clause").map(|r| r.id.as_str()).collect();
    assert_eq!(clauses, ["4", "5", "6", "7", "8", "9", "10"]);
}

#[test]
fn cmmc_has_15_level_1_and_110_level_2_requirements() {
    // 32 CFR 170.14(c): Level 1 = FAR 52.204-21(b)(1)(i)-(xv); Level 2 = NIST SP 800-171 Rev. 2 (110 in 14
    // families); DoD CMMC Model Overview v2.13.
    assert_eq!(kinds("cmmc-2"), BTreeMap::from([("domain", 14), ("requirement", 125)]));
    assert_eq!(count("cmmc-2", |r| attr(r, "level") == Some("1")), 15);
    assert_eq!(count("cmmc-2", |r| attr(r, "level") == Some("2")), 110);
    let level2: BTreeMap<&str, usize> = [
        ("AC", 22),
        ("AT", 3),
        ("AU", 9),
        ("CA", 4),
        ("CM", 9),
        ("IA", 11),
        ("IR", 3),
        ("MA", 6),
        ("MP", 9),
        ("PE", 6),
        ("PS", 2),
        ("RA", 3),
        ("SC", 16),
        ("SI", 7),
    ]
    .into();
    for (domain, n) in &level2 {
        let have = count("cmmc-2", |r| r.parent.as_deref() == Some(*domain) && attr(r, "level") == Some("2"));
        assert_eq!(have, *n, "Level 2 requirements in {domain}");
    }
    assert_eq!(level2.values().sum::<usize>(), 110);
}

#[test]
fn pci_dss_has_12_principal_requirements_and_the_appendices() {
    // PCI DSS v4.0.1 (June 2024): 12 principal requirements, 250 defined requirements; Appendices A1 (7), A2 (3)
    // and A3 (20); 51 requirements were future-dated (best practice until 31 March 2025).
    assert_eq!(kinds("pci-dss-4"), BTreeMap::from([("principal", 15), ("section", 71), ("requirement", 280)]));
    assert_eq!(count("pci-dss-4", |r| r.kind == "principal" && !r.id.starts_with('A')), 12);
    assert_eq!(count("pci-dss-4", |r| r.kind == "requirement" && !r.id.starts_with('A')), 250);
    let appendix = |a: &str| count("pci-dss-4", |r| r.kind == "requirement" && r.id.starts_with(&format!("{a}.")));
    assert_eq!([appendix("A1"), appendix("A2"), appendix("A3")], [7, 3, 20]);
    assert_eq!(count("pci-dss-4", |r| attr(r, "best_practice_until") == Some("2025-03-31")), 51);
}

#[test]
fn gdpr_and_ftc_have_the_structure_they_are_modelled_with() {
    // GDPR (EU) 2016/679, Chapters II-V and Art. 89 (IX) as modelled in frameworks/gdpr.toml.
    assert_eq!(kinds("gdpr"), BTreeMap::from([("chapter", 5), ("article", 41), ("paragraph", 97), ("point", 18)]));
    assert_eq!(count("gdpr", |r| r.assessable), 125);
    assert!(framework("gdpr").requirements.iter().any(|r| r.id == "Art. 32(1)(a)"));
    // 16 CFR 314.4 (a)-(j) and their sub-paragraphs (eCFR, as amended 2021 and 2023).
    assert_eq!(kinds("ftc-safeguards"), BTreeMap::from([("section", 1), ("element", 10), ("sub_element", 48)]));
    assert_eq!(count("ftc-safeguards", |r| r.assessable), 56);
    let elements: Vec<&str> = framework("ftc-safeguards")
        .requirements
        .iter()
        .filter(|r| r.kind == "element")
        .map(|r| r.id.trim_start_matches("314.4"))
        .collect();
    assert_eq!(elements, ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)", "(h)", "(i)", "(j)"]);
}

#[test]
fn every_identifier_is_in_its_frameworks_official_format() {
    let formats: HashMap<&str, &str> = HashMap::from([
        ("hipaa", r"^164\.3(08|10|12|14|16)(\([a-z]\)(\(\d+\)(\((i|ii|iii|iv)\)(\([A-E]\))?)?)?)?$"),
        ("soc2", r"^(CC[1-9]|A1|C1|PI1|P[1-8])(\.\d+)?$"),
        ("nist-csf-2", r"^(GV|ID|PR|DE|RS|RC)(\.[A-Z]{2}(-\d\d)?)?$"),
        ("iso27001-2022", r"^(([4-9]|10)(\.\d+){0,2}|A\.[5-8](\.\d+)?)$"),
        ("cmmc-2", r"^[A-Z]{2}(\.L1-b\.1\.[ivx]+|\.L2-3\.\d+\.\d+)?$"),
        ("pci-dss-4", r"^([1-9]|1[0-2]|A[1-3])(\.\d+){0,4}$"),
        ("gdpr", r"^(Chapter [IVX]+|Art\. \d+(\(\d+\)(\([a-z]\))?)?)$"),
        ("ftc-safeguards", r"^314\.4(\([a-j]\)(\(\d+\)(\([ivx]+\))?)?)?$"),
    ]);
    for f in &catalog().frameworks {
        let re = Regex::new(formats[f.header.id.as_str()]).unwrap();
        let mut seen = HashSet::new();
        for r in &f.requirements {
            assert!(re.is_match(&r.id), "{} {}: not an official identifier", f.header.id, r.id);
            assert!(seen.insert(&r.id), "{} {}: twice", f.header.id, r.id);
        }
    }
    assert_eq!(catalog().frameworks.len(), 8);
    let control = Regex::new(r"^CCF-[A-Z]{2}-\d{2}$").unwrap();
    assert!(catalog().controls.iter().all(|c| control.is_match(&c.id)));
}

#[test]
fn every_mapping_targets_an_assessable_requirement_and_every_one_is_covered() {
    let controls: HashSet<&str> = catalog().controls.iter().map(|c| c.id.as_str()).collect();
    assert!((100..=200).contains(&controls.len()), "{} common controls", controls.len());
    for f in &catalog().frameworks {
        let fid = f.header.id.as_str();
        let assessable: HashMap<&str, bool> = f.requirements.iter().map(|r| (r.id.as_str(), r.assessable)).collect();
        let file = catalog().mapping_file(fid).expect("a mapping file per framework");
        assert!(!file.sources.is_empty(), "{fid}: the source of each framework pair is noted");
        assert!(file.sources.iter().all(|s| s.pair.len() == 2 && s.pair[0] == fid && !s.url.is_empty()));
        let mut covered = HashSet::new();
        for m in &file.mappings {
            assert_eq!(
                assessable.get(m.requirement.as_str()),
                Some(&true),
                "{fid}: {} -> {}",
                m.control,
                m.requirement
            );
            assert!(controls.contains(m.control.as_str()), "{fid}: unknown control {}", m.control);
            if m.kind == MappingKind::Primary {
                let relationship = m.relationship.as_deref().unwrap_or("none");
                assert!(["equal", "subset", "superset", "intersects"].contains(&relationship));
                // Coverage counts primary mappings only: the score is made of them.
                covered.insert(m.requirement.as_str());
            } else {
                assert_eq!(m.relationship, None, "{fid}: related {} -> {}", m.control, m.requirement);
            }
        }
        let missing: Vec<&str> = f
            .requirements
            .iter()
            .filter(|r| r.assessable && !covered.contains(r.id.as_str()))
            .map(|r| r.id.as_str())
            .collect();
        assert!(missing.is_empty(), "{fid}: not covered: {missing:?}");
    }
}

#[test]
fn old_identifiers_resolve_to_the_current_requirements() {
    assert_eq!(resolve_alias("nist-csf-2", "PR.AC-1"), ["PR.AA-01", "PR.AA-05"]);
    assert_eq!(resolve_alias("iso27001-2022", "A.9.2.1"), ["A.5.16"]);
    assert_eq!(resolve_alias("cmmc-2", "AC.L1-3.1.1"), ["AC.L1-b.1.i"]);
    // One old control may live on in several new ones (ISO/IEC 27002:2022 Annex B).
    assert_eq!(resolve_alias("iso27001-2022", "A.18.2.3").len(), 2);
    // Category-level relocations noted by NIST.
    assert_eq!(resolve_alias("nist-csf-2", "DE.DP-2"), ["DE.AE"]);
}

#[test]
fn the_access_control_policy_is_mapped_in_every_framework_the_issue_names() {
    let expected = [
        ("hipaa", "164.312(a)(1)"),
        ("soc2", "CC6.1"),
        ("nist-csf-2", "PR.AA-01"),
        ("nist-csf-2", "PR.AA-05"),
        ("iso27001-2022", "A.5.15"),
        ("iso27001-2022", "A.5.16"),
        ("iso27001-2022", "A.5.18"),
        ("cmmc-2", "AC.L2-3.1.1"),
        ("pci-dss-4", "7.2.1"),
    ];
    for (fid, requirement) in expected {
        let file = catalog().mapping_file(fid).unwrap();
        assert!(
            file.mappings.iter().any(|m| m.control == "CCF-AC-01" && m.requirement == requirement),
            "CCF-AC-01 -> {fid} {requirement}"
        );
    }
}

#[test]
fn the_embedded_catalog_validates_and_broken_data_does_not() {
    let report = validate::validate(catalog());
    assert!(report.is_ok(), "{:#?}", report.all_problems());
    assert_eq!(report.frameworks.len(), 8);

    let mut broken = catalog().clone();
    let hipaa = broken.frameworks.iter_mut().find(|f| f.header.id == "hipaa").unwrap();
    hipaa.requirements.iter_mut().find(|r| r.id == "164.312(b)").unwrap().id = "164.312-b".into();
    hipaa.requirements.iter_mut().find(|r| r.id == "164.312(d)").unwrap().parent = Some("164.999".into());
    let mappings = broken.mappings.iter_mut().find(|m| m.framework == "soc2").unwrap();
    mappings.sources.clear();
    mappings.mappings.retain(|m| m.requirement != "CC9.2");
    mappings.mappings[0].relationship = Some("overlaps".into());
    mappings.mappings[1].control = "CCF-XX-99".into();
    mappings.mappings[2].requirement = "CC6".into();
    let report = validate::validate(&broken);
    assert!(!report.is_ok());
    let problems = report.all_problems().join("\n");
    for expected in [
        "hipaa: 164.312-b: not an official standard identifier",
        "hipaa: 164.312(d): parent '164.999' does not exist",
        "hipaa: not covered by a primary mapping of any common control: ",
        "soc2: the mapping file names no source",
        "soc2: not covered by a primary mapping of any common control: CC9.2",
        "unknown relationship 'overlaps'",
        "mapping CCF-XX-99 -> ",
        ": no such common control",
        "-> CC6: the requirement is a grouping node",
    ] {
        assert!(problems.contains(expected), "expected {expected:?} in:\n{problems}");
    }
}
