//! Evidence rows: items (a file with its revisions, a link or a note), their links to controls, and the
//! summary each control keeps of its evidence (`resummarize`, run after any change to either).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::compliance::controls::models::EvidenceState;
use crate::db::ids::{EvidenceId, OrgId, RevisionId, UserId};
use crate::db::{Day, DbConnection};
use crate::schema::{evidence, evidence_links, evidence_revisions, org_controls, users};

crate::text_enum! {
    /// What an evidence item is made of.
    pub enum EvidenceSource {
        File = "file",
        Link = "link",
        Note = "note",
    }
}

impl EvidenceSource {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceSource::File => "File",
            EvidenceSource::Link => "Link",
            EvidenceSource::Note => "Note",
        }
    }
}

crate::text_enum! {
    /// What kind of proof it is (the catalog's evidence kinds); decides how long it is valid by default.
    pub enum EvidenceKind {
        Document = "document",
        Screenshot = "screenshot",
        Ticket = "ticket",
        Export = "export",
        Configuration = "configuration",
        Log = "log",
        Attestation = "attestation",
        Report = "report",
    }
}

impl EvidenceKind {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Document => "Document",
            EvidenceKind::Screenshot => "Screenshot",
            EvidenceKind::Ticket => "Ticket",
            EvidenceKind::Export => "Export",
            EvidenceKind::Configuration => "Configuration",
            EvidenceKind::Log => "Log",
            EvidenceKind::Attestation => "Attestation",
            EvidenceKind::Report => "Report",
        }
    }

    /// How long evidence of this kind stays valid after its effective date, unless the person says otherwise:
    /// a year for documents and formal records, three months for point-in-time captures, six for configuration.
    pub fn valid_months(self) -> u32 {
        match self {
            EvidenceKind::Document | EvidenceKind::Ticket | EvidenceKind::Attestation | EvidenceKind::Report => 12,
            EvidenceKind::Configuration => 6,
            EvidenceKind::Screenshot | EvidenceKind::Export | EvidenceKind::Log => 3,
        }
    }
}

crate::text_enum! {
    /// Evidence goes through review like controls: submitted, then approved or rejected by an approver.
    pub enum EvidenceStatus {
        Submitted = "submitted",
        Approved = "approved",
        Rejected = "rejected",
    }
}

impl EvidenceStatus {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceStatus::Submitted => "Awaiting approval",
            EvidenceStatus::Approved => "Approved",
            EvidenceStatus::Rejected => "Rejected",
        }
    }

    pub fn tone(self) -> &'static str {
        match self {
            EvidenceStatus::Submitted => "info",
            EvidenceStatus::Approved => "ok",
            EvidenceStatus::Rejected => "bad",
        }
    }
}

/// An evidence item as lists show it.
#[derive(Clone, Debug, Queryable)]
pub struct EvidenceLine {
    pub id: EvidenceId,
    pub title: String,
    pub source: EvidenceSource,
    pub kind: EvidenceKind,
    pub status: EvidenceStatus,
    pub effective_on: Day,
    pub valid_until: Day,
}

impl EvidenceLine {
    /// Where it stands on `today`, as a control's evidence column reads.
    pub fn state(&self, today: Day) -> EvidenceState {
        match self.status {
            EvidenceStatus::Approved => EvidenceState::of(1, 0, Some(self.valid_until), today),
            EvidenceStatus::Submitted => EvidenceState::Pending,
            EvidenceStatus::Rejected => EvidenceState::None,
        }
    }
}

/// An item linked to a control.
pub type LinkedEvidence = EvidenceLine;

macro_rules! line_columns {
    () => {
        (
            evidence::id,
            evidence::title,
            evidence::source,
            evidence::kind,
            evidence::status,
            evidence::effective_on,
            evidence::valid_until,
        )
    };
}

