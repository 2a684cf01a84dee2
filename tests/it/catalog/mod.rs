//! The compliance catalog: the data against the official structures, its validation, the `palisade catalog`
//! commands, the versioned load into the global tables, and the Compliance -> Catalog pages.

mod cli;
mod crosswalk;
mod data;
mod load;
mod pages;

use palisade::compliance::catalog::data::{Catalog, Framework, embedded};

pub fn catalog() -> &'static Catalog {
    embedded().expect("the embedded catalog parses")
}

pub fn framework(id: &str) -> &'static Framework {
    catalog().framework(id).unwrap_or_else(|| panic!("framework {id} is in the catalog"))
}

/// The requirements of a framework whose ids carry this old identifier.
pub fn resolve_alias(framework_id: &str, alias: &str) -> Vec<&'static str> {
    framework(framework_id)
        .requirements
        .iter()
        .filter(|r| r.aliases.iter().any(|a| a == alias))
        .map(|r| r.id.as_str())
        .collect()
}
