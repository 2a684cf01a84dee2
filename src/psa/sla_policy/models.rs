//! SLA policies and escalation rules: rows, and the lookups of the policies an organization may use (its own,
//! and its MSP's, which are the default for the MSP's clients).

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;

use super::clocks::TargetKind;
use super::spec::{CalendarSpec, Targets};
use crate::auth::permissions::Role;
use crate::db::DbConnection;
use crate::db::ids::{EscalationRuleId, OrgId, SlaPolicyId, UserId};
use crate::orgs::Organization;
use crate::psa::sla::BusinessCalendar;
use crate::psa::tickets::models::TicketStatus;
use crate::schema::{sla_escalation_rules, sla_policies};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sla_policies)]
pub struct PolicyRow {
    pub id: SlaPolicyId,
    pub org_id: OrgId,
    pub name: String,
    pub timezone: String,
    pub calendar: String,
    pub targets: String,
    pub pause_statuses: String,
    pub is_default: bool,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A policy, read and checked.
#[derive(Clone, Debug)]
pub struct Policy {
    pub row: PolicyRow,
    pub tz: Tz,
    pub spec: CalendarSpec,
    pub calendar: BusinessCalendar,
    pub always: BusinessCalendar,
    pub targets: Targets,
    pub pause_statuses: Vec<TicketStatus>,
}

impl Policy {
    /// Reads a stored policy; a stored calendar that no longer builds is a data error, not a default.
    pub fn from_row(row: PolicyRow) -> QueryResult<Policy> {
        let broken =
            |what: &str| diesel::result::Error::DeserializationError(format!("SLA policy {}: {what}", row.id).into());
        let tz: Tz = row.timezone.parse().map_err(|_| broken("unknown timezone"))?;
        let spec: CalendarSpec = serde_json::from_str(&row.calendar).map_err(|_| broken("unreadable calendar"))?;
        let calendar = spec.build(tz).map_err(|e| broken(&e.message))?;
        let targets: Targets = serde_json::from_str(&row.targets).map_err(|_| broken("unreadable targets"))?;
        let pause_statuses = parse_statuses(&row.pause_statuses);
        Ok(Policy { tz, spec, calendar, always: BusinessCalendar::always_open(tz), targets, pause_statuses, row })
    }

    /// Does the clock stand still in this status? (Resolved and closed tickets always stop it.)
    pub fn pauses_in(&self, status: TicketStatus) -> bool {
        !status.is_unresolved() || self.pause_statuses.contains(&status)
    }

    pub fn id(&self) -> &SlaPolicyId {
        &self.row.id
    }
}

pub fn parse_statuses(text: &str) -> Vec<TicketStatus> {
    text.split_whitespace().filter_map(TicketStatus::parse).collect()
}

pub fn statuses_text(statuses: &[TicketStatus]) -> String {
    statuses.iter().map(|s| s.id()).collect::<Vec<_>>().join(" ")
}

/// The organizations whose policies `org` may use: itself, and its MSP.
pub fn usable_orgs(org: &Organization) -> Vec<OrgId> {
    let mut orgs = vec![org.id.clone()];
    orgs.extend(org.msp_org_id.clone());
    orgs
}

/// Every policy `org` may use (its own first), by name.
pub fn usable(conn: &mut DbConnection, org: &Organization) -> QueryResult<Vec<PolicyRow>> {
    let mut rows: Vec<PolicyRow> = sla_policies::table
        .filter(sla_policies::org_id.eq_any(usable_orgs(org)))
        .order((sla_policies::name.asc(), sla_policies::id.asc()))
        .select(PolicyRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| r.org_id != org.id);
    Ok(rows)
}

/// The policy a new ticket of `org` gets: the organization's enabled default, else its MSP's.
pub fn default_for(conn: &mut DbConnection, org: &Organization) -> QueryResult<Option<Policy>> {
    let rows = usable(conn, org)?;
    let pick = rows
        .iter()
        .find(|r| r.org_id == org.id && r.is_default && r.enabled)
        .or_else(|| rows.iter().find(|r| r.org_id != org.id && r.is_default && r.enabled));
    pick.cloned().map(Policy::from_row).transpose()
}

/// A policy `org` may use, by id (from a URL or a form); None otherwise.
pub fn usable_by_id(conn: &mut DbConnection, org: &Organization, id: &str) -> QueryResult<Option<Policy>> {
    let row: Option<PolicyRow> = sla_policies::table
        .filter(sla_policies::org_id.eq_any(usable_orgs(org)))
        .filter(sla_policies::id.eq(id))
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Policy::from_row).transpose()
}

/// A policy of the organization itself (settings pages), by id.
pub fn own(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Policy>> {
    let row: Option<PolicyRow> = sla_policies::table
        .filter(sla_policies::org_id.eq(org))
        .filter(sla_policies::id.eq(id))
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?;
    row.map(Policy::from_row).transpose()
}

/// A policy by id whoever owns it: for a ticket's stored policy (the ticket was given a usable one).
pub fn by_id(conn: &mut DbConnection, id: &SlaPolicyId) -> QueryResult<Option<Policy>> {
    let row: Option<PolicyRow> = sla_policies::table.find(id).select(PolicyRow::as_select()).first(conn).optional()?;
    row.map(Policy::from_row).transpose()
}

crate::text_enum! {
    pub enum EscalationAction {
        NotifyAssignee = "notify_assignee",
        NotifyUser = "notify_user",
        NotifyRole = "notify_role",
        Reassign = "reassign",
        RaisePriority = "raise_priority",
    }
}

impl EscalationAction {
    pub fn label(self) -> &'static str {
        match self {
            EscalationAction::NotifyAssignee => "Notify the assignee",
            EscalationAction::NotifyUser => "Notify a person",
            EscalationAction::NotifyRole => "Notify everyone with a role",
            EscalationAction::Reassign => "Reassign to a person",
            EscalationAction::RaisePriority => "Raise the priority one step",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sla_escalation_rules)]
pub struct RuleRow {
    pub id: EscalationRuleId,
    pub org_id: OrgId,
    pub policy_id: SlaPolicyId,
    pub target: TargetKind,
    pub threshold_percent: i32,
    pub action: EscalationAction,
    pub user_id: Option<UserId>,
    pub role: Option<Role>,
    pub created_at: NaiveDateTime,
}

/// A policy's escalation rules.
pub fn rules_of(conn: &mut DbConnection, policy: &PolicyRow) -> QueryResult<Vec<RuleRow>> {
    sla_escalation_rules::table
        .filter(sla_escalation_rules::org_id.eq(&policy.org_id))
        .filter(sla_escalation_rules::policy_id.eq(&policy.id))
        .order((
            sla_escalation_rules::target.asc(),
            sla_escalation_rules::threshold_percent.asc(),
            sla_escalation_rules::id.asc(),
        ))
        .select(RuleRow::as_select())
        .load(conn)
}
