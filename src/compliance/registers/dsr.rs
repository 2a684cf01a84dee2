//! GDPR data-subject requests: access, rectification, erasure, restriction, portability and objection requests
//! as received, with identity verification, the due date (one month after receipt, extendable once by two further
//! months with a reason, Article 12(3)), status and the response's evidence. Overdue requests and those due this
//! week show on the compliance dashboard.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::{EvidenceChoice, evidence_choices};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Permission, Scope, session};
use crate::compliance::program::OrgTime;
use crate::db::ids::{DsrId, EvidenceId, OrgId};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::schema::{dsr_requests, evidence};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::{PageContext, PageInput, redirect, render_status};

crate::text_enum! {
    pub enum DsrKind {
        Access = "access",
        Rectification = "rectification",
        Erasure = "erasure",
        Restriction = "restriction",
        Portability = "portability",
        Objection = "objection",
    }
}

impl DsrKind {
    pub fn label(self) -> &'static str {
        match self {
            DsrKind::Access => "Access (Art. 15)",
            DsrKind::Rectification => "Rectification (Art. 16)",
            DsrKind::Erasure => "Erasure (Art. 17)",
            DsrKind::Restriction => "Restriction (Art. 18)",
            DsrKind::Portability => "Portability (Art. 20)",
            DsrKind::Objection => "Objection (Art. 21)",
        }
    }
}

crate::text_enum! {
    pub enum DsrStatus {
        Open = "open",
        InProgress = "in_progress",
        Completed = "completed",
        Refused = "refused",
    }
}

impl DsrStatus {
    pub fn label(self) -> &'static str {
        match self {
            DsrStatus::Open => "Open",
            DsrStatus::InProgress => "In progress",
            DsrStatus::Completed => "Completed",
            DsrStatus::Refused => "Refused (with reasons given)",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, DsrStatus::Open | DsrStatus::InProgress)
    }
}

/// Months to answer, and the extension Article 12(3) allows.
pub const ANSWER_MONTHS: u32 = 1;
pub const EXTENSION_MONTHS: u32 = 2;

#[derive(Clone, Debug, Queryable)]
pub struct Dsr {
    pub id: DsrId,
    pub requester: String,
    pub kind: DsrKind,
    pub received_on: Day,
    pub identity_verified: bool,
    pub due_on: Day,
    pub extension_reason: String,
    pub status: DsrStatus,
    pub closed_on: Option<Day>,
    pub response_evidence_id: Option<EvidenceId>,
    pub response_title: Option<String>,
    pub notes: String,
}

impl Dsr {
    pub fn overdue(&self, today: Day) -> bool {
        self.status.is_open() && self.due_on < today
    }
    pub fn due_this_week(&self, today: Day) -> bool {
        self.status.is_open() && self.due_on >= today && self.due_on < today.plus_days(7)
    }
    pub fn extended(&self) -> bool {
        !self.extension_reason.is_empty()
    }
}

/// The organization's requests with their response's title (a query expression: each use adds its filters).
macro_rules! listed {
    ($org_id:expr) => {
        dsr_requests::table
            .left_join(evidence::table.on(evidence::id.nullable().eq(dsr_requests::response_evidence_id)))
            .filter(dsr_requests::org_id.eq($org_id))
            .select((
                dsr_requests::id,
                dsr_requests::requester,
                dsr_requests::kind,
                dsr_requests::received_on,
                dsr_requests::identity_verified,
                dsr_requests::due_on,
                dsr_requests::extension_reason,
                dsr_requests::status,
                dsr_requests::closed_on,
                dsr_requests::response_evidence_id,
                evidence::title.nullable(),
                dsr_requests::notes,
            ))
    };
}

const OPEN: [DsrStatus; 2] = [DsrStatus::Open, DsrStatus::InProgress];

/// Open requests due before `until`, soonest first (the dashboard's overdue and this-week lists).
pub fn open_due_before(conn: &mut DbConnection, org_id: &OrgId, until: Day) -> QueryResult<Vec<Dsr>> {
    listed!(org_id)
        .filter(dsr_requests::status.eq_any(OPEN))
        .filter(dsr_requests::due_on.lt(until))
        .order(dsr_requests::due_on)
        .limit(20)
        .load(conn)
}

