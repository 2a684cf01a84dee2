//! The catalog as data: every file under `data/` embedded in the binary, parsed into plain Rust values. The
//! format is described in `data/README.md`; `validate` checks what the types cannot.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The framework files, in the order the catalog presents them.
pub const FRAMEWORK_FILES: &[(&str, &str)] = &[
    ("hipaa", include_str!("data/frameworks/hipaa.toml")),
    ("soc2", include_str!("data/frameworks/soc2.toml")),
    ("nist-csf-2", include_str!("data/frameworks/nist-csf-2.toml")),
    ("iso27001-2022", include_str!("data/frameworks/iso27001-2022.toml")),
    ("cmmc-2", include_str!("data/frameworks/cmmc-2.toml")),
    ("pci-dss-4", include_str!("data/frameworks/pci-dss-4.toml")),
    ("gdpr", include_str!("data/frameworks/gdpr.toml")),
    ("ftc-safeguards", include_str!("data/frameworks/ftc-safeguards.toml")),
];

pub const CONTROLS_FILE: &str = include_str!("data/ccf/controls.toml");

/// The published crosswalks the mappings are checked against (`data/crosswalks/<id>.toml`), extracted from the
/// public files by `tools/crosswalks/extract.py`.
pub const CROSSWALK_FILES: &[(&str, &str)] = &[
    ("hipaa_nist-csf-2", include_str!("data/crosswalks/hipaa_nist-csf-2.toml")),
    ("nist-csf-2_iso27001-2022", include_str!("data/crosswalks/nist-csf-2_iso27001-2022.toml")),
    ("pci-dss-4_nist-csf-2", include_str!("data/crosswalks/pci-dss-4_nist-csf-2.toml")),
    ("soc2_iso27001-2022", include_str!("data/crosswalks/soc2_iso27001-2022.toml")),
];

/// The published pairs deliberately left unlinked, each with its reason.
pub const EXCEPTIONS_FILE: &str = include_str!("data/crosswalks/exceptions.toml");

/// One mapping file per framework, named by the framework id.
pub const MAPPING_FILES: &[(&str, &str)] = &[
    ("hipaa", include_str!("data/ccf/mappings/hipaa.toml")),
    ("soc2", include_str!("data/ccf/mappings/soc2.toml")),
    ("nist-csf-2", include_str!("data/ccf/mappings/nist-csf-2.toml")),
    ("iso27001-2022", include_str!("data/ccf/mappings/iso27001-2022.toml")),
    ("cmmc-2", include_str!("data/ccf/mappings/cmmc-2.toml")),
    ("pci-dss-4", include_str!("data/ccf/mappings/pci-dss-4.toml")),
    ("gdpr", include_str!("data/ccf/mappings/gdpr.toml")),
    ("ftc-safeguards", include_str!("data/ccf/mappings/ftc-safeguards.toml")),
];

/// `frameworks/<id>.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    #[serde(rename = "framework")]
    pub header: FrameworkHeader,
    #[serde(rename = "requirement", default)]
    pub requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkHeader {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub version: String,
    pub publisher: String,
    pub url: String,
    pub description: String,
    /// Hierarchy level names, top-down; every requirement's kind is one of them.
    pub levels: Vec<String>,
    /// The official documents the structure and counts were taken from.
    pub sources: Vec<String>,
}

fn assessable_default() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub title: String,
    pub summary: String,
    /// False for pure grouping nodes that are not assessed on their own.
    #[serde(default = "assessable_default")]
    pub assessable: bool,
    /// Older identifiers that still resolve to this requirement.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// `ccf/controls.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ControlsFile {
    pub catalog: CatalogHeader,
    #[serde(rename = "domain", default)]
    pub domains: Vec<Domain>,
    #[serde(rename = "control", default)]
    pub controls: Vec<Control>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogHeader {
    pub version: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub domain: String,
    pub title: String,
    pub description: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub kind: String,
    pub what: String,
}

