//! An organization's controls: the list (filtered, searched, sorted and paginated in SQL over the derived
//! columns, so it costs the same for 20 controls or 200), one control with the people around it, the people who
//! may own controls, and the changes.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use crate::auth::permissions::{Permission, Role, Tier};
use crate::compliance::program::ControlStatus;
use crate::db::ids::{OrgControlId, OrgId, UserId};
use crate::db::{Day, DbConnection, MultiBackend, lower};
use crate::schema::{catalog_controls, memberships, org_controls, technician_assignments, users};
use crate::web::pagination::contains_pattern;

diesel::alias!(users as requester: Requester, users as decider: Decider);

/// Where a control's evidence stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceState {
    /// Nothing linked, or only rejected items.
    None,
    /// Only items awaiting approval.
    Pending,
    /// Approved, valid for 30 days or more.
    Current,
    /// Approved, the earliest expiring within 30 days.
    Expiring,
    /// Approved evidence past its valid-until day: the control is not effective.
    Expired,
}

impl EvidenceState {
    pub const ALL: [EvidenceState; 5] = [
        EvidenceState::None,
        EvidenceState::Pending,
        EvidenceState::Current,
        EvidenceState::Expiring,
        EvidenceState::Expired,
    ];

    pub fn of(approved: i32, pending: i32, valid_until: Option<Day>, today: Day) -> EvidenceState {
        match valid_until.filter(|_| approved > 0) {
            Some(until) if until < today => EvidenceState::Expired,
            Some(until) if until < today.plus_days(30) => EvidenceState::Expiring,
            Some(_) => EvidenceState::Current,
            None if pending > 0 => EvidenceState::Pending,
            None => EvidenceState::None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            EvidenceState::None => "none",
            EvidenceState::Pending => "pending",
            EvidenceState::Current => "current",
            EvidenceState::Expiring => "expiring",
            EvidenceState::Expired => "expired",
        }
    }

    pub fn parse(code: &str) -> Option<EvidenceState> {
        EvidenceState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceState::None => "No evidence",
            EvidenceState::Pending => "Awaiting approval",
            EvidenceState::Current => "Current",
            EvidenceState::Expiring => "Expires within 30 days",
            EvidenceState::Expired => "Expired",
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            EvidenceState::None => "muted",
            EvidenceState::Pending => "info",
            EvidenceState::Current => "ok",
            EvidenceState::Expiring => "warn",
            EvidenceState::Expired => "bad",
        }
    }
}

/// The due-date filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueFilter {
    /// Past due and still open.
    Overdue,
    /// Due within 30 days and still open.
    Soon,
    /// No due date.
    Unset,
}

impl DueFilter {
    pub const ALL: [(DueFilter, &'static str, &'static str); 3] = [
        (DueFilter::Overdue, "overdue", "Overdue"),
        (DueFilter::Soon, "soon", "Due within 30 days"),
        (DueFilter::Unset, "none", "No due date"),
    ];

