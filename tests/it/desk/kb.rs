//! Knowledge base: writing, versions and their diffs, publishing; who reads what (MSP-wide articles in every
//! client of their MSP and no other MSP's, client articles in their client only); search on both backends
//! (ranking, prefixes, query syntax in what people type, escaped snippets, bounded statements); feedback and
//! views; from a ticket; attachments; forbidden roles, other tenants and bad input.

use diesel::prelude::*;

use crate::support::db::logged;
use crate::support::fixture::count;
use crate::support::{TestApp, start_time};
use palisade::audit::Actor;
use palisade::db::DbConnection;
use palisade::db::ids::{ArticleId, OrgId};
use palisade::psa::kb::models::{self, ArticleInput, ArticleStatus, Audience};
use palisade::psa::kb::shelf;

/// A published article owned by `owner` (the MSP for an MSP-wide one), written by the system.
pub fn article(conn: &mut DbConnection, owner: &OrgId, msp_wide: bool, title: &str, body: &str) -> ArticleId {
    let input = ArticleInput {
        title: title.into(),
        body: body.into(),
        audience: Some(Audience::Public),
        msp_wide,
        ..Default::default()
    };
    let actor = Actor::system("Seed", start_time());
    palisade::db::write_transaction(conn, |conn| {
        let id = models::insert(conn, owner, &input, None, &actor)?;
        let reader = models::Reader { org: owner.clone(), msp: Some(owner.clone()), staff: true };
        let article = models::find_visible(conn, &reader, &id)?.expect("the article");
        models::set_status(conn, &article, ArticleStatus::Published, start_time())?;
        Ok::<_, diesel::result::Error>(id)
    })
    .unwrap()
}

