//! The risk register (issue 10): adding, editing, closing risks; heat maps, levels and exposure; acceptance by
//! an approver (never the author) that goes stale when the residual score moves; assessments; assets; CSV.
//! Each feature with a forbidden role, another tenant's ids and bad input. Work happens in Tier Two Legal.

use diesel::prelude::*;

use super::team;
use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, page, start_time};
use palisade::compliance::risks::cells::{self, MapKind};
use palisade::compliance::risks::models::{self as risk_rows, Category, RiskFilter, RiskInput, RiskStatus, Treatment};
use palisade::compliance::risks::scale::Level;
use palisade::db::DbConnection;
use palisade::db::ids::{OrgId, UserId};

/// A risk of `org` with these residual ratings (inherent 5 x 5), added by `author`.
pub fn risk(
    conn: &mut DbConnection,
    org: &OrgId,
    title: &str,
    residual: (i32, i32),
    author: Option<&UserId>,
) -> String {
    risk_scored(conn, org, title, ((5, 5), residual), author)
}

/// A risk with these (inherent, residual) scores.
pub fn risk_scored(
    conn: &mut DbConnection,
    org: &OrgId,
    title: &str,
    (inherent, residual): ((i32, i32), (i32, i32)),
    author: Option<&UserId>,
) -> String {
    let input = RiskInput {
        title: title.into(),
        description: String::new(),
        category: Category::Cyber,
        affected_processes: String::new(),
        owner_user_id: None,
        inherent,
        residual,
        treatment: Treatment::Mitigate,
        treatment_plan: "A plan".into(),
        treatment_due_on: None,
        status: RiskStatus::Open,
        next_review_on: None,
        sle_low_cents: 1_000_000,
        sle_high_cents: 4_000_000,
        aro_hundredths: 50,
    };
    risk_rows::insert(conn, org, &input, author, start_time()).unwrap().to_string()
}

fn form<'a>(title: &'a str, residual: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("category", "cyber"),
        ("affected_processes", "Billing"),
        ("inherent_likelihood", "4"),
        ("inherent_impact", "5"),
        ("residual_likelihood", residual.0),
        ("residual_impact", residual.1),
        ("treatment", "mitigate"),
        ("treatment_plan", "Offline backups tested monthly"),
        ("status", "in_treatment"),
        ("next_review_on", "2027-06-30"),
        ("sle_low", "10,000"),
        ("sle_high", "50,000"),
        ("aro", "0.5"),
    ]
}

/// The heat maps' kept cells of `org` agree with a fresh count of its risks (every write path rebuilt them), and
/// hold `open` risks per map.
fn assert_heat_kept(conn: &mut DbConnection, org: &OrgId, open: i64) {
    let kept = cells::load(conn, org).unwrap();
    assert_eq!(kept, cells::count(conn, org).unwrap(), "the kept cells drifted from the risks");
    for map in MapKind::ALL {
        assert_eq!(kept.iter().filter(|c| c.map == map).map(|c| c.risks).sum::<i64>(), open, "{map:?}");
    }
    // The register's totals read from the cells agree with counting the risks, for every filter they answer.
    let narrowed = |f: fn(&mut RiskFilter)| {
        let mut filter = RiskFilter::default();
        f(&mut filter);
        filter
    };
    let answered = [
        RiskFilter::default(),
        narrowed(|f| f.level = Some(Level::High)),
        narrowed(|f| f.level = Some(Level::Low)),
        narrowed(|f| f.residual_cell = Some((2, 3))),
        narrowed(|f| (f.level, f.residual_cell) = (Some(Level::Medium), Some((2, 3)))),
        narrowed(|f| (f.level, f.residual_cell) = (Some(Level::Critical), Some((2, 3)))),
        narrowed(|f| f.inherent_cell = Some((4, 4))),
        narrowed(|f| f.inherent_cell = Some((5, 5))),
    ];
    for filter in &answered {
        let from_cells = cells::filtered_count(&kept, filter).expect("the cells answer this filter");
        assert_eq!(from_cells, risk_rows::count(conn, org, filter).unwrap(), "{filter:?}");
    }
    let unanswered = [
        narrowed(|f| f.status = Some(None)),
        narrowed(|f| f.category = Some(Category::People)),
        narrowed(|f| f.search = "vendor".into()),
        narrowed(|f| (f.inherent_cell, f.level) = (Some((4, 4)), Some(Level::High))),
    ];
    for filter in &unanswered {
        assert_eq!(cells::filtered_count(&kept, filter), None, "{filter:?}");
    }
}

