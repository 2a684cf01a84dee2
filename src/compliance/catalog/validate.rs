//! Validation of the catalog data: one report, used by the tests and by `palisade catalog check`.
//! A framework is "complete" when its structure matches the official one (the counts below) and no rule is
//! broken; "fully covered" when every assessable requirement is mapped from at least one common control.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use super::crosswalk::{self, Agreement, MAX_EXCEPTIONS, MIN_AGREEMENT};
use super::data::{Catalog, EVIDENCE_KINDS, FRAMEWORK_FILES, Framework, MappingKind, RELATIONSHIPS};
use super::ids;

/// The official structure of each framework as modelled: number of requirements of each kind.
pub const STRUCTURE: &[(&str, &[(&str, usize)])] = &[
    // 45 CFR 164.308-164.316: 5 sections, 22 standards, 46 implementation specifications (Appendix A matrix plus
    // 164.314(b)(2)(i)-(iv) and the 164.316 specifications listed separately, as NIST SP 800-66r2 does).
    ("hipaa", &[("section", 5), ("standard", 22), ("implementation_specification", 46)]),
    // AICPA TSP 100 (2017, points of focus 2022): 20 criteria series, 61 criteria (33 common criteria).
    ("soc2", &[("series", 20), ("criterion", 61)]),
    // NIST CSWP 29: 6 Functions, 22 Categories, 106 Subcategories.
    ("nist-csf-2", &[("function", 6), ("category", 22), ("subcategory", 106)]),
    // ISO/IEC 27001:2022: clauses 4-10 (34 numbered subclauses) and Annex A: 4 themes, 93 controls.
    ("iso27001-2022", &[("clause", 7), ("subclause", 34), ("theme", 4), ("control", 93)]),
    // 32 CFR 170.14: 14 domains; Level 1 = 15 FAR 52.204-21 requirements, Level 2 = 110 NIST SP 800-171r2.
    ("cmmc-2", &[("domain", 14), ("requirement", 125)]),
    // PCI DSS v4.0.1: 12 principal requirements + appendices A1-A3, 63 + 8 sections, 250 + 30 requirements.
    ("pci-dss-4", &[("principal", 15), ("section", 71), ("requirement", 280)]),
    // GDPR Chapters II-V and IX (Art. 89) as modelled: 5 chapters, 41 articles, 97 paragraphs, 18 points.
    ("gdpr", &[("chapter", 5), ("article", 41), ("paragraph", 97), ("point", 18)]),
    // 16 CFR 314.4: the section, elements (a)-(j), 48 numbered and roman sub-paragraphs.
    ("ftc-safeguards", &[("section", 1), ("element", 10), ("sub_element", 48)]),
];

/// (framework, attribute key, allowed values; empty = any non-empty text).
const ATTRIBUTES: &[(&str, &str, &[&str])] = &[
    ("hipaa", "implementation", &["Required", "Addressable"]),
    (
        "hipaa",
        "safeguard",
        &["Administrative", "Physical", "Technical", "Organizational", "Policies and documentation"],
    ),
    ("soc2", "category", &["Security", "Availability", "Confidentiality", "Processing Integrity", "Privacy"]),
    ("soc2", "series", &[]),
    (
        "soc2",
        "coso_principle",
        &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17"],
    ),
    ("nist-csf-2", "function", &["Govern", "Identify", "Protect", "Detect", "Respond", "Recover"]),
    ("iso27001-2022", "part", &["Clause", "Annex A"]),
    ("iso27001-2022", "theme", &["Organizational", "People", "Physical", "Technological"]),
    ("iso27001-2022", "control_type", &[]),
    ("iso27001-2022", "security_properties", &[]),
    ("iso27001-2022", "cybersecurity_concepts", &[]),
    ("cmmc-2", "level", &["1", "2"]),
    ("cmmc-2", "domain", &[]),
    ("cmmc-2", "nist_800_171", &[]),
    ("cmmc-2", "far_52_204_21", &[]),
    ("pci-dss-4", "principal", &[]),
    ("pci-dss-4", "applicability", &[]),
    ("pci-dss-4", "best_practice_until", &[]),
    ("gdpr", "chapter", &[]),
    ("gdpr", "article", &[]),
    ("gdpr", "role", &["Controller", "Processor", "Controller and processor"]),
    ("ftc-safeguards", "element", &[]),
    ("ftc-safeguards", "small_institution_exempt", &["yes"]),
];

