//! Service desk -> Knowledge base: the list and search, writing and editing articles (each save a version),
//! publishing, unpublishing and archiving, an article's page with "did this help?", its history with diffs,
//! and the editors' insights (most viewed, least helpful).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::diff::{self, VersionChange};
use super::forms::ArticleForm;
use super::models::{self, Article, ArticleStatus, Reader};
use super::search::{self, Hit};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{Permission, Scope, session};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::markdown::{self, Markdown};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "psa/kb/list.html")]
struct ListPage {
    page: PageContext,
    search: String,
    status: ArticleStatus,
    statuses: [ArticleStatus; 3],
    articles: Vec<Article>,
    hits: Vec<Hit>,
    pager: Pager,
    can_work: bool,
}

/// The articles of a status, or the search results when there is a query.
pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let search_text = query.list.search();
    let status = ArticleStatus::parse(&query.status).unwrap_or(ArticleStatus::Published);
    let page_number = query.list.page();
    let reader = Reader::staff(&scope);
    let text = search_text.clone();
    let (page, articles, hits, pager) = state
        .db
        .run(move |conn| {
            let (articles, hits, pager) = if text.is_empty() {
                let base = query_string(&[("status", status.id())]);
                let pager = Pager::new(page_number, models::count(conn, &reader, status)?, base);
                (models::page(conn, &reader, status, pager.per_page, pager.offset())?, Vec::new(), pager)
            } else {
                let base = query_string(&[("q", &text)]);
                let (hits, pager) = search::search(conn, &reader, &text, page_number, base)?;
                (Vec::new(), hits, pager)
            };
            Ok((input.load(conn)?, articles, hits, pager))
        })
        .await?;
    render(ListPage {
        page,
        search: search_text,
        status,
        statuses: ArticleStatus::ALL,
        articles,
        hits,
        pager,
        can_work: scope.can(Permission::WorkTickets),
    })
}

#[derive(Template)]
#[template(path = "psa/kb/form.html")]
struct FormPage {
    page: PageContext,
    /// None for a new article.
    article: Option<Article>,
    form: ArticleForm,
    errors: FieldErrors,
    may_share: bool,
    org_name: String,
}

async fn form_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    article: Option<Article>,
    form: ArticleForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    let may_share = models::writes_msp_wide(scope);
    let org_name = scope.org.name.clone();
    render_status(form_status(&errors), FormPage { page, article, form, errors, may_share, org_name })
}

pub async fn new_form(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let form = ArticleForm { audience: "internal".into(), place: "org".into(), ..Default::default() };
    form_page(&state, &scope, input, None, form, FieldErrors::default()).await
}

/// Writes the activity log entry of an article (in the article owner's log).
pub fn log(conn: &mut DbConnection, actor: &Actor, article: &Article, action: Action, details: &str) -> AppResult<()> {
    let target = Target::new("article", &article.id, &article.title).details(details);
    Ok(audit::record(conn, actor, Some(&article.org_id), action, target)?)
}

pub async fn create(c: Change, form: web::Form<ArticleForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let valid = match form.validate(models::writes_msp_wide(&scope)) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &scope, input, None, form, errors).await,
    };
    let owner = if valid.msp_wide { models::msp_of(&scope) } else { Some(scope.org_id().clone()) };
    let owner = owner.ok_or(AppError::Forbidden)?;
    let reader = Reader::staff(&scope);
    let id = state
        .db
        .write(move |conn| {
            let id = models::insert(conn, &owner, &valid, None, &actor)?;
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            log(conn, &actor, &article, Action::ArticleCreated, "")?;
            Ok(id)
        })
        .await?;
    session::flash_ok(&session, "The article is saved as a draft. Publish it when it is ready.");
    Ok(redirect(&format!("/kb/{id}")))
}

/// A visible article, or 404.
async fn article_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Article> {
    let reader = Reader::staff(scope);
    state.db.run(move |conn| models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)).await
}

/// A visible article the person may change, or 404 / 403.
async fn editable(state: &AppState, scope: &Scope, id: String) -> AppResult<Article> {
    let article = article_of(state, scope, id).await?;
    if models::can_edit(scope, &article) { Ok(article) } else { Err(AppError::Forbidden) }
}

#[derive(Template)]
#[template(path = "psa/kb/article.html")]
struct ArticlePage {
    page: PageContext,
    article: Article,
    html: Markdown,
    can_edit: bool,
    answer: Option<bool>,
    files: Vec<super::files::ArticleFile>,
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let reader = Reader::staff(&scope);
    let (id, user) = (path.into_inner(), scope.user.id.clone());
    let (page, article, answer, files) = state
        .db
        .run(move |conn| {
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            if article.is_published() {
                models::record_view(conn, &article)?;
            }
            let answer = models::answer_of(conn, &article, &user)?;
            let files = super::files::of_article(conn, &article)?;
            Ok((input.load(conn)?, article, answer, files))
        })
        .await?;
    let html = markdown::to_html(&article.body);
    render(ArticlePage { page, can_edit: models::can_edit(&scope, &article), article, html, answer, files })
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let article = editable(&state, &scope, path.into_inner()).await?;
    let form = ArticleForm::of(&article);
    form_page(&state, &scope, input, Some(article), form, FieldErrors::default()).await
}

