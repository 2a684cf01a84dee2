//! Starting a campaign, in one transaction: the organization's members are synced into the people directory
//! (so they can be in the audience and sign from "My policies"), the audience is resolved to active people, and
//! the campaign, its versions, one request per person (a fresh single-use token, only its hash stored) and one
//! email per person are written a few hundred rows per INSERT: a campaign to 5,000 people is a few dozen
//! statements, not 10,000.

use std::collections::HashSet;

use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use super::models::{Audience, Campaign, CampaignStatus, NewCampaign};
use crate::auth::tokens::{hash_token, new_token};
use crate::db::ids::{CampaignId, CampaignRequestId, OrgId, PersonId, UserId};
use crate::db::{Day, DbConnection};
use crate::mail::messages::{CampaignRequest, campaign_request};
use crate::mail::{OutgoingMail, outbox};
use crate::schema::{campaign_policies, campaign_requests, campaigns, memberships, organizations, people, users};

/// Rows per INSERT of the requests (6 values each).
const CHUNK: usize = 1000;
/// A signing link stays valid this many days after the due date (late signatures still count).
pub const LINK_DAYS_AFTER_DUE: i64 = 30;

/// Someone a campaign asks: (person, name, email).
pub type Recipient = (PersonId, String, String);

/// Gives every active member of the organization a person row: links a person with the member's email to the
/// user, creates the missing ones. Returns how many were created. Three statements when nothing changes.
pub fn sync_members(conn: &mut DbConnection, org: &OrgId, now: NaiveDateTime) -> QueryResult<usize> {
    let members: Vec<(UserId, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(memberships::deactivated_at.is_null())
        .select((users::id, users::email, users::name))
        .load(conn)?;
    let emails: Vec<String> = members.iter().map(|(_, email, _)| email.to_lowercase()).collect();
    let existing: Vec<(PersonId, String, Option<UserId>)> = people::table
        .filter(people::org_id.eq(org))
        .filter(people::email.eq_any(&emails))
        .select((people::id, people::email, people::user_id))
        .load(conn)?;
    let known: HashSet<&str> = existing.iter().map(|(_, email, _)| email.as_str()).collect();
    for (person, email, linked) in &existing {
        let user = members.iter().find(|(_, e, _)| e.to_lowercase() == *email).map(|(id, _, _)| id);
        if linked.as_ref() != user {
            diesel::update(people::table.filter(people::org_id.eq(org)).filter(people::id.eq(person)))
                .set((people::user_id.eq(user), people::updated_at.eq(now)))
                .execute(conn)?;
        }
    }
    let rows: Vec<_> = members
        .iter()
        .filter(|(_, email, _)| !known.contains(email.to_lowercase().as_str()))
        .map(|(user, email, name)| {
            (
                people::id.eq(PersonId::new()),
                people::org_id.eq(org.clone()),
                people::name.eq(name.clone()),
                people::email.eq(email.to_lowercase()),
                people::user_id.eq(Some(user.clone())),
                people::created_at.eq(now),
                people::updated_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::batch_insert!(conn, people::table, &rows)?;
    }
    Ok(rows.len())
}

/// The active people a campaign's audience names, by name.
pub fn audience(conn: &mut DbConnection, org: &OrgId, c: &NewCampaign) -> QueryResult<Vec<Recipient>> {
    let active = people::table.filter(people::org_id.eq(org)).filter(people::deactivated_at.is_null());
    let columns = (people::id, people::name, people::email);
    let order = (people::name.asc(), people::id.asc());
    match c.audience {
        Audience::Everyone => active.order(order).select(columns).load(conn),
        Audience::Department => {
            active.filter(people::department.eq(&c.audience_value)).order(order).select(columns).load(conn)
        }
        Audience::Chosen => active.filter(people::id.eq_any(&c.chosen)).order(order).select(columns).load(conn),
        Audience::Signers => {
            let previous = c.follow_up_of.as_ref().map_or("", |id| id.as_str());
            let signers = campaign_requests::table
                .filter(campaign_requests::org_id.eq(org))
                .filter(campaign_requests::campaign_id.eq(previous))
                .filter(campaign_requests::signed_at.is_not_null())
                .select(campaign_requests::person_id);
            active.filter(people::id.eq_any(signers)).order(order).select(columns).load(conn)
        }
        Audience::Role => {
            let holders = memberships::table
                .filter(memberships::org_id.eq(org))
                .filter(memberships::deactivated_at.is_null())
                .filter(memberships::role.eq(&c.audience_value))
                .select(memberships::user_id);
            active.filter(people::user_id.eq_any(holders.nullable())).order(order).select(columns).load(conn)
        }
    }
}

/// When a link made for a campaign due on `due` stops working.
pub fn link_expiry(due: Day) -> NaiveDateTime {
    NaiveDateTime::new(due.plus_days(LINK_DAYS_AFTER_DUE).date(), NaiveTime::MIN)
}

/// Writes a campaign to these people with its requests and their emails. Returns its id.
pub fn start(
    conn: &mut DbConnection,
    org: &OrgId,
    c: &NewCampaign,
    recipients: &[Recipient],
    by: Option<&UserId>,
    now: NaiveDateTime,
    base_url: &str,
) -> QueryResult<CampaignId> {
    let id = CampaignId::new();
    diesel::insert_into(campaigns::table)
        .values((
            campaigns::id.eq(&id),
            campaigns::org_id.eq(org),
            campaigns::name.eq(&c.name),
            campaigns::message.eq(&c.message),
            campaigns::due_on.eq(c.due_on),
            campaigns::audience.eq(c.audience),
            campaigns::audience_value.eq(&c.audience_value),
            campaigns::status.eq(CampaignStatus::Running),
            campaigns::remind_days_before.eq(c.remind_days_before),
            campaigns::remind_on_due.eq(c.remind_on_due),
            campaigns::remind_every_days.eq(c.remind_every_days),
            campaigns::follow_up_of.eq(c.follow_up_of.as_ref()),
            campaigns::follow_up_reason.eq(&c.follow_up_reason),
            campaigns::started_by_user_id.eq(by),
            campaigns::started_at.eq(now),
            campaigns::requested_count.eq(i32::try_from(recipients.len()).unwrap_or(i32::MAX)),
        ))
        .execute(conn)?;
    let versions: Vec<_> = c
        .versions
        .iter()
        .map(|v| {
            (
                campaign_policies::org_id.eq(org.clone()),
                campaign_policies::campaign_id.eq(id.clone()),
                campaign_policies::policy_version_id.eq(v.clone()),
            )
        })
        .collect();
    crate::batch_insert!(conn, campaign_policies::table, &versions)?;
    let campaign = campaigns::table.find(&id).select(Campaign::as_select()).first(conn)?;
    let letter = Letter::of(conn, &campaign, base_url)?;
    let expires = link_expiry(c.due_on);
    for chunk in recipients.chunks(CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut mails = Vec::with_capacity(chunk.len());
        for (person, name, email) in chunk {
            let token = new_token();
            rows.push((
                campaign_requests::id.eq(CampaignRequestId::new()),
                campaign_requests::org_id.eq(org.clone()),
                campaign_requests::campaign_id.eq(id.clone()),
                campaign_requests::person_id.eq(person.clone()),
                campaign_requests::token_sha256.eq(hash_token(&token)),
                campaign_requests::token_expires_at.eq(expires),
            ));
            mails.push(letter.to(name, email, &token, false));
        }
        crate::batch_insert!(conn, campaign_requests::table, &rows)?;
        outbox::enqueue_many(conn, now, &mails)?;
    }
    Ok(id)
}

/// What every email of one campaign shares: the organization's name, the titles, the due date, the message.
pub struct Letter {
    org_id: OrgId,
    org_name: String,
    titles: Vec<String>,
    due: String,
    message: String,
    base_url: String,
}

impl Letter {
    pub fn of(conn: &mut DbConnection, c: &Campaign, base_url: &str) -> QueryResult<Letter> {
        let org_name = organizations::table.find(&c.org_id).select(organizations::name).first(conn)?;
        let versions = super::models::versions_of(conn, &c.org_id, &c.id)?;
        Ok(Letter {
            org_id: c.org_id.clone(),
            org_name,
            titles: versions.iter().map(|v| format!("{} (version {})", v.title, v.number)).collect(),
            due: c.due_on.label(),
            message: c.message.clone(),
            base_url: base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The email carrying this person's signing link.
    pub fn to(&self, name: &str, email: &str, token: &str, reminder: bool) -> OutgoingMail {
        let link = format!("{}/sign/{token}", self.base_url);
        let request = CampaignRequest {
            name,
            org_name: &self.org_name,
            titles: &self.titles,
            due: &self.due,
            message: &self.message,
            link: &link,
            reminder,
        };
        campaign_request(email, &request).for_org(&self.org_id)
    }
}
