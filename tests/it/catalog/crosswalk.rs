//! Catalog v2: primary and related mappings, agreement with the published crosswalks (through the check code),
//! the requirement-status rule over primary mappings, the Crosswalk page and its CSV, a requirement's "also
//! satisfies", and `palisade catalog crosswalk`.

use super::{catalog, palisade, world};
use crate::support::{TestApp, strip_tags};
use palisade::compliance::catalog::crosswalk::{self, Links};
use palisade::compliance::catalog::data::{Mapping, MappingKind};
use palisade::compliance::catalog::status::{RequirementStatus, primary_controls, requirement_status};
use palisade::compliance::catalog::validate;

#[test]
fn every_published_crosswalk_agrees_at_90_percent_with_under_10_percent_exceptions() {
    let report = validate::validate(catalog());
    let ids: Vec<&str> = report.crosswalks.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["hipaa_nist-csf-2", "nist-csf-2_iso27001-2022", "pci-dss-4_nist-csf-2", "soc2_iso27001-2022"]);
    for a in &report.crosswalks {
        assert!(a.share() >= 90.0, "{}: {:.1}% linked; not linked: {:?}", a.id, a.share(), a.unlinked);
        assert!(a.exception_share() < 10.0, "{}: {:.1}% exceptions", a.id, a.exception_share());
        assert!(a.pairs > 150 && a.revision.len() == 40, "{a:?}");
    }
    assert!(report.is_ok(), "{:#?}", report.all_problems());
    // A published pair the catalog links, checked by hand: NIST's reference of PR.AA-05 to A.5.15.
    let links = Links::new(catalog());
    assert!(links.link(("nist-csf-2", "PR.AA-05"), ("iso27001-2022", "A.5.15")).is_some());
    assert_eq!(links.link(("hipaa", "164.312(a)(1)"), ("hipaa", "164.312(a)(1)")), Some(MappingKind::Primary));
}

#[test]
fn the_check_fails_when_links_are_missing_or_exceptions_grow() {
    // Without the related mappings the catalog no longer follows the crosswalks it names.
    let mut primary_only = catalog().clone();
    primary_only.mappings.iter_mut().for_each(|f| f.mappings.retain(|m| m.kind == MappingKind::Primary));
    let report = validate::validate(&primary_only);
    assert!(!report.is_ok());
    let problems = report.all_problems().join("\n");
    assert!(problems.contains("crosswalk hipaa_nist-csf-2: ") && problems.contains("% of the published pairs linked"));
    // Reviewing a tenth of a crosswalk out is refused, however well the rest agrees.
    let mut lax = catalog().clone();
    let soc2 = lax.crosswalk("soc2_iso27001-2022").unwrap().clone();
    let listed = lax.exceptions.iter().filter(|e| e.crosswalk == soc2.id).count();
    let more: Vec<_> = soc2
        .pairs
        .iter()
        .filter(|p| !lax.exceptions.iter().any(|e| e.crosswalk == soc2.id && e.pair == **p))
        .take(soc2.pairs.len() / 10 + 1 - listed)
        .map(|p| palisade::compliance::catalog::data::CrosswalkException {
            crosswalk: soc2.id.clone(),
            pair: p.clone(),
            reason: "too loose".into(),
        })
        .collect();
    lax.exceptions.extend(more);
    let agreement = crosswalk::agreement(&lax);
    let soc2 = agreement.iter().find(|a| a.id == "soc2_iso27001-2022").unwrap();
    assert!(soc2.exception_share() >= 10.0 && !soc2.is_ok());
    // An exception must name a published pair, with a reason.
    let mut wrong = catalog().clone();
    wrong.exceptions[0].pair.1 = "A.5.99".into();
    wrong.exceptions[1].reason = " ".into();
    let problems = validate::validate(&wrong).all_problems().join("\n");
    assert!(problems.contains("not a published pair of the crosswalk") && problems.contains("needs a reason"));
}

