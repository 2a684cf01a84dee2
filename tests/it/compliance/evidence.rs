//! Evidence: files with revisions and hashes, links and notes, approval, limits, links to controls, expiry
//! notices and what expiry does to the scores.

use chrono::Duration;
use diesel::prelude::*;
use sha2::Digest;

use super::{flash, score, team};
use crate::support::db::logged;
use crate::support::page::row;
use crate::support::{TestApp, fixture};
use palisade::schema::{evidence, evidence_revisions, org_controls};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// (status, revision) of an item.
fn item(app: &TestApp, id: &str) -> (String, i32) {
    evidence::table.find(id).select((evidence::status, evidence::revision)).first(&mut app.conn()).unwrap()
}

/// The newest evidence item's id.
fn newest(app: &TestApp) -> String {
    evidence::table.order(evidence::created_at.desc()).select(evidence::id).first(&mut app.conn()).unwrap()
}

#[actix_web::test]
async fn a_file_supports_several_controls_and_replacing_it_keeps_every_revision_with_its_hash() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    let form = grace.get("/compliance/evidence/new?control=CCF-AC-01").await;
    form.assert_status(200).assert_contains("<option value=\"CCF-AC-01\" selected>");
    let first = b"%PDF-1.7 access control policy, version 1";
    let fields = [
        ("title", "Access control policy"),
        ("source", "file"),
        ("kind", "document"),
        ("effective_on", ""),
        ("valid_until", ""),
        ("controls", "CCF-AC-01"),
        ("controls", "CCF-AC-02"),
    ];
    let created = grace.post_multipart("/compliance/evidence", &fields, Some(("file", "policy v1.pdf", first))).await;
    created.assert_status(303);
    let id = newest(&app);
    assert_eq!(created.location.as_deref(), Some(format!("/compliance/evidence/{id}").as_str()));
    assert_eq!(item(&app, &id), ("submitted".into(), 1));
    let page = grace.follow(&created).await;
    assert_eq!(flash(&page.body), "Evidence added and sent for approval.");
    page.assert_contains(&format!("data-testid=\"sha256-1\">{}</code>", sha256(first)));
    page.assert_contains("policy v1.pdf").assert_contains("Valid until</dt><dd>Mar 2, 2027");
    for control in ["CCF-AC-01", "CCF-AC-02"] {
        let listed = grace.get(&format!("/compliance/controls?q={control}")).await;
        assert!(row(&listed.body, control).contains("Awaiting approval"), "{control}");
    }

    // A new revision: the earlier file stays readable with its hash.
    let second = b"%PDF-1.7 access control policy, version 2 (signed)";
    let replaced = grace
        .post_multipart(
            &format!("/compliance/evidence/{id}/revisions"),
            &[("effective_on", "2026-03-01"), ("valid_until", "")],
            Some(("file", "policy v2.pdf", second)),
        )
        .await;
    replaced.assert_redirect(&format!("/compliance/evidence/{id}"));
    assert_eq!(item(&app, &id), ("submitted".into(), 2));
    let page = grace.get(&format!("/compliance/evidence/{id}")).await;
    page.assert_contains(&format!("data-testid=\"sha256-1\">{}</code>", sha256(first)));
    page.assert_contains(&format!("data-testid=\"sha256-2\">{}</code>", sha256(second)));
    page.assert_contains("Valid until</dt><dd>Mar 1, 2027");
    for (number, content, name) in [(1, &first[..], "policy v1.pdf"), (2, &second[..], "policy v2.pdf")] {
        let file = grace.get(&format!("/compliance/evidence/{id}/revisions/{number}/download")).await;
        file.assert_status(200);
        assert_eq!(file.body.as_bytes(), content);
        let disposition = file.headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(&name.replace(' ', "%20")),
            "{disposition}"
        );
        assert_eq!(file.headers.get("content-type").unwrap(), "application/pdf");
    }
    grace.get(&format!("/compliance/evidence/{id}/revisions/3/download")).await.assert_status(404);
    let revisions: i64 = evidence_revisions::table
        .filter(evidence_revisions::evidence_id.eq(&id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(revisions, 2);
    assert_eq!(logged(&mut app.conn(), &f.t2, "evidence.revise")[0].details, "revision 2, policy v2.pdf");
    assert_eq!(logged(&mut app.conn(), &f.t2, "evidence.download").len(), 2, "downloads are logged");
    // Replacing the file of a note is refused.
    let note = fixture_note(&mut grace).await;
    grace.get(&format!("/compliance/evidence/{note}")).await;
    let refused = grace
        .post_multipart(&format!("/compliance/evidence/{note}/revisions"), &[], Some(("file", "x.txt", b"text")))
        .await;
    refused.assert_status(422).assert_contains("Only file evidence has files to replace.");
    assert!(app.state.storage.list("").await.unwrap().len() == 2, "the refused file is not kept");
}

/// Adds a note through the form and returns its id.
async fn fixture_note<S, B>(c: &mut crate::support::Client<S>) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    c.get("/compliance/evidence/new").await;
    let resp = c
        .post(
            "/compliance/evidence",
            &[
                ("title", "Quarterly review note"),
                ("source", "note"),
                ("kind", "attestation"),
                ("body", "Reviewed all accounts."),
            ],
        )
        .await;
    resp.assert_status(303);
    resp.location.unwrap().rsplit('/').next().unwrap().to_string()
}