    pub fn parse(code: &str) -> Option<DueFilter> {
        DueFilter::ALL.iter().find(|(_, c, _)| *c == code).map(|(f, _, _)| *f)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerFilter {
    Anyone,
    Nobody,
    User(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Control,
    Title,
    Status,
    Owner,
    Due,
    Review,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 6] = [
        (Sort::Control, "control", "Control id"),
        (Sort::Title, "title", "Title"),
        (Sort::Status, "status", "Status"),
        (Sort::Owner, "owner", "Owner"),
        (Sort::Due, "due", "Due date"),
        (Sort::Review, "review", "Next review"),
    ];

    pub fn parse(code: &str) -> Sort {
        Sort::ALL.iter().find(|(_, c, _)| *c == code).map(|(s, _, _)| *s).unwrap_or(Sort::Control)
    }
}

/// The controls list's filters.
#[derive(Clone, Debug)]
pub struct ListFilter {
    pub framework: Option<String>,
    pub domain: Option<String>,
    pub status: Option<ControlStatus>,
    pub owner: OwnerFilter,
    pub evidence: Option<EvidenceState>,
    pub due: Option<DueFilter>,
    /// Implemented controls whose next review day has passed.
    pub review_overdue: bool,
    /// Words that must each appear in the control's id or title.
    pub search: String,
    pub today: Day,
}

/// One line of the controls list.
#[derive(Clone, Debug, Queryable)]
pub struct ListRow {
    pub control_id: String,
    pub title: String,
    pub domain_id: String,
    pub status: ControlStatus,
    pub owner_name: Option<String>,
    pub due_on: Option<Day>,
    pub next_review_on: Option<Day>,
    pub frameworks: String,
    pub evidence_approved: i32,
    pub evidence_pending: i32,
    pub evidence_valid_until: Option<Day>,
}

type Listed = diesel::dsl::LeftJoinOn<
    diesel::dsl::InnerJoin<org_controls::table, catalog_controls::table>,
    users::table,
    diesel::dsl::Eq<diesel::dsl::Nullable<users::id>, org_controls::owner_user_id>,
>;
type ListQuery<'a> = diesel::dsl::IntoBoxed<'a, Listed, MultiBackend>;

/// The in-scope controls of the organization matching the filter (boxed: the count and the page share it).
fn filtered<'a>(org_id: &'a OrgId, f: &'a ListFilter) -> ListQuery<'a> {
    let mut q = org_controls::table
        .inner_join(catalog_controls::table)
        .left_join(users::table.on(users::id.nullable().eq(org_controls::owner_user_id)))
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::in_scope.eq(true))
        .into_boxed();
    if let Some(framework) = &f.framework {
        q = q.filter(org_controls::frameworks.like(format!("% {framework} %")));
    }
    if let Some(domain) = &f.domain {
        q = q.filter(catalog_controls::domain_id.eq(domain));
    }
    if let Some(status) = f.status {
        q = q.filter(org_controls::status.eq(status));
    }
    match &f.owner {
        OwnerFilter::Anyone => {}
        OwnerFilter::Nobody => q = q.filter(org_controls::owner_user_id.is_null()),
        OwnerFilter::User(id) => q = q.filter(org_controls::owner_user_id.eq(id)),
    }
    let (today, soon) = (f.today, f.today.plus_days(30));
    let approved = org_controls::evidence_approved.gt(0);
    q = match f.evidence {
        None => q,
        Some(EvidenceState::Expired) => q.filter(approved.and(org_controls::evidence_valid_until.lt(today))),
        Some(EvidenceState::Expiring) => q.filter(
            approved.and(org_controls::evidence_valid_until.ge(today)).and(org_controls::evidence_valid_until.lt(soon)),
        ),
        Some(EvidenceState::Current) => q.filter(approved.and(org_controls::evidence_valid_until.ge(soon))),
        Some(EvidenceState::Pending) => {
            q.filter(org_controls::evidence_approved.eq(0).and(org_controls::evidence_pending.gt(0)))
        }
        Some(EvidenceState::None) => {
            q.filter(org_controls::evidence_approved.eq(0).and(org_controls::evidence_pending.eq(0)))
        }
    };
    let open = org_controls::status.eq_any([
        ControlStatus::NotStarted,
        ControlStatus::InProgress,
        ControlStatus::ReadyForReview,
    ]);
    q = match f.due {
        None => q,
        Some(DueFilter::Overdue) => q.filter(open.and(org_controls::due_on.lt(today))),
        Some(DueFilter::Soon) => q.filter(open.and(org_controls::due_on.ge(today)).and(org_controls::due_on.lt(soon))),
        Some(DueFilter::Unset) => q.filter(org_controls::due_on.is_null()),
    };
    if f.review_overdue {
        q = q.filter(org_controls::status.eq(ControlStatus::Implemented).and(org_controls::next_review_on.lt(today)));
    }
    for word in f.search.split_whitespace().take(8) {
        let pattern = contains_pattern(word);
        q = q.filter(
            lower(org_controls::control_id)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(catalog_controls::title).like(pattern).escape('\\')),
        );
    }
    q
}

pub fn count(conn: &mut DbConnection, org_id: &OrgId, filter: &ListFilter) -> QueryResult<i64> {
    filtered(org_id, filter).count().get_result(conn)
}

