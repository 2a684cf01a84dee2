//! Compliance -> Policies -> Campaigns: the list, starting one, its progress page (with filters, pagination and
//! the CSV export), closing it early and reminding the people who have not signed.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::CampaignForm;
use super::models::{self, Campaign, ProgressFilter, ProgressLine, Signable, Tally};
use super::{reminders, start};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::permissions::Role;
use crate::auth::{Permission, Scope, session};
use crate::compliance::people::models as people;
use crate::compliance::program::OrgTime;
use crate::db::ids::{CampaignId, OrgId};
use crate::db::{Day, DbConnection};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Template)]
#[template(path = "compliance/campaigns/list.html")]
struct ListPage {
    page: PageContext,
    campaigns: Vec<(Campaign, Tally)>,
    pager: Pager,
    today: Day,
    can_manage: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let (org, number, today) = (scope.org_id().clone(), query.page(), OrgTime::of(state.clock.now(), &scope).today);
    let (page, campaigns, pager) = state
        .db
        .run(move |conn| {
            let pager = Pager::new(number, models::count(conn, &org)?, String::new());
            let campaigns = models::page(conn, &org, pager.per_page, pager.offset())?;
            let campaigns = campaigns.into_iter().map(|c| (c.tally(), c)).map(|(t, c)| (c, t));
            Ok((input.load(conn)?, campaigns.collect(), pager))
        })
        .await?;
    render(ListPage { page, campaigns, pager, today, can_manage: scope.can(Permission::ManagePolicies) })
}

#[derive(Template)]
#[template(path = "compliance/campaigns/new.html")]
struct NewPage {
    page: PageContext,
    form: CampaignForm,
    errors: FieldErrors,
    signable: Vec<Signable>,
    departments: Vec<String>,
    roles: Vec<Role>,
    /// The campaign this one follows up (a materially changed policy), when it does.
    follow_up: Option<Campaign>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    follow_up: String,
}

async fn new_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    form: CampaignForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (org, follow_up_id) = (scope.org_id().clone(), form.follow_up_of.clone());
    let (page, signable, departments, follow_up) = state
        .db
        .run(move |conn| {
            let follow_up = if follow_up_id.is_empty() { None } else { models::find(conn, &org, &follow_up_id)? };
            let signable = models::signable_versions(conn, &org)?;
            Ok((input.load(conn)?, signable, people::departments(conn, &org)?, follow_up))
        })
        .await?;
    let roles = Role::ALL.iter().copied().filter(|r| *r != Role::PortalUser).collect();
    render_status(form_status(&errors), NewPage { page, form, errors, signable, departments, roles, follow_up })
}

pub async fn new_form(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let mut form = CampaignForm::blank();
    if !query.follow_up.is_empty() {
        let org = scope.org_id().clone();
        let id = query.follow_up.clone();
        let (previous, current) = state
            .db
            .run(move |conn| {
                let previous = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
                let policies: Vec<_> =
                    models::versions_of(conn, &org, &previous.id)?.into_iter().map(|v| v.policy_id).collect();
                let current = models::signable_versions(conn, &org)?;
                let current = current.into_iter().filter(|s| policies.contains(&s.policy_id)).map(|s| s.id.to_string());
                Ok((previous, current.collect()))
            })
            .await?;
        form.follow_up_of = previous.id.to_string();
        form.name = format!("{} (new version)", previous.name);
        form.audience = models::Audience::Signers.id().to_string();
        form.versions = current;
    }
    new_page(&state, &scope, input, form, FieldErrors::default()).await
}