#[actix_web::test]
async fn the_registers_totals_from_the_cells_match_counting_the_risks() {
    let (app, f) = TestApp::with_msp().await;
    let conn = &mut app.conn();
    // One risk in each residual cell, a spread of inherent scores, and a few closed (the cells count open ones).
    for n in 0..25 {
        let (likelihood, impact) = (1 + n / 5, 1 + n % 5);
        let inherent = (1 + (n * 2) % 5, 1 + (n * 3) % 5);
        let title = format!("Risk {likelihood}x{impact}");
        let id = risk_scored(conn, &f.t2, &title, (inherent, (likelihood, impact)), None);
        if n % 8 == 3 {
            let risk = risk_rows::find(conn, &f.t2, &id).unwrap().unwrap();
            risk_rows::set_closed(conn, &f.t2, &risk.id, true, start_time()).unwrap();
        }
    }
    assert_heat_kept(conn, &f.t2, 22);
}

fn risk_id(conn: &mut DbConnection, org: &OrgId, title: &str) -> String {
    use palisade::schema::risks as r;
    r::table.filter(r::org_id.eq(org)).filter(r::title.eq(title)).select(r::id).first(conn).unwrap()
}

#[actix_web::test]
async fn staff_add_edit_close_and_reopen_risks_with_controls_and_assets() {
    let (app, f) = TestApp::with_msp().await;
    crate::support::fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let laptop = crate::desk::assets::asset(&mut app.conn(), &f.t2, "Reception laptop", None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/risks").await.assert_status(200).assert_contains("No risks in the register yet.");
    let new = olive.get("/compliance/risks/new").await;
    new.assert_status(200).assert_contains("Almost certain").assert_contains("Expected several times a year.");

    // Bad input: messages next to the fields, the input kept, nothing written.
    let mut bad = form(" ", ("5", "5"));
    bad.extend([("aro", ""), ("controls", "CCF-NOT-OURS")]);
    let refused = olive.post("/compliance/risks", &bad).await;
    refused.assert_status(422).assert_contains("Title is required.").assert_contains("value=\"Billing\"");
    refused.assert_contains("Choose controls from this organization&#39;s controls.");
    let mut higher = form("Higher residual", ("5", "5"));
    higher.retain(|(k, _)| *k != "aro");
    let refused = olive.post("/compliance/risks", &higher).await;
    refused.assert_status(422).assert_contains("cannot be higher than the inherent score");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risks"), 0);

    let mut good = form("Ransomware on the file server", ("2", "4"));
    good.extend([("controls", "CCF-AC-01"), ("assets", laptop.as_str())]);
    let resp = olive.post("/compliance/risks", &good).await;
    resp.assert_status(303);
    let shown = olive.follow(&resp).await;
    shown.assert_contains("Ransomware on the file server").assert_contains("8 Medium").assert_contains("20 Critical");
    shown.assert_contains("Reception laptop").assert_contains("CCF-AC-01");
    // SLE $10,000 to $50,000 x ARO 0.5: $5,000 to $25,000 a year.
    shown.assert_contains("$5,000.00 to $25,000.00");
    let id = risk_id(&mut app.conn(), &f.t2, "Ransomware on the file server");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM risks WHERE id = '{id}' AND residual_score = 8 AND eal_high_cents = 2500000"
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    assert_eq!(count(&mut app.conn(), &format!("SELECT COUNT(*) AS n FROM risk_assets WHERE risk_id = '{id}'")), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "risk.create").len(), 1);
    assert_heat_kept(&mut app.conn(), &f.t2, 1);

    let list = olive.get("/compliance/risks").await;
    assert!(page::row(&list.body, "Ransomware on the file server").contains("In treatment"));
    assert_eq!(page::testid(&list.body, "org-level"), "Medium");

    // An edit moves the residual score and is logged with what changed.
    let edit = olive.get(&format!("/compliance/risks/{id}/edit")).await;
    edit.assert_status(200).assert_contains("value=\"CCF-AC-01\" checked");
    let resp = olive.post(&format!("/compliance/risks/{id}"), &form("Ransomware on the file server", ("4", "4"))).await;
    resp.assert_status(303);
    let details = &logged(&mut app.conn(), &f.t2, "risk.update")[0].details;
    assert!(details.contains("residual score: 8 -> 16") && details.contains("controls: edited"), "{details}");
    assert_eq!(count(&mut app.conn(), &format!("SELECT COUNT(*) AS n FROM risk_controls WHERE risk_id = '{id}'")), 0);
    assert_heat_kept(&mut app.conn(), &f.t2, 1);
    let residual = cells::load(&mut app.conn(), &f.t2).unwrap().into_iter().find(|c| c.map == MapKind::Residual);
    assert_eq!(residual.map(|c| (c.likelihood, c.impact)), Some((4, 4)), "the edit moved the risk's cell");

    // Closing takes it out of the register's default view and the totals; reopening brings it back.
    olive.post(&format!("/compliance/risks/{id}/close"), &[]).await.assert_status(303);
    let list = olive.get("/compliance/risks").await;
    assert!(!page::has_row(&list.body, "Ransomware on the file server"));
    assert_eq!(page::testid(&list.body, "org-level"), "None");
    assert_heat_kept(&mut app.conn(), &f.t2, 0);
    assert!(page::has_row(&olive.get("/compliance/risks?status=all").await.body, "Ransomware on the file server"));
    olive.post(&format!("/compliance/risks/{id}/reopen"), &[]).await.assert_status(303);
    assert_eq!(logged(&mut app.conn(), &f.t2, "risk.close").len(), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "risk.reopen").len(), 1);
    assert_heat_kept(&mut app.conn(), &f.t2, 1);
}

