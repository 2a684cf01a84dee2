//! The people directory (issue 10): adding, editing, deactivating (history kept), members linked by email,
//! the CSV import with its preview and the export, refusals, and what the list costs in statements.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::team;
use crate::support::db::logged;
use crate::support::page::{has_row, row, testid};
use crate::support::{TestApp, fixture, table_snapshot};
use palisade::compliance::people::models::{self, PersonInput};
use palisade::db::ids::OrgId;
use palisade::schema::people;

fn written(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let tables = ["people", "activity_log"];
    table_snapshot(&mut app.conn(), &|table, _| tables.contains(&table).then(|| "1 = 1".to_string()))
}

/// (name, department, active, linked user) of the organization's person with this email.
fn person(app: &TestApp, org: &OrgId, email: &str) -> (String, String, bool, Option<String>) {
    let (name, department, deactivated, user): (String, String, Option<chrono::NaiveDateTime>, Option<String>) =
        people::table
            .filter(people::org_id.eq(org.as_str()))
            .filter(people::email.eq(email))
            .select((people::name, people::department, people::deactivated_at, people::user_id))
            .first(&mut app.conn())
            .unwrap();
    (name, department, deactivated.is_none(), user)
}

fn id_of(app: &TestApp, org: &OrgId, email: &str) -> String {
    people::table
        .filter(people::org_id.eq(org.as_str()))
        .filter(people::email.eq(email))
        .select(people::id)
        .first(&mut app.conn())
        .unwrap()
}

/// A person written through the model (the access matrix's fixture).
pub fn matrix_person(conn: &mut palisade::db::DbConnection, org: &OrgId) -> String {
    let input = PersonInput {
        name: "Pat Person".into(),
        email: "pat@people.test".into(),
        department: "Finance".into(),
        manager: String::new(),
        start_on: None,
    };
    models::insert(conn, org, &input, None, crate::support::start_time()).unwrap().to_string()
}

#[actix_web::test]
async fn people_are_added_edited_linked_to_members_and_deactivated_with_their_history_kept() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/compliance/people").await.assert_status(200).assert_contains("No people yet.");
    olive.get("/compliance/people/new").await.assert_status(200);
    let fields = [
        ("name", "Ann Employee"),
        ("email", "Ann@TierTwo.test"),
        ("department", "Finance"),
        ("manager", "Olive Owner"),
        ("start_on", "2026-02-01"),
    ];
    olive.post("/compliance/people", &fields).await.assert_redirect("/compliance/people");
    assert_eq!(person(&app, &f.t2, "ann@tiertwo.test"), ("Ann Employee".into(), "Finance".into(), true, None));
    // A member of the organization is linked to their user.
    olive.get("/compliance/people/new").await;
    olive
        .post("/compliance/people", &[("name", "Grace Analyst"), ("email", "grace@tiertwo.test")])
        .await
        .assert_status(303);
    assert!(person(&app, &f.t2, "grace@tiertwo.test").3.is_some());
    let list = olive.get("/compliance/people").await;
    assert!(row(&list.body, "Ann Employee").contains("Feb 1, 2026"));
    assert!(row(&list.body, "Grace Analyst").contains("member"));
    olive
        .get("/compliance/people?department=Finance")
        .await
        .assert_contains("Ann Employee")
        .assert_not_contains("Grace Analyst");

    let ann = id_of(&app, &f.t2, "ann@tiertwo.test");
    olive.get(&format!("/compliance/people/{ann}/edit")).await.assert_status(200);
    let edited = [("name", "Ann Employee"), ("email", "ann@tiertwo.test"), ("department", "Sales")];
    olive.post(&format!("/compliance/people/{ann}"), &edited).await.assert_status(303);
    assert_eq!(person(&app, &f.t2, "ann@tiertwo.test").1, "Sales");
    olive.post(&format!("/compliance/people/{ann}/deactivate"), &[]).await.assert_status(303);
    assert!(!person(&app, &f.t2, "ann@tiertwo.test").2, "deactivated, the row kept");
    assert!(!has_row(&olive.get("/compliance/people").await.body, "Ann Employee"));
    assert!(has_row(&olive.get("/compliance/people?status=inactive").await.body, "Ann Employee"));
    olive.post(&format!("/compliance/people/{ann}/reactivate"), &[]).await.assert_status(303);
    assert!(person(&app, &f.t2, "ann@tiertwo.test").2);
    for (action, count) in
        [("person.create", 2), ("person.update", 1), ("person.deactivate", 1), ("person.reactivate", 1)]
    {
        assert_eq!(logged(&mut app.conn(), &f.t2, action).len(), count, "{action}");
    }
}

