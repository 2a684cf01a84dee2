//! Askama filters shared by every area's templates. Bring them into scope beside a template struct with
//! `use crate::web::filters;`.

use askama::Values;

use crate::web::markdown::{Markdown, to_html};

/// `{{ text|markdown }}`: the text rendered as sanitized HTML (see `web::markdown`).
#[askama::filter_fn]
pub fn markdown<T: std::fmt::Display>(text: T, _: &dyn Values) -> askama::Result<Markdown> {
    Ok(to_html(&text.to_string()))
}
