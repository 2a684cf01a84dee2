//! HIPAA business associate agreements: who handles ePHI for the organization, for which services, when the
//! agreement was signed and is due for renewal, its status and the signed document (an evidence item).
//! Renewals due within 60 days show on the compliance dashboard.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{EvidenceChoice, evidence_choices};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Permission, Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::ids::{BaaId, EvidenceId, OrgId, UserId};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::schema::{baa_agreements, evidence};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::{PageContext, PageInput, redirect, render_status};

crate::text_enum! {
    pub enum BaaStatus {
        Draft = "draft",
        Active = "active",
        Expired = "expired",
        Terminated = "terminated",
    }
}

impl BaaStatus {
    pub fn label(self) -> &'static str {
        match self {
            BaaStatus::Draft => "Draft",
            BaaStatus::Active => "Active",
            BaaStatus::Expired => "Expired",
            BaaStatus::Terminated => "Terminated",
        }
    }
    pub fn tone(self) -> &'static str {
        match self {
            BaaStatus::Active => "ok",
            BaaStatus::Draft => "info",
            BaaStatus::Expired => "bad",
            BaaStatus::Terminated => "muted",
        }
    }
}

/// Renewals this close show on the dashboard.
pub const RENEWAL_WINDOW_DAYS: i64 = 60;

#[derive(Clone, Debug, Queryable)]
pub struct Baa {
    pub id: BaaId,
    pub associate: String,
    pub services: String,
    pub status: BaaStatus,
    pub signed_on: Option<Day>,
    pub renewal_on: Option<Day>,
    pub evidence_id: Option<EvidenceId>,
    pub evidence_title: Option<String>,
    pub notes: String,
}

impl Baa {
    /// Active, with its renewal within the window (or past).
    pub fn renewal_due(&self, today: Day) -> bool {
        self.status == BaaStatus::Active && self.renewal_on.is_some_and(|d| d < today.plus_days(RENEWAL_WINDOW_DAYS))
    }
}

/// The organization's agreements with their document's title (a query expression: each use adds its filters).
macro_rules! listed {
    ($org_id:expr) => {
        baa_agreements::table
            .left_join(evidence::table.on(evidence::id.nullable().eq(baa_agreements::evidence_id)))
            .filter(baa_agreements::org_id.eq($org_id))
            .select((
                baa_agreements::id,
                baa_agreements::associate,
                baa_agreements::services,
                baa_agreements::status,
                baa_agreements::signed_on,
                baa_agreements::renewal_on,
                baa_agreements::evidence_id,
                evidence::title.nullable(),
                baa_agreements::notes,
            ))
    };
}

/// Every agreement of the organization, by associate.
pub fn all(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<Baa>> {
    listed!(org_id).order((baa_agreements::associate, baa_agreements::id)).load(conn)
}

pub fn find(conn: &mut DbConnection, org_id: &OrgId, id: &str) -> QueryResult<Option<Baa>> {
    listed!(org_id).filter(baa_agreements::id.eq(id)).first(conn).optional()
}

/// Active agreements whose renewal falls within the window (or has passed), soonest first.
pub fn renewals_due(conn: &mut DbConnection, org_id: &OrgId, today: Day) -> QueryResult<Vec<Baa>> {
    listed!(org_id)
        .filter(baa_agreements::status.eq(BaaStatus::Active))
        .filter(baa_agreements::renewal_on.lt(today.plus_days(RENEWAL_WINDOW_DAYS)))
        .order(baa_agreements::renewal_on)
        .limit(10)
        .load(conn)
}

/// The register form, as shown.
#[derive(Clone, Debug, Default)]
pub struct BaaForm {
    pub associate: String,
    pub services: String,
    pub status: String,
    pub signed_on: String,
    pub renewal_on: String,
    pub evidence_id: String,
    pub notes: String,
}

impl BaaForm {
    fn from_pairs(pairs: &[(String, String)]) -> BaaForm {
        let get = |name: &str| forms::value(pairs, name).to_string();
        BaaForm {
            associate: get("associate"),
            services: get("services"),
            status: get("status"),
            signed_on: get("signed_on"),
            renewal_on: get("renewal_on"),
            evidence_id: get("evidence_id"),
            notes: get("notes"),
        }
    }

    fn of(b: &Baa) -> BaaForm {
        BaaForm {
            associate: b.associate.clone(),
            services: b.services.clone(),
            status: b.status.id().into(),
            signed_on: b.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            renewal_on: b.renewal_on.map(|d| d.to_string()).unwrap_or_default(),
            evidence_id: b.evidence_id.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            notes: b.notes.clone(),
        }
    }
}

struct Valid {
    associate: String,
    services: String,
    status: BaaStatus,
    signed_on: Option<Day>,
    renewal_on: Option<Day>,
    evidence_id: Option<EvidenceId>,
    notes: String,
}

fn validate(form: &BaaForm, choices: &[EvidenceChoice]) -> Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::default();
    let associate = forms::required(&mut errors, "associate", &form.associate, "The business associate", 200);
    let services = forms::optional(&mut errors, "services", &form.services, "The services", 2000);
    let status = BaaStatus::parse(&form.status);
    if status.is_none() {
        errors.add("status", "Choose a status.");
    }
    let signed_on = forms::optional_day(&mut errors, "signed_on", &form.signed_on);
    let renewal_on = forms::optional_day(&mut errors, "renewal_on", &form.renewal_on);
    if status == Some(BaaStatus::Active) && signed_on.is_none() && !errors.has("signed_on") {
        errors.add("signed_on", "An active agreement has the day it was signed.");
    }
    if let (Some(signed), Some(renewal)) = (signed_on, renewal_on)
        && renewal < signed
    {
        errors.add("renewal_on", "The renewal comes after the signature.");
    }
    let evidence_id = match form.evidence_id.trim() {
        "" => None,
        id => {
            let found = choices.iter().find(|c| c.id.as_str() == id).map(|c| c.id.clone());
            if found.is_none() {
                errors.add("evidence_id", "Choose the signed document from the evidence list.");
            }
            found
        }
    };
    let notes = forms::optional(&mut errors, "notes", &form.notes, "Notes", 5000);
    match status {
        Some(status) if errors.is_empty() => {
            Ok(Valid { associate, services, status, signed_on, renewal_on, evidence_id, notes })
        }
        _ => Err(errors),
    }
}

