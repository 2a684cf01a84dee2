//! Knowledge-base articles, their versions and feedback: rows and queries. Every read goes through a [`Reader`],
//! which says whose shelves the person reads (their organization's, and the MSP-wide shelf of its MSP) and whether
//! internal articles are for them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::search;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::db::ids::{ArticleId, OrgId, UserId};
use crate::db::locks::{LockClass, lock_all};
use crate::db::{DbConnection, MultiBackend};
use crate::orgs::OrgKind;
use crate::schema::{kb_article_versions, kb_articles, kb_feedback};

crate::text_enum! {
    /// Who may read an article.
    pub enum Audience {
        Internal = "internal",
        Public = "public",
    }
}

impl Audience {
    pub fn label(self) -> &'static str {
        match self {
            Audience::Internal => "Internal (staff only)",
            Audience::Public => "Public (also the client's portal users)",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            Audience::Internal => "Internal",
            Audience::Public => "Public",
        }
    }
}

crate::text_enum! {
    pub enum ArticleStatus {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

impl ArticleStatus {
    pub fn label(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "Draft",
            ArticleStatus::Published => "Published",
            ArticleStatus::Archived => "Archived",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = kb_articles)]
pub struct Article {
    pub id: ArticleId,
    pub org_id: OrgId,
    pub doc_id: i64,
    pub msp_wide: bool,
    pub audience: Audience,
    pub status: ArticleStatus,
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: String,
    pub version: i32,
    pub view_count: i64,
    pub helpful_count: i32,
    pub unhelpful_count: i32,
    pub source_ticket_id: Option<String>,
    pub created_by_user_id: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

impl Article {
    pub fn is_published(&self) -> bool {
        self.status == ArticleStatus::Published
    }
    pub fn tag_list(&self) -> Vec<&str> {
        self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).collect()
    }
    /// "Every client" or "This organization only", for the article's page.
    pub fn place(&self) -> &'static str {
        if self.msp_wide { "Every client of the MSP" } else { "This organization only" }
    }
    /// Share of "yes" among the answers, in percent (None before any answer).
    pub fn helpful_percent(&self) -> Option<i64> {
        let answers = i64::from(self.helpful_count) + i64::from(self.unhelpful_count);
        (answers > 0).then(|| i64::from(self.helpful_count) * 100 / answers)
    }
}

/// Who reads: the organization they stand in, its MSP (whose MSP-wide articles it also reads), and whether they
/// are staff (who also read internal articles). The portal will make one for an end user with `staff: false`.
#[derive(Clone, Debug)]
pub struct Reader {
    pub org: OrgId,
    pub msp: Option<OrgId>,
    pub staff: bool,
}

impl Reader {
    /// Staff working in the scope's organization.
    pub fn staff(scope: &Scope) -> Reader {
        Reader { org: scope.org_id().clone(), msp: msp_of(scope), staff: true }
    }
}

/// The MSP whose MSP-wide articles the scope's organization reads: the MSP itself, or the client's MSP.
pub fn msp_of(scope: &Scope) -> Option<OrgId> {
    if scope.org.kind == OrgKind::Msp {
        return Some(scope.org_id().clone());
    }
    scope.org.managed_by.as_ref().map(|(msp, _)| msp.clone())
}

/// May the person write MSP-wide articles from here? MSP staff do (in their MSP or a client they reach through
/// it); a client's own people read them but do not change them.
pub fn writes_msp_wide(scope: &Scope) -> bool {
    msp_of(scope).is_some() && (scope.org.kind == OrgKind::Msp || scope.org.msp.is_some())
}

/// May the person change this (visible) article?
pub fn can_edit(scope: &Scope, article: &Article) -> bool {
    if !scope.can(crate::auth::Permission::WorkTickets) {
        return false;
    }
    if article.msp_wide { writes_msp_wide(scope) } else { article.org_id == *scope.org_id() }
}

type Filter = Box<dyn BoxableExpression<kb_articles::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// The articles a reader may see (any status: callers narrow it).
fn visible_to(reader: &Reader) -> Filter {
    let own = kb_articles::org_id.eq(reader.org.clone()).and(kb_articles::msp_wide.eq(false));
    let mut filter: Filter = match &reader.msp {
        Some(msp) => Box::new(own.or(kb_articles::org_id.eq(msp.clone()).and(kb_articles::msp_wide.eq(true)))),
        None => Box::new(own),
    };
    if !reader.staff {
        filter = Box::new(
            filter
                .and(kb_articles::audience.eq(Audience::Public))
                .and(kb_articles::status.eq(ArticleStatus::Published)),
        );
    }
    filter
}

/// An article the reader may see, by id, or None.
pub fn find_visible(conn: &mut DbConnection, reader: &Reader, id: &str) -> QueryResult<Option<Article>> {
    kb_articles::table
        .filter(visible_to(reader))
        .filter(kb_articles::id.eq(id))
        .select(Article::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection, reader: &Reader, status: ArticleStatus) -> QueryResult<i64> {
    kb_articles::table.filter(visible_to(reader)).filter(kb_articles::status.eq(status)).count().get_result(conn)
}

/// One page of the reader's articles of a status, last changed first.
pub fn page(
    conn: &mut DbConnection,
    reader: &Reader,
    status: ArticleStatus,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Article>> {
    kb_articles::table
        .filter(visible_to(reader))
        .filter(kb_articles::status.eq(status))
        .order((kb_articles::updated_at.desc(), kb_articles::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Article::as_select())
        .load(conn)
}

/// The editors' lists: the most viewed published articles, and those readers found least helpful (the most
/// "no" answers, then the lowest share of "yes").
pub fn most_viewed(conn: &mut DbConnection, reader: &Reader, limit: i64) -> QueryResult<Vec<Article>> {
    kb_articles::table
        .filter(visible_to(reader))
        .filter(kb_articles::status.eq(ArticleStatus::Published))
        .filter(kb_articles::view_count.gt(0))
        .order((kb_articles::view_count.desc(), kb_articles::id))
        .limit(limit)
        .select(Article::as_select())
        .load(conn)
}

pub fn least_helpful(conn: &mut DbConnection, reader: &Reader, limit: i64) -> QueryResult<Vec<Article>> {
    kb_articles::table
        .filter(visible_to(reader))
        .filter(kb_articles::status.eq(ArticleStatus::Published))
        .filter(kb_articles::unhelpful_count.gt(0))
        .order((kb_articles::unhelpful_count.desc(), kb_articles::helpful_count.asc(), kb_articles::id))
        .limit(limit)
        .select(Article::as_select())
        .load(conn)
}

/// An article's validated fields.
#[derive(Clone, Debug, Default)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: String,
    pub audience: Option<Audience>,
    pub msp_wide: bool,
}

/// The next search document id. Concurrent creates take their turn here (see `db::locks`), so two never read the
/// same maximum.
fn next_doc_id(conn: &mut DbConnection) -> QueryResult<i64> {
    lock_all(conn, LockClass::KbDocIds)?;
    let max: Option<i64> = kb_articles::table.select(diesel::dsl::max(kb_articles::doc_id)).first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// A new draft owned by `owner` (the MSP for an MSP-wide one), with its first version. A draft is on no shelf:
/// the kept counts (`shelf`) change when it is published.
pub fn insert(
    conn: &mut DbConnection,
    owner: &OrgId,
    input: &ArticleInput,
    source_ticket: Option<&str>,
    actor: &Actor,
) -> QueryResult<ArticleId> {
    let id = ArticleId::new();
    let doc_id = next_doc_id(conn)?;
    diesel::insert_into(kb_articles::table)
        .values((
            kb_articles::id.eq(&id),
            kb_articles::org_id.eq(owner),
            kb_articles::doc_id.eq(doc_id),
            kb_articles::msp_wide.eq(input.msp_wide),
            kb_articles::audience.eq(input.audience.unwrap_or(Audience::Internal)),
            kb_articles::status.eq(ArticleStatus::Draft),
            kb_articles::title.eq(&input.title),
            kb_articles::body.eq(&input.body),
            kb_articles::category.eq(&input.category),
            kb_articles::tags.eq(&input.tags),
            kb_articles::version.eq(1),
            kb_articles::source_ticket_id.eq(source_ticket),
            kb_articles::created_by_user_id.eq(actor.user_id.as_ref()),
            kb_articles::created_at.eq(actor.at),
            kb_articles::updated_at.eq(actor.at),
        ))
        .execute(conn)?;
    insert_version(conn, owner, &id, 1, &input.title, &input.body, actor)?;
    Ok(id)
}

fn insert_version(
    conn: &mut DbConnection,
    owner: &OrgId,
    article: &ArticleId,
    version: i32,
    title: &str,
    body: &str,
    actor: &Actor,
) -> QueryResult<()> {
    diesel::insert_into(kb_article_versions::table)
        .values((
            kb_article_versions::id.eq(crate::db::new_id()),
            kb_article_versions::org_id.eq(owner),
            kb_article_versions::article_id.eq(article),
            kb_article_versions::version.eq(version),
            kb_article_versions::title.eq(title),
            kb_article_versions::body.eq(body),
            kb_article_versions::author_user_id.eq(actor.user_id.as_ref()),
            kb_article_versions::author_label.eq(&actor.label),
            kb_article_versions::created_at.eq(actor.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Saves new fields as the next version (where it lives does not change), keeping the search index and the kept
/// shelf counts (its category or audience may change) in step.
/// None when someone saved another version since `article` was read: the update is conditional on the version
/// read, so two editors never both write "the next" version (nor does the second one silently overwrite the first).
pub fn update(
    conn: &mut DbConnection,
    article: &Article,
    input: &ArticleInput,
    actor: &Actor,
) -> QueryResult<Option<i32>> {
    let version = article.version + 1;
    let audience = input.audience.unwrap_or(article.audience);
    let changed = diesel::update(kb_articles::table)
        .filter(kb_articles::org_id.eq(&article.org_id))
        .filter(kb_articles::id.eq(&article.id))
        .filter(kb_articles::version.eq(article.version))
        .set((
            kb_articles::title.eq(&input.title),
            kb_articles::body.eq(&input.body),
            kb_articles::category.eq(&input.category),
            kb_articles::tags.eq(&input.tags),
            kb_articles::audience.eq(audience),
            kb_articles::version.eq(version),
            kb_articles::updated_at.eq(actor.at),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    insert_version(conn, &article.org_id, &article.id, version, &input.title, &input.body, actor)?;
    super::shelf::rebuild(conn, &article.org_id)?;
    let saved = Article { title: input.title.clone(), body: input.body.clone(), audience, version, ..article.clone() };
    search::reindex(conn, &saved)?;
    Ok(Some(version))
}

/// Moves an article to a status (the search index and the kept shelf counts follow: only published articles are
/// in them).
pub fn set_status(
    conn: &mut DbConnection,
    article: &Article,
    status: ArticleStatus,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let published_at = if status == ArticleStatus::Published { Some(at) } else { article.published_at };
    diesel::update(kb_articles::table)
        .filter(kb_articles::org_id.eq(&article.org_id))
        .filter(kb_articles::id.eq(&article.id))
        .set((
            kb_articles::status.eq(status),
            kb_articles::updated_at.eq(at),
            kb_articles::published_at.eq(published_at),
        ))
        .execute(conn)?;
    super::shelf::rebuild(conn, &article.org_id)?;
    search::reindex(conn, &Article { status, ..article.clone() })
}

/// Counts a reading of the article (one statement).
pub fn record_view(conn: &mut DbConnection, article: &Article) -> QueryResult<()> {
    diesel::update(kb_articles::table)
        .filter(kb_articles::org_id.eq(&article.org_id))
        .filter(kb_articles::id.eq(&article.id))
        .set(kb_articles::view_count.eq(kb_articles::view_count + 1))
        .execute(conn)?;
    Ok(())
}

/// The reader's answer to "did this help?", if any.
pub fn answer_of(conn: &mut DbConnection, article: &Article, user: &UserId) -> QueryResult<Option<bool>> {
    kb_feedback::table
        .filter(kb_feedback::article_id.eq(&article.id))
        .filter(kb_feedback::user_id.eq(user))
        .select(kb_feedback::helpful)
        .first(conn)
        .optional()
}

/// Records a reader's answer (one per reader: a changed answer moves the counts). Returns false when the answer
/// was already this one.
pub fn answer(
    conn: &mut DbConnection,
    article: &Article,
    user: &UserId,
    helpful: bool,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let before = answer_of(conn, article, user)?;
    if before == Some(helpful) {
        return Ok(false);
    }
    match before {
        None => {
            diesel::insert_into(kb_feedback::table)
                .values((
                    kb_feedback::org_id.eq(&article.org_id),
                    kb_feedback::article_id.eq(&article.id),
                    kb_feedback::user_id.eq(user),
                    kb_feedback::helpful.eq(helpful),
                    kb_feedback::created_at.eq(at),
                    kb_feedback::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        Some(_) => {
            diesel::update(kb_feedback::table)
                .filter(kb_feedback::article_id.eq(&article.id))
                .filter(kb_feedback::user_id.eq(user))
                .set((kb_feedback::helpful.eq(helpful), kb_feedback::updated_at.eq(at)))
                .execute(conn)?;
        }
    }
    let (yes, no) = match (before, helpful) {
        (None, true) => (1, 0),
        (None, false) => (0, 1),
        (Some(_), true) => (1, -1),
        (Some(_), false) => (-1, 1),
    };
    diesel::update(kb_articles::table)
        .filter(kb_articles::org_id.eq(&article.org_id))
        .filter(kb_articles::id.eq(&article.id))
        .set((
            kb_articles::helpful_count.eq(kb_articles::helpful_count + yes),
            kb_articles::unhelpful_count.eq(kb_articles::unhelpful_count + no),
        ))
        .execute(conn)?;
    Ok(true)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = kb_article_versions)]
pub struct Version {
    pub version: i32,
    pub title: String,
    pub body: String,
    pub author_label: String,
    pub created_at: NaiveDateTime,
}

/// Versions of an article, newest first: `limit` of them from `offset`, plus the one before the last (to diff
/// the oldest shown against it).
pub fn versions(conn: &mut DbConnection, article: &Article, limit: i64, offset: i64) -> QueryResult<Vec<Version>> {
    kb_article_versions::table
        .filter(kb_article_versions::org_id.eq(&article.org_id))
        .filter(kb_article_versions::article_id.eq(&article.id))
        .order(kb_article_versions::version.desc())
        .limit(limit + 1)
        .offset(offset)
        .select(Version::as_select())
        .load(conn)
}