pub fn find(conn: &mut DbConnection, org_id: &OrgId, id: &str) -> QueryResult<Option<Dsr>> {
    listed!(org_id).filter(dsr_requests::id.eq(id)).first(conn).optional()
}

/// Which requests the register lists.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: Option<String>,
}

/// The register form, as shown.
#[derive(Clone, Debug, Default)]
pub struct DsrForm {
    pub requester: String,
    pub kind: String,
    pub received_on: String,
    pub identity_verified: bool,
    pub status: String,
    pub closed_on: String,
    pub response_evidence_id: String,
    pub notes: String,
    pub extension_reason: String,
}

impl DsrForm {
    fn from_pairs(pairs: &[(String, String)]) -> DsrForm {
        let get = |name: &str| forms::value(pairs, name).to_string();
        DsrForm {
            requester: get("requester"),
            kind: get("kind"),
            received_on: get("received_on"),
            identity_verified: get("identity_verified") == "1",
            status: get("status"),
            closed_on: get("closed_on"),
            response_evidence_id: get("response_evidence_id"),
            notes: get("notes"),
            extension_reason: get("extension_reason"),
        }
    }

    fn of(d: &Dsr) -> DsrForm {
        DsrForm {
            requester: d.requester.clone(),
            kind: d.kind.id().into(),
            received_on: d.received_on.to_string(),
            identity_verified: d.identity_verified,
            status: d.status.id().into(),
            closed_on: d.closed_on.map(|c| c.to_string()).unwrap_or_default(),
            response_evidence_id: d.response_evidence_id.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            notes: d.notes.clone(),
            extension_reason: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "compliance/registers/dsr.html")]
pub struct DsrPage {
    page: PageContext,
    requests: Vec<Dsr>,
    pager: crate::web::pagination::Pager,
    show: String,
    editing: Option<Dsr>,
    form: DsrForm,
    errors: FieldErrors,
    choices: Vec<EvidenceChoice>,
    can_edit: bool,
    today: Day,
}

impl DsrPage {
    fn kinds(&self) -> [DsrKind; 6] {
        DsrKind::ALL
    }
    fn statuses(&self) -> [DsrStatus; 4] {
        DsrStatus::ALL
    }
    fn overdue(&self, d: &Dsr) -> bool {
        d.overdue(self.today)
    }
    fn this_week(&self, d: &Dsr) -> bool {
        d.due_this_week(self.today)
    }
}

struct Shown {
    show: String,
    page: i64,
}

/// A refused submission shown again: the register form, or the extension form of the request edited.
enum Refused {
    Form(DsrForm, FieldErrors),
    Extension(String, FieldErrors),
}

async fn register_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    shown: Shown,
    editing: Option<String>,
    refused: Option<Refused>,
) -> AppResult<HttpResponse> {
    let (org_id, today) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope).today);
    let show = shown.show.clone();
    let (page, requests, pager, editing, choices) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let editing = match editing {
                Some(id) => Some(find(conn, &org_id, &id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
            macro_rules! shown {
                () => {{
                    let q = listed!(&org_id).into_boxed();
                    match show.as_str() {
                        "all" => q,
                        "overdue" => q.filter(dsr_requests::status.eq_any(OPEN)).filter(dsr_requests::due_on.lt(today)),
                        _ => q.filter(dsr_requests::status.eq_any(OPEN)),
                    }
                }};
            }
            let total: i64 = shown!().count().get_result(conn)?;
            let base = crate::web::pagination::query_string(&[("show", &show)]);
            let pager = crate::web::pagination::Pager::new(shown.page, total, base);
            let requests = shown!()
                .order((dsr_requests::due_on, dsr_requests::id))
                .limit(pager.per_page)
                .offset(pager.offset())
                .load(conn)?;
            Ok((page, requests, pager, editing, evidence_choices(conn, &org_id)?))
        })
        .await?;
    let stored = || {
        let blank = DsrForm { kind: "access".into(), received_on: today.to_string(), ..DsrForm::default() };
        editing.as_ref().map(DsrForm::of).unwrap_or(blank)
    };
    let (form, errors) = match refused {
        Some(Refused::Form(form, errors)) => (form, errors),
        Some(Refused::Extension(reason, errors)) => (DsrForm { extension_reason: reason, ..stored() }, errors),
        None => (stored(), FieldErrors::default()),
    };
    let status = crate::web::form_status(&errors);
    let can_edit = scope.can(Permission::EditControls);
    let show = shown.show;
    render_status(status, DsrPage { page, requests, pager, show, editing, form, errors, choices, can_edit, today })
}

