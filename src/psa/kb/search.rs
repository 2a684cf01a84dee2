//! Full-text search of the knowledge base: one function, [`search`], for every reader (staff in an organization,
//! later the portal's end users), on both backends.
//!
//! - SQLite: the FTS5 table `kb_search` (contentless, rowid = `kb_articles.doc_id`), holding published articles
//!   only and kept in step by [`reindex`] in the transaction of every article write. Its `shelf` column carries
//!   tokens for where an article may be read, so one MATCH finds and scopes; ranked by bm25 with the title weighted
//!   ten times the body.
//! - PostgreSQL: the generated `kb_articles.search` tsvector (title weight A, body B) under a GIN index, ranked by
//!   `ts_rank` with A far above B.
//!
//! What people type never reaches either query syntax: it is cut into words of letters and digits, each quoted
//! (SQLite) or joined with `&` (PostgreSQL); the last word matches as a prefix, so results come as people type.
//! Typo tolerance goes no further than that prefix and the stemmers (porter / english): "printers" finds
//! "printer", "prin" finds "printing", "pirnter" finds nothing.
//!
//! Snippets are made here, the same on both backends: the body as plain text (markdown's text only), a window
//! around the first matching word, in segments that the template escapes, matching words marked.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};

use super::models::{Article, ArticleStatus, Audience, Reader};
use crate::db::DbConnection;
use crate::web::pagination::Pager;

/// At most this many words of a query are used.
const MAX_TERMS: usize = 8;
/// Characters of body text around the first match in a snippet.
const SNIPPET_CHARS: usize = 220;

/// One result: the article's key facts and the snippet to show.
#[derive(Clone, Debug)]
pub struct Hit {
    pub id: String,
    pub title: Vec<(String, bool)>,
    pub snippet: Vec<(String, bool)>,
    pub category: String,
    pub audience: Audience,
    pub msp_wide: bool,
    pub updated_at: NaiveDateTime,
}

impl Hit {
    pub fn title_text(&self) -> String {
        self.title.iter().map(|(text, _)| text.as_str()).collect()
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    audience: String,
    #[diesel(sql_type = Bool)]
    msp_wide: bool,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The words of a query: lower-cased runs of letters and digits, at most [`MAX_TERMS`] of them.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(40).collect())
        .take(MAX_TERMS)
        .collect()
}

/// Where a reader may read, as shelf tokens: their organization's own articles and their MSP's MSP-wide ones.
fn shelf_tokens(reader: &Reader) -> Vec<String> {
    let mut tokens = vec![own_shelf(reader.org.as_str())];
    if let Some(msp) = &reader.msp {
        tokens.push(msp_shelf(msp.as_str()));
    }
    tokens
}

fn own_shelf(org: &str) -> String {
    format!("c{}", org.replace('-', ""))
}

fn msp_shelf(msp: &str) -> String {
    format!("m{}", msp.replace('-', ""))
}

/// The shelf column of an indexed article.
fn shelf_of(article: &Article) -> String {
    let place = if article.msp_wide { msp_shelf(&article.org_id) } else { own_shelf(&article.org_id) };
    match article.audience {
        Audience::Public => format!("{place} pub"),
        Audience::Internal => place,
    }
}

/// The FTS5 query: every word quoted (any `"` doubled, though words never hold one), the last as a prefix,
/// searched in title and body, within the reader's shelves.
fn fts_query(words: &[String], reader: &Reader) -> String {
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let last = words.len() - 1;
    let text: Vec<String> =
        words.iter().enumerate().map(|(i, w)| if i == last { format!("{}*", quote(w)) } else { quote(w) }).collect();
    let shelves: Vec<String> = shelf_tokens(reader).iter().map(|t| quote(t)).collect();
    let mut query = format!("{{title body}} : ({}) AND shelf : ({})", text.join(" "), shelves.join(" OR "));
    if !reader.staff {
        query.push_str(" AND shelf : \"pub\"");
    }
    query
}