/// `ccf/mappings/<framework-id>.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub framework: String,
    #[serde(rename = "source", default)]
    pub sources: Vec<Source>,
    #[serde(rename = "mapping", default)]
    pub mappings: Vec<Mapping>,
}

/// A published crosswalk (or our own reading) that a framework pair's mappings follow: a claim, checked by
/// `catalog check` when it names a crosswalk file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub pair: Vec<String>,
    pub title: String,
    pub url: String,
    /// The id of the extracted crosswalk (`data/crosswalks/<id>.toml`) the links are measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crosswalk: Option<String>,
}

/// Primary: implementing the control is part of meeting the requirement (scores use only these). Related: the
/// control contributes to the requirement or overlaps it (crosswalks and "what else this work helps", never
/// scores).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum MappingKind {
    #[default]
    Primary,
    Related,
}

impl MappingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingKind::Primary => "primary",
            MappingKind::Related => "related",
        }
    }

    /// The stored text back; anything but "related" is primary (the column's CHECK allows only the two).
    pub fn parse(text: &str) -> MappingKind {
        if text == "related" { MappingKind::Related } else { MappingKind::Primary }
    }

    pub fn is_primary(&self) -> bool {
        *self == MappingKind::Primary
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub control: String,
    pub requirement: String,
    #[serde(default, skip_serializing_if = "MappingKind::is_primary")]
    pub kind: MappingKind,
    /// equal | subset | superset | intersects: the common control relative to the requirement. Primary
    /// mappings only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `crosswalks/<id>.toml`: the pairs of one published crosswalk, in the catalog's identifiers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkFile {
    pub crosswalk: Crosswalk,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Crosswalk {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub url: String,
    /// Where the extracted file is: repository (owner/name), path in it, and the commit read.
    pub repository: String,
    pub path: String,
    pub revision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub from: String,
    pub to: String,
    /// Rows in the published file, and the rows that are not requirement pairs (left out by the extraction).
    pub source_rows: usize,
    pub skipped_rows: usize,
    /// [requirement of `from`, requirement of `to`].
    pub pairs: Vec<(String, String)>,
}

/// `crosswalks/exceptions.toml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionsFile {
    #[serde(rename = "exception", default)]
    pub exceptions: Vec<CrosswalkException>,
}

/// A published pair reviewed and deliberately not linked.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkException {
    pub crosswalk: String,
    pub pair: (String, String),
    pub reason: String,
}

pub const RELATIONSHIPS: &[&str] = &["equal", "subset", "superset", "intersects"];
pub const EVIDENCE_KINDS: &[&str] =
    &["document", "screenshot", "ticket", "export", "configuration", "log", "attestation", "report"];

/// The whole catalog.
#[derive(Clone, Debug, Serialize)]
pub struct Catalog {
    pub version: String,
    pub frameworks: Vec<Framework>,
    pub domains: Vec<Domain>,
    pub controls: Vec<Control>,
    pub mappings: Vec<MappingFile>,
    /// Measured against, never loaded: not part of the content hash.
    #[serde(skip)]
    pub crosswalks: Vec<Crosswalk>,
    #[serde(skip)]
    pub exceptions: Vec<CrosswalkException>,
}

/// The text of every data file, by role, as `Catalog::parse` takes them.
pub struct Files<'a> {
    pub frameworks: &'a [(&'a str, &'a str)],
    pub controls: &'a str,
    pub mappings: &'a [(&'a str, &'a str)],
    pub crosswalks: &'a [(&'a str, &'a str)],
    pub exceptions: &'a str,
}

impl Catalog {
    /// Parses every embedded file; the errors name the file and the line.
    pub fn parse_embedded() -> Result<Catalog, Vec<String>> {
        Catalog::parse(Files {
            frameworks: FRAMEWORK_FILES,
            controls: CONTROLS_FILE,
            mappings: MAPPING_FILES,
            crosswalks: CROSSWALK_FILES,
            exceptions: EXCEPTIONS_FILE,
        })
    }

