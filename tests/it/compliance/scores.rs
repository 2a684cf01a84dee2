//! Scores as every view shows them: the dashboard (charts, trend, work lists), gap analysis, the report's CSV
//! files (recomputed here from their own rows and the catalog), and the MSP dashboard's column.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use diesel::prelude::*;

use super::{score, team};
use crate::support::db::logged;
use crate::support::{TestApp, fixture};
use palisade::compliance::catalog::data::{self, MappingKind};

/// Parses a CSV body (RFC 4180: quoted fields may hold commas and doubled quotes) into rows of fields.
pub fn rows(body: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in body.lines() {
        let (mut fields, mut field, mut quoted, mut chars) =
            (Vec::new(), String::new(), false, line.chars().peekable());
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        out.push(fields);
    }
    out
}

/// Makes controls effective directly (implemented, one approved evidence item valid for a year), then lets the
/// application refresh the scores as any change would.
fn make_effective(app: &TestApp, org: &palisade::db::ids::OrgId, controls: &[&str]) {
    use palisade::schema::org_controls as c;
    let mut conn = app.conn();
    diesel::update(c::table.filter(c::org_id.eq(org.as_str())).filter(c::control_id.eq_any(controls)))
        .set((c::status.eq("implemented"), c::evidence_approved.eq(1), c::evidence_valid_until.eq("2027-03-01")))
        .execute(&mut conn)
        .unwrap();
    let index = palisade::compliance::program::index::embedded().unwrap();
    let today = palisade::compliance::program::today(app.now(), chrono_tz::America::New_York);
    palisade::compliance::program::sync::refresh(&mut conn, index, org, today, app.now()).unwrap();
}

#[actix_web::test]
async fn the_dashboard_shows_the_stored_scores_charts_and_the_work_due() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance").await.assert_status(200).assert_contains("No framework is adopted yet.");
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    fixture::adopt(&mut app.conn(), &f.t2, "soc2", app.now());
    make_effective(&app, &f.t2, &["CCF-AC-01", "CCF-AC-02"]);
    let (in_scope, effective, ..) = score(&mut app.conn(), &f.t2, "");
    assert_eq!(effective, 2);
    let expected = (2 * 100 * 2 + in_scope) / (2 * in_scope);
    let page = olive.get("/compliance").await;
    page.assert_status(200).assert_contains(&format!("data-testid=\"overall-score\">{expected}%"));
    page.assert_contains(&format!("2 of {in_scope} in-scope controls are effective."));
    let (_, met, partial, _, percent) = score(&mut app.conn(), &f.t2, "hipaa");
    page.assert_contains(&format!("data-testid=\"dashboard-score-hipaa\">{}%", percent.unwrap()));
    page.assert_contains(&format!("{met} met · {partial} partial"));
    page.assert_contains("aria-label=\"Score per framework. HIPAA Security: ");
    page.assert_contains("aria-label=\"Controls by status. Not started: ").assert_contains("Implemented: 2");
    page.assert_contains("Effective control").assert_contains("rounded half up");
    // Work due: my controls, evidence expiring, reviews overdue.
    olive.get("/compliance/controls/CCF-IA-03").await;
    olive
        .post(
            "/compliance/controls/CCF-IA-03",
            &[
                ("owner", f.client_admin.as_str()),
                ("due_on", "2026-03-20"),
                ("review_months", "12"),
                ("next_review_on", ""),
                ("notes", ""),
            ],
        )
        .await
        .assert_status(303);
    let soon = fixture::evidence_file(&app, &f.t2, &people.analyst, "Badge export", &["CCF-AC-01"]).await;
    {
        use palisade::schema::evidence as e;
        diesel::update(e::table.find(soon.as_str()))
            .set((e::status.eq("approved"), e::valid_until.eq("2026-03-20")))
            .execute(&mut app.conn())
            .unwrap();
        use palisade::schema::org_controls as c;
        diesel::update(c::table.filter(c::org_id.eq(f.t2.as_str())).filter(c::control_id.eq("CCF-AC-02")))
            .set(c::next_review_on.eq("2026-02-01"))
            .execute(&mut app.conn())
            .unwrap();
    }
    let page = olive.get("/compliance").await;
    let mine = page.body.split("id=\"mine-title\"").nth(1).unwrap();
    assert!(mine.contains("CCF-IA-03") && mine.contains("due Mar 20, 2026"), "assigned to me");
    let expiring = page.body.split("id=\"expiring-title\"").nth(1).unwrap();
    assert!(expiring.contains("Badge export") && expiring.contains("valid until Mar 20, 2026"));
    let reviews = page.body.split("id=\"reviews-title\"").nth(1).unwrap();
    assert!(reviews.contains("CCF-AC-02") && reviews.contains("review was due Feb 1, 2026"));
    olive.get("/compliance/controls?review=overdue").await.assert_contains("1 control match");
    // Without the program's permission, no dashboard.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/compliance").await.assert_status(403);
}

