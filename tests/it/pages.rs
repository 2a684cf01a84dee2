//! What every page owes a person, whoever they are: links that lead somewhere they may go (walked from the home
//! page, as each role), labels and sentences instead of internal codes, the app shell kept around not-found and
//! forbidden pages, and a favicon.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::support::db::membership_id;
use crate::support::fixture;
use crate::support::{TestApp, strip_tags};
use palisade::auth::permissions::Role;

/// The local links of a page (`href="/..."`), without fragments, decoded from HTML.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/static/"))
        .map(|href| href.split('#').next().unwrap_or("").to_string())
        .filter(|href| !href.is_empty())
        .collect()
}

/// Pages of the same kind (every requirement of the catalog, every client) are walked a few times, not all.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [_, "compliance", "catalog", kind, _, ..] => format!("/compliance/catalog/{kind}/*"),
        [_, "compliance", section, _, ..] => format!("/compliance/{section}/*"),
        [_, area, section, _, ..] if matches!(*area, "msp" | "admin") => format!("/{area}/{section}/*"),
        _ => path.to_string(),
    }
}

/// Whole words of the page's visible text that are role ids (`READ_ONLY`, `EMPLOYEE`, ...).
fn role_ids_shown(body: &str) -> Vec<String> {
    let text = strip_tags(body);
    let words: BTreeSet<&str> = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
    Role::ALL.iter().map(|r| r.id()).filter(|id| words.contains(id)).map(str::to_string).collect()
}

