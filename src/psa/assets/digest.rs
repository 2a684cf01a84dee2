//! The weekly renewals digest: people who ask for it on their profile get, once per ISO week, an email listing
//! the warranty ends and license renewals due within 60 days in every organization where they see assets (their
//! own memberships, and the clients their MSP role reaches). A subscription records the week of its last digest;
//! claiming that week with a conditional UPDATE in the transaction that writes the email makes a second run
//! (or a second instance) in the same week send nothing. A week with nothing due sends nothing.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::renewals::{self, AssetOrgs, Renewal};
use crate::AppState;
use crate::auth::Identity;
use crate::auth::permissions::{Permission, Role};
use crate::auth::session;
use crate::db::ids::{OrgId, UserId};
use crate::db::{Day, DbConnection, write_transaction};
use crate::jobs::JobResult;
use crate::mail::{self, OutgoingMail};
use crate::schema::{assets, memberships, organizations, renewal_digests, technician_assignments, users};
use crate::web::redirect;

/// Lines one digest lists (the soonest); the email says how many more there are.
const DIGEST_LINES: i64 = 50;
/// Subscriptions one run handles; the next run carries on.
const PER_RUN: i64 = 500;

/// "2026-W49": the ISO week a digest is for.
pub fn week_of(now: NaiveDateTime) -> String {
    let week = now.date().iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Whether the person asked for the digest (their profile shows it).
pub fn is_subscribed(conn: &mut DbConnection, user: &UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(renewal_digests::table.filter(renewal_digests::user_id.eq(user))))
        .get_result(conn)
}

#[derive(Deserialize)]
pub struct DigestForm {
    /// "1" to receive it; absent to stop.
    #[serde(default)]
    digest: Option<String>,
}

/// The profile's "email me the weekly renewals digest" choice (no activity entry: it is the person's own mail
/// preference, like their sessions).
pub async fn set_preference(
    state: web::Data<AppState>,
    identity: Identity,
    session: actix_session::Session,
    form: web::Form<DigestForm>,
) -> crate::error::AppResult<HttpResponse> {
    let (user, wanted, now) = (identity.user.id.clone(), form.digest.as_deref() == Some("1"), state.clock.now());
    state
        .db
        .write(move |conn| {
            let subscribed = is_subscribed(conn, &user)?;
            if wanted && !subscribed {
                diesel::insert_into(renewal_digests::table)
                    .values((renewal_digests::user_id.eq(&user), renewal_digests::subscribed_at.eq(now)))
                    .execute(conn)?;
            } else if !wanted {
                diesel::delete(renewal_digests::table.filter(renewal_digests::user_id.eq(&user))).execute(conn)?;
            }
            Ok(())
        })
        .await?;
    let message = if wanted {
        "You will get the renewals digest by email every week when something is due."
    } else {
        "You will no longer get the renewals digest."
    };
    session::flash_ok(&session, message);
    Ok(redirect("/profile"))
}

/// The organizations where the person sees assets: their active memberships with a role that views the service
/// desk, the active clients of the MSPs where their role reaches every client, and the clients they are
/// assigned to where it reaches the assigned ones.
fn orgs_of(conn: &mut DbConnection, user: &UserId) -> QueryResult<Option<AssetOrgs>> {
    let held: Vec<(OrgId, Role)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user))
        .filter(memberships::deactivated_at.is_null())
        .filter(organizations::archived_at.is_null())
        .select((memberships::org_id, memberships::role))
        .load(conn)?;
    let ids = |keep: fn(Role) -> bool| -> Vec<OrgId> {
        held.iter().filter(|(_, r)| views_assets(*r) && keep(*r)).map(|(o, _)| o.clone()).collect()
    };
    let (direct, reach_all, reach_assigned) =
        (ids(|_| true), ids(Role::reaches_all_clients), ids(|r| r.reaches_clients() && !r.reaches_all_clients()));
    if direct.is_empty() {
        return Ok(None);
    }
    let mut orgs: AssetOrgs = Box::new(assets::org_id.eq_any(direct));
    if !reach_all.is_empty() {
        let clients = organizations::table
            .filter(organizations::msp_org_id.assume_not_null().eq_any(reach_all))
            .filter(organizations::archived_at.is_null())
            .select(organizations::id);
        orgs = Box::new(orgs.or(assets::org_id.eq_any(clients)));
    }
    if !reach_assigned.is_empty() {
        let assigned = technician_assignments::table
            .filter(technician_assignments::user_id.eq(user.clone()))
            .select(technician_assignments::org_id);
        let clients = organizations::table
            .filter(organizations::msp_org_id.assume_not_null().eq_any(reach_assigned))
            .filter(organizations::archived_at.is_null())
            .filter(organizations::id.eq_any(assigned))
            .select(organizations::id);
        orgs = Box::new(orgs.or(assets::org_id.eq_any(clients)));
    }
    Ok(Some(orgs))
}

