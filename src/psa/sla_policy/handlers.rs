//! Settings -> Service desk: the SLA policies an organization uses (its own, and its MSP's default for
//! clients), editing one (calendar with the engine's messages next to the fields, targets, pausing statuses,
//! the "a High ticket opened now is due at" preview), its escalation rules, and the closing rules.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::Deserialize;

use super::clocks::TargetKind;
use super::forms::{PolicyForm, ValidPolicy, target_field};
use super::models::{self, EscalationAction, Policy, PolicyRow, RuleRow};
use super::spec::{CalendarSpec, Targets, WEEKDAYS, day_field, day_name};
use super::{SlaChange, track};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::permissions::Role;
use crate::auth::{Scope, session};
use crate::db::DbConnection;
use crate::db::ids::{EscalationRuleId, OrgId, SlaPolicyId};
use crate::error::{AppError, AppResult};
use crate::orgs::{Organization, find_org};
use crate::psa::sla::{BusinessCalendar, due_at};
use crate::psa::tickets::models::{Priority, TicketStatus};
use crate::psa::tickets::settings::{self as desk_settings, DeskSettings};
use crate::psa::tickets::staff::{self, StaffMember};
use crate::schema::{sla_escalation_rules, sla_policies, tickets};
use crate::web::change::Change;
use crate::web::forms::{FieldErrors, TIMEZONES};
use crate::web::routes::{Access, RouteDef, get, post};
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

pub fn routes() -> Vec<RouteDef> {
    use crate::auth::Permission::*;
    use Access::*;
    const POLICY: &[(&str, &str)] = &[
        ("name", "Business hours"),
        ("timezone", "America/New_York"),
        ("hours_mon", "09:00-17:00"),
        ("high_first_response", "2h"),
        ("high_resolution", "8h"),
        ("pause", "pending_customer"),
        ("enabled", "1"),
    ];
    vec![
        get("/settings/service-desk", Org(ManageServiceDesk), settings_page),
        post("/settings/service-desk/closing", Org(ManageServiceDesk), save_closing).example(&[
            ("auto_close_hours", "48"),
            ("reopen_days", "5"),
            ("require_resolution_note", "1"),
            ("require_time_entry", "1"),
        ]),
        get("/settings/service-desk/policies/new", Org(ManageServiceDesk), new_policy),
        post("/settings/service-desk/policies", Org(ManageServiceDesk), create_policy).example(POLICY),
        get("/settings/service-desk/policies/{policy_id}", Org(ManageServiceDesk), edit_policy),
        post("/settings/service-desk/policies/{policy_id}", Org(ManageServiceDesk), update_policy).example(POLICY),
        post("/settings/service-desk/policies/{policy_id}/rules", Org(ManageServiceDesk), add_rule).example(&[
            ("target", "resolution"),
            ("threshold_percent", "75"),
            ("action", "notify_assignee"),
        ]),
        post("/settings/service-desk/policies/{policy_id}/rules/{rule_id}/delete", Org(ManageServiceDesk), delete_rule),
        post("/tickets/{number}/sla", Org(WorkTickets), set_ticket_policy).example(&[("policy", "")]),
        get("/reports/sla", Org(ViewTickets), super::report::page),
        get("/reports/sla.csv", Org(ViewTickets), super::report::csv),
    ]
}

#[derive(Template)]
#[template(path = "psa/service_desk_settings.html")]
struct SettingsPage {
    page: PageContext,
    policies: Vec<PolicyRow>,
    org_id: OrgId,
    closing: DeskSettings,
    errors: FieldErrors,
}

async fn settings_view(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    closing: Option<(DeskSettings, FieldErrors)>,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, policies, stored) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            Ok((input.load(conn)?, models::usable(conn, &org_row)?, desk_settings::of(conn, &org)?))
        })
        .await?;
    let (closing, errors) = closing.unwrap_or((stored, FieldErrors::default()));
    render_status(
        form_status(&errors),
        SettingsPage { page, policies, org_id: scope.org_id().clone(), closing, errors },
    )
}

