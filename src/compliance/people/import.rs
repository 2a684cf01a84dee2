//! Importing people from CSV (name, email, department, manager, start date): every row is checked first and
//! shown as a preview (to create, to update by email, or refused with the reason: a malformed row, or an email
//! that appears twice in the file); applying writes the accepted rows in one transaction.

use std::collections::HashSet;

use askama::Template;
use chrono::NaiveDateTime;

use super::forms::{FIELDS, PersonForm, validate_fields};
use super::models::{self, PersonInput};
use crate::audit::Action;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PersonId};
use crate::web::PageContext;
use crate::web::csv_import::{self, PreviewRow, RowOutcome, Spec, first_error, get};
use crate::web::forms::FieldErrors;
use crate::web::import_pages::Import;
use crate::web::import_pages::Importer;

/// What a people file may have.
pub const SPEC: Spec = Spec {
    columns: &["name", "email", "department", "manager", "start_date"],
    required: "email",
    noun: "people",
    max_rows: 5000,
    max_bytes: 1024 * 1024,
};

pub type Preview = csv_import::Preview<PersonInput>;

/// The people import, for the import pages (`web::import_pages`).
pub struct PeopleImport;

#[derive(Template)]
#[template(path = "compliance/people/import.html")]
pub struct ImportPage {
    page: PageContext,
    csv: String,
    error: String,
    preview: Option<Preview>,
}

impl Import for PeopleImport {
    type Row = PersonInput;
    type Page = ImportPage;
    const SPEC: Spec = SPEC;
    const LIST: &'static str = "/compliance/people";
    const LOGGED: (Action, &'static str) = (Action::PeopleImported, "person");
    const TITLE: &'static str = "People";

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
    fn page(page: PageContext, csv: String, error: String, preview: Option<Preview>) -> ImportPage {
        ImportPage { page, csv, error, preview }
    }
}

/// Reads the file: the problem with the file as a whole, or its rows checked against each other and the
/// organization's people (one statement for the whole file).
pub fn preview(conn: &mut DbConnection, org: &OrgId, text: &str) -> diesel::QueryResult<Result<Preview, String>> {
    let parsed = match csv_import::parse(text, &SPEC) {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let checked: Vec<(usize, PersonInput, Option<String>)> = parsed
        .into_iter()
        .map(|(line, fields)| {
            let mut errors = FieldErrors::default();
            let form = PersonForm {
                name: get(&fields, "name").to_string(),
                email: get(&fields, "email").to_string(),
                department: get(&fields, "department").to_string(),
                manager: get(&fields, "manager").to_string(),
                start_on: get(&fields, "start_date").to_string(),
            };
            let input = validate_fields(&mut errors, &form);
            (line, input, first_error(&errors, &FIELDS))
        })
        .collect();
    let emails = checked.iter().filter(|(_, _, refused)| refused.is_none()).map(|(_, i, _)| i.email.clone()).collect();
    let existing = models::ids_by_email(conn, org, emails)?;
    let mut seen: HashSet<String> = HashSet::new();
    let rows = checked
        .into_iter()
        .map(|(line, input, refused)| {
            let outcome = match refused {
                Some(reason) => RowOutcome::Refused(reason),
                None if !seen.insert(input.email.clone()) => {
                    RowOutcome::Refused(format!("{} appears more than once in the file.", input.email))
                }
                None if existing.contains_key(&input.email) => RowOutcome::Update,
                None => RowOutcome::Create,
            };
            PreviewRow { line, input, outcome }
        })
        .collect();
    Ok(Ok(Preview { rows }))
}

/// Writes the accepted rows of a preview, linking members by email: (created, updated).
pub fn apply(
    conn: &mut DbConnection,
    org: &OrgId,
    preview: &Preview,
    now: NaiveDateTime,
) -> diesel::QueryResult<(usize, usize)> {
    let accepted: Vec<String> =
        preview.rows.iter().filter(|r| !r.outcome.is_refused()).map(|r| r.input.email.clone()).collect();
    let existing = models::ids_by_email(conn, org, accepted.clone())?;
    let members = models::members_by_email(conn, org, accepted)?;
    let (mut creating, mut updated) = (Vec::new(), 0);
    for row in &preview.rows {
        let user = members.get(&row.input.email);
        match (&row.outcome, existing.get(&row.input.email)) {
            (RowOutcome::Create, None) => creating.push((PersonId::new(), &row.input, user)),
            (RowOutcome::Update, Some(id)) | (RowOutcome::Create, Some(id)) => {
                models::update(conn, org, id, &row.input, user, now)?;
                updated += 1;
            }
            _ => {}
        }
    }
    let created = models::insert_many(conn, org, &creating, now)?;
    Ok((created, updated))
}
