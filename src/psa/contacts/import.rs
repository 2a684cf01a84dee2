//! Importing contacts from CSV: every row is checked first and shown as a preview (to create, to update by
//! email, or refused with the reason); applying writes the accepted rows in one transaction.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::forms::validate_fields;
use super::models::{self, ContactInput};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId};
use crate::web::csv_import::{self, PreviewRow, RowOutcome, Spec, first_error, flag, get};
use crate::web::forms::FieldErrors;
use crate::web::import_pages::Importer;

/// What a contacts file may have.
pub const SPEC: Spec = Spec {
    columns: &["name", "email", "phone", "title", "primary", "billing", "technical", "notes"],
    required: "name",
    noun: "contacts",
    max_rows: 2000,
    max_bytes: 200 * 1024,
};

pub type Preview = csv_import::Preview<ContactInput>;

/// The contacts import, for the import pages (`web::import_pages`).
pub struct ContactsImport;

#[derive(askama::Template)]
#[template(path = "psa/contact_import.html")]
pub struct ImportPage {
    page: crate::web::PageContext,
    csv: String,
    error: String,
    preview: Option<Preview>,
}

impl crate::web::import_pages::Import for ContactsImport {
    type Row = ContactInput;
    type Page = ImportPage;
    const SPEC: Spec = SPEC;
    const LIST: &'static str = "/contacts";
    const LOGGED: (crate::audit::Action, &'static str) = (crate::audit::Action::ContactsImported, "contact");
    const TITLE: &'static str = "Contacts";

    fn preview(
        conn: &mut DbConnection,
        who: &Importer,
        text: &str,
    ) -> crate::error::AppResult<Result<Preview, String>> {
        Ok(preview(conn, &who.org, text)?)
    }
    fn apply(
        conn: &mut DbConnection,
        who: &Importer,
        p: &Preview,
        now: NaiveDateTime,
    ) -> crate::error::AppResult<(usize, usize)> {
        Ok(apply(conn, &who.org, p, now)?)
    }
    fn page(page: crate::web::PageContext, csv: String, error: String, preview: Option<Preview>) -> ImportPage {
        ImportPage { page, csv, error, preview }
    }
}

/// Reads the file: the problem with the file as a whole (no header, no name column, too many rows), or its rows
/// checked against each other and the organization's contacts.
pub fn preview(conn: &mut DbConnection, org: &OrgId, text: &str) -> diesel::QueryResult<Result<Preview, String>> {
    let parsed = match csv_import::parse(text, &SPEC) {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let checked: Vec<(usize, ContactInput, Option<String>)> = parsed
        .into_iter()
        .map(|(line, fields)| {
            let mut errors = FieldErrors::default();
            let input = validate_fields(
                &mut errors,
                get(&fields, "name"),
                get(&fields, "email"),
                get(&fields, "phone"),
                get(&fields, "title"),
                get(&fields, "notes"),
                [flag(&fields, "primary"), flag(&fields, "billing"), flag(&fields, "technical")],
            );
            let refused = first_error(&errors, &["name", "email", "phone", "title", "notes"]);
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

/// Writes the accepted rows of a preview: (created, updated).
pub fn apply(
    conn: &mut DbConnection,
    org: &OrgId,
    preview: &Preview,
    now: NaiveDateTime,
) -> diesel::QueryResult<(usize, usize)> {
    let (mut creating, mut updated) = (Vec::new(), 0);
    let updating = preview.rows.iter().filter(|r| r.outcome == RowOutcome::Update);
    let existing = models::ids_by_email(conn, org, updating.filter_map(|r| r.input.email.clone()).collect())?;
    for row in &preview.rows {
        match row.outcome {
            RowOutcome::Create => creating.push((ContactId::new(), &row.input)),
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
    let created = models::insert_many(conn, org, &creating, now)?;
    Ok((created, updated))
}