pub async fn settings_page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    settings_view(&state, &scope, input, None).await
}

#[derive(Deserialize)]
pub struct ClosingForm {
    #[serde(default)]
    auto_close_hours: String,
    #[serde(default)]
    reopen_days: String,
    #[serde(default)]
    require_resolution_note: Option<String>,
    #[serde(default)]
    require_time_entry: Option<String>,
}

pub async fn save_closing(c: Change, form: web::Form<ClosingForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let mut errors = FieldErrors::default();
    let mut number = |field: &'static str, text: &str, max: i32, what: &str| match text.trim().parse::<i32>() {
        Ok(n) if (0..=max).contains(&n) => n,
        _ => {
            errors.add(field, format!("Enter a number of {what} from 0 to {max}."));
            0
        }
    };
    let settings = DeskSettings {
        auto_close_hours: number("auto_close_hours", &form.auto_close_hours, 8760, "hours"),
        reopen_days: number("reopen_days", &form.reopen_days, 365, "days"),
        require_resolution_note: form.require_resolution_note.is_some(),
        require_time_entry: form.require_time_entry.is_some(),
    };
    if !errors.is_empty() {
        return settings_view(&state, &scope, input, Some((settings, errors))).await;
    }
    let org = scope.org_id().clone();
    state
        .db
        .write(move |conn| {
            desk_settings::save(conn, &org, &settings, actor.at)?;
            let details = format!(
                "close after {} hours, reopen within {} days, resolution note {}, time entry {}",
                settings.auto_close_hours,
                settings.reopen_days,
                if settings.require_resolution_note { "required" } else { "optional" },
                if settings.require_time_entry { "required" } else { "optional" }
            );
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::DeskSettingsChanged,
                Target::new("organization", &org, "").details(details),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Closing rules saved.");
    Ok(redirect("/settings/service-desk"))
}

/// A preview line: a ticket of this priority opened at `now` is due at... (first response and resolution).
pub struct Preview {
    pub priority: &'static str,
    pub first_response: String,
    pub resolution: String,
}

fn preview(spec: &CalendarSpec, targets: &Targets, timezone: &str, now: NaiveDateTime) -> Vec<Preview> {
    let Ok(tz) = timezone.parse::<chrono_tz::Tz>() else { return Vec::new() };
    let Ok(calendar) = spec.build(tz) else { return Vec::new() };
    let always = BusinessCalendar::always_open(tz);
    let when = |target: Option<super::spec::Target>| match target {
        None => "no target".to_string(),
        Some(t) => {
            let cal = if t.around_the_clock { &always } else { &calendar };
            due_at(cal, now.and_utc(), t.duration(), &[])
                .map(|at| tz.from_utc_datetime(&at.naive_utc()).format("%a %Y-%m-%d %H:%M %Z").to_string())
                .unwrap_or_else(|| "never".into())
        }
    };
    [Priority::Critical, Priority::High]
        .into_iter()
        .map(|p| {
            let t = targets.of(p);
            Preview { priority: p.label(), first_response: when(t.first_response), resolution: when(t.resolution) }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "psa/sla_policy.html")]
struct PolicyPage {
    page: PageContext,
    /// None: a new policy.
    policy: Option<PolicyRow>,
    form: PolicyForm,
    errors: FieldErrors,
    timezones: &'static [&'static str],
    preview: Vec<Preview>,
    rules: Vec<RuleRow>,
    staff: Vec<StaffMember>,
    rule_errors: FieldErrors,
}

impl PolicyPage {
    fn days(&self) -> Vec<(&'static str, &'static str)> {
        WEEKDAYS.into_iter().map(|d| (day_field(d), day_name(d))).collect()
    }
    fn priorities(&self) -> [Priority; 4] {
        Priority::ALL
    }
    fn kinds(&self) -> [TargetKind; 3] {
        TargetKind::ALL
    }
    fn field(&self, p: &Priority, k: &TargetKind) -> String {
        target_field(*p, *k)
    }
    fn pausable(&self) -> [TicketStatus; 4] {
        TicketStatus::UNRESOLVED
    }
    fn actions(&self) -> [EscalationAction; 5] {
        EscalationAction::ALL
    }
    fn roles(&self) -> Vec<Role> {
        vec![Role::Admin, Role::MspAdmin, Role::MspTechnician, Role::Employee]
    }
    fn person(&self, rule: &RuleRow) -> String {
        let name =
            rule.user_id.as_ref().and_then(|u| self.staff.iter().find(|s| &s.user_id == u)).map(|s| s.name.clone());
        match (rule.action, name, rule.role) {
            (EscalationAction::NotifyRole, _, Some(role)) => format!("everyone who is {}", role.label()),
            (EscalationAction::NotifyUser | EscalationAction::Reassign, Some(name), _) => name,
            _ => String::new(),
        }
    }
}

async fn policy_page(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    policy: Option<PolicyRow>,
    form: PolicyForm,
    errors: FieldErrors,
    rule_errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let policy_row = policy.clone();
    let (page, rules, staff) = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            let rules = match &policy_row {
                Some(p) => models::rules_of(conn, p)?,
                None => Vec::new(),
            };
            Ok((input.load(conn)?, rules, staff::workers(conn, &org_row)?))
        })
        .await?;
    // The preview needs the calendar and targets only (a new policy has no name yet).
    let mut named = form.clone();
    named.fields.insert("name".into(), "preview".into());
    let mut preview_errors = FieldErrors::default();
    let preview = match named.validate(&mut preview_errors) {
        Some(valid) => preview(&valid.spec, &valid.targets, &valid.timezone, state.clock.now()),
        None => Vec::new(),
    };
    let status = if errors.is_empty() && rule_errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        crate::web::form_status_invalid()
    };
    render_status(
        status,
        PolicyPage { page, policy, form, errors, timezones: TIMEZONES, preview, rules, staff, rule_errors },
    )
}

