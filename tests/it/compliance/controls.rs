//! The controls list and a control's page: details, statuses, approvals.

use super::{control, flash, needed_by, score, team};
use crate::support::db::logged;
use crate::support::page::{has_row, row};
use crate::support::{TestApp, fixture};

#[actix_web::test]
async fn the_list_filters_searches_sorts_and_paginates_the_in_scope_controls() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let hipaa = needed_by("hipaa");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let first = olive.get("/compliance/controls").await;
    first.assert_status(200).assert_contains(&format!("{} controls", hipaa.len()));
    assert!(first.contains("href=\"?page=2\""), "more than a page of controls");
    let second = olive.get("/compliance/controls?page=2").await;
    assert!(hipaa.len() > 25 && second.contains(&format!("26–{}", hipaa.len().min(50))));
    // Search by id or words.
    let found = olive.get("/compliance/controls?q=ac-01").await;
    assert!(has_row(&found.body, "CCF-AC-01") && found.contains("1 control match"));
    // Status and owner filters after some work.
    olive.get("/compliance/controls/CCF-AC-01").await;
    olive
        .post(
            "/compliance/controls/CCF-AC-01",
            &[
                ("owner", people.analyst.as_str()),
                ("due_on", "2026-03-01"),
                ("review_months", "12"),
                ("next_review_on", ""),
                ("notes", ""),
            ],
        )
        .await
        .assert_status(303);
    olive.post("/compliance/controls/CCF-AC-01/status", &[("status", "in_progress")]).await.assert_status(303);
    let in_progress = olive.get("/compliance/controls?status=in_progress").await;
    assert!(has_row(&in_progress.body, "CCF-AC-01") && in_progress.contains("1 control match"));
    let grace = olive.get(&format!("/compliance/controls?owner={}", people.analyst)).await;
    assert!(row(&grace.body, "CCF-AC-01").contains("Grace Analyst"));
    let overdue = olive.get("/compliance/controls?due=overdue").await;
    assert!(row(&overdue.body, "CCF-AC-01").contains("Overdue"), "due Mar 1, today is Mar 2");
    olive.get("/compliance/controls?evidence=expired").await.assert_contains("No control matches");
    // Sorted by owner: the owned control first.
    let by_owner = olive.get("/compliance/controls?sort=owner").await;
    let first_row = by_owner.body.split("<tbody>").nth(1).unwrap().split("</tr>").next().unwrap().to_string();
    assert!(first_row.contains("CCF-AC-01"), "{first_row}");
    // Another framework filter narrows to its controls.
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/soc2/adopt", &[]).await.assert_status(303);
    let soc2 = olive.get("/compliance/controls?framework=soc2").await;
    soc2.assert_contains(&format!("{} controls match", needed_by("soc2").len()));
    // Junk in the query string is ignored, never an error.
    olive.get("/compliance/controls?status=x&evidence=y&due=z&sort=w&page=-3&framework=nope").await.assert_status(200);
}

#[actix_web::test]
async fn a_control_page_shows_the_catalog_the_requirements_and_saves_owner_dates_and_safe_notes() {
    let (app, f, other) = TestApp::with_tenants().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get("/compliance/controls/CCF-AC-01").await;
    page.assert_status(200).assert_contains("What implementing it means").assert_contains("Suggested evidence");
    page.assert_contains("164.312(a)(1)").assert_contains("cat-rel-intersects").assert_contains("Unmet");
    olive.get("/compliance/controls/CCF-NOPE-99").await.assert_status(404);

    let notes = "Reviewed **quarterly**.\n\n<script>alert(1)</script>";
    olive
        .post(
            "/compliance/controls/CCF-AC-01",
            &[
                ("owner", people.approver.as_str()),
                ("due_on", "2026-06-30"),
                ("review_months", "3"),
                ("next_review_on", "2026-04-01"),
                ("notes", notes),
            ],
        )
        .await
        .assert_redirect("/compliance/controls/CCF-AC-01");
    let saved = control(&mut app.conn(), &f.t2, "CCF-AC-01");
    assert_eq!((saved.owner.as_deref(), saved.due_on.as_deref()), (Some(people.approver.as_str()), Some("2026-06-30")));
    let shown = olive.get("/compliance/controls/CCF-AC-01").await;
    shown.assert_contains("<strong>quarterly</strong>").assert_not_contains("<script>alert(1)</script>");
    let entry = &logged(&mut app.conn(), &f.t2, "control.update")[0];
    assert_eq!(
        entry.details,
        "owner: none -> Raj Approver; due date: none -> Jun 30, 2026; review: every year -> every 3 months; next review: none -> Apr 1, 2026; notes: edited"
    );
    shown.assert_contains("Olive Owner changed CCF-AC-01: owner from none to Raj Approver");

    // Bad input: the form comes back with what was typed and the message beside the field; nothing is saved.
    let stranger = fixture::user(&mut app.conn(), "stranger@elsewhere.test", "Stan Stranger");
    fixture::member(&mut app.conn(), &other.client, &stranger, palisade::auth::permissions::Role::Admin);
    let refused = olive
        .post(
            "/compliance/controls/CCF-AC-01",
            &[
                ("owner", stranger.as_str()),
                ("due_on", "30/06/2026"),
                ("review_months", "5"),
                ("next_review_on", ""),
                ("notes", "typed text kept"),
            ],
        )
        .await;
    refused.assert_status(422);
    refused
        .assert_contains("Choose an owner from the compliance team.")
        .assert_contains("Enter a date like 2026-03-31.");
    refused.assert_contains("Choose how often the control is reviewed.").assert_contains("typed text kept");
    refused.assert_contains("value=\"30/06/2026\"").assert_not_contains("Stan Stranger");
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-01"), saved);
}

