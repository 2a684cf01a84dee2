//! Cross-framework links through the common controls, and how well they agree with the published crosswalks.
//!
//! Two requirements of different frameworks are *linked* when a common control is mapped to both and is a primary
//! mapping on at least one side. The link is *primary* when that control is a primary mapping on both sides
//! (implementing it is part of meeting each), and *related* when it is primary on one side only. A control that is
//! only related on both sides does not link them: it contributes to each, which says nothing about the two
//! requirements. Related mappings exist to carry the pairs of the published crosswalks, so a related link is only
//! made between two frameworks a published crosswalk pairs; between any other two (GDPR and HIPAA, say) the links
//! come from primary mappings alone, and a related mapping never spreads a published pair's reasoning to frameworks
//! it says nothing about. The same functions serve `palisade catalog check` (agreement with the published pairs),
//! `palisade catalog crosswalk A B`, the Compliance -> Crosswalk page and its CSV, so they never disagree.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::data::{Catalog, MappingKind};
use crate::web::csv::push_row;

/// The least share of a published crosswalk's pairs (less reviewed exceptions) the catalog must link, in percent.
pub const MIN_AGREEMENT: f64 = 90.0;
/// Reviewed exceptions must stay under this share of a crosswalk's pairs, in percent.
pub const MAX_EXCEPTIONS: f64 = 10.0;

/// The kind of a link through one control mapped to both requirements with these kinds, if it links them.
pub fn through(here: MappingKind, there: MappingKind) -> Option<MappingKind> {
    match (here, there) {
        (MappingKind::Related, MappingKind::Related) => None,
        _ => Some(here.max(there)),
    }
}

/// Whether related links are made between two frameworks: a published crosswalk of the catalog pairs them.
pub fn relates(catalog: &Catalog, a: &str, b: &str) -> bool {
    catalog.crosswalks.iter().any(|cw| (cw.from == a && cw.to == b) || (cw.from == b && cw.to == a))
}

/// The same for the catalog embedded in this binary (the one the database is loaded from).
pub fn relates_embedded(a: &str, b: &str) -> bool {
    super::data::embedded().is_ok_and(|catalog| relates(catalog, a, b))
}

/// The kind of a link through one control between two frameworks, if it links them (`related`: whether related
/// links are made between the two).
pub fn through_between(here: MappingKind, there: MappingKind, related: bool) -> Option<MappingKind> {
    through(here, there).filter(|kind| related || kind.is_primary())
}

/// Every mapping of the catalog by (framework, requirement): the controls and the mapping kinds.
pub struct Links<'a> {
    catalog: &'a Catalog,
    by_requirement: HashMap<(&'a str, &'a str), Vec<(&'a str, MappingKind)>>,
}

