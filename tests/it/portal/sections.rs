//! The portal's sections as an end user of Tier Two Legal uses them: "mine" versus the company's tickets, other
//! tenants' numbers, slugs and articles (404), ticket rules (allowed priorities, the reopen window), sections the
//! client turned off (404), policies signed through the campaign's signing service, compliance scores, the
//! marker planted in staff-only places that no portal page may show, and bounded statements.

use diesel::prelude::*;

use crate::desk::kb::article;
use crate::desk::{contact, env, staff, ticket};
use crate::support::fixture::{self, count};
use crate::support::{TestApp, start_time};
use palisade::db::DbConnection;
use palisade::db::ids::{ContactId, OrgId};
use palisade::psa::tickets::service::{self, Reply};
use palisade::schema::{portal_settings, tickets};

pub(super) const PORTAL: &str = "/portal/tier-two-legal";
const MARKER: &str = "INTERNAL-MARKER-7f3";

pub(super) struct World {
    pub app: TestApp,
    pub f: fixture::Msp,
    pub other: fixture::Other,
    erin: ContactId,
}

/// Erin (own tickets, #1) and Cora (the company's) in Tier Two Legal, Bob's ticket #2 there; Rex in another
/// MSP's client with its own ticket #1.
pub(super) async fn world() -> World {
    let (app, f, other) = TestApp::with_tenants().await;
    let erin = {
        let mut conn = app.conn();
        let erin = contact(&mut conn, &f.t2, "Erin Enduser", "erin@tiertwo.test");
        let bob = contact(&mut conn, &f.t2, "Bob Builder", "bob@tiertwo.test");
        let cora = contact(&mut conn, &f.t2, "Cora Company", "cora@tiertwo.test");
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", Some(&erin), false);
        fixture::portal_user(&mut conn, &f.t2, "cora@tiertwo.test", "Cora Company", Some(&cora), true);
        ticket(&mut conn, &f.t2, &f.tech, "Printer on fire", Some(&erin));
        ticket(&mut conn, &f.t2, &f.tech, "Bob's laptop is slow", Some(&bob));
        let rex = contact(&mut conn, &other.client, "Rex Baker", "rex@bakery.test");
        fixture::portal_user(&mut conn, &other.client, "rex@bakery.test", "Rex Baker", Some(&rex), false);
        ticket(&mut conn, &other.client, &other.admin, "Oven thermostat", Some(&rex));
        erin
    };
    World { app, f, other, erin }
}

fn settings(conn: &mut DbConnection, org: &OrgId, allowed: &str, tickets: bool, kb: bool, compliance: bool) {
    diesel::delete(portal_settings::table.find(org)).execute(conn).unwrap();
    diesel::insert_into(portal_settings::table)
        .values((
            portal_settings::org_id.eq(org),
            portal_settings::allowed_priorities.eq(allowed),
            portal_settings::show_tickets.eq(tickets),
            portal_settings::show_kb.eq(kb),
            portal_settings::show_compliance.eq(compliance),
            portal_settings::welcome_markdown.eq("Welcome to **Tier Two** support."),
            portal_settings::support_email.eq("help@tiertwo.test"),
            portal_settings::updated_at.eq(start_time()),
        ))
        .execute(conn)
        .unwrap();
}

