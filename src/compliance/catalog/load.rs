//! Loads the catalog into the global catalog tables, idempotently and versioned.
//!
//! When the stored content hash equals the catalog's, nothing happens (one query). Otherwise, in one write
//! transaction: frameworks, requirements, domains and controls are upserted by their stable ids (rows that
//! changed are updated, new ones inserted, rows no longer in the data are marked `retired_at`, never deleted, so
//! organization data that references catalog ids never dangles); mappings, aliases and mapping sources are
//! replaced; the new version and hash are stored. Organization tables are never touched.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::data::{self, Catalog, Framework};
use super::ids;
use crate::db::{DbConnection, write_transaction};
use crate::schema::{
    catalog_aliases, catalog_controls, catalog_domains, catalog_frameworks, catalog_mapping_sources, catalog_mappings,
    catalog_meta, catalog_requirements,
};

/// Rows per INSERT statement (well under SQLite's and PostgreSQL's bound-parameter limits).
const CHUNK: usize = 400;

use crate::batch_insert;

/// Upserts the rows of a table keyed by `id` (frameworks, domains, controls): see `Upsert`.
macro_rules! sync_by_id {
    ($conn:expr, $at:expr, $table:ident, $Row:ident, $wanted:expr) => {{
        let stored: Vec<$Row> = $table::table.select($Row::as_select()).load($conn)?;
        let upsert = Upsert::new(stored.into_iter().map(|r| (r.id.clone(), r.clone(), r.retired_at)).collect());
        let (insert, update, retire) =
            upsert.plan($wanted, |a, b| $Row { retired_at: None, updated_at: b.updated_at, ..a.clone() } == *b);
        for chunk in insert.chunks(CHUNK) {
            batch_insert!($conn, $table::table, chunk)?;
        }
        for row in &update {
            diesel::update($table::table.find(&row.id)).set(row).execute($conn)?;
        }
        if !retire.is_empty() {
            diesel::update($table::table.filter($table::id.eq_any(&retire)))
                .set(($table::retired_at.eq($at), $table::updated_at.eq($at)))
                .execute($conn)?;
        }
        Ok(Change { inserted: insert.len(), updated: update.len(), retired: retire.len() })
    }};
}

/// Inserted / updated / retired rows of one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub inserted: usize,
    pub updated: usize,
    pub retired: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub version: String,
    pub frameworks: Change,
    pub requirements: Change,
    pub domains: Change,
    pub controls: Change,
    pub mappings: usize,
    pub aliases: usize,
    pub sources: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The stored catalog already has this content.
    Unchanged,
    Loaded(LoadStats),
}

impl std::fmt::Display for LoadOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadOutcome::Unchanged => write!(f, "compliance catalog up to date"),
            LoadOutcome::Loaded(s) => {
                let c = |c: &Change| format!("{} new, {} updated, {} retired", c.inserted, c.updated, c.retired);
                write!(
                    f,
                    "compliance catalog {} loaded: frameworks {}; requirements {}; controls {}; {} mappings, {} aliases",
                    s.version,
                    c(&s.frameworks),
                    c(&s.requirements),
                    c(&s.controls),
                    s.mappings,
                    s.aliases
                )
            }
        }
    }
}

/// Loads the catalog embedded in the binary.
pub fn ensure_loaded(conn: &mut DbConnection) -> Result<LoadOutcome, String> {
    let catalog = data::embedded().map_err(|e| format!("the embedded catalog does not parse:\n{e}"))?;
    load(conn, catalog).map_err(|e| format!("loading the compliance catalog failed: {e}"))
}

fn stored_hash(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    catalog_meta::table.find(1).select(catalog_meta::content_hash).first(conn).optional()
}