impl<'a> Links<'a> {
    pub fn new(catalog: &'a Catalog) -> Links<'a> {
        let mut by_requirement: HashMap<(&str, &str), Vec<(&str, MappingKind)>> = HashMap::new();
        for file in &catalog.mappings {
            for m in &file.mappings {
                by_requirement
                    .entry((file.framework.as_str(), m.requirement.as_str()))
                    .or_default()
                    .push((m.control.as_str(), m.kind));
            }
        }
        Links { catalog, by_requirement }
    }

    /// How two requirements are linked, if they are: primary when one control is primary on both sides.
    pub fn link(&self, a: (&str, &str), b: (&str, &str)) -> Option<MappingKind> {
        let (Some(here), Some(there)) = (self.by_requirement.get(&a), self.by_requirement.get(&b)) else {
            return None;
        };
        let related = relates(self.catalog, a.0, b.0);
        here.iter()
            .flat_map(|(c, k)| {
                there.iter().filter(move |(d, _)| d == c).filter_map(move |(_, l)| through_between(*k, *l, related))
            })
            .min()
    }

    /// Every linked pair (requirement of `from`, requirement of `to`).
    pub fn between(&self, from: &str, to: &str) -> HashSet<(&'a str, &'a str)> {
        let mut by_control: HashMap<&str, Vec<(&str, MappingKind)>> = HashMap::new();
        for (&(framework, requirement), controls) in &self.by_requirement {
            if framework == to {
                for &(control, kind) in controls {
                    by_control.entry(control).or_default().push((requirement, kind));
                }
            }
        }
        let related = relates(self.catalog, from, to);
        let mut pairs = HashSet::new();
        for (&(framework, requirement), controls) in &self.by_requirement {
            if framework != from {
                continue;
            }
            for &(control, here) in controls {
                for &(other, there) in by_control.get(control).into_iter().flatten() {
                    if through_between(here, there, related).is_some() {
                        pairs.insert((requirement, other));
                    }
                }
            }
        }
        pairs
    }
}

/// A framework's hierarchy, to read published pairs that name a grouping node (a CSF category rather than one of
/// its subcategories).
struct Tree<'a> {
    parent: HashMap<&'a str, &'a str>,
    /// Each grouping node's assessable requirements, at any depth.
    members: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Tree<'a> {
    fn of(catalog: &'a Catalog, framework: &str) -> Tree<'a> {
        let requirements = catalog.framework(framework).map(|f| f.requirements.as_slice()).unwrap_or_default();
        let parent: HashMap<&str, &str> =
            requirements.iter().filter_map(|r| Some((r.id.as_str(), r.parent.as_deref()?))).collect();
        let grouping: HashSet<&str> = requirements.iter().filter(|r| !r.assessable).map(|r| r.id.as_str()).collect();
        let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in requirements.iter().filter(|r| r.assessable) {
            for above in lineage(&parent, &r.id).filter(|id| grouping.contains(id)) {
                members.entry(above).or_default().push(r.id.as_str());
            }
        }
        Tree { parent, members }
    }

    /// The requirement and the grouping nodes above it: the identifiers a published pair may name it by.
    fn named_by(&self, id: &'a str) -> impl Iterator<Item = &'a str> + '_ {
        lineage(&self.parent, id).filter(move |above| *above == id || self.members.contains_key(above))
    }

    /// The assessable requirements a published identifier stands for: itself, or those under a grouping node.
    fn members(&self, id: &'a str) -> Vec<&'a str> {
        self.members.get(id).cloned().unwrap_or_else(|| vec![id])
    }
}

fn lineage<'a, 'b>(parent: &'b HashMap<&'a str, &'a str>, id: &'a str) -> impl Iterator<Item = &'a str> + 'b
where
    'a: 'b,
{
    std::iter::successors(Some(id), move |id| parent.get(id).copied())
}

/// How one published crosswalk's pairs are linked by the catalog.
#[derive(Clone, Debug)]
pub struct Agreement {
    pub id: String,
    pub title: String,
    pub from: String,
    pub to: String,
    pub repository: String,
    pub path: String,
    pub revision: String,
    pub pairs: usize,
    pub exceptions: usize,
    pub linked: usize,
    /// Published pairs neither linked nor reviewed out.
    pub unlinked: Vec<(String, String)>,
    /// Reviewed exceptions the catalog links all the same (the exception or the link is wrong).
    pub linked_exceptions: Vec<(String, String)>,
    /// Every requirement pair of the two frameworks the catalog links.
    pub links: usize,
    /// Linked pairs the crosswalk does not publish: neither the pair nor a pair naming a grouping node above one
    /// side (a CSF category for its subcategories).
    pub unpublished_links: usize,
}

impl Agreement {
    /// Linked pairs over the pairs that are not reviewed exceptions, in percent.
    pub fn share(&self) -> f64 {
        let measured = self.pairs - self.exceptions;
        if measured == 0 { 0.0 } else { self.linked as f64 * 100.0 / measured as f64 }
    }

    pub fn exception_share(&self) -> f64 {
        if self.pairs == 0 { 0.0 } else { self.exceptions as f64 * 100.0 / self.pairs as f64 }
    }

    pub fn is_ok(&self) -> bool {
        self.pairs > 0
            && self.share() >= MIN_AGREEMENT
            && self.exception_share() < MAX_EXCEPTIONS
            && self.linked_exceptions.is_empty()
    }
}

/// The agreement of the catalog's links with every published crosswalk it names.
pub fn agreement(catalog: &Catalog) -> Vec<Agreement> {
    let links = Links::new(catalog);
    catalog
        .crosswalks
        .iter()
        .map(|cw| {
            let (from_tree, to_tree) = (Tree::of(catalog, &cw.from), Tree::of(catalog, &cw.to));
            let linked_pairs = links.between(&cw.from, &cw.to);
            let is_linked = |a: &str, b: &str| {
                let targets = to_tree.members(b);
                from_tree.members(a).iter().any(|x| targets.iter().any(|y| linked_pairs.contains(&(*x, *y))))
            };
            let excepted: HashSet<(&str, &str)> = catalog
                .exceptions
                .iter()
                .filter(|e| e.crosswalk == cw.id)
                .map(|e| (e.pair.0.as_str(), e.pair.1.as_str()))
                .collect();
            let pairs: BTreeSet<(&str, &str)> = cw.pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let (mut linked, mut unlinked, mut linked_exceptions) = (0, Vec::new(), Vec::new());
            for &(a, b) in &pairs {
                match (excepted.contains(&(a, b)), is_linked(a, b)) {
                    (false, true) => linked += 1,
                    (false, false) => unlinked.push((a.to_string(), b.to_string())),
                    (true, true) => linked_exceptions.push((a.to_string(), b.to_string())),
                    (true, false) => {}
                }
            }
            let published =
                |a: &str, b: &str| from_tree.named_by(a).any(|x| to_tree.named_by(b).any(|y| pairs.contains(&(x, y))));
            Agreement {
                id: cw.id.clone(),
                title: cw.title.clone(),
                from: cw.from.clone(),
                to: cw.to.clone(),
                repository: cw.repository.clone(),
                path: cw.path.clone(),
                revision: cw.revision.clone(),
                pairs: pairs.len(),
                exceptions: pairs.iter().filter(|p| excepted.contains(*p)).count(),
                linked,
                unlinked,
                linked_exceptions,
                links: linked_pairs.len(),
                unpublished_links: linked_pairs.iter().filter(|(a, b)| !published(a, b)).count(),
            }
        })
        .collect()
}

/// A requirement of the other framework linked to one requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    pub requirement_id: String,
    pub title: String,
    pub kind: MappingKind,
    /// The common controls that link the two, in the order first met.
    pub controls: Vec<String>,
}

/// One requirement of the `from` framework with what it links to in the `to` framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub requirement_id: String,
    pub title: String,
    pub links: Vec<Linked>,
}

