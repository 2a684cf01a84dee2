//! Risks in and out as CSV. Importing checks every row first and shows a preview (to add, to update the risk
//! with the row's id, or refused with the reason); applying writes the accepted rows in one transaction. The
//! export writes the same columns (with each risk's id), so an exported file imports back as updates.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::choices::Choices;
use super::forms::{FIELD_ORDER, RiskFields, validate_fields};
use super::models::{self, RiskInput, RiskStatus};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, RiskId};
use crate::schema::{risk_controls, risks};
use crate::web::csv_import::{self, PreviewRow, RowOutcome, Spec, first_error, get};
use crate::web::forms::FieldErrors;
use crate::web::import_pages::Importer;

/// The risk register's import (`web::import_pages`): rows are checked against the organization's team, controls
/// and risks; the importer becomes the author of the risks it adds.
pub struct RisksImport;

#[derive(askama::Template)]
#[template(path = "compliance/risks/import.html")]
pub struct ImportPage {
    page: crate::web::PageContext,
    csv: String,
    error: String,
    preview: Option<Preview>,
}

impl crate::web::import_pages::Import for RisksImport {
    type Row = ImportRow;
    type Page = ImportPage;
    const SPEC: Spec = SPEC;
    const LIST: &'static str = "/compliance/risks";
    const LOGGED: (crate::audit::Action, &'static str) = (crate::audit::Action::RisksImported, "risk");
    const TITLE: &'static str = "Risks";

    fn preview(
        conn: &mut DbConnection,
        who: &Importer,
        text: &str,
    ) -> crate::error::AppResult<Result<Preview, String>> {
        let choices = Choices::load(conn, &who.org, who.managed_by.as_ref())?;
        Ok(preview(conn, &who.org, &choices, text)?)
    }
    fn apply(
        conn: &mut DbConnection,
        who: &Importer,
        p: &Preview,
        now: NaiveDateTime,
    ) -> crate::error::AppResult<(usize, usize)> {
        Ok(apply(conn, &who.org, p, &who.user, now)?)
    }
    fn page(page: crate::web::PageContext, csv: String, error: String, preview: Option<Preview>) -> ImportPage {
        ImportPage { page, csv, error, preview }
    }
}

const COLUMNS: &[&str] = &[
    "id",
    "title",
    "category",
    "description",
    "affected_processes",
    "owner_email",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "treatment_plan",
    "treatment_due_on",
    "status",
    "next_review_on",
    "sle_low",
    "sle_high",
    "aro",
    "controls",
];

pub const SPEC: Spec =
    Spec { columns: COLUMNS, required: "title", noun: "risks", max_rows: 2000, max_bytes: 1024 * 1024 };

/// Rows an export writes at most.
pub const EXPORT_LIMIT: i64 = 50_000;

/// A checked row: the risk, its controls, and the id of the risk it updates (None: a new one).
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub input: RiskInput,
    pub controls: Vec<String>,
    pub updates: Option<RiskId>,
    pub owner_email: String,
}

pub type Preview = csv_import::Preview<ImportRow>;

/// The ids and statuses of the organization's risks among `ids` (one statement).
fn existing(
    conn: &mut DbConnection,
    org: &OrgId,
    ids: Vec<String>,
) -> QueryResult<HashMap<String, (RiskId, RiskStatus)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(RiskId, RiskStatus)> = risks::table
        .filter(risks::org_id.eq(org))
        .filter(risks::id.eq_any(ids))
        .select((risks::id, risks::status))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, status)| (id.to_string(), (id, status))).collect())
}

