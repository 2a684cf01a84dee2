//! `palisade demo --clients N --articles K`: K published articles for load measurements, varied enough that
//! search has work: three in five MSP-wide, then as many of "Client 00001"'s own as make 5,000 readable there
//! (when K allows), the rest spread over the other clients. Written in batches, the search index with them, then
//! every owner's kept shelf counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Article, ArticleStatus, Audience};
use super::search;
use crate::batch_insert;
use crate::db::DbConnection;
use crate::db::ids::{ArticleId, OrgId};
use crate::error::AppError;
use crate::schema::{kb_article_versions, kb_articles};

/// Articles readable in "Client 00001" when there are enough.
const VISIBLE_IN_FIRST: usize = 5000;
const BATCH: usize = 200;

const PRODUCTS: &[&str] = &[
    "Outlook",
    "Teams",
    "OneDrive",
    "SharePoint",
    "the VPN client",
    "the office printer",
    "Wi-Fi",
    "the firewall",
    "QuickBooks",
    "the laptop dock",
    "Windows Update",
    "MFA",
    "the backup agent",
    "Chrome",
    "Zoom",
    "the scanner",
    "Adobe Acrobat",
    "the phone system",
    "Dropbox",
    "the shared drive",
];
const PROBLEMS: &[&str] = &[
    "keeps asking for a password",
    "will not connect",
    "is very slow",
    "shows a certificate warning",
    "crashes on start",
    "does not sync",
    "prints blank pages",
    "drops the connection every hour",
    "cannot find the server",
    "reports a licence error",
    "freezes after an update",
    "rejects the sign-in code",
];
const STEPS: &[&str] = &[
    "Restart the computer and try again before anything else.",
    "Sign out of the application, clear the cached credentials in Credential Manager and sign in again.",
    "Check that the device is on the office network or that the VPN shows Connected.",
    "Open Settings, choose Accounts and remove the work account, then add it again.",
    "Update the driver from the manufacturer's site rather than through Windows Update.",
    "Ask the service desk to reset the authenticator registration if the code is always rejected.",
    "Make sure the clock on the device is correct: sign-in codes fail when it drifts.",
    "Move the file out of the synced folder, wait for the sync to finish, then move it back.",
    "Turn off the power saving setting for the network adapter in Device Manager.",
    "If several people are affected, open a ticket with the time it started and any error text.",
    "Collect the log file from the application's Help menu and attach it to the ticket.",
    "Check free disk space: under five percent, updates and syncing stall.",
];
/// Words that appear in very few articles (every 997th), for searching something rare.
const RARE: &[&str] = &["zeroconf", "kerberoasting", "duplexer"];

/// Seeds `total` published articles; returns how many.
pub fn seed_scale(
    conn: &mut DbConnection,
    msp: &OrgId,
    clients: &[OrgId],
    total: usize,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    if clients.is_empty() || total == 0 {
        return Ok(0);
    }
    let first = &clients[1.min(clients.len() - 1)];
    let msp_wide = total * 3 / 5;
    let in_first = (total - msp_wide).min(VISIBLE_IN_FIRST.saturating_sub(msp_wide));
    let others: Vec<&OrgId> = clients.iter().filter(|c| *c != first).collect();
    let start: i64 =
        kb_articles::table.select(diesel::dsl::max(kb_articles::doc_id)).first::<Option<i64>>(conn)?.unwrap_or(0);
    let mut batch = Vec::with_capacity(BATCH);
    let mut owners = std::collections::BTreeSet::new();
    for i in 0..total {
        let (owner, shared) = if i < msp_wide {
            (msp, true)
        } else if i < msp_wide + in_first || others.is_empty() {
            (first, false)
        } else {
            (others[i % others.len()], false)
        };
        owners.insert(owner);
        batch.push(article(i, owner, shared, start + 1 + i as i64, now));
        if batch.len() == BATCH {
            write_batch(conn, &batch)?;
            batch.clear();
        }
    }
    write_batch(conn, &batch)?;
    for owner in owners {
        super::shelf::rebuild(conn, owner)?;
    }
    Ok(total)
}

fn article(i: usize, owner: &OrgId, msp_wide: bool, doc_id: i64, now: NaiveDateTime) -> Article {
    let product = PRODUCTS[i % PRODUCTS.len()];
    let problem = PROBLEMS[(i / PRODUCTS.len()) % PROBLEMS.len()];
    let mut title = format!("{} {problem}", capitalized(product));
    if i >= PRODUCTS.len() * PROBLEMS.len() {
        title.push_str(&format!(" (case {})", i / (PRODUCTS.len() * PROBLEMS.len()) + 1));
    }
    let mut body = format!("## When {product} {problem}\n\n");
    for s in 0..4 {
        body.push_str(&format!("{}. {}\n", s + 1, STEPS[(i * 7 + s * 5) % STEPS.len()]));
    }
    if i.is_multiple_of(997) {
        body.push_str(&format!("\nRelated: {} settings on older devices.\n", RARE[(i / 997) % RARE.len()]));
    }
    let at = now - chrono::Duration::minutes(i as i64);
    Article {
        id: ArticleId::new(),
        org_id: owner.clone(),
        doc_id,
        msp_wide,
        audience: if i.is_multiple_of(3) { Audience::Internal } else { Audience::Public },
        status: ArticleStatus::Published,
        title,
        body,
        category: ["Email", "Network", "Printing", "Accounts", "Devices"][i % 5].to_string(),
        tags: String::new(),
        version: 1,
        view_count: (i % 50) as i64,
        helpful_count: (i % 7) as i32,
        unhelpful_count: (i % 4) as i32,
        source_ticket_id: None,
        created_by_user_id: None,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

#[derive(Insertable)]
#[diesel(table_name = kb_articles)]
struct ArticleRow<'a> {
    id: &'a ArticleId,
    org_id: &'a OrgId,
    doc_id: i64,
    msp_wide: bool,
    audience: Audience,
    status: ArticleStatus,
    title: &'a str,
    body: &'a str,
    category: &'a str,
    tags: &'a str,
    version: i32,
    view_count: i64,
    helpful_count: i32,
    unhelpful_count: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = kb_article_versions)]
struct VersionRow<'a> {
    id: String,
    org_id: &'a OrgId,
    article_id: &'a ArticleId,
    version: i32,
    title: &'a str,
    body: &'a str,
    author_label: &'a str,
    created_at: NaiveDateTime,
}

fn write_batch(conn: &mut DbConnection, batch: &[Article]) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<ArticleRow> = batch
        .iter()
        .map(|a| ArticleRow {
            id: &a.id,
            org_id: &a.org_id,
            doc_id: a.doc_id,
            msp_wide: a.msp_wide,
            audience: a.audience,
            status: a.status,
            title: &a.title,
            body: &a.body,
            category: &a.category,
            tags: &a.tags,
            version: a.version,
            view_count: a.view_count,
            helpful_count: a.helpful_count,
            unhelpful_count: a.unhelpful_count,
            created_at: a.created_at,
            updated_at: a.updated_at,
            published_at: a.published_at,
        })
        .collect();
    batch_insert!(conn, kb_articles::table, &rows)?;
    let versions: Vec<VersionRow> = batch
        .iter()
        .map(|a| VersionRow {
            id: crate::db::new_id(),
            org_id: &a.org_id,
            article_id: &a.id,
            version: 1,
            title: &a.title,
            body: &a.body,
            author_label: "palisade demo",
            created_at: a.created_at,
        })
        .collect();
    batch_insert!(conn, kb_article_versions::table, &versions)?;
    search::index_all(conn, batch)?;
    Ok(())
}