/// The access matrix's article of `org` (published, public) and a file row on it: (article, file) ids.
pub fn matrix_article(conn: &mut DbConnection, org: &OrgId) -> (String, String) {
    use palisade::schema::kb_attachments as f;
    let id = article(conn, org, false, "Fixture article", "How to restart the fixture.");
    let file = palisade::db::new_id();
    diesel::insert_into(f::table)
        .values((
            f::id.eq(&file),
            f::org_id.eq(org),
            f::article_id.eq(&id),
            f::filename.eq("steps.txt"),
            f::storage_key.eq("fixture/missing"),
            f::size.eq(5i64),
            f::sha256.eq(""),
            f::content_type.eq("text/plain; charset=utf-8"),
            f::uploaded_by_label.eq("Fixture"),
            f::created_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
    (id.to_string(), file)
}

fn id_from(location: &Option<String>) -> String {
    location.as_deref().expect("a redirect").trim_start_matches("/kb/").trim_end_matches("/edit").to_string()
}

#[actix_web::test]
async fn staff_write_publish_edit_and_follow_the_history_of_an_article() {
    let (app, f) = TestApp::with_msp().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/kb").await.assert_status(200).assert_contains("No published articles yet.");
    olive.get("/kb/new").await.assert_status(200);
    // Bad input comes back with the text kept and nothing written.
    let resp = olive
        .post("/kb", &[("title", "  "), ("body", "Kept body text"), ("audience", "internal"), ("place", "org")])
        .await;
    resp.assert_status(422).assert_contains("Title is required.").assert_contains("Kept body text");
    let resp = olive.post("/kb", &[("title", "No body"), ("body", ""), ("audience", "nobody")]).await;
    resp.assert_status(422).assert_contains("Write the article").assert_contains("Choose who may read");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM kb_articles"), 0);

    let body = "Restart the **VPN** client.\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))";
    let resp = olive
        .post("/kb", &[("title", "Reset a VPN token"), ("body", body), ("tags", "VPN, remote"), ("audience", "public")])
        .await;
    resp.assert_status(303);
    let id = id_from(&resp.location);
    let page = olive.follow(&resp).await;
    page.assert_contains("Reset a VPN token").assert_contains("<strong>VPN</strong>").assert_contains("Draft");
    page.assert_not_contains("<script>alert").assert_not_contains("javascript:alert");
    // A draft is not published: not in the list, not found by search.
    olive.get("/kb?q=vpn").await.assert_contains("No published article matches");
    olive.post(&format!("/kb/{id}/publish"), &[]).await.assert_status(303);
    olive.get("/kb").await.assert_contains("Reset a VPN token");
    olive.get("/kb?q=vpn").await.assert_contains("<mark>VPN</mark>");

    olive.get(&format!("/kb/{id}/edit")).await.assert_status(200).assert_contains("Reset a VPN token");
    let edited = "Restart the **VPN** client.\n\nThen sign in again.";
    let resp = olive
        .post(&format!("/kb/{id}"), &[("title", "Reset a VPN token"), ("body", edited), ("audience", "public")])
        .await;
    resp.assert_status(303);
    olive.follow(&resp).await.assert_contains("Saved as version 2.");
    let history = olive.get(&format!("/kb/{id}/history")).await;
    history.assert_status(200).assert_contains("Version 2").assert_contains("Olive Owner");
    history.assert_contains("kb-diff-add\">+ Then sign in again.").assert_contains("kb-diff-remove");
    let versions = format!("SELECT COUNT(*) AS n FROM kb_article_versions WHERE article_id = '{id}'");
    assert_eq!(count(&mut app.conn(), &versions), 2);
    // Edited text is what search finds now.
    olive.get("/kb?q=sign").await.assert_contains("Reset a VPN token");
    olive.post(&format!("/kb/{id}/archive"), &[]).await.assert_status(303);
    olive.get("/kb?q=vpn").await.assert_contains("No published article matches");
    olive.get("/kb?status=archived").await.assert_contains("Reset a VPN token");
    for action in ["kb.create", "kb.publish", "kb.update", "kb.archive"] {
        assert_eq!(logged(&mut app.conn(), &f.t2, action).len(), 1, "{action}");
    }
    olive.get("/settings/activity").await.assert_contains("published the article Reset a VPN token");
}

#[actix_web::test]
async fn msp_wide_articles_reach_every_client_of_their_msp_and_no_other() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t2).await;
    priya.get("/kb/new").await.assert_status(200);
    let resp = priya
        .post(
            "/kb",
            &[
                ("title", "Northwind printer guide"),
                ("body", "Clear the paper path."),
                ("audience", "public"),
                ("place", "msp"),
            ],
        )
        .await;
    resp.assert_status(303);
    let shared = id_from(&resp.location);
    priya.post(&format!("/kb/{shared}/publish"), &[]).await.assert_status(303);
    let msp_wide =
        format!("SELECT COUNT(*) AS n FROM kb_articles WHERE id = '{shared}' AND org_id = '{}' AND msp_wide", f.msp);
    assert_eq!(count(&mut app.conn(), &msp_wide), 1);
    let own = article(&mut app.conn(), &f.t2, false, "Tier two only", "Paper for the legal printer.");
    // Another client of the same MSP reads the MSP-wide article, not the other client's own.
    priya.switch_to(&f.t3).await;
    priya.get(&format!("/kb/{shared}")).await.assert_status(200).assert_contains("Clear the paper path.");
    let found = priya.get("/kb?q=printer").await;
    found.assert_contains("Clear the paper path").assert_not_contains("Tier two only");
    priya.get(&format!("/kb/{own}")).await.assert_status(404);
    // The client's own admin reads it but does not change it, nor shares anything with every client.
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/kb/{shared}")).await.assert_status(200).assert_not_contains("/edit\"");
    olive.get(&format!("/kb/{shared}/edit")).await.assert_status(403);
    olive.post(&format!("/kb/{shared}/archive"), &[]).await.assert_status(403);
    olive.get("/kb/new").await;
    let resp =
        olive.post("/kb", &[("title", "Shared?"), ("body", "x"), ("audience", "internal"), ("place", "msp")]).await;
    resp.assert_status(422).assert_contains("staff can share an article with every client").assert_contains("Shared?");
    // Another MSP's people find nothing of it, by search or by id.
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/kb?q=printer").await.assert_status(200).assert_contains("No published article matches");
    for path in [format!("/kb/{shared}"), format!("/kb/{own}"), format!("/kb/{shared}/history")] {
        rita.get(&path).await.assert_status(404);
    }
    rita.get("/kb/new").await;
    rita.post(&format!("/kb/{shared}"), &[("title", "Hijacked"), ("body", "x"), ("audience", "public")])
        .await
        .assert_status(404);
    rita.post(&format!("/kb/{own}/feedback"), &[("helpful", "no")]).await.assert_status(404);
    let untouched = "SELECT COUNT(*) AS n FROM kb_articles WHERE title = 'Hijacked' OR unhelpful_count > 0";
    assert_eq!(count(&mut app.conn(), untouched), 0);
}