#[test]
fn primary_mappings_cover_every_assessable_requirement_and_never_a_grouping_node() {
    let report = validate::validate(catalog());
    for f in &report.frameworks {
        assert_eq!(f.covered, f.assessable, "{}: coverage by primary mappings", f.id);
    }
    let mut broken = catalog().clone();
    let csf = broken.mappings.iter_mut().find(|m| m.framework == "nist-csf-2").unwrap();
    csf.mappings.push(Mapping {
        control: "CCF-AC-01".into(),
        requirement: "PR.AA".into(),
        kind: MappingKind::Primary,
        relationship: Some("subset".into()),
        note: None,
    });
    csf.mappings.push(Mapping {
        control: "CCF-AC-02".into(),
        requirement: "PR.AA-03".into(),
        kind: MappingKind::Related,
        relationship: Some("subset".into()),
        note: None,
    });
    // A requirement kept only by related mappings is not covered.
    for m in csf.mappings.iter_mut().filter(|m| m.requirement == "GV.OC-01") {
        m.kind = MappingKind::Related;
        m.relationship = None;
    }
    let problems = validate::validate(&broken).all_problems().join("\n");
    for expected in [
        "CCF-AC-01 -> PR.AA: the requirement is a grouping node",
        "CCF-AC-02 -> PR.AA-03: a related mapping takes no relationship",
        "not covered by a primary mapping of any common control: GV.OC-01",
    ] {
        assert!(problems.contains(expected), "expected {expected:?} in:\n{problems}");
    }
}

#[test]
fn a_related_link_never_changes_a_requirement_status() {
    let requirement = ("hipaa", "164.312(a)(2)(iv)");
    let primary = primary_controls(catalog(), requirement.0, requirement.1);
    assert!(!primary.is_empty());
    let all_effective = |_: &str| true;
    assert_eq!(requirement_status(all_effective, primary.iter().copied()), RequirementStatus::Met);
    let first_only = |c: &str| c == primary[0];
    let before = requirement_status(first_only, primary.iter().copied());

    // A related link from a control nobody implemented: same primary controls, same status.
    let mut more = catalog().clone();
    more.mappings.iter_mut().find(|m| m.framework == "hipaa").unwrap().mappings.push(Mapping {
        control: "CCF-PY-01".into(),
        requirement: requirement.1.into(),
        kind: MappingKind::Related,
        relationship: None,
        note: None,
    });
    let after_controls = primary_controls(&more, requirement.0, requirement.1);
    assert_eq!(after_controls, primary);
    assert_eq!(requirement_status(first_only, after_controls.iter().copied()), before);
    assert_eq!(requirement_status(all_effective, after_controls), RequirementStatus::Met);
    // Whereas a primary one would: the new control is not effective.
    let mut stricter = more.clone();
    let added = stricter.mappings.iter_mut().find(|m| m.framework == "hipaa").unwrap().mappings.last_mut().unwrap();
    added.kind = MappingKind::Primary;
    added.relationship = Some("intersects".into());
    let not_py = |c: &str| c != "CCF-PY-01";
    let stricter_controls = primary_controls(&stricter, requirement.0, requirement.1);
    assert_eq!(requirement_status(not_py, stricter_controls), RequirementStatus::Partial);
}

#[actix_web::test]
async fn the_crosswalk_page_shows_linked_requirements_marked_primary_or_related() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;

    let empty = c.get("/compliance/crosswalk").await;
    empty.assert_status(200).assert_contains("Pick two frameworks").assert_contains("<option value=\"hipaa\">");

    let page = c.get("/compliance/crosswalk?from=hipaa&to=nist-csf-2").await;
    page.assert_status(200);
    let text = strip_tags(&page.body);
    assert!(text.contains("HIPAA Security Rule → NIST CSF 2.0") || text.contains("→ NIST CSF 2.0"), "{text}");
    assert!(text.contains("1–25 of 68 assessable requirements"), "{text}");
    // Risk analysis links to risk assessment outcomes: a primary link through the risk-assessment control.
    let row = table_row(&page.body, "164.308(a)(1)(ii)(A)");
    assert!(row.contains("ID.RA-01") && row.contains("primary"), "{row}");
    page.assert_contains("href=\"/compliance/crosswalk.csv?from=hipaa&#38;to=nist-csf-2\"");
    page.assert_contains("Page 1 of 3");

    let second = c.get("/compliance/crosswalk?from=hipaa&to=nist-csf-2&page=2").await;
    second.assert_status(200).assert_not_contains(">164.308(a)(1)(ii)(A)<").assert_contains("Page 2 of 3");
    assert!(strip_tags(&second.body).contains("26–50 of 68"));
    // Related links are marked as such.
    let soc2 = c.get("/compliance/crosswalk?from=soc2&to=iso27001-2022").await;
    soc2.assert_contains("cat-rel-related").assert_contains("cat-rel-primary");
}