#[actix_web::test]
async fn an_end_user_sees_their_own_tickets_or_the_companys_and_nothing_of_other_tenants() {
    let w = world().await;
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let list = erin.get(&format!("{PORTAL}/tickets")).await;
    list.assert_status(200).assert_contains("Printer on fire").assert_not_contains("Bob&#x27;s laptop");
    list.assert_not_contains("Bob's laptop");
    erin.get(&format!("{PORTAL}/tickets/1")).await.assert_status(200).assert_contains("Details of the problem.");
    // Bob's ticket, the other tenant's slug and number, junk numbers: not found.
    erin.get(&format!("{PORTAL}/tickets/2")).await.assert_status(404);
    erin.get("/portal/rival-client-bakery/tickets/1").await.assert_status(404);
    erin.get(&format!("{PORTAL}/tickets/abc")).await.assert_status(404);
    erin.post(&format!("{PORTAL}/tickets/2/close"), &[]).await.assert_status(404);

    let mut cora = w.app.client().await;
    cora.portal_sign_in(PORTAL, "cora@tiertwo.test").await;
    let company = cora.get(&format!("{PORTAL}/tickets")).await;
    company.assert_status(200).assert_contains("Printer on fire").assert_contains("laptop is slow");
    company.assert_contains("Erin Enduser");
    cora.get(&format!("{PORTAL}/tickets/2")).await.assert_status(200);

    let mut rex = w.app.client().await;
    rex.portal_sign_in("/portal/rival-client-bakery", "rex@bakery.test").await;
    rex.get(&format!("{PORTAL}/tickets/1")).await.assert_status(404).assert_not_contains("Printer");
    rex.get("/portal/rival-client-bakery/tickets/1").await.assert_status(200).assert_contains("Oven thermostat");
    rex.get("/portal/rival-client-bakery/tickets").await.assert_not_contains("Printer on fire");
    // Staff of the client are not end users.
    let mut olive = w.app.client().await;
    let refused = olive.portal_sign_in_with(PORTAL, "owner@tiertwo.test", crate::support::PASSWORD).await;
    refused.assert_status(403).assert_contains("has no access to the Tier Two Legal portal");
    olive.get(&format!("{PORTAL}/tickets")).await.assert_status(303);
}

#[actix_web::test]
async fn an_end_user_opens_a_ticket_with_an_allowed_priority_only() {
    let w = world().await;
    settings(&mut w.app.conn(), &w.f.t2, "low,medium", true, true, false);
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let form = erin.get(&format!("{PORTAL}/tickets/new")).await;
    form.assert_status(200).assert_contains("value=\"medium\"").assert_not_contains("value=\"high\"");
    let before = count(&mut w.app.conn(), "SELECT COUNT(*) AS n FROM tickets");
    let fields = [("subject", "VPN drops every hour"), ("description", "Since Monday."), ("priority", "high")];
    let refused = erin.post_multipart(&format!("{PORTAL}/tickets"), &fields, None).await;
    refused.assert_status(422).assert_contains("Choose one of the priorities").assert_contains("VPN drops every hour");
    refused.assert_contains("Since Monday.");
    let empty = [("subject", " "), ("description", ""), ("priority", "low")];
    erin.post_multipart(&format!("{PORTAL}/tickets"), &empty, None).await.assert_status(422);
    assert_eq!(count(&mut w.app.conn(), "SELECT COUNT(*) AS n FROM tickets"), before, "nothing opened");

    let fields = [("subject", "VPN drops every hour"), ("description", "Since Monday."), ("priority", "medium")];
    let file = ("files", "log.txt", b"dropped at 10:00".as_slice());
    let opened = erin.post_multipart(&format!("{PORTAL}/tickets"), &fields, Some(file)).await;
    opened.assert_redirect(&format!("{PORTAL}/tickets/3"));
    let (source, requester, priority): (String, Option<String>, String) = tickets::table
        .filter(tickets::org_id.eq(&w.f.t2))
        .filter(tickets::number.eq(3))
        .select((tickets::source, tickets::requester_contact_id, tickets::priority))
        .first(&mut w.app.conn())
        .unwrap();
    assert_eq!((source.as_str(), requester.as_deref(), priority.as_str()), ("portal", Some(w.erin.as_str()), "medium"));
    let page = erin.get(&format!("{PORTAL}/tickets/3")).await;
    page.assert_status(200).assert_contains("Ticket #3 is open").assert_contains("log.txt");
    let file = crate::support::db::attachment_id(&mut w.app.conn(), w.f.t2.as_str(), "log.txt");
    let download = erin.get(&format!("{PORTAL}/tickets/3/attachments/{file}")).await;
    download.assert_status(200).assert_contains("dropped at 10:00");
    let mut rex = w.app.client().await;
    rex.portal_sign_in("/portal/rival-client-bakery", "rex@bakery.test").await;
    rex.get(&format!("{PORTAL}/tickets/3/attachments/{file}")).await.assert_status(404);
    let mail = w.app.mail().await;
    assert!(
        mail.iter().any(|m| m.to.contains("erin@tiertwo.test") && m.subject.contains("VPN drops every hour")),
        "Erin gets the ticket service's notice"
    );
    let erin_user = crate::support::db::user_id(&mut w.app.conn(), "erin@tiertwo.test").unwrap();
    let logged = crate::support::db::logged(&mut w.app.conn(), w.f.t2.as_str(), "ticket.create");
    assert!(logged.iter().any(|l| l.actor_user_id.as_ref().map(|u| u.as_str()) == Some(erin_user.as_str())));
}