#[actix_web::test]
async fn monitor_tier_staff_read_articles_and_change_nothing() {
    let (app, f) = TestApp::with_msp().await;
    let id = article(&mut app.conn(), &f.t1, false, "Dental chair firmware", "Update it monthly.");
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t1).await;
    priya
        .get("/kb")
        .await
        .assert_status(200)
        .assert_contains("Dental chair firmware")
        .assert_not_contains("Write an article");
    priya.get(&format!("/kb/{id}")).await.assert_status(200).assert_not_contains(">Edit<");
    priya.get("/kb/new").await.assert_status(403);
    priya.post("/kb", &[("title", "Nope"), ("body", "x"), ("audience", "public")]).await.assert_status(403);
    priya.post(&format!("/kb/{id}/archive"), &[]).await.assert_status(403);
    priya.get("/kb/insights").await.assert_status(403);
    let sql = "SELECT COUNT(*) AS n FROM kb_articles WHERE title = 'Nope' OR status <> 'published'";
    assert_eq!(count(&mut app.conn(), sql), 0);
}

#[actix_web::test]
async fn search_ranks_a_title_match_above_a_body_match_and_takes_any_input() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        article(&mut conn, &f.t2, false, "Tray guide", "If the printer jams, open tray two and pull gently.");
        article(&mut conn, &f.t2, false, "Printer jams", "Lift the cover. Check the rollers.");
        article(&mut conn, &f.t2, false, "Unrelated", "Password resets for `<b>email</b>` & <i>things</i>.");
    }
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let results = olive.get("/kb?q=printer").await;
    let (title_hit, body_hit) =
        (results.body.find("Printer</mark> jams").unwrap(), results.body.find("Tray guide").unwrap());
    assert!(title_hit < body_hit, "the title match ranks first");
    results.assert_contains("the <mark>printer</mark> jams").assert_not_contains("Unrelated");
    // A word only in a body; a prefix as people type; stems.
    olive.get("/kb?q=rollers").await.assert_contains("Printer jams").assert_not_contains("Tray guide");
    olive.get("/kb?q=print").await.assert_contains("Lift the cover").assert_contains("Tray guide");
    olive
        .get("/kb?q=pull%20tray")
        .await
        .assert_contains("<mark>pull</mark> gently")
        .assert_not_contains("Printer jams");
    // Snippets are escaped text with marks, never the article's HTML.
    let escaped = olive.get("/kb?q=email").await;
    escaped.assert_contains("<mark>email</mark>").assert_not_contains("<b>").assert_not_contains("<i>");
    assert!(
        escaped.body.contains("&lt;b&gt;<mark>email</mark>") || escaped.body.contains("&#60;b&#62;<mark>email</mark>")
    );
    // Query syntax in what people type is only words.
    for q in [
        "%22",
        "printer%22",
        "NEAR(printer%20tray)",
        "title%3Aprinter",
        "*",
        "printer*",
        "AND%20OR%20NOT",
        "-printer",
        "%3A",
        "%27",
        "%5C",
        "(",
        "printer%20%26%20!jams",
        "shelf%3Apub",
        "%7Btitle%7D%3A",
        "%5E",
    ] {
        let resp = olive.get(&format!("/kb?q={q}")).await;
        assert_eq!(resp.status.as_u16(), 200, "{q}");
    }
    olive.get("/kb?q=printer%3A").await.assert_contains("Lift the cover");
    olive.get("/kb?q=%22rollers%22)*").await.assert_contains("Printer jams");
}

#[actix_web::test]
async fn the_search_page_runs_the_same_statements_for_1_and_100_articles() {
    let (app, f) = TestApp::with_msp().await;
    article(&mut app.conn(), &f.t2, false, "Printer 0", "Printer body 0");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let one = app.statements_of(&mut olive, "/kb?q=printer").await;
    let list_one = app.statements_of(&mut olive, "/kb").await;
    {
        let mut conn = app.conn();
        for i in 1..100 {
            let msp_wide = i % 2 == 0;
            let owner = if msp_wide { &f.msp } else { &f.t2 };
            article(&mut conn, owner, msp_wide, &format!("Printer {i}"), &format!("The printer body {i}"));
        }
    }
    let hundred = app.statements_of(&mut olive, "/kb?q=printer").await;
    assert_eq!(one, hundred);
    assert_eq!(list_one, app.statements_of(&mut olive, "/kb").await);
    olive.get("/kb?q=printer").await.assert_contains("1–25 of 100");
}

