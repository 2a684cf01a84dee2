//! `palisade catalog export`: the whole catalog as one JSON document (frameworks with their requirements,
//! attributes and aliases; domains; common controls with suggested evidence; mappings; mapping sources).

use serde::Serialize;

use super::data::{Catalog, Control, Crosswalk, CrosswalkException, Domain, FrameworkHeader, Requirement};

#[derive(Serialize)]
pub struct Export<'a> {
    pub version: &'a str,
    pub content_hash: String,
    pub frameworks: Vec<FrameworkOut<'a>>,
    pub domains: &'a [Domain],
    pub controls: &'a [Control],
    pub mappings: Vec<MappingOut<'a>>,
    pub mapping_sources: Vec<SourceOut<'a>>,
    /// The published crosswalks the mappings are measured against, and the pairs reviewed out of them.
    pub crosswalks: &'a [Crosswalk],
    pub crosswalk_exceptions: &'a [CrosswalkException],
}

/// A framework's header fields and its requirements, in one object.
#[derive(Serialize)]
pub struct FrameworkOut<'a> {
    #[serde(flatten)]
    pub header: &'a FrameworkHeader,
    pub requirements: &'a [Requirement],
}

#[derive(Serialize)]
pub struct MappingOut<'a> {
    pub framework: &'a str,
    pub control: &'a str,
    pub requirement: &'a str,
    /// primary | related
    pub kind: &'a str,
    /// On primary mappings only.
    pub relationship: Option<&'a str>,
    pub note: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SourceOut<'a> {
    pub framework: &'a str,
    pub pair: &'a [String],
    pub title: &'a str,
    pub url: &'a str,
    pub crosswalk: Option<&'a str>,
}

pub fn export(catalog: &Catalog) -> Export<'_> {
    Export {
        version: &catalog.version,
        content_hash: catalog.content_hash(),
        frameworks: catalog
            .frameworks
            .iter()
            .map(|f| FrameworkOut { header: &f.header, requirements: &f.requirements })
            .collect(),
        domains: &catalog.domains,
        controls: &catalog.controls,
        mappings: catalog
            .mappings
            .iter()
            .flat_map(|file| {
                file.mappings.iter().map(move |m| MappingOut {
                    framework: &file.framework,
                    control: &m.control,
                    requirement: &m.requirement,
                    kind: m.kind.as_str(),
                    relationship: m.relationship.as_deref(),
                    note: m.note.as_deref(),
                })
            })
            .collect(),
        mapping_sources: catalog
            .mappings
            .iter()
            .flat_map(|file| {
                file.sources.iter().map(move |s| SourceOut {
                    framework: &file.framework,
                    pair: &s.pair,
                    title: &s.title,
                    url: &s.url,
                    crosswalk: s.crosswalk.as_deref(),
                })
            })
            .collect(),
        crosswalks: &catalog.crosswalks,
        crosswalk_exceptions: &catalog.exceptions,
    }
}

/// The export as pretty-printed JSON.
pub fn to_json(catalog: &Catalog) -> String {
    serde_json::to_string_pretty(&export(catalog)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
