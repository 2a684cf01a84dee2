//! Campaign rows and their queries, always within one organization (the sign page's token lookup is the one
//! exception: the token is the credential and names its organization).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::{CampaignId, CampaignRequestId, OrgId, PersonId, PolicyVersionId, UserId};
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::schema::{campaign_policies, campaign_requests, campaigns, people, policies, policy_versions};
use crate::web::pagination::contains_pattern;

crate::text_enum! {
    /// Who a campaign asks: everyone active in the people directory, one department, the members holding one
    /// role, or people chosen one by one.
    pub enum Audience {
        Everyone = "everyone",
        Department = "department",
        Role = "role",
        Chosen = "chosen",
        /// Those who signed the campaign this one follows up (a policy changed materially).
        Signers = "signers",
    }
}

impl Audience {
    pub fn label(self) -> &'static str {
        match self {
            Audience::Everyone => "Everyone",
            Audience::Department => "A department",
            Audience::Role => "Members with a role",
            Audience::Chosen => "Chosen people",
            Audience::Signers => "Who signed the previous campaign",
        }
    }
}

crate::text_enum! {
    /// A running campaign sends reminders and accepts signatures; a closed one does neither.
    pub enum CampaignStatus {
        Running = "running",
        Closed = "closed",
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = campaigns)]
pub struct Campaign {
    pub id: CampaignId,
    pub org_id: OrgId,
    pub name: String,
    pub message: String,
    pub due_on: Day,
    pub audience: Audience,
    pub audience_value: String,
    pub status: CampaignStatus,
    pub remind_days_before: i32,
    pub remind_on_due: bool,
    pub remind_every_days: i32,
    pub follow_up_of: Option<CampaignId>,
    pub follow_up_reason: String,
    pub started_by_user_id: Option<UserId>,
    pub started_at: NaiveDateTime,
    pub closed_by_user_id: Option<UserId>,
    pub closed_at: Option<NaiveDateTime>,
    /// The evidence item standing for its signatures on the mapped controls.
    pub evidence_id: Option<crate::db::ids::EvidenceId>,
    pub requested_count: i32,
    pub signed_count: i32,
}

impl Campaign {
    /// How far it is, from the counts kept on the row.
    pub fn tally(&self) -> Tally {
        Tally { total: i64::from(self.requested_count), signed: i64::from(self.signed_count) }
    }

    pub fn is_running(&self) -> bool {
        self.status == CampaignStatus::Running
    }

    pub fn is_overdue(&self, today: Day) -> bool {
        today > self.due_on
    }

    /// "Everyone", "Department: Finance", "Role: Employee", "Chosen people".
    pub fn audience_label(&self) -> String {
        match self.audience {
            Audience::Department => format!("Department: {}", self.audience_value),
            Audience::Role => {
                let role = crate::auth::permissions::Role::parse(&self.audience_value);
                format!("Role: {}", role.map(|r| r.label()).unwrap_or("unknown"))
            }
            other => other.label().to_string(),
        }
    }

    /// "3 days before the due date, on it, every 7 days after": the reminder plan in words.
    pub fn plan_label(&self) -> String {
        let mut parts = Vec::new();
        if self.remind_days_before > 0 {
            parts.push(format!("{} days before the due date", self.remind_days_before));
        }
        if self.remind_on_due {
            parts.push("on the due date".to_string());
        }
        if self.remind_every_days > 0 {
            parts.push(format!("every {} days after it", self.remind_every_days));
        }
        if parts.is_empty() { "No automatic reminders".to_string() } else { parts.join(", ") }
    }

    /// Whether the plan sends a reminder on `today`.
    pub fn reminds_on(&self, today: Day) -> bool {
        let until_due = today.days_until(self.due_on);
        (self.remind_days_before > 0 && until_due == i64::from(self.remind_days_before))
            || (self.remind_on_due && until_due == 0)
            || (self.remind_every_days > 0 && until_due < 0 && (-until_due) % i64::from(self.remind_every_days) == 0)
    }
}

/// A validated campaign to start.
#[derive(Clone, Debug)]
pub struct NewCampaign {
    pub name: String,
    pub message: String,
    pub due_on: Day,
    pub audience: Audience,
    pub audience_value: String,
    pub chosen: Vec<PersonId>,
    pub versions: Vec<PolicyVersionId>,
    pub remind_days_before: i32,
    pub remind_on_due: bool,
    pub remind_every_days: i32,
    pub follow_up_of: Option<CampaignId>,
    pub follow_up_reason: String,
}

/// A published version a campaign can ask for: the current version of each published policy.
#[derive(Queryable, Clone, Debug)]
pub struct Signable {
    pub id: PolicyVersionId,
    pub policy_id: crate::db::ids::PolicyId,
    pub title: String,
    pub number: i32,
}