#[actix_web::test]
async fn readers_answer_did_this_help_once_each_and_editors_see_the_lists() {
    let (app, f) = TestApp::with_msp().await;
    let id = article(&mut app.conn(), &f.t2, false, "Reset MFA", "Ask the service desk.");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/kb/{id}")).await.assert_status(200);
    olive.get(&format!("/kb/{id}")).await;
    let counts = |app: &TestApp| {
        use palisade::schema::kb_articles as a;
        a::table
            .filter(a::id.eq(id.as_str()))
            .select((a::view_count, a::helpful_count, a::unhelpful_count))
            .first::<(i64, i32, i32)>(&mut app.conn())
            .unwrap()
    };
    assert_eq!(counts(&app), (2, 0, 0));
    olive.post(&format!("/kb/{id}/feedback"), &[("helpful", "yes")]).await.assert_status(303);
    olive.post(&format!("/kb/{id}/feedback"), &[("helpful", "yes")]).await.assert_status(303);
    assert_eq!(counts(&app).1, 1, "one vote per person");
    olive.post(&format!("/kb/{id}/feedback"), &[("helpful", "no")]).await;
    assert_eq!(counts(&app), (2, 0, 1));
    olive.post(&format!("/kb/{id}/feedback"), &[("helpful", "maybe")]).await.assert_status(303);
    assert_eq!(counts(&app), (2, 0, 1));
    let mut tom = app.signed_in("tech@northwind.test").await;
    tom.switch_to(&f.t2).await;
    tom.get(&format!("/kb/{id}")).await.assert_status(200);
    tom.post(&format!("/kb/{id}/feedback"), &[("helpful", "no")]).await;
    assert_eq!(counts(&app), (3, 0, 2));
    let feedback = format!("SELECT COUNT(*) AS n FROM kb_feedback WHERE article_id = '{id}'");
    assert_eq!(count(&mut app.conn(), &feedback), 2);
    let insights = olive.get("/kb/insights").await;
    insights.assert_status(200);
    assert!(crate::support::page::has_row(&insights.body, "Reset MFA"));
    olive.get(&format!("/kb/{id}")).await.assert_contains("You answered no");
}

#[actix_web::test]
async fn from_a_ticket_staff_find_articles_insert_links_and_draft_one_from_the_conversation() {
    let (app, f) = TestApp::with_msp().await;
    let id =
        article(&mut app.conn(), &f.t2, false, "Outlook keeps asking for a password", "Remove the cached credential.");
    let (ticket, number) = {
        let mut conn = app.conn();
        let contact = super::contact(&mut conn, &f.t2, "Ann Lee", "ann@legal.test");
        let (ticket, number) =
            super::ticket(&mut conn, &f.t2, &f.client_admin, "Outlook password prompt", Some(&contact));
        super::customer_reply(&mut conn, &f.t2, &ticket, &contact, "It asks again every hour.", start_time());
        (ticket, number)
    };
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    let page = olive.get(&format!("/tickets/{number}")).await;
    page.assert_contains(&format!("action=\"/tickets/{number}/kb\"")).assert_not_contains("Create draft article");
    let results = olive.get(&format!("/tickets/{number}/kb?q=outlook%20pass")).await;
    results.assert_status(200).assert_contains("Outlook keeps asking");
    results.assert_contains(&format!("/tickets/{number}?article={id}#body"));
    let reply = olive.get(&format!("/tickets/{number}?article={id}")).await;
    reply.assert_contains(&format!("[Outlook keeps asking for a password](http://localhost/kb/{id})</textarea>"));
    // Someone else's article id inserts nothing.
    let theirs = article(&mut app.conn(), &f.t1, false, "Other client's secret", "x");
    olive.get(&format!("/tickets/{number}?article={theirs}")).await.assert_status(200).assert_not_contains("secret");

    // A draft only from a solved problem.
    olive.post(&format!("/tickets/{number}/kb-draft"), &[]).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM kb_articles WHERE source_ticket_id IS NOT NULL"), 0);
    let note = [("body", "Internal: it was the VPN"), ("visibility", "internal")];
    super::post_multipart(&mut olive, &format!("/tickets/{number}/reply"), &note, &[]).await.assert_status(303);
    {
        use palisade::schema::tickets as t;
        diesel::update(t::table.filter(t::id.eq(&ticket)))
            .set((t::status.eq("resolved"), t::resolution_note.eq("Removed the cached credential.")))
            .execute(&mut app.conn())
            .unwrap();
    }
    olive.get(&format!("/tickets/{number}")).await.assert_contains("Create draft article");
    let resp = olive.post(&format!("/tickets/{number}/kb-draft"), &[]).await;
    resp.assert_status(303);
    let draft = olive.follow(&resp).await;
    draft.assert_contains("Outlook password prompt").assert_contains("It asks again every hour.");
    draft.assert_contains("Removed the cached credential.").assert_not_contains("it was the VPN");
    draft.assert_not_contains("ann@legal.test");
    let with_notes = olive.post(&format!("/tickets/{number}/kb-draft"), &[("notes", "1")]).await;
    olive.follow(&with_notes).await.assert_contains("it was the VPN");
    let drafts =
        format!("SELECT COUNT(*) AS n FROM kb_articles WHERE source_ticket_id = '{ticket}' AND status = 'draft'");
    assert_eq!(count(&mut app.conn(), &drafts), 2);
    assert_eq!(logged(&mut app.conn(), &f.t2, "kb.create")[0].details, format!("from ticket #{number}"));
}