/// Activity codes (`member.join`) or their old word-for-word labels ("Member join") in the visible text.
fn activity_codes_shown(body: &str) -> Vec<String> {
    let text = strip_tags(body);
    let prefixes = [
        "auth.",
        "user.",
        "member.",
        "client.",
        "organization.",
        "installation.",
        "email.",
        "framework.",
        "requirement.",
        "control.",
        "evidence.",
        "report.",
        "baa.",
        "dsr.",
        "sprs.",
    ];
    let mut found: Vec<String> = text
        .split_whitespace()
        .filter(|word| prefixes.iter().any(|p| word.starts_with(p) && word.len() > p.len()))
        .map(str::to_string)
        .collect();
    for old in ["Member join", "Member invite", "Member change role", "Client create", "Auth sign in", "role READ_ONLY"]
    {
        // As a phrase of its own: "Member joined" is the label that replaced "Member join".
        let whole = text
            .match_indices(old)
            .any(|(at, _)| !text[at + old.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        if whole {
            found.push(old.to_string());
        }
    }
    found
}

/// Walks every page reachable by links from the home page (a few of each kind) and returns what it saw:
/// the path and status of each, and the problems found on them.
async fn walk(app: &TestApp, email: &str) -> (BTreeMap<String, u16>, Vec<String>) {
    let mut client = app.signed_in(email).await;
    let mut seen_shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut visited: BTreeMap<String, u16> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
    while let Some(path) = queue.pop_front() {
        if visited.contains_key(&path) || visited.len() >= 80 {
            continue;
        }
        let kind = seen_shapes.entry(shape(&path)).or_default();
        if *kind >= 2 {
            continue;
        }
        *kind += 1;
        let mut resp = client.get(&path).await;
        for _ in 0..3 {
            if resp.status.is_redirection() {
                resp = client.follow(&resp).await;
            }
        }
        visited.insert(path.clone(), resp.status.as_u16());
        if resp.status.as_u16() != 200 {
            problems.push(format!("{email}: {path} answers {}", resp.status));
            continue;
        }
        for id in role_ids_shown(&resp.body) {
            problems.push(format!("{email}: {path} shows the role id {id}"));
        }
        for code in activity_codes_shown(&resp.body) {
            problems.push(format!("{email}: {path} shows the activity code {code:?}"));
        }
        queue.extend(links(&resp.body).into_iter().filter(|l| !visited.contains_key(l)));
    }
    (visited, problems)
}

#[actix_web::test]
async fn every_linked_page_opens_for_each_role_and_shows_labels_not_codes() {
    let (app, f) = TestApp::with_msp().await;
    {
        let mut conn = app.conn();
        let reader = fixture::user(&mut conn, "reader@tiertwo.test", "Rae Reader");
        fixture::member(&mut conn, &f.t2, &reader, Role::ReadOnly);
        // A compliance program with evidence, so that its pages are walked too.
        fixture::adopt(&mut conn, &f.t2, "hipaa", app.now());
    }
    fixture::evidence_file(&app, &f.t2, &f.client_admin, "Signed access policy", &["CCF-AC-01"]).await;
    // Activity with roles and tiers in it, in the MSP's log and in a client's.
    let mut morgan = app.signed_in("admin@northwind.test").await;
    morgan.invite("officer@northwind.test", "COMPLIANCE_OFFICER").await.assert_status(303);
    let tech = membership_id(&mut app.conn(), &f.msp, &f.tech);
    morgan.post(&format!("/settings/team/members/{tech}/role"), &[("role", "READ_ONLY")]).await;
    morgan.post(&format!("/settings/team/members/{tech}/role"), &[("role", "MSP_TECHNICIAN")]).await;
    morgan.get(&format!("/msp/clients/{}", f.t2)).await;
    morgan.post(&format!("/msp/clients/{}/tier", f.t2), &[("tier", "T3")]).await;
    let mut olive = app.signed_in("owner@tiertwo.test").await;
    olive.invite("analyst@tiertwo.test", "EMPLOYEE").await.assert_status(303);

    let mut problems = Vec::new();
    let people = [
        "admin@northwind.test",
        "mspadmin@northwind.test",
        "tech@northwind.test",
        "owner@tiertwo.test",
        "reader@tiertwo.test",
    ];
    for email in people {
        let (visited, found) = walk(&app, email).await;
        assert!(visited.len() >= 5, "{email} walked only {visited:?}");
        assert!(visited.contains_key("/settings/roles"), "{email} reached the roles page: {visited:?}");
        problems.extend(found);
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[actix_web::test]
async fn the_walk_would_see_a_link_to_a_forbidden_page_and_a_role_id() {
    // The checks above can fail: a page that offered a forbidden link or showed a role id would be reported.
    let (app, _f) = TestApp::with_msp().await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let forbidden = tom.get("/msp/clients/new").await;
    assert_eq!(forbidden.status.as_u16(), 403);
    assert_eq!(role_ids_shown("<td>Analyst</td><td><code>EMPLOYEE</code></td>"), ["EMPLOYEE"]);
    assert!(role_ids_shown("<option value=\"EMPLOYEE\">Analyst</option>").is_empty(), "values are not shown");
    assert_eq!(activity_codes_shown("<td>member.join</td>"), ["member.join"]);
    assert_eq!(links("<a href=\"/a?x=1&#38;page=2#top\">"), ["/a?x=1&page=2"]);
}

#[actix_web::test]
async fn not_found_and_forbidden_pages_keep_the_app_shell_for_signed_in_people_only() {
    let (app, f, other) = TestApp::with_tenants().await;
    let mut tom = app.signed_in("tech@northwind.test").await;
    let refused = tom.get("/msp/clients/new").await;
    refused.assert_status(403).assert_contains("<nav aria-label=\"Main\">").assert_contains("Not allowed");
    refused.assert_contains("Your access in Northwind Managed IT does not include this.");
    assert!(crate::support::page::banner(&refused.body).contains("Northwind Managed IT"));
    // The shell reuses the identity the route guard resolved: the identity statement and the switcher's, as on
    // any page; on an address no route matches, the guard's resolution is asked for once.
    for path in ["/msp/clients/new", "/no-such-page"] {
        let before = app.queries();
        tom.get(path).await.assert_contains("<nav aria-label=\"Main\">");
        assert_eq!(app.queries() - before, 2, "{path}");
    }
    // Never a link to what the person may not do: the technician's empty dashboard offers no "Add a client".
    fixture::assign(&mut app.conn(), &f.t2, &[]);
    let dashboard = tom.get("/msp/dashboard").await;
    dashboard
        .assert_status(200)
        .assert_not_contains("/msp/clients/new")
        .assert_contains("No clients are assigned to you");

    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    for path in ["/no-such-page".to_string(), format!("/msp/clients/{}", other.client)] {
        let missing = priya.get(&path).await;
        missing.assert_status(404).assert_contains("<nav aria-label=\"Main\">").assert_contains("Page not found");
        missing.assert_not_contains(fixture::OTHER_CLIENT);
        // The refused address is not offered back as the place to return to.
        missing.assert_not_contains(&format!("name=\"next\" value=\"{path}\""));
    }
    // Signed out, the plain page (no sidebar, nothing about anyone).
    let mut visitor = app.client().await;
    let plain = visitor.get("/no-such-page").await;
    plain.assert_status(404).assert_not_contains("aria-label=\"Main\"").assert_contains("Not found");
    // After signing out, the plain page too.
    tom.post("/logout", &[]).await.assert_status(303);
    let ended = tom.get("/no-such-page").await;
    ended.assert_status(404).assert_not_contains("aria-label=\"Main\"").assert_not_contains("Tom Tech");
}

#[actix_web::test]
async fn every_layout_links_the_favicon_which_is_served() {
    let (app, _f) = TestApp::with_msp().await;
    let mut visitor = app.client().await;
    let mut priya = app.signed_in("mspadmin@northwind.test").await;
    let pages = [
        visitor.get("/login").await,
        visitor.get("/no-such-page").await,
        priya.get("/msp/dashboard").await,
        priya.get("/no-such-page").await,
    ];
    for page in &pages {
        page.assert_contains("<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">");
        page.assert_contains("<link rel=\"icon\" href=\"/static/favicon.ico\" sizes=\"32x32\">");
    }
    for (path, kind) in [
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/favicon.ico", "image/"),
        ("/static/apple-touch-icon.png", "image/png"),
    ] {
        let resp = visitor.get(path).await;
        resp.assert_status(200);
        let content_type = resp.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
}
