//! Policy rows and their queries, always within one organization: the policy (its current draft and where it
//! stands), the controls it maps to, and its published versions (written once, never changed).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::Digest;

use crate::db::ids::{EvidenceId, OrgId, PolicyId, PolicyVersionId, UserId};
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::schema::{policies, policy_controls, policy_versions, users};
use crate::web::pagination::contains_pattern;

crate::text_enum! {
    /// Where a policy stands: a draft is written, sent for review, approved by an approver, then published as
    /// a new version. Changing a published policy starts a new draft (the published version stays current).
    pub enum PolicyStatus {
        Draft = "draft",
        InReview = "in_review",
        Approved = "approved",
        Published = "published",
    }
}

impl PolicyStatus {
    pub fn label(self) -> &'static str {
        match self {
            PolicyStatus::Draft => "Draft",
            PolicyStatus::InReview => "In review",
            PolicyStatus::Approved => "Approved",
            PolicyStatus::Published => "Published",
        }
    }
    pub fn tone(self) -> &'static str {
        match self {
            PolicyStatus::Draft => "muted",
            PolicyStatus::InReview => "info",
            PolicyStatus::Approved => "warn",
            PolicyStatus::Published => "ok",
        }
    }
}

crate::text_enum! {
    /// What a policy is about: decides who may approve it besides an Approver (Approver (Security) for security
    /// policies, Approver (Privacy) for privacy ones).
    pub enum PolicyKind {
        Security = "security",
        Privacy = "privacy",
        General = "general",
    }
}

impl PolicyKind {
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Security => "Security",
            PolicyKind::Privacy => "Privacy",
            PolicyKind::General => "General",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = policies)]
pub struct Policy {
    pub id: PolicyId,
    pub org_id: OrgId,
    pub template_slug: String,
    pub title: String,
    pub kind: PolicyKind,
    pub status: PolicyStatus,
    pub body: String,
    pub owner_user_id: Option<UserId>,
    pub review_months: i32,
    pub next_review_on: Option<Day>,
    pub version: i32,
    pub evidence_id: Option<EvidenceId>,
    pub change_summary: String,
    pub submitted_by_user_id: Option<UserId>,
    pub submitted_at: Option<NaiveDateTime>,
    pub approved_by_user_id: Option<UserId>,
    pub approved_at: Option<NaiveDateTime>,
    pub decision_comment: String,
    pub created_by_user_id: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Policy {
    /// Is its review past due on `today`?
    pub fn is_overdue(&self, today: Day) -> bool {
        self.next_review_on.is_some_and(|d| d < today)
    }
    /// "v2", or "Not published".
    pub fn version_label(&self) -> String {
        if self.version == 0 { "Not published".into() } else { format!("v{}", self.version) }
    }
    /// The status as the list reads it: a draft of a published policy says so.
    pub fn status_label(&self) -> String {
        match (self.status, self.version) {
            (PolicyStatus::Published, _) | (_, 0) => self.status.label().into(),
            (status, version) => format!("{} (v{version} published)", status.label()),
        }
    }
    pub fn next_review_label(&self) -> String {
        self.next_review_on.map(|d| d.label()).unwrap_or_else(|| "Not set".into())
    }
}

/// A published version.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = policy_versions)]
pub struct Version {
    pub id: PolicyVersionId,
    pub org_id: OrgId,
    pub policy_id: PolicyId,
    pub number: i32,
    pub title: String,
    pub body: String,
    pub sha256: String,
    pub change_summary: String,
    pub author_user_id: Option<UserId>,
    pub approver_user_id: Option<UserId>,
    pub approved_at: NaiveDateTime,
    pub published_by_user_id: Option<UserId>,
    pub published_at: NaiveDateTime,
    pub material: bool,
    pub material_reason: String,
}

/// SHA-256 of a text, in hex (what a version records of what was published).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The library's filters.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub search: String,
    pub status: Option<PolicyStatus>,
    pub kind: Option<PolicyKind>,
    /// Only those whose review is past due on this day.
    pub overdue_on: Option<Day>,
}

type Filter = Box<dyn BoxableExpression<policies::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

fn filter(org: &OrgId, f: &ListFilter) -> Filter {
    let mut filter: Filter = Box::new(policies::org_id.eq(org.clone()));
    if let Some(status) = f.status {
        filter = Box::new(filter.and(policies::status.eq(status)));
    }
    if let Some(kind) = f.kind {
        filter = Box::new(filter.and(policies::kind.eq(kind)));
    }
    if let Some(today) = f.overdue_on {
        filter = Box::new(filter.and(policies::next_review_on.lt(today).assume_not_null()));
    }
    if !f.search.is_empty() {
        filter = Box::new(filter.and(lower(policies::title).like(contains_pattern(&f.search)).escape('\\')));
    }
    filter
}

pub fn count(conn: &mut DbConnection, org: &OrgId, f: &ListFilter) -> QueryResult<i64> {
    policies::table.filter(filter(org, f)).count().get_result(conn)
}