/// The evidence linked to a control, newest first: one statement.
pub fn linked_to(conn: &mut DbConnection, org_id: &OrgId, control_id: &str) -> QueryResult<Vec<EvidenceLine>> {
    evidence_links::table
        .inner_join(evidence::table)
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::control_id.eq(control_id))
        .filter(evidence::org_id.eq(org_id))
        .order(evidence::created_at.desc())
        .select(line_columns!())
        .load(conn)
}

/// Evidence that could be linked to a control: not rejected, not linked to it yet.
#[derive(Clone, Debug, Queryable)]
pub struct Pickable {
    pub id: EvidenceId,
    pub title: String,
    pub kind: EvidenceKind,
}

/// How many items the control page offers to link (the most recent; the evidence page links any item).
pub const PICKABLE: i64 = 100;

pub fn pickable(conn: &mut DbConnection, org_id: &OrgId, control_id: &str) -> QueryResult<Vec<Pickable>> {
    let linked = evidence_links::table
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::control_id.eq(control_id))
        .select(evidence_links::evidence_id);
    evidence::table
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::status.ne(EvidenceStatus::Rejected))
        .filter(evidence::id.ne_all(linked))
        .order(evidence::created_at.desc())
        .limit(PICKABLE)
        .select((evidence::id, evidence::title, evidence::kind))
        .load(conn)
}

/// One evidence item with the people named on it.
#[derive(Clone, Debug, Queryable)]
pub struct EvidenceRecord {
    pub id: EvidenceId,
    pub title: String,
    pub source: EvidenceSource,
    pub kind: EvidenceKind,
    pub url: String,
    pub body: String,
    pub status: EvidenceStatus,
    pub effective_on: Day,
    pub valid_until: Day,
    pub revision: i32,
    pub submitted_by: Option<UserId>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: NaiveDateTime,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_comment: String,
    pub created_at: NaiveDateTime,
}

diesel::alias!(users as reviewer: Reviewer);

/// One item of the organization (None for an id that is not its): one statement.
pub fn find(conn: &mut DbConnection, org_id: &OrgId, id: &str) -> QueryResult<Option<EvidenceRecord>> {
    evidence::table
        .left_join(users::table.on(users::id.nullable().eq(evidence::submitted_by_user_id)))
        .left_join(reviewer.on(reviewer.field(users::id).nullable().eq(evidence::reviewed_by_user_id)))
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(id))
        .select((
            evidence::id,
            evidence::title,
            evidence::source,
            evidence::kind,
            evidence::url,
            evidence::body,
            evidence::status,
            evidence::effective_on,
            evidence::valid_until,
            evidence::revision,
            evidence::submitted_by_user_id,
            users::name.nullable(),
            evidence::submitted_at,
            reviewer.field(users::name).nullable(),
            evidence::reviewed_at,
            evidence::review_comment,
            evidence::created_at,
        ))
        .first(conn)
        .optional()
}

/// A stored file of an evidence item.
#[derive(Clone, Debug, Queryable)]
pub struct Revision {
    pub id: RevisionId,
    pub number: i32,
    pub storage_key: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub effective_on: Day,
    pub valid_until: Day,
    pub uploaded_by: Option<String>,
    pub uploaded_at: NaiveDateTime,
}

impl Revision {
    pub fn stored(&self) -> crate::storage::StoredFile {
        crate::storage::StoredFile {
            key: self.storage_key.clone(),
            size: self.size as u64,
            sha256: self.sha256.clone(),
            content_type: self.content_type.clone(),
        }
    }

    /// "1.2 MB".
    pub fn size_text(&self) -> String {
        human_size(self.size)
    }
}

pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// Every revision of an item, newest first.
pub fn revisions(conn: &mut DbConnection, org_id: &OrgId, evidence_id: &EvidenceId) -> QueryResult<Vec<Revision>> {
    evidence_revisions::table
        .left_join(users::table.on(users::id.nullable().eq(evidence_revisions::uploaded_by_user_id)))
        .filter(evidence_revisions::org_id.eq(org_id))
        .filter(evidence_revisions::evidence_id.eq(evidence_id))
        .order(evidence_revisions::number.desc())
        .select((
            evidence_revisions::id,
            evidence_revisions::number,
            evidence_revisions::storage_key,
            evidence_revisions::filename,
            evidence_revisions::size,
            evidence_revisions::sha256,
            evidence_revisions::content_type,
            evidence_revisions::effective_on,
            evidence_revisions::valid_until,
            users::name.nullable(),
            evidence_revisions::uploaded_at,
        ))
        .load(conn)
}

/// The controls an item is linked to (catalog ids).
pub fn linked_controls(conn: &mut DbConnection, org_id: &OrgId, evidence_id: &EvidenceId) -> QueryResult<Vec<String>> {
    evidence_links::table
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::evidence_id.eq(evidence_id))
        .select(evidence_links::control_id)
        .load(conn)
}

/// The controls an item is linked to, with their status: (control id, status).
pub fn linked_with_status(
    conn: &mut DbConnection,
    org_id: &OrgId,
    evidence_id: &EvidenceId,
) -> QueryResult<Vec<(String, crate::compliance::program::ControlStatus)>> {
    evidence_links::table
        .inner_join(
            org_controls::table.on(org_controls::org_id
                .eq(evidence_links::org_id)
                .and(org_controls::control_id.eq(evidence_links::control_id))),
        )
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::evidence_id.eq(evidence_id))
        .order(org_controls::position)
        .select((evidence_links::control_id, org_controls::status))
        .load(conn)
}

/// The organization's in-scope controls (catalog ids, in catalog order): what evidence can be linked to.
pub fn in_scope_controls(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<String>> {
    org_controls::table
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::in_scope.eq(true))
        .order(org_controls::position)
        .select(org_controls::control_id)
        .load(conn)
}

