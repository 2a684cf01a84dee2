//! A control's page: what implementing it means and the evidence suggested (catalog), every requirement it
//! satisfies in the adopted frameworks with the outcome there, its status and approval, owner, dates and notes,
//! its evidence and its history. A fixed number of statements whatever the numbers of controls and evidence.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::models::{self, Candidate, ControlRecord, EvidenceState};
use crate::AppState;
use crate::audit::log::{self as activity, ActivityEntry};
use crate::audit::sentences;
use crate::auth::{Permission, Scope};
use crate::compliance::evidence::living::{self, Inventory, InventoryKind};
use crate::compliance::evidence::models::{self as evidence, LinkedEvidence, Pickable};
use crate::compliance::program::facts;
use crate::compliance::program::index::{self, CatalogIndex, ControlEntry};
use crate::compliance::program::{ControlStatus, OrgTime};
use crate::compliance::scores::compute::{Outcome, compute};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, filters, render_status};

/// How often a control is reviewed: (months, label).
pub const REVIEW_CADENCES: [(i32, &str); 6] = [
    (0, "No periodic review"),
    (1, "Every month"),
    (3, "Every 3 months"),
    (6, "Every 6 months"),
    (12, "Every year"),
    (24, "Every 2 years"),
];

/// The control page's forms, as shown: the stored values, or what was submitted with its errors.
#[derive(Clone, Debug, Default)]
pub struct ControlForm {
    pub owner: String,
    pub due_on: String,
    pub review_months: String,
    pub next_review_on: String,
    pub notes: String,
    pub status: String,
    pub justification: String,
    pub comment: String,
}

impl ControlForm {
    /// The submitted fields over these values (a refused form shows what was sent; the page's other forms
    /// keep the stored values).
    pub fn overlay(&mut self, pairs: &[(String, String)]) {
        for (name, value) in pairs {
            let field = match name.as_str() {
                "owner" => &mut self.owner,
                "due_on" => &mut self.due_on,
                "review_months" => &mut self.review_months,
                "next_review_on" => &mut self.next_review_on,
                "notes" => &mut self.notes,
                "status" => &mut self.status,
                "justification" => &mut self.justification,
                "comment" => &mut self.comment,
                _ => continue,
            };
            *field = value.clone();
        }
    }

    fn from_record(r: &ControlRecord) -> ControlForm {
        ControlForm {
            owner: r.owner_user_id.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            due_on: r.due_on.map(|d| d.to_string()).unwrap_or_default(),
            review_months: r.review_months.to_string(),
            next_review_on: r.next_review_on.map(|d| d.to_string()).unwrap_or_default(),
            notes: r.notes.clone(),
            status: r.status.id().to_string(),
            justification: r.na_justification.clone(),
            comment: String::new(),
        }
    }
}

/// A requirement the control satisfies in an adopted framework.
pub struct Satisfied {
    pub requirement_id: String,
    pub title: String,
    pub relationship: String,
    pub outcome: Option<Outcome>,
}

pub struct SatisfiedGroup {
    pub framework_id: String,
    pub short_name: String,
    pub lines: Vec<Satisfied>,
}

pub struct HistoryLine {
    pub when: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "compliance/controls/page.html")]
pub struct ControlPage {
    page: PageContext,
    control: &'static ControlEntry,
    record: ControlRecord,
    effective: bool,
    evidence_state: EvidenceState,
    satisfied: Vec<SatisfiedGroup>,
    evidence: Vec<LinkedEvidence>,
    pickable: Vec<Pickable>,
    history: Vec<HistoryLine>,
    owners: Vec<Candidate>,
    form: ControlForm,
    errors: FieldErrors,
    can_edit: bool,
    can_manage_evidence: bool,
    can_approve: bool,
    /// The signed-in person asked for the pending review (so may not decide it).
    asked_for_review: bool,
    today: Day,
    /// The asset inventory, for the asset-management controls it is living evidence of.
    inventory: Option<Inventory>,
    tz: chrono_tz::Tz,
}

impl ControlPage {
    fn cadences(&self) -> [(i32, &'static str); 6] {
        REVIEW_CADENCES
    }
    fn settable(&self) -> [ControlStatus; 4] {
        ControlStatus::SETTABLE
    }
    fn state_of(
        &self,
        e: &crate::compliance::evidence::models::EvidenceLine,
    ) -> crate::compliance::controls::models::EvidenceState {
        e.state(self.today)
    }
    fn inventory_current(&self) -> bool {
        self.inventory.is_some_and(|i| i.is_current(self.today))
    }
    fn rule(&self) -> &'static str {
        living::RULE
    }
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.tz)
    }
    fn review_overdue(&self) -> bool {
        self.record.status == ControlStatus::Implemented && self.record.next_review_on.is_some_and(|d| d < self.today)
    }
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    control_page(&state, &scope, input, &path, &[], FieldErrors::default()).await
}

/// What the page loads, in one blocking call.
struct Loaded {
    page: PageContext,
    record: ControlRecord,
    satisfied: Vec<SatisfiedGroup>,
    effective: bool,
    evidence: Vec<LinkedEvidence>,
    pickable: Vec<Pickable>,
    history: Vec<ActivityEntry>,
    owners: Vec<Candidate>,
    inventory: Option<Inventory>,
}

