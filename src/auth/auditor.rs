//! External auditors: an emailed link (`/audit/{token}`, only the token's SHA-256 stored) starts a session that
//! holds the auditor's grant; every request re-checks the grant (not revoked, not expired, organization active).

use std::future::{Ready, ready};

use actix_session::Session;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::AppState;
use crate::audit::Actor;
use crate::auth::{session, tokens};
use crate::db::DbConnection;
use crate::db::ids::{AuditorGrantId, OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::schema::{auditor_grants, organizations};
use crate::web::{redirect, render};

/// An auditor's access (routes with `Access::Auditor`): one organization, until the grant expires.
#[derive(Clone, Debug)]
pub struct AuditorScope {
    pub grant_id: AuditorGrantId,
    pub org_id: OrgId,
    pub org_name: String,
    pub email: String,
    pub name: String,
    pub expires_at: NaiveDateTime,
}

impl AuditorScope {
    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }
}

impl FromRequest for AuditorScope {
    type Error = AppError;
    type Future = Ready<Result<AuditorScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<AuditorScope>().cloned().ok_or(AppError::SignInRequired))
    }
}

type GrantRow = (AuditorGrantId, OrgId, String, String, String, NaiveDateTime);

/// How a grant is looked up: by the id a session holds, or by the token of the emailed link.
enum GrantKey<'a> {
    Id(&'a str),
    Token(&'a str),
}

/// The grant, while it stands (not revoked, not expired, organization active).
fn open_grant(conn: &mut DbConnection, key: GrantKey<'_>, now: NaiveDateTime) -> QueryResult<Option<AuditorScope>> {
    let open = auditor_grants::table
        .inner_join(organizations::table)
        .filter(auditor_grants::revoked_at.is_null())
        .filter(auditor_grants::expires_at.gt(now))
        .filter(organizations::archived_at.is_null())
        .into_boxed();
    let query = match key {
        GrantKey::Id(id) => open.filter(auditor_grants::id.eq(id.to_string())),
        GrantKey::Token(token) => open.filter(auditor_grants::token_hash.eq(tokens::hash_token(token))),
    };
    let row: Option<GrantRow> = query
        .select((
            auditor_grants::id,
            auditor_grants::org_id,
            organizations::name,
            auditor_grants::email,
            auditor_grants::name,
            auditor_grants::expires_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(grant_id, org_id, org_name, email, name, expires_at)| AuditorScope {
        grant_id,
        org_id,
        org_name,
        email,
        name,
        expires_at,
    }))
}

/// The grant a session holds, while it stands.
pub fn resolve(conn: &mut DbConnection, grant_id: &str, now: NaiveDateTime) -> QueryResult<Option<AuditorScope>> {
    open_grant(conn, GrantKey::Id(grant_id), now)
}

fn by_token(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<Option<AuditorScope>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    open_grant(conn, GrantKey::Token(token), now)
}

/// A new grant for an auditor: returns the token for the emailed link, and the grant's id.
pub fn create(
    conn: &mut DbConnection,
    org: &OrgId,
    email: &str,
    name: &str,
    expires_at: NaiveDateTime,
    created_by: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<(String, AuditorGrantId)> {
    let token = tokens::new_token();
    let id = AuditorGrantId::new();
    diesel::insert_into(auditor_grants::table)
        .values((
            auditor_grants::id.eq(&id),
            auditor_grants::org_id.eq(org),
            auditor_grants::email.eq(email),
            auditor_grants::name.eq(name),
            auditor_grants::token_hash.eq(tokens::hash_token(&token)),
            auditor_grants::expires_at.eq(expires_at),
            auditor_grants::created_by_user_id.eq(created_by),
            auditor_grants::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok((token, id))
}

/// `GET /audit/{token}`: the emailed link. Starts the auditor's session and lands on the audit home.
pub async fn enter(
    state: web::Data<AppState>,
    actor: Actor,
    session: Session,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let now = state.clock.now();
    let token = token.into_inner();
    let grant = state.db.run(move |conn| Ok(by_token(conn, &token, now)?)).await?.ok_or_else(|| {
        AppError::BadRequest(
            "This audit link has expired or was withdrawn. Ask the organization that invited you for a new one.".into(),
        )
    })?;
    session::start_auditor(&session, &grant.grant_id);
    Ok(redirect("/audit"))
}

#[derive(Template)]
#[template(path = "audit/auditor_home.html")]
struct AuditorHome {
    auditor: AuditorScope,
    until: String,
}

/// `GET /audit`: what the auditor's access covers.
pub async fn home(auditor: AuditorScope) -> AppResult<HttpResponse> {
    let until = auditor.expires_at.format("%Y-%m-%d").to_string();
    render(AuditorHome { auditor, until })
}
