//! Framework-specific registers: HIPAA business associate agreements, CMMC SPRS, GDPR data-subject requests,
//! and the ISO 27001 Statement of Applicability.

use chrono::Duration;
use diesel::prelude::*;

use super::flash;
use super::scores::rows;
use crate::support::db::logged;
use crate::support::page::row;
use crate::support::{TestApp, fixture};
use palisade::auth::permissions::Role;

#[actix_web::test]
async fn business_associate_agreements_are_kept_with_their_document_and_renewals_show_on_the_dashboard() {
    let (app, f, other) = TestApp::with_tenants().await;
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let document = fixture::evidence_file(&app, &f.t2, &f.client_admin, "Signed BAA, Cloud Backup Co.", &[]).await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/baa").await.assert_status(200).assert_contains("No agreement recorded yet.");
    let refused = olive
        .post(
            "/compliance/baa",
            &[
                ("associate", " "),
                ("status", "active"),
                ("signed_on", ""),
                ("renewal_on", "2025-01-01"),
                ("services", "Backups"),
            ],
        )
        .await;
    refused.assert_status(422).assert_contains("The business associate is required.");
    refused.assert_contains("An active agreement has the day it was signed.").assert_contains("value=\"Backups\"");
    let backwards = olive
        .post(
            "/compliance/baa",
            &[("associate", "X"), ("status", "draft"), ("signed_on", "2026-02-01"), ("renewal_on", "2026-01-01")],
        )
        .await;
    backwards.assert_status(422).assert_contains("The renewal comes after the signature.");
    olive
        .post(
            "/compliance/baa",
            &[
                ("associate", "Cloud Backup Co."),
                ("services", "Off-site backups"),
                ("status", "active"),
                ("signed_on", "2025-04-15"),
                ("renewal_on", "2026-04-15"),
                ("evidence_id", document.as_str()),
                ("notes", ""),
            ],
        )
        .await
        .assert_redirect("/compliance/baa");
    let list = olive.get("/compliance/baa").await;
    let line = row(&list.body, "Cloud Backup Co.");
    assert!(line.contains("Renew soon") && line.contains("Signed BAA, Cloud Backup Co."), "{line}");
    let dashboard = olive.get("/compliance").await;
    assert!(dashboard.body.split("id=\"renewals-title\"").nth(1).unwrap().contains("renewal Apr 15, 2026"));
    assert_eq!(logged(&mut app.conn(), &f.t2, "baa.create")[0].target_label, "Cloud Backup Co.");
    // Editing: terminated agreements leave the dashboard.
    let id: String = palisade::schema::baa_agreements::table
        .select(palisade::schema::baa_agreements::id)
        .first(&mut app.conn())
        .unwrap();
    olive.get(&format!("/compliance/baa/{id}")).await.assert_contains("Edit the agreement with Cloud Backup Co.");
    olive
        .post(
            &format!("/compliance/baa/{id}"),
            &[
                ("associate", "Cloud Backup Co."),
                ("status", "terminated"),
                ("signed_on", "2025-04-15"),
                ("renewal_on", ""),
            ],
        )
        .await
        .assert_status(303);
    olive.get("/compliance").await.assert_not_contains("id=\"renewals-title\"");
    olive.get("/settings/activity").await.assert_contains(
        "changed the business associate agreement with Cloud Backup Co.: status from Active to Terminated",
    );
    // Another tenant's document cannot be attached, nor its agreements reached; readers only read.
    let theirs = fixture::evidence_file(&app, &other.client, &other.admin, "Rival doc", &[]).await;
    olive.get("/compliance/baa").await;
    olive
        .post("/compliance/baa", &[("associate", "Y"), ("status", "draft"), ("evidence_id", theirs.as_str())])
        .await
        .assert_status(422)
        .assert_contains("Choose the signed document from the evidence list.");
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get(&format!("/compliance/baa/{id}")).await.assert_status(404);
    let reader = fixture::user(&mut app.conn(), "reader@tiertwo.test", "Rae Reader");
    fixture::member(&mut app.conn(), &f.t2, &reader, Role::ReadOnly);
    let mut rae = app.signed_in("reader@tiertwo.test").await;
    rae.get("/compliance/baa").await.assert_status(200).assert_not_contains("Add an agreement");
    rae.post("/compliance/baa", &[("associate", "Z"), ("status", "draft")]).await.assert_status(403);
}