/// The tsquery text: words joined by `&`, the last as a prefix (`:*`). Words are letters and digits only.
fn ts_query(words: &[String]) -> String {
    let last = words.len() - 1;
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if i == last { format!("{w}:*") } else { w.clone() })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// One page of the published articles the reader may read that match `query`, most relevant first, and the
/// pager. Two statements whatever the data size. An empty query (no words) finds nothing.
pub fn search(
    conn: &mut DbConnection,
    reader: &Reader,
    query: &str,
    page: i64,
    base_query: String,
) -> QueryResult<(Vec<Hit>, Pager)> {
    let words = terms(query);
    if words.is_empty() {
        return Ok((Vec::new(), Pager::new(1, 0, base_query)));
    }
    let (total, rows) = match conn {
        DbConnection::Sqlite(c) => {
            let matched = fts_query(&words, reader);
            let total = diesel::sql_query("SELECT COUNT(*) AS n FROM kb_search WHERE kb_search MATCH ?")
                .bind::<Text, _>(&matched)
                .get_result::<Total>(c)?
                .n;
            let pager = Pager::new(page, total, base_query);
            let rows = diesel::sql_query(
                "SELECT a.id, a.title, a.body, a.category, a.audience, a.msp_wide, a.updated_at \
                 FROM kb_search JOIN kb_articles a ON a.doc_id = kb_search.rowid \
                 WHERE kb_search MATCH ? ORDER BY bm25(kb_search, 10.0, 1.0, 0.0), a.doc_id DESC LIMIT ? OFFSET ?",
            )
            .bind::<Text, _>(&matched)
            .bind::<BigInt, _>(pager.per_page)
            .bind::<BigInt, _>(pager.offset())
            .load::<Row>(c)?;
            (pager, rows)
        }
        DbConnection::Postgres(c) => {
            let tsquery = ts_query(&words);
            let msp = reader.msp.as_ref().map(|m| m.to_string()).unwrap_or_default();
            let public_only = !reader.staff;
            let filter = "a.search @@ to_tsquery('english', $1) AND a.status = 'published' \
                 AND ((a.org_id = $2 AND NOT a.msp_wide) OR (a.org_id = $3 AND a.msp_wide)) \
                 AND (NOT $4 OR a.audience = 'public')";
            let total = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM kb_articles a WHERE {filter}"))
                .bind::<Text, _>(&tsquery)
                .bind::<Text, _>(reader.org.as_str())
                .bind::<Text, _>(&msp)
                .bind::<Bool, _>(public_only)
                .get_result::<Total>(c)?
                .n;
            let pager = Pager::new(page, total, base_query);
            let rows = diesel::sql_query(format!(
                "SELECT a.id, a.title, a.body, a.category, a.audience, a.msp_wide, a.updated_at \
                 FROM kb_articles a WHERE {filter} \
                 ORDER BY ts_rank('{{0.01, 0.02, 0.1, 1.0}}', a.search, to_tsquery('english', $1)) DESC, a.doc_id DESC \
                 LIMIT $5 OFFSET $6"
            ))
            .bind::<Text, _>(&tsquery)
            .bind::<Text, _>(reader.org.as_str())
            .bind::<Text, _>(&msp)
            .bind::<Bool, _>(public_only)
            .bind::<BigInt, _>(pager.per_page)
            .bind::<BigInt, _>(pager.offset())
            .load::<Row>(c)?;
            (pager, rows)
        }
    };
    let hits = rows.into_iter().map(|row| hit(row, &words)).collect();
    Ok((hits, total))
}

fn hit(row: Row, words: &[String]) -> Hit {
    Hit {
        title: marked(&row.title, words),
        snippet: marked(&snippet_text(&plain_text(&row.body), words), words),
        id: row.id,
        category: row.category,
        audience: Audience::parse(&row.audience).unwrap_or(Audience::Internal),
        msp_wide: row.msp_wide,
        updated_at: row.updated_at,
    }
}

/// Keeps the search index in step with an article (SQLite; PostgreSQL's column is generated): out of the index,
/// then back in when published.
pub fn reindex(conn: &mut DbConnection, article: &Article) -> QueryResult<()> {
    let DbConnection::Sqlite(c) = conn else { return Ok(()) };
    diesel::sql_query("DELETE FROM kb_search WHERE rowid = ?").bind::<BigInt, _>(article.doc_id).execute(c)?;
    if article.status == ArticleStatus::Published {
        diesel::sql_query("INSERT INTO kb_search (rowid, title, body, shelf) VALUES (?, ?, ?, ?)")
            .bind::<BigInt, _>(article.doc_id)
            .bind::<Text, _>(&article.title)
            .bind::<Text, _>(&article.body)
            .bind::<Text, _>(shelf_of(article))
            .execute(c)?;
    }
    Ok(())
}

