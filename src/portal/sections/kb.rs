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
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::orgs::find_org;
use crate::portal::Chrome;
use crate::psa::kb::models::{self, Article, Reader};
use crate::psa::kb::search::{self, Hit};
use crate::web::markdown::{Markdown, to_html};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::render;

/// What an end user of the client reads: the client's shelf and its MSP's MSP-wide one, public articles only.
fn reader(conn: &mut DbConnection, client: &OrgId) -> Result<Reader, AppError> {
    let org = find_org(conn, client)?.ok_or(AppError::NotFound)?;
    Ok(Reader { org: org.id, msp: org.msp_org_id, staff: false })
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
    articles: Vec<Article>,
    hits: Vec<Hit>,
    pager: Pager,
}

impl KbHome {
    fn encoded(&self, text: &str) -> String {
        crate::web::urlencode(text)
    }
}

/// `GET {base}/kb`: the categories and the latest articles (three statements besides the client's row), or the
/// results of `?q=` (two).
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
    let client = portal.org_id().clone();
    let (terms, chosen) = (search.clone(), category.clone());
    let (categories, articles, hits, pager) = state
        .db
        .run(move |conn| {
            let reader = reader(conn, &client)?;
            if !terms.is_empty() {
                let (hits, pager) = search::search(conn, &reader, &terms, page, query_string(&[("q", &terms)]))?;
                return Ok((Vec::new(), Vec::new(), hits, pager));
            }
            let pager = Pager::new(page, 0, String::new());
            let only = (!chosen.is_empty()).then_some(chosen.as_str());
            let (total, articles) = models::published(conn, &reader, only, pager.per_page, pager.offset())?;
            let pager = Pager::new(page, total, query_string(&[("category", &chosen)]));
            Ok((models::categories(conn, &reader)?, articles, Vec::new(), pager))
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
    let (id, client) = (path.into_inner().article_id, portal.org_id().clone());
    let article = state
        .db
        .run(move |conn| {
            let reader = reader(conn, &client)?;
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            models::record_view(conn, &article)?;
            Ok(article)
        })
        .await?;
    let body = to_html(&article.body);
    let chrome = Chrome::signed_in(&portal, &session, "kb");
    render(ArticlePage { chrome, article, body })
}