/// A mapping as the crosswalk needs it: (requirement id, control id, kind).
pub type MappingRow = (String, String, MappingKind);

/// For each `from` requirement (in the order given), the `to` requirements it links to, in the `to` framework's
/// order (`to_requirements`, id and title). `from_mappings` and `to_mappings` are the mappings of each side;
/// `to_mappings` may be all of the `to` framework's. `related`: whether related links are made between the two
/// frameworks ([`relates`]).
pub fn lines(
    from_requirements: Vec<(String, String)>,
    to_requirements: &[(String, String)],
    from_mappings: &[MappingRow],
    to_mappings: &[MappingRow],
    related: bool,
) -> Vec<Line> {
    let position: HashMap<&str, usize> =
        to_requirements.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
    let mut by_control: HashMap<&str, Vec<(&str, MappingKind)>> = HashMap::new();
    for (requirement, control, kind) in to_mappings {
        by_control.entry(control.as_str()).or_default().push((requirement.as_str(), *kind));
    }
    let mut controls_of: HashMap<&str, Vec<(&str, MappingKind)>> = HashMap::new();
    for (requirement, control, kind) in from_mappings {
        controls_of.entry(requirement.as_str()).or_default().push((control.as_str(), *kind));
    }
    from_requirements
        .into_iter()
        .map(|(requirement_id, title)| {
            let mut found: HashMap<&str, Linked> = HashMap::new();
            for (control, here) in controls_of.get(requirement_id.as_str()).into_iter().flatten() {
                for (other, there) in by_control.get(control).into_iter().flatten() {
                    let Some(&at) = position.get(other) else { continue };
                    let Some(kind) = through_between(*here, *there, related) else { continue };
                    let entry = found.entry(other).or_insert_with(|| Linked {
                        requirement_id: other.to_string(),
                        title: to_requirements[at].1.clone(),
                        kind: MappingKind::Related,
                        controls: Vec::new(),
                    });
                    entry.kind = entry.kind.min(kind);
                    if !entry.controls.iter().any(|c| c == control) {
                        entry.controls.push(control.to_string());
                    }
                }
            }
            let mut links: Vec<Linked> = found.into_values().collect();
            links.sort_by_key(|l| position.get(l.requirement_id.as_str()).copied().unwrap_or(usize::MAX));
            Line { requirement_id, title, links }
        })
        .collect()
}

