//! Compliance -> Catalog pages: who sees them, what they show, search by old and new identifiers, and a
//! bounded number of queries per page whatever the framework's size.

use super::world;
use crate::support::fixture;
use crate::support::{TestApp, strip_tags};

#[actix_web::test]
async fn a_compliance_officer_browses_frameworks_requirements_and_controls() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;

    let home = c.get("/compliance/catalog").await;
    home.assert_status(200);
    for name in ["HIPAA Security", "SOC 2", "NIST CSF 2.0", "ISO 27001:2022", "CMMC 2.0", "PCI DSS v4.0.1", "GDPR"] {
        home.assert_contains(name);
    }
    home.assert_contains("FTC Safeguards Rule").assert_contains("944").assert_contains("100%");
    home.assert_contains("<svg");

    let hipaa = c.get("/compliance/catalog/frameworks/hipaa").await;
    hipaa.assert_status(200);
    let text = strip_tags(&hipaa.body);
    assert!(
        text.contains("164.312(a)(2)(iv) Encryption and decryption Implementation specification Addressable"),
        "{text}"
    );
    assert!(text.contains("164.312(a)(1) Access control Standard Required"));
    hipaa.assert_contains("href=\"/compliance/catalog/controls/CCF-AC-01\"");
    hipaa.assert_contains("Formerly: <code>164.308(a)(1)(i)</code>");
    hipaa
        .assert_contains("Mappings to the common controls checked against 2 sources")
        .assert_contains("NIST SP 800-66 Rev. 2");
    assert!(text.contains("73 entries shown · 68 assessable · 68 mapped to common controls"), "{text}");

    // Filtered to one top-level group.
    let section = c.get("/compliance/catalog/frameworks/hipaa?group=164.312").await;
    section.assert_contains("164.312(e)(2)(ii)").assert_not_contains(">164.308(a)(1)<");
    assert!(strip_tags(&section.body).contains("13 entries shown"));
    c.get("/compliance/catalog/frameworks/hipaa?group=nonsense")
        .await
        .assert_status(200)
        .assert_contains("showing the whole framework");

    let cmmc = c.get("/compliance/catalog/frameworks/cmmc-2").await;
    assert!(strip_tags(&cmmc.body).contains("AC.L2-3.1.1 Authorized Access Control [CUI Data] Requirement Level 2"));

    let controls = c.get("/compliance/catalog/controls").await;
    controls.assert_status(200).assert_contains("Access Control").assert_contains("CCF-AC-01");
    assert!(strip_tags(&controls.body).contains("200 controls in 23 domains"));
    let ac = c.get("/compliance/catalog/controls?domain=AC").await;
    ac.assert_contains("CCF-AC-01").assert_not_contains("CCF-GV-01");

    let control = c.get("/compliance/catalog/controls/CCF-AC-01").await;
    control.assert_status(200).assert_contains("Suggested evidence");
    let text = strip_tags(&control.body);
    for (framework, requirement) in [
        ("hipaa", "164.312(a)(1)"),
        ("soc2", "CC6.1"),
        ("nist-csf-2", "PR.AA-05"),
        ("iso27001-2022", "A.5.18"),
        ("cmmc-2", "AC.L2-3.1.1"),
        ("pci-dss-4", "7.2.1"),
    ] {
        control.assert_contains(&format!("data-testid=\"framework-{framework}\""));
        assert!(text.contains(requirement), "{requirement} on the control page");
    }
    assert!(text.contains("164.312(a)(1) Access control Required intersects"), "{text}");
}

#[actix_web::test]
async fn end_users_are_refused_and_visitors_sent_to_sign_in() {
    let app = TestApp::new().await;
    world(&app);
    let mut visitor = app.client().await;
    let resp = visitor.get("/compliance/catalog/frameworks/hipaa").await;
    assert!(resp.location.as_deref().is_some_and(|l| l.starts_with("/login?next=")));

    let mut c = app.client().await;
    c.sign_in("enduser@tiertwo.test").await;
    for path in [
        "/compliance/catalog",
        "/compliance/catalog/frameworks/hipaa",
        "/compliance/catalog/controls",
        "/compliance/catalog/controls/CCF-AC-01",
        "/compliance/catalog/search?q=PR.AC-1",
    ] {
        c.get(path).await.assert_status(403).assert_not_contains("CCF-AC-01");
    }
}

#[actix_web::test]
async fn unknown_frameworks_and_controls_are_not_found() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    for path in [
        "/compliance/catalog/frameworks/nist-csf-1",
        "/compliance/catalog/frameworks/%27%20OR%201%3D1",
        "/compliance/catalog/controls/CCF-AC-99",
        "/compliance/catalog/controls/ccf-ac-01x",
    ] {
        c.get(path).await.assert_status(404);
    }
}