#[actix_web::test]
async fn links_and_notes_are_checked_and_bad_input_comes_back_with_the_form() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/evidence/new").await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("title", "Ticket"), ("source", "link"), ("kind", "ticket"), ("url", "")],
            "Enter the address of the evidence.",
        ),
        (
            &[("title", "Ticket"), ("source", "link"), ("kind", "ticket"), ("url", "javascript:alert(1)")],
            "Enter a web address starting with https://",
        ),
        (&[("title", "Note"), ("source", "note"), ("kind", "attestation"), ("body", " ")], "The note is required."),
        (
            &[
                ("title", "Note"),
                ("source", "note"),
                ("kind", "attestation"),
                ("body", "x"),
                ("effective_on", "2026-04-01"),
            ],
            "it cannot be in the future",
        ),
        (
            &[
                ("title", "Note"),
                ("source", "note"),
                ("kind", "attestation"),
                ("body", "x"),
                ("effective_on", "2026-03-01"),
                ("valid_until", "2026-02-01"),
            ],
            "Valid until must be on or after the effective date.",
        ),
        (&[("title", "Shot"), ("source", "file"), ("kind", "screenshot")], "Choose the file to upload."),
    ];
    for (fields, message) in cases {
        let resp = grace.post("/compliance/evidence", fields).await;
        resp.assert_status(422).assert_contains(message);
        resp.assert_contains(&format!("value=\"{}\"", fields[0].1));
    }
    let none = grace.post("/compliance/evidence", &[("title", "x"), ("source", "nothing"), ("kind", "nothing")]).await;
    none.assert_status(422)
        .assert_contains("Choose whether this is a file, a link or a note.")
        .assert_contains("Choose what kind of evidence this is.");
    // A control the organization does not work on: refused, and the uploaded file is not kept.
    let refused = grace
        .post_multipart(
            "/compliance/evidence",
            &[("title", "Shot"), ("source", "file"), ("kind", "screenshot"), ("controls", "CCF-NOPE-1")],
            Some(("file", "shot.png", b"\x89PNG\r\n\x1a\n....")),
        )
        .await;
    refused
        .assert_status(422)
        .assert_contains("Choose controls from the list.")
        .assert_contains("Choose the file again: nothing was saved.");
    assert!(app.state.storage.list("").await.unwrap().is_empty());
    let count: i64 = evidence::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0, "nothing saved");

    // A screenshot is valid three months by default; a link keeps its address.
    let resp = grace
        .post(
            "/compliance/evidence",
            &[
                ("title", "MFA console"),
                ("source", "link"),
                ("kind", "screenshot"),
                ("url", "https://admin.example.com/mfa"),
                ("controls", "CCF-AC-01"),
            ],
        )
        .await;
    resp.assert_redirect("/compliance/controls/CCF-AC-01");
    let page = grace.get(&format!("/compliance/evidence/{}", newest(&app))).await;
    page.assert_contains("Valid until</dt><dd>Jun 2, 2026")
        .assert_contains("href=\"https://admin.example.com/mfa\" rel=\"noopener noreferrer nofollow\"");
}

