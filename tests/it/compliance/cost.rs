//! What the program's pages cost: a fixed number of SQL statements whatever the number of controls, evidence
//! items or clients (the lists, the control page and the dashboard are the pages load runs measure).

use crate::support::{TestApp, fixture};
use palisade::auth::permissions::Tier;

const PAGES: [&str; 14] = [
    "/compliance",
    "/compliance/controls",
    "/compliance/controls?framework=hipaa&status=not_started&evidence=none&sort=owner&q=access&page=2",
    "/compliance/controls/CCF-AC-01",
    "/compliance/evidence",
    "/compliance/frameworks",
    "/compliance/frameworks/hipaa",
    "/compliance/gaps?framework=hipaa",
    "/compliance/reports/controls.csv",
    "/compliance/baa",
    "/compliance/dsr",
    "/compliance/soa",
    "/compliance/reports",
    "/compliance/reports/print",
];

/// Statements per page for a program of `frameworks` with `evidence` items linked to CCF-AC-01.
async fn costs(frameworks: &[&str], evidence: usize) -> Vec<u64> {
    let (app, f) = TestApp::with_msp().await;
    for framework in frameworks {
        fixture::adopt(&mut app.conn(), &f.t2, framework, app.now());
    }
    for n in 0..evidence {
        fixture::evidence_file(&app, &f.t2, &f.client_admin, &format!("Evidence {n}"), &["CCF-AC-01", "CCF-AC-02"])
            .await;
    }
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let mut out = Vec::new();
    for path in PAGES {
        out.push(app.statements_of(&mut olive, path).await);
    }
    out
}

#[actix_web::test]
async fn program_pages_run_the_same_statements_for_one_framework_or_eight_and_one_evidence_item_or_thirty() {
    let small = costs(&["hipaa"], 1).await;
    let all = ["hipaa", "soc2", "nist-csf-2", "iso27001-2022", "cmmc-2", "pci-dss-4", "gdpr", "ftc-safeguards"];
    let large = costs(&all, 30).await;
    for ((path, few), many) in PAGES.iter().zip(&small).zip(&large) {
        assert_eq!(few, many, "{path}: {few} statements with a small program, {many} with a large one");
    }
    // The pages load runs measure stay small: the identity and context (1 for a client's own member) and
    // their own reads.
    let bound = |path: &str| small[PAGES.iter().position(|p| *p == path).unwrap()];
    assert!(bound("/compliance/controls") <= 6, "controls list: {}", bound("/compliance/controls"));
    assert!(bound("/compliance/controls/CCF-AC-01") <= 10, "control page: {}", bound("/compliance/controls/CCF-AC-01"));
    assert!(bound("/compliance") <= 11, "dashboard: {}", bound("/compliance"));
}

#[actix_web::test]
async fn the_msp_dashboard_costs_the_same_for_5_or_60_clients_with_programs() {
    async fn msp_cost(clients: usize) -> u64 {
        let (app, f) = TestApp::with_msp().await;
        for i in 0..clients {
            let client = fixture::client_of(&mut app.conn(), &f.msp, &format!("Program Client {i:02}"), Tier::Operate);
            fixture::adopt(&mut app.conn(), &client, "hipaa", app.now());
        }
        let mut priya = app.signed_in("mspadmin@northwind.test").await;
        app.statements_of(&mut priya, "/msp/dashboard").await
    }
    let (few, many) = (msp_cost(5).await, msp_cost(60).await);
    assert_eq!(few, many);
    // The clients page's five, the listed clients' scores, the open tickets (total and per listed client), and
    // this month's agreement hours and risk levels of the listed clients.
    assert!(few <= 9, "{few}");
}

#[actix_web::test]
async fn the_sprs_page_costs_the_same_for_cmmc_alone_or_with_seven_more_frameworks_and_thirty_evidence_items() {
    async fn sprs(frameworks: &[&str], evidence: usize) -> u64 {
        let (app, f) = TestApp::with_msp().await;
        for framework in frameworks {
            fixture::adopt(&mut app.conn(), &f.t2, framework, app.now());
        }
        for n in 0..evidence {
            fixture::evidence_file(&app, &f.t2, &f.client_admin, &format!("Evidence {n}"), &["CCF-AC-01"]).await;
        }
        let mut olive = app.signed_in("owner@tiertwo.test").await;
        app.statements_of(&mut olive, "/compliance/sprs").await
    }
    let all = ["cmmc-2", "hipaa", "soc2", "nist-csf-2", "iso27001-2022", "pci-dss-4", "gdpr", "ftc-safeguards"];
    let (few, many) = (sprs(&["cmmc-2"], 1).await, sprs(&all, 30).await);
    assert_eq!(few, many);
    assert!(few <= 6, "{few}");
}