/// The crosswalk between two frameworks of the embedded catalog (assessable requirements only), for the CLI.
pub fn catalog_lines(catalog: &Catalog, from: &str, to: &str) -> Option<Vec<Line>> {
    let requirements = |id: &str| -> Option<Vec<(String, String)>> {
        let framework = catalog.framework(id)?;
        Some(framework.requirements.iter().filter(|r| r.assessable).map(|r| (r.id.clone(), r.title.clone())).collect())
    };
    let mappings = |id: &str| -> Vec<MappingRow> {
        catalog
            .mapping_file(id)
            .map(|f| f.mappings.iter().map(|m| (m.requirement.clone(), m.control.clone(), m.kind)).collect())
            .unwrap_or_default()
    };
    let (from_requirements, to_requirements) = (requirements(from)?, requirements(to)?);
    Some(lines(from_requirements, &to_requirements, &mappings(from), &mappings(to), relates(catalog, from, to)))
}

pub const CSV_HEADER: &str =
    "from_framework,from_requirement,from_title,to_framework,to_requirement,to_title,link,controls";

/// The crosswalk as CSV: one row per linked pair; a requirement that links to nothing gets one row with the
/// `to` columns empty.
pub fn to_csv(from: &str, to: &str, lines: &[Line]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for line in lines {
        let here = [from, line.requirement_id.as_str(), line.title.as_str()];
        if line.links.is_empty() {
            push_row(&mut out, &[&here[..], &["", "", "", "", ""]].concat());
        }
        for link in &line.links {
            let controls = link.controls.join(" ");
            let there = [to, link.requirement_id.as_str(), link.title.as_str(), link.kind.as_str(), controls.as_str()];
            push_row(&mut out, &[&here[..], &there[..]].concat());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use MappingKind::{Primary, Related};

    fn row(r: &str, c: &str, k: MappingKind) -> MappingRow {
        (r.into(), c.into(), k)
    }

    #[test]
    fn links_are_primary_through_a_control_primary_on_both_sides_and_need_one_primary_side() {
        let to = vec![("X1".to_string(), "First".to_string()), ("X2".to_string(), "Second".to_string())];
        let from_maps =
            [row("A", "C1", Primary), row("A", "C2", Related), row("B", "C3", Primary), row("B", "C4", Related)];
        // C4 is only related on both sides: it links nothing.
        let to_maps =
            [row("X2", "C1", Primary), row("X1", "C2", Primary), row("X2", "C2", Primary), row("X1", "C4", Related)];
        let lines =
            lines(vec![("A".into(), "Alpha".into()), ("B".into(), "Beta".into())], &to, &from_maps, &to_maps, true);
        let a = &lines[0];
        assert_eq!(
            a.links.iter().map(|l| (l.requirement_id.as_str(), l.kind)).collect::<Vec<_>>(),
            [("X1", Related), ("X2", Primary)]
        );
        assert_eq!(a.links[1].controls, ["C1", "C2"]);
        assert!(lines[1].links.is_empty());
        let csv = to_csv("f", "t", &lines);
        assert!(csv.starts_with(CSV_HEADER));
        assert!(csv.contains("f,A,Alpha,t,X2,Second,primary,C1 C2\r\n"), "{csv}");
        assert!(csv.contains("f,B,Beta,,,,,\r\n"));
        // Between frameworks no published crosswalk pairs, only primary links are made.
        let primary_only = super::lines(vec![("A".into(), "Alpha".into())], &to, &from_maps, &to_maps, false);
        assert_eq!(
            primary_only[0].links.iter().map(|l| (l.requirement_id.as_str(), l.kind)).collect::<Vec<_>>(),
            [("X2", Primary)]
        );
        assert_eq!(primary_only[0].links[0].controls, ["C1"]);
    }
}
