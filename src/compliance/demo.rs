//! Demo data for the compliance program (`palisade demo`, and `--clients N` for load runs): adopted frameworks
//! with realistic progress (controls implemented, in progress and waiting for review, owners and due dates, each
//! implemented control with approved evidence of its catalog's suggested kind) and 90 days of snapshots computed
//! by the score function from when each control was approved, so the trend shows the program growing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::compliance::evidence::models::{EvidenceKind, EvidenceSource, EvidenceStatus};
use crate::compliance::frameworks::models::set_adopted;
use crate::compliance::program::facts::{Adopted, ControlFacts, Facts};
use crate::compliance::program::index::CatalogIndex;
use crate::compliance::program::scoping::Scoping;
use crate::compliance::program::{self, ControlStatus, sync};
use crate::compliance::scores::compute::compute;
use crate::db::ids::{EvidenceId, OrgId, UserId};
use crate::db::{Day, DbConnection};
use crate::schema::{compliance_snapshots, evidence, evidence_links, org_controls};

/// What an organization's program looks like.
pub struct Plan<'a> {
    pub frameworks: &'a [&'a str],
    /// The share of controls implemented (with approved evidence) today.
    pub progress: f64,
    pub seed: u64,
}

/// Days of history seeded.
const HISTORY_DAYS: i64 = 90;
/// Rows per multi-row INSERT.
const CHUNK: usize = 300;

/// How one control ends up.
struct Seeded {
    control: usize,
    status: ControlStatus,
    owner: Option<UserId>,
    due_on: Option<Day>,
    /// For implemented controls: the day approved, and its evidence's validity.
    approved: Option<(Day, Day, EvidenceKind)>,
}

/// Seeds one organization's program (its people may own controls, the first one is the approver); returns the
/// number of controls it has.
pub fn seed_org(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    plan: &Plan<'_>,
    people: &[UserId],
    tz: chrono_tz::Tz,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let today = program::today(now, tz);
    for framework in plan.frameworks {
        let scoping =
            if *framework == "cmmc-2" { Scoping { level: Some(2), ..Scoping::default() } } else { Scoping::default() };
        set_adopted(conn, org_id, framework, true, &scoping, now - chrono::Duration::days(HISTORY_DAYS))?;
    }
    let needed = sync::refresh(conn, index, org_id, today, now)?.scores.controls;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let seeded: Vec<Seeded> = needed.keys().map(|&c| decide(&mut rng, c, plan, people, today)).collect();
    write_controls(conn, index, org_id, &seeded, people, now)?;
    write_history(conn, index, org_id, plan, &seeded, today, now)?;
    sync::refresh(conn, index, org_id, today, now)?;
    sync::ensure_scheduled(conn, org_id, program::next_local_midnight(now, tz), now)?;
    Ok(seeded.len())
}

fn decide(rng: &mut StdRng, control: usize, plan: &Plan<'_>, people: &[UserId], today: Day) -> Seeded {
    const KINDS: [EvidenceKind; 6] = [
        EvidenceKind::Document,
        EvidenceKind::Document,
        EvidenceKind::Screenshot,
        EvidenceKind::Export,
        EvidenceKind::Report,
        EvidenceKind::Configuration,
    ];
    let roll: f64 = rng.random();
    let owner =
        (!people.is_empty() && rng.random_bool(0.85)).then(|| people[rng.random_range(0..people.len())].clone());
    if roll < plan.progress {
        let approved = today.plus_days(-rng.random_range(1..HISTORY_DAYS));
        let kind = KINDS[rng.random_range(0..KINDS.len())];
        let effective = approved.plus_days(-rng.random_range(0..7));
        let until = effective.plus_months(kind.valid_months());
        return Seeded {
            control,
            status: ControlStatus::Implemented,
            owner,
            due_on: None,
            approved: Some((approved, until, kind)),
        };
    }
    let status = match roll - plan.progress {
        r if r < 0.10 => ControlStatus::ReadyForReview,
        r if r < 0.30 => ControlStatus::InProgress,
        _ => ControlStatus::NotStarted,
    };
    let due_on = rng.random_bool(0.7).then(|| today.plus_days(rng.random_range(-20..75)));
    Seeded { control, status, owner, due_on, approved: None }
}