/// The text of the table row whose first cell names this requirement.
fn table_row(body: &str, requirement: &str) -> String {
    let marker = format!("<code>{requirement}</code>");
    let start = body.find(&marker).unwrap_or_else(|| panic!("{requirement} not on the page"));
    let rest = &body[start..];
    strip_tags(&rest[..rest.find("</tr>").unwrap_or(rest.len())])
}

#[actix_web::test]
async fn a_wrong_choice_of_frameworks_is_explained_next_to_the_field() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let unknown = c.get("/compliance/crosswalk?from=hipaa&to=%3Cscript%3Enist").await;
    unknown.assert_status(422).assert_contains("Pick a framework from the list.");
    unknown.assert_contains("you asked for “&#60;script&#62;nist”").assert_not_contains("<script>nist");
    // The valid half of the choice is kept.
    unknown.assert_contains("<option value=\"hipaa\" selected>");
    let same = c.get("/compliance/crosswalk?from=soc2&to=soc2").await;
    same.assert_status(422).assert_contains("Pick a framework other than the first.");
    let csv = c.get("/compliance/crosswalk.csv?from=soc2&to=nope").await;
    csv.assert_status(422).assert_contains("Pick a framework from the list.");
    c.get("/compliance/crosswalk?from=gdpr&to=hipaa&page=9999").await.assert_status(200).assert_contains("Page 5 of 5");
}

#[actix_web::test]
async fn the_crosswalk_csv_is_the_same_as_the_command_prints() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let csv = c.get("/compliance/crosswalk.csv?from=pci-dss-4&to=nist-csf-2").await;
    csv.assert_status(200);
    let header = |name: &str| csv.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(header("content-disposition"), "attachment; filename=\"crosswalk-pci-dss-4-nist-csf-2.csv\"");
    assert!(csv.body.starts_with(crosswalk::CSV_HEADER));
    assert!(csv.body.contains("pci-dss-4,8.4.2,"));

    let (ok, stdout, stderr) = palisade(&["catalog", "crosswalk", "pci-dss-4", "nist-csf-2"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, csv.body, "the page's CSV and the command's are the same");
    // Every assessable PCI requirement appears, linked or not.
    let requirements: std::collections::HashSet<&str> =
        stdout.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(requirements.len(), 280);
}

#[actix_web::test]
async fn a_requirement_page_shows_its_controls_and_what_else_it_satisfies() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let page = c.get("/compliance/catalog/frameworks/hipaa/requirement?id=164.312%28a%29%281%29").await;
    page.assert_status(200);
    let primary = strip_tags(&page.body[page.body.find("primary-controls").unwrap()..]);
    assert!(primary.contains("CCF-AC-01 Access control policy"), "{primary}");
    let also = strip_tags(&page.body[page.body.find("data-testid=\"also-satisfies\"").unwrap()..]);
    assert!(also.contains("NIST CSF 2.0") && also.contains("PR.AA-05") && also.contains("ISO 27001:2022"), "{also}");
    assert!(also.contains("A.5.15 Access control primary"), "{also}");
    // The framework tree links each assessable requirement to its page.
    c.get("/compliance/catalog/frameworks/hipaa")
        .await
        .assert_contains("href=\"/compliance/catalog/frameworks/hipaa/requirement?id=164.312%28a%29%281%29\"");
    // A related control shows on both pages, marked.
    let csf = c.get("/compliance/catalog/frameworks/nist-csf-2/requirement?id=GV.OC-02").await;
    let related = strip_tags(&csf.body[csf.body.find("related-controls").unwrap()..]);
    assert!(related.contains("related") && related.contains("Published pair"), "{related}");

    for missing in [
        "/compliance/catalog/frameworks/hipaa/requirement?id=164.999",
        "/compliance/catalog/frameworks/hipaa/requirement",
        "/compliance/catalog/frameworks/nope/requirement?id=164.312%28a%29%281%29",
        "/compliance/catalog/frameworks/hipaa/requirement?id=%27%20OR%201%3D1",
    ] {
        c.get(missing).await.assert_status(404);
    }
}

