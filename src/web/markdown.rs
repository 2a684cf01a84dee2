//! Markdown anywhere people write (notes, policies, articles, replies), rendered by one function: CommonMark with
//! tables, strikethrough and task lists (pulldown-cmark), then sanitized (ammonia): no raw scripts, styles,
//! event handlers or `javascript:` URLs; links open with `rel="noopener noreferrer"`; images only from https or
//! relative addresses.
//!
//! In templates, either keep a [`Markdown`] in the page struct (`{{ notes }}` then needs no `|safe`), or use the
//! filter with `use crate::web::filters;` beside the template struct: `{{ control.notes|markdown }}`.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

/// Sanitized HTML made from markdown. Safe to output without escaping (askama knows: `HtmlSafe`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Markdown {}

/// Markdown text to safe HTML.
pub fn render(text: &str) -> String {
    let mut unsafe_html = String::with_capacity(text.len() * 3 / 2);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut unsafe_html, Parser::new_ext(text, options));
    sanitizer().clean(&unsafe_html).to_string()
}

/// `render`, typed as safe HTML for templates.
pub fn to_html(text: &str) -> Markdown {
    Markdown(render(text))
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(["input"])
            // Task list checkboxes only: pulldown-cmark writes them disabled.
            .add_tag_attribute_values("input", "type", ["checkbox"])
            .add_tag_attribute_values("input", "disabled", [""])
            .add_tag_attribute_values("input", "checked", [""])
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .link_rel(Some("noopener noreferrer"))
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                // Images load only from https or from this site (no tracking over http, no data: blobs).
                ("img", "src") if !image_source_allowed(value) => None,
                _ => Some(value.into()),
            });
        builder
    })
}

fn image_source_allowed(src: &str) -> bool {
    let lower = src.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon before any slash means a scheme.
        Some((scheme, _)) if !scheme.contains('/') => scheme == "https",
        _ => !lower.starts_with("//"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_commonmark_tables_strikethrough_and_task_lists() {
        let html = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ **new**\n\n- [x] done\n- [ ] todo\n");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<table>") && html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("<del>old</del> <strong>new</strong>"), "{html}");
        assert_eq!(html.matches(r#"type="checkbox""#).count(), 2, "{html}");
        assert_eq!(html.matches(r#"disabled="""#).count(), 2, "{html}");
        assert_eq!(html.matches(r#"checked="""#).count(), 1, "{html}");
    }

    #[test]
    fn links_open_without_giving_the_opener_away() {
        let html = render("[site](https://example.com/a?b=1)");
        assert_eq!(html.trim(), r#"<p><a href="https://example.com/a?b=1" rel="noopener noreferrer">site</a></p>"#);
    }

    #[test]
    fn xss_vectors_are_removed() {
        let vectors = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<form action=\"https://evil.example\"><button>go</button></form>",
            "<object data=\"x.swf\"></object>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<input type=\"text\" autofocus onfocus=alert(1)>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<details open ontoggle=alert(1)>",
            "<style>body{display:none}</style>",
            "<base href=\"https://evil.example/\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "![x](javascript:alert(1))",
            "<scr<script>ipt>alert(1)</script>",
        ];
        for vector in vectors {
            let html = render(vector).to_ascii_lowercase();
            for bad in [
                "<script",
                "javascript:",
                "vbscript:",
                "data:text",
                "onerror",
                "onload",
                "onfocus",
                "ontoggle",
                "<iframe",
                "<svg",
                "<style",
                "style=",
                "<form",
                "<object",
                "<base",
                "<meta",
                "type=\"text\"",
            ] {
                assert!(!html.contains(bad), "{vector:?} rendered as {html:?}, which contains {bad:?}");
            }
        }
    }

    #[test]
    fn images_only_from_https_or_this_site() {
        assert!(render("![a](https://cdn.example.com/a.png)").contains(r#"src="https://cdn.example.com/a.png""#));
        assert!(render("![a](/static/img/logo.svg)").contains(r#"src="/static/img/logo.svg""#));
        for refused in ["http://tracker.example/p.gif", "//tracker.example/p.gif", "data:image/png;base64,AAAA"] {
            let html = render(&format!("![a]({refused})"));
            assert!(!html.contains("src="), "{refused}: {html}");
        }
    }

    #[test]
    fn raw_html_text_is_escaped_not_dropped_silently() {
        let html = render("5 < 6 & \"quotes\"");
        assert_eq!(html.trim(), "<p>5 &lt; 6 &amp; \"quotes\"</p>");
    }

    #[test]
    fn markdown_is_safe_in_templates_without_escaping_twice() {
        use askama::Template;

        mod page {
            use crate::web::filters;

            #[derive(askama::Template)]
            #[template(source = "<div>{{ note|markdown }}</div><div>{{ rendered }}</div>", ext = "html")]
            pub struct Note<'a> {
                pub note: &'a str,
                pub rendered: super::Markdown,
            }
        }
        let text = "**bold** <script>x</script>";
        let out = page::Note { note: text, rendered: to_html(text) }.render().unwrap();
        assert_eq!(out.matches("<strong>bold</strong>").count(), 2, "{out}");
        assert!(!out.contains("<script>") && !out.contains("&lt;strong"), "{out}");
    }
}