pub fn load(conn: &mut DbConnection, catalog: &Catalog) -> QueryResult<LoadOutcome> {
    let hash = catalog.content_hash();
    if stored_hash(conn)?.as_deref() == Some(hash.as_str()) {
        return Ok(LoadOutcome::Unchanged);
    }
    write_transaction(conn, |conn| {
        if !conn.is_sqlite() {
            // Two instances starting together: the second waits here, then finds the catalog loaded.
            diesel::sql_query("LOCK TABLE catalog_meta IN EXCLUSIVE MODE").execute(conn)?;
        }
        if stored_hash(conn)?.as_deref() == Some(hash.as_str()) {
            return Ok(LoadOutcome::Unchanged);
        }
        // Reference data, not a request's change: stamped with the system clock.
        let at = crate::clock::Clock::system().now();
        // Replaced wholesale; dropped first because they reference the rows synchronised below.
        diesel::delete(catalog_mappings::table).execute(conn)?;
        diesel::delete(catalog_aliases::table).execute(conn)?;
        diesel::delete(catalog_mapping_sources::table).execute(conn)?;
        let stats = LoadStats {
            version: catalog.version.clone(),
            frameworks: sync_frameworks(conn, catalog, at)?,
            requirements: sync_requirements(conn, catalog, at)?,
            domains: sync_domains(conn, catalog, at)?,
            controls: sync_controls(conn, catalog, at)?,
            aliases: insert_aliases(conn, catalog)?,
            mappings: insert_mappings(conn, catalog)?,
            sources: insert_sources(conn, catalog)?,
        };
        diesel::delete(catalog_meta::table).execute(conn)?;
        diesel::insert_into(catalog_meta::table)
            .values((
                catalog_meta::id.eq(1),
                catalog_meta::version.eq(&catalog.version),
                catalog_meta::content_hash.eq(&hash),
                catalog_meta::loaded_at.eq(at),
            ))
            .execute(conn)?;
        Ok(LoadOutcome::Loaded(stats))
    })
}

/// Upsert by key: update rows whose content changed (or that come back from retirement), insert new ones,
/// retire the rest. `existing` is every stored row with its retirement; `same` compares content only.
struct Upsert<K, R> {
    existing: HashMap<K, (R, bool)>,
}

impl<K: std::hash::Hash + Eq + Clone, R> Upsert<K, R> {
    fn new(rows: Vec<(K, R, Option<NaiveDateTime>)>) -> Self {
        Upsert { existing: rows.into_iter().map(|(k, r, retired)| (k, (r, retired.is_some()))).collect() }
    }

    /// Splits the wanted rows into (to insert, to update); returns also the keys to retire.
    fn plan(mut self, wanted: Vec<(K, R)>, same: impl Fn(&R, &R) -> bool) -> (Vec<R>, Vec<R>, Vec<K>) {
        let mut insert = Vec::new();
        let mut update = Vec::new();
        for (key, row) in wanted {
            match self.existing.remove(&key) {
                None => insert.push(row),
                Some((old, retired)) => {
                    if retired || !same(&old, &row) {
                        update.push(row);
                    }
                }
            }
        }
        let retire = self.existing.into_iter().filter(|(_, (_, retired))| !retired).map(|(k, _)| k).collect();
        (insert, update, retire)
    }
}