#[actix_web::test]
async fn end_users_never_see_the_crosswalk() {
    let app = TestApp::new().await;
    world(&app);
    let mut visitor = app.client().await;
    let resp = visitor.get("/compliance/crosswalk?from=hipaa&to=soc2").await;
    assert!(resp.location.as_deref().is_some_and(|l| l.starts_with("/login?next=")));
    let mut c = app.client().await;
    c.sign_in("enduser@tiertwo.test").await;
    for path in [
        "/compliance/crosswalk?from=hipaa&to=soc2",
        "/compliance/crosswalk.csv?from=hipaa&to=soc2",
        "/compliance/catalog/frameworks/hipaa/requirement?id=164.312%28a%29%281%29",
    ] {
        c.get(path).await.assert_status(403).assert_not_contains("164.312(a)(1)");
    }
}

#[actix_web::test]
async fn crosswalk_and_requirement_pages_run_a_bounded_number_of_statements() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let small = cost!(app, c, "/compliance/crosswalk?from=ftc-safeguards&to=hipaa");
    let large = cost!(app, c, "/compliance/crosswalk?from=pci-dss-4&to=nist-csf-2&page=3");
    assert_eq!(small, large, "framework size and page do not change the number of statements");
    let csv_small = cost!(app, c, "/compliance/crosswalk.csv?from=ftc-safeguards&to=hipaa");
    let csv_large = cost!(app, c, "/compliance/crosswalk.csv?from=pci-dss-4&to=nist-csf-2");
    assert_eq!(csv_small, csv_large);
    let few = cost!(app, c, "/compliance/catalog/frameworks/ftc-safeguards/requirement?id=314.4%28j%29");
    let many = cost!(app, c, "/compliance/catalog/frameworks/hipaa/requirement?id=164.308%28a%29%281%29");
    assert_eq!(few, many, "a requirement's statements do not grow with its links");
    eprintln!("statements: crosswalk {large}, csv {csv_large}, requirement {many}");
    assert!(large <= 12 && csv_large <= 10 && many <= 12);
}

#[test]
fn the_crosswalk_command_refuses_unknown_or_equal_frameworks() {
    let (ok, _, stderr) = palisade(&["catalog", "crosswalk", "hipaa", "nist-csf-1"]);
    assert!(!ok && stderr.contains("unknown framework; the catalog has: hipaa, soc2"), "{stderr}");
    let (ok, _, stderr) = palisade(&["catalog", "crosswalk", "soc2", "soc2"]);
    assert!(!ok && stderr.contains("two different frameworks"), "{stderr}");
}

#[test]
fn catalog_check_prints_the_agreement_per_published_crosswalk() {
    let (ok, stdout, stderr) = palisade(&["catalog", "check"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("Agreement with the published crosswalks"));
    for id in ["hipaa_nist-csf-2", "nist-csf-2_iso27001-2022", "pci-dss-4_nist-csf-2", "soc2_iso27001-2022"] {
        let line = stdout.lines().find(|l| l.starts_with(id)).unwrap_or_else(|| panic!("{id} in {stdout}"));
        assert!(line.ends_with("  ok"), "{line}");
    }
    assert!(stdout.contains("intuitem/ciso-assistant-community backend/library/libraries/"));
}
