//! Catalog search: by identifier, current or old ("PR.AC-1", "PR.AC-01", "A.9.2.1", "5.15"), and by the words of
//! a requirement's title, summary and attributes. Identifier matches come first; word matches are paginated.

use diesel::dsl::{InnerJoinQuerySource, not};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::ids;
use super::models::ControlRecord;
use crate::db::{DbConnection, MultiBackend};
use crate::schema::{catalog_aliases as a, catalog_controls as c, catalog_frameworks as f, catalog_requirements as r};
use crate::web::pagination::escape_like;

diesel::define_sql_function!(fn lower(x: Text) -> Text);

type Source = InnerJoinQuerySource<r::table, f::table>;
type Filter = Box<dyn BoxableExpression<Source, MultiBackend, SqlType = Bool>>;

/// Most words a search uses (the rest are ignored).
const MAX_WORDS: usize = 8;
/// Most common controls listed next to the requirement results.
const MAX_CONTROLS: i64 = 8;

#[derive(Queryable, Clone, Debug)]
pub struct Hit {
    pub framework_id: String,
    pub framework_name: String,
    pub requirement_id: String,
    pub top_id: String,
    pub title: String,
    pub summary: String,
    pub assessable: bool,
}

/// What a query means: the identifier forms it may stand for and its words.
pub struct Query {
    candidates: Vec<String>,
    words: Vec<String>,
}

impl Query {
    pub fn new(text: &str) -> Query {
        let words =
            text.split_whitespace().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).take(MAX_WORDS).collect();
        Query { candidates: ids::candidates(text), words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn word_filter(&self) -> Filter {
        let mut filter: Filter = Box::new(r::retired_at.is_null());
        for word in &self.words {
            let pattern = format!("%{}%", escape_like(word));
            filter = Box::new(filter.and(r::search_text.like(pattern).escape('\\')));
        }
        filter
    }
}

/// Requirements whose identifier, or one of whose old identifiers, is the query; each with the old identifiers
/// that matched. Two queries.
pub fn by_identifier(conn: &mut DbConnection, query: &Query) -> QueryResult<Vec<(Hit, Vec<String>)>> {
    if query.candidates.is_empty() {
        return Ok(Vec::new());
    }
    let aliases: Vec<(String, String, String)> = a::table
        .filter(a::alias_norm.eq_any(&query.candidates))
        .select((a::framework_id, a::requirement_id, a::alias))
        .load(conn)?;
    let hits: Vec<Hit> = r::table
        .inner_join(f::table)
        .filter(r::retired_at.is_null())
        .filter(identifier_filter(query, &aliases))
        .order((f::position, r::position))
        .select(hit_columns())
        .load(conn)?;
    Ok(hits
        .into_iter()
        .map(|hit| {
            let via = aliases
                .iter()
                .filter(|(fw, req, _)| *fw == hit.framework_id && *req == hit.requirement_id)
                .map(|(_, _, alias)| alias.clone())
                .collect();
            (hit, via)
        })
        .collect())
}

fn identifier_filter(query: &Query, aliases: &[(String, String, String)]) -> Filter {
    let mut filter: Filter = Box::new(r::id_norm.eq_any(query.candidates.clone()));
    for (framework, requirement, _) in aliases {
        filter =
            Box::new(filter.or(r::framework_id.eq(framework.clone()).and(r::requirement_id.eq(requirement.clone()))));
    }
    filter
}

type HitColumns = (r::framework_id, f::short_name, r::requirement_id, r::top_id, r::title, r::summary, r::assessable);

fn hit_columns() -> HitColumns {
    (r::framework_id, f::short_name, r::requirement_id, r::top_id, r::title, r::summary, r::assessable)
}

/// Requirements containing every word, except the identifier matches: how many in all.
pub fn count_by_words(conn: &mut DbConnection, query: &Query, exclude: &[Hit]) -> QueryResult<i64> {
    if query.is_empty() {
        return Ok(0);
    }
    r::table
        .inner_join(f::table)
        .filter(query.word_filter())
        .filter(not(exclude_filter(exclude)))
        .count()
        .get_result(conn)
}

/// One page of the word matches, by framework then official order.
pub fn by_words(
    conn: &mut DbConnection,
    query: &Query,
    exclude: &[Hit],
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Hit>> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    r::table
        .inner_join(f::table)
        .filter(query.word_filter())
        .filter(not(exclude_filter(exclude)))
        .order((f::position, r::position))
        .select(hit_columns())
        .limit(limit)
        .offset(offset)
        .load(conn)
}

fn exclude_filter(exclude: &[Hit]) -> Filter {
    let mut filter: Filter = Box::new(r::requirement_id.eq_any(Vec::<String>::new()));
    for hit in exclude {
        filter = Box::new(
            filter
                .or(r::framework_id.eq(hit.framework_id.clone()).and(r::requirement_id.eq(hit.requirement_id.clone()))),
        );
    }
    filter
}

/// Common controls whose id, title or description contains every word.
pub fn controls(conn: &mut DbConnection, query: &Query) -> QueryResult<Vec<ControlRecord>> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = c::table.filter(c::retired_at.is_null()).into_boxed();
    for word in &query.words {
        let pattern = format!("%{}%", escape_like(word));
        q = q.filter(
            lower(c::id)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(c::title).like(pattern.clone()).escape('\\'))
                .or(lower(c::description).like(pattern).escape('\\')),
        );
    }
    q.order(c::position).select(ControlRecord::as_select()).limit(MAX_CONTROLS).load(conn)
}