pub async fn new_policy(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let form = PolicyForm::of(
        "",
        &scope.org.timezone,
        &CalendarSpec::office_hours(),
        &Targets::standard(),
        &[TicketStatus::PendingCustomer],
        false,
        true,
    );
    policy_page(&state, &scope, input, None, form, FieldErrors::default(), FieldErrors::default()).await
}

/// The organization's own policy from the URL, or 404 (an MSP's policy is edited in the MSP).
async fn own_policy(state: &AppState, scope: &Scope, id: String) -> AppResult<Policy> {
    let org = scope.org_id().clone();
    state.db.run(move |conn| models::own(conn, &org, &id)?.ok_or(AppError::NotFound)).await
}

pub async fn edit_policy(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let policy = own_policy(&state, &scope, path.into_inner()).await?;
    let r = &policy.row;
    let form = PolicyForm::of(
        &r.name,
        &r.timezone,
        &policy.spec,
        &policy.targets,
        &policy.pause_statuses,
        r.is_default,
        r.enabled,
    );
    policy_page(&state, &scope, input, Some(policy.row), form, FieldErrors::default(), FieldErrors::default()).await
}

/// Only one default policy per organization.
fn clear_other_defaults(conn: &mut DbConnection, org: &OrgId, keep: &SlaPolicyId) -> QueryResult<()> {
    diesel::update(sla_policies::table.filter(sla_policies::org_id.eq(org)).filter(sla_policies::id.ne(keep)))
        .set(sla_policies::is_default.eq(false))
        .execute(conn)
        .map(|_| ())
}

fn values(v: &ValidPolicy) -> (String, String, String) {
    (
        serde_json::to_string(&v.spec).unwrap_or_default(),
        serde_json::to_string(&v.targets).unwrap_or_default(),
        models::statuses_text(&v.pause_statuses),
    )
}