/// Reads the file: the problem with the file as a whole, or its rows checked against each other and the
/// organization (its risks by id, its compliance team by email, its controls). Five statements.
pub fn preview(
    conn: &mut DbConnection,
    org: &OrgId,
    choices: &Choices,
    text: &str,
) -> QueryResult<Result<Preview, String>> {
    let parsed = match csv_import::parse(text, &SPEC) {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let ids: Vec<String> =
        parsed.iter().map(|(_, f)| get(f, "id").trim().to_string()).filter(|id| !id.is_empty()).collect();
    let known = existing(conn, org, ids)?;
    let mut seen: HashSet<String> = HashSet::new();
    let rows = parsed
        .into_iter()
        .map(|(line, fields)| {
            let (row, outcome) = check_row(&fields, choices, &known, &mut seen);
            PreviewRow { line, input: row, outcome }
        })
        .collect();
    Ok(Ok(Preview { rows }))
}

fn check_row(
    fields: &[(String, String)],
    choices: &Choices,
    known: &HashMap<String, (RiskId, RiskStatus)>,
    seen: &mut HashSet<String>,
) -> (ImportRow, RowOutcome) {
    let get = |column: &str| get(fields, column);
    let id = get("id").trim().to_string();
    let current = known.get(&id);
    let mut errors = FieldErrors::default();
    let mut input = validate_fields(
        &mut errors,
        RiskFields {
            title: get("title"),
            description: get("description"),
            category: get("category"),
            affected_processes: get("affected_processes"),
            inherent_likelihood: get("inherent_likelihood"),
            inherent_impact: get("inherent_impact"),
            residual_likelihood: get("residual_likelihood"),
            residual_impact: get("residual_impact"),
            treatment: get("treatment"),
            treatment_plan: get("treatment_plan"),
            treatment_due_on: get("treatment_due_on"),
            status: get("status"),
            next_review_on: get("next_review_on"),
            sle_low: get("sle_low"),
            sle_high: get("sle_high"),
            aro: get("aro"),
        },
        current.map(|(_, status)| *status),
    );
    let owner_email = get("owner_email").trim().to_lowercase();
    let controls: Vec<String> =
        get("controls").split([';', ' ', ',']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
    let row = |input: RiskInput, updates: Option<RiskId>| ImportRow {
        input,
        controls: controls.clone(),
        updates,
        owner_email: owner_email.clone(),
    };
    if let Some(reason) = first_error(&errors, &FIELD_ORDER) {
        return (row(input, None), RowOutcome::Refused(reason));
    }
    if !owner_email.is_empty() {
        match choices.owner_by_email(&owner_email) {
            Some(owner) => input.owner_user_id = Some(owner),
            None => {
                let why = format!("{owner_email} is not on this organization's compliance team.");
                return (row(input, None), RowOutcome::Refused(why));
            }
        }
    }
    if let Some(unknown) = controls.iter().find(|c| !choices.controls.iter().any(|k| &k.id == *c)) {
        let why = format!("{unknown} is not one of this organization's controls.");
        return (row(input, None), RowOutcome::Refused(why));
    }
    if id.is_empty() {
        return (row(input, None), RowOutcome::Create);
    }
    if !seen.insert(id.clone()) {
        return (row(input, None), RowOutcome::Refused(format!("The id {id} appears twice in the file.")));
    }
    match current {
        Some((_, RiskStatus::Closed)) => {
            (row(input, None), RowOutcome::Refused("This risk is closed: reopen it to change it.".into()))
        }
        Some((risk_id, _)) => (row(input, Some(risk_id.clone())), RowOutcome::Update),
        None => (row(input, None), RowOutcome::Refused(format!("No risk of this organization has the id {id}."))),
    }
}

/// Writes the accepted rows of a preview: (added, updated). New risks and their control links go in batches.
pub fn apply(
    conn: &mut DbConnection,
    org: &OrgId,
    preview: &Preview,
    author: &crate::db::ids::UserId,
    now: NaiveDateTime,
) -> QueryResult<(usize, usize)> {
    let creating: Vec<&ImportRow> =
        preview.rows.iter().filter(|r| r.outcome == RowOutcome::Create).map(|r| &r.input).collect();
    let inputs: Vec<RiskInput> = creating.iter().map(|r| r.input.clone()).collect();
    let ids = models::insert_many(conn, org, &inputs, Some(author), now)?;
    let links: Vec<_> = ids
        .iter()
        .zip(&creating)
        .flat_map(|(id, row)| {
            row.controls.iter().map(move |c| {
                (
                    risk_controls::org_id.eq(org.clone()),
                    risk_controls::risk_id.eq(id.clone()),
                    risk_controls::control_id.eq(c.clone()),
                )
            })
        })
        .collect();
    for part in links.chunks(500) {
        crate::batch_insert!(conn, risk_controls::table, part)?;
    }
    let updates: Vec<(&RiskId, &ImportRow)> = preview
        .rows
        .iter()
        .filter(|r| r.outcome == RowOutcome::Update)
        .filter_map(|r| Some((r.input.updates.as_ref()?, &r.input)))
        .collect();
    let edits: Vec<(&RiskId, &RiskInput)> = updates.iter().map(|(id, row)| (*id, &row.input)).collect();
    let updated = models::update_many(conn, org, &edits, now)?;
    for (id, row) in &updates {
        models::set_controls(conn, org, id, &row.controls)?;
    }
    Ok((ids.len(), updated))
}

/// Every control link of the organization's risks, by risk (the export: one statement).
pub fn all_controls(conn: &mut DbConnection, org: &OrgId) -> QueryResult<HashMap<RiskId, Vec<String>>> {
    let rows: Vec<(RiskId, String)> = risk_controls::table
        .filter(risk_controls::org_id.eq(org))
        .order((risk_controls::risk_id, risk_controls::control_id))
        .select((risk_controls::risk_id, risk_controls::control_id))
        .load(conn)?;
    let mut out: HashMap<RiskId, Vec<String>> = HashMap::new();
    for (risk, control) in rows {
        out.entry(risk).or_default().push(control);
    }
    Ok(out)
}

/// The risks as a CSV file with the import's columns (the owner by email, the controls by id).
pub fn export(
    rows: &[models::Risk],
    emails: &HashMap<String, String>,
    controls: &HashMap<RiskId, Vec<String>>,
) -> String {
    let mut out = String::new();
    crate::web::csv::push_row(&mut out, COLUMNS);
    let money = |cents: i64| if cents == 0 { String::new() } else { crate::billing::money::format_cents(cents) };
    for r in rows {
        let owner = r.owner_user_id.as_ref().and_then(|u| emails.get(u.as_str())).cloned().unwrap_or_default();
        let linked = controls.get(&r.id).map(|c| c.join(" ")).unwrap_or_default();
        crate::web::csv::push_row(
            &mut out,
            &[
                r.id.to_string(),
                r.title.clone(),
                r.category.label().to_string(),
                r.description.clone(),
                r.affected_processes.clone(),
                owner,
                r.inherent_likelihood.to_string(),
                r.inherent_impact.to_string(),
                r.residual_likelihood.to_string(),
                r.residual_impact.to_string(),
                r.treatment.id().to_string(),
                r.treatment_plan.clone(),
                models::Risk::day_text(&r.treatment_due_on),
                r.status.label().to_string(),
                models::Risk::day_text(&r.next_review_on),
                money(r.sle_low_cents),
                money(r.sle_high_cents),
                if r.aro_hundredths == 0 { String::new() } else { super::scale::rate(r.aro_hundredths) },
                linked,
            ],
        );
    }
    out
}