/// What `catalog check` prints for one framework.
#[derive(Clone, Debug, Default)]
pub struct FrameworkReport {
    pub id: String,
    pub short_name: String,
    pub total: usize,
    pub assessable: usize,
    pub grouping: usize,
    pub aliases: usize,
    /// Assessable requirements mapped from at least one common control by a primary mapping.
    pub covered: usize,
    pub mappings: usize,
    pub related: usize,
    /// Requirements per kind, in level order.
    pub kinds: Vec<(String, usize)>,
    pub problems: Vec<String>,
}

impl FrameworkReport {
    pub fn coverage_percent(&self) -> f64 {
        if self.assessable == 0 { 0.0 } else { self.covered as f64 * 100.0 / self.assessable as f64 }
    }
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty() && self.covered == self.assessable && self.assessable > 0
    }
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub version: String,
    pub content_hash: String,
    pub domains: usize,
    pub controls: usize,
    pub mappings: usize,
    pub frameworks: Vec<FrameworkReport>,
    /// How the links agree with each published crosswalk.
    pub crosswalks: Vec<Agreement>,
    /// Problems not tied to one framework (parse errors, controls, domains, crosswalk files).
    pub problems: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
            && !self.frameworks.is_empty()
            && self.frameworks.iter().all(FrameworkReport::is_ok)
            && !self.crosswalks.is_empty()
            && self.crosswalks.iter().all(Agreement::is_ok)
    }

    /// Every problem, each prefixed by its framework where it has one.
    pub fn all_problems(&self) -> Vec<String> {
        let mut all = self.problems.clone();
        for f in &self.frameworks {
            all.extend(f.problems.iter().map(|p| format!("{}: {p}", f.id)));
        }
        for a in self.crosswalks.iter().filter(|a| !a.is_ok()) {
            all.push(format!(
                "crosswalk {}: {:.1}% of the published pairs linked (at least {MIN_AGREEMENT}%), {:.1}% reviewed \
                 exceptions (under {MAX_EXCEPTIONS}%); not linked: {}",
                a.id,
                a.share(),
                a.exception_share(),
                a.unlinked.iter().take(20).map(|(x, y)| format!("{x} / {y}")).collect::<Vec<_>>().join(", ")
            ));
        }
        all
    }

    /// The text `palisade catalog check` prints.
    fn related(&self) -> usize {
        self.frameworks.iter().map(|f| f.related).sum()
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let short_hash: String = self.content_hash.chars().take(12).collect();
        let _ = writeln!(out, "Palisade compliance catalog {} (content {short_hash})", self.version);
        let _ = writeln!(
            out,
            "Common Control Framework: {} controls in {} domains, {} mappings ({} primary, {} related)\n",
            self.controls,
            self.domains,
            self.mappings,
            self.mappings - self.related(),
            self.related()
        );
        let _ = writeln!(
            out,
            "{:<16} {:>14} {:>9} {:>8} {:>9}  status",
            "framework", "assessable/all", "grouping", "aliases", "mapped"
        );
        for f in &self.frameworks {
            let status = if f.is_ok() {
                "complete and fully covered".to_string()
            } else {
                format!("{} problem(s)", f.problems.len() + usize::from(f.covered < f.assessable))
            };
            let _ = writeln!(
                out,
                "{:<16} {:>14} {:>9} {:>8} {:>8.1}%  {status}",
                f.id,
                format!("{}/{}", f.assessable, f.total),
                f.grouping,
                f.aliases,
                f.coverage_percent()
            );
        }
        let _ = writeln!(out, "\nAgreement with the published crosswalks (linked: a common control maps to both):");
        let _ = writeln!(
            out,
            "{:<26} {:>6} {:>11} {:>7} {:>8}  status",
            "crosswalk", "pairs", "exceptions", "linked", "share"
        );
        for a in &self.crosswalks {
            let _ = writeln!(
                out,
                "{:<26} {:>6} {:>5} {:>4.1}% {:>7} {:>7.1}%  {}",
                a.id,
                a.pairs,
                a.exceptions,
                a.exception_share(),
                a.linked,
                a.share(),
                if a.is_ok() { "ok" } else { "below the bar" }
            );
            let short: String = a.revision.chars().take(12).collect();
            let _ = writeln!(out, "{:<26} {} {} @ {short}", "", a.repository, a.path);
        }
        let problems = self.all_problems();
        if problems.is_empty() && self.is_ok() {
            let _ = writeln!(out, "\nAll {} frameworks complete and fully covered.", self.frameworks.len());
        } else {
            let _ = writeln!(out, "\n{} problem(s):", problems.len().max(1));
            for p in &problems {
                let _ = writeln!(out, "  - {p}");
            }
        }
        out
    }
}

