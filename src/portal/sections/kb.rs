//! Portal -> Knowledge base: the public, published articles of the client and the MSP-wide ones of its MSP
//! (never internal ones, never drafts), by category or most recent, searched with the staff's search (a
//! `Reader` that is not staff), and one article.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::section_on;
use crate::AppState;
use crate::auth::portal::PortalScope;
use crate::error::{AppError, AppResult};
use crate::portal::Chrome;
use crate::psa::kb::models::{self, Article, Reader};
use crate::psa::kb::search::{self, Hit};
use crate::psa::kb::shelf::{self, Listed};
use crate::web::markdown::{Markdown, to_html};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::render;

/// What an end user of the client reads: the client's shelf and its MSP's MSP-wide one, public articles only.
fn reader(portal: &PortalScope) -> Reader {
    Reader { org: portal.org_id().clone(), msp: portal.client.msp.clone(), staff: false }
}

#[derive(Deserialize, Default)]
pub struct KbQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/sections/kb.html")]
struct KbHome {
    chrome: Chrome,
    search: String,
    category: String,
    categories: Vec<(String, i64)>,
    articles: Vec<Listed>,
    hits: Vec<Hit>,
    pager: Pager,
}

impl KbHome {
    fn encoded(&self, text: &str) -> String {
        crate::web::urlencode(text)
    }
}

/// `GET {base}/kb`: the categories and the latest articles from the kept shelf counts and the shelves' indexes
/// (at most four statements whatever the number of articles, see `kb::shelf`), or the results of `?q=` (two).
pub async fn home(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    query: web::Query<KbQuery>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.kb)?;
    let list = ListQuery { page: query.page.clone(), q: Some(query.q.clone()) };
    let (page, search) = (list.page(), list.search());
    let category: String = query.category.trim().chars().take(80).collect();
    let reader = reader(&portal);
    let (terms, chosen) = (search.clone(), category.clone());
    let (categories, articles, hits, pager) = state
        .db
        .run(move |conn| {
            if !terms.is_empty() {
                let (hits, pager) = search::search(conn, &reader, &terms, page, query_string(&[("q", &terms)]))?;
                return Ok((Vec::new(), Vec::new(), hits, pager));
            }
            let only = (!chosen.is_empty()).then_some(chosen.as_str());
            let tally = shelf::tally(conn, &reader, only)?;
            let pager = Pager::new(page, tally.total, query_string(&[("category", &chosen)]));
            let articles = shelf::latest(conn, &reader, only, pager.per_page, pager.offset())?;
            Ok((tally.categories, articles, Vec::new(), pager))
        })
        .await?;
    let chrome = Chrome::signed_in(&portal, &session, "kb");
    render(KbHome { chrome, search, category, categories, articles, hits, pager })
}

#[derive(Template)]
#[template(path = "portal/sections/kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    article: Article,
    body: Markdown,
}

/// `GET {base}/kb/{article_id}`: a public, published article the client's end users may read, or 404.
pub async fn article(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    path: web::Path<super::Ids>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.kb)?;
    let (id, reader) = (path.into_inner().article_id, reader(&portal));
    let article = state
        .db
        .run(move |conn| {
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            models::record_view(conn, &article)?;
            Ok(article)
        })
        .await?;
    let body = to_html(&article.body);
    let chrome = Chrome::signed_in(&portal, &session, "kb");
    render(ArticlePage { chrome, article, body })
}