fn load(
    conn: &mut DbConnection,
    index: &'static CatalogIndex,
    scope: &Scope,
    ci: usize,
    input: PageInput,
    time: OrgTime,
) -> AppResult<Loaded> {
    let org_id = scope.org_id();
    let control = &index.controls[ci];
    let page = input.load(conn)?;
    let record = models::find(conn, org_id, &control.id)?.ok_or(AppError::NotFound)?;
    let (facts, _) = facts::load_controls(conn, index, org_id, time.today, Some(&neighbours(index, control)))?;
    let scores = compute(&facts);
    let effective = facts.control(ci).is_effective(time.today);
    let satisfied = satisfied(index, control, &facts, &scores);
    let evidence = evidence::linked_to(conn, org_id, &control.id)?;
    let pickable =
        if scope.can(Permission::ManageEvidence) { evidence::pickable(conn, org_id, &control.id)? } else { Vec::new() };
    let history = activity::for_target(conn, org_id, "control", &control.id, 20)?;
    let owners = models::owner_candidates(conn, org_id, scope.org.managed_by.as_ref())?;
    let inventory = match InventoryKind::of_control(&control.id) {
        Some(kind) => Some(living::inventory_of(conn, org_id, kind)?),
        None => None,
    };
    Ok(Loaded { page, record, satisfied, effective, evidence, pickable, history, owners, inventory })
}

/// The controls sharing a requirement with this one (itself included): the facts its requirements' outcomes
/// are made of.
fn neighbours(index: &CatalogIndex, control: &ControlEntry) -> Vec<String> {
    let mut ids: Vec<String> = control
        .satisfies
        .iter()
        .flat_map(|s| &index.frameworks[s.framework].requirements[s.requirement].controls)
        .map(|&c| index.controls[c].id.clone())
        .collect();
    ids.push(control.id.clone());
    ids.sort();
    ids.dedup();
    ids
}

/// The requirements the control satisfies in the adopted frameworks, with their outcome there (computed from
/// the neighbours' facts: the other requirements of the frameworks come out wrong here and are not shown).
fn satisfied(
    index: &CatalogIndex,
    control: &ControlEntry,
    facts: &facts::Facts<'_>,
    scores: &crate::compliance::scores::compute::Scores,
) -> Vec<SatisfiedGroup> {
    let mut groups: Vec<SatisfiedGroup> = Vec::new();
    for s in control.satisfies.iter().filter(|s| facts.is_adopted(s.framework)) {
        let framework = &index.frameworks[s.framework];
        let requirement = &framework.requirements[s.requirement];
        let outcome = scores
            .framework(s.framework)
            .and_then(|f| f.requirements.iter().find(|(r, _)| *r == s.requirement))
            .map(|(_, o)| *o);
        let line = Satisfied {
            requirement_id: requirement.id.clone(),
            title: requirement.title.clone(),
            relationship: s.relationship.clone(),
            outcome,
        };
        match groups.last_mut() {
            Some(g) if g.framework_id == framework.id => g.lines.push(line),
            _ => groups.push(SatisfiedGroup {
                framework_id: framework.id.clone(),
                short_name: framework.short_name.clone(),
                lines: vec![line],
            }),
        }
    }
    groups
}

/// The control page (200), or with a refused form's fields over the stored values and its errors (422).
pub async fn control_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    control_id: &str,
    submitted: &[(String, String)],
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let ci = index.control(control_id).ok_or(AppError::NotFound)?;
    let time = OrgTime::of(state.clock.now(), scope);
    let who = scope.clone();
    let loaded = state.db.run(move |conn| load(conn, index, &who, ci, input, time)).await?;
    let tz = scope.org.tz();
    let mut form = ControlForm::from_record(&loaded.record);
    form.overlay(submitted);
    let status = if errors.is_empty() { StatusCode::OK } else { crate::web::form_status_invalid() };
    let r = &loaded.record;
    let page = ControlPage {
        page: loaded.page,
        control: &index.controls[ci],
        evidence_state: EvidenceState::of(r.evidence_approved, r.evidence_pending, r.evidence_valid_until, time.today),
        asked_for_review: r.status == ControlStatus::ReadyForReview
            && r.review_requested_by.as_ref() == Some(&scope.user.id),
        record: loaded.record,
        effective: loaded.effective,
        satisfied: loaded.satisfied,
        evidence: loaded.evidence,
        pickable: loaded.pickable,
        history: loaded
            .history
            .iter()
            .map(|e| HistoryLine { when: crate::web::time::local(e.created_at, tz), what: sentences::sentence(e) })
            .collect(),
        owners: loaded.owners,
        form,
        errors,
        can_edit: scope.can(Permission::EditControls),
        can_manage_evidence: scope.can(Permission::ManageEvidence),
        can_approve: scope.can(Permission::ApproveCompliance),
        today: time.today,
        inventory: loaded.inventory,
        tz,
    };
    render_status(status, page)
}