#[actix_web::test]
async fn data_subject_requests_are_due_in_a_month_extendable_once_and_overdue_ones_show_on_the_dashboard() {
    let (app, f) = TestApp::with_msp().await;
    fixture::adopt(&mut app.conn(), &f.t2, "gdpr", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/dsr").await.assert_status(200).assert_contains("No request to show.");
    let future = olive
        .post("/compliance/dsr", &[("requester", "Ref. 1"), ("kind", "access"), ("received_on", "2026-04-01")])
        .await;
    future.assert_status(422).assert_contains("cannot be in the future").assert_contains("value=\"Ref. 1\"");
    olive
        .post("/compliance/dsr", &[("requester", "Ref. 1"), ("kind", "telepathy"), ("received_on", "2026-03-01")])
        .await
        .assert_status(422)
        .assert_contains("Choose the kind of request.");
    let resp = olive
        .post(
            "/compliance/dsr",
            &[
                ("requester", "Ref. 2026-014"),
                ("kind", "erasure"),
                ("received_on", "2026-02-06"),
                ("identity_verified", "1"),
            ],
        )
        .await;
    assert_eq!(
        flash(&olive.follow(&resp).await.body),
        "The request from Ref. 2026-014 is saved; it is due Mar 6, 2026."
    );
    let id: String = palisade::schema::dsr_requests::table
        .select(palisade::schema::dsr_requests::id)
        .first(&mut app.conn())
        .unwrap();
    let list = olive.get("/compliance/dsr").await;
    assert!(row(&list.body, "Ref. 2026-014").contains("This week"));
    olive
        .get("/compliance")
        .await
        .assert_contains("id=\"dsr-title\"")
        .assert_contains("Erasure (Art. 17) from Ref. 2026-014");
    // Extended once, with a reason: three months after receipt.
    olive.get(&format!("/compliance/dsr/{id}")).await;
    olive
        .post(&format!("/compliance/dsr/{id}/extend"), &[("extension_reason", "")])
        .await
        .assert_status(422)
        .assert_contains("The reason for the extension is required.");
    olive
        .post(&format!("/compliance/dsr/{id}/extend"), &[("extension_reason", "Records spread over five systems.")])
        .await
        .assert_redirect(&format!("/compliance/dsr/{id}"));
    let page = olive.get(&format!("/compliance/dsr/{id}")).await;
    page.assert_contains("Due <strong>May 6, 2026</strong>, extended: Records spread over five systems.");
    let again = olive.post(&format!("/compliance/dsr/{id}/extend"), &[("extension_reason", "More time")]).await;
    again.assert_status(422).assert_contains("already extended");
    // Past the extended deadline it is overdue, on the register and the dashboard.
    app.clock().advance(Duration::days(70));
    let overdue = olive.get("/compliance/dsr?show=overdue").await;
    assert!(row(&overdue.body, "Ref. 2026-014").contains("Overdue"));
    olive.get("/compliance").await.assert_contains("badge-bad\">Overdue");
    // Completed: it leaves the open list, answered today.
    olive.get(&format!("/compliance/dsr/{id}")).await;
    olive
        .post(
            &format!("/compliance/dsr/{id}"),
            &[
                ("requester", "Ref. 2026-014"),
                ("kind", "erasure"),
                ("received_on", "2026-02-06"),
                ("identity_verified", "1"),
                ("status", "completed"),
            ],
        )
        .await
        .assert_status(303);
    olive.get("/compliance/dsr").await.assert_contains("No request to show.");
    assert_eq!(logged(&mut app.conn(), &f.t2, "dsr.update").len(), 2);
}

/// Marks every in-scope control of `org` implemented with valid approved evidence and refreshes its scores.
fn all_effective(app: &TestApp, org: &palisade::db::ids::OrgId) {
    use palisade::schema::org_controls as c;
    let mut conn = app.conn();
    diesel::update(c::table.filter(c::org_id.eq(org.as_str())))
        .set((c::status.eq("implemented"), c::evidence_approved.eq(1), c::evidence_valid_until.eq("2027-03-01")))
        .execute(&mut conn)
        .unwrap();
    let index = palisade::compliance::program::index::embedded().unwrap();
    let today = palisade::compliance::program::today(app.now(), chrono_tz::America::New_York);
    palisade::compliance::program::sync::refresh(&mut conn, index, org, today, app.now()).unwrap();
}

#[actix_web::test]
async fn the_sprs_score_is_110_with_everything_met_and_minus_203_with_nothing_and_credits_3_5_3_partly() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/sprs").await.assert_status(200).assert_contains("CMMC 2.0 is not adopted.");
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/cmmc-2/adopt", &[("level", "1")]).await.assert_status(303);
    olive.get("/compliance/sprs").await.assert_contains("CMMC is adopted at Level 1");
    olive.post("/compliance/frameworks/cmmc-2/scope", &[("level", "2")]).await.assert_status(303);
    let none = olive.get("/compliance/sprs").await;
    none.assert_contains("data-testid=\"sprs-score\">-203<").assert_contains("requirements met (of 110)");
    assert!(row(&none.body, "AC.L2-3.1.1").contains("−5"));
    olive
        .post("/compliance/sprs/partial-credit", &[("requirement", "3.5.3"), ("partial", "1")])
        .await
        .assert_status(303);
    let credited = olive.get("/compliance/sprs").await;
    credited.assert_contains("data-testid=\"sprs-score\">-201<");
    assert!(row(&credited.body, "IA.L2-3.5.3").contains("−3"));
    olive
        .post("/compliance/sprs/partial-credit", &[("requirement", "3.1.1"), ("partial", "1")])
        .await
        .assert_status(303);
    assert!(flash(&olive.get("/compliance/sprs").await.body).contains("only to 3.5.3 and 3.13.11"));
    all_effective(&app, &f.t2);
    olive
        .get("/compliance/sprs")
        .await
        .assert_contains("data-testid=\"sprs-score\">110<")
        .assert_contains("Nothing: every Level 2 requirement is met.");
    // Analysts may not record partial credit.
    super::team(&mut app.conn(), &f.t2);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/sprs").await.assert_status(200);
    grace
        .post("/compliance/sprs/partial-credit", &[("requirement", "3.13.11"), ("partial", "1")])
        .await
        .assert_status(403);
}