fn views_assets(role: Role) -> bool {
    role.permissions().contains(Permission::ViewTickets)
}

/// One line of the email.
pub struct DigestLine {
    pub org_name: String,
    pub asset: String,
    pub what: &'static str,
    pub due: String,
    pub days_left: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "mail/renewal_digest.txt")]
struct DigestText<'a> {
    name: &'a str,
    lines: &'a [DigestLine],
    more: bool,
    profile: &'a str,
}

#[derive(Template)]
#[template(path = "mail/renewal_digest.html")]
struct DigestHtml<'a> {
    name: &'a str,
    lines: &'a [DigestLine],
    more: bool,
    profile: &'a str,
}

fn digest_mail(to: &str, name: &str, lines: &[DigestLine], more: bool, base_url: &str) -> OutgoingMail {
    let profile = format!("{base_url}/profile");
    let count = if more { format!("{}+", lines.len()) } else { lines.len().to_string() };
    let noun = if lines.len() == 1 && !more { "renewal" } else { "renewals" };
    OutgoingMail::new(
        to,
        format!("{count} {noun} due in the next 60 days"),
        DigestText { name, lines, more, profile: &profile }.render().unwrap_or_default(),
        DigestHtml { name, lines, more, profile: &profile }.render().unwrap_or_default(),
    )
}

/// The digest's lines with their organizations' names (one statement for the names).
fn lines_of(conn: &mut DbConnection, due: &[Renewal], today: Day, base_url: &str) -> QueryResult<Vec<DigestLine>> {
    let ids: Vec<OrgId> = due.iter().map(|r| r.org_id.clone()).collect();
    let names: Vec<(OrgId, String)> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    Ok(due
        .iter()
        .map(|r| DigestLine {
            org_name: names.iter().find(|(id, _)| id == &r.org_id).map(|(_, n)| n.clone()).unwrap_or_default(),
            asset: r.name.clone(),
            what: r.what(),
            due: r.due_label(),
            days_left: r.days_left(today),
            link: format!("{base_url}/assets/by-id/{}", r.asset_id),
        })
        .collect())
}

/// Claims this week's digest for one person and writes it to the outbox, in one transaction. True when an
/// email was written.
fn send_one(
    conn: &mut DbConnection,
    user: &UserId,
    week: &str,
    now: NaiveDateTime,
    base_url: &str,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let claimed = diesel::update(
            renewal_digests::table
                .filter(renewal_digests::user_id.eq(user))
                .filter(renewal_digests::last_week.is_null().or(renewal_digests::last_week.ne(week))),
        )
        .set(renewal_digests::last_week.eq(week))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(false);
        }
        let Some(orgs) = orgs_of(conn, user)? else { return Ok(false) };
        let today = Day::from(now.date());
        let mut due = renewals::due(conn, orgs, today, DIGEST_LINES + 1)?;
        if due.is_empty() {
            return Ok(false);
        }
        let more = due.len() as i64 > DIGEST_LINES;
        due.truncate(DIGEST_LINES as usize);
        let (email, name): (String, String) =
            users::table.filter(users::id.eq(user)).select((users::email, users::name)).first(conn)?;
        let lines = lines_of(conn, &due, today, base_url)?;
        mail::enqueue(conn, now, &digest_mail(&email, &name, &lines, more, base_url))?;
        Ok(true)
    })
}

/// The job: every subscription not yet served this week gets its digest (or nothing, when nothing is due).
pub async fn run(state: web::Data<AppState>) -> JobResult {
    let (now, base_url) = (state.clock.now(), state.config.base_url.trim_end_matches('/').to_string());
    let week = week_of(now);
    let sent = state
        .db
        .run(move |conn| {
            let due: Vec<UserId> = renewal_digests::table
                .filter(renewal_digests::last_week.is_null().or(renewal_digests::last_week.ne(&week)))
                .order(renewal_digests::user_id.asc())
                .limit(PER_RUN)
                .select(renewal_digests::user_id)
                .load(conn)?;
            let mut sent = 0;
            for user in &due {
                sent += usize::from(send_one(conn, user, &week, now, &base_url)?);
            }
            Ok(sent)
        })
        .await?;
    Ok(format!("{sent} renewal digests queued"))
}