    /// Parses a data directory laid out like `data/` (to check edits without rebuilding the binary).
    pub fn parse_dir(dir: &std::path::Path) -> Result<Catalog, Vec<String>> {
        let mut errors = Vec::new();
        let mut read = |rel: String| match std::fs::read_to_string(dir.join(&rel)) {
            Ok(text) => text,
            Err(e) => {
                errors.push(format!("{}: {e}", dir.join(&rel).display()));
                String::new()
            }
        };
        let frameworks: Vec<(&str, String)> =
            FRAMEWORK_FILES.iter().map(|(id, _)| (*id, read(format!("frameworks/{id}.toml")))).collect();
        let controls = read("ccf/controls.toml".into());
        let mappings: Vec<(&str, String)> =
            MAPPING_FILES.iter().map(|(id, _)| (*id, read(format!("ccf/mappings/{id}.toml")))).collect();
        let crosswalks: Vec<(&str, String)> =
            CROSSWALK_FILES.iter().map(|(id, _)| (*id, read(format!("crosswalks/{id}.toml")))).collect();
        let exceptions = read("crosswalks/exceptions.toml".into());
        if !errors.is_empty() {
            return Err(errors);
        }
        let (frameworks, mappings, crosswalks) = (texts(&frameworks), texts(&mappings), texts(&crosswalks));
        Catalog::parse(Files {
            frameworks: &frameworks,
            controls: &controls,
            mappings: &mappings,
            crosswalks: &crosswalks,
            exceptions: &exceptions,
        })
    }

    pub fn parse(files: Files<'_>) -> Result<Catalog, Vec<String>> {
        let mut errors = Vec::new();
        let mut frameworks = Vec::new();
        for (id, text) in files.frameworks {
            match toml::from_str::<Framework>(text) {
                Ok(f) => frameworks.push(f),
                Err(e) => errors.push(format!("frameworks/{id}.toml: {e}")),
            }
        }
        let controls = match toml::from_str::<ControlsFile>(files.controls) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(format!("ccf/controls.toml: {e}"));
                None
            }
        };
        let mut mappings = Vec::new();
        for (id, text) in files.mappings {
            match toml::from_str::<MappingFile>(text) {
                Ok(m) => mappings.push(m),
                Err(e) => errors.push(format!("ccf/mappings/{id}.toml: {e}")),
            }
        }
        let mut crosswalks = Vec::new();
        for (id, text) in files.crosswalks {
            match toml::from_str::<CrosswalkFile>(text) {
                Ok(file) => crosswalks.push(Crosswalk { id: id.to_string(), ..file.crosswalk }),
                Err(e) => errors.push(format!("crosswalks/{id}.toml: {e}")),
            }
        }
        let exceptions = toml::from_str::<ExceptionsFile>(files.exceptions).unwrap_or_else(|e| {
            errors.push(format!("crosswalks/exceptions.toml: {e}"));
            ExceptionsFile::default()
        });
        match controls {
            Some(c) if errors.is_empty() => Ok(Catalog {
                version: c.catalog.version,
                frameworks,
                domains: c.domains,
                controls: c.controls,
                mappings,
                crosswalks,
                exceptions: exceptions.exceptions,
            }),
            _ => Err(errors),
        }
    }

    /// A fingerprint of the content: the loader re-imports when it differs from the stored one.
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.header.id == id)
    }

    pub fn mapping_file(&self, framework_id: &str) -> Option<&MappingFile> {
        self.mappings.iter().find(|m| m.framework == framework_id)
    }

    pub fn crosswalk(&self, id: &str) -> Option<&Crosswalk> {
        self.crosswalks.iter().find(|c| c.id == id)
    }
}

/// (id, owned text) pairs as (id, &str), the shape `Catalog::parse` takes.
fn texts<'a>(files: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    files.iter().map(|(id, text)| (*id, text.as_str())).collect()
}

/// The embedded catalog, parsed once; an error lists every file that does not parse.
pub fn embedded() -> Result<&'static Catalog, String> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse_embedded().map_err(|errors| errors.join("\n"))).as_ref().map_err(Clone::clone)
}