/// Parses the embedded files and validates them.
pub fn check_embedded() -> Report {
    match Catalog::parse_embedded() {
        Ok(catalog) => validate(&catalog),
        Err(errors) => Report { problems: errors, ..Report::default() },
    }
}

/// Parses a data directory and validates it.
pub fn check_dir(dir: &std::path::Path) -> Report {
    match Catalog::parse_dir(dir) {
        Ok(catalog) => validate(&catalog),
        Err(errors) => Report { problems: errors, ..Report::default() },
    }
}

pub fn validate(catalog: &Catalog) -> Report {
    let mut report = Report {
        version: catalog.version.clone(),
        content_hash: catalog.content_hash(),
        domains: catalog.domains.len(),
        controls: catalog.controls.len(),
        mappings: catalog.mappings.iter().map(|m| m.mappings.len()).sum(),
        ..Report::default()
    };
    if catalog.version.trim().is_empty() {
        report.problems.push("the catalog has no version".into());
    }
    let controls = check_controls(catalog, &mut report.problems);
    let known: HashSet<&str> = FRAMEWORK_FILES.iter().map(|(id, _)| *id).collect();
    let mut seen = HashSet::new();
    for framework in &catalog.frameworks {
        let id = framework.header.id.as_str();
        if !known.contains(id) {
            report.problems.push(format!("unknown framework id '{id}'"));
        }
        if !seen.insert(id) {
            report.problems.push(format!("framework '{id}' appears twice"));
        }
        report.frameworks.push(check_framework(catalog, framework, &controls));
    }
    for (id, _) in FRAMEWORK_FILES {
        if catalog.framework(id).is_none() {
            report.problems.push(format!("framework '{id}' is missing"));
        }
    }
    for m in &catalog.mappings {
        if catalog.framework(&m.framework).is_none() {
            report.problems.push(format!("mapping file for unknown framework '{}'", m.framework));
        }
    }
    check_crosswalks(catalog, &mut report.problems);
    report.crosswalks = crosswalk::agreement(catalog);
    report
}

/// The crosswalk files and the reviewed exceptions: known frameworks and assessable requirements, a recorded
/// source, and exceptions that name a published pair with a reason.
fn check_crosswalks(catalog: &Catalog, problems: &mut Vec<String>) {
    let assessable = |framework: &str, id: &str| {
        catalog.framework(framework).is_some_and(|f| f.requirements.iter().any(|r| r.id == id && r.assessable))
    };
    for cw in &catalog.crosswalks {
        let what = format!("crosswalk {}", cw.id);
        if catalog.framework(&cw.from).is_none() || catalog.framework(&cw.to).is_none() || cw.from == cw.to {
            problems.push(format!("{what}: from/to must be two catalog frameworks"));
        }
        let revision_ok = cw.revision.len() == 40 && cw.revision.chars().all(|c| c.is_ascii_hexdigit());
        if cw.repository.split('/').count() != 2 || cw.path.trim().is_empty() || !revision_ok {
            problems.push(format!("{what}: needs the repository (owner/name), the path and the 40-digit commit"));
        }
        if cw.pairs.is_empty() {
            problems.push(format!("{what}: no pairs"));
        }
        for (a, b) in &cw.pairs {
            if !assessable(&cw.from, a) || !assessable(&cw.to, b) {
                problems.push(format!("{what}: pair {a} / {b} is not two assessable requirements"));
            }
        }
    }
    let mut seen = HashSet::new();
    for e in &catalog.exceptions {
        let (a, b) = (&e.pair.0, &e.pair.1);
        let what = format!("exception {} {a} / {b}", e.crosswalk);
        match catalog.crosswalk(&e.crosswalk) {
            None => problems.push(format!("{what}: no such crosswalk")),
            Some(cw) if !cw.pairs.iter().any(|(x, y)| x == a && y == b) => {
                problems.push(format!("{what}: not a published pair of the crosswalk"));
            }
            Some(_) => {}
        }
        if e.reason.trim().is_empty() {
            problems.push(format!("{what}: needs a reason"));
        }
        if !seen.insert((&e.crosswalk, a, b)) {
            problems.push(format!("{what}: listed twice"));
        }
    }
}

