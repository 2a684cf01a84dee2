//! CSV imports with a preview (contacts, assets): reading the submitted file (uploaded or pasted), splitting it
//! into rows of known columns, and the preview's rows (to create, to update, or refused with the reason). Each
//! area checks its own rows and writes the accepted ones in one transaction.

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::web::forms::FieldErrors;

/// What a kind of import accepts.
pub struct Spec {
    /// Known columns, lower-case; others are ignored.
    pub columns: &'static [&'static str],
    /// The column the header must have.
    pub required: &'static str,
    /// What a row is, plural ("contacts", "assets"), for messages.
    pub noun: &'static str,
    pub max_rows: usize,
    pub max_bytes: usize,
}

impl Spec {
    fn too_large(&self) -> String {
        format!("The file is larger than {} KB. Split it and import the parts.", self.max_bytes / 1024)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    Create,
    /// Updates the existing row with the same key (email, serial number).
    Update,
    Refused(String),
}

impl RowOutcome {
    pub fn is_refused(&self) -> bool {
        matches!(self, RowOutcome::Refused(_))
    }
    pub fn is_update(&self) -> bool {
        *self == RowOutcome::Update
    }
    /// The reason of a refused row ("" otherwise).
    pub fn reason(&self) -> &str {
        match self {
            RowOutcome::Refused(why) => why,
            _ => "",
        }
    }
}

#[derive(Clone, Debug)]
pub struct PreviewRow<I> {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub input: I,
    pub outcome: RowOutcome,
}

#[derive(Clone, Debug)]
pub struct Preview<I> {
    pub rows: Vec<PreviewRow<I>>,
}

impl<I> Preview<I> {
    pub fn count(&self, pick: fn(&RowOutcome) -> bool) -> usize {
        self.rows.iter().filter(|r| pick(&r.outcome)).count()
    }
    pub fn creates(&self) -> usize {
        self.count(|o| *o == RowOutcome::Create)
    }
    pub fn updates(&self) -> usize {
        self.count(RowOutcome::is_update)
    }
    pub fn refused(&self) -> usize {
        self.count(RowOutcome::is_refused)
    }
    /// "3 added, 1 updated, 2 refused": the activity log's details and the flash.
    pub fn summary(&self) -> String {
        format!("{} added, {} updated, {} refused", self.creates(), self.updates(), self.refused())
    }
}

/// A data row: its line and its (column, value) pairs.
pub type Row = (usize, Vec<(String, String)>);

/// The value of a row's column ("" when absent).
pub fn get<'a>(fields: &'a [(String, String)], column: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == column).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A yes/no column: 1, yes, y, true or x.
pub fn flag(fields: &[(String, String)], column: &str) -> bool {
    matches!(get(fields, column).trim().to_lowercase().as_str(), "1" | "yes" | "y" | "true" | "x")
}

/// The first of a row's errors, in the order of `fields` (what a refused row says).
pub fn first_error(errors: &FieldErrors, fields: &[&str]) -> Option<String> {
    fields.iter().find(|f| errors.has(f)).map(|first| errors.get(first).to_string())
}

/// The data rows with known columns only, or what is wrong with the file as a whole.
pub fn parse(text: &str, spec: &Spec) -> Result<Vec<Row>, String> {
    if text.len() > spec.max_bytes {
        return Err(spec.too_large());
    }
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err("The file is not readable CSV.".into()),
    };
    if !header.iter().any(|c| c == spec.required) {
        return Err(format!(
            "The first line must name the columns, one of them \"{}\" (known: {}).",
            spec.required,
            spec.columns.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|_| format!("Line {line} is not readable CSV (check its quotes)."))?;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() == spec.max_rows {
            return Err(format!(
                "The file has more than {} {}. Split it and import the parts.",
                spec.max_rows, spec.noun
            ));
        }
        let fields = header
            .iter()
            .zip(record.iter())
            .filter(|(column, _)| spec.columns.contains(&column.as_str()))
            .map(|(column, value)| (column.clone(), value.to_string()))
            .collect();
        rows.push((line, fields));
    }
    if rows.is_empty() {
        return Err(format!("The file has no {} under its header line.", spec.noun));
    }
    Ok(rows)
}

/// What an import page shows for an outcome (a preview, nothing yet, or an error about the file), and its status:
/// 422 with an error, so the pasted lines come back beside it.
pub fn shown<P>(outcome: Result<Option<P>, String>) -> (Option<P>, String, actix_web::http::StatusCode) {
    match outcome {
        Ok(preview) => (preview, String::new(), actix_web::http::StatusCode::OK),
        Err(error) => (None, error, crate::web::form_status_invalid()),
    }
}

/// The CSV an import's preview form sent, to preview; or, refused, the text to show back in the form and the
/// message beside it (an empty form, an unreadable or too large file).
pub async fn to_preview(req: &HttpRequest, payload: web::Payload, spec: &Spec) -> Result<String, (String, String)> {
    match submitted(req, payload, spec).await {
        Ok(csv) if csv.trim().is_empty() => Err((csv, "Choose a CSV file or paste its lines.".into())),
        Ok(csv) => Ok(csv),
        Err(message) => Err((String::new(), message)),
    }
}

/// The CSV of an import form: an uploaded file (multipart, field `file`) or pasted text (field `csv`).
pub async fn submitted(req: &HttpRequest, payload: web::Payload, spec: &Spec) -> Result<String, String> {
    let is_multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/"));
    let mut body = Vec::new();
    if !is_multipart {
        let mut payload = payload;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| "The form could not be read. Try again.".to_string())?;
            // Url-encoding can triple a file's size.
            if body.len() + chunk.len() > spec.max_bytes * 4 {
                return Err(spec.too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        return Ok(fields.into_iter().find(|(k, _)| k == "csv").map(|(_, v)| v).unwrap_or_default());
    }
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let (mut file, mut pasted) = (Vec::new(), Vec::new());
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|_| "The upload could not be read. Try again.".to_string())?;
        let name = part.name().unwrap_or("").to_string();
        let target = match name.as_str() {
            "file" => &mut file,
            "csv" => &mut pasted,
            _ => continue,
        };
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| "The upload was interrupted. Try again.".to_string())?;
            if target.len() + chunk.len() > spec.max_bytes {
                return Err(spec.too_large());
            }
            target.extend_from_slice(&chunk);
        }
    }
    let bytes = if file.is_empty() { pasted } else { file };
    String::from_utf8(bytes).map_err(|_| "The file is not text (save it as CSV in UTF-8).".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec =
        Spec { columns: &["name", "email"], required: "name", noun: "contacts", max_rows: 2, max_bytes: 1024 };

    #[test]
    fn files_need_a_header_with_the_required_column() {
        assert!(parse("email\na@b.test\n", &SPEC).unwrap_err().contains("\"name\""));
        assert!(parse("name,email\n", &SPEC).unwrap_err().contains("no contacts"));
        assert!(parse("name\na\nb\nc\n", &SPEC).unwrap_err().contains("more than 2 contacts"));
        let rows = parse("\u{feff}Name,Email,Unknown\n\"Lee, Ann\",ann@x.test,zzz\n\n", &SPEC).unwrap();
        assert_eq!(rows, vec![(2, vec![("name".into(), "Lee, Ann".into()), ("email".into(), "ann@x.test".into())])]);
    }
}
