//! A client's portal settings (`portal_settings`, one row per client, created on the first save): reading them
//! for the settings page, saving the branding form, and the logo and favicon files.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::portal::{PortalSections, PortalTarget};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::orgs::OrgKind;
use crate::psa::tickets::models::Priority;
use crate::schema::{organizations, portal_settings as ps};
use crate::storage::StoredFile;

/// What the branding form edits.
#[derive(Clone, Debug)]
pub struct Branding {
    pub portal_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub welcome_markdown: String,
    pub support_email: String,
    pub support_phone: String,
    pub sections: PortalSections,
    /// The priorities an end user may choose when opening a ticket.
    pub allowed_priorities: Vec<Priority>,
    /// Days after resolution within which an end user may reopen a ticket.
    pub reopen_days: i32,
}

impl Default for Branding {
    /// The table's defaults: what a portal nobody configured shows.
    fn default() -> Branding {
        Branding {
            portal_name: String::new(),
            primary_color: "#1d4ed8".into(),
            accent_color: "#0f766e".into(),
            welcome_markdown: String::new(),
            support_email: String::new(),
            support_phone: String::new(),
            sections: PortalSections { tickets: true, kb: true, chat: true, policies: true, compliance: false },
            allowed_priorities: vec![Priority::Low, Priority::Medium, Priority::High],
            reopen_days: 14,
        }
    }
}

/// A stored brand image (logo or favicon).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandImage {
    pub key: String,
    pub content_type: String,
}

/// Which brand image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Logo,
    Favicon,
}

impl ImageKind {
    pub fn field(self) -> &'static str {
        match self {
            ImageKind::Logo => "logo",
            ImageKind::Favicon => "favicon",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ImageKind::Logo => "The logo",
            ImageKind::Favicon => "The favicon",
        }
    }
}

/// Everything the settings page shows of a client's portal.
#[derive(Clone, Debug, Default)]
pub struct PortalSettings {
    pub branding: Branding,
    pub logo: Option<BrandImage>,
    pub favicon: Option<BrandImage>,
    /// A custom domain waiting for its verification, and the token its TXT record must hold.
    pub pending_domain: Option<String>,
    pub domain_token: Option<String>,
    pub domain_checked_at: Option<NaiveDateTime>,
    /// The verified custom domain (`organizations.portal_host`).
    pub portal_host: Option<String>,
    /// When the settings were last saved (None: never).
    pub updated_at: Option<NaiveDateTime>,
}

/// A comma list of priority ids ("low,medium,high") as priorities, unknown ids skipped.
pub fn parse_priorities(list: &str) -> Vec<Priority> {
    Priority::ALL.into_iter().filter(|p| list.split(',').any(|id| id.trim() == p.id())).collect()
}

fn priority_list(priorities: &[Priority]) -> String {
    priorities.iter().map(|p| p.id()).collect::<Vec<_>>().join(",")
}

type SettingsRow = (
    (String, String, String, String, String, String),
    (Option<String>, Option<String>, Option<String>, Option<String>),
    (bool, bool, bool, bool, bool),
    (String, i32),
    (Option<String>, Option<String>, Option<NaiveDateTime>, NaiveDateTime),
);

/// The client's portal settings (the defaults until the first save), with its verified domain. One statement.
pub fn settings_of(conn: &mut DbConnection, client: &OrgId) -> QueryResult<PortalSettings> {
    let (host, row): (Option<String>, Option<SettingsRow>) = organizations::table
        .left_join(ps::table)
        .filter(organizations::id.eq(client))
        .select((
            organizations::portal_host,
            (
                (
                    ps::portal_name,
                    ps::primary_color,
                    ps::accent_color,
                    ps::welcome_markdown,
                    ps::support_email,
                    ps::support_phone,
                ),
                (ps::logo_key, ps::logo_type, ps::favicon_key, ps::favicon_type),
                (ps::show_tickets, ps::show_kb, ps::show_chat, ps::show_policies, ps::show_compliance),
                (ps::allowed_priorities, ps::reopen_days),
                (ps::pending_domain, ps::domain_token, ps::domain_checked_at, ps::updated_at),
            )
                .nullable(),
        ))
        .first(conn)?;
    let mut settings = row.map(settings_from).unwrap_or_default();
    settings.portal_host = host;
    Ok(settings)
}