#[actix_web::test]
async fn ready_for_review_is_approved_by_another_approver_and_never_by_the_one_who_asked() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    let mut nina = app.signed_in("nina@tiertwo.test").await;

    // An analyst works the control and asks for review, but never approves.
    grace.get("/compliance/controls/CCF-AC-01").await;
    let refused = grace.post("/compliance/controls/CCF-AC-01/status", &[("status", "implemented")]).await;
    refused.assert_status(422).assert_contains("Only an approver marks a control implemented");
    let resp = grace.post("/compliance/controls/CCF-AC-01/status", &[("status", "ready_for_review")]).await;
    assert!(flash(&grace.follow(&resp).await.body).contains("is ready for review"));
    grace.post("/compliance/controls/CCF-AC-01/approve", &[("comment", "")]).await.assert_status(403);

    // Sending back needs a comment; it returns to In progress with it.
    raj.get("/compliance/controls/CCF-AC-01")
        .await
        .assert_contains("Review asked for by <strong>Grace Analyst</strong>");
    raj.post("/compliance/controls/CCF-AC-01/reject", &[("comment", " ")])
        .await
        .assert_status(422)
        .assert_contains("A comment saying what is missing is required.");
    raj.post("/compliance/controls/CCF-AC-01/reject", &[("comment", "Attach the signed policy.")])
        .await
        .assert_status(303);
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-01").status, "in_progress");
    grace.get("/compliance/controls/CCF-AC-01").await.assert_contains("Attach the signed policy.");

    grace.get("/compliance/controls/CCF-AC-01").await;
    grace.post("/compliance/controls/CCF-AC-01/status", &[("status", "ready_for_review")]).await.assert_status(303);
    raj.post("/compliance/controls/CCF-AC-01/approve", &[("comment", "Policy signed.")])
        .await
        .assert_redirect("/compliance/controls/CCF-AC-01");
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-01").status, "implemented");
    let approved = &logged(&mut app.conn(), &f.t2, "control.approve")[0];
    assert_eq!((approved.target_id.as_str(), approved.details.as_str()), ("CCF-AC-01", "Policy signed."));
    let page = raj.get("/compliance/controls/CCF-AC-01").await;
    page.assert_contains("Raj Approver approved CCF-AC-01 as implemented")
        .assert_contains("data-testid=\"control-status\">Implemented");
    page.assert_contains("data-testid=\"control-effective\">Not effective");

    // The approver who asked for a review may not approve it; another approver may.
    raj.get("/compliance/controls/CCF-AC-02").await;
    raj.post("/compliance/controls/CCF-AC-02/status", &[("status", "ready_for_review")]).await.assert_status(303);
    let own = raj.post("/compliance/controls/CCF-AC-02/approve", &[("comment", "")]).await;
    own.assert_status(422).assert_contains("You asked for this review, so another approver decides it.");
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-02").status, "ready_for_review");
    raj.get("/compliance/controls/CCF-AC-02").await.assert_not_contains("/compliance/controls/CCF-AC-02/approve\"");
    nina.get("/compliance/controls/CCF-AC-02").await;
    nina.post("/compliance/controls/CCF-AC-02/approve", &[("comment", "")]).await.assert_status(303);
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-02").status, "implemented");
    let decided = &logged(&mut app.conn(), &f.t2, "control.approve")[1];
    assert_eq!((decided.target_id.as_str(), decided.actor_user_id.as_ref()), ("CCF-AC-02", Some(&people.privacy)));
    // Approving what is not waiting for review is refused.
    nina.post("/compliance/controls/CCF-AC-02/approve", &[])
        .await
        .assert_status(422)
        .assert_contains("is not waiting for review");
    // Approved without evidence: implemented, not effective, so no score moves.
    assert_eq!(score(&mut app.conn(), &f.t2, "").1, 0);
}

#[actix_web::test]
async fn not_applicable_needs_a_justification_and_leaves_the_overall_count() {
    let (app, f) = TestApp::with_msp().await;
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let in_scope = score(&mut app.conn(), &f.t2, "").0;
    olive.get("/compliance/controls/CCF-AC-01").await;
    let refused = olive
        .post("/compliance/controls/CCF-AC-01/status", &[("status", "not_applicable"), ("justification", "")])
        .await;
    refused.assert_status(422).assert_contains("Why it does not apply is required.");
    olive
        .post("/compliance/controls/CCF-AC-01/status", &[("status", "bogus")])
        .await
        .assert_status(422)
        .assert_contains("Choose a status.");
    assert_eq!(control(&mut app.conn(), &f.t2, "CCF-AC-01").status, "not_started");
    olive
        .post(
            "/compliance/controls/CCF-AC-01/status",
            &[("status", "not_applicable"), ("justification", "Access is granted by the parent company.")],
        )
        .await
        .assert_status(303);
    assert_eq!(score(&mut app.conn(), &f.t2, "").0, in_scope - 1);
    olive.get("/compliance/controls/CCF-AC-01").await.assert_contains("Access is granted by the parent company.");
    olive
        .get("/settings/activity")
        .await
        .assert_contains("Olive Owner moved CCF-AC-01 from Not started to Not applicable");
}
