//! Who a template's {{security_lead}} and {{privacy_lead}} name: the organization's Approver (Security) and
//! Approver (Privacy) members, or else its compliance admin or admin (the person who owns the program), or
//! else a role title for the organization to fill in. The gallery says which was used.

use diesel::prelude::*;

use crate::auth::permissions::Role;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::schema::{memberships, users};

/// A lead: the name used and where it came from.
#[derive(Clone, Debug)]
pub struct Lead {
    pub name: String,
    pub source: String,
}

#[derive(Clone, Debug)]
pub struct Leads {
    pub security: Lead,
    pub privacy: Lead,
}

impl Leads {
    /// "security lead Sam Lee (Approver (Security)); privacy lead Olive Owner (Admin: no Approver (Privacy) in the team)"
    pub fn sentence(&self) -> String {
        format!(
            "security lead {} ({}); privacy lead {} ({})",
            self.security.name, self.security.source, self.privacy.name, self.privacy.source
        )
    }
}

/// The organization's leads, from its active members (one statement).
pub fn of(conn: &mut DbConnection, org: &OrgId) -> QueryResult<Leads> {
    let roles = [Role::SecurityOfficer, Role::PrivacyOfficer, Role::ComplianceAdmin, Role::Admin];
    let members: Vec<(Role, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(memberships::deactivated_at.is_null())
        .filter(memberships::role.eq_any(roles))
        .order((users::name.asc(), users::id.asc()))
        .select((memberships::role, users::name))
        .load(conn)?;
    Ok(Leads {
        security: pick(&members, Role::SecurityOfficer, "Security Lead"),
        privacy: pick(&members, Role::PrivacyOfficer, "Privacy Lead"),
    })
}

fn pick(members: &[(Role, String)], role: Role, title: &str) -> Lead {
    let first = |r: Role| members.iter().find(|(m, _)| *m == r).map(|(_, name)| name.clone());
    if let Some(name) = first(role) {
        return Lead { name, source: role.label().to_string() };
    }
    for fallback in [Role::ComplianceAdmin, Role::Admin] {
        if let Some(name) = first(fallback) {
            return Lead { name, source: format!("{}: no {} in the team", fallback.label(), role.label()) };
        }
    }
    Lead { name: format!("the {title}"), source: "no member to name: edit the text".into() }
}
