//! Service desk -> Knowledge base: articles in markdown, MSP-wide or for one organization, internal or public,
//! draft / published / archived with every save kept as a version; full-text search (one function for every
//! reader, see `search`); use from tickets; "did this help?" and view counts.

pub mod demo;
pub mod diff;
pub mod files;
pub mod forms;
pub mod handlers;
pub mod models;
pub mod search;
pub mod shelf;
pub mod ticket;

use crate::audit::Action;
use crate::audit::log::ActivityEntry;
use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    const ARTICLE: &[(&str, &str)] = &[
        ("title", "Reset a VPN token"),
        ("body", "Open the VPN client and choose **Reset token**."),
        ("category", "Remote access"),
        ("tags", "vpn"),
        ("audience", "public"),
        ("place", "org"),
    ];
    vec![
        get("/kb", Org(ViewTickets), handlers::list),
        get("/kb/new", Org(WorkTickets), handlers::new_form),
        post("/kb", Org(WorkTickets), handlers::create).example(ARTICLE),
        get("/kb/insights", Org(WorkTickets), handlers::insights),
        get("/kb/{article_id}", Org(ViewTickets), handlers::show),
        get("/kb/{article_id}/edit", Org(WorkTickets), handlers::edit_form),
        post("/kb/{article_id}", Org(WorkTickets), handlers::update).example(ARTICLE),
        post("/kb/{article_id}/publish", Org(WorkTickets), handlers::publish),
        post("/kb/{article_id}/unpublish", Org(WorkTickets), handlers::unpublish),
        post("/kb/{article_id}/archive", Org(WorkTickets), handlers::archive),
        get("/kb/{article_id}/history", Org(ViewTickets), handlers::history),
        post("/kb/{article_id}/feedback", Org(ViewTickets), handlers::feedback).example(&[("helpful", "yes")]),
        post("/kb/{article_id}/files", Org(WorkTickets), files::upload),
        get("/kb/{article_id}/files/{article_file_id}", Org(ViewTickets), files::download),
        get("/tickets/{number}/kb", Org(ViewTickets), ticket::search),
        post("/tickets/{number}/kb-draft", Org(WorkTickets), ticket::draft_from_ticket).example(&[("notes", "1")]),
    ]
}

/// The knowledge base's entries of the activity log as sentences (see `audit::sentences`).
pub fn activity_sentence(who: &str, entry: &ActivityEntry) -> String {
    use Action::*;
    let what = entry.target_label.as_str();
    let details = entry.details.as_str();
    let details = if details.is_empty() { String::new() } else { format!(" ({details})") };
    match entry.action {
        ArticleCreated => format!("{who} wrote the article {what}{details}"),
        ArticleUpdated => format!("{who} changed the article {what}{details}"),
        ArticlePublished => format!("{who} published the article {what}"),
        ArticleUnpublished => format!("{who} took the article {what} back to draft"),
        ArticleArchived => format!("{who} archived the article {what}"),
        ArticleFileAdded => format!("{who} attached a file to the article {what}{details}"),
        other => format!("{who}: {} {what}", other.label()),
    }
}