#[actix_web::test]
async fn daily_snapshots_draw_the_trend_once_a_day_and_catch_up_after_downtime() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(303);
    olive.get("/compliance").await.assert_contains("Scores over the last 90 days").assert_contains("trend-line");
    let snapshots = || -> Vec<(String, String)> {
        use palisade::schema::compliance_snapshots as s;
        s::table
            .filter(s::org_id.eq(f.t2.as_str()))
            .select((s::day, s::framework_id))
            .order((s::day, s::framework_id))
            .load(&mut app.conn())
            .unwrap()
    };
    app.run_pending_jobs().await;
    assert!(snapshots().is_empty(), "the first snapshot is taken at the next local midnight");
    app.clock().advance(Duration::days(1));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert_eq!(
        snapshots(),
        vec![("2026-03-03".into(), "".into()), ("2026-03-03".into(), "hipaa".into())],
        "once a day"
    );
    make_effective(&app, &f.t2, &["CCF-AC-01"]);
    // Every instance down for three days: the next run takes that day's snapshot, once.
    app.clock().advance(Duration::days(3));
    app.run_pending_jobs().await;
    let days: BTreeSet<String> = snapshots().into_iter().map(|(d, _)| d).collect();
    assert_eq!(days, BTreeSet::from(["2026-03-03".to_string(), "2026-03-06".to_string()]));
    let page = olive.get("/compliance").await;
    let path =
        page.body.split("class=\"trend-line trend-0\"").next().unwrap().rsplit("d=\"").next().unwrap().to_string();
    assert_eq!(path.matches(" L ").count(), 1, "the snapshot of March 3 and today's scores: {path}");
}