/// Open first, then ready for review, implemented, not applicable.
const STATUS_ORDER: &str = "CASE org_controls.status WHEN 'not_started' THEN 0 WHEN 'in_progress' THEN 1 \
    WHEN 'ready_for_review' THEN 2 WHEN 'implemented' THEN 3 ELSE 4 END";

/// One page of the list.
pub fn page(
    conn: &mut DbConnection,
    org_id: &OrgId,
    filter: &ListFilter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ListRow>> {
    let q = filtered(org_id, filter).limit(limit).offset(offset);
    let q = match sort {
        Sort::Control => q.order(org_controls::position),
        Sort::Title => q.order((catalog_controls::title, org_controls::position)),
        Sort::Status => q.order((sql::<Integer>(STATUS_ORDER), org_controls::position)),
        Sort::Owner => q.order((org_controls::owner_user_id.is_null(), users::name.nullable(), org_controls::position)),
        Sort::Due => q.order((org_controls::due_on.is_null(), org_controls::due_on, org_controls::position)),
        Sort::Review => {
            q.order((org_controls::next_review_on.is_null(), org_controls::next_review_on, org_controls::position))
        }
    };
    q.select((
        org_controls::control_id,
        catalog_controls::title,
        catalog_controls::domain_id,
        org_controls::status,
        users::name.nullable(),
        org_controls::due_on,
        org_controls::next_review_on,
        org_controls::frameworks,
        org_controls::evidence_approved,
        org_controls::evidence_pending,
        org_controls::evidence_valid_until,
    ))
    .load(conn)
}

/// One control of the organization with the people named on it.
#[derive(Clone, Debug, Queryable)]
pub struct ControlRecord {
    pub id: OrgControlId,
    pub control_id: String,
    pub status: ControlStatus,
    pub owner_user_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub due_on: Option<Day>,
    pub notes: String,
    pub na_justification: String,
    pub review_months: i32,
    pub next_review_on: Option<Day>,
    pub review_requested_by: Option<UserId>,
    pub requested_by_name: Option<String>,
    pub review_requested_at: Option<NaiveDateTime>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_comment: String,
    pub in_scope: bool,
    pub frameworks: String,
    pub evidence_approved: i32,
    pub evidence_pending: i32,
    pub evidence_valid_until: Option<Day>,
}

/// The organization's control for a catalog id (None: the organization never needed it): one statement.
pub fn find(conn: &mut DbConnection, org_id: &OrgId, control_id: &str) -> QueryResult<Option<ControlRecord>> {
    org_controls::table
        .left_join(users::table.on(users::id.nullable().eq(org_controls::owner_user_id)))
        .left_join(requester.on(requester.field(users::id).nullable().eq(org_controls::review_requested_by_user_id)))
        .left_join(decider.on(decider.field(users::id).nullable().eq(org_controls::decided_by_user_id)))
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::control_id.eq(control_id))
        .select((
            org_controls::id,
            org_controls::control_id,
            org_controls::status,
            org_controls::owner_user_id,
            users::name.nullable(),
            org_controls::due_on,
            org_controls::notes,
            org_controls::na_justification,
            org_controls::review_months,
            org_controls::next_review_on,
            org_controls::review_requested_by_user_id,
            requester.field(users::name).nullable(),
            org_controls::review_requested_at,
            decider.field(users::name).nullable(),
            org_controls::decided_at,
            org_controls::decision_comment,
            org_controls::in_scope,
            org_controls::frameworks,
            org_controls::evidence_approved,
            org_controls::evidence_pending,
            org_controls::evidence_valid_until,
        ))
        .first(conn)
        .optional()
}

/// A person who may own controls here.
#[derive(Clone, Debug, Queryable)]
pub struct Candidate {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

/// Roles whose own permissions include working controls.
fn editor_roles() -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| r.permissions().contains(Permission::EditControls)).collect()
}