#[actix_web::test]
async fn files_attach_to_an_article_and_download_only_where_it_is_readable() {
    let (app, f, other) = TestApp::with_tenants().await;
    let id = article(&mut app.conn(), &f.t2, false, "Printer drivers", "See the file.");
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("/kb/{id}")).await;
    let resp =
        super::post_multipart(&mut olive, &format!("/kb/{id}/files"), &[], &[("files", "driver.txt", b"v1.2")]).await;
    resp.assert_status(303);
    let page = olive.follow(&resp).await;
    page.assert_contains("File attached.").assert_contains("driver.txt");
    let file: String = {
        use palisade::schema::kb_attachments as a;
        a::table.filter(a::article_id.eq(id.as_str())).select(a::id).first(&mut app.conn()).unwrap()
    };
    let download = olive.get(&format!("/kb/{id}/files/{file}")).await;
    download.assert_status(200);
    assert_eq!(download.body, "v1.2");
    let empty = super::post_multipart(&mut olive, &format!("/kb/{id}/files"), &[], &[]).await;
    olive.follow(&empty).await.assert_contains("Choose a file to attach.");
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get(&format!("/kb/{id}/files/{file}")).await.assert_status(404);
    assert_eq!(logged(&mut app.conn(), &f.t2, "kb.attach").len(), 1);
}

#[actix_web::test]
async fn a_save_based_on_a_version_someone_else_replaced_writes_nothing() {
    let (app, f, _other) = TestApp::with_tenants().await;
    let mut conn = app.conn();
    let id = article(&mut conn, &f.t2, false, "VPN setup", "Install the client.");
    let reader = models::Reader { org: f.t2.clone(), msp: None, staff: true };
    let read = models::find_visible(&mut conn, &reader, &id).unwrap().expect("the article");
    let edit = |body: &str| ArticleInput { title: "VPN setup".into(), body: body.into(), ..Default::default() };
    let actor = Actor::system("Editor", start_time());
    // Two people opened version 1; the first save makes version 2, the second (still on version 1) is refused.
    assert_eq!(models::update(&mut conn, &read, &edit("First editor's text."), &actor).unwrap(), Some(2));
    assert_eq!(models::update(&mut conn, &read, &edit("Second editor's text."), &actor).unwrap(), None);
    let body: String = palisade::schema::kb_articles::table
        .find(&id)
        .select(palisade::schema::kb_articles::body)
        .first(&mut conn)
        .unwrap();
    assert_eq!(body, "First editor's text.");
    let versions = format!("SELECT COUNT(*) AS n FROM kb_article_versions WHERE article_id = '{id}'");
    assert_eq!(count(&mut conn, &versions), 2);
}