#[actix_web::test]
async fn an_import_previews_creates_updates_and_refusals_before_writing_and_the_export_reads_back() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let existing = PersonInput { name: "Bo Old".into(), email: "bo@tiertwo.test".into(), ..Default::default() };
    models::insert(&mut app.conn(), &f.t2, &existing, None, app.now()).unwrap();
    let file = "name,email,department,manager,start_date\n\
                Cy New,cy@tiertwo.test,Sales,Bo Old,2026-01-05\n\
                Bo Renamed,BO@tiertwo.test,Ops,,\n\
                ,nameless@tiertwo.test,,,\n\
                Dee Bad,not-an-email,,,\n\
                Eve Date,eve@tiertwo.test,,,05/01/2026\n\
                Cy Twice,cy@tiertwo.test,,,\n";
    olive.get("/compliance/people/import").await.assert_status(200);
    let before = written(&app);
    let preview = olive.post("/compliance/people/import", &[("csv", file)]).await;
    preview.assert_status(200);
    assert_eq!(
        testid(&preview.body, "import-summary"),
        "1 new, 1 to update (matched by email), 4 refused. Nothing is saved until you import."
    );
    assert!(row(&preview.body, "nameless@tiertwo.test").contains("Name is required."));
    assert!(row(&preview.body, "not-an-email").contains("Enter an email address like name@example.com."));
    assert!(row(&preview.body, "Eve Date").contains("Enter a date like 2026-03-31."));
    assert!(row(&preview.body, "Cy Twice").contains("cy@tiertwo.test appears more than once in the file."));
    assert!(row(&preview.body, "Bo Renamed").contains("Updates the person with this email"));
    assert_eq!(written(&app), before, "a preview writes nothing");
    olive.post("/compliance/people/import/apply", &[("csv", file)]).await.assert_redirect("/compliance/people");
    assert_eq!(person(&app, &f.t2, "cy@tiertwo.test").1, "Sales");
    assert_eq!(person(&app, &f.t2, "bo@tiertwo.test").0, "Bo Renamed");
    assert_eq!(logged(&mut app.conn(), &f.t2, "person.import")[0].details, "1 added, 1 updated, 4 refused");
    let total: i64 =
        people::table.filter(people::org_id.eq(f.t2.as_str())).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(total, 2);
    // A file that is not one: said next to the field, the lines kept, nothing written.
    let before = written(&app);
    let bad = olive.post("/compliance/people/import", &[("csv", "who,what\nx,y\n")]).await;
    bad.assert_status(422).assert_contains("one of them &#34;email&#34;").assert_contains("who,what");
    olive.post("/compliance/people/import/apply", &[("csv", "")]).await.assert_status(422);
    assert_eq!(written(&app), before);

    let csv = olive.get("/compliance/people/export.csv").await;
    csv.assert_status(200);
    assert!(csv.body.starts_with("name,email,department,manager,start_date,active\r\n"), "{}", csv.body);
    assert!(csv.body.contains("Cy New,cy@tiertwo.test,Sales,Bo Old,2026-01-05,yes\r\n"), "{}", csv.body);
}

#[actix_web::test]
async fn an_analyst_reads_the_directory_and_changes_nothing_and_a_duplicate_email_is_refused() {
    let (app, f) = TestApp::with_msp().await;
    team(&mut app.conn(), &f.t2);
    let id = matrix_person(&mut app.conn(), &f.t2);
    let mut grace = app.signed_in("grace@tiertwo.test").await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    grace
        .get("/compliance/people")
        .await
        .assert_status(200)
        .assert_contains("Pat Person")
        .assert_not_contains("Add person");
    let before = written(&app);
    grace.get("/compliance/people/new").await.assert_status(403);
    grace.post("/compliance/people", &[("name", "X"), ("email", "x@tiertwo.test")]).await.assert_status(403);
    grace.post(&format!("/compliance/people/{id}/deactivate"), &[]).await.assert_status(403);
    grace
        .post("/compliance/people/import/apply", &[("csv", "name,email\nX,x@tiertwo.test\n")])
        .await
        .assert_status(403);
    assert_eq!(written(&app), before);

    olive.get("/compliance/people/new").await;
    let dup = olive
        .post("/compliance/people", &[("name", "Pat Again"), ("email", "PAT@people.test"), ("department", "Ops")])
        .await;
    dup.assert_status(422)
        .assert_contains("Someone in the directory already has this email.")
        .assert_contains("value=\"Pat Again\"");
    let bad = olive.post("/compliance/people", &[("name", ""), ("email", "nope"), ("start_on", "tomorrow")]).await;
    bad.assert_status(422)
        .assert_contains("Name is required.")
        .assert_contains("Enter an email address")
        .assert_contains("value=\"tomorrow\"");
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn another_tenants_person_is_not_found_and_nothing_is_written() {
    let (app, f) = TestApp::with_msp().await;
    let other = fixture::other(&mut app.conn());
    let id = matrix_person(&mut app.conn(), &f.t2);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(other.client.as_str()).await;
    rita.get("/compliance/people").await.assert_status(200).assert_not_contains("Pat Person");
    rita.get("/compliance/people/export.csv").await.assert_not_contains("pat@people.test");
    let before = written(&app);
    rita.get(&format!("/compliance/people/{id}/edit")).await.assert_status(404);
    rita.get("/compliance/people/new").await;
    rita.post(&format!("/compliance/people/{id}"), &[("name", "Mine"), ("email", "pat@people.test")])
        .await
        .assert_status(404);
    rita.post(&format!("/compliance/people/{id}/deactivate"), &[]).await.assert_status(404);
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn the_directory_runs_the_same_statements_for_1_and_50_people() {
    let (app, f) = TestApp::with_msp().await;
    let add = |n: usize| {
        let input = PersonInput {
            name: format!("Person {n:02}"),
            email: format!("p{n}@tiertwo.test"),
            department: if n.is_multiple_of(2) { "Sales".into() } else { "Ops".into() },
            ..Default::default()
        };
        models::insert(&mut app.conn(), &f.t2, &input, None, app.now()).unwrap();
    };
    add(0);
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let pages =
        ["/compliance/people", "/compliance/people?department=Sales&q=person&page=2", "/compliance/people/export.csv"];
    let mut one = Vec::new();
    for page in pages {
        one.push(app.statements_of(&mut olive, page).await);
    }
    (1..50).for_each(add);
    let mut fifty = Vec::new();
    for page in pages {
        fifty.push(app.statements_of(&mut olive, page).await);
    }
    assert_eq!(one, fifty);
}
