//! Loading the catalog into the global tables: complete, idempotent (one query when current), versioned
//! (updates, inserts and retirements by stable id) and never touching an organization's data.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::catalog;
use crate::support::TestApp;
use crate::support::db;
use crate::support::fixture::{self, count};
use palisade::compliance::catalog::data::{Mapping, MappingKind, Requirement};
use palisade::compliance::catalog::load::{self, Change, LoadOutcome};
use palisade::db::DbConnection;
use palisade::schema::{
    catalog_controls, catalog_mappings, catalog_meta, catalog_requirements, memberships, organizations, users,
};

#[actix_web::test]
async fn every_test_database_starts_with_the_whole_catalog_loaded() {
    let app = TestApp::new().await;
    let mut conn = app.conn();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_frameworks"), 8);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_requirements"), 1151);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_requirements WHERE assessable"), 944);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_domains"), 23);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_controls"), 200);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_mappings"), 2697);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_mappings WHERE kind = 'related'"), 1048);
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_mappings WHERE kind = 'related' AND relationship <> ''"),
        0
    );
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_aliases"), 299);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_mapping_sources"), 19);
    let version: String = catalog_meta::table.select(catalog_meta::version).first(&mut conn).unwrap();
    assert_eq!(version, catalog().version);
    // No assessable requirement without a primary mapping, and no primary mapping to a grouping node, in the
    // database too.
    let uncovered = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM catalog_requirements r WHERE r.assessable AND NOT EXISTS \
         (SELECT 1 FROM catalog_mappings m WHERE m.framework_id = r.framework_id AND m.requirement_id = r.requirement_id \
         AND m.kind = 'primary')",
    );
    assert_eq!(uncovered, 0);
    let primary_to_grouping = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM catalog_mappings m JOIN catalog_requirements r ON r.framework_id = m.framework_id \
         AND r.requirement_id = m.requirement_id WHERE m.kind = 'primary' AND NOT r.assessable",
    );
    assert_eq!(primary_to_grouping, 0);
}

#[actix_web::test]
async fn loading_the_same_catalog_again_changes_nothing_and_costs_one_query() {
    let app = TestApp::new().await;
    let mut conn = app.conn();
    let before = app.queries();
    assert_eq!(load::ensure_loaded(&mut conn).unwrap(), LoadOutcome::Unchanged);
    assert_eq!(app.queries() - before, 1, "one query to compare the content hash");
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_requirements WHERE retired_at IS NOT NULL"), 0);
}

/// The organization tables as comparable text: the suite's snapshot plus every row's last update.
fn org_snapshot(conn: &mut DbConnection) -> Vec<String> {
    let mut out = db::snapshot(conn);
    let orgs: Vec<(String, NaiveDateTime)> = organizations::table
        .order(organizations::id)
        .select((organizations::id, organizations::updated_at))
        .load(conn)
        .unwrap();
    let members: Vec<(String, NaiveDateTime)> = memberships::table
        .order(memberships::id)
        .select((memberships::id, memberships::updated_at))
        .load(conn)
        .unwrap();
    let people: Vec<(String, NaiveDateTime)> =
        users::table.order(users::id).select((users::id, users::updated_at)).load(conn).unwrap();
    out.extend(orgs.iter().chain(&members).chain(&people).map(|r| format!("updated {r:?}")));
    out
}

fn requirement(conn: &mut DbConnection, framework: &str, id: &str) -> Option<(String, Option<NaiveDateTime>)> {
    catalog_requirements::table
        .find((framework, id))
        .select((catalog_requirements::title, catalog_requirements::retired_at))
        .first(conn)
        .optional()
        .unwrap()
}