pub async fn create_policy(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = PolicyForm::from_pairs(&form);
    let mut errors = FieldErrors::default();
    let Some(valid) = form.validate(&mut errors) else {
        return policy_page(&state, &scope, input, None, form, errors, FieldErrors::default()).await;
    };
    let org = scope.org_id().clone();
    let id = state
        .db
        .write(move |conn| {
            let id = SlaPolicyId::new();
            let (calendar, targets, pauses) = values(&valid);
            diesel::insert_into(sla_policies::table)
                .values((
                    sla_policies::id.eq(&id),
                    sla_policies::org_id.eq(&org),
                    sla_policies::name.eq(&valid.name),
                    sla_policies::timezone.eq(&valid.timezone),
                    sla_policies::calendar.eq(calendar),
                    sla_policies::targets.eq(targets),
                    sla_policies::pause_statuses.eq(pauses),
                    sla_policies::is_default.eq(valid.is_default),
                    sla_policies::enabled.eq(valid.enabled),
                    sla_policies::created_at.eq(actor.at),
                    sla_policies::updated_at.eq(actor.at),
                ))
                .execute(conn)?;
            if valid.is_default {
                clear_other_defaults(conn, &org, &id)?;
            }
            audit::record(
                conn,
                &actor,
                Some(&org),
                Action::SlaPolicyCreated,
                Target::new("sla_policy", &id, &valid.name),
            )?;
            Ok(id)
        })
        .await?;
    session::flash_ok(
        &session,
        "SLA policy added. New tickets get it when it is the default; choose it on a ticket's page otherwise.",
    );
    Ok(redirect(&format!("/settings/service-desk/policies/{id}")))
}

pub async fn update_policy(
    c: Change,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let old = own_policy(&state, &scope, path.into_inner()).await?;
    let form = PolicyForm::from_pairs(&form);
    let mut errors = FieldErrors::default();
    let Some(valid) = form.validate(&mut errors) else {
        return policy_page(&state, &scope, input, Some(old.row), form, errors, FieldErrors::default()).await;
    };
    let org = scope.org_id().clone();
    let id = old.row.id.clone();
    let recomputed = state
        .db
        .write(move |conn| {
            // Open tickets keep the time used so far, measured on the calendar that applied until now.
            let open = open_tickets_on(conn, &id)?;
            for (ticket_org, ticket) in &open {
                track::freeze(conn, ticket_org, ticket, &old, actor.at)?;
            }
            let (calendar, targets, pauses) = values(&valid);
            diesel::update(sla_policies::table.filter(sla_policies::org_id.eq(&org)).filter(sla_policies::id.eq(&id)))
                .set((
                    sla_policies::name.eq(&valid.name),
                    sla_policies::timezone.eq(&valid.timezone),
                    sla_policies::calendar.eq(calendar),
                    sla_policies::targets.eq(targets),
                    sla_policies::pause_statuses.eq(pauses),
                    sla_policies::is_default.eq(valid.is_default),
                    sla_policies::enabled.eq(valid.enabled),
                    sla_policies::updated_at.eq(actor.at),
                ))
                .execute(conn)?;
            if valid.is_default {
                clear_other_defaults(conn, &org, &id)?;
            }
            let orgs = crate::orgs::find_orgs(conn, open.iter().map(|(org, _)| org))?;
            for (ticket_org, ticket) in &open {
                let org_row = orgs.get(ticket_org).ok_or(AppError::NotFound)?;
                super::sync(conn, org_row, ticket, actor.at, SlaChange::Tick)?;
            }
            let details = if valid.enabled {
                format!("{} open tickets recomputed", open.len())
            } else {
                "switched off".to_string()
            };
            audit::record(
                conn,
                &actor,
                Some(&org),
                Action::SlaPolicyUpdated,
                Target::new("sla_policy", &id, &valid.name).details(details),
            )?;
            Ok(open.len())
        })
        .await?;
    session::flash_ok(&session, format!("SLA policy saved; {recomputed} open tickets follow it now."));
    Ok(redirect("/settings/service-desk"))
}

