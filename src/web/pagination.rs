//! Pagination for every list page: page numbers from the query string, bounded page size, and the links.

use serde::Deserialize;

pub const PER_PAGE: i64 = 25;

/// `?page=N&q=...` as list pages take it. Junk page numbers fall back to 1 rather than failing.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ListQuery {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
}

impl ListQuery {
    pub fn page(&self) -> i64 {
        self.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| *p >= 1 && *p <= 1_000_000).unwrap_or(1)
    }
    pub fn search(&self) -> String {
        self.q.as_deref().unwrap_or("").trim().chars().take(100).collect()
    }
}

/// One page of a list: where it starts, how many in all, and the links to other pages.
#[derive(Clone, Debug)]
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// The query string of the list without `page` (kept on every page link), already url-encoded.
    pub base_query: String,
    /// `total` is a lower bound: the list was counted only up to `counted_ahead` (there are more).
    pub more: bool,
}

/// Pages a counted-ahead list counts past the page asked for (`Pager::count_ahead`).
pub const PAGES_AHEAD: i64 = 10;

impl Pager {
    pub fn new(page: i64, total: i64, base_query: String) -> Pager {
        let pager = Pager { page, per_page: PER_PAGE, total, base_query, more: false };
        let last = pager.pages();
        Pager { page: page.min(last).max(1), ..pager }
    }

    /// How many rows a counted-ahead list counts at most for `page`: up to `PAGES_AHEAD` pages past it, and one
    /// more to tell whether there are more. Counting a list of 20,000 rows on every view costs more than showing
    /// the page; "1–25 of 250+" serves as well.
    pub fn count_limit(page: i64) -> i64 {
        (page - 1 + PAGES_AHEAD) * PER_PAGE + 1
    }

    /// A pager over a list counted up to `Pager::count_limit(page)` rows, `counted` of them found.
    pub fn counted_ahead(page: i64, counted: i64, base_query: String) -> Pager {
        let limit = Pager::count_limit(page);
        let more = counted >= limit;
        let pager = Pager::new(page, if more { limit - 1 } else { counted }, base_query);
        Pager { more, ..pager }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages() || self.more
    }
    /// "+" after the totals of a counted-ahead list with more rows than counted.
    pub fn plus(&self) -> &'static str {
        if self.more { "+" } else { "" }
    }
    pub fn first_item(&self) -> i64 {
        if self.total == 0 { 0 } else { self.offset() + 1 }
    }
    pub fn last_item(&self) -> i64 {
        (self.offset() + self.per_page).min(self.total)
    }
    pub fn href(&self, page: i64) -> String {
        if self.base_query.is_empty() { format!("?page={page}") } else { format!("?{}&page={page}", self.base_query) }
    }
    pub fn prev_href(&self) -> String {
        self.href(self.page - 1)
    }
    pub fn next_href(&self) -> String {
        self.href(self.page + 1)
    }
}

/// Builds the kept part of a list's query string from (name, value) pairs, skipping empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// The LIKE pattern for "contains this text, any case": compare it with `lower(column)`.
pub fn contains_pattern(search: &str) -> String {
    format!("%{}%", escape_like(&search.trim().to_lowercase()))
}

/// Escapes LIKE wildcards so a search for "50%" finds "50%" (used with `ESCAPE '\'`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_ahead_list_says_there_are_more_and_keeps_going() {
        assert_eq!(Pager::count_limit(1), 251, "ten pages and one row more");
        let big = Pager::counted_ahead(1, Pager::count_limit(1), String::new());
        assert!(big.more && big.has_next());
        assert_eq!((big.total, big.pages(), big.plus(), big.last_item()), (250, 10, "+", 25));
        let tenth = Pager::counted_ahead(10, Pager::count_limit(10), String::new());
        assert_eq!((tenth.page, tenth.offset(), tenth.total), (10, 225, 475), "counted ten pages past page 10");
        let small = Pager::counted_ahead(1, 30, String::new());
        assert!(!small.more);
        assert_eq!((small.total, small.pages(), small.plus()), (30, 2, ""));
        let past_the_end = Pager::counted_ahead(40, 30, String::new());
        assert_eq!((past_the_end.page, past_the_end.has_next()), (2, false), "a page past the end shows the last");
    }

    #[test]
    fn pages_are_bounded() {
        let p = Pager::new(99, 30, String::new());
        assert_eq!((p.page, p.pages(), p.offset()), (2, 2, 25));
        assert_eq!(Pager::new(1, 0, String::new()).first_item(), 0);
        let q = ListQuery { page: Some("-4".into()), q: None };
        assert_eq!(q.page(), 1);
        assert_eq!(Pager::new(1, 60, "q=a".into()).next_href(), "?q=a&page=2");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
