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

/// A published crosswalk (or our own reading) that a framework pair's mappings were checked against.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub pair: Vec<String>,
    pub title: String,
    pub url: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub control: String,
    pub requirement: String,
    /// equal | subset | superset | intersects: the common control relative to the requirement.
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
}

impl Catalog {
    /// Parses every embedded file; the errors name the file and the line.
    pub fn parse_embedded() -> Result<Catalog, Vec<String>> {
        Catalog::parse(FRAMEWORK_FILES, CONTROLS_FILE, MAPPING_FILES)
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let frameworks: Vec<(&str, &str)> = frameworks.iter().map(|(id, text)| (*id, text.as_str())).collect();
        let mappings: Vec<(&str, &str)> = mappings.iter().map(|(id, text)| (*id, text.as_str())).collect();
        Catalog::parse(&frameworks, &controls, &mappings)
    }

    pub fn parse(
        framework_files: &[(&str, &str)],
        controls_file: &str,
        mapping_files: &[(&str, &str)],
    ) -> Result<Catalog, Vec<String>> {
        let mut errors = Vec::new();
        let mut frameworks = Vec::new();
        for (id, text) in framework_files {
            match toml::from_str::<Framework>(text) {
                Ok(f) => frameworks.push(f),
                Err(e) => errors.push(format!("frameworks/{id}.toml: {e}")),
            }
        }
        let controls = match toml::from_str::<ControlsFile>(controls_file) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(format!("ccf/controls.toml: {e}"));
                None
            }
        };
        let mut mappings = Vec::new();
        for (id, text) in mapping_files {
            match toml::from_str::<MappingFile>(text) {
                Ok(m) => mappings.push(m),
                Err(e) => errors.push(format!("ccf/mappings/{id}.toml: {e}")),
            }
        }
        match controls {
            Some(c) if errors.is_empty() => Ok(Catalog {
                version: c.catalog.version,
                frameworks,
                domains: c.domains,
                controls: c.controls,
                mappings,
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
}

/// The embedded catalog, parsed once; an error lists every file that does not parse.
pub fn embedded() -> Result<&'static Catalog, String> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse_embedded().map_err(|errors| errors.join("\n"))).as_ref().map_err(Clone::clone)
}
