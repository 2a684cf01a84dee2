//! `palisade catalog export`: the whole catalog as one JSON document (frameworks with their requirements,
//! attributes and aliases; domains; common controls with suggested evidence; mappings; mapping sources).

use std::collections::BTreeMap;

use serde::Serialize;

use super::data::{Catalog, Evidence};

#[derive(Serialize)]
pub struct Export<'a> {
    pub version: &'a str,
    pub content_hash: String,
    pub frameworks: Vec<FrameworkOut<'a>>,
    pub domains: Vec<DomainOut<'a>>,
    pub controls: Vec<ControlOut<'a>>,
    pub mappings: Vec<MappingOut<'a>>,
    pub mapping_sources: Vec<SourceOut<'a>>,
}

#[derive(Serialize)]
pub struct FrameworkOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub short_name: &'a str,
    pub version: &'a str,
    pub publisher: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub levels: &'a [String],
    pub sources: &'a [String],
    pub requirements: Vec<RequirementOut<'a>>,
}

#[derive(Serialize)]
pub struct RequirementOut<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub parent: Option<&'a str>,
    pub title: &'a str,
    pub summary: &'a str,
    pub assessable: bool,
    pub attributes: &'a BTreeMap<String, String>,
    pub aliases: &'a [String],
}

#[derive(Serialize)]
pub struct DomainOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
}

#[derive(Serialize)]
pub struct ControlOut<'a> {
    pub id: &'a str,
    pub domain: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub evidence: &'a [Evidence],
}

#[derive(Serialize)]
pub struct MappingOut<'a> {
    pub framework: &'a str,
    pub control: &'a str,
    pub requirement: &'a str,
    pub relationship: &'a str,
    pub note: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SourceOut<'a> {
    pub framework: &'a str,
    pub pair: &'a [String],
    pub title: &'a str,
    pub url: &'a str,
}

pub fn export(catalog: &Catalog) -> Export<'_> {
    Export {
        version: &catalog.version,
        content_hash: catalog.content_hash(),
        frameworks: catalog
            .frameworks
            .iter()
            .map(|f| {
                let h = &f.header;
                FrameworkOut {
                    id: &h.id,
                    name: &h.name,
                    short_name: &h.short_name,
                    version: &h.version,
                    publisher: &h.publisher,
                    url: &h.url,
                    description: &h.description,
                    levels: &h.levels,
                    sources: &h.sources,
                    requirements: f
                        .requirements
                        .iter()
                        .map(|r| RequirementOut {
                            id: &r.id,
                            kind: &r.kind,
                            parent: r.parent.as_deref(),
                            title: &r.title,
                            summary: &r.summary,
                            assessable: r.assessable,
                            attributes: &r.attributes,
                            aliases: &r.aliases,
                        })
                        .collect(),
                }
            })
            .collect(),
        domains: catalog
            .domains
            .iter()
            .map(|d| DomainOut { id: &d.id, name: &d.name, description: &d.description })
            .collect(),
        controls: catalog
            .controls
            .iter()
            .map(|c| ControlOut {
                id: &c.id,
                domain: &c.domain,
                title: &c.title,
                description: &c.description,
                evidence: &c.evidence,
            })
            .collect(),
        mappings: catalog
            .mappings
            .iter()
            .flat_map(|file| {
                file.mappings.iter().map(move |m| MappingOut {
                    framework: &file.framework,
                    control: &m.control,
                    requirement: &m.requirement,
                    relationship: &m.relationship,
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
                })
            })
            .collect(),
    }
}

/// The export as pretty-printed JSON.
pub fn to_json(catalog: &Catalog) -> String {
    serde_json::to_string_pretty(&export(catalog)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