#[actix_web::test]
async fn an_end_user_replies_closes_and_reopens_only_within_the_window() {
    let w = world().await;
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let path = format!("{PORTAL}/tickets/1");
    erin.get(&path).await;
    erin.post_multipart(&format!("{path}/reply"), &[("body", "It smokes again.")], None).await.assert_redirect(&path);
    erin.post_multipart(&format!("{path}/reply"), &[("body", "  ")], None).await.assert_status(422);
    erin.post(&format!("{path}/close"), &[]).await.assert_redirect(&path);
    let status = |app: &TestApp| -> String {
        tickets::table
            .filter(tickets::number.eq(1))
            .filter(tickets::subject.eq("Printer on fire"))
            .select(tickets::status)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(status(&w.app), "closed");
    erin.get(&path).await.assert_contains("Reopen the ticket").assert_contains("Erin Enduser: Closed");
    erin.post(&format!("{path}/reopen"), &[]).await.assert_redirect(&path);
    assert_eq!(status(&w.app), "open");
    // A reply within the window reopens a closed ticket too.
    erin.post(&format!("{path}/close"), &[]).await;
    erin.post_multipart(&format!("{path}/reply"), &[("body", "Back again.")], None).await.assert_redirect(&path);
    assert_eq!(status(&w.app), "open");
    erin.post(&format!("{path}/close"), &[]).await;
    // Past the 14 days of the window: no reopening, no reply; a new ticket instead.
    w.app.clock().advance(chrono::Duration::days(15));
    erin.post(&format!("{path}/reopen"), &[]).await.assert_redirect(&path);
    assert_eq!(status(&w.app), "closed");
    erin.get(&path).await.assert_contains("too long ago").assert_contains("Open a new ticket");
    let late = erin.post_multipart(&format!("{path}/reply"), &[("body", "Still broken")], None).await;
    late.assert_status(422).assert_contains("open a new ticket instead");
    assert_eq!(status(&w.app), "closed");
    let replies = count(&mut w.app.conn(), "SELECT COUNT(*) AS n FROM ticket_events WHERE kind = 'reply'");
    assert_eq!(replies, 2, "only the replies within the window");
}

#[actix_web::test]
async fn sections_the_client_turned_off_do_not_exist() {
    let w = world().await;
    settings(&mut w.app.conn(), &w.f.t2, "low,medium,high", false, false, false);
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    for path in ["/tickets", "/tickets/new", "/tickets/1", "/kb", "/compliance"] {
        erin.get(&format!("{PORTAL}{path}")).await.assert_status(404);
    }
    let home = erin.get(PORTAL).await;
    home.assert_status(200).assert_contains("<strong>Tier Two</strong>").assert_contains("help@tiertwo.test");
    home.assert_not_contains(&format!("{PORTAL}/tickets\""));
}

#[actix_web::test]
async fn the_knowledge_base_shows_public_articles_of_the_client_and_its_msp_only() {
    let w = world().await;
    let (own, msp_wide, sibling, rival) = {
        let mut conn = w.app.conn();
        (
            article(&mut conn, &w.f.t2, false, "Reset your password", "Open the portal and choose reset."),
            article(&mut conn, &w.f.msp, true, "Connect to the VPN", "Install the VPN client."),
            article(&mut conn, &w.f.t1, false, "Dental chair manual", "Only for Tier One."),
            article(&mut conn, &w.other.msp, true, "Rival oven guide", "Only for the rival's clients."),
        )
    };
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let home = erin.get(&format!("{PORTAL}/kb")).await;
    home.assert_status(200).assert_contains("Reset your password").assert_contains("Connect to the VPN");
    home.assert_not_contains("Dental chair").assert_not_contains("Rival oven");
    erin.get(&format!("{PORTAL}/kb/{own}")).await.assert_status(200).assert_contains("choose reset");
    erin.get(&format!("{PORTAL}/kb/{msp_wide}")).await.assert_status(200);
    erin.get(&format!("{PORTAL}/kb/{sibling}")).await.assert_status(404);
    erin.get(&format!("{PORTAL}/kb/{rival}")).await.assert_status(404);
    let found = erin.get(&format!("{PORTAL}/kb?q=vpn")).await;
    found.assert_status(200).assert_contains("Connect to the").assert_not_contains("Rival");
    erin.get(&format!("{PORTAL}/kb?q=oven")).await.assert_contains("No article matches");
}

#[actix_web::test]
async fn no_portal_page_shows_what_staff_keep_internal() {
    let w = world().await;
    let internal_article = {
        let mut conn = w.app.conn();
        settings(&mut conn, &w.f.t2, "low,medium,high", true, true, true);
        let id: palisade::db::ids::TicketId = tickets::table
            .filter(tickets::org_id.eq(&w.f.t2))
            .filter(tickets::number.eq(1))
            .select(tickets::id)
            .first(&mut conn)
            .unwrap();
        let note = Reply { body: format!("Customer is difficult {MARKER}"), internal: true, ..Default::default() };
        palisade::db::write_transaction(&mut conn, |conn| {
            service::add_reply(conn, &env(), &w.f.t2, &id, &staff(&w.f.tech, "Tom <tech@x.test>"), note)
        })
        .unwrap();
        // A staff-only field of the ticket (its category) carries it too.
        diesel::update(tickets::table.filter(tickets::id.eq(&id)))
            .set(tickets::category.eq(MARKER))
            .execute(&mut conn)
            .unwrap();
        let internal = internal_article(&mut conn, &w.f.t2, &format!("Admin passwords {MARKER}"));
        article(&mut conn, &w.f.t2, false, "Public article", "Nothing secret here.");
        internal
    };
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    erin.post_multipart(&format!("{PORTAL}/tickets/1/reply"), &[("body", "Any news?")], None).await;
    let pages = [
        PORTAL.to_string(),
        format!("{PORTAL}/tickets"),
        format!("{PORTAL}/tickets?status=all"),
        format!("{PORTAL}/tickets/1"),
        format!("{PORTAL}/tickets/new"),
        format!("{PORTAL}/kb"),
        format!("{PORTAL}/kb?q=INTERNAL"),
        format!("{PORTAL}/kb?q=passwords"),
        format!("{PORTAL}/policies"),
        format!("{PORTAL}/compliance"),
    ];
    for page in &pages {
        let resp = erin.get(page).await;
        resp.assert_status(200);
        assert!(!resp.body.contains(MARKER), "{page} shows the marker");
    }
    // Cora sees the company's tickets: each of them, too.
    let mut cora = w.app.client().await;
    cora.portal_sign_in(PORTAL, "cora@tiertwo.test").await;
    for number in [1, 2] {
        let resp = cora.get(&format!("{PORTAL}/tickets/{number}")).await;
        resp.assert_status(200);
        assert!(!resp.body.contains(MARKER), "ticket {number} shows the marker");
    }
    erin.get(&format!("{PORTAL}/kb/{internal_article}")).await.assert_status(404).assert_not_contains(MARKER);
    let body: String = erin.get(&format!("{PORTAL}/kb")).await.body.clone();
    for id in article_links(&body) {
        let resp = erin.get(&format!("{PORTAL}/kb/{id}")).await;
        assert!(!resp.body.contains(MARKER), "article {id} shows the marker");
    }
}

/// A published internal article (staff only) of `org`, through the model so the search index knows it.
fn internal_article(conn: &mut DbConnection, org: &OrgId, title: &str) -> palisade::db::ids::ArticleId {
    use palisade::psa::kb::models::{self, ArticleInput, ArticleStatus, Audience, Reader};
    let input = ArticleInput {
        title: title.into(),
        body: MARKER.into(),
        audience: Some(Audience::Internal),
        ..Default::default()
    };
    let actor = palisade::audit::Actor::system("Seed", start_time());
    palisade::db::write_transaction(conn, |conn| {
        let id = models::insert(conn, org, &input, None, &actor)?;
        let reader = Reader { org: org.clone(), msp: None, staff: true };
        let article = models::find_visible(conn, &reader, &id)?.expect("the article");
        models::set_status(conn, &article, ArticleStatus::Published, start_time())?;
        Ok::<_, diesel::result::Error>(id)
    })
    .unwrap()
}

/// The article ids a knowledge-base page links to.
pub(super) fn article_links(body: &str) -> Vec<String> {
    let prefix = format!("{PORTAL}/kb/");
    body.split(&prefix).skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

#[actix_web::test]
async fn the_ticket_list_and_the_knowledge_base_home_run_the_same_statements_for_1_or_60_rows() {
    let w = world().await;
    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    // Erin's tickets, and articles on both of her shelves (the client's own, the MSP's MSP-wide ones).
    let seed = |from: usize, to: usize| {
        let mut conn = w.app.conn();
        for i in from..to {
            ticket(&mut conn, &w.f.t2, &w.f.tech, &format!("Seeded {i}"), Some(&w.erin));
            let (owner, msp_wide) = if i % 2 == 0 { (&w.f.t2, false) } else { (&w.f.msp, true) };
            article(&mut conn, owner, msp_wide, &format!("Seeded article {i}"), "Body.");
        }
    };
    let kb_pages = [format!("{PORTAL}/kb"), format!("{PORTAL}/kb?page=2"), format!("{PORTAL}/kb?category=x")];
    seed(0, 1);
    let tickets_one = w.app.statements_of(&mut erin, &format!("{PORTAL}/tickets")).await;
    let mut kb_one = Vec::new();
    for page in &kb_pages {
        kb_one.push(w.app.statements_of(&mut erin, page).await);
    }
    seed(1, 60);
    erin.get(&format!("{PORTAL}/kb?page=2")).await.assert_contains("26–50 of 60");
    let tickets_many = w.app.statements_of(&mut erin, &format!("{PORTAL}/tickets")).await;
    let mut kb_many = Vec::new();
    for page in &kb_pages {
        kb_many.push(w.app.statements_of(&mut erin, page).await);
    }
    assert_eq!(tickets_one, tickets_many, "ticket list statements");
    assert_eq!(kb_one, kb_many, "kb home statements");
    assert!(tickets_many <= 8 && kb_many.iter().all(|n| *n <= 8), "{tickets_many} and {kb_many:?} statements");
    let home = w.app.statements_of(&mut erin, PORTAL).await;
    assert!(home <= 8, "home: {home} statements");
}

#[actix_web::test]
async fn the_load_demos_first_portal_user_of_a_client_sees_the_companys_tickets_the_others_their_own() {
    let app = TestApp::new().await;
    let scale =
        palisade::orgs::demo::Scale { clients: 3, users: 20, tickets: 30, portal_users: 4, ..Default::default() };
    palisade::orgs::demo::seed_scale(&app.state.db, &scale).expect("the load demo");
    // portal0 and portal3 are Client 00000's; every third of its 10 tickets names portal0.
    let sql = "SELECT COUNT(*) AS n FROM tickets t JOIN contacts c ON c.id = t.requester_contact_id \
               WHERE c.email = 'portal0@load.test' AND c.org_id = t.org_id";
    assert_eq!(count(&mut app.conn(), sql), 3);
    let (base, password) = ("/portal/client-00000", palisade::orgs::demo::DEMO_PASSWORD);
    let mut first = app.client().await;
    first.portal_sign_in_with(base, "portal0@load.test", password).await.assert_status(303);
    let company = first.get(&format!("{base}/tickets")).await;
    company.assert_status(200).assert_contains("1–10 of 10").assert_contains("Portal User 0");
    let mut second = app.client().await;
    second.portal_sign_in_with(base, "portal3@load.test", password).await.assert_status(303);
    second.get(&format!("{base}/tickets")).await.assert_status(200).assert_contains("No open tickets.");
    // Another client's portal does not know them.
    first.get("/portal/client-00001/tickets").await.assert_status(404);
}
