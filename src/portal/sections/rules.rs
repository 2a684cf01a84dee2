//! What the client's portal settings say beyond its brand (`portal_settings`): the welcome text and support
//! contacts of the home page, and the ticket rules (which priorities end users may choose, how long after
//! closing they may reopen). The table's defaults until someone saves the settings.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::psa::tickets::models::Priority;
use crate::schema::portal_settings as ps;

#[derive(Clone, Debug)]
pub struct PortalRules {
    pub welcome_markdown: String,
    pub support_email: String,
    pub support_phone: String,
    /// The priorities an end user may choose, most urgent first.
    pub priorities: Vec<Priority>,
    /// Days after closing within which the end user may reopen a ticket; 0 never.
    pub reopen_days: i32,
}

impl Default for PortalRules {
    fn default() -> PortalRules {
        PortalRules {
            welcome_markdown: String::new(),
            support_email: String::new(),
            support_phone: String::new(),
            priorities: parse_priorities("low,medium,high"),
            reopen_days: 14,
        }
    }
}

/// The comma list of priority ids, known ones only, most urgent first.
pub fn parse_priorities(list: &str) -> Vec<Priority> {
    let chosen: Vec<&str> = list.split(',').map(str::trim).collect();
    [Priority::Critical, Priority::High, Priority::Medium, Priority::Low]
        .into_iter()
        .filter(|p| chosen.contains(&p.id()))
        .collect()
}

/// The client's portal rules (one statement).
pub fn of(conn: &mut DbConnection, client: &OrgId) -> QueryResult<PortalRules> {
    let row: Option<(String, String, String, String, i32)> = ps::table
        .find(client)
        .select((ps::welcome_markdown, ps::support_email, ps::support_phone, ps::allowed_priorities, ps::reopen_days))
        .first(conn)
        .optional()?;
    Ok(row
        .map(|(welcome_markdown, support_email, support_phone, priorities, reopen_days)| PortalRules {
            welcome_markdown,
            support_email,
            support_phone,
            priorities: parse_priorities(&priorities),
            reopen_days,
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_keep_known_ids_most_urgent_first() {
        assert_eq!(parse_priorities("low, high,bogus"), vec![Priority::High, Priority::Low]);
        assert!(parse_priorities("").is_empty());
    }
}
