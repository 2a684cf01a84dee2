//! Expiry notices: for approved evidence, an email 30 days and 7 days before its valid-until day and on the day
//! (or at once, when the day has passed), to the person who sent it and the owners of the controls it supports.
//! Each notice is sent once per valid-until date: claimed by writing that date into its column in the same
//! transaction as the email's outbox row, so a new date (a new revision, an edit) arms the notices again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::EvidenceStatus;
use crate::db::ids::{EvidenceId, OrgId, UserId};
use crate::db::{Day, DbConnection};
use crate::mail::{self, messages};
use crate::schema::{evidence, evidence_links, org_controls, users};

/// The notice stages, nearest first: (days before the valid-until day, the column that records it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    OnTheDay,
    Week,
    Month,
}

type Due = (EvidenceId, String, Day, Option<Day>, Option<Day>, Option<UserId>);

/// Sends the notices due for the organization's evidence on `today`; returns how many emails were queued.
pub fn send_due(
    conn: &mut DbConnection,
    org_id: &OrgId,
    org_name: &str,
    today: Day,
    now: NaiveDateTime,
    base_url: &str,
) -> QueryResult<usize> {
    let due: Vec<Due> = evidence::table
        .filter(evidence::org_id.eq(org_id))
        .filter(evidence::status.eq(EvidenceStatus::Approved))
        .filter(evidence::valid_until.le(today.plus_days(30)))
        .filter(evidence::notice_0_for.is_null().or(evidence::notice_0_for.ne(evidence::valid_until.nullable())))
        .select((
            evidence::id,
            evidence::title,
            evidence::valid_until,
            evidence::notice_30_for,
            evidence::notice_7_for,
            evidence::submitted_by_user_id,
        ))
        .load(conn)?;
    let mut sent = 0;
    for (id, title, valid_until, month_sent, week_sent, submitter) in due {
        let stage = if valid_until <= today {
            Stage::OnTheDay
        } else if valid_until <= today.plus_days(7) {
            Stage::Week
        } else {
            Stage::Month
        };
        let already = match stage {
            Stage::OnTheDay => false,
            Stage::Week => week_sent == Some(valid_until),
            Stage::Month => month_sent == Some(valid_until),
        };
        if already || !claim(conn, org_id, &id, stage, valid_until)? {
            continue;
        }
        let link = format!("{base_url}/compliance/evidence/{id}");
        let days_left = today.days_until(valid_until);
        for (email, name) in recipients(conn, org_id, &id, submitter.as_ref())? {
            let message =
                messages::evidence_expiry(&email, &name, &title, org_name, &valid_until.label(), days_left, &link);
            mail::enqueue(conn, now, &message.for_org(org_id))?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Records the stage (and the earlier ones, never to be sent late) for this valid-until date; false when
/// another run recorded it first.
fn claim(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &EvidenceId,
    stage: Stage,
    valid_until: Day,
) -> QueryResult<bool> {
    let target = evidence::table.filter(evidence::org_id.eq(org_id)).filter(evidence::id.eq(id));
    let date = Some(valid_until);
    let updated =
        match stage {
            Stage::OnTheDay => diesel::update(
                target.filter(evidence::notice_0_for.is_null().or(evidence::notice_0_for.ne(valid_until))),
            )
            .set((evidence::notice_0_for.eq(date), evidence::notice_7_for.eq(date), evidence::notice_30_for.eq(date)))
            .execute(conn)?,
            Stage::Week => diesel::update(
                target.filter(evidence::notice_7_for.is_null().or(evidence::notice_7_for.ne(valid_until))),
            )
            .set((evidence::notice_7_for.eq(date), evidence::notice_30_for.eq(date)))
            .execute(conn)?,
            Stage::Month => diesel::update(
                target.filter(evidence::notice_30_for.is_null().or(evidence::notice_30_for.ne(valid_until))),
            )
            .set(evidence::notice_30_for.eq(date))
            .execute(conn)?,
        };
    Ok(updated == 1)
}

/// (email, name) of the person who sent the evidence and the owners of the controls it supports, once each.
fn recipients(
    conn: &mut DbConnection,
    org_id: &OrgId,
    id: &EvidenceId,
    submitter: Option<&UserId>,
) -> QueryResult<Vec<(String, String)>> {
    let owners = evidence_links::table
        .inner_join(
            org_controls::table.on(org_controls::org_id
                .eq(evidence_links::org_id)
                .and(org_controls::control_id.eq(evidence_links::control_id))),
        )
        .filter(evidence_links::org_id.eq(org_id))
        .filter(evidence_links::evidence_id.eq(id))
        .filter(org_controls::owner_user_id.is_not_null())
        .select(org_controls::owner_user_id.assume_not_null());
    let submitter = submitter.cloned().map(|u| u.to_string()).unwrap_or_default();
    users::table
        .filter(users::id.eq(submitter).or(users::id.eq_any(owners)))
        .order(users::email)
        .select((users::email, users::name))
        .load(conn)
}