#[actix_web::test]
async fn read_only_staff_and_other_tenants_cannot_touch_risks() {
    let (app, f, other) = TestApp::with_tenants().await;
    let theirs = risk(&mut app.conn(), &other.client, "Rival oven fire", (3, 3), None);
    let ours = risk(&mut app.conn(), &f.t1, "Monitor risk", (2, 2), None);
    // An MSP admin at T1 Monitor reads the client's register and changes nothing.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    let list = priya.get("/compliance/risks").await;
    list.assert_status(200).assert_contains("Monitor risk").assert_not_contains("Add risk");
    priya.post("/compliance/risks", &form("Nope", ("1", "1"))).await.assert_status(403);
    priya.post(&format!("/compliance/risks/{ours}/close"), &[]).await.assert_status(403);
    priya.get(&format!("/compliance/risks/{ours}/edit")).await.assert_status(403);
    // A technician does not see compliance at all.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get("/compliance/risks").await.assert_status(403);
    // Another tenant's risk is neither read nor written, nor a sibling client's.
    priya.switch_to(&f.t3).await;
    priya.get(&format!("/compliance/risks/{theirs}")).await.assert_status(404);
    priya.get("/compliance/risks/new").await.assert_status(200);
    priya.post(&format!("/compliance/risks/{theirs}"), &form("Hijacked", ("1", "1"))).await.assert_status(404);
    priya.post(&format!("/compliance/risks/{theirs}/close"), &[]).await.assert_status(404);
    priya.get(&format!("/compliance/risks/{ours}")).await.assert_status(404);
    assert!(!page::has_row(&priya.get("/compliance/risks?status=all").await.body, "Rival oven fire"));
    let sql = "SELECT COUNT(*) AS n FROM risks WHERE title IN ('Nope', 'Hijacked') OR status = 'closed'";
    assert_eq!(count(&mut app.conn(), sql), 0);
}