fn shown(query: &ListQuery) -> Shown {
    let page = crate::web::pagination::ListQuery { page: query.page.clone(), q: None }.page();
    let show = if matches!(query.show.as_str(), "all" | "overdue") { query.show.clone() } else { String::new() };
    Shown { show, page }
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    register_page(&state, &scope, input, shown(&query), None, None).await
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let all = Shown { show: "all".into(), page: 1 };
    register_page(&state, &scope, input, all, Some(path.into_inner()), None).await
}

struct Valid {
    requester: String,
    kind: DsrKind,
    received_on: Day,
    identity_verified: bool,
    status: DsrStatus,
    closed_on: Option<Day>,
    response: Option<EvidenceId>,
    notes: String,
}

fn validate(form: &DsrForm, today: Day, choices: &[EvidenceChoice]) -> Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::default();
    let requester = forms::required(&mut errors, "requester", &form.requester, "Who made the request", 200);
    let kind = DsrKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choose the kind of request.");
    }
    let received_on = forms::day(&mut errors, "received_on", &form.received_on, "The day it was received");
    if received_on.is_some_and(|d| d > today) {
        errors.add("received_on", "The day it was received cannot be in the future.");
    }
    let status = if form.status.is_empty() { Some(DsrStatus::Open) } else { DsrStatus::parse(&form.status) };
    if status.is_none() {
        errors.add("status", "Choose a status.");
    }
    let closed = status.is_some_and(|s| !s.is_open());
    let closed_on = match forms::optional_day(&mut errors, "closed_on", &form.closed_on) {
        None if closed => Some(today),
        day if closed => day,
        _ => None,
    };
    let response = match form.response_evidence_id.trim() {
        "" => None,
        id => {
            let found = choices.iter().find(|c| c.id.as_str() == id).map(|c| c.id.clone());
            if found.is_none() {
                errors.add("response_evidence_id", "Choose the response from the evidence list.");
            }
            found
        }
    };
    let notes = forms::optional(&mut errors, "notes", &form.notes, "Notes", 5000);
    match (kind, received_on, status) {
        (Some(kind), Some(received_on), Some(status)) if errors.is_empty() => Ok(Valid {
            requester,
            kind,
            received_on,
            identity_verified: form.identity_verified,
            status,
            closed_on,
            response,
            notes,
        }),
        _ => Err(errors),
    }
}

pub async fn create(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    save(c, None, DsrForm::from_pairs(&form)).await
}

pub async fn update(
    c: Change,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    save(c, Some(path.into_inner()), DsrForm::from_pairs(&form)).await
}

