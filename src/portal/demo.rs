//! Portal end users for `palisade demo --clients N` (load measurements): every client member with the Portal
//! user role becomes a contact of the client with a portal account that sees the company's tickets, and every
//! third ticket of the client names that contact as its requester.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::Role;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::psa::contacts::models::{self as contacts, ContactInput};
use crate::schema::{memberships, portal_accounts, tickets, users};

/// Returns how many portal accounts it made.
pub fn seed_scale(conn: &mut DbConnection, clients: &[OrgId], now: NaiveDateTime) -> QueryResult<usize> {
    let members: Vec<(OrgId, String, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq_any(clients))
        .filter(memberships::role.eq(Role::PortalUser))
        .select((memberships::org_id, memberships::user_id, users::name, users::email))
        .load(conn)?;
    for (client, user, name, email) in &members {
        let input = ContactInput { name: name.clone(), email: Some(email.clone()), ..Default::default() };
        let contact = contacts::insert(conn, client, &input, now)?;
        diesel::insert_into(portal_accounts::table)
            .values((
                portal_accounts::id.eq(uuid::Uuid::now_v7().to_string()),
                portal_accounts::org_id.eq(client),
                portal_accounts::user_id.eq(user),
                portal_accounts::contact_id.eq(Some(&contact)),
                portal_accounts::sees_company_tickets.eq(true),
                portal_accounts::created_at.eq(now),
                portal_accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(tickets::table.filter(tickets::org_id.eq(client)))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("number % 3 = 0"))
            .set(tickets::requester_contact_id.eq(Some(&contact)))
            .execute(conn)?;
    }
    Ok(members.len())
}
