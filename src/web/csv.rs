//! CSV exports: RFC 4180 rows that a spreadsheet never runs as formulas, served as downloads.

use actix_web::HttpResponse;

/// Appends one row (CRLF-terminated) to `out`.
pub fn push_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    let quoted: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// A CSV body as a download named `filename` (letters, digits, `-`, `_` and `.` only).
pub fn download(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(crate::storage::download::content_disposition(filename))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=cmd()"), "'=cmd()");
        assert_eq!(field("plain"), "plain");
        let mut out = String::new();
        push_row(&mut out, &["a", "b,c"]);
        assert_eq!(out, "a,\"b,c\"\r\n");
    }
}