/// The kept shelf counts of `org` agree with a fresh count of its articles (every write path rebuilt them);
/// returns them as (MSP-wide?, audience, category, articles).
fn assert_shelf_kept(conn: &mut DbConnection, org: &OrgId) -> Vec<(bool, String, String, i64)> {
    let kept = shelf::load(conn, org).unwrap();
    assert_eq!(kept, shelf::count(conn, org).unwrap(), "the kept shelf counts drifted from the articles");
    kept.into_iter().map(|c| (c.msp_wide, c.audience.id().to_string(), c.category, c.articles)).collect()
}

fn shelf_row(msp_wide: bool, audience: &str, category: &str, articles: i64) -> (bool, String, String, i64) {
    (msp_wide, audience.to_string(), category.to_string(), articles)
}

#[actix_web::test]
async fn every_write_to_an_article_keeps_its_owners_shelf_counts_in_step() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.get("/kb/new").await;
    let fields = |title: &'static str, category: &'static str, audience: &'static str| {
        [("title", title), ("body", "Steps."), ("category", category), ("audience", audience), ("place", "org")]
    };
    let created = olive.post("/kb", &fields("Reset a VPN token", "Remote access", "public")).await;
    let vpn = id_from(&created.location);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![], "a draft is on no shelf");
    olive.post(&format!("/kb/{vpn}/publish"), &[]).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "public", "Remote access", 1)]);
    // Edits move it between categories and audiences.
    olive.post(&format!("/kb/{vpn}"), &fields("Reset a VPN token", "Network", "public")).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "public", "Network", 1)]);
    olive.post(&format!("/kb/{vpn}"), &fields("Reset a VPN token", "Network", "internal")).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "internal", "Network", 1)]);
    // Bad input writes nothing and moves nothing.
    let refused = olive.post(&format!("/kb/{vpn}"), &fields(" ", "Printing", "public")).await;
    refused.assert_status(422).assert_contains("Title is required.");
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "internal", "Network", 1)]);
    let created = olive.post("/kb", &fields("Wi-Fi password", "Network", "public")).await;
    let wifi = id_from(&created.location);
    olive.post(&format!("/kb/{wifi}/publish"), &[]).await.assert_status(303);
    let both = vec![shelf_row(false, "internal", "Network", 1), shelf_row(false, "public", "Network", 1)];
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), both);
    olive.post(&format!("/kb/{vpn}/unpublish"), &[]).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "public", "Network", 1)]);

    // MSP staff share one with every client: it counts on the MSP's MSP-wide shelf, not the client's.
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    priya.switch_to(&f.t2).await;
    priya.get("/kb/new").await;
    let shared = [("title", "Printer guide"), ("body", "Paper."), ("audience", "public"), ("place", "msp")];
    let shared = id_from(&priya.post("/kb", &shared).await.location);
    priya.post(&format!("/kb/{shared}/publish"), &[]).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.msp), vec![shelf_row(true, "public", "", 1)]);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "public", "Network", 1)]);
    // The client's admin may not archive it, another MSP's admin does not find it: nothing moves.
    olive.post(&format!("/kb/{shared}/archive"), &[]).await.assert_status(403);
    let mut rita = app.signed_in("admin@contoso.test").await;
    rita.switch_to(&other.client).await;
    rita.get("/kb/new").await;
    rita.post(&format!("/kb/{shared}/archive"), &[]).await.assert_status(404);
    rita.post(&format!("/kb/{wifi}/unpublish"), &[]).await.assert_status(404);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.msp), vec![shelf_row(true, "public", "", 1)]);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![shelf_row(false, "public", "Network", 1)]);
    priya.post(&format!("/kb/{shared}/archive"), &[]).await.assert_status(303);
    olive.post(&format!("/kb/{wifi}/archive"), &[]).await.assert_status(303);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.msp), vec![]);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.t2), vec![]);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &other.msp), vec![]);

    // The load demo's seeder counts what it writes, for every owner.
    let clients = [f.t1.clone(), f.t2.clone(), f.t3.clone()];
    palisade::psa::kb::demo::seed_scale(&mut app.conn(), &f.msp, &clients, 40, start_time()).unwrap();
    let mut seeded = 0;
    for org in [&f.msp, &f.t1, &f.t2, &f.t3] {
        seeded += assert_shelf_kept(&mut app.conn(), org).iter().map(|row| row.3).sum::<i64>();
    }
    assert_eq!(seeded, 40);
    assert_eq!(assert_shelf_kept(&mut app.conn(), &f.msp).iter().map(|row| row.3).sum::<i64>(), 24, "3 in 5");
}