/// The current published version of every policy of the organization, by title.
pub fn signable_versions(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Vec<Signable>> {
    policy_versions::table
        .inner_join(policies::table)
        .filter(policy_versions::org_id.eq(org))
        .filter(policies::org_id.eq(org))
        .filter(policy_versions::number.eq(policies::version))
        .order((policy_versions::title.asc(), policy_versions::id.asc()))
        .select((policy_versions::id, policy_versions::policy_id, policy_versions::title, policy_versions::number))
        .load(conn)
}

/// The campaign's versions with their text, by title.
pub fn versions_of(
    conn: &mut DbConnection,
    org: &OrgId,
    campaign: &CampaignId,
) -> QueryResult<Vec<crate::compliance::policies::models::Version>> {
    use crate::compliance::policies::models::Version;
    campaign_policies::table
        .inner_join(policy_versions::table)
        .filter(campaign_policies::org_id.eq(org))
        .filter(campaign_policies::campaign_id.eq(campaign))
        .filter(policy_versions::org_id.eq(org))
        .order((policy_versions::title.asc(), policy_versions::id.asc()))
        .select(Version::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Campaign>> {
    campaigns::table
        .filter(campaigns::org_id.eq(org))
        .filter(campaigns::id.eq(id))
        .select(Campaign::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection, org: &OrgId) -> QueryResult<i64> {
    campaigns::table.filter(campaigns::org_id.eq(org)).count().get_result(conn)
}

/// One page of campaigns, newest first.
pub fn page(conn: &mut DbConnection, org: &OrgId, limit: i64, offset: i64) -> QueryResult<Vec<Campaign>> {
    campaigns::table
        .filter(campaigns::org_id.eq(org))
        .order((campaigns::started_at.desc(), campaigns::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Campaign::as_select())
        .load(conn)
}

/// Adds `signed` new signatures to the campaign's count (in the transaction that spent the requests).
pub fn count_signatures(conn: &mut DbConnection, org: &OrgId, campaign: &CampaignId, signed: usize) -> QueryResult<()> {
    let signed = i32::try_from(signed).unwrap_or(i32::MAX);
    diesel::update(campaigns::table.filter(campaigns::org_id.eq(org)).filter(campaigns::id.eq(campaign)))
        .set(campaigns::signed_count.eq(campaigns::signed_count + signed))
        .execute(conn)?;
    Ok(())
}

/// How far a campaign is: requests and signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: i64,
    pub signed: i64,
}

impl Tally {
    /// Whole percent signed (0 for a campaign nobody was asked in).
    pub fn percent(&self) -> i64 {
        if self.total == 0 { 0 } else { self.signed * 100 / self.total }
    }
    pub fn pending(&self) -> i64 {
        self.total - self.signed
    }

    /// How many lines the progress page lists under this filter, when the counts already tell (no search).
    pub fn lines_for(&self, filter: &ProgressFilter) -> Option<i64> {
        if !filter.search.is_empty() {
            return None;
        }
        Some(match filter.state.as_str() {
            "signed" => self.signed,
            "pending" => self.pending(),
            _ => self.total,
        })
    }
}

/// A person's line on the progress page.
#[derive(Queryable, Clone, Debug)]
pub struct ProgressLine {
    pub person_id: PersonId,
    pub name: String,
    pub email: String,
    pub department: String,
    pub signed_at: Option<NaiveDateTime>,
    pub last_reminded_on: Option<Day>,
    pub reminders: i32,
}

/// The progress page's filters: signed, pending (or overdue: pending after the due date) and a search.
#[derive(Clone, Debug, Default)]
pub struct ProgressFilter {
    pub search: String,
    /// "signed", "pending" or "" (everyone).
    pub state: String,
}

type ProgressQuery = Box<
    dyn BoxableExpression<
            diesel::helper_types::InnerJoinQuerySource<campaign_requests::table, people::table>,
            MultiBackend,
            SqlType = diesel::sql_types::Bool,
        >,
>;

fn progress_filter(org: &OrgId, campaign: &CampaignId, f: &ProgressFilter) -> ProgressQuery {
    let mut filter: ProgressQuery =
        Box::new(campaign_requests::org_id.eq(org.clone()).and(campaign_requests::campaign_id.eq(campaign.clone())));
    match f.state.as_str() {
        "signed" => filter = Box::new(filter.and(campaign_requests::signed_at.is_not_null())),
        "pending" => filter = Box::new(filter.and(campaign_requests::signed_at.is_null())),
        _ => {}
    }
    if !f.search.is_empty() {
        let pattern = contains_pattern(&f.search);
        let matches = lower(people::name)
            .like(pattern.clone())
            .escape('\\')
            .or(people::email.like(pattern.clone()).escape('\\'))
            .or(lower(people::department).like(pattern).escape('\\'));
        filter = Box::new(filter.and(matches));
    }
    filter
}

pub fn progress_count(conn: &mut DbConnection, org: &OrgId, c: &CampaignId, f: &ProgressFilter) -> QueryResult<i64> {
    campaign_requests::table.inner_join(people::table).filter(progress_filter(org, c, f)).count().get_result(conn)
}

/// One page of the campaign's people by name (`limit` None: all of them, the CSV export).
pub fn progress_page(
    conn: &mut DbConnection,
    org: &OrgId,
    c: &CampaignId,
    f: &ProgressFilter,
    limit: Option<i64>,
    offset: i64,
) -> QueryResult<Vec<ProgressLine>> {
    let query = campaign_requests::table
        .inner_join(people::table)
        .filter(progress_filter(org, c, f))
        .filter(people::org_id.eq(org))
        .order((people::name.asc(), people::id.asc()))
        .select((
            people::id,
            people::name,
            people::email,
            people::department,
            campaign_requests::signed_at,
            campaign_requests::last_reminded_on,
            campaign_requests::reminders,
        ))
        .offset(offset);
    match limit {
        Some(limit) => query.limit(limit).load(conn),
        None => query.limit(i64::MAX).load(conn),
    }
}

/// One person's request in a campaign.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = campaign_requests)]
pub struct Request {
    pub id: CampaignRequestId,
    pub org_id: OrgId,
    pub campaign_id: CampaignId,
    pub person_id: PersonId,
    pub token_sha256: String,
    pub token_expires_at: NaiveDateTime,
    pub last_reminded_on: Option<Day>,
    pub reminders: i32,
    pub signed_at: Option<NaiveDateTime>,
}

/// The request a signing link's token names (by its hash), with its campaign: whatever the organization.
pub fn request_by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<(Request, Campaign)>> {
    campaign_requests::table
        .inner_join(campaigns::table)
        .filter(campaign_requests::token_sha256.eq(hash))
        .select((Request::as_select(), Campaign::as_select()))
        .first(conn)
        .optional()
        .map(|found| found.filter(|(r, c)| r.org_id == c.org_id))
}

/// A person's request in a campaign of the organization.
pub fn request_of(
    conn: &mut DbConnection,
    org: &OrgId,
    campaign: &CampaignId,
    person: &PersonId,
) -> QueryResult<Option<Request>> {
    campaign_requests::table
        .filter(campaign_requests::org_id.eq(org))
        .filter(campaign_requests::campaign_id.eq(campaign))
        .filter(campaign_requests::person_id.eq(person))
        .select(Request::as_select())
        .first(conn)
        .optional()
}

/// The running campaigns where this person has not signed yet ("My policies"), soonest due first.
pub fn pending_for(conn: &mut DbConnection, org: &OrgId, person: &PersonId) -> QueryResult<Vec<Campaign>> {
    campaign_requests::table
        .inner_join(campaigns::table)
        .filter(campaign_requests::org_id.eq(org))
        .filter(campaign_requests::person_id.eq(person))
        .filter(campaign_requests::signed_at.is_null())
        .filter(campaigns::org_id.eq(org))
        .filter(campaigns::status.eq(CampaignStatus::Running))
        .order((campaigns::due_on.asc(), campaigns::id.asc()))
        .select(Campaign::as_select())
        .load(conn)
}

/// The person row of a member of the organization.
pub fn person_of_user(conn: &mut DbConnection, org: &OrgId, user: &UserId) -> QueryResult<Option<PersonId>> {
    people::table
        .filter(people::org_id.eq(org))
        .filter(people::user_id.eq(user))
        .filter(people::deactivated_at.is_null())
        .select(people::id)
        .first(conn)
        .optional()
}

pub fn close(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &CampaignId,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let closed = diesel::update(
        campaigns::table
            .filter(campaigns::org_id.eq(org))
            .filter(campaigns::id.eq(id))
            .filter(campaigns::status.eq(CampaignStatus::Running)),
    )
    .set((
        campaigns::status.eq(CampaignStatus::Closed),
        campaigns::closed_by_user_id.eq(Some(by)),
        campaigns::closed_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(closed == 1)
}

/// A materially changed version published after a campaign's version of the same policy: what a follow-up
/// campaign asks the campaign's signers to sign.
#[derive(Queryable, Clone, Debug)]
pub struct MaterialChange {
    pub title: String,
    pub number: i32,
    pub reason: String,
}

/// The material new versions of the campaign's policies (one statement).
pub fn material_changes(
    conn: &mut DbConnection,
    org: &OrgId,
    campaign: &CampaignId,
) -> QueryResult<Vec<MaterialChange>> {
    let (asked, newer) = diesel::alias!(policy_versions as asked, policy_versions as newer);
    campaign_policies::table
        .inner_join(asked.on(asked.field(policy_versions::id).eq(campaign_policies::policy_version_id)))
        .inner_join(
            newer.on(newer
                .field(policy_versions::policy_id)
                .eq(asked.field(policy_versions::policy_id))
                .and(newer.field(policy_versions::number).gt(asked.field(policy_versions::number)))),
        )
        .filter(campaign_policies::org_id.eq(org))
        .filter(campaign_policies::campaign_id.eq(campaign))
        .filter(newer.field(policy_versions::org_id).eq(org))
        .filter(newer.field(policy_versions::material).eq(true))
        .order((newer.field(policy_versions::title).asc(), newer.field(policy_versions::number).asc()))
        .select((
            newer.field(policy_versions::title),
            newer.field(policy_versions::number),
            newer.field(policy_versions::material_reason),
        ))
        .load(conn)
}