#[actix_web::test]
async fn heat_map_cells_link_to_their_risks_and_the_msp_dashboard_shows_each_clients_level() {
    let (app, f) = TestApp::with_msp().await;
    risk(&mut app.conn(), &f.t2, "Phishing of the front desk", (4, 4), None);
    risk(&mut app.conn(), &f.t2, "Laptop theft", (2, 3), None);
    risk(&mut app.conn(), &f.t3, "Minor outage", (1, 2), None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let list = olive.get("/compliance/risks").await;
    list.assert_contains("Likelihood 4 Likely, impact 4 Major: 1 risk (High)");
    list.assert_contains("href=\"/compliance/risks?residual=4x4\"").assert_contains("Critical: 20 or more");
    assert_eq!(page::testid(&list.body, "org-level"), "High");
    // Two risks, each $10,000 to $40,000 x 0.5 a year.
    assert_eq!(page::testid(&list.body, "total-eal"), "$10,000.00 to $40,000.00");
    let cell = olive.get("/compliance/risks?residual=2x3").await;
    assert!(page::has_row(&cell.body, "Laptop theft") && !page::has_row(&cell.body, "Phishing of the front desk"));
    let inherent = olive.get("/compliance/risks?inherent=5x5&level=high").await;
    assert!(page::has_row(&inherent.body, "Phishing of the front desk") && !page::has_row(&inherent.body, "Laptop"));
    // Junk in the cell filter narrows nothing and breaks nothing.
    olive.get("/compliance/risks?residual=9x9&level=nope&sort=x&page=-3").await.assert_status(200);

    let mut morgan = app.signed_in("admin@northwind.test").await;
    let dashboard = morgan.get("/msp/dashboard").await;
    assert_eq!(page::testid(&dashboard.body, &format!("risk-{}", f.t2)), "High");
    assert_eq!(page::testid(&dashboard.body, &format!("risk-{}", f.t3)), "Low");
    assert_eq!(page::testid(&dashboard.body, &format!("risk-{}", f.t1)), "—");
}

#[actix_web::test]
async fn an_approver_accepts_a_risk_and_the_acceptance_goes_stale_when_the_residual_score_moves() {
    let (app, f, other) = TestApp::with_tenants().await;
    let people = team(&mut app.conn(), &f.t2);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/risks/new").await.assert_status(200);
    let resp = grace.post("/compliance/risks", &form("Vendor breach", ("2", "3"))).await;
    resp.assert_status(303);
    let id = risk_id(&mut app.conn(), &f.t2, "Vendor breach");
    // An analyst may not accept; the approver may, with a reason and an expiry after today.
    let accept = |reason: &'static str, until: &'static str| vec![("reason", reason), ("expires_on", until)];
    grace.post(&format!("/compliance/risks/{id}/accept"), &accept("Fine", "2099-01-01")).await.assert_status(403);
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get(&format!("/compliance/risks/{id}")).await.assert_status(200).assert_contains("Accept risk");
    let refused = raj.post(&format!("/compliance/risks/{id}/accept"), &accept(" ", "2020-01-01")).await;
    refused.assert_status(422).assert_contains("The reason for accepting is required.");
    refused.assert_contains("The acceptance must expire after today.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risk_acceptances"), 0);
    let resp = raj.post(&format!("/compliance/risks/{id}/accept"), &accept("Insurance covers it", "2099-01-01")).await;
    resp.assert_status(303);
    let shown = raj.follow(&resp).await;
    assert!(page::row(&shown.body, "Insurance covers it").contains("In force"));
    let sql =
        format!("SELECT COUNT(*) AS n FROM risks WHERE id = '{id}' AND status = 'accepted' AND accepted_score = 6");
    assert_eq!(count(&mut app.conn(), &sql), 1);
    let entry = &logged(&mut app.conn(), &f.t2, "risk.accept")[0];
    assert_eq!(entry.actor_user_id.as_ref(), Some(&people.approver));

    // The residual score moves: the acceptance is stale and the risk asks for review.
    let mut moved = form("Vendor breach", ("3", "3"));
    moved.retain(|(k, _)| *k != "status");
    grace.post(&format!("/compliance/risks/{id}"), &moved).await.assert_status(303);
    let page_now = grace.get(&format!("/compliance/risks/{id}")).await;
    assert!(page::row(&page_now.body, "Insurance covers it").contains("Stale: the residual score is now 9"));
    page_now.assert_contains("Acceptance stale: the residual score changed");
    let due = grace.get("/compliance/risks?review=due").await;
    assert!(page::has_row(&due.body, "Vendor breach"));
    // Accepting again supersedes the old acceptance, which stays as it was.
    raj.post(&format!("/compliance/risks/{id}/accept"), &accept("Reviewed at 9", "2099-06-01"))
        .await
        .assert_status(303);
    let history = raj.get(&format!("/compliance/risks/{id}")).await;
    assert!(page::row(&history.body, "Insurance covers it").contains("Superseded"));
    assert!(page::row(&history.body, "Reviewed at 9").contains("In force"));
    let sql = format!(
        "SELECT COUNT(*) AS n FROM risk_acceptances WHERE risk_id = '{id}' AND residual_score = 6 AND reason = 'Insurance covers it' AND superseded_at IS NOT NULL"
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);

    // The author of a risk cannot accept it, even as an approver.
    let own = risk(&mut app.conn(), &f.t2, "Raj's own risk", (2, 2), Some(&people.approver));
    let refused = raj.post(&format!("/compliance/risks/{own}/accept"), &accept("Mine", "2099-01-01")).await;
    refused.assert_status(422).assert_contains("You added this risk, so another approver accepts it.");
    // Another tenant's risk cannot be accepted.
    let theirs = risk(&mut app.conn(), &other.client, "Rival risk", (2, 2), None);
    raj.post(&format!("/compliance/risks/{theirs}/accept"), &accept("No", "2099-01-01")).await.assert_status(404);
    let sql = format!("SELECT COUNT(*) AS n FROM risk_acceptances WHERE risk_id IN ('{own}', '{theirs}')");
    assert_eq!(count(&mut app.conn(), &sql), 0);
}

