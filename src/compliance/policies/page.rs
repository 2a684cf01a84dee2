//! A policy's page (its text, where it stands, the lifecycle forms, its versions and, for a new draft of a
//! published policy, what changed against the published version), a published version on its own (printable),
//! and the draft editor with its preview.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;

use super::forms::{self, DraftForm};
use super::models::{self, Policy, PolicyKind, PolicyStatus, Version};
use super::{log, may_approve};
use crate::AppState;
use crate::audit::Action;
use crate::auth::{Permission, Scope, session};
use crate::compliance::controls::models::{Candidate, owner_candidates};
use crate::compliance::controls::page::REVIEW_CADENCES;
use crate::compliance::program::OrgTime;
use crate::compliance::program::index;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::psa::kb::diff::{DiffLine, line_diff};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::markdown::{self, Markdown};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

/// What the lifecycle forms keep of a refused submission.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    pub change_summary: String,
    pub comment: String,
    pub material: String,
    pub reason: String,
}

/// Everything a policy page shows, loaded in a bounded number of statements.
struct Loaded {
    policy: Policy,
    controls: Vec<(String, String)>,
    versions: Vec<Version>,
    names: HashMap<UserId, String>,
}

fn load(conn: &mut DbConnection, org: &OrgId, id: &str) -> AppResult<Loaded> {
    let policy = models::find(conn, org, id)?.ok_or(AppError::NotFound)?;
    let index = index::embedded()?;
    let controls = models::controls(conn, org, &policy.id)?
        .into_iter()
        .map(|id| {
            let title = index.control(&id).map(|i| index.controls[i].title.clone()).unwrap_or_default();
            (id, title)
        })
        .collect();
    let versions = models::versions(conn, org, &policy.id)?;
    let people = [&policy.owner_user_id, &policy.submitted_by_user_id, &policy.approved_by_user_id]
        .into_iter()
        .flatten()
        .cloned()
        .chain(versions.iter().flat_map(|v| [v.author_user_id.clone(), v.approver_user_id.clone()]).flatten())
        .collect();
    let names = models::user_names(conn, people)?;
    Ok(Loaded { policy, controls, versions, names })
}

#[derive(Template)]
#[template(path = "compliance/policies/page.html")]
struct PolicyPage {
    page: PageContext,
    policy: Policy,
    text: Markdown,
    controls: Vec<(String, String)>,
    versions: Vec<Version>,
    names: HashMap<UserId, String>,
    /// The draft against the published version (empty when there is nothing to compare).
    diff: Vec<DiffLine>,
    overdue: bool,
    can_manage: bool,
    can_approve: bool,
    /// The person looking sent it for review (and so may not approve it).
    is_author: bool,
    kept: Kept,
    errors: FieldErrors,
}

impl PolicyPage {
    fn name(&self, user: &Option<UserId>) -> String {
        user.as_ref().and_then(|u| self.names.get(u)).cloned().unwrap_or_else(|| "Nobody".into())
    }
    fn is(&self, status: &str) -> bool {
        self.policy.status.id() == status
    }
    fn diff_changed(&self) -> bool {
        self.diff.iter().any(|l| l.kind != "same" && l.kind != "gap")
    }
}