/// Links an item to controls of the organization (those not linked yet); returns the ones newly linked.
pub fn link(
    conn: &mut DbConnection,
    org_id: &OrgId,
    evidence_id: &EvidenceId,
    control_ids: &[String],
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let already = linked_controls(conn, org_id, evidence_id)?;
    let new: Vec<String> = control_ids.iter().filter(|c| !already.contains(c)).cloned().collect();
    let rows: Vec<_> = new
        .iter()
        .map(|control_id| {
            (
                evidence_links::org_id.eq(org_id.clone()),
                evidence_links::evidence_id.eq(evidence_id.clone()),
                evidence_links::control_id.eq(control_id.clone()),
                evidence_links::linked_by_user_id.eq(Some(by.clone())),
                evidence_links::linked_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::batch_insert!(conn, evidence_links::table, &rows)?;
    }
    Ok(new)
}

pub fn unlink(
    conn: &mut DbConnection,
    org_id: &OrgId,
    evidence_id: &EvidenceId,
    control_id: &str,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        evidence_links::table
            .filter(evidence_links::org_id.eq(org_id))
            .filter(evidence_links::evidence_id.eq(evidence_id))
            .filter(evidence_links::control_id.eq(control_id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// What `resummarize` writes for a control: approved count, pending count, earliest valid-until of the approved.
pub type Summary = (i32, i32, Option<Day>);

/// Rewrites the evidence summary (approved count, pending count, earliest valid-until of the approved) of
/// these controls from their links, and from the asset inventory for the asset-management controls (living
/// evidence, see `living`): one read (two with those controls), one UPDATE per control. Returns what it wrote.
pub fn resummarize(
    conn: &mut DbConnection,
    org_id: &OrgId,
    control_ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, Summary)>> {
    if control_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, EvidenceStatus, Day)> = evidence_links::table
        .inner_join(evidence::table)
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::control_id.eq_any(control_ids))
        .filter(evidence::org_id.eq(org_id))
        .select((evidence_links::control_id, evidence::status, evidence::valid_until))
        .load(conn)?;
    let mut summary: HashMap<&str, (i32, i32, Option<Day>)> =
        control_ids.iter().map(|c| (c.as_str(), (0, 0, None))).collect();
    for (control_id, status, valid_until) in &rows {
        let Some(entry) = summary.get_mut(control_id.as_str()) else { continue };
        match status {
            EvidenceStatus::Approved => {
                entry.0 += 1;
                entry.2 = Some(entry.2.map_or(*valid_until, |d: Day| d.min(*valid_until)));
            }
            EvidenceStatus::Submitted => entry.1 += 1,
            EvidenceStatus::Rejected => {}
        }
    }
    if control_ids.iter().any(|c| super::living::InventoryKind::of_control(c).is_some()) {
        for inventory in super::living::inventories(conn, org_id)? {
            let (Some(until), Some((id, _))) =
                (inventory.valid_until(), super::living::CONTROLS.iter().find(|(_, kind)| *kind == inventory.kind))
            else {
                continue;
            };
            if let Some(entry) = summary.get_mut(*id) {
                entry.0 += 1;
                entry.2 = Some(entry.2.map_or(until, |d: Day| d.min(until)));
            }
        }
    }
    let written: Vec<(String, Summary)> = summary.iter().map(|(c, s)| (c.to_string(), *s)).collect();
    for (control_id, (approved, pending, until)) in summary {
        diesel::update(org_controls::table)
            .filter(org_controls::org_id.eq(org_id))
            .filter(org_controls::control_id.eq(control_id))
            .set((
                org_controls::evidence_approved.eq(approved),
                org_controls::evidence_pending.eq(pending),
                org_controls::evidence_valid_until.eq(until),
                org_controls::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(written)
}

/// A new evidence item, validated.
pub struct NewEvidence<'a> {
    pub title: &'a str,
    pub source: EvidenceSource,
    pub kind: EvidenceKind,
    pub url: &'a str,
    pub body: &'a str,
    pub effective_on: Day,
    pub valid_until: Day,
}

/// Inserts an item, submitted for approval by `by`.
pub fn insert(
    conn: &mut DbConnection,
    org_id: &OrgId,
    new: &NewEvidence<'_>,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<EvidenceId> {
    let id = EvidenceId::new();
    diesel::insert_into(evidence::table)
        .values((
            evidence::id.eq(&id),
            evidence::org_id.eq(org_id),
            evidence::title.eq(new.title),
            evidence::source.eq(new.source),
            evidence::kind.eq(new.kind),
            evidence::url.eq(new.url),
            evidence::body.eq(new.body),
            evidence::status.eq(EvidenceStatus::Submitted),
            evidence::effective_on.eq(new.effective_on),
            evidence::valid_until.eq(new.valid_until),
            evidence::submitted_by_user_id.eq(by),
            evidence::submitted_at.eq(now),
            evidence::created_at.eq(now),
            evidence::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records a stored file as the item's next revision (and its current file), with the dates it brings; the
/// item goes back for approval, submitted by `by`.
pub fn add_revision(
    conn: &mut DbConnection,
    org_id: &OrgId,
    evidence_id: &EvidenceId,
    file: &crate::storage::multipart::UploadedFile,
    dates: (Day, Day),
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let current: i32 = evidence::table
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(evidence_id))
        .select(evidence::revision)
        .first(conn)?;
    let number = current + 1;
    diesel::insert_into(evidence_revisions::table)
        .values((
            evidence_revisions::id.eq(RevisionId::new()),
            evidence_revisions::org_id.eq(org_id),
            evidence_revisions::evidence_id.eq(evidence_id),
            evidence_revisions::number.eq(number),
            evidence_revisions::storage_key.eq(&file.stored.key),
            evidence_revisions::filename.eq(&file.filename),
            evidence_revisions::size.eq(file.stored.size as i64),
            evidence_revisions::sha256.eq(&file.stored.sha256),
            evidence_revisions::content_type.eq(&file.stored.content_type),
            evidence_revisions::effective_on.eq(dates.0),
            evidence_revisions::valid_until.eq(dates.1),
            evidence_revisions::uploaded_by_user_id.eq(by),
            evidence_revisions::uploaded_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(evidence::table)
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(evidence_id))
        .set((evidence::revision.eq(number), evidence::effective_on.eq(dates.0), evidence::valid_until.eq(dates.1)))
        .execute(conn)?;
    resubmit(conn, org_id, evidence_id, by, now)?;
    Ok(number)
}

/// Sends an item (back) for approval, by `by`.
pub fn resubmit(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &EvidenceId,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(evidence::table)
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(id))
        .set((
            evidence::status.eq(EvidenceStatus::Submitted),
            evidence::submitted_by_user_id.eq(by),
            evidence::submitted_at.eq(now),
            evidence::reviewed_by_user_id.eq(None::<UserId>),
            evidence::reviewed_at.eq(None::<NaiveDateTime>),
            evidence::review_comment.eq(""),
            evidence::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// What an item's edit form changes.
pub struct Edited<'a> {
    pub title: &'a str,
    pub kind: EvidenceKind,
    pub url: &'a str,
    pub body: &'a str,
    pub effective_on: Day,
    pub valid_until: Day,
}

pub fn update(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &EvidenceId,
    e: &Edited<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(evidence::table)
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(id))
        .set((
            evidence::title.eq(e.title),
            evidence::kind.eq(e.kind),
            evidence::url.eq(e.url),
            evidence::body.eq(e.body),
            evidence::effective_on.eq(e.effective_on),
            evidence::valid_until.eq(e.valid_until),
            evidence::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// An approver's decision on a submitted item; only a submitted item sent by someone else changes.
pub fn review(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &EvidenceId,
    approve: bool,
    comment: &str,
    by: &UserId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let status = if approve { EvidenceStatus::Approved } else { EvidenceStatus::Rejected };
    diesel::update(evidence::table)
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::id.eq(id))
        .filter(evidence::status.eq(EvidenceStatus::Submitted))
        .filter(evidence::submitted_by_user_id.is_null().or(evidence::submitted_by_user_id.ne(by)))
        .set((
            evidence::status.eq(status),
            evidence::reviewed_by_user_id.eq(by),
            evidence::reviewed_at.eq(now),
            evidence::review_comment.eq(comment),
            evidence::updated_at.eq(now),
        ))
        .execute(conn)
}

/// What keeps an evidence item up to date on its own: a policy (each publication rewrites it) or an
/// acknowledgment campaign (its signatures). Such an item is read-only on the evidence pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keeper {
    /// "policy" or "campaign".
    pub kind: &'static str,
    pub title: String,
    pub href: String,
}

/// The policy or campaign keeping this item, if one does (two short indexed reads at most).
pub fn keeper(conn: &mut DbConnection, org_id: &OrgId, id: &EvidenceId) -> QueryResult<Option<Keeper>> {
    use crate::schema::{campaigns, policies};
    let keeper = |kind: &'static str, area: &str, (id, title): (String, String)| Keeper {
        kind,
        href: format!("/compliance/{area}/{id}"),
        title,
    };
    let policy: Option<(String, String)> = policies::table
        .filter(policies::org_id.eq(org_id))
        .filter(policies::evidence_id.eq(id))
        .select((policies::id, policies::title))
        .first(conn)
        .optional()?;
    if let Some(found) = policy {
        return Ok(Some(keeper("policy", "policies", found)));
    }
    let campaign: Option<(String, String)> = campaigns::table
        .filter(campaigns::org_id.eq(org_id))
        .filter(campaigns::evidence_id.eq(id))
        .select((campaigns::id, campaigns::name))
        .first(conn)
        .optional()?;
    Ok(campaign.map(|found| keeper("campaign", "campaigns", found)))
}