/// Statements of the register (with its heat maps and totals) and of a risk's page with `n` risks.
async fn register_statements(n: usize) -> (u64, u64) {
    let (app, f) = TestApp::with_msp().await;
    let owner = f.client_admin.clone();
    let mut last = String::new();
    for i in 0..n {
        last = risk(&mut app.conn(), &f.t2, &format!("Risk {i:03}"), (1 + (i % 5) as i32, 1), Some(&owner));
    }
    diesel::update(palisade::schema::risks::table)
        .set(palisade::schema::risks::owner_user_id.eq(Some(owner.as_str())))
        .execute(&mut app.conn())
        .unwrap();
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let register = app.statements_of(&mut olive, "/compliance/risks?sort=exposure").await;
    let one = app.statements_of(&mut olive, &format!("/compliance/risks/{last}")).await;
    (register, one)
}

#[actix_web::test]
async fn the_register_runs_the_same_statements_with_1_or_50_risks() {
    let small = register_statements(1).await;
    let large = register_statements(50).await;
    assert_eq!(small, large);
    assert!(small.0 <= 12, "the register runs {} statements", small.0);
}

/// The ids the access matrix calls the risk routes with: a risk of `org` (added by `author`, so every approver
/// persona but that one may accept it) and an assessment of it started by `author`.
pub fn matrix_fixture(conn: &mut DbConnection, org: &OrgId, author: &UserId) -> (String, String) {
    use palisade::schema::risk_assessments as a;
    let risk = risk(conn, org, "Matrix risk", (2, 2), Some(author));
    let assessment = palisade::db::new_id();
    diesel::insert_into(a::table)
        .values((
            a::id.eq(&assessment),
            a::org_id.eq(org),
            a::title.eq("Matrix assessment"),
            a::assessed_on.eq("2026-01-15"),
            a::notes.eq(""),
            a::started_by_user_id.eq(author),
            a::started_by_name.eq("Fixture"),
            a::sign_off_comment.eq(""),
            a::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    (risk, assessment)
}

#[actix_web::test]
async fn an_assessment_snapshots_the_open_risks_is_signed_off_by_another_approver_and_compares_with_now() {
    let (app, f, other) = TestApp::with_tenants().await;
    team(&mut app.conn(), &f.t2);
    let rising = risk(&mut app.conn(), &f.t2, "Rising risk", (2, 2), None);
    let closing = risk(&mut app.conn(), &f.t2, "Closing risk", (3, 3), None);
    risk(&mut app.conn(), &f.t2, "Steady risk", (1, 1), None);
    risk(&mut app.conn(), &other.client, "Rival risk", (5, 5), None);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/risk-assessments").await.assert_status(200).assert_contains("No assessment yet.");
    let refused = grace
        .post("/compliance/risk-assessments", &[("title", ""), ("assessed_on", "someday"), ("notes", "Kept")])
        .await;
    refused.assert_status(422).assert_contains("A title is required.").assert_contains("Kept");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risk_assessments"), 0);
    let resp = grace
        .post("/compliance/risk-assessments", &[("title", "Annual 2026"), ("assessed_on", "2026-03-01"), ("notes", "")])
        .await;
    resp.assert_status(303);
    let id: String = {
        use palisade::schema::risk_assessments as a;
        a::table.select(a::id).first(&mut app.conn()).unwrap()
    };
    let sql = format!("SELECT COUNT(*) AS n FROM risk_assessment_items WHERE assessment_id = '{id}'");
    assert_eq!(count(&mut app.conn(), &sql), 3, "the three open risks of this client, not the rival's");

    // The register moves on: one score up, one risk closed, one added.
    use palisade::schema::risks as r;
    diesel::update(r::table.filter(r::id.eq(&rising)))
        .set((r::residual_likelihood.eq(4), r::residual_score.eq(8)))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(r::table.filter(r::id.eq(&closing))).set(r::status.eq("closed")).execute(&mut app.conn()).unwrap();
    risk(&mut app.conn(), &f.t2, "Newcomer risk", (2, 1), None);
    let shown = grace.get(&format!("/compliance/risk-assessments/{id}")).await;
    assert!(page::row(&shown.body, "Rising risk").contains("Residual score up"));
    assert!(page::row(&shown.body, "Closing risk").contains("Closed since"));
    assert!(page::row(&shown.body, "Newcomer risk").contains("Added since"));
    assert!(page::row(&shown.body, "Steady risk").contains("Unchanged"));
    shown.assert_not_contains("Rival risk").assert_not_contains("Sign off</button>");

    // Grace cannot sign off (no approver role); Raj can, once; nobody from elsewhere can.
    grace.post(&format!("/compliance/risk-assessments/{id}/sign-off"), &[("comment", "")]).await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/compliance/risk-assessments").await.assert_status(200);
    rita.get(&format!("/compliance/risk-assessments/{id}")).await.assert_status(404);
    rita.get("/compliance/risk-assessments").await.assert_status(200);
    rita.post(&format!("/compliance/risk-assessments/{id}/sign-off"), &[("comment", "")]).await.assert_status(404);
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get(&format!("/compliance/risk-assessments/{id}")).await.assert_contains("Sign off</button>");
    let resp = raj.post(&format!("/compliance/risk-assessments/{id}/sign-off"), &[("comment", "Reviewed")]).await;
    resp.assert_status(303);
    let signed = raj.follow(&resp).await;
    signed.assert_contains("Signed off</span> by Raj Approver").assert_contains(": Reviewed");
    let again = raj.post(&format!("/compliance/risk-assessments/{id}/sign-off"), &[("comment", "")]).await;
    again.assert_status(422).assert_contains("already signed off");
    assert_eq!(logged(&mut app.conn(), &f.t2, "risk_assessment.sign_off").len(), 1);
}

#[actix_web::test]
async fn whoever_starts_an_assessment_cannot_sign_it_off() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let mut raj = app.signed_in("raj@tiertwo.test").await;
    raj.get("/compliance/risk-assessments").await.assert_status(200);
    raj.post("/compliance/risk-assessments", &[("title", "Q1"), ("assessed_on", "2026-03-01")])
        .await
        .assert_status(303);
    let id: String = {
        use palisade::schema::risk_assessments as a;
        a::table.select(a::id).first(&mut app.conn()).unwrap()
    };
    let refused = raj.post(&format!("/compliance/risk-assessments/{id}/sign-off"), &[("comment", "")]).await;
    refused.assert_status(422).assert_contains("You started this assessment, so another approver signs it off.");
    let sql = "SELECT COUNT(*) AS n FROM risk_assessments WHERE signed_off_at IS NOT NULL";
    assert_eq!(count(&mut app.conn(), sql), 0);
}

#[actix_web::test]
async fn risks_import_from_csv_with_a_preview_and_export_back() {
    let (app, f, other) = TestApp::with_tenants().await;
    crate::support::fixture::adopt(&mut app.conn(), &f.t2, "hipaa", app.now());
    let existing = risk(&mut app.conn(), &f.t2, "Existing risk", (2, 2), None);
    let theirs = risk(&mut app.conn(), &other.client, "Rival risk", (2, 2), None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/risks/import").await.assert_status(200);
    let header = "id,title,category,owner_email,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,treatment_plan,sle_low,sle_high,aro,controls";
    let csv = format!(
        "{header}\n\
         ,Imported phishing,Cybersecurity,owner@tiertwo.test,4,4,2,3,mitigate,Training,\"1,000\",5000,2,CCF-AC-01\n\
         {existing},Existing risk renamed,operational,,3,3,3,3,accept,,,,,\n\
         ,No ratings,cyber,,,,,,mitigate,Plan,,,,\n\
         ,Bad owner,cyber,nobody@else.test,2,2,1,1,mitigate,Plan,,,,\n\
         ,Bad control,cyber,,2,2,1,1,mitigate,Plan,,,,CCF-NOPE-99\n\
         {theirs},Hijack,cyber,,2,2,1,1,mitigate,Plan,,,,\n\
         {existing},Twice,cyber,,2,2,1,1,mitigate,Plan,,,,\n\
         \"unterminated,cyber\n"
    );
    let shown = olive.post("/compliance/risks/import", &[("csv", csv.as_str())]).await;
    shown.assert_status(200).assert_contains("1 new, 1 to update (matched by id), 6 refused");
    assert!(page::row(&shown.body, "No ratings").contains("Choose a likelihood from 1 to 5."));
    assert!(page::row(&shown.body, "Bad owner").contains("is not on this organization"));
    assert!(page::row(&shown.body, "Bad control").contains("CCF-NOPE-99 is not one of this organization"));
    assert!(page::row(&shown.body, "Hijack").contains("No risk of this organization has the id"));
    assert!(page::row(&shown.body, "Twice").contains("appears twice in the file"));
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risks"), 2, "a preview writes nothing");

    let resp = olive.post("/compliance/risks/import/apply", &[("csv", csv.as_str())]).await;
    resp.assert_redirect("/compliance/risks");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM risks WHERE org_id = '{}' AND title = 'Imported phishing' AND residual_score = 6 AND eal_low_cents = 200000 AND owner_user_id = '{}'",
        f.t2, f.client_admin
    );
    assert_eq!(count(&mut app.conn(), &sql), 1);
    let sql = format!("SELECT COUNT(*) AS n FROM risks WHERE id = '{existing}' AND title = 'Existing risk renamed'");
    assert_eq!(count(&mut app.conn(), &sql), 1);
    let sql = format!("SELECT COUNT(*) AS n FROM risks WHERE id = '{theirs}' AND title = 'Rival risk'");
    assert_eq!(count(&mut app.conn(), &sql), 1, "another tenant's risk is untouched");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risk_controls"), 1);
    assert_eq!(logged(&mut app.conn(), &f.t2, "risk.import")[0].details, "1 added, 1 updated, 6 refused");
    assert_heat_kept(&mut app.conn(), &f.t2, 2);
    assert_heat_kept(&mut app.conn(), &other.client, 1);
    let renamed = cells::load(&mut app.conn(), &f.t2).unwrap();
    assert!(renamed.iter().any(|c| c.map == MapKind::Inherent && (c.likelihood, c.impact) == (3, 3)), "{renamed:?}");

    // The export has the import's columns and imports back as updates only.
    let export = olive.get("/compliance/risks/export.csv").await;
    export.assert_status(200).assert_contains("Imported phishing").assert_contains("CCF-AC-01");
    assert!(!export.body.contains("Rival risk"));
    let back = olive.post("/compliance/risks/import", &[("csv", export.body.as_str())]).await;
    back.assert_contains("0 new, 2 to update (matched by id), 0 refused");

    // A file without the title column, or empty, is refused as a whole.
    let refused = olive.post("/compliance/risks/import", &[("csv", "name\nNope\n")]).await;
    refused.assert_status(422);
    olive.post("/compliance/risks/import", &[("csv", "  ")]).await.assert_status(422);
    // Read-only staff may export, not import.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya.get("/compliance/risks/export.csv").await.assert_status(200);
    priya.get("/compliance/risks/import").await.assert_status(403);
    priya.post("/compliance/risks/import/apply", &[("csv", csv.as_str())]).await.assert_status(403);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risks"), 3);
}

#[actix_web::test]
async fn an_assets_page_lists_the_risks_that_affect_it_for_who_reads_compliance() {
    let (app, f, other) = TestApp::with_tenants().await;
    let laptop = crate::desk::assets::asset(&mut app.conn(), &f.t2, "Reception laptop", None);
    let rival_asset = crate::desk::assets::asset(&mut app.conn(), &other.client, "Rival oven", None);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/risks/new").await.assert_status(200).assert_contains("Reception laptop");
    // Another tenant's asset cannot be linked.
    let mut foreign = form("Foreign asset", ("2", "2"));
    foreign.push(("assets", rival_asset.as_str()));
    let refused = olive.post("/compliance/risks", &foreign).await;
    refused.assert_status(422).assert_contains("Choose assets from this organization");
    let mut linked = form("Laptop theft", ("2", "2"));
    linked.push(("assets", laptop.as_str()));
    olive.post("/compliance/risks", &linked).await.assert_status(303);
    let asset_page = olive.get(&format!("/assets/{laptop}")).await;
    asset_page.assert_contains("Laptop theft").assert_contains("4 Low");
    // A technician works the asset but does not read compliance: no risks section.
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get(&format!("/assets/{laptop}")).await.assert_status(200).assert_not_contains("Laptop theft");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM risk_assets"), 1);
}

/// Statements of the assessments list and of an assessment (its snapshot compared with the register) when it
/// snapshotted `n` open risks.
async fn assessment_statements(n: usize) -> (u64, u64) {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    for i in 0..n {
        risk(&mut app.conn(), &f.t2, &format!("Risk {i:03}"), (1 + (i % 5) as i32, 2), None);
    }
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    grace.get("/compliance/risk-assessments").await;
    let form = [("title", "Quarterly"), ("assessed_on", "2026-03-01"), ("notes", "")];
    grace.post("/compliance/risk-assessments", &form).await.assert_status(303);
    let id: String = {
        use palisade::schema::risk_assessments as a;
        a::table.select(a::id).first(&mut app.conn()).unwrap()
    };
    let sql = format!("SELECT COUNT(*) AS n FROM risk_assessment_items WHERE assessment_id = '{id}'");
    assert_eq!(count(&mut app.conn(), &sql), n as i64, "every open risk snapshotted");
    let list = app.statements_of(&mut grace, "/compliance/risk-assessments").await;
    let one = app.statements_of(&mut grace, &format!("/compliance/risk-assessments/{id}")).await;
    (list, one)
}

#[actix_web::test]
async fn assessments_run_the_same_statements_with_1_or_40_risks_snapshotted() {
    assert_eq!(assessment_statements(1).await, assessment_statements(40).await);
}
