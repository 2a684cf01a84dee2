//! The knowledge base's shelves, read at list speed. A shelf is one owner's articles of one place: a client's
//! own (not MSP-wide) articles, or its MSP's MSP-wide ones; an end user of a client reads both, public and
//! published articles only. Each view costs a fixed few statements, whatever the number of articles:
//!
//! - the categories and totals come from kept counts (`kb_shelf_counts`: per owner, place, audience and category,
//!   the published articles), which every write to `kb_articles` rebuilds in its transaction ([`rebuild`]);
//! - the latest page takes each shelf's first `offset + limit` articles in the order of the index
//!   `kb_articles_shelf` (or `kb_articles_shelf_category`), with only the columns the list shows, and merges
//!   them here. (Loading the page's rows by id afterwards cost 0.5 ms on SQLite: with `org_id IN (..)` beside
//!   `id IN (..)` it walked the owners' index instead of the primary key.)

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::models::{ArticleStatus, Audience, Reader};
use crate::db::DbConnection;
use crate::db::MultiBackend;
use crate::db::ids::{ArticleId, OrgId};
use crate::db::locks::{LockClass, lock_org};
use crate::schema::{kb_articles, kb_shelf_counts};

/// How many published articles of an owner sit in one place, audience and category.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct ShelfCount {
    pub msp_wide: bool,
    pub audience: Audience,
    pub category: String,
    pub articles: i64,
}

/// The organization's kept counts, in key order.
pub fn load(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<ShelfCount>> {
    use kb_shelf_counts::dsl as k;
    k::kb_shelf_counts
        .filter(k::org_id.eq(org))
        .order((k::msp_wide, k::audience, k::category))
        .select((k::msp_wide, k::audience, k::category, k::articles))
        .load(conn)
}

/// The counts taken from the organization's articles themselves, in key order: what [`load`] returns once
/// [`rebuild`] ran (for checking that they agree).
pub fn count(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<ShelfCount>> {
    use kb_articles::dsl as a;
    a::kb_articles
        .filter(a::org_id.eq(org))
        .filter(a::status.eq(ArticleStatus::Published))
        .group_by((a::msp_wide, a::audience, a::category))
        .order((a::msp_wide, a::audience, a::category))
        .select((a::msp_wide, a::audience, a::category, diesel::dsl::count_star()))
        .load(conn)
}

/// Replaces the organization's kept counts with a fresh count: a delete and one INSERT from a GROUP BY over the
/// index `kb_articles_shelf_category`. Runs inside the transaction that changed its articles; concurrent writers
/// of the organization rebuild in turn (see `db::locks`).
pub fn rebuild(conn: &mut DbConnection, org: &OrgId) -> QueryResult<()> {
    use kb_articles::dsl as a;
    use kb_shelf_counts::dsl as k;
    lock_org(conn, LockClass::KbShelf, org)?;
    diesel::delete(k::kb_shelf_counts.filter(k::org_id.eq(org))).execute(conn)?;
    let counted = a::kb_articles
        .filter(a::org_id.eq(org))
        .filter(a::status.eq(ArticleStatus::Published))
        .group_by((a::org_id, a::msp_wide, a::audience, a::category))
        .select((a::org_id, a::msp_wide, a::audience, a::category, diesel::dsl::count_star()));
    diesel::insert_into(k::kb_shelf_counts)
        .values(counted)
        .into_columns((k::org_id, k::msp_wide, k::audience, k::category, k::articles))
        .execute(conn)?;
    Ok(())
}

/// The shelves an end user reads from the reader's organization: (owner, MSP-wide?).
fn shelves(reader: &Reader) -> Vec<(OrgId, bool)> {
    let own = (reader.org.clone(), false);
    match &reader.msp {
        Some(msp) => vec![own, (msp.clone(), true)],
        None => vec![own],
    }
}

/// What the shelves hold: the categories with a name and their articles, by name (at most 100), and how many
/// articles there are in all, or in the chosen category.
#[derive(Debug, Default)]
pub struct Tally {
    pub categories: Vec<(String, i64)>,
    pub total: i64,
}

type CountFilter = Box<dyn BoxableExpression<kb_shelf_counts::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// The kept counts of the shelves an end user reads from the reader's organization.
fn readable_counts(reader: &Reader) -> CountFilter {
    use kb_shelf_counts::dsl as k;
    let own = k::org_id.eq(reader.org.clone()).and(k::msp_wide.eq(false));
    match &reader.msp {
        Some(msp) => Box::new(own.or(k::org_id.eq(msp.clone()).and(k::msp_wide.eq(true)))),
        None => Box::new(own),
    }
}

/// The tally of what an end user (not staff: public articles only) reads, from the kept counts (one statement).
pub fn tally(conn: &mut DbConnection, reader: &Reader, category: Option<&str>) -> QueryResult<Tally> {
    use kb_shelf_counts::dsl as k;
    debug_assert!(!reader.staff, "the shelves hold what end users read; staff read internal articles too");
    let rows: Vec<(String, i64)> = k::kb_shelf_counts
        .filter(readable_counts(reader))
        .filter(k::audience.eq(Audience::Public))
        .group_by(k::category)
        .order(k::category)
        .select((k::category, diesel::dsl::sql::<BigInt>("CAST(SUM(articles) AS BIGINT)")))
        .load(conn)?;
    let total = rows.iter().filter(|(name, _)| category.is_none_or(|c| c == name)).map(|(_, n)| n).sum();
    let categories = rows.into_iter().filter(|(name, _)| !name.is_empty()).take(100).collect();
    Ok(Tally { categories, total })
}

/// An article as the portal lists it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = kb_articles)]
pub struct Listed {
    pub id: ArticleId,
    pub title: String,
    pub category: String,
}

/// One page of the latest articles an end user (not staff) reads, of one category when given: last changed
/// first, then by id, so pages neither overlap nor skip: a statement per shelf.
pub fn latest(
    conn: &mut DbConnection,
    reader: &Reader,
    category: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Listed>> {
    debug_assert!(!reader.staff, "the shelves hold what end users read; staff read internal articles too");
    let mut heads = Vec::new();
    for (owner, msp_wide) in shelves(reader) {
        heads.extend(shelf_head(conn, &owner, msp_wide, category, offset + limit)?);
    }
    heads.sort_unstable_by(|(a_at, a), (b_at, b)| (b_at, &b.id).cmp(&(a_at, &a.id)));
    Ok(heads.into_iter().skip(offset as usize).take(limit as usize).map(|(_, row)| row).collect())
}

/// The first `n` of one shelf's public, published articles, last changed first: walked in the shelf's index
/// order, reading each one's row for the list's columns (n rows, not the shelf's).
fn shelf_head(
    conn: &mut DbConnection,
    owner: &OrgId,
    msp_wide: bool,
    category: Option<&str>,
    n: i64,
) -> QueryResult<Vec<(NaiveDateTime, Listed)>> {
    use kb_articles::dsl as a;
    let mut query = a::kb_articles
        .filter(a::org_id.eq(owner))
        .filter(a::msp_wide.eq(msp_wide))
        .filter(a::audience.eq(Audience::Public))
        .filter(a::status.eq(ArticleStatus::Published))
        .into_boxed();
    if let Some(category) = category {
        query = query.filter(a::category.eq(category.to_string()));
    }
    query.order((a::updated_at.desc(), a::id.desc())).limit(n).select((a::updated_at, Listed::as_select())).load(conn)
}