/// Checks domains and controls; returns the control ids.
fn check_controls<'a>(catalog: &'a Catalog, problems: &mut Vec<String>) -> HashSet<&'a str> {
    let mut domains = HashSet::new();
    for d in &catalog.domains {
        if d.id.len() != 2 || !d.id.chars().all(|c| c.is_ascii_uppercase()) {
            problems.push(format!("domain id '{}' is not two capital letters", d.id));
        }
        if !domains.insert(d.id.as_str()) {
            problems.push(format!("domain '{}' appears twice", d.id));
        }
        if d.name.trim().is_empty() || d.description.trim().is_empty() {
            problems.push(format!("domain '{}' needs a name and a description", d.id));
        }
    }
    let mut ids = HashSet::new();
    for c in &catalog.controls {
        let well_formed =
            c.id.strip_prefix("CCF-")
                .and_then(|rest| rest.split_once('-'))
                .is_some_and(|(d, n)| d == c.domain && n.len() == 2 && n.chars().all(|ch| ch.is_ascii_digit()));
        if !well_formed {
            problems.push(format!("control id '{}' is not CCF-{}-NN", c.id, c.domain));
        }
        if !ids.insert(c.id.as_str()) {
            problems.push(format!("control '{}' appears twice", c.id));
        }
        if !domains.contains(c.domain.as_str()) {
            problems.push(format!("control '{}' is in unknown domain '{}'", c.id, c.domain));
        }
        if c.title.trim().is_empty() || c.description.trim().is_empty() {
            problems.push(format!("control '{}' needs a title and a description", c.id));
        }
        if c.evidence.is_empty() {
            problems.push(format!("control '{}' suggests no evidence", c.id));
        }
        for e in &c.evidence {
            if !EVIDENCE_KINDS.contains(&e.kind.as_str()) || e.what.trim().is_empty() {
                problems.push(format!("control '{}': evidence '{}' has an unknown kind or no text", c.id, e.kind));
            }
        }
    }
    ids
}