/// Checks the form against the database: the chosen versions, the chosen people's emails, the previous
/// campaign of a follow-up; then who the audience is. An audience of nobody is refused.
fn validated(
    conn: &mut DbConnection,
    org: &OrgId,
    form: &CampaignForm,
    today: Day,
    now: chrono::NaiveDateTime,
) -> Result<Result<(models::NewCampaign, Vec<start::Recipient>), FieldErrors>, AppError> {
    let signable: Vec<_> = models::signable_versions(conn, org)?.into_iter().map(|s| s.id).collect();
    let mut campaign = match form.validate(&signable, today) {
        Ok(campaign) => campaign,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut errors = FieldErrors::default();
    if campaign.audience == models::Audience::Signers && form.follow_up_of.is_empty() {
        errors.add("audience", "Only a follow-up campaign asks the signers of a previous one.");
    }
    if !form.follow_up_of.is_empty() {
        match models::find(conn, org, &form.follow_up_of)? {
            Some(previous) => campaign.follow_up_of = Some(previous.id),
            None => errors.add("follow_up_reason", "The campaign this one follows up is not in this organization."),
        }
    }
    start::sync_members(conn, org, now)?;
    if campaign.audience == models::Audience::Chosen {
        let emails = form.chosen_emails();
        let found = people::ids_by_email(conn, org, emails.clone())?;
        let unknown: Vec<&str> = emails.iter().filter(|e| !found.contains_key(*e)).map(|e| e.as_str()).collect();
        if !unknown.is_empty() {
            errors.add("emails", format!("Not in the people directory: {}.", unknown.join(", ")));
        }
        campaign.chosen = found.into_values().collect();
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let recipients = start::audience(conn, org, &campaign)?;
    if recipients.is_empty() {
        errors.add("audience", "Nobody active in the people directory is in this audience.");
        return Ok(Err(errors));
    }
    Ok(Ok((campaign, recipients)))
}

pub async fn create(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = CampaignForm::from_pairs(&form.into_inner());
    let time = OrgTime::of(actor.at, &scope);
    let today = time.today;
    let (org, submitted, base_url) = (scope.org_id().clone(), form.clone(), state.config.base_url.clone());
    let user = scope.user.id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let (campaign, recipients) = match validated(conn, &org, &submitted, today, actor.at)? {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            let id = start::start(conn, &org, &campaign, &recipients, Some(&user), actor.at, &base_url)?;
            super::evidence::attach(conn, &org, &id, &campaign, &user, time)?;
            let details = format!("{} people, due {}", recipients.len(), campaign.due_on.label());
            let details = match &campaign.follow_up_of {
                Some(_) if !campaign.follow_up_reason.is_empty() => {
                    format!("{details}; follow-up: {}", campaign.follow_up_reason)
                }
                _ => details,
            };
            log(conn, &actor, &org, Action::CampaignStarted, &id, &campaign.name, details)?;
            Ok(Ok((id, recipients.len())))
        })
        .await?;
    match outcome {
        Ok((id, people)) => {
            session::flash_ok(
                &session,
                format!("The campaign is started: {people} signing requests are on their way."),
            );
            Ok(redirect(&format!("/compliance/campaigns/{id}")))
        }
        Err(errors) => new_page(&state, &scope, input, form, errors).await,
    }
}

fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &OrgId,
    action: Action,
    id: &CampaignId,
    name: &str,
    details: String,
) -> diesel::QueryResult<()> {
    audit::record(conn, actor, Some(org), action, Target::new("campaign", id, name).details(details))
}

#[derive(Deserialize, Default)]
pub struct ProgressQuery {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    state: String,
}

impl ProgressQuery {
    fn filter(&self) -> ProgressFilter {
        let state = match self.state.as_str() {
            "signed" | "pending" => self.state.clone(),
            _ => String::new(),
        };
        ProgressFilter { search: self.list.search(), state }
    }
}

#[derive(Template)]
#[template(path = "compliance/campaigns/show.html")]
struct ShowPage {
    page: PageContext,
    campaign: Campaign,
    versions: Vec<crate::compliance::policies::models::Version>,
    tally: Tally,
    /// Material new versions of its policies: a follow-up campaign is offered.
    changes: Vec<models::MaterialChange>,
    lines: Vec<ProgressLine>,
    pager: Pager,
    search: String,
    state: String,
    overdue: bool,
    names: HashMap<crate::db::ids::UserId, String>,
    can_manage: bool,
}

impl ShowPage {
    fn started_by(&self) -> &str {
        self.campaign.started_by_user_id.as_ref().and_then(|id| self.names.get(id)).map_or("Palisade", |n| n.as_str())
    }
}

