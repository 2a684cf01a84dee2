//! What each version of an article changed against the one before it (line diffs with `similar`), for the
//! history page.

use chrono::NaiveDateTime;
use similar::{ChangeTag, TextDiff};

use super::models::Version;

/// Lines of context kept around each change.
const CONTEXT: usize = 2;

/// One line of a diff: `kind` is "add", "remove", "same" or "gap" (lines left out between hunks).
#[derive(Clone, Debug)]
pub struct DiffLine {
    pub kind: &'static str,
    pub text: String,
}

impl DiffLine {
    pub fn sign(&self) -> &'static str {
        match self.kind {
            "add" => "+",
            "remove" => "−",
            _ => " ",
        }
    }
}

/// A version and what it changed.
#[derive(Clone, Debug)]
pub struct VersionChange {
    pub version: i32,
    pub author: String,
    pub at: NaiveDateTime,
    pub title: String,
    /// The title before, when this version changed it.
    pub old_title: Option<String>,
    pub lines: Vec<DiffLine>,
    pub first: bool,
}

impl VersionChange {
    pub fn body_changed(&self) -> bool {
        self.lines.iter().any(|l| l.kind == "add" || l.kind == "remove")
    }
}

/// The first `shown` versions (newest first) each against the next one in the list (the version before it);
/// the last one shown is compared with the extra row loaded for it, or with nothing when it is version 1.
pub fn changes(versions: &[Version], shown: usize) -> Vec<VersionChange> {
    versions
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, v)| {
            let before = versions.get(i + 1);
            let old_body = before.map_or("", |b| b.body.as_str());
            VersionChange {
                version: v.version,
                author: v.author_label.clone(),
                at: v.created_at,
                title: v.title.clone(),
                old_title: before.filter(|b| b.title != v.title).map(|b| b.title.clone()),
                lines: line_diff(old_body, &v.body),
                first: before.is_none(),
            }
        })
        .collect()
}

/// The changed lines with a little context, gaps marked.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            lines.push(DiffLine { kind: "gap", text: "…".into() });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Insert => "add",
                    ChangeTag::Delete => "remove",
                    ChangeTag::Equal => "same",
                };
                lines.push(DiffLine { kind, text: change.value().trim_end_matches('\n').to_string() });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_shows_the_changed_lines_with_context() {
        let old = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n";
        let new = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n";
        let lines = line_diff(old, new);
        let kinds: Vec<&str> = lines.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, ["same", "same", "remove", "add", "same", "same"]);
        assert_eq!(lines[3].text, "THREE");
    }
}