#[actix_web::test]
async fn the_statement_of_applicability_lists_every_annex_a_control_with_exclusions_and_status() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/soa").await.assert_contains("ISO 27001 is not adopted.");
    olive.get("/compliance/soa.csv").await.assert_status(404);
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/iso27001-2022/adopt", &[]).await.assert_status(303);
    let why = "No software is developed in-house.";
    olive.get("/compliance/frameworks/iso27001-2022/applicability?requirement=A.8.25").await;
    olive
        .post(
            "/compliance/frameworks/iso27001-2022/applicability",
            &[("requirement", "A.8.25"), ("applicable", "no"), ("justification", why)],
        )
        .await
        .assert_status(303);
    let page = olive.get("/compliance/soa").await;
    page.assert_status(200).assert_contains("92 of 93 Annex A controls apply; 0 are implemented.");
    assert!(row(&page.body, "A.8.25").contains(why));
    let csv = rows(&olive.get("/compliance/soa.csv").await.body);
    assert_eq!(csv[0], palisade::compliance::registers::soa::CSV_HEADER.map(String::from).to_vec());
    assert_eq!(csv.len(), 94, "a header and 93 Annex A controls");
    let excluded = csv.iter().find(|r| r[0] == "A.8.25").unwrap();
    assert_eq!((excluded[3].as_str(), excluded[4].as_str(), excluded[5].as_str()), ("no", why, "Not applicable"));
    assert!(csv[1..].iter().filter(|r| r[0] != "A.8.25").all(|r| r[3] == "yes" && r[5] == "Not implemented"));
    assert_eq!(logged(&mut app.conn(), &f.t2, "report.download")[0].target_label, "Statement of Applicability (CSV)");
}