#[actix_web::test]
async fn search_finds_requirements_by_old_and_new_identifiers_titles_and_words() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;

    let hint = c.get("/compliance/catalog/search").await;
    hint.assert_status(200).assert_contains("Find a requirement");

    // CSF 1.1 ids, with or without zero padding, resolve to the CSF 2.0 subcategories.
    for q in ["PR.AC-1", "PR.AC-01", "pr.ac-1"] {
        let resp = c.get(&format!("/compliance/catalog/search?q={q}")).await;
        let exact = section(&resp.body, "identifier-matches");
        assert!(exact.contains("PR.AA-01") && exact.contains("PR.AA-05"), "{q}: {exact}");
        assert!(exact.contains("formerly PR.AC-1"), "{q}: {exact}");
    }
    let iso = c.get("/compliance/catalog/search?q=A.9.2.1").await;
    assert!(section(&iso.body, "identifier-matches").contains("A.5.16 Identity management"));
    let iso_new = c.get("/compliance/catalog/search?q=5.15").await;
    assert!(section(&iso_new.body, "identifier-matches").contains("A.5.15 Access control"));
    let cmmc = c.get("/compliance/catalog/search?q=AC.L1-3.1.1").await;
    assert!(section(&cmmc.body, "identifier-matches").contains("AC.L1-b.1.i"));
    let hipaa = c.get("/compliance/catalog/search?q=164.312%28a%29%281%29").await;
    assert!(section(&hipaa.body, "identifier-matches").contains("164.312(a)(1) Access control"));
    let gdpr = c.get("/compliance/catalog/search?q=Article+32%281%29%28a%29").await;
    assert!(section(&gdpr.body, "identifier-matches").contains("Art. 32(1)(a)"));

    // Title words and summary words, grouped by framework.
    let title = c.get("/compliance/catalog/search?q=least-privilege+access").await;
    let words = section(&title.body, "word-matches");
    assert!(words.contains("PR.AA-05 Least-privilege access enforced"), "{words}");
    let summary = c.get("/compliance/catalog/search?q=ePHI").await;
    let words = section(&summary.body, "word-matches");
    assert!(words.contains("HIPAA SECURITY") || words.contains("HIPAA Security"), "{words}");
    assert!(words.contains("164.312(a)(2)(iv)"));
    let control = c.get("/compliance/catalog/search?q=CCF-AC-01").await;
    assert!(section(&control.body, "control-matches").contains("Access control policy"));

    // Junk: no results, no error.
    for junk in ["zzqx%25_", "%27%3B+DROP+TABLE+catalog_requirements%3B--", "%E2%9C%93%E2%9C%93%E2%9C%93"] {
        let resp = c.get(&format!("/compliance/catalog/search?q={junk}")).await;
        resp.assert_status(200).assert_contains("No results for");
    }
    let mut conn = app.conn();
    assert_eq!(fixture::count(&mut conn, "SELECT COUNT(*) AS n FROM catalog_requirements"), 1151);
}

#[actix_web::test]
async fn word_search_results_are_paginated() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let first = c.get("/compliance/catalog/search?q=security").await;
    first.assert_contains("Page 1 of").assert_contains("href=\"?q=security&#38;page=2\"");
    let second = c.get("/compliance/catalog/search?q=security&page=2").await;
    second.assert_status(200).assert_contains("Page 2 of");
    assert_ne!(section(&first.body, "word-matches"), section(&second.body, "word-matches"));
}

/// The visible text of the element carrying this data-testid (up to the end of its section).
fn section(body: &str, testid: &str) -> String {
    let marker = format!("data-testid=\"{testid}\"");
    let Some(start) = body.find(&marker) else { return String::new() };
    let rest = &body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    strip_tags(&rest[..end])
}

#[actix_web::test]
async fn catalog_pages_run_a_bounded_number_of_queries() {
    let app = TestApp::new().await;
    world(&app);
    let mut c = app.client().await;
    c.sign_in("officer@tiertwo.test").await;
    let small = cost!(app, c, "/compliance/catalog/frameworks/ftc-safeguards");
    let large = cost!(app, c, "/compliance/catalog/frameworks/pci-dss-4");
    assert_eq!(small, large, "the tree's size does not change the number of queries");
    let one = cost!(app, c, "/compliance/catalog/controls/CCF-CH-04");
    let other = cost!(app, c, "/compliance/catalog/controls/CCF-AC-01");
    assert_eq!(one, other);
    let home = cost!(app, c, "/compliance/catalog");
    let controls = cost!(app, c, "/compliance/catalog/controls");
    let search = cost!(app, c, "/compliance/catalog/search?q=access");
    eprintln!(
        "queries per page (incl. sign-in check and page context): framework {large}, control {one}, frameworks {home}, controls {controls}, search {search}"
    );
    assert!(large <= 12 && one <= 10 && home <= 10 && controls <= 10 && search <= 12);
}