/// Indexes many published articles at once (the demo seed): one statement per batch on SQLite.
pub fn index_all(conn: &mut DbConnection, articles: &[Article]) -> QueryResult<()> {
    let DbConnection::Sqlite(c) = conn else { return Ok(()) };
    for chunk in articles.chunks(200) {
        let published: Vec<&Article> = chunk.iter().filter(|a| a.is_published()).collect();
        if published.is_empty() {
            continue;
        }
        let mut sql = String::from("INSERT INTO kb_search (rowid, title, body, shelf) VALUES ");
        sql.push_str(&vec!["(?, ?, ?, ?)"; published.len()].join(", "));
        let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
        for a in published {
            query = query
                .bind::<BigInt, _>(a.doc_id)
                .bind::<Text, _>(&a.title)
                .bind::<Text, _>(&a.body)
                .bind::<Text, _>(shelf_of(a));
        }
        query.execute(c)?;
    }
    Ok(())
}

/// Markdown's text without its markup (for snippets).
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // Blocks end with a space between them; inline markup (bold, links) ends inside a word's run.
            Event::End(end)
                if !matches!(
                    end,
                    TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
                ) =>
            {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Does a word of the text match a query word? It starts with it (the prefix people type), or they share a long
/// enough beginning that the stemmer would have matched them ("printing" for "printers").
fn matches(word: &str, term: &str) -> bool {
    let word = word.to_lowercase();
    if word.starts_with(term) {
        return true;
    }
    let shared = word.chars().zip(term.chars()).take_while(|(a, b)| a == b).count();
    shared >= 4 && shared + 3 >= term.chars().count()
}

/// The part of `text` to show: from a little before the first matching word, about [`SNIPPET_CHARS`] long,
/// with an ellipsis where it was cut.
fn snippet_text(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut first = None;
    for (i, c) in chars.iter().enumerate() {
        let at_word_start = c.is_alphanumeric() && (i == 0 || !chars[i - 1].is_alphanumeric());
        if at_word_start {
            let end = chars[i..].iter().position(|c| !c.is_alphanumeric()).map_or(chars.len(), |n| i + n);
            let word: String = chars[i..end].iter().collect();
            if words.iter().any(|t| matches(&word, t)) {
                first = Some(i);
                break;
            }
        }
    }
    let from = first.map_or(0, |i| i.saturating_sub(60));
    let from =
        if from == 0 { 0 } else { chars[from..].iter().position(|c| c.is_whitespace()).map_or(from, |n| from + n + 1) };
    let to = (from + SNIPPET_CHARS).min(chars.len());
    let mut out: String = chars[from..to].iter().collect();
    if from > 0 {
        out.insert(0, '…');
    }
    if to < chars.len() {
        out.push('…');
    }
    out
}

/// The text in segments, matching words marked: the template escapes every segment, so nothing of the article
/// is ever output as HTML.
pub fn marked(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let mut segments: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &str, hit: bool| match segments.last_mut() {
        Some((last, was_hit)) if *was_hit == hit => last.push_str(piece),
        _ => segments.push((piece.to_string(), hit)),
    };
    let mut rest = text;
    while !rest.is_empty() {
        let alnum = rest.chars().next().is_some_and(char::is_alphanumeric);
        let len = rest.char_indices().find(|(_, c)| c.is_alphanumeric() != alnum).map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(len);
        push(piece, alnum && words.iter().any(|t| matches(piece, t)));
        rest = tail;
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_syntax_in_user_input_is_only_words() {
        assert_eq!(
            terms("\"printer\" NEAR(a b) title:* -x OR 'c'"),
            ["printer", "near", "a", "b", "title", "x", "or", "c"]
        );
        let org = crate::db::ids::OrgId::new();
        let reader = Reader { org: org.clone(), msp: None, staff: true };
        let expected = format!("{{title body}} : (\"vpn\" \"set\"*) AND shelf : (\"c{}\")", org.replace('-', ""));
        assert_eq!(fts_query(&terms("vpn: set*"), &reader), expected);
        assert_eq!(ts_query(&terms("vpn & !set")), "vpn & set:*");
    }

    #[test]
    fn snippets_mark_matches_and_keep_text_as_text() {
        let words = terms("print");
        let segments = marked("<b>Printers</b> & printing", &words);
        assert_eq!(
            segments,
            vec![
                ("<b>".into(), false),
                ("Printers".into(), true),
                ("</b> & ".into(), false),
                ("printing".into(), true)
            ]
        );
        let long = format!("{} the vpn client {}", "word ".repeat(100), "tail ".repeat(100));
        let snippet = snippet_text(&long, &terms("vpn"));
        assert!(snippet.starts_with('…') && snippet.contains("vpn client") && snippet.ends_with('…'));
        assert_eq!(plain_text("# Title\n\n**bold** `code`"), "Title bold code");
    }
}