#[actix_web::test]
async fn an_upload_over_the_limit_is_refused_with_the_form_kept_and_nothing_left_behind() {
    let app = TestApp::with_config(&[("PALISADE_UPLOAD_LIMIT_MB", "1")]).await;
    let f = fixture::msp(&mut app.conn());
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/evidence/new").await;
    let big = vec![b'a'; 1024 * 1024 + 10];
    let fields = [("title", "Firewall export"), ("source", "file"), ("kind", "export"), ("controls", "CCF-AC-01")];
    let resp = olive.post_multipart("/compliance/evidence", &fields, Some(("file", "export.csv", &big))).await;
    resp.assert_status(422).assert_contains("The file is larger than 1 MB. Choose a smaller file.");
    resp.assert_contains("value=\"Firewall export\"").assert_contains("<option value=\"CCF-AC-01\" selected>");
    assert!(app.state.storage.list("").await.unwrap().is_empty(), "no file left");
    let count: i64 = evidence::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0, "no row left");
}

#[actix_web::test]
async fn evidence_is_approved_by_another_approver_and_makes_implemented_controls_effective() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let id = fixture::evidence_file(&app, &f.t2, &people.approver, "Signed policy", &["CCF-AC-01"]).await;
    let path = format!("/compliance/evidence/{id}");
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get(&path).await.assert_contains("Waiting for an approver.");
    grace.post(&format!("{path}/approve"), &[]).await.assert_status(403);
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get(&path).await.assert_contains("You sent it for approval, so another approver decides it.");
    raj.post(&format!("{path}/approve"), &[]).await.assert_status(422).assert_contains("another approver decides it");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&path).await;
    olive
        .post(&format!("{path}/reject"), &[("comment", "")])
        .await
        .assert_status(422)
        .assert_contains("A comment saying why is required.");
    olive.post(&format!("{path}/approve"), &[("comment", "Signed by the CEO.")]).await.assert_redirect(&path);
    assert_eq!(item(&app, &id).0, "approved");
    let listed = olive.get("/compliance/controls?q=CCF-AC-01").await;
    assert!(row(&listed.body, "CCF-AC-01").contains("Current"));
    // The control, once approved as implemented, is effective: the overall score counts it.
    grace.get("/compliance/controls/CCF-AC-01").await;
    grace.post("/compliance/controls/CCF-AC-01/status", &[("status", "ready_for_review")]).await.assert_status(303);
    raj.get("/compliance/controls/CCF-AC-01").await;
    raj.post("/compliance/controls/CCF-AC-01/approve", &[]).await.assert_status(303);
    assert_eq!(score(&mut app.conn(), &f.t2, "").1, 1);
    raj.get("/compliance/controls/CCF-AC-01").await.assert_contains("data-testid=\"control-effective\">Effective");
}

#[actix_web::test]
async fn evidence_is_linked_and_unlinked_from_either_page_and_never_across_tenants() {
    let (app, f, other) = TestApp::with_tenants().await;
    let people = team(&mut app.conn(), &f.t2);
    fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    fixture::adopt(&mut app.conn(), &other.client, "hipaa", app.now());
    let ours = fixture::evidence_file(&app, &f.t2, &people.analyst, "Badge log", &[]).await;
    let theirs = fixture::evidence_file(&app, &other.client, &other.admin, "Rival secret", &[]).await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get("/compliance/controls/CCF-AC-01").await;
    page.assert_contains(&format!("<option value=\"{ours}\">Badge log (Document)</option>"))
        .assert_not_contains("Rival secret");
    let refused = olive.post("/compliance/controls/CCF-AC-01/evidence", &[("evidence_id", theirs.as_str())]).await;
    refused.assert_status(422).assert_contains("Choose evidence from the list.").assert_not_contains("Rival secret");
    olive
        .post("/compliance/controls/CCF-AC-01/evidence", &[("evidence_id", ours.as_str())])
        .await
        .assert_redirect("/compliance/controls/CCF-AC-01");
    let page = olive.get(&format!("/compliance/evidence/{ours}")).await;
    page.assert_contains("href=\"/compliance/controls/CCF-AC-01\"");
    olive.post(&format!("/compliance/evidence/{ours}/links"), &[("control_id", "CCF-AC-02")]).await.assert_status(303);
    olive
        .post(&format!("/compliance/evidence/{ours}/links"), &[("control_id", "CCF-NOPE")])
        .await
        .assert_status(422)
        .assert_contains("Choose a control from the list.");
    let pending: i32 = org_controls::table
        .filter(org_controls::org_id.eq(f.t2.as_str()))
        .filter(org_controls::control_id.eq("CCF-AC-02"))
        .select(org_controls::evidence_pending)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(pending, 1, "the control's evidence summary follows");
    olive
        .post(
            &format!("/compliance/controls/CCF-AC-02/evidence/{ours}/unlink"),
            &[("next", &format!("/compliance/evidence/{ours}"))],
        )
        .await
        .assert_redirect(&format!("/compliance/evidence/{ours}"));
    olive.post(&format!("/compliance/controls/CCF-AC-02/evidence/{theirs}/unlink"), &[]).await.assert_status(404);
    olive.get("/compliance/controls/CCF-AC-01").await.assert_contains("Olive Owner linked Badge log to CCF-AC-01");
    olive.get("/compliance/controls/CCF-AC-02").await.assert_contains("Olive Owner unlinked Badge log from CCF-AC-02");
}

