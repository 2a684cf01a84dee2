//! A client's portal accounts as its staff manage them: the Portal users list, granting access (an invitation,
//! or an approved access request: the user, the End User membership and the portal account, and the email with
//! a link to set a password), the "sees all the company's tickets" switch and removing access.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::Role;
use crate::auth::users::{self, User};
use crate::db::DbConnection;
use crate::db::ids::{ContactId, OrgId, UserId};
use crate::orgs::models::{find_membership, insert_membership};
use crate::portal::auth::links::{self, Purpose};
use crate::portal::auth::mail::{LinkMail, send_link};
use crate::portal::auth::sessions;
use crate::psa::contacts::models::{self as contacts_model, ContactInput};
use crate::schema::{contacts, memberships, portal_accounts, portal_sessions, users as users_table};

/// One row of the Portal users page.
#[derive(Clone, Debug)]
pub struct PortalUserRow {
    pub account_id: String,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub contact: Option<(ContactId, String)>,
    pub sees_company_tickets: bool,
    /// The last portal sign-in in this client (not in the staff app).
    pub last_sign_in: Option<NaiveDateTime>,
    pub removed: bool,
}

impl PortalUserRow {
    /// "Active", "Invited" (never signed in here yet) or "Access removed".
    pub fn status(&self) -> &'static str {
        match (self.removed, self.last_sign_in) {
            (true, _) => "Access removed",
            (false, None) => "Invited",
            (false, Some(_)) => "Active",
        }
    }
}

pub fn count(conn: &mut DbConnection, org: &OrgId) -> QueryResult<i64> {
    portal_accounts::table.filter(portal_accounts::org_id.eq(org)).count().get_result(conn)
}

type AccountRow = (String, UserId, String, String, bool, Option<(ContactId, String)>);

/// A page of the client's portal accounts by name: three statements whatever the page size.
pub fn page(conn: &mut DbConnection, org: &OrgId, limit: i64, offset: i64) -> QueryResult<Vec<PortalUserRow>> {
    let rows: Vec<AccountRow> = portal_accounts::table
        .inner_join(users_table::table)
        .left_join(contacts::table)
        .filter(portal_accounts::org_id.eq(org))
        .order((users_table::name.asc(), portal_accounts::id.asc()))
        .limit(limit)
        .offset(offset)
        .select((
            portal_accounts::id,
            users_table::id,
            users_table::name,
            users_table::email,
            portal_accounts::sees_company_tickets,
            (contacts::id, contacts::name).nullable(),
        ))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.1.clone()).collect();
    let active: Vec<UserId> = memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq_any(&ids))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.eq(Role::PortalUser))
        .select(memberships::user_id)
        .load(conn)?;
    let last: HashMap<UserId, Option<NaiveDateTime>> = portal_sessions::table
        .filter(portal_sessions::org_id.eq(org))
        .filter(portal_sessions::user_id.eq_any(&ids))
        .group_by(portal_sessions::user_id)
        .select((portal_sessions::user_id, diesel::dsl::max(portal_sessions::created_at)))
        .load::<(UserId, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(account_id, user_id, name, email, sees_company_tickets, contact)| PortalUserRow {
            removed: !active.contains(&user_id),
            last_sign_in: last.get(&user_id).copied().flatten(),
            account_id,
            user_id,
            name,
            email,
            contact,
            sees_company_tickets,
        })
        .collect())
}

/// A portal account of the client by id with its user, or None (another client's ids are not found).
pub fn find(
    conn: &mut DbConnection,
    org: &OrgId,
    account_id: &str,
) -> QueryResult<Option<(String, User, Option<ContactId>)>> {
    portal_accounts::table
        .inner_join(users_table::table)
        .filter(portal_accounts::org_id.eq(org))
        .filter(portal_accounts::id.eq(account_id))
        .select((portal_accounts::id, User::as_select(), portal_accounts::contact_id))
        .first(conn)
        .optional()
}

/// Who is let in, and the email that tells them.
pub struct Grant {
    pub name: String,
    pub email: String,
    /// The contact they are; None: the client's contact with this email, or a new one.
    pub contact: Option<ContactId>,
    pub mail: LinkMail,
}