fn save(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: Option<&BaaId>,
    v: &Valid,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<BaaId> {
    let values = (
        baa_agreements::associate.eq(&v.associate),
        baa_agreements::services.eq(&v.services),
        baa_agreements::status.eq(v.status),
        baa_agreements::signed_on.eq(v.signed_on),
        baa_agreements::renewal_on.eq(v.renewal_on),
        baa_agreements::evidence_id.eq(&v.evidence_id),
        baa_agreements::notes.eq(&v.notes),
        baa_agreements::updated_at.eq(now),
    );
    match id {
        Some(id) => {
            diesel::update(baa_agreements::table)
                .filter(baa_agreements::org_id.eq(org_id))
                .filter(baa_agreements::id.eq(id))
                .set(values)
                .execute(conn)?;
            Ok(id.clone())
        }
        None => {
            let id = BaaId::new();
            diesel::insert_into(baa_agreements::table)
                .values((
                    baa_agreements::id.eq(&id),
                    baa_agreements::org_id.eq(org_id),
                    baa_agreements::created_by_user_id.eq(by),
                    baa_agreements::created_at.eq(now),
                    values,
                ))
                .execute(conn)?;
            Ok(id)
        }
    }
}

#[derive(Template)]
#[template(path = "compliance/registers/baa.html")]
pub struct BaaPage {
    page: PageContext,
    agreements: Vec<Baa>,
    /// The agreement edited (None: the add form).
    editing: Option<Baa>,
    form: BaaForm,
    errors: FieldErrors,
    choices: Vec<EvidenceChoice>,
    can_edit: bool,
    today: Day,
}

impl BaaPage {
    fn statuses(&self) -> [BaaStatus; 4] {
        BaaStatus::ALL
    }
    fn due(&self, b: &Baa) -> bool {
        b.renewal_due(self.today)
    }
}

/// The register (with the add form), or one agreement's edit form; refused forms come back with 422.
async fn register_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    editing: Option<String>,
    submitted: Option<(BaaForm, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let (org_id, today) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope).today);
    let (page, agreements, editing, choices) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let editing = match editing {
                Some(id) => Some(find(conn, &org_id, &id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
            Ok((page, all(conn, &org_id)?, editing, evidence_choices(conn, &org_id)?))
        })
        .await?;
    let (form, errors) = submitted.unwrap_or_else(|| {
        let form =
            editing.as_ref().map(BaaForm::of).unwrap_or(BaaForm { status: "active".into(), ..BaaForm::default() });
        (form, FieldErrors::default())
    });
    let status = crate::web::form_status(&errors);
    let can_edit = scope.can(Permission::EditControls);
    render_status(status, BaaPage { page, agreements, editing, form, errors, choices, can_edit, today })
}

pub async fn list(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    register_page(&state, &scope, input, None, None).await
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    register_page(&state, &scope, input, Some(path.into_inner()), None).await
}

pub async fn create(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    upsert(c, None, BaaForm::from_pairs(&form)).await
}

pub async fn update(
    c: Change,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    upsert(c, Some(path.into_inner()), BaaForm::from_pairs(&form)).await
}

async fn upsert(c: Change, id: Option<String>, form: BaaForm) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (org_id, now, user, sent, editing) =
        (scope.org_id().clone(), state.clock.now(), scope.user.id.clone(), form.clone(), id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let existing = match &editing {
                Some(id) => Some(find(conn, &org_id, id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
            let valid = match validate(&sent, &evidence_choices(conn, &org_id)?) {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            let id = save(conn, &org_id, existing.as_ref().map(|b| &b.id), &valid, &user, now)?;
            let (action, details) = match &existing {
                Some(b) if b.status != valid.status => {
                    (Action::BaaUpdated, format!("status: {} -> {}", b.status.label(), valid.status.label()))
                }
                Some(_) => (Action::BaaUpdated, "details: edited".to_string()),
                None => (Action::BaaAdded, String::new()),
            };
            audit::record(
                conn,
                &actor,
                Some(&org_id),
                action,
                Target::new("baa", &id, &valid.associate).details(details),
            )?;
            Ok(Ok(valid.associate))
        })
        .await?;
    match outcome {
        Ok(associate) => {
            session::flash_ok(&session, format!("The agreement with {associate} is saved."));
            Ok(redirect("/compliance/baa"))
        }
        Err(errors) => register_page(&state, &scope, input, id, Some((form, errors))).await,
    }
}