#[actix_web::test]
async fn expiry_notices_go_out_30_and_7_days_before_and_on_the_day_once_each_and_expiry_lowers_the_score() {
    let (app, f) = TestApp::with_msp().await;
    let people = team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/frameworks").await;
    olive.post("/compliance/frameworks/hipaa/adopt", &[]).await.assert_status(303);
    // Raj owns the control; Grace sends a screenshot valid until April 2; Olive approves both.
    olive.get("/compliance/controls/CCF-AC-01").await;
    olive
        .post(
            "/compliance/controls/CCF-AC-01",
            &[
                ("owner", people.approver.as_str()),
                ("due_on", ""),
                ("review_months", "12"),
                ("next_review_on", ""),
                ("notes", ""),
            ],
        )
        .await
        .assert_status(303);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/evidence/new").await;
    grace
        .post(
            "/compliance/evidence",
            &[
                ("title", "MFA settings"),
                ("source", "note"),
                ("kind", "screenshot"),
                ("body", "MFA enforced."),
                ("valid_until", "2026-04-02"),
                ("controls", "CCF-AC-01"),
            ],
        )
        .await
        .assert_status(303);
    let id = newest(&app);
    olive.get(&format!("/compliance/evidence/{id}")).await;
    olive.post(&format!("/compliance/evidence/{id}/approve"), &[]).await.assert_status(303);
    grace.get("/compliance/controls/CCF-AC-01").await;
    grace.post("/compliance/controls/CCF-AC-01/status", &[("status", "ready_for_review")]).await;
    olive.get("/compliance/controls/CCF-AC-01").await;
    olive.post("/compliance/controls/CCF-AC-01/approve", &[]).await.assert_status(303);
    let effective = score(&mut app.conn(), &f.t2, "").1;
    assert_eq!(effective, 1);
    // The daily work queues the notices; the next delivery sends them.
    let notices = || async {
        app.run_pending_jobs().await;
        let mails = app.mail().await;
        mails.into_iter().filter(|m| m.subject.contains("Evidence")).map(|m| (m.to, m.subject)).collect::<Vec<_>>()
    };

    // The organization's day begins at its local midnight (New York): March 3, thirty days before April 2.
    app.clock().advance(Duration::days(1));
    let month = notices().await;
    assert_eq!(
        month,
        vec![
            ("grace@tiertwo.test".to_string(), "Evidence expires in 30 days: MFA settings".to_string()),
            ("raj@tiertwo.test".to_string(), "Evidence expires in 30 days: MFA settings".to_string()),
        ]
    );
    assert_eq!(notices().await.len(), 2, "once: no second notice the same day");
    app.clock().advance(Duration::hours(20));
    assert_eq!(notices().await.len(), 2, "nor the next day");
    app.clock().set(crate::support::start_time() + Duration::days(24));
    let week = notices().await;
    assert_eq!(week.len(), 4);
    assert_eq!(week[2].1, "Evidence expires in 7 days: MFA settings");
    app.clock().set(crate::support::start_time() + Duration::days(31));
    let day = notices().await;
    assert_eq!(day[4].1, "Evidence expires today: MFA settings");
    assert_eq!(score(&mut app.conn(), &f.t2, "").1, 1, "valid through its last day");
    // The day after, the control is no longer effective: the score drops, and no further notice goes out.
    app.clock().set(crate::support::start_time() + Duration::days(32));
    assert_eq!(notices().await.len(), 6);
    assert_eq!(score(&mut app.conn(), &f.t2, "").1, 0, "expired evidence lowers the score");
    let listed = olive.get("/compliance/controls?evidence=expired").await;
    assert!(row(&listed.body, "CCF-AC-01").contains("Expired"));
    olive
        .get("/compliance/controls/CCF-AC-01")
        .await
        .assert_contains("data-testid=\"control-effective\">Not effective");
}
