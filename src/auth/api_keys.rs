//! API keys: an organization's programs call `/api/...` with `Authorization: Bearer <key>`. No cookie and no
//! csrf token are involved; the key names its organization and the scopes it holds. Only the key's SHA-256 is
//! stored (the key itself is shown once, when it is made).

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::tokens;
use crate::db::DbConnection;
use crate::db::ids::{ApiKeyId, OrgId, UserId};
use crate::error::AppError;
use crate::schema::{api_keys, organizations};

crate::text_enum! {
    /// What an API key may do. Stored space-separated on the key.
    pub enum ApiScope {
        /// Read the organization's own details.
        ReadOrganization = "organization:read",
    }
}

impl ApiScope {
    pub fn label(self) -> &'static str {
        match self {
            ApiScope::ReadOrganization => "Read organization details",
        }
    }
}

/// What keys look like: a recognizable prefix and a random token.
const KEY_PREFIX: &str = "pal_";

/// A request made with an API key (routes with `Access::ApiKey`).
#[derive(Clone, Debug)]
pub struct ApiKeyScope {
    pub key_id: ApiKeyId,
    pub org_id: OrgId,
    pub org_name: String,
    pub scopes: Vec<ApiScope>,
}

impl ApiKeyScope {
    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }

    pub fn has(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }
}

impl FromRequest for ApiKeyScope {
    type Error = AppError;
    type Future = Ready<Result<ApiKeyScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<ApiKeyScope>().cloned().ok_or(AppError::SignInRequired))
    }
}

/// The bearer key of a request, when it has a well-formed one.
pub fn bearer_key(req: &actix_web::dev::ServiceRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let key = value.strip_prefix("Bearer ")?.trim();
    let token = key.strip_prefix(KEY_PREFIX)?;
    tokens::looks_like_token(token).then(|| key.to_string())
}

/// The key's scope, or None when it is unknown, revoked, or its organization is archived.
pub fn resolve(conn: &mut DbConnection, key: &str) -> QueryResult<Option<ApiKeyScope>> {
    let row: Option<(ApiKeyId, OrgId, String, String)> = api_keys::table
        .inner_join(organizations::table)
        .filter(api_keys::key_hash.eq(tokens::hash_token(key)))
        .filter(api_keys::revoked_at.is_null())
        .filter(organizations::archived_at.is_null())
        .select((api_keys::id, api_keys::org_id, organizations::name, api_keys::scopes))
        .first(conn)
        .optional()?;
    Ok(row.map(|(key_id, org_id, org_name, scopes)| ApiKeyScope {
        key_id,
        org_id,
        org_name,
        scopes: scopes.split_whitespace().filter_map(ApiScope::parse).collect(),
    }))
}

/// A new key for an organization: returns the key (to show once) and its id.
pub fn create(
    conn: &mut DbConnection,
    org: &OrgId,
    name: &str,
    scopes: &[ApiScope],
    created_by: Option<&UserId>,
    now: NaiveDateTime,
) -> QueryResult<(String, ApiKeyId)> {
    let key = format!("{KEY_PREFIX}{}", tokens::new_token());
    let id = ApiKeyId::new();
    let scope_ids: Vec<&str> = scopes.iter().map(|s| s.id()).collect();
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(&id),
            api_keys::org_id.eq(org),
            api_keys::name.eq(name),
            api_keys::key_prefix.eq(&key[..KEY_PREFIX.len() + 6]),
            api_keys::key_hash.eq(tokens::hash_token(&key)),
            api_keys::scopes.eq(scope_ids.join(" ")),
            api_keys::created_by_user_id.eq(created_by),
            api_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok((key, id))
}

#[derive(serde::Serialize)]
struct OrganizationJson<'a> {
    id: &'a OrgId,
    name: &'a str,
}

/// `GET /api/v1/organization`: the key's organization.
pub async fn organization(key: ApiKeyScope) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(OrganizationJson { id: key.org_id(), name: &key.org_name })
}
