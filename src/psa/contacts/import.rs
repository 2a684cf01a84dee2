//! Importing contacts from CSV: every row is checked first and shown as a preview (to create, to update by
//! email, or refused with the reason); applying writes the accepted rows in one transaction.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::forms::validate_fields;
use super::models::{self, ContactInput};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::web::forms::FieldErrors;

/// Rows a file may have.
pub const MAX_ROWS: usize = 2000;
/// Bytes a pasted or uploaded file may have.
pub const MAX_BYTES: usize = 200 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    Create,
    /// Updates the contact with this email.
    Update,
    Refused(String),
}

impl RowOutcome {
    pub fn label(&self) -> &str {
        match self {
            RowOutcome::Create => "New contact",
            RowOutcome::Update => "Updates the contact with this email",
            RowOutcome::Refused(why) => why,
        }
    }
    pub fn is_refused(&self) -> bool {
        matches!(self, RowOutcome::Refused(_))
    }
}

#[derive(Clone, Debug)]
pub struct PreviewRow {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub input: ContactInput,
    pub outcome: RowOutcome,
}

#[derive(Clone, Debug, Default)]
pub struct Preview {
    pub rows: Vec<PreviewRow>,
}

impl Preview {
    pub fn count(&self, pick: fn(&RowOutcome) -> bool) -> usize {
        self.rows.iter().filter(|r| pick(&r.outcome)).count()
    }
    pub fn creates(&self) -> usize {
        self.count(|o| *o == RowOutcome::Create)
    }
    pub fn updates(&self) -> usize {
        self.count(|o| *o == RowOutcome::Update)
    }
    pub fn refused(&self) -> usize {
        self.count(RowOutcome::is_refused)
    }
}

const COLUMNS: [&str; 8] = ["name", "email", "phone", "title", "primary", "billing", "technical", "notes"];

/// Reads the file: the problem with the file as a whole (no header, no name column, too many rows), or its rows
/// checked against each other and the organization's contacts.
pub fn preview(conn: &mut DbConnection, org: &OrgId, text: &str) -> diesel::QueryResult<Result<Preview, String>> {
    let parsed = match parse(text) {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let checked: Vec<(usize, ContactInput, Option<String>)> = parsed
        .into_iter()
        .map(|(line, fields)| {
            let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
            let flag =
                |name: &str| matches!(get(name).trim().to_lowercase().as_str(), "1" | "yes" | "y" | "true" | "x");
            let mut errors = FieldErrors::default();
            let input = validate_fields(
                &mut errors,
                get("name"),
                get("email"),
                get("phone"),
                get("title"),
                get("notes"),
                [flag("primary"), flag("billing"), flag("technical")],
            );
            let refused = ["name", "email", "phone", "title", "notes"]
                .iter()
                .find(|f| errors.has(f))
                .map(|first| errors.get(first).to_string());
            (line, input, refused)
        })
        .collect();
    // Which emails already belong to a contact: one statement for the whole file.
    let emails = checked.iter().filter_map(|(_, input, _)| input.email.clone()).collect();
    let existing = models::ids_by_email(conn, org, emails)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut rows = Vec::with_capacity(checked.len());
    for (line, input, refused) in checked {
        let outcome = if let Some(reason) = refused {
            RowOutcome::Refused(reason)
        } else if let Some(email) = &input.email {
            if !seen.insert(email.clone()) {
                RowOutcome::Refused(format!("{email} appears twice in the file."))
            } else if existing.contains_key(&email.trim().to_lowercase()) {
                RowOutcome::Update
            } else {
                RowOutcome::Create
            }
        } else {
            RowOutcome::Create
        };
        rows.push(PreviewRow { line, input, outcome });
    }
    Ok(Ok(Preview { rows }))
}

/// A data row: its line and its (column, value) pairs.
type Row = (usize, Vec<(String, String)>);

/// The data rows with known columns only.
fn parse(text: &str) -> Result<Vec<Row>, String> {
    if text.len() > MAX_BYTES {
        return Err(format!("The file is larger than {} KB. Split it and import the parts.", MAX_BYTES / 1024));
    }
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err("The file is not readable CSV.".into()),
    };
    if !header.iter().any(|c| c == "name") {
        return Err(format!(
            "The first line must name the columns, one of them \"name\" (known: {}).",
            COLUMNS.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|_| format!("Line {line} is not readable CSV (check its quotes)."))?;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(format!("The file has more than {MAX_ROWS} contacts. Split it and import the parts."));
        }
        let fields = header
            .iter()
            .zip(record.iter())
            .filter(|(column, _)| COLUMNS.contains(&column.as_str()))
            .map(|(column, value)| (column.clone(), value.to_string()))
            .collect();
        rows.push((line, fields));
    }
    if rows.is_empty() {
        return Err("The file has no contacts under its header line.".into());
    }
    Ok(rows)
}

/// Writes the accepted rows of a preview: (created, updated).
pub fn apply(
    conn: &mut DbConnection,
    org: &OrgId,
    preview: &Preview,
    now: NaiveDateTime,
) -> diesel::QueryResult<(usize, usize)> {
    let (mut created, mut updated) = (0, 0);
    let updating = preview.rows.iter().filter(|r| r.outcome == RowOutcome::Update);
    let existing = models::ids_by_email(conn, org, updating.filter_map(|r| r.input.email.clone()).collect())?;
    for row in &preview.rows {
        match row.outcome {
            RowOutcome::Create => {
                models::insert(conn, org, &row.input, now)?;
                created += 1;
            }
            RowOutcome::Update => {
                let email = row.input.email.as_deref().unwrap_or_default().trim().to_lowercase();
                if let Some(id) = existing.get(&email) {
                    models::update(conn, org, id, &row.input, now)?;
                    updated += 1;
                }
            }
            RowOutcome::Refused(_) => {}
        }
    }
    Ok((created, updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_need_a_header_with_a_name_column() {
        assert!(parse("email\na@b.test\n").unwrap_err().contains("\"name\""));
        assert!(parse("name,email\n").unwrap_err().contains("no contacts"));
        let rows = parse("\u{feff}Name,Email,Unknown\n\"Lee, Ann\",ann@x.test,zzz\n\n").unwrap();
        assert_eq!(rows, vec![(2, vec![("name".into(), "Lee, Ann".into()), ("email".into(), "ann@x.test".into())])]);
    }
}