fn check_framework(catalog: &Catalog, framework: &Framework, controls: &HashSet<&str>) -> FrameworkReport {
    let h = &framework.header;
    let fid = h.id.as_str();
    let mut problems = Vec::new();
    for (field, value) in [("name", &h.name), ("short_name", &h.short_name), ("version", &h.version), ("url", &h.url)] {
        if value.trim().is_empty() {
            problems.push(format!("framework {field} is empty"));
        }
    }
    if !h.url.starts_with("https://") {
        problems.push(format!("framework url '{}' is not an https:// address", h.url));
    }
    if h.levels.is_empty() || h.sources.is_empty() {
        problems.push("the framework needs levels and sources".into());
    }
    let (assessable, aliases) = check_requirements(framework, &mut problems);
    check_structure(framework, &mut problems);

    let mut mapped: HashSet<&str> = HashSet::new();
    let mut mappings = 0;
    let mut related = 0;
    match catalog.mapping_file(fid) {
        None => problems.push(format!("no mapping file ccf/mappings/{fid}.toml")),
        Some(file) => {
            if file.sources.is_empty() {
                problems.push("the mapping file names no source".into());
            }
            for s in &file.sources {
                let pair_ok = s.pair.len() == 2
                    && s.pair[0] == fid
                    && (s.pair[1] == "ccf" || FRAMEWORK_FILES.iter().any(|(id, _)| *id == s.pair[1]));
                if !pair_ok || s.title.trim().is_empty() || !s.url.starts_with("https://") {
                    problems.push(format!(
                        "mapping source {:?} needs a pair [{fid}, other], a title and an https:// url",
                        s.pair
                    ));
                }
                if let Some(id) = &s.crosswalk {
                    let matches = catalog.crosswalk(id).is_some_and(|cw| {
                        s.pair.len() == 2
                            && ((cw.from == s.pair[0] && cw.to == s.pair[1])
                                || (cw.from == s.pair[1] && cw.to == s.pair[0]))
                    });
                    if !matches {
                        problems.push(format!(
                            "mapping source {:?}: crosswalk '{id}' is not a crosswalk of the pair",
                            s.pair
                        ));
                    }
                }
            }
            let mut pairs = HashSet::new();
            for m in &file.mappings {
                mappings += 1;
                let what = format!("mapping {} -> {}", m.control, m.requirement);
                if !controls.contains(m.control.as_str()) {
                    problems.push(format!("{what}: no such common control"));
                }
                match assessable.get(m.requirement.as_str()) {
                    None => problems.push(format!("{what}: no such requirement")),
                    Some(false) => problems.push(format!("{what}: the requirement is a grouping node")),
                    Some(true) if m.kind == MappingKind::Primary => {
                        mapped.insert(m.requirement.as_str());
                    }
                    Some(true) => {}
                }
                match (m.kind, m.relationship.as_deref()) {
                    (MappingKind::Primary, None) => {
                        problems.push(format!("{what}: a primary mapping needs a relationship"))
                    }
                    (MappingKind::Primary, Some(r)) if !RELATIONSHIPS.contains(&r) => {
                        problems.push(format!("{what}: unknown relationship '{r}'"));
                    }
                    (MappingKind::Related, Some(_)) => {
                        problems.push(format!("{what}: a related mapping takes no relationship (primary only)"));
                    }
                    _ => {}
                }
                if m.kind == MappingKind::Related {
                    related += 1;
                }
                if !pairs.insert((m.control.as_str(), m.requirement.as_str())) {
                    problems.push(format!("{what} appears twice"));
                }
            }
        }
    }
    let uncovered: Vec<&str> = framework
        .requirements
        .iter()
        .filter(|r| r.assessable && !mapped.contains(r.id.as_str()))
        .map(|r| r.id.as_str())
        .collect();
    if !uncovered.is_empty() {
        problems.push(format!("not covered by a primary mapping of any common control: {}", uncovered.join(", ")));
    }
    let assessable_count = framework.requirements.iter().filter(|r| r.assessable).count();
    let mut kinds: Vec<(String, usize)> = h.levels.iter().map(|l| (l.clone(), 0)).collect();
    for r in &framework.requirements {
        if let Some(k) = kinds.iter_mut().find(|(l, _)| *l == r.kind) {
            k.1 += 1;
        }
    }
    FrameworkReport {
        id: h.id.clone(),
        short_name: h.short_name.clone(),
        total: framework.requirements.len(),
        assessable: assessable_count,
        grouping: framework.requirements.len() - assessable_count,
        aliases,
        covered: mapped.len(),
        mappings,
        related,
        kinds,
        problems,
    }
}

/// Ids, kinds, parents, aliases and attributes; returns id -> assessable and the number of aliases.
fn check_requirements<'a>(framework: &'a Framework, problems: &mut Vec<String>) -> (HashMap<&'a str, bool>, usize) {
    let fid = framework.header.id.as_str();
    let levels = &framework.header.levels;
    let mut seen: HashMap<&str, (bool, usize)> = HashMap::new();
    let mut children: HashMap<&str, usize> = HashMap::new();
    let mut aliases = 0;
    let current: HashSet<&str> = framework.requirements.iter().map(|r| r.id.as_str()).collect();
    for r in &framework.requirements {
        let id = r.id.as_str();
        let level = levels.iter().position(|l| *l == r.kind);
        match level {
            None => problems.push(format!("{id}: kind '{}' is not one of the levels {levels:?}", r.kind)),
            Some(_) => match ids::id_format_ok(fid, &r.kind, id) {
                Some(true) => {}
                Some(false) => problems.push(format!(
                    "{id}: not an official {} identifier ({})",
                    r.kind,
                    ids::id_format(fid, &r.kind)
                )),
                None => problems.push(format!("{id}: no identifier format for kind '{}'", r.kind)),
            },
        }
        if let Some(parent) = r.parent.as_deref() {
            match seen.get(parent) {
                None => problems.push(format!("{id}: parent '{parent}' does not exist or comes later")),
                Some((_, parent_level)) => {
                    *children.entry(parent).or_default() += 1;
                    if level.is_some_and(|l| l < *parent_level) {
                        problems.push(format!("{id}: a {} cannot sit under a higher level", r.kind));
                    }
                    if !extends(fid, parent, id) {
                        problems.push(format!("{id}: the identifier does not extend its parent '{parent}'"));
                    }
                }
            }
        }
        if seen.insert(id, (r.assessable, level.unwrap_or(0))).is_some() {
            problems.push(format!("{id}: appears twice"));
        }
        if r.title.trim().is_empty() || r.summary.trim().is_empty() {
            problems.push(format!("{id}: needs a title and a summary"));
        }
        let mut own = HashSet::new();
        for alias in &r.aliases {
            aliases += 1;
            if !ids::alias_format_ok(fid, alias) {
                problems.push(format!("{id}: alias '{alias}' is not a known older identifier format"));
            }
            if current.contains(alias.as_str()) {
                problems.push(format!("{id}: alias '{alias}' is also a current identifier"));
            }
            if !own.insert(alias.as_str()) {
                problems.push(format!("{id}: alias '{alias}' is listed twice"));
            }
        }
        check_attributes(fid, r, problems);
    }
    for r in &framework.requirements {
        if !r.assessable && !children.contains_key(r.id.as_str()) {
            problems.push(format!("{}: a grouping node (assessable = false) without children", r.id));
        }
    }
    (seen.into_iter().map(|(id, (a, _))| (id, a)).collect(), aliases)
}