async fn save(c: Change, id: Option<String>, form: DsrForm) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let time = OrgTime::of(state.clock.now(), &scope);
    let (org_id, user, sent, editing) = (scope.org_id().clone(), scope.user.id.clone(), form.clone(), id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let existing = match &editing {
                Some(id) => Some(find(conn, &org_id, id)?.ok_or(AppError::NotFound)?),
                None => None,
            };
            let v = match validate(&sent, time.today, &evidence_choices(conn, &org_id)?) {
                Ok(v) => v,
                Err(errors) => return Ok(Err(errors)),
            };
            // The due date follows the receipt: a month, or three once extended.
            let months = if existing.as_ref().is_some_and(Dsr::extended) {
                ANSWER_MONTHS + EXTENSION_MONTHS
            } else {
                ANSWER_MONTHS
            };
            let due_on = v.received_on.plus_months(months);
            let values = (
                dsr_requests::requester.eq(&v.requester),
                dsr_requests::kind.eq(v.kind),
                dsr_requests::received_on.eq(v.received_on),
                dsr_requests::identity_verified.eq(v.identity_verified),
                dsr_requests::due_on.eq(due_on),
                dsr_requests::status.eq(v.status),
                dsr_requests::closed_on.eq(v.closed_on),
                dsr_requests::response_evidence_id.eq(&v.response),
                dsr_requests::notes.eq(&v.notes),
                dsr_requests::updated_at.eq(time.now),
            );
            let (id, action, details) = match &existing {
                Some(d) => {
                    diesel::update(dsr_requests::table)
                        .filter(dsr_requests::org_id.eq(&org_id))
                        .filter(dsr_requests::id.eq(&d.id))
                        .set(values)
                        .execute(conn)?;
                    let details = if d.status != v.status {
                        format!("status: {} -> {}", d.status.label(), v.status.label())
                    } else {
                        "details: edited".to_string()
                    };
                    (d.id.clone(), Action::DsrUpdated, details)
                }
                None => {
                    let id = DsrId::new();
                    diesel::insert_into(dsr_requests::table)
                        .values((
                            dsr_requests::id.eq(&id),
                            dsr_requests::org_id.eq(&org_id),
                            dsr_requests::created_by_user_id.eq(&user),
                            dsr_requests::created_at.eq(time.now),
                            values,
                        ))
                        .execute(conn)?;
                    (id, Action::DsrLogged, format!("{}, due {}", v.kind.label(), due_on.label()))
                }
            };
            let label = format!("from {}", v.requester);
            audit::record(conn, &actor, Some(&org_id), action, Target::new("dsr", &id, &label).details(details))?;
            Ok(Ok(format!("The request from {} is saved; it is due {}.", v.requester, due_on.label())))
        })
        .await?;
    match outcome {
        Ok(message) => {
            session::flash_ok(&session, message);
            Ok(redirect("/compliance/dsr"))
        }
        Err(errors) => {
            let shown = Shown { show: "all".into(), page: 1 };
            register_page(&state, &scope, input, shown, id, Some(Refused::Form(form, errors))).await
        }
    }
}

/// Extends an open request's deadline by two further months, once, with the reason (Article 12(3)).
pub async fn extend(
    c: Change,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let id = path.into_inner();
    let reason_text = forms::value(&form, "extension_reason").to_string();
    let (org_id, now, looked_up) = (scope.org_id().clone(), state.clock.now(), id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let d = find(conn, &org_id, &looked_up)?.ok_or(AppError::NotFound)?;
            let mut errors = FieldErrors::default();
            if d.extended() {
                errors.add("extension_reason", "This request was already extended; it cannot be extended again.");
            } else if !d.status.is_open() {
                errors.add("extension_reason", "Only an open request can be extended.");
            }
            let reason =
                forms::required(&mut errors, "extension_reason", &reason_text, "The reason for the extension", 2000);
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            let due_on = d.received_on.plus_months(ANSWER_MONTHS + EXTENSION_MONTHS);
            diesel::update(dsr_requests::table)
                .filter(dsr_requests::org_id.eq(&org_id))
                .filter(dsr_requests::id.eq(&d.id))
                .set((
                    dsr_requests::due_on.eq(due_on),
                    dsr_requests::extension_reason.eq(&reason),
                    dsr_requests::updated_at.eq(now),
                ))
                .execute(conn)?;
            let details = format!("due: {} -> {}; extended: {reason}", d.due_on.label(), due_on.label());
            let label = format!("from {}", d.requester);
            let target = Target::new("dsr", &d.id, &label).details(details);
            audit::record(conn, &actor, Some(&org_id), Action::DsrUpdated, target)?;
            Ok(Ok(format!("Extended: the request from {} is now due {}.", d.requester, due_on.label())))
        })
        .await?;
    match outcome {
        Ok(message) => {
            session::flash_ok(&session, message);
            Ok(redirect(&format!("/compliance/dsr/{id}")))
        }
        Err(errors) => {
            let reason = forms::value(&form, "extension_reason").to_string();
            let shown = Shown { show: "all".into(), page: 1 };
            register_page(&state, &scope, input, shown, Some(id), Some(Refused::Extension(reason, errors))).await
        }
    }
}