pub async fn update(c: Change, path: web::Path<String>, form: web::Form<ArticleForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let article = editable(&state, &scope, path.into_inner()).await?;
    let mut form = form.into_inner();
    // Where an article lives is chosen once: the edit form does not offer it.
    form.place = if article.msp_wide { "msp".into() } else { "org".into() };
    let valid = match form.validate(article.msp_wide) {
        Ok(valid) => valid,
        Err(errors) => return form_page(&state, &scope, input, Some(article), form, errors).await,
    };
    let (id, read) = (article.id.clone(), article.clone());
    let saved = state
        .db
        .write(move |conn| {
            let Some(version) = models::update(conn, &article, &valid, &actor)? else {
                return Ok(None);
            };
            let saved = Article { title: valid.title.clone(), ..article };
            log(conn, &actor, &saved, Action::ArticleUpdated, &format!("version {version}"))?;
            Ok(Some(version))
        })
        .await?;
    let Some(version) = saved else {
        let mut errors = FieldErrors::default();
        errors.add("body", "Someone saved a newer version of this article a moment ago. Your text is kept here: compare it with the article's history, then save again.");
        return form_page(&state, &scope, input, Some(read), form, errors).await;
    };
    session::flash_ok(&session, format!("Saved as version {version}."));
    Ok(redirect(&format!("/kb/{id}")))
}

async fn move_to(c: Change, id: String, to: ArticleStatus) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let article = editable(&state, &scope, id).await?;
    let id = article.id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            if article.status == to {
                return Ok(Err(format!("The article is already {}.", to.label().to_lowercase())));
            }
            models::set_status(conn, &article, to, actor.at)?;
            let action = match to {
                ArticleStatus::Published => Action::ArticlePublished,
                ArticleStatus::Draft => Action::ArticleUnpublished,
                ArticleStatus::Archived => Action::ArticleArchived,
            };
            log(conn, &actor, &article, action, "")?;
            Ok(Ok(match to {
                ArticleStatus::Published => "Published: readers find it in the knowledge base and its search.",
                ArticleStatus::Draft => "Back to draft: readers no longer see it.",
                ArticleStatus::Archived => "Archived: kept with its history, no longer found by search.",
            }
            .to_string()))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&format!("/kb/{id}")))
}

pub async fn publish(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    move_to(c, path.into_inner(), ArticleStatus::Published).await
}

pub async fn unpublish(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    move_to(c, path.into_inner(), ArticleStatus::Draft).await
}

pub async fn archive(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    move_to(c, path.into_inner(), ArticleStatus::Archived).await
}

#[derive(Template)]
#[template(path = "psa/kb/history.html")]
struct HistoryPage {
    page: PageContext,
    article: Article,
    changes: Vec<VersionChange>,
    pager: Pager,
    tz: chrono_tz::Tz,
}

impl HistoryPage {
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
}

/// Who changed what, when: each version against the one before it.
pub async fn history(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let reader = Reader::staff(&scope);
    let (id, page_number) = (path.into_inner(), query.page());
    let (page, article, versions, pager) = state
        .db
        .run(move |conn| {
            let article = models::find_visible(conn, &reader, &id)?.ok_or(AppError::NotFound)?;
            let pager = Pager::new(page_number, i64::from(article.version), String::new());
            let versions = models::versions(conn, &article, pager.per_page, pager.offset())?;
            Ok((input.load(conn)?, article, versions, pager))
        })
        .await?;
    let changes = diff::changes(&versions, pager.per_page as usize);
    render(HistoryPage { page, article, changes, pager, tz: scope.org.tz() })
}

#[derive(Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    helpful: String,
}

/// "Did this help?": one answer per reader, which they may change.
pub async fn feedback(c: Change, path: web::Path<String>, form: web::Form<FeedbackForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let article = article_of(&state, &scope, path.into_inner()).await?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            session::flash_error(&session, "Answer yes or no.");
            return Ok(redirect(&format!("/kb/{}", article.id)));
        }
    };
    if !article.is_published() {
        session::flash_error(&session, "Only published articles take feedback.");
        return Ok(redirect(&format!("/kb/{}", article.id)));
    }
    let (id, user) = (article.id.clone(), scope.user.id.clone());
    state.db.write(move |conn| Ok(models::answer(conn, &article, &user, helpful, actor.at)?)).await?;
    session::flash_ok(&session, "Thank you: your answer is counted.");
    Ok(redirect(&format!("/kb/{id}")))
}

#[derive(Template)]
#[template(path = "psa/kb/insights.html")]
struct InsightsPage {
    page: PageContext,
    most_viewed: Vec<Article>,
    least_helpful: Vec<Article>,
}

/// For editors: what readers open most, and what they found least helpful.
pub async fn insights(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let reader = Reader::staff(&scope);
    let (page, most_viewed, least_helpful) = state
        .db
        .run(move |conn| {
            let most_viewed = models::most_viewed(conn, &reader, 10)?;
            let least_helpful = models::least_helpful(conn, &reader, 10)?;
            Ok((input.load(conn)?, most_viewed, least_helpful))
        })
        .await?;
    render(InsightsPage { page, most_viewed, least_helpful })
}