pub(super) async fn policy_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    id: String,
    kept: Kept,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, loaded) = state.db.run(move |conn| Ok((input.load(conn)?, load(conn, &org, &id)?))).await?;
    let Loaded { policy, controls, versions, names } = loaded;
    let time = OrgTime::of(state.clock.now(), scope);
    let diff = match versions.first() {
        Some(published) if policy.status != PolicyStatus::Published => line_diff(&published.body, &policy.body),
        _ => Vec::new(),
    };
    let is_author = policy.submitted_by_user_id.as_ref() == Some(&scope.user.id);
    render_status(
        form_status(&errors),
        PolicyPage {
            page,
            text: markdown::to_html(&policy.body),
            overdue: policy.is_overdue(time.today),
            can_manage: scope.can(Permission::ManagePolicies),
            can_approve: may_approve(scope, policy.kind),
            is_author,
            policy,
            controls,
            versions,
            names,
            diff,
            kept,
            errors,
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy_page(&state, &scope, input, path.into_inner(), Kept::default(), FieldErrors::default()).await
}

#[derive(Template)]
#[template(path = "compliance/policies/version.html")]
struct VersionPage {
    page: PageContext,
    policy: Policy,
    version: Version,
    text: Markdown,
    author: String,
    approver: String,
}

/// A published version as it was published (printable).
pub async fn version(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<(String, i32)>,
) -> AppResult<HttpResponse> {
    let (id, number) = path.into_inner();
    let org = scope.org_id().clone();
    let (page, loaded) = state.db.run(move |conn| Ok((input.load(conn)?, load(conn, &org, &id)?))).await?;
    let Loaded { policy, versions, names, .. } = loaded;
    let version = versions.into_iter().find(|v| v.number == number).ok_or(AppError::NotFound)?;
    let name = |u: &Option<UserId>| u.as_ref().and_then(|u| names.get(u)).cloned().unwrap_or_else(|| "Nobody".into());
    let (author, approver) = (name(&version.author_user_id), name(&version.approver_user_id));
    render(VersionPage { page, text: markdown::to_html(&version.body), policy, version, author, approver })
}

#[derive(Template)]
#[template(path = "compliance/policies/edit.html")]
struct EditPage {
    page: PageContext,
    policy: Policy,
    form: DraftForm,
    owners: Vec<Candidate>,
    /// (id, title) of every common control, for the mapping.
    catalog: Vec<(String, String)>,
    preview: Markdown,
    errors: FieldErrors,
}

impl EditPage {
    fn kinds(&self) -> [PolicyKind; 3] {
        PolicyKind::ALL
    }
    fn cadences(&self) -> Vec<(i32, &'static str)> {
        REVIEW_CADENCES.iter().filter(|(m, _)| *m > 0).copied().collect()
    }
}

async fn edit_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    policy: Policy,
    form: DraftForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (org, managed_by) = (scope.org_id().clone(), scope.org.managed_by.clone());
    let (page, owners) =
        state.db.run(move |conn| Ok((input.load(conn)?, owner_candidates(conn, &org, managed_by.as_ref())?))).await?;
    let catalog = index::embedded()?.controls.iter().map(|c| (c.id.clone(), c.title.clone())).collect();
    let preview = markdown::to_html(&form.body);
    render_status(form_status(&errors), EditPage { page, policy, form, owners, catalog, preview, errors })
}

async fn policy_of(state: &AppState, scope: &Scope, id: String) -> AppResult<(Policy, Vec<String>)> {
    let org = scope.org_id().clone();
    state
        .db
        .run(move |conn| {
            let policy = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let controls = models::controls(conn, &org, &policy.id)?;
            Ok((policy, controls))
        })
        .await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (policy, controls) = policy_of(&state, &scope, path.into_inner()).await?;
    let form = DraftForm::of(&policy, controls);
    edit_page(&state, &scope, input, policy, form, FieldErrors::default()).await
}

/// Saves the draft (or, with "preview", only shows the text rendered). Saving a policy under review, approved
/// or published makes it a draft again; the published version stays current until the next is published.
pub async fn update(
    c: Change,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let pairs = form.into_inner();
    let form = DraftForm::from_pairs(&pairs);
    let (policy, _) = policy_of(&state, &scope, path.into_inner()).await?;
    if pairs.iter().any(|(k, _)| k == "preview") {
        return edit_page(&state, &scope, input, policy, form, FieldErrors::default()).await;
    }
    let (org, managed_by) = (scope.org_id().clone(), scope.org.managed_by.clone());
    let time = OrgTime::of(state.clock.now(), &scope);
    let (submitted, read) = (form.clone(), policy.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let candidates = owner_candidates(conn, &org, managed_by.as_ref())?;
            let draft = match forms::draft(&submitted, &candidates, read.owner_user_id.as_ref(), index::embedded()?) {
                Ok(draft) => draft,
                Err(errors) => return Ok(Err(errors)),
            };
            let stale = !submitted.stamp.is_empty() && submitted.stamp != forms::stamp(read.updated_at);
            if stale || models::save_draft(conn, &org, &read, &draft, actor.at)? == 0 {
                let mut errors = FieldErrors::default();
                errors.add("body", "Someone else changed this policy while you were editing. Your text is below: compare it with theirs (open the policy in another tab) and save again.");
                return Ok(Err(errors));
            }
            if draft.next_review_on != read.next_review_on {
                super::evidence::follow_review_date(conn, &org, &read, draft.next_review_on, time)?;
            }
            let details = if read.status == PolicyStatus::Draft {
                String::new()
            } else {
                format!("{} -> draft", read.status.id())
            };
            log(conn, &actor, &org, Action::PolicyUpdated, &read.id, &draft.title, details)?;
            Ok(Ok(draft.title))
        })
        .await?;
    match outcome {
        Ok(title) => {
            session::flash_ok(&session, format!("{title} is saved as a draft."));
            Ok(redirect(&format!("/compliance/policies/{}", policy.id)))
        }
        Err(errors) => edit_page(&state, &scope, input, policy, form, errors).await,
    }
}