/// Open tickets under a policy (of the organization or, for an MSP's policy, of its clients).
fn open_tickets_on(
    conn: &mut DbConnection,
    policy: &SlaPolicyId,
) -> QueryResult<Vec<(OrgId, crate::db::ids::TicketId)>> {
    tickets::table
        .filter(tickets::sla_policy_id.eq(policy))
        .filter(tickets::unresolved.eq(true))
        .select((tickets::org_id, tickets::id))
        .load(conn)
}

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    threshold_percent: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
}

pub async fn add_rule(c: Change, path: web::Path<String>, form: web::Form<RuleForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let policy = own_policy(&state, &scope, path.into_inner()).await?;
    let mut errors = FieldErrors::default();
    let target = TargetKind::parse(&form.target);
    if target.is_none() {
        errors.add("target", "Choose a target.");
    }
    let threshold =
        form.threshold_percent.trim().trim_end_matches('%').parse::<i32>().ok().filter(|n| (1..=1000).contains(n));
    if threshold.is_none() {
        errors.add("threshold_percent", "Enter a share of the target from 1 to 1000 percent (100 is the due instant).");
    }
    let action = EscalationAction::parse(&form.action);
    if action.is_none() {
        errors.add("action", "Choose what happens.");
    }
    let role = Role::parse(&form.role);
    let org = scope.org_id().clone();
    let user = form.user.trim().to_string();
    let person = state
        .db
        .run(move |conn| {
            let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
            Ok(if user.is_empty() { None } else { staff::is_worker(conn, &org_row, &user)? })
        })
        .await?;
    match action {
        Some(EscalationAction::NotifyUser | EscalationAction::Reassign) if person.is_none() => {
            errors.add("user", "Choose the person.");
        }
        Some(EscalationAction::NotifyRole) if role.is_none() => errors.add("role", "Choose the role."),
        _ => {}
    }
    let (Some(target), Some(threshold), Some(action), true) = (target, threshold, action, errors.is_empty()) else {
        let r = &policy.row;
        let policy_form = PolicyForm::of(
            &r.name,
            &r.timezone,
            &policy.spec,
            &policy.targets,
            &policy.pause_statuses,
            r.is_default,
            r.enabled,
        );
        return policy_page(&state, &scope, input, Some(policy.row), policy_form, FieldErrors::default(), errors).await;
    };
    let (org, id, name) = (scope.org_id().clone(), policy.row.id.clone(), policy.row.name.clone());
    let user_id = person
        .filter(|_| matches!(action, EscalationAction::NotifyUser | EscalationAction::Reassign))
        .map(|p| p.user_id);
    let role = role.filter(|_| action == EscalationAction::NotifyRole);
    state
        .db
        .write(move |conn| {
            let rule = EscalationRuleId::new();
            diesel::insert_into(sla_escalation_rules::table)
                .values((
                    sla_escalation_rules::id.eq(&rule),
                    sla_escalation_rules::org_id.eq(&org),
                    sla_escalation_rules::policy_id.eq(&id),
                    sla_escalation_rules::target.eq(target),
                    sla_escalation_rules::threshold_percent.eq(threshold),
                    sla_escalation_rules::action.eq(action),
                    sla_escalation_rules::user_id.eq(&user_id),
                    sla_escalation_rules::role.eq(role),
                    sla_escalation_rules::created_at.eq(actor.at),
                ))
                .execute(conn)?;
            resync(conn, &id, actor.at)?;
            let details =
                format!("{threshold}% of {}: {}", target.label().to_lowercase(), action.label().to_lowercase());
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::SlaRuleAdded,
                Target::new("sla_policy", &id, &name).details(details),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Escalation rule added.");
    Ok(redirect(&format!("/settings/service-desk/policies/{}", policy.row.id)))
}

/// Brings the open tickets of a policy in step with its rules.
fn resync(conn: &mut DbConnection, policy: &SlaPolicyId, now: NaiveDateTime) -> Result<(), AppError> {
    for (org, ticket) in open_tickets_on(conn, policy)? {
        let org_row = find_org(conn, &org)?.ok_or(AppError::NotFound)?;
        super::sync(conn, &org_row, &ticket, now, SlaChange::Tick)?;
    }
    Ok(())
}

pub async fn delete_rule(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (policy_id, rule_id) = path.into_inner();
    let policy = own_policy(&state, &scope, policy_id).await?;
    let (org, id, name, row) =
        (scope.org_id().clone(), policy.row.id.clone(), policy.row.name.clone(), policy.row.clone());
    state
        .db
        .write(move |conn| {
            let rule: Option<RuleRow> = models::rules_of(conn, &row)?.into_iter().find(|r| r.id == rule_id.as_str());
            let rule = rule.ok_or(AppError::NotFound)?;
            use crate::schema::ticket_escalations as te;
            diesel::delete(
                te::table
                    .filter(te::rule_id.eq(&rule.id))
                    .filter(te::status.eq(super::escalations::EscalationStatus::Pending)),
            )
            .execute(conn)?;
            diesel::delete(
                sla_escalation_rules::table
                    .filter(sla_escalation_rules::org_id.eq(&org))
                    .filter(sla_escalation_rules::id.eq(&rule.id)),
            )
            .execute(conn)
            .map_err(|e| match e {
                // A rule that already fired on tickets stays in their history.
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _) => {
                    AppError::BadRequest(
                        "This rule has already fired on tickets; switch the policy to another rule set instead.".into(),
                    )
                }
                other => other.into(),
            })?;
            let details = format!("{}% of {}", rule.threshold_percent, rule.target.label().to_lowercase());
            Ok(audit::record(
                conn,
                &actor,
                Some(&org),
                Action::SlaRuleRemoved,
                Target::new("sla_policy", &id, &name).details(details),
            )?)
        })
        .await?;
    session::flash_ok(&session, "Escalation rule removed.");
    Ok(redirect(&format!("/settings/service-desk/policies/{}", policy.row.id)))
}

#[derive(Deserialize)]
pub struct TicketPolicyForm {
    #[serde(default)]
    policy: String,
}

/// Puts a ticket under another policy, or none.
pub async fn set_ticket_policy(
    state: web::Data<AppState>,
    scope: Scope,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
    form: web::Form<TicketPolicyForm>,
) -> AppResult<HttpResponse> {
    use crate::psa::tickets::service::{self, Author};
    let (org, number, chosen) = (scope.org_id().clone(), path.into_inner(), form.policy.trim().to_string());
    let back = format!("/tickets/{}", crate::psa::tickets::models::parse_number(&number).unwrap_or(0));
    let outcome = service::write(&state.db, move |conn| {
        let ticket = crate::psa::tickets::page::ticket_in_scope(conn, &org, &number)?;
        let org_row: Organization = find_org(conn, &org)?.ok_or(diesel::result::Error::NotFound)?;
        let policy = match chosen.as_str() {
            "" => None,
            id => Some(
                models::usable_by_id(conn, &org_row, id)?
                    .ok_or_else(|| service::DeskError::Refused("Choose one of the SLA policies offered.".into()))?
                    .row
                    .id,
            ),
        };
        let changed = service::set_policy(conn, &org, &ticket.id, &Author::staff(&actor), policy.as_ref())?;
        Ok(if changed { "SLA policy changed; the time already used is kept." } else { "Nothing changed." }.to_string())
    })
    .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&back))
}

/// Lets templates ask whether a policy belongs to the organization itself.
pub fn is_own(policy: &PolicyRow, org: &OrgId) -> bool {
    &policy.org_id == org
}