#[actix_web::test]
async fn gap_analysis_lists_unmet_and_partial_requirements_with_the_controls_to_fix() {
    let (app, f) = TestApp::with_msp().await;
    fixture::adopt(&mut app.conn(), &f.t2, "soc2", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/controls/CCF-AC-01").await;
    olive
        .post(
            "/compliance/controls/CCF-AC-01",
            &[
                ("owner", f.client_admin.as_str()),
                ("due_on", "2026-02-01"),
                ("review_months", "12"),
                ("next_review_on", ""),
                ("notes", ""),
            ],
        )
        .await
        .assert_status(303);
    let (_, met, partial, unmet, _) = score(&mut app.conn(), &f.t2, "soc2");
    assert_eq!((met, partial), (0, 0));
    let page = olive.get("/compliance/gaps?framework=soc2").await;
    page.assert_status(200).assert_contains(&format!("data-testid=\"gaps-unmet\">{unmet}<"));
    page.assert_contains("CC1 Control Environment").assert_contains("Olive Owner · due Feb 1, 2026");
    let csv = olive.get("/compliance/gaps.csv?framework=soc2").await;
    csv.assert_status(200);
    let table = rows(&csv.body);
    assert_eq!(table[0], palisade::compliance::reports::gaps::CSV_HEADER.map(String::from).to_vec());
    let requirements: BTreeSet<&String> = table[1..].iter().map(|r| &r[2]).collect();
    assert_eq!(requirements.len() as i32, unmet);
    assert!(table.iter().any(|r| r[5] == "CCF-AC-01" && r[8] == "owner@tiertwo.test" && r[9] == "2026-02-01"));
    assert_eq!(logged(&mut app.conn(), &f.t2, "report.download")[0].target_label, "Gap analysis of SOC 2 (CSV)");
    // Only adopted frameworks have gaps to show.
    olive.get("/compliance/gaps.csv?framework=hipaa").await.assert_status(200).assert_contains("soc2,");
}

#[actix_web::test]
async fn the_csv_exports_match_a_recomputation_from_their_own_rows_and_the_catalog() {
    let (app, f) = TestApp::with_msp().await;
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    fixture::adopt(&mut app.conn(), &f.t2, "nist-csf-2", app.now());
    make_effective(&app, &f.t2, &["CCF-AC-01", "CCF-AC-02", "CCF-AC-03", "CCF-IA-03", "CCF-GV-01", "CCF-RM-03"]);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let controls = rows(&olive.get("/compliance/reports/controls.csv").await.body);
    assert_eq!(
        controls[0][..6],
        ["control_id", "title", "status", "owner_email", "effective", "evidence_count"].map(String::from)
    );
    assert_eq!(controls[0][6..], ["hipaa", "nist-csf-2"].map(String::from));
    let frameworks = rows(&olive.get("/compliance/reports/frameworks.csv").await.body);
    assert_eq!(frameworks[0], ["framework_id", "in_scope", "met", "partial", "unmet", "score"].map(String::from));
    // Recompute each framework from the catalog's primary mappings and the controls' effectiveness.
    let effective: BTreeSet<&str> = controls[1..].iter().filter(|r| r[4] == "yes").map(|r| r[0].as_str()).collect();
    assert_eq!(effective.len(), 6);
    let catalog = data::embedded().unwrap();
    for (column, framework) in ["hipaa", "nist-csf-2"].into_iter().enumerate() {
        let mut mapped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let f = catalog.framework(framework).unwrap();
        let assessable: BTreeSet<&str> =
            f.requirements.iter().filter(|r| r.assessable).map(|r| r.id.as_str()).collect();
        for m in &catalog.mapping_file(framework).unwrap().mappings {
            if m.kind == MappingKind::Primary && assessable.contains(m.requirement.as_str()) {
                mapped.entry(m.requirement.as_str()).or_default().push(m.control.as_str());
            }
        }
        let (mut met, mut partial) = (0, 0);
        for controls in mapped.values() {
            let n = controls.iter().filter(|c| effective.contains(*c)).count();
            if n == controls.len() {
                met += 1;
            } else if n > 0 {
                partial += 1;
            }
        }
        let in_scope = mapped.len() as i32;
        let percent = (2 * (2 * met + partial) * 100 + 2 * in_scope) / (4 * in_scope);
        let row = frameworks.iter().find(|r| r[0] == framework).unwrap();
        assert_eq!(
            row[1..],
            [in_scope, met, partial, in_scope - met - partial, percent].map(|n| n.to_string()),
            "{framework}"
        );
        // The controls CSV lists, per framework, exactly the requirements each control counts for.
        let from_csv: usize = controls[1..].iter().map(|r| r[6 + column].split_whitespace().count()).sum();
        assert_eq!(from_csv, mapped.values().map(Vec::len).sum::<usize>());
    }
    // The stored scores (dashboard, MSP dashboard) agree with the export.
    let hipaa = score(&mut app.conn(), &f.t2, "hipaa");
    let row = frameworks.iter().find(|r| r[0] == "hipaa").unwrap();
    assert_eq!(row[5], hipaa.4.unwrap().to_string());
    let requirements = rows(&olive.get("/compliance/reports/requirements.csv").await.body);
    assert_eq!(requirements[0], ["framework_id", "requirement_id", "title", "status", "controls"].map(String::from));
    let downloads: Vec<String> =
        logged(&mut app.conn(), &f.t2, "report.download").into_iter().map(|l| l.target_label).collect();
    assert_eq!(downloads, ["Controls (CSV)", "Frameworks (CSV)", "Requirements (CSV)"]);
    let print = olive.get("/compliance/reports/print").await;
    print
        .assert_status(200)
        .assert_contains("HIPAA Security: requirement status")
        .assert_contains("class=\"no-print\"");
    olive.get("/compliance/reports").await.assert_status(200).assert_contains("/compliance/reports/controls.csv");
}

#[actix_web::test]
async fn the_msp_dashboard_shows_each_clients_overall_score_in_one_query() {
    let (app, f, other) = TestApp::with_tenants().await;
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    fixture::adopt(&mut app.conn(), &other.client, "hipaa", app.now());
    make_effective(&app, &f.t2, &["CCF-AC-01"]);
    let percent = score(&mut app.conn(), &f.t2, "").4.unwrap();
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let page = priya.get("/msp/dashboard").await;
    page.assert_contains(&format!("data-testid=\"compliance-{}\">{percent}%", f.t2));
    page.assert_contains(&format!("data-testid=\"compliance-{}\">—", f.t1)).assert_not_contains(other.client.as_str());
}
