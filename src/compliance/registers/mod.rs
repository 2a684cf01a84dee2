//! Framework-specific registers and reports: HIPAA business associate agreements (`baa`), the CMMC Level 2 SPRS
//! score (`sprs`), GDPR data-subject requests (`dsr`) and the ISO 27001 Statement of Applicability (`soa`).

pub mod baa;
pub mod dsr;
pub mod soa;
pub mod sprs;
pub mod sprs_page;

use diesel::prelude::*;

use crate::auth::Permission::{EditControls, ManageFrameworks, ViewCompliance};
use crate::compliance::evidence::models::EvidenceStatus;
use crate::db::ids::{EvidenceId, OrgId};
use crate::db::{Day, DbConnection};
use crate::schema::evidence;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::Org;
    vec![
        get("/compliance/baa", Org(ViewCompliance), baa::list),
        post("/compliance/baa", Org(EditControls), baa::create).example(&[
            ("associate", "Cloud Backup Co."),
            ("services", "Off-site backups of the practice management system"),
            ("status", "active"),
            ("signed_on", "2026-01-15"),
            ("renewal_on", "2027-01-15"),
            ("evidence_id", ""),
            ("notes", ""),
        ]),
        get("/compliance/baa/{baa_id}", Org(ViewCompliance), baa::show),
        post("/compliance/baa/{baa_id}", Org(EditControls), baa::update).example(&[
            ("associate", "Cloud Backup Co."),
            ("services", "Off-site backups"),
            ("status", "terminated"),
            ("signed_on", "2026-01-15"),
            ("renewal_on", ""),
            ("evidence_id", ""),
            ("notes", "Contract ended."),
        ]),
        get("/compliance/dsr", Org(ViewCompliance), dsr::list),
        post("/compliance/dsr", Org(EditControls), dsr::create).example(&[
            ("requester", "Ref. 2026-014"),
            ("kind", "erasure"),
            ("received_on", "2026-03-01"),
            ("identity_verified", "1"),
            ("status", "open"),
            ("notes", ""),
        ]),
        get("/compliance/dsr/{dsr_id}", Org(ViewCompliance), dsr::show),
        post("/compliance/dsr/{dsr_id}", Org(EditControls), dsr::update).example(&[
            ("requester", "Ref. 2026-014"),
            ("kind", "erasure"),
            ("received_on", "2026-03-01"),
            ("identity_verified", "1"),
            ("status", "completed"),
            ("closed_on", "2026-03-02"),
            ("notes", "Records erased."),
        ]),
        post("/compliance/dsr/{dsr_id}/extend", Org(EditControls), dsr::extend)
            .example(&[("extension_reason", "Records are spread over several systems.")]),
        get("/compliance/sprs", Org(ViewCompliance), sprs_page::page),
        post("/compliance/sprs/partial-credit", Org(ManageFrameworks), sprs_page::partial_credit)
            .example(&[("requirement", "3.5.3"), ("partial", "1")]),
        get("/compliance/soa", Org(ViewCompliance), soa::page),
        get("/compliance/soa.csv", Org(ViewCompliance), soa::csv),
    ]
}

/// An evidence item offered as a register's document.
#[derive(Clone, Debug, Queryable)]
pub struct EvidenceChoice {
    pub id: EvidenceId,
    pub title: String,
}

/// How many evidence items the registers' pickers offer (the most recent).
const CHOICES: i64 = 200;

/// The organization's evidence that can be a register's document (not rejected), newest first.
pub fn evidence_choices(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<Vec<EvidenceChoice>> {
    evidence::table
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::status.ne(EvidenceStatus::Rejected))
        .order(evidence::created_at.desc())
        .limit(CHOICES)
        .select((evidence::id, evidence::title))
        .load(conn)
}

/// The registers' deadlines the dashboard shows.
#[derive(Clone, Debug, Default)]
pub struct Deadlines {
    /// Active business associate agreements due for renewal within 60 days (or past it).
    pub renewals: Vec<baa::Baa>,
    /// Open data-subject requests overdue or due within a week.
    pub requests: Vec<dsr::Dsr>,
}

/// Two statements.
pub fn deadlines(conn: &mut DbConnection, org_id: &OrgId, today: Day) -> QueryResult<Deadlines> {
    Ok(Deadlines {
        renewals: baa::renewals_due(conn, org_id, today)?,
        requests: dsr::open_due_before(conn, org_id, today.plus_days(7))?,
    })
}