fn settings_from(row: SettingsRow) -> PortalSettings {
    let (
        (portal_name, primary_color, accent_color, welcome_markdown, support_email, support_phone),
        files,
        shown,
        rules,
        domain,
    ) = row;
    let image = |key: Option<String>, content_type: Option<String>| {
        key.map(|key| BrandImage { key, content_type: content_type.unwrap_or_default() })
    };
    PortalSettings {
        branding: Branding {
            portal_name,
            primary_color,
            accent_color,
            welcome_markdown,
            support_email,
            support_phone,
            sections: PortalSections {
                tickets: shown.0,
                kb: shown.1,
                chat: shown.2,
                policies: shown.3,
                compliance: shown.4,
            },
            allowed_priorities: parse_priorities(&rules.0),
            reopen_days: rules.1,
        },
        logo: image(files.0, files.1),
        favicon: image(files.2, files.3),
        pending_domain: domain.0,
        domain_token: domain.1,
        domain_checked_at: domain.2,
        portal_host: None,
        updated_at: Some(domain.3),
    }
}

/// Makes sure the client has its settings row (the table's defaults), so that updates have a row to change.
pub(super) fn ensure_row(conn: &mut DbConnection, client: &OrgId, now: NaiveDateTime) -> QueryResult<()> {
    let exists: i64 = ps::table.filter(ps::org_id.eq(client)).count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(ps::table).values((ps::org_id.eq(client), ps::updated_at.eq(now))).execute(conn)?;
    }
    Ok(())
}

/// Saves the branding form. `updated_at` moves, which changes the stylesheet's and images' version.
pub fn save_branding(conn: &mut DbConnection, client: &OrgId, b: &Branding, now: NaiveDateTime) -> QueryResult<()> {
    ensure_row(conn, client, now)?;
    diesel::update(ps::table.find(client))
        .set((
            (
                ps::portal_name.eq(&b.portal_name),
                ps::primary_color.eq(&b.primary_color),
                ps::accent_color.eq(&b.accent_color),
                ps::welcome_markdown.eq(&b.welcome_markdown),
                ps::support_email.eq(&b.support_email),
                ps::support_phone.eq(&b.support_phone),
            ),
            (
                ps::show_tickets.eq(b.sections.tickets),
                ps::show_kb.eq(b.sections.kb),
                ps::show_chat.eq(b.sections.chat),
                ps::show_policies.eq(b.sections.policies),
                ps::show_compliance.eq(b.sections.compliance),
            ),
            ps::allowed_priorities.eq(priority_list(&b.allowed_priorities)),
            ps::reopen_days.eq(b.reopen_days),
            ps::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets (or with None removes) the client's logo or favicon (a logo with its `data:` URI for emails); returns
/// the key of the file it replaced, to be deleted from storage after the commit.
pub fn set_image(
    conn: &mut DbConnection,
    client: &OrgId,
    kind: ImageKind,
    file: Option<(&StoredFile, String)>,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    ensure_row(conn, client, now)?;
    let key = file.as_ref().map(|(f, _)| f.key.clone());
    let content_type = file.as_ref().map(|(f, _)| f.content_type.clone());
    let data_uri = file.map(|(_, uri)| uri);
    let replaced: Option<String> = match kind {
        ImageKind::Logo => {
            let old = ps::table.find(client).select(ps::logo_key).first(conn)?;
            diesel::update(ps::table.find(client))
                .set((
                    ps::logo_key.eq(key),
                    ps::logo_type.eq(content_type),
                    ps::email_logo.eq(data_uri),
                    ps::updated_at.eq(now),
                ))
                .execute(conn)?;
            old
        }
        ImageKind::Favicon => {
            let old = ps::table.find(client).select(ps::favicon_key).first(conn)?;
            diesel::update(ps::table.find(client))
                .set((ps::favicon_key.eq(key), ps::favicon_type.eq(content_type), ps::updated_at.eq(now)))
                .execute(conn)?;
            old
        }
    };
    Ok(replaced)
}

/// The logo or favicon of the active client a portal request names, if it has one. One statement.
pub fn image_of(conn: &mut DbConnection, target: &PortalTarget, kind: ImageKind) -> QueryResult<Option<BrandImage>> {
    let query = organizations::table
        .inner_join(ps::table)
        .filter(organizations::archived_at.is_null())
        .filter(organizations::kind.ne(OrgKind::Msp))
        .into_boxed();
    let query = match target {
        PortalTarget::Slug(slug) => query.filter(organizations::slug.eq(slug.clone())),
        PortalTarget::Host(host) => query.filter(organizations::portal_host.eq(host.clone())),
    };
    let row: Option<(Option<String>, Option<String>)> = match kind {
        ImageKind::Logo => query.select((ps::logo_key, ps::logo_type)).first(conn).optional()?,
        ImageKind::Favicon => query.select((ps::favicon_key, ps::favicon_type)).first(conn).optional()?,
    };
    Ok(row.and_then(|(key, content_type)| Some(BrandImage { key: key?, content_type: content_type? })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_lists_round_trip_and_skip_unknown_ids() {
        assert_eq!(parse_priorities("low, high,bogus"), vec![Priority::High, Priority::Low]);
        assert_eq!(priority_list(&parse_priorities("critical,low")), "critical,low");
        assert!(parse_priorities("").is_empty());
    }
}