fn write_controls(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    seeded: &[Seeded],
    people: &[UserId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let approver = people.first();
    let mut items = Vec::new();
    let mut links = Vec::new();
    for s in seeded {
        let control = &index.controls[s.control];
        let (approved, until) = match s.approved {
            Some((approved, until, kind)) => {
                let id = EvidenceId::new();
                let at = approved.date().and_hms_opt(15, 0, 0).unwrap_or(now);
                let title = control.evidence.first().map(|e| e.what.clone()).unwrap_or_else(|| control.title.clone());
                items.push((
                    evidence::id.eq(id.clone()),
                    evidence::org_id.eq(org_id.clone()),
                    evidence::title.eq(title),
                    evidence::source.eq(EvidenceSource::Note),
                    evidence::kind.eq(kind),
                    evidence::body.eq(format!("Reviewed for {}: in place and working as described.", control.id)),
                    evidence::status.eq(EvidenceStatus::Approved),
                    evidence::effective_on.eq(approved),
                    evidence::valid_until.eq(until),
                    evidence::submitted_by_user_id.eq(s.owner.clone()),
                    evidence::submitted_at.eq(at),
                    evidence::reviewed_by_user_id.eq(approver.cloned()),
                    evidence::reviewed_at.eq(Some(at)),
                    evidence::created_at.eq(at),
                    evidence::updated_at.eq(at),
                ));
                links.push((
                    evidence_links::org_id.eq(org_id.clone()),
                    evidence_links::evidence_id.eq(id),
                    evidence_links::control_id.eq(control.id.clone()),
                    evidence_links::linked_at.eq(at),
                ));
                (Some(approved), Some(until))
            }
            None => (None, None),
        };
        let requested = (s.status == ControlStatus::ReadyForReview).then(|| s.owner.clone()).flatten();
        diesel::update(org_controls::table)
            .filter(org_controls::org_id.eq(org_id))
            .filter(org_controls::control_id.eq(&control.id))
            .set((
                org_controls::status.eq(s.status),
                org_controls::owner_user_id.eq(&s.owner),
                org_controls::due_on.eq(s.due_on),
                org_controls::next_review_on.eq(approved.map(|d| d.plus_months(12))),
                org_controls::review_requested_by_user_id.eq(requested),
                org_controls::decided_by_user_id.eq(approved.and(approver.cloned())),
                org_controls::evidence_approved.eq(i32::from(approved.is_some())),
                org_controls::evidence_valid_until.eq(until),
                org_controls::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    for chunk in items.chunks(CHUNK) {
        crate::batch_insert!(conn, evidence::table, chunk)?;
    }
    for chunk in links.chunks(CHUNK) {
        crate::batch_insert!(conn, evidence_links::table, chunk)?;
    }
    Ok(())
}

/// One snapshot per day of the last 90 (today's comes from the scheduler), from when each control was approved.
fn write_history(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    plan: &Plan<'_>,
    seeded: &[Seeded],
    today: Day,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let adopted: Vec<Adopted> = plan
        .frameworks
        .iter()
        .filter_map(|f| {
            let level = (*f == "cmmc-2").then_some(2);
            Some(Adopted { framework: index.framework(f)?, scoping: Scoping { level, ..Scoping::default() } })
        })
        .collect();
    let mut rows = Vec::new();
    for back in 1..HISTORY_DAYS {
        let day = today.plus_days(-back);
        let mut facts = Facts::new(index, day);
        facts.adopted = adopted.clone();
        for s in seeded {
            if let Some((_, until, _)) = s.approved.filter(|(approved, _, _)| *approved <= day) {
                let done = ControlFacts {
                    status: ControlStatus::Implemented,
                    evidence_approved: 1,
                    evidence_valid_until: Some(until),
                };
                facts.controls.insert(s.control, done);
            }
        }
        let scores = compute(&facts);
        let tallies = std::iter::once((String::new(), scores.overall))
            .chain(scores.frameworks.iter().map(|f| (index.frameworks[f.framework].id.clone(), f.tally)));
        for (framework_id, t) in tallies {
            rows.push((
                compliance_snapshots::org_id.eq(org_id.clone()),
                compliance_snapshots::day.eq(day),
                compliance_snapshots::framework_id.eq(framework_id),
                compliance_snapshots::in_scope.eq(t.in_scope),
                compliance_snapshots::met.eq(t.met),
                compliance_snapshots::partial.eq(t.partial),
                compliance_snapshots::unmet.eq(t.unmet),
                compliance_snapshots::percent.eq(t.percent()),
                compliance_snapshots::taken_at.eq(now),
            ));
        }
    }
    for chunk in rows.chunks(CHUNK) {
        crate::batch_insert!(conn, compliance_snapshots::table, chunk)?;
    }
    Ok(())
}