async fn campaign_of(state: &AppState, scope: &Scope, id: String) -> AppResult<Campaign> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::find(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn show(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ProgressQuery>,
) -> AppResult<HttpResponse> {
    let filter = query.filter();
    let base = query_string(&[("q", &filter.search), ("state", &filter.state)]);
    let (org, id, number, shown) = (scope.org_id().clone(), path.into_inner(), query.list.page(), filter.clone());
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let (page, campaign, versions, tally, changes, lines, pager, names) = state
        .db
        .run(move |conn| {
            let campaign = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let tally = campaign.tally();
            let lines = match tally.lines_for(&filter) {
                Some(known) => known,
                None => models::progress_count(conn, &org, &campaign.id, &filter)?,
            };
            let pager = Pager::new(number, lines, base);
            let lines = models::progress_page(conn, &org, &campaign.id, &filter, Some(pager.per_page), pager.offset())?;
            let versions = models::versions_of(conn, &org, &campaign.id)?;
            let changes = models::material_changes(conn, &org, &campaign.id)?;
            let users = campaign.started_by_user_id.iter().chain(campaign.closed_by_user_id.iter()).cloned().collect();
            let names = crate::compliance::policies::models::user_names(conn, users)?;
            Ok((input.load(conn)?, campaign, versions, tally, changes, lines, pager, names))
        })
        .await?;
    let overdue = campaign.is_overdue(today);
    render(ShowPage {
        page,
        campaign,
        versions,
        tally,
        changes,
        lines,
        pager,
        search: shown.search,
        state: shown.state,
        overdue,
        names,
        can_manage: scope.can(Permission::ManagePolicies),
    })
}

/// The progress as CSV: one line per person (the page's filters apply).
pub async fn export(
    state: web::Data<AppState>,
    scope: Scope,
    path: web::Path<String>,
    query: web::Query<ProgressQuery>,
) -> AppResult<HttpResponse> {
    let filter = query.filter();
    let (org, id) = (scope.org_id().clone(), path.into_inner());
    let today = OrgTime::of(state.clock.now(), &scope).today;
    let (campaign, lines) = state
        .db
        .run(move |conn| {
            let campaign = models::find(conn, &org, &id)?.ok_or(AppError::NotFound)?;
            let lines = models::progress_page(conn, &org, &campaign.id, &filter, None, 0)?;
            Ok((campaign, lines))
        })
        .await?;
    let overdue = campaign.is_overdue(today);
    let mut out = String::new();
    let header = ["name", "email", "department", "status", "signed_at_utc", "last_reminded_on", "reminders"];
    crate::web::csv::push_row(&mut out, &header);
    for l in &lines {
        let signed = l.signed_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
        let reminded = l.last_reminded_on.map(|d| d.to_string()).unwrap_or_default();
        let row = [
            l.name.as_str(),
            &l.email,
            &l.department,
            state_label(l, overdue),
            &signed,
            &reminded,
            &l.reminders.to_string(),
        ];
        crate::web::csv::push_row(&mut out, &row);
    }
    Ok(crate::web::csv::download(
        &format!("campaign-{}-{}.csv", scope.org.slug, campaign.started_at.format("%Y%m%d")),
        out,
    ))
}

/// "Signed", "Overdue" or "Pending".
pub fn state_label(line: &ProgressLine, overdue: bool) -> &'static str {
    match (line.signed_at, overdue) {
        (Some(_), _) => "Signed",
        (None, true) => "Overdue",
        (None, false) => "Pending",
    }
}

pub async fn close(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let campaign = campaign_of(&state, &scope, path.into_inner()).await?;
    let (org, id, name) = (scope.org_id().clone(), campaign.id.clone(), campaign.name.clone());
    let by = scope.user.id.clone();
    let closed = state
        .db
        .write(move |conn| {
            // Read again inside the transaction: a signature may have come in since the page loaded.
            let tally = models::find(conn, &org, id.as_str())?.map(|c| c.tally()).unwrap_or_default();
            if !models::close(conn, &org, &id, &by, actor.at)? {
                return Ok(false);
            }
            let details = format!("{} of {} signed", tally.signed, tally.total);
            log(conn, &actor, &org, Action::CampaignClosed, &id, &name, details)?;
            Ok(true)
        })
        .await?;
    if closed {
        session::flash_ok(&session, "The campaign is closed: no more reminders, and its links no longer sign.");
    } else {
        session::flash_error(&session, "The campaign was already closed.");
    }
    Ok(redirect(&format!("/compliance/campaigns/{}", campaign.id)))
}

/// "Remind the rest": one email to each person who has not signed and was not reminded today.
pub async fn remind(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let campaign = campaign_of(&state, &scope, path.into_inner()).await?;
    if !campaign.is_running() {
        session::flash_error(&session, "A closed campaign sends no reminders.");
        return Ok(redirect(&format!("/compliance/campaigns/{}", campaign.id)));
    }
    let today = OrgTime::of(actor.at, &scope).today;
    let (org, base_url, shown) = (scope.org_id().clone(), state.config.base_url.clone(), campaign.clone());
    let sent = state
        .db
        .write(move |conn| {
            let sent = reminders::remind(conn, &campaign, today, actor.at, &base_url)?;
            let details = format!("{sent} reminders");
            log(conn, &actor, &org, Action::CampaignReminded, &campaign.id, &campaign.name, details)?;
            Ok(sent)
        })
        .await?;
    let message = match sent {
        0 => "Nobody to remind: everyone signed or was already reminded today.".to_string(),
        1 => "1 reminder is on its way.".to_string(),
        n => format!("{n} reminders are on their way."),
    };
    session::flash_ok(&session, message);
    Ok(redirect(&format!("/compliance/campaigns/{}", shown.id)))
}
