//! What of an email lands on the ticket: the new text, without the quoted history mail clients append ("On ...
//! wrote:", Outlook's "-----Original Message-----" or "From: ... Sent: ..." block, trailing "> " lines) and
//! without the signature ("-- " and phone footers). The full text stays on the stored inbound message.
//! Also `to_markdown`, since ticket text is markdown and an email is plain text.

/// The new part of a message's text. Never empty when the text is not: a message that is all quote keeps it.
pub fn trim(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if starts_history(&lines, i) || is_signature_start(line) {
            end = i;
            break;
        }
    }
    // Trailing quoted lines (bottom-posting clients quote without a header line).
    while end > 0 && (lines[end - 1].trim_start().starts_with('>') || lines[end - 1].trim().is_empty()) {
        end -= 1;
    }
    let kept = lines[..end].join("\n").trim().to_string();
    if kept.is_empty() { text.trim().to_string() } else { kept }
}

fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    if lower.starts_with("-----original message-----") || lower.starts_with("-------- original message") {
        return true;
    }
    if line.starts_with("________________________________") {
        return true;
    }
    // "On Mon, 2 Dec 2026 at 10:00, Tom <t@x> wrote:" (possibly wrapped onto the next line).
    if lower.starts_with("on ") {
        let joined = match lines.get(i + 1) {
            Some(next) => format!("{lower} {}", next.trim().to_lowercase()),
            None => lower.clone(),
        };
        if lower.ends_with("wrote:") || (joined.ends_with("wrote:") && joined.len() < 300) {
            return true;
        }
    }
    // Other languages' "... schrieb:", "... a écrit :", "... escribió:" after a date-like line.
    if ["schrieb:", "a écrit :", "a écrit:", "escribió:", "ha scritto:", "schreef:"].iter().any(|w| lower.ends_with(w))
    {
        return true;
    }
    // Outlook: "From: ..." followed within a few lines by "Sent: ..." or "Date: ...".
    if lower.starts_with("from:") {
        return lines[i + 1..].iter().take(3).any(|l| {
            let l = l.trim().to_lowercase();
            l.starts_with("sent:") || l.starts_with("date:")
        });
    }
    false
}

fn is_signature_start(line: &str) -> bool {
    let trimmed = line.trim_end_matches('\r');
    trimmed == "-- "
        || trimmed == "--"
        || ["sent from my iphone", "sent from my ipad", "sent from my android", "get outlook for"]
            .iter()
            .any(|footer| trimmed.trim().to_lowercase().starts_with(footer))
}

/// Plain text as markdown that renders as the same text: markdown's punctuation escaped, each line break kept.
pub fn to_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let lines: Vec<&str> = text.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let line = line.trim_end();
        for c in line.chars() {
            if c.is_ascii_punctuation() && "\\`*_{}[]()<>#+-.!|~&".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        let next_blank = lines.get(n + 1).is_none_or(|l| l.trim().is_empty());
        if n + 1 < lines.len() {
            // A backslash at the end of a line is a hard line break; blank lines stay paragraph breaks.
            if !line.is_empty() && !next_blank {
                out.push('\\');
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_history_is_cut() {
        let cases = [
            "Thanks!\n\nOn Mon, 2 Dec 2026 at 10:00, Tom <t@x.test> wrote:\n> Try again\n> now",
            "Thanks!\n\nOn Mon, 2 Dec 2026 at 10:00, Tom Tech\n<t@x.test> wrote:\n> Try again",
            "Thanks!\n\n-----Original Message-----\nFrom: Tom\nSent: Monday\n\nTry again",
            "Thanks!\n\n________________________________\nFrom: Tom\nSent: Monday",
            "Thanks!\n\nFrom: Tom Tech <t@x.test>\nSent: Monday, December 2, 2026\nTo: Ann\n\nTry again",
            "Thanks!\n\n> Try again\n> now\n",
            "Thanks!\n\nAm Montag schrieb Tom <t@x.test> schrieb:\n> Versuch es",
        ];
        for text in cases {
            assert_eq!(trim(text), "Thanks!", "{text}");
        }
    }

    #[test]
    fn signatures_are_cut_and_inline_quotes_kept() {
        assert_eq!(trim("Done.\n-- \nAnn Lee\nLegal dept"), "Done.");
        assert_eq!(trim("Done.\n\nSent from my iPhone"), "Done.");
        let interleaved = "> Is it on?\nYes it is.\n> Cable?\nPlugged in.";
        assert_eq!(trim(interleaved), interleaved);
        assert_eq!(trim("From: the printer, smoke."), "From: the printer, smoke.");
    }

    #[test]
    fn a_message_that_is_all_quote_is_kept_whole() {
        assert_eq!(trim("> only a quote"), "> only a quote");
        assert_eq!(trim(""), "");
    }

    #[test]
    fn markdown_renders_the_text_as_written() {
        let md = to_markdown("# not a heading\n*not bold* <script>\n\nnext paragraph\n1. not a list");
        assert_eq!(md, "\\# not a heading\\\n\\*not bold\\* \\<script\\>\n\nnext paragraph\\\n1\\. not a list");
        let html = crate::web::markdown::to_html(&md).to_string();
        assert!(html.contains("# not a heading<br"), "{html}");
        assert!(html.contains("*not bold* &lt;script&gt;"), "{html}");
        assert!(!html.contains("<h1") && !html.contains("<ol") && !html.contains("<em"), "{html}");
    }
}
