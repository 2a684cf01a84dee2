//! The catalog as the compliance program reads it, in memory: each framework's assessable requirements in
//! official order with what scoping looks at and the common controls mapped to them by **primary** mappings
//! (the only ones scores count), and each common control with the requirements it satisfies. Built once from
//! the catalog embedded in the binary (the same data start-up loads into the catalog tables), so scores and
//! lists never query the catalog; tests build one from any `Catalog`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::compliance::catalog::data::{Catalog, Evidence, MappingKind};
use crate::error::AppError;

/// A top-level node of a framework (a SOC 2 series, a HIPAA section, an ISO clause or Annex A theme...): what
/// gap analysis groups requirements by.
#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct RequirementEntry {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Index into the framework's `groups`.
    pub group: usize,
    /// SOC 2: the trust services category (Security, Availability...).
    pub category: Option<String>,
    /// CMMC: the level the requirement belongs to (1 or 2).
    pub level: Option<u8>,
    /// CMMC Level 2: the NIST SP 800-171 number (3.1.1), which the SPRS weights are keyed by.
    pub nist_800_171: Option<String>,
    /// ISO 27001: an Annex A control (the Statement of Applicability lists these).
    pub annex_a: bool,
    /// The common controls mapped to it by primary mappings (indexes into `CatalogIndex::controls`).
    pub controls: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct FrameworkEntry {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub groups: Vec<Group>,
    /// Assessable requirements only, in official order.
    pub requirements: Vec<RequirementEntry>,
}

impl FrameworkEntry {
    pub fn requirement(&self, id: &str) -> Option<usize> {
        self.requirements.iter().position(|r| r.id == id)
    }
}

/// A requirement a control satisfies (a primary mapping).
#[derive(Clone, Debug)]
pub struct Satisfies {
    pub framework: usize,
    pub requirement: usize,
    /// equal | subset | superset | intersects
    pub relationship: String,
}

#[derive(Clone, Debug)]
pub struct ControlEntry {
    pub id: String,
    pub title: String,
    pub description: String,
    pub domain_id: String,
    pub domain_name: String,
    pub evidence: Vec<Evidence>,
    pub satisfies: Vec<Satisfies>,
}

#[derive(Clone, Debug)]
pub struct CatalogIndex {
    pub version: String,
    pub frameworks: Vec<FrameworkEntry>,
    /// Common controls in catalog order (their index is their position).
    pub controls: Vec<ControlEntry>,
    /// (id, name) of each domain, in catalog order.
    pub domains: Vec<(String, String)>,
    control_by_id: HashMap<String, usize>,
    /// What the index was built from (the catalog's content hash).
    pub content_hash: String,
}

impl CatalogIndex {
    pub fn build(catalog: &Catalog) -> CatalogIndex {
        let domains: Vec<(String, String)> = catalog.domains.iter().map(|d| (d.id.clone(), d.name.clone())).collect();
        let mut controls: Vec<ControlEntry> = catalog
            .controls
            .iter()
            .map(|c| ControlEntry {
                id: c.id.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                domain_name: domains.iter().find(|(id, _)| *id == c.domain).map(|(_, n)| n.clone()).unwrap_or_default(),
                domain_id: c.domain.clone(),
                evidence: c.evidence.clone(),
                satisfies: Vec::new(),
            })
            .collect();
        let control_by_id: HashMap<String, usize> =
            controls.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let mut frameworks = Vec::new();
        for (fi, framework) in catalog.frameworks.iter().enumerate() {
            let header = &framework.header;
            let mut groups: Vec<Group> = Vec::new();
            let mut top_of: HashMap<&str, usize> = HashMap::new();
            let mut requirements = Vec::new();
            for r in &framework.requirements {
                let group = match r.parent.as_deref().and_then(|p| top_of.get(p)) {
                    Some(g) => *g,
                    None => {
                        groups.push(Group { id: r.id.clone(), title: r.title.clone() });
                        groups.len() - 1
                    }
                };
                top_of.insert(r.id.as_str(), group);
                if !r.assessable {
                    continue;
                }
                requirements.push(RequirementEntry {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    summary: r.summary.clone(),
                    group,
                    category: r.attributes.get("category").cloned(),
                    level: r.attributes.get("level").and_then(|l| l.parse().ok()),
                    nist_800_171: r.attributes.get("nist_800_171").cloned(),
                    annex_a: r.attributes.get("part").is_some_and(|p| p == "Annex A"),
                    controls: Vec::new(),
                });
            }
            let position: HashMap<String, usize> =
                requirements.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
            for mapping in catalog.mapping_file(&header.id).into_iter().flat_map(|f| &f.mappings) {
                if mapping.kind != MappingKind::Primary {
                    continue;
                }
                let (Some(&ri), Some(&ci)) = (position.get(&mapping.requirement), control_by_id.get(&mapping.control))
                else {
                    continue;
                };
                if !requirements[ri].controls.contains(&ci) {
                    requirements[ri].controls.push(ci);
                    let relationship = mapping.relationship.clone().unwrap_or_default();
                    controls[ci].satisfies.push(Satisfies { framework: fi, requirement: ri, relationship });
                }
            }
            frameworks.push(FrameworkEntry {
                id: header.id.clone(),
                name: header.name.clone(),
                short_name: header.short_name.clone(),
                description: header.description.clone(),
                groups,
                requirements,
            });
        }
        CatalogIndex {
            version: catalog.version.clone(),
            frameworks,
            controls,
            domains,
            control_by_id,
            content_hash: catalog.content_hash(),
        }
    }

    pub fn framework(&self, id: &str) -> Option<usize> {
        self.frameworks.iter().position(|f| f.id == id)
    }

    pub fn control(&self, id: &str) -> Option<usize> {
        self.control_by_id.get(id).copied()
    }

    pub fn framework_entry(&self, id: &str) -> Option<&FrameworkEntry> {
        self.framework(id).map(|i| &self.frameworks[i])
    }
}

/// The index of the embedded catalog, built on first use.
pub fn embedded() -> Result<&'static CatalogIndex, AppError> {
    static INDEX: OnceLock<Result<CatalogIndex, String>> = OnceLock::new();
    INDEX
        .get_or_init(|| crate::compliance::catalog::data::embedded().map(CatalogIndex::build))
        .as_ref()
        .map_err(|e| AppError::internal(format!("the embedded catalog does not parse: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_indexes_every_assessable_requirement_with_its_primary_controls() {
        let index = embedded().expect("catalog");
        assert_eq!(index.controls.len(), 200);
        let soc2 = index.framework_entry("soc2").unwrap();
        assert_eq!(soc2.requirements.len(), 61, "33 common criteria and 28 additional ones");
        assert!(soc2.requirements.iter().all(|r| !r.controls.is_empty() && r.category.is_some()));
        let cmmc = index.framework_entry("cmmc-2").unwrap();
        assert_eq!(cmmc.requirements.iter().filter(|r| r.level == Some(2)).count(), 110);
        assert_eq!(cmmc.requirements.iter().filter(|r| r.level == Some(1)).count(), 15);
        let iso = index.framework_entry("iso27001-2022").unwrap();
        assert_eq!(iso.requirements.iter().filter(|r| r.annex_a).count(), 93);
        // A control knows the requirements it satisfies, and they know it back.
        let ac01 = index.control("CCF-AC-01").unwrap();
        for s in &index.controls[ac01].satisfies {
            assert!(index.frameworks[s.framework].requirements[s.requirement].controls.contains(&ac01));
        }
    }
}