/// Does a child identifier continue its parent's? GDPR articles sit under chapters by number range, and HIPAA
/// implementation specifications (a)(2)(i) under their standard (a)(1): only the paragraph letter is shared.
fn extends(fid: &str, parent: &str, id: &str) -> bool {
    match fid {
        "gdpr" if parent.starts_with("Chapter ") => true,
        "hipaa" => {
            let paragraph = |s: &str| s.find(')').map(|i| s[..=i].to_string()).unwrap_or_else(|| s.to_string());
            id.starts_with(&paragraph(parent))
        }
        _ => id.starts_with(parent),
    }
}

fn check_attributes(fid: &str, r: &super::data::Requirement, problems: &mut Vec<String>) {
    let id = r.id.as_str();
    for (key, value) in &r.attributes {
        match ATTRIBUTES.iter().find(|(f, k, _)| *f == fid && k == key) {
            None => problems.push(format!("{id}: unknown attribute '{key}'")),
            Some((_, _, allowed)) => {
                let ok = if allowed.is_empty() { !value.trim().is_empty() } else { allowed.contains(&value.as_str()) };
                if !ok {
                    problems.push(format!("{id}: attribute {key} = '{value}' is not one of {allowed:?}"));
                }
            }
        }
    }
    let attr = |k: &str| r.attributes.get(k).map(String::as_str);
    match fid {
        "hipaa" if r.kind != "section" && attr("implementation").is_none() => {
            problems.push(format!("{id}: needs implementation = Required | Addressable"));
        }
        "hipaa" if r.kind == "standard" && attr("implementation") != Some("Required") => {
            problems.push(format!("{id}: standards are Required"));
        }
        "cmmc-2" if r.kind == "requirement" => {
            let level = if id.contains(".L1-") { "1" } else { "2" };
            if attr("level") != Some(level) {
                problems.push(format!("{id}: level attribute must be {level}"));
            }
        }
        "soc2" if attr("category").is_none() => problems.push(format!("{id}: needs a category")),
        "pci-dss-4" => {
            if let Some(date) = attr("best_practice_until")
                && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err()
            {
                problems.push(format!("{id}: best_practice_until '{date}' is not a date"));
            }
            if attr("principal") != id.split('.').next() {
                problems.push(format!("{id}: principal attribute must be {}", id.split('.').next().unwrap_or("")));
            }
        }
        _ => {}
    }
}

/// The counts per kind against the official structure.
fn check_structure(framework: &Framework, problems: &mut Vec<String>) {
    let fid = framework.header.id.as_str();
    let Some((_, expected)) = STRUCTURE.iter().find(|(f, _)| *f == fid) else {
        problems.push("no official structure recorded for this framework".into());
        return;
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &framework.requirements {
        *counts.entry(r.kind.as_str()).or_default() += 1;
    }
    for (kind, want) in *expected {
        let have = counts.get(kind).copied().unwrap_or(0);
        if have != *want {
            problems.push(format!("{have} requirements of kind {kind}, the official structure has {want}"));
        }
    }
}