/// The compliance team of the organization: its active members who may work controls (by role, or by the
/// compliance-team flag), and the staff of the MSP managing it (`managed_by`, at a tier that allows that work)
/// who work in it with that permission (everyone for roles that reach every client, else the assigned ones).
/// One statement, reading the memberships of the two organizations through their index.
pub fn owner_candidates(
    conn: &mut DbConnection,
    org_id: &OrgId,
    managed_by: Option<&(OrgId, Tier)>,
) -> QueryResult<Vec<Candidate>> {
    let msp = managed_by
        .filter(|(_, tier)| Permission::EditControls.min_tier().is_some_and(|min| min <= *tier))
        .map(|(msp, _)| msp.clone());
    let assigned = technician_assignments::table
        .filter(technician_assignments::org_id.eq(org_id))
        .select(technician_assignments::user_id);
    let all_clients: Vec<Role> = Role::ALL.into_iter().filter(|r| r.reaches_all_clients()).collect();
    let orgs: Vec<OrgId> = std::iter::once(org_id.clone()).chain(msp).collect();
    memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq_any(orgs))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.ne(Role::PortalUser))
        .filter(memberships::role.eq_any(editor_roles()).or(memberships::compliance_team.eq(true)))
        .filter(
            memberships::org_id
                .eq(org_id)
                .or(memberships::role.eq_any(all_clients))
                .or(memberships::user_id.eq_any(assigned)),
        )
        .select((users::id, users::name, users::email))
        .distinct()
        .order((users::name, users::email))
        .load(conn)
}

/// The fields of a control's details form, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    pub owner: Option<UserId>,
    pub due_on: Option<Day>,
    pub review_months: i32,
    pub next_review_on: Option<Day>,
    pub notes: String,
}

pub fn update_details(
    conn: &mut DbConnection,
    org_id: &OrgId,
    control_id: &str,
    d: &Details,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(org_controls::table)
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::control_id.eq(control_id))
        .set((
            org_controls::owner_user_id.eq(&d.owner),
            org_controls::due_on.eq(d.due_on),
            org_controls::review_months.eq(d.review_months),
            org_controls::next_review_on.eq(d.next_review_on),
            org_controls::notes.eq(&d.notes),
            org_controls::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Moves a control to a status someone working it may set; a review request records who asked (the one who
/// may not approve it).
pub fn set_status(
    conn: &mut DbConnection,
    org_id: &OrgId,
    control_id: &str,
    status: ControlStatus,
    justification: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let requested = status == ControlStatus::ReadyForReview;
    diesel::update(org_controls::table)
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::control_id.eq(control_id))
        .set((
            org_controls::status.eq(status),
            org_controls::na_justification.eq(justification),
            org_controls::review_requested_by_user_id.eq(requested.then_some(by)),
            org_controls::review_requested_at.eq(requested.then_some(now)),
            org_controls::updated_at.eq(now),
        ))
        .execute(conn)
}

/// An approver's decision on a control that is ready for review.
#[derive(Clone, Debug)]
pub struct Decision {
    pub approve: bool,
    pub comment: String,
    /// On approval: when the control is next reviewed (it is reviewed today).
    pub next_review_on: Option<Day>,
}

/// Applies a decision: Implemented, or back to In progress. Only a control still ready for review, asked for
/// by someone else, changes: 0 rows otherwise.
pub fn decide(
    conn: &mut DbConnection,
    org_id: &OrgId,
    control_id: &str,
    decision: &Decision,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = org_controls::table
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::control_id.eq(control_id))
        .filter(org_controls::status.eq(ControlStatus::ReadyForReview))
        .filter(
            org_controls::review_requested_by_user_id.is_null().or(org_controls::review_requested_by_user_id.ne(by)),
        );
    let decided = (
        org_controls::decided_by_user_id.eq(by),
        org_controls::decided_at.eq(now),
        org_controls::decision_comment.eq(&decision.comment),
        org_controls::updated_at.eq(now),
    );
    if decision.approve {
        diesel::update(target)
            .set((
                org_controls::status.eq(ControlStatus::Implemented),
                org_controls::next_review_on.eq(decision.next_review_on),
                decided,
            ))
            .execute(conn)
    } else {
        diesel::update(target).set((org_controls::status.eq(ControlStatus::InProgress), decided)).execute(conn)
    }
}
