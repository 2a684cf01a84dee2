//! Evidence pages: the form to add an item, one item (its file and every earlier revision with its hash, the
//! controls it supports, its approval, its history), and downloads.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::EvidenceForm;
use super::models::{self, EvidenceKind, EvidenceRecord, EvidenceStatus, Revision};
use crate::AppState;
use crate::audit::log as activity;
use crate::audit::{self, Action, Actor, Target, sentences};
use crate::auth::{Permission, Scope};
use crate::compliance::controls::models::EvidenceState;
use crate::compliance::controls::page::HistoryLine;
use crate::compliance::program::index::{self, CatalogIndex};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::db::Day;
use crate::error::{AppError, AppResult};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, filters, render_status};

/// (control id, title) of controls, for pickers.
fn titled(index: &CatalogIndex, ids: impl IntoIterator<Item = String>) -> Vec<(String, String)> {
    ids.into_iter().filter_map(|id| index.control(&id).map(|c| (id, index.controls[c].title.clone()))).collect()
}

#[derive(Template)]
#[template(path = "compliance/evidence/new.html")]
pub struct NewEvidencePage {
    page: PageContext,
    form: EvidenceForm,
    errors: FieldErrors,
    controls: Vec<(String, String)>,
    limit_mb: u64,
    /// The control the form was opened from, to go back to.
    from_control: String,
}

impl NewEvidencePage {
    fn kinds(&self) -> [EvidenceKind; 8] {
        EvidenceKind::ALL
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    control: String,
}

pub async fn new_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let form = EvidenceForm {
        source: "file".into(),
        kind: EvidenceKind::Document.id().into(),
        controls: vec![query.control.clone()].into_iter().filter(|c| !c.is_empty()).collect(),
        ..EvidenceForm::default()
    };
    new_page(&state, &scope, input, form, FieldErrors::default()).await
}

/// The add-evidence form, blank or as submitted with its errors (422).
pub async fn new_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    form: EvidenceForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let org_id = scope.org_id().clone();
    let (page, in_scope) =
        state.db.run(move |conn| Ok((input.load(conn)?, models::in_scope_controls(conn, &org_id)?))).await?;
    let status = crate::web::form_status(&errors);
    let from_control = form.controls.first().cloned().filter(|c| in_scope.contains(c)).unwrap_or_default();
    render_status(
        status,
        NewEvidencePage {
            page,
            form,
            errors,
            controls: titled(index, in_scope),
            limit_mb: state.storage.limit_bytes() / (1024 * 1024),
            from_control,
        },
    )
}

#[derive(Template)]
#[template(path = "compliance/evidence/page.html")]
pub struct EvidencePage {
    page: PageContext,
    record: EvidenceRecord,
    state: EvidenceState,
    revisions: Vec<Revision>,
    linked: Vec<(String, String, ControlStatus)>,
    linkable: Vec<(String, String)>,
    history: Vec<HistoryLine>,
    form: EvidenceForm,
    errors: FieldErrors,
    can_manage: bool,
    can_approve: bool,
    /// The policy or campaign that keeps this item: shown, and the item is read-only.
    keeper: Option<models::Keeper>,
    submitted_it: bool,
    limit_mb: u64,
}

impl EvidencePage {
    fn kinds(&self) -> [EvidenceKind; 8] {
        EvidenceKind::ALL
    }
    fn is_file(&self) -> bool {
        self.record.source == models::EvidenceSource::File
    }
    fn is_pending(&self) -> bool {
        self.record.status == EvidenceStatus::Submitted
    }
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    evidence_page(&state, &scope, input, &path, &[], FieldErrors::default()).await
}

fn form_of(r: &EvidenceRecord) -> EvidenceForm {
    EvidenceForm {
        title: r.title.clone(),
        source: r.source.id().into(),
        kind: r.kind.id().into(),
        url: r.url.clone(),
        body: r.body.clone(),
        effective_on: r.effective_on.to_string(),
        valid_until: r.valid_until.to_string(),
        controls: Vec::new(),
        comment: String::new(),
    }
}

/// An evidence item's page (200), or with a refused form's fields over the stored values and its errors (422).
/// Seven statements with the page context.
pub async fn evidence_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    id: &str,
    submitted: &[(String, String)],
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let (org_id, id, time) = (scope.org_id().clone(), id.to_string(), OrgTime::of(state.clock.now(), scope));
    let (page, record, revisions, linked, in_scope, history, keeper) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let record = models::find(conn, &org_id, &id)?.ok_or(AppError::NotFound)?;
            let revisions = models::revisions(conn, &org_id, &record.id)?;
            let linked = models::linked_with_status(conn, &org_id, &record.id)?;
            let in_scope = models::in_scope_controls(conn, &org_id)?;
            let history = activity::for_target(conn, &org_id, "evidence", &record.id, 20)?;
            let keeper = models::keeper(conn, &org_id, &record.id)?;
            Ok((page, record, revisions, linked, in_scope, history, keeper))
        })
        .await?;
    let tz = scope.org.tz();
    let mut form = form_of(&record);
    form.overlay(submitted);
    let status = if errors.is_empty() { StatusCode::OK } else { crate::web::form_status_invalid() };
    let linkable = titled(index, in_scope.into_iter().filter(|c| !linked.iter().any(|(l, _)| l == c)));
    let linked = linked
        .into_iter()
        .filter_map(|(id, status)| index.control(&id).map(|c| (id, index.controls[c].title.clone(), status)))
        .collect();
    let page = EvidencePage {
        page,
        state: record_state(&record, time.today),
        submitted_it: record.submitted_by.as_ref() == Some(&scope.user.id),
        record,
        revisions,
        linked,
        linkable,
        history: history
            .iter()
            .map(|e| HistoryLine { when: crate::web::time::local(e.created_at, tz), what: sentences::sentence(e) })
            .collect(),
        form,
        errors,
        // An item a policy or campaign keeps changes only with it.
        can_manage: scope.can(Permission::ManageEvidence) && keeper.is_none(),
        can_approve: scope.can(Permission::ApproveCompliance) && keeper.is_none(),
        keeper,
        limit_mb: state.storage.limit_bytes() / (1024 * 1024),
    };
    render_status(status, page)
}

fn record_state(r: &EvidenceRecord, today: Day) -> EvidenceState {
    models::EvidenceLine {
        id: r.id.clone(),
        title: String::new(),
        source: r.source,
        kind: r.kind,
        status: r.status,
        effective_on: r.effective_on,
        valid_until: r.valid_until,
    }
    .state(today)
}

/// A stored revision of an item, as an attachment; the download is logged.
pub async fn download(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    let org_id = scope.org_id().clone();
    let revision = state
        .db
        .write(move |conn| {
            let record = models::find(conn, &org_id, &id)?.ok_or(AppError::NotFound)?;
            let revision = models::revisions(conn, &org_id, &record.id)?
                .into_iter()
                .find(|r| r.number == number)
                .ok_or(AppError::NotFound)?;
            let target = Target::new("evidence", &record.id, &record.title)
                .details(format!("revision {}, {}", revision.number, revision.filename));
            audit::record(conn, &actor, Some(&org_id), Action::EvidenceDownloaded, target)?;
            Ok(revision)
        })
        .await?;
    crate::storage::download::attachment(&state.storage, &revision.stored(), &revision.filename).await
}