/// A row of the library: the policy and its owner's name.
pub type ListRow = (Policy, Option<String>);

/// One page of the library by title, with each owner's name (two statements).
pub fn page(
    conn: &mut DbConnection,
    org: &OrgId,
    f: &ListFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ListRow>> {
    let policies: Vec<Policy> = policies::table
        .filter(filter(org, f))
        .order((policies::title.asc(), policies::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(Policy::as_select())
        .load(conn)?;
    let names = user_names(conn, policies.iter().filter_map(|p| p.owner_user_id.clone()).collect())?;
    Ok(policies
        .into_iter()
        .map(|p| {
            let owner = p.owner_user_id.as_ref().and_then(|u| names.get(u)).cloned();
            (p, owner)
        })
        .collect())
}

/// A policy of the organization by id, or None (another organization's ids are not found).
pub fn find(conn: &mut DbConnection, org: &OrgId, id: &str) -> QueryResult<Option<Policy>> {
    policies::table
        .filter(policies::org_id.eq(org))
        .filter(policies::id.eq(id))
        .select(Policy::as_select())
        .first(conn)
        .optional()
}

/// The controls a policy maps to, by id.
pub fn controls(conn: &mut DbConnection, org: &OrgId, id: &PolicyId) -> QueryResult<Vec<String>> {
    policy_controls::table
        .filter(policy_controls::org_id.eq(org))
        .filter(policy_controls::policy_id.eq(id))
        .select(policy_controls::control_id)
        .order(policy_controls::control_id)
        .load(conn)
}

/// Replaces the controls a policy maps to (one DELETE, one INSERT).
pub fn set_controls(conn: &mut DbConnection, org: &OrgId, id: &PolicyId, controls: &[String]) -> QueryResult<()> {
    diesel::delete(
        policy_controls::table.filter(policy_controls::org_id.eq(org)).filter(policy_controls::policy_id.eq(id)),
    )
    .execute(conn)?;
    if controls.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = controls
        .iter()
        .map(|c| {
            (
                policy_controls::org_id.eq(org.clone()),
                policy_controls::policy_id.eq(id.clone()),
                policy_controls::control_id.eq(c.clone()),
            )
        })
        .collect();
    crate::batch_insert!(conn, policy_controls::table, &rows)?;
    Ok(())
}

/// A policy's details as a draft's form sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub kind: PolicyKind,
    pub owner: Option<UserId>,
    pub review_months: i32,
    pub next_review_on: Option<Day>,
    pub body: String,
    pub controls: Vec<String>,
}

pub fn insert(
    conn: &mut DbConnection,
    org: &OrgId,
    template_slug: &str,
    d: &Draft,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<PolicyId> {
    let id = PolicyId::new();
    diesel::insert_into(policies::table)
        .values((
            policies::id.eq(&id),
            policies::org_id.eq(org),
            policies::template_slug.eq(template_slug),
            policies::title.eq(&d.title),
            policies::kind.eq(d.kind),
            policies::status.eq(PolicyStatus::Draft),
            policies::body.eq(&d.body),
            policies::owner_user_id.eq(&d.owner),
            policies::review_months.eq(d.review_months),
            policies::next_review_on.eq(d.next_review_on),
            policies::created_by_user_id.eq(by),
            policies::created_at.eq(now),
            policies::updated_at.eq(now),
        ))
        .execute(conn)?;
    set_controls(conn, org, &id, &d.controls)?;
    Ok(id)
}

/// Saves a draft: any change to a policy under review, approved or published makes it a draft again (the
/// published version stays current until the next one is published). Only the policy as read (`expected`)
/// is changed, so a second editor gets their text back instead of overwriting the first one's: 0 rows then.
pub fn save_draft(
    conn: &mut DbConnection,
    org: &OrgId,
    policy: &Policy,
    d: &Draft,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let changed = diesel::update(
        policies::table
            .filter(policies::org_id.eq(org))
            .filter(policies::id.eq(&policy.id))
            .filter(policies::updated_at.eq(policy.updated_at)),
    )
    .set((
        policies::title.eq(&d.title),
        policies::kind.eq(d.kind),
        policies::status.eq(PolicyStatus::Draft),
        policies::body.eq(&d.body),
        policies::owner_user_id.eq(&d.owner),
        policies::review_months.eq(d.review_months),
        policies::next_review_on.eq(d.next_review_on),
        policies::submitted_by_user_id.eq(None::<UserId>),
        policies::submitted_at.eq(None::<NaiveDateTime>),
        policies::approved_by_user_id.eq(None::<UserId>),
        policies::approved_at.eq(None::<NaiveDateTime>),
        policies::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed > 0 {
        set_controls(conn, org, &policy.id, &d.controls)?;
    }
    Ok(changed)
}

/// Moves a policy from `from` to `to` (a lifecycle step), with the columns that step sets. 0 rows when it is
/// no longer in `from` (someone else moved it first).
fn step<V>(conn: &mut DbConnection, org: &OrgId, id: &PolicyId, from: PolicyStatus, values: V) -> QueryResult<usize>
where
    V: diesel::query_builder::AsChangeset<Target = policies::table>,
    <V as diesel::query_builder::AsChangeset>::Changeset: diesel::query_builder::QueryFragment<MultiBackend>,
{
    diesel::update(
        policies::table.filter(policies::org_id.eq(org)).filter(policies::id.eq(id)).filter(policies::status.eq(from)),
    )
    .set(values)
    .execute(conn)
}

/// Draft -> In review, asked by `by` (who then may not approve it), with the summary of what changed.
pub fn submit(
    conn: &mut DbConnection,
    org: &OrgId,
    id: &PolicyId,
    summary: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    step(
        conn,
        org,
        id,
        PolicyStatus::Draft,
        (
            policies::status.eq(PolicyStatus::InReview),
            policies::change_summary.eq(summary),
            policies::submitted_by_user_id.eq(by),
            policies::submitted_at.eq(now),
            policies::decision_comment.eq(""),
            policies::updated_at.eq(now),
        ),
    )
}

/// In review -> Approved, or back to Draft with the approver's comment; never by its author (who sent it for
/// review, as for controls): 0 rows then.
pub fn decide(
    conn: &mut DbConnection,
    org: &OrgId,
    policy: &Policy,
    approve: bool,
    comment: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if policy.submitted_by_user_id.as_ref() == Some(by) {
        return Ok(0);
    }
    let to = if approve { PolicyStatus::Approved } else { PolicyStatus::Draft };
    step(
        conn,
        org,
        &policy.id,
        PolicyStatus::InReview,
        (
            policies::status.eq(to),
            policies::approved_by_user_id.eq(approve.then_some(by)),
            policies::approved_at.eq(approve.then_some(now)),
            policies::decision_comment.eq(comment),
            policies::updated_at.eq(now),
        ),
    )
}

/// What publishing records besides the text.
pub struct Publication<'a> {
    pub material: bool,
    pub reason: &'a str,
    pub evidence_id: &'a EvidenceId,
}

/// Approved -> Published: writes the next version (the text, its hash, the summary, author and approver) and
/// makes it current. Returns the version number, or None when the policy is no longer approved.
pub fn publish(
    conn: &mut DbConnection,
    org: &OrgId,
    policy: &Policy,
    p: &Publication<'_>,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    let number = policy.version + 1;
    let moved = step(
        conn,
        org,
        &policy.id,
        PolicyStatus::Approved,
        (
            policies::status.eq(PolicyStatus::Published),
            policies::version.eq(number),
            policies::evidence_id.eq(p.evidence_id),
            policies::updated_at.eq(now),
        ),
    )?;
    if moved == 0 {
        return Ok(None);
    }
    diesel::insert_into(policy_versions::table)
        .values((
            policy_versions::id.eq(PolicyVersionId::new()),
            policy_versions::org_id.eq(org),
            policy_versions::policy_id.eq(&policy.id),
            policy_versions::number.eq(number),
            policy_versions::title.eq(&policy.title),
            policy_versions::body.eq(&policy.body),
            policy_versions::sha256.eq(sha256_hex(&policy.body)),
            policy_versions::change_summary.eq(&policy.change_summary),
            policy_versions::author_user_id.eq(&policy.submitted_by_user_id),
            policy_versions::approver_user_id.eq(&policy.approved_by_user_id),
            policy_versions::approved_at.eq(policy.approved_at.unwrap_or(now)),
            policy_versions::published_by_user_id.eq(by),
            policy_versions::published_at.eq(now),
            policy_versions::material.eq(p.material),
            policy_versions::material_reason.eq(p.reason),
        ))
        .execute(conn)?;
    Ok(Some(number))
}

/// A policy's versions, newest first.
pub fn versions(conn: &mut DbConnection, org: &OrgId, id: &PolicyId) -> QueryResult<Vec<Version>> {
    policy_versions::table
        .filter(policy_versions::org_id.eq(org))
        .filter(policy_versions::policy_id.eq(id))
        .order(policy_versions::number.desc())
        .select(Version::as_select())
        .load(conn)
}

/// The organization's policies whose review is past due on `today` (the compliance dashboard): how many, and
/// the first few by date.
pub fn overdue(
    conn: &mut DbConnection,
    org: &OrgId,
    today: Day,
    limit: i64,
) -> QueryResult<Vec<(PolicyId, String, Day)>> {
    let rows: Vec<(PolicyId, String, Option<Day>)> = policies::table
        .filter(policies::org_id.eq(org))
        .filter(policies::next_review_on.lt(today))
        .order((policies::next_review_on.asc(), policies::title.asc()))
        .limit(limit)
        .select((policies::id, policies::title, policies::next_review_on))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, title, day)| Some((id, title, day?))).collect())
}

/// Names of users by id (owners, authors and approvers shown on a policy page): one statement.
pub fn user_names(conn: &mut DbConnection, ids: Vec<UserId>) -> QueryResult<std::collections::HashMap<UserId, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(UserId, String)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load(conn)?;
    Ok(rows.into_iter().collect())
}
