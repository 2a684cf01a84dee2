//! The portal of `palisade demo --clients N --portal-users M`: end users for load measurements (the portal's
//! pages in docs/perf.sh, the chat load bench in docs/chat_load.sh), each a contact of their client with a
//! portal account. A client's first portal user sees the company's tickets, and every third ticket of the
//! client names them as its requester; the others see only their own.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::permissions::Role;
use crate::auth::users;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::orgs::models::insert_membership;
use crate::psa::contacts::models::{self as contacts, ContactInput};
use crate::schema::{portal_accounts, tickets};

/// `portal{u}@load.test` ("Portal User {u}"), dealt round the clients like the load members: a contact of the
/// client, a portal membership and a portal account linking the two. Returns how many were seeded.
pub fn seed_scale(
    conn: &mut DbConnection,
    clients: &[OrgId],
    count: usize,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if clients.is_empty() {
        return Ok(0);
    }
    for u in 0..count {
        let client = &clients[u % clients.len()];
        let first_of_client = u < clients.len();
        let (email, name) = (format!("portal{u}@load.test"), format!("Portal User {u}"));
        let input = ContactInput { name: name.clone(), email: Some(email.clone()), ..Default::default() };
        let contact = contacts::insert(conn, client, &input, now)?;
        let user = users::insert(conn, &email, &name, password_hash, false, now)?;
        insert_membership(conn, client, &user, Role::PortalUser, now)?;
        diesel::insert_into(portal_accounts::table)
            .values((
                portal_accounts::id.eq(crate::db::ids::new_id()),
                portal_accounts::org_id.eq(client),
                portal_accounts::user_id.eq(&user),
                portal_accounts::contact_id.eq(&contact),
                portal_accounts::sees_company_tickets.eq(first_of_client),
                portal_accounts::created_at.eq(now),
                portal_accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
        if first_of_client {
            diesel::update(tickets::table.filter(tickets::org_id.eq(client)))
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("number % 3 = 0"))
                .set(tickets::requester_contact_id.eq(Some(&contact)))
                .execute(conn)?;
        }
    }
    Ok(count)
}