#[actix_web::test]
async fn a_new_catalog_version_updates_the_catalog_and_never_touches_organizations() {
    let app = TestApp::new().await;
    let mut conn = app.conn();
    let f = fixture::msp(&mut conn);
    let orgs_before = org_snapshot(&mut conn);
    assert!(orgs_before.len() > 10 && orgs_before.iter().any(|r| r.contains(f.t2.as_str())));

    // Version 2: one title reworded, one requirement dropped (with its mappings), one added, a control edited.
    let mut next = catalog().clone();
    next.version = "2099.1.1".into();
    let hipaa = next.frameworks.iter_mut().find(|f| f.header.id == "hipaa").unwrap();
    hipaa.requirements.iter_mut().find(|r| r.id == "164.312(b)").unwrap().title = "Audit controls (reworded)".into();
    hipaa.requirements.retain(|r| r.id != "164.316(b)(2)(iii)");
    let dropped = |(a, _): &(String, String)| a == "164.316(b)(2)(iii)";
    next.crosswalks.iter_mut().for_each(|cw| cw.pairs.retain(|p| !dropped(p)));
    next.exceptions.retain(|e| !dropped(&e.pair));
    hipaa.requirements.push(Requirement {
        id: "164.316(b)(2)(iv)".into(),
        kind: "implementation_specification".into(),
        parent: Some("164.316(b)(1)".into()),
        title: "A future specification".into(),
        summary: "Added by a later version of the catalog.".into(),
        assessable: true,
        aliases: vec![],
        attributes: BTreeMap::from([
            ("implementation".to_string(), "Required".to_string()),
            ("safeguard".to_string(), "Policies and documentation".to_string()),
        ]),
    });
    let hipaa_mappings = next.mappings.iter_mut().find(|m| m.framework == "hipaa").unwrap();
    hipaa_mappings.mappings.retain(|m| m.requirement != "164.316(b)(2)(iii)");
    hipaa_mappings.mappings.push(Mapping {
        control: "CCF-GV-01".into(),
        requirement: "164.316(b)(2)(iv)".into(),
        kind: MappingKind::Primary,
        relationship: Some("subset".into()),
        note: None,
    });
    next.controls.iter_mut().find(|c| c.id == "CCF-AC-01").unwrap().title = "Access control policy v2".into();
    assert!(
        palisade::compliance::catalog::validate::validate(&next).all_problems().iter().all(|p| !p.contains("hipaa"))
    );

    let LoadOutcome::Loaded(stats) = load::load(&mut conn, &next).unwrap() else { panic!("a new version loads") };
    assert_eq!(stats.requirements, Change { inserted: 1, updated: 1, retired: 1 });
    assert_eq!(stats.controls, Change { inserted: 0, updated: 1, retired: 0 });
    assert_eq!(stats.frameworks, Change::default());
    assert_eq!(requirement(&mut conn, "hipaa", "164.312(b)").unwrap().0, "Audit controls (reworded)");
    let (_, retired) = requirement(&mut conn, "hipaa", "164.316(b)(2)(iii)").expect("retired, not deleted");
    assert!(retired.is_some());
    assert_eq!(requirement(&mut conn, "hipaa", "164.316(b)(2)(iv)").unwrap().1, None);
    let title: String =
        catalog_controls::table.find("CCF-AC-01").select(catalog_controls::title).first(&mut conn).unwrap();
    assert_eq!(title, "Access control policy v2");
    let dropped: i64 = catalog_mappings::table
        .filter(catalog_mappings::requirement_id.eq("164.316(b)(2)(iii)"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(dropped, 0);
    let version: String = catalog_meta::table.select(catalog_meta::version).first(&mut conn).unwrap();
    assert_eq!(version, "2099.1.1");
    assert_eq!(org_snapshot(&mut conn), orgs_before, "organization rows are untouched");

    // The same version again: nothing to do. Back to the embedded catalog: the requirement returns.
    assert_eq!(load::load(&mut conn, &next).unwrap(), LoadOutcome::Unchanged);
    let LoadOutcome::Loaded(stats) = load::ensure_loaded(&mut conn).unwrap() else { panic!("reloads") };
    assert_eq!(stats.requirements, Change { inserted: 0, updated: 2, retired: 1 });
    assert_eq!(requirement(&mut conn, "hipaa", "164.316(b)(2)(iii)").unwrap().1, None);
    assert!(requirement(&mut conn, "hipaa", "164.316(b)(2)(iv)").unwrap().1.is_some());
    assert_eq!(org_snapshot(&mut conn), orgs_before);
}