#[derive(Insertable, AsChangeset, Queryable, Selectable, Clone, Debug, PartialEq)]
#[diesel(table_name = catalog_frameworks, treat_none_as_null = true, treat_none_as_default_value = false)]
struct FrameworkRow {
    id: String,
    name: String,
    short_name: String,
    version: String,
    publisher: String,
    url: String,
    description: String,
    levels: String,
    sources: String,
    position: i32,
    retired_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

fn sync_frameworks(conn: &mut DbConnection, catalog: &Catalog, at: NaiveDateTime) -> QueryResult<Change> {
    let wanted = catalog
        .frameworks
        .iter()
        .enumerate()
        .map(|(i, fw)| {
            let h = &fw.header;
            let row = FrameworkRow {
                id: h.id.clone(),
                name: h.name.clone(),
                short_name: h.short_name.clone(),
                version: h.version.clone(),
                publisher: h.publisher.clone(),
                url: h.url.clone(),
                description: h.description.clone(),
                levels: json(&h.levels),
                sources: json(&h.sources),
                position: i as i32,
                retired_at: None,
                updated_at: at,
            };
            (h.id.clone(), row)
        })
        .collect();
    sync_by_id!(conn, at, catalog_frameworks, FrameworkRow, wanted)
}

#[derive(Insertable, AsChangeset, Queryable, Selectable, Clone, Debug, PartialEq)]
#[diesel(table_name = catalog_requirements, primary_key(framework_id, requirement_id))]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
struct RequirementRow {
    framework_id: String,
    requirement_id: String,
    parent_id: Option<String>,
    top_id: String,
    kind: String,
    depth: i32,
    title: String,
    summary: String,
    assessable: bool,
    attributes: String,
    position: i32,
    id_norm: String,
    search_text: String,
    retired_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

fn requirement_rows(framework: &Framework, at: NaiveDateTime) -> Vec<RequirementRow> {
    let fid = &framework.header.id;
    let mut placed: HashMap<&str, (String, i32)> = HashMap::new();
    let mut rows = Vec::with_capacity(framework.requirements.len());
    for (i, r) in framework.requirements.iter().enumerate() {
        let (top_id, depth) = match r.parent.as_deref().and_then(|p| placed.get(p)) {
            Some((top, depth)) => (top.clone(), depth + 1),
            None => (r.id.clone(), 0),
        };
        placed.insert(r.id.as_str(), (top_id.clone(), depth));
        let mut text = vec![r.id.as_str()];
        text.extend(r.aliases.iter().map(String::as_str));
        text.push(&r.title);
        text.push(&r.summary);
        text.extend(r.attributes.values().map(String::as_str));
        rows.push(RequirementRow {
            framework_id: fid.clone(),
            requirement_id: r.id.clone(),
            parent_id: r.parent.clone(),
            top_id,
            kind: r.kind.clone(),
            depth,
            title: r.title.clone(),
            summary: r.summary.clone(),
            assessable: r.assessable,
            attributes: json(&r.attributes),
            position: i as i32,
            id_norm: ids::normalize(&r.id),
            search_text: text.join(" ").to_lowercase(),
            retired_at: None,
            updated_at: at,
        });
    }
    rows
}

fn sync_requirements(conn: &mut DbConnection, catalog: &Catalog, at: NaiveDateTime) -> QueryResult<Change> {
    use catalog_requirements::dsl as r;
    let stored: Vec<RequirementRow> = r::catalog_requirements.select(RequirementRow::as_select()).load(conn)?;
    let upsert = Upsert::new(
        stored
            .into_iter()
            .map(|row| ((row.framework_id.clone(), row.requirement_id.clone()), row.clone(), row.retired_at))
            .collect(),
    );
    let wanted: Vec<((String, String), RequirementRow)> = catalog
        .frameworks
        .iter()
        .flat_map(|f| requirement_rows(f, at))
        .map(|row| ((row.framework_id.clone(), row.requirement_id.clone()), row))
        .collect();
    let (insert, update, retire) =
        upsert.plan(wanted, |a, b| RequirementRow { retired_at: None, updated_at: b.updated_at, ..a.clone() } == *b);
    for chunk in insert.chunks(CHUNK) {
        batch_insert!(conn, r::catalog_requirements, chunk)?;
    }
    for row in &update {
        diesel::update(r::catalog_requirements.find((&row.framework_id, &row.requirement_id)))
            .set(row)
            .execute(conn)?;
    }
    let mut by_framework: HashMap<&str, Vec<&str>> = HashMap::new();
    for (fid, rid) in &retire {
        by_framework.entry(fid.as_str()).or_default().push(rid.as_str());
    }
    for (fid, rids) in by_framework {
        for chunk in rids.chunks(CHUNK) {
            diesel::update(
                r::catalog_requirements.filter(r::framework_id.eq(fid)).filter(r::requirement_id.eq_any(chunk)),
            )
            .set((r::retired_at.eq(at), r::updated_at.eq(at)))
            .execute(conn)?;
        }
    }
    Ok(Change { inserted: insert.len(), updated: update.len(), retired: retire.len() })
}

#[derive(Insertable, AsChangeset, Queryable, Selectable, Clone, Debug, PartialEq)]
#[diesel(table_name = catalog_domains, treat_none_as_null = true, treat_none_as_default_value = false)]
struct DomainRow {
    id: String,
    name: String,
    description: String,
    position: i32,
    retired_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

fn sync_domains(conn: &mut DbConnection, catalog: &Catalog, at: NaiveDateTime) -> QueryResult<Change> {
    let wanted = catalog
        .domains
        .iter()
        .enumerate()
        .map(|(i, dm)| {
            let row = DomainRow {
                id: dm.id.clone(),
                name: dm.name.clone(),
                description: dm.description.clone(),
                position: i as i32,
                retired_at: None,
                updated_at: at,
            };
            (dm.id.clone(), row)
        })
        .collect();
    sync_by_id!(conn, at, catalog_domains, DomainRow, wanted)
}

#[derive(Insertable, AsChangeset, Queryable, Selectable, Clone, Debug, PartialEq)]
#[diesel(table_name = catalog_controls, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ControlRow {
    id: String,
    domain_id: String,
    title: String,
    description: String,
    evidence: String,
    position: i32,
    retired_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

fn sync_controls(conn: &mut DbConnection, catalog: &Catalog, at: NaiveDateTime) -> QueryResult<Change> {
    let wanted = catalog
        .controls
        .iter()
        .enumerate()
        .map(|(i, ctl)| {
            let row = ControlRow {
                id: ctl.id.clone(),
                domain_id: ctl.domain.clone(),
                title: ctl.title.clone(),
                description: ctl.description.clone(),
                evidence: json(&ctl.evidence),
                position: i as i32,
                retired_at: None,
                updated_at: at,
            };
            (ctl.id.clone(), row)
        })
        .collect();
    sync_by_id!(conn, at, catalog_controls, ControlRow, wanted)
}

#[derive(Insertable)]
#[diesel(table_name = catalog_aliases)]
struct AliasRow<'a> {
    framework_id: &'a str,
    requirement_id: &'a str,
    alias: &'a str,
    alias_norm: String,
}

fn insert_aliases(conn: &mut DbConnection, catalog: &Catalog) -> QueryResult<usize> {
    let mut seen = HashSet::new();
    let rows: Vec<AliasRow> = catalog
        .frameworks
        .iter()
        .flat_map(|f| f.requirements.iter().map(move |r| (f.header.id.as_str(), r)))
        .flat_map(|(fid, r)| r.aliases.iter().map(move |a| (fid, r.id.as_str(), a.as_str())))
        .filter(|key| seen.insert(*key))
        .map(|(framework_id, requirement_id, alias)| AliasRow {
            framework_id,
            requirement_id,
            alias,
            alias_norm: ids::normalize(alias),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        batch_insert!(conn, catalog_aliases::table, chunk)?;
    }
    Ok(rows.len())
}

#[derive(Insertable)]
#[diesel(table_name = catalog_mappings)]
struct MappingRow<'a> {
    control_id: &'a str,
    framework_id: &'a str,
    requirement_id: &'a str,
    kind: &'static str,
    /// Empty on related mappings.
    relationship: &'a str,
    note: &'a str,
    position: i32,
}

fn insert_mappings(conn: &mut DbConnection, catalog: &Catalog) -> QueryResult<usize> {
    let mut seen = HashSet::new();
    let rows: Vec<MappingRow> = catalog
        .mappings
        .iter()
        .flat_map(|file| file.mappings.iter().map(move |m| (file.framework.as_str(), m)))
        .enumerate()
        .filter(|(_, (fid, m))| seen.insert((*fid, m.control.as_str(), m.requirement.as_str())))
        .map(|(i, (framework_id, m))| MappingRow {
            control_id: &m.control,
            framework_id,
            requirement_id: &m.requirement,
            kind: m.kind.as_str(),
            relationship: m.relationship.as_deref().unwrap_or(""),
            note: m.note.as_deref().unwrap_or(""),
            position: i as i32,
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        batch_insert!(conn, catalog_mappings::table, chunk)?;
    }
    Ok(rows.len())
}

#[derive(Insertable)]
#[diesel(table_name = catalog_mapping_sources)]
struct SourceRow<'a> {
    framework_id: &'a str,
    position: i32,
    other_framework: &'a str,
    title: &'a str,
    url: &'a str,
}

fn insert_sources(conn: &mut DbConnection, catalog: &Catalog) -> QueryResult<usize> {
    let rows: Vec<SourceRow> = catalog
        .mappings
        .iter()
        .flat_map(|file| {
            file.sources.iter().enumerate().map(move |(i, s)| SourceRow {
                framework_id: &file.framework,
                position: i as i32,
                other_framework: s.pair.get(1).map(String::as_str).unwrap_or(""),
                title: &s.title,
                url: &s.url,
            })
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        batch_insert!(conn, catalog_mapping_sources::table, chunk)?;
    }
    Ok(rows.len())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