/// Lets a person into the client's portal: their user (an existing one with the email is reused: a staff member
/// elsewhere can be an end user here), an active End User membership, the portal account linked to their contact,
/// and the email with a 7-day link to set a password (older links die), or, for a person who already has a
/// password, with the portal's sign-in page. `Err` says why not: the person is on
/// the client's own team, who use the staff app.
pub fn grant(
    conn: &mut DbConnection,
    base_url: &str,
    org: &OrgId,
    who: Grant,
    now: NaiveDateTime,
) -> QueryResult<Result<User, String>> {
    let user_id = match users::find_by_email(conn, &who.email)? {
        Some(user) => user.id,
        // No password until they set one from the link (an empty hash matches no password).
        None => users::insert(conn, &who.email, &who.name, "", false, now)?,
    };
    match find_membership(conn, org, &user_id)? {
        Some(m) if m.role != Role::PortalUser && m.deactivated_at.is_none() => {
            return Ok(Err(format!(
                "{} is on this client's team ({}): they sign in to Palisade itself, not the portal.",
                who.email,
                m.role.label()
            )));
        }
        Some(m) => {
            diesel::update(memberships::table.find(&m.id))
                .set((
                    memberships::role.eq(Role::PortalUser),
                    memberships::deactivated_at.eq(None::<NaiveDateTime>),
                    memberships::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            insert_membership(conn, org, &user_id, Role::PortalUser, now)?;
        }
    }
    let contact = match who.contact {
        Some(contact) => contact,
        None => contact_for(conn, org, &who.name, &who.email, now)?,
    };
    link_account(conn, org, &user_id, &contact, now)?;
    let user = users::find(conn, &user_id)?.ok_or(diesel::result::Error::NotFound)?;
    if user.password_hash.is_empty() {
        links::send(conn, base_url, org, &user, &who.mail, now)?;
    } else {
        let inviter = match who.mail {
            LinkMail::Invite { inviter } => Some(inviter),
            _ => None,
        };
        let mail = LinkMail::ExistingAccount { inviter };
        send_link(conn, base_url, org, &mail, (&user.email, &user.name), "/sign-in", now)?;
    }
    Ok(Ok(user))
}

/// The client's contact with this email, or a new one.
fn contact_for(
    conn: &mut DbConnection,
    org: &OrgId,
    name: &str,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<ContactId> {
    if let Some(contact) = contacts_model::find_by_email(conn, org, email)? {
        return Ok(contact.id);
    }
    let input = ContactInput { name: name.to_string(), email: Some(email.to_lowercase()), ..ContactInput::default() };
    contacts_model::insert(conn, org, &input, now)
}

/// The user's portal account in the client, made or pointed at the contact.
fn link_account(
    conn: &mut DbConnection,
    org: &OrgId,
    user: &UserId,
    contact: &ContactId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mine = portal_accounts::table.filter(portal_accounts::org_id.eq(org)).filter(portal_accounts::user_id.eq(user));
    let updated = diesel::update(mine)
        .set((portal_accounts::contact_id.eq(Some(contact)), portal_accounts::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(portal_accounts::table)
            .values((
                portal_accounts::id.eq(uuid::Uuid::now_v7().to_string()),
                portal_accounts::org_id.eq(org),
                portal_accounts::user_id.eq(user),
                portal_accounts::contact_id.eq(Some(contact)),
                portal_accounts::sees_company_tickets.eq(false),
                portal_accounts::created_at.eq(now),
                portal_accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the account sees all the company's tickets or only the person's own.
pub fn set_sees_company_tickets(
    conn: &mut DbConnection,
    org: &OrgId,
    account_id: &str,
    on: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        portal_accounts::table.filter(portal_accounts::org_id.eq(org)).filter(portal_accounts::id.eq(account_id)),
    )
    .set((portal_accounts::sees_company_tickets.eq(on), portal_accounts::updated_at.eq(now)))
    .execute(conn)
    .map(|_| ())
}

/// Removes the person's portal access: the membership is deactivated, their portal sessions in the client end
/// now and their open links die. The account row stays (the list shows "Access removed"; inviting again
/// restores it).
pub fn remove_access(conn: &mut DbConnection, org: &OrgId, user: &UserId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::user_id.eq(user))
            .filter(memberships::role.eq(Role::PortalUser)),
    )
    .set((memberships::deactivated_at.eq(Some(now)), memberships::updated_at.eq(now)))
    .execute(conn)?;
    sessions::end_all_in(conn, org, user, now)?;
    for purpose in [Purpose::SignIn, Purpose::Reset, Purpose::Invite] {
        links::spend_all(conn, org, user, purpose, now)?;
    }
    Ok(())
}

/// The portal account of a contact, when they have one: (account id, access still active).
pub fn of_contact(conn: &mut DbConnection, org: &OrgId, contact: &ContactId) -> QueryResult<Option<(String, bool)>> {
    let found: Option<(String, UserId)> = portal_accounts::table
        .filter(portal_accounts::org_id.eq(org))
        .filter(portal_accounts::contact_id.eq(contact))
        .select((portal_accounts::id, portal_accounts::user_id))
        .first(conn)
        .optional()?;
    let Some((account, user)) = found else { return Ok(None) };
    let active = memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(&user))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.eq(Role::PortalUser));
    let active: bool = diesel::select(diesel::dsl::exists(active)).get_result(conn)?;
    Ok(Some((account, active)))
}
