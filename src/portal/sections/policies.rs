//! Portal -> Policies: the acknowledgments the client's campaigns ask of the person (found by their email in
//! the client's people directory), read and signed here through the same signing service as the emailed link
//! (`campaigns::sign::sign`: the same evidence, the same campaign progress), and what they signed before.

use actix_session::Session;
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{href, section_on};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::portal::PortalScope;
use crate::auth::session;
use crate::compliance::campaigns::models::{self, Campaign, CampaignStatus, Request};
use crate::compliance::campaigns::sign::{self, ShownVersion, SignForm, Signature};
use crate::compliance::policies::models::Version;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PersonId};
use crate::error::{AppError, AppResult};
use crate::portal::Chrome;
use crate::schema::{acknowledgments, campaign_requests, campaigns, people, policy_versions};
use crate::web::forms::FieldErrors;
use crate::web::{form_status, redirect, render, render_status};

/// The person the signed-in user is in the client's people directory: the active row with their email.
fn person_of(conn: &mut DbConnection, org: &OrgId, email: &str) -> QueryResult<Option<PersonId>> {
    people::table
        .filter(people::org_id.eq(org))
        .filter(people::email.eq(email.trim().to_lowercase()))
        .filter(people::deactivated_at.is_null())
        .order(people::id)
        .select(people::id)
        .first(conn)
        .optional()
}

/// How many acknowledgments of running campaigns the person with this email has still to sign (the home page).
pub fn pending_count(conn: &mut DbConnection, org: &OrgId, email: &str) -> QueryResult<i64> {
    let Some(person) = person_of(conn, org, email)? else { return Ok(0) };
    campaign_requests::table
        .inner_join(campaigns::table)
        .filter(campaign_requests::org_id.eq(org))
        .filter(campaign_requests::person_id.eq(&person))
        .filter(campaign_requests::signed_at.is_null())
        .filter(campaigns::status.eq(CampaignStatus::Running))
        .count()
        .get_result(conn)
}

/// A policy version the person signed.
#[derive(Queryable, Clone, Debug)]
pub struct Signed {
    pub title: String,
    pub number: i32,
    pub signed_at: NaiveDateTime,
}

/// Everything the person signed, newest first (at most the last 100).
fn signed_by(conn: &mut DbConnection, org: &OrgId, person: &PersonId) -> QueryResult<Vec<Signed>> {
    acknowledgments::table
        .inner_join(policy_versions::table)
        .filter(acknowledgments::org_id.eq(org))
        .filter(acknowledgments::person_id.eq(person))
        .filter(policy_versions::org_id.eq(org))
        .order((acknowledgments::signed_at.desc(), acknowledgments::id.desc()))
        .limit(100)
        .select((policy_versions::title, policy_versions::number, acknowledgments::signed_at))
        .load(conn)
}

#[derive(Template)]
#[template(path = "portal/sections/policies.html")]
struct ListPage {
    chrome: Chrome,
    in_directory: bool,
    pending: Vec<Campaign>,
    signed: Vec<Signed>,
}

/// `GET {base}/policies`: three statements.
pub async fn list(state: web::Data<AppState>, portal: PortalScope, session: Session) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.policies)?;
    let (org, email) = (portal.org_id().clone(), portal.user.email.clone());
    let (in_directory, pending, signed) = state
        .db
        .run(move |conn| {
            let Some(person) = person_of(conn, &org, &email)? else { return Ok((false, Vec::new(), Vec::new())) };
            Ok((true, models::pending_for(conn, &org, &person)?, signed_by(conn, &org, &person)?))
        })
        .await?;
    let chrome = Chrome::signed_in(&portal, &session, "policies");
    render(ListPage { chrome, in_directory, pending, signed })
}

/// The person's unsigned request in this running campaign of the client, with its versions; 404 otherwise.
fn pending_request(
    conn: &mut DbConnection,
    org: &OrgId,
    email: &str,
    id: &str,
) -> Result<(Request, Campaign, Vec<Version>), AppError> {
    let campaign = models::find(conn, org, id)?.filter(|c| c.is_running()).ok_or(AppError::NotFound)?;
    let person = person_of(conn, org, email)?.ok_or(AppError::NotFound)?;
    let request = models::request_of(conn, org, &campaign.id, &person)?
        .filter(|r| r.signed_at.is_none())
        .ok_or(AppError::NotFound)?;
    let versions = models::versions_of(conn, org, &campaign.id)?;
    Ok((request, campaign, versions))
}

#[derive(Template)]
#[template(path = "portal/sections/policy_sign.html")]
struct SignPage {
    chrome: Chrome,
    campaign: Campaign,
    versions: Vec<ShownVersion>,
    form: SignForm,
    errors: FieldErrors,
    action: String,
}

fn sign_page_of(
    portal: &PortalScope,
    session: &Session,
    campaign: Campaign,
    versions: &[Version],
    form: SignForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let chrome = Chrome::signed_in(portal, session, "policies");
    let action = chrome.href(&format!("/policies/{}", campaign.id));
    let status = if errors.is_empty() { StatusCode::OK } else { form_status(&errors) };
    render_status(status, SignPage { chrome, campaign, versions: sign::shown(versions), form, errors, action })
}

/// `GET {base}/policies/{campaign_id}`.
pub async fn sign_page(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    path: web::Path<super::Ids>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.policies)?;
    let id = path.into_inner().campaign_id;
    let (org, email) = (portal.org_id().clone(), portal.user.email.clone());
    let (_, campaign, versions) = state.db.run(move |conn| pending_request(conn, &org, &email, &id)).await?;
    sign_page_of(&portal, &session, campaign, &versions, SignForm::default(), FieldErrors::default())
}

/// `POST {base}/policies/{campaign_id}`: signs every version of the campaign, as the emailed link does.
pub async fn sign(
    state: web::Data<AppState>,
    portal: PortalScope,
    session: Session,
    actor: Actor,
    path: web::Path<super::Ids>,
    form: web::Form<SignForm>,
) -> AppResult<HttpResponse> {
    section_on(portal.client.brand.sections.policies)?;
    let (id, form) = (path.into_inner().campaign_id, form.into_inner());
    let (org, email, submitted) = (portal.org_id().clone(), portal.user.email.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let (request, campaign, versions) = pending_request(conn, &org, &email, &id)?;
            let typed_name = match submitted.validate() {
                Ok(name) => name,
                Err(errors) => return Ok(Err((campaign, versions, errors))),
            };
            let signature =
                Signature { typed_name: &typed_name, ip: &actor.ip, user_agent: &actor.user_agent, at: actor.at };
            sign::sign(conn, &request, &versions, &signature)?;
            Ok(Ok(versions.len()))
        })
        .await?;
    match outcome {
        Ok(count) => {
            let what = if count == 1 { "policy" } else { "policies" };
            session::flash_ok(&session, format!("Thank you: your signature of {count} {what} is recorded."));
            Ok(redirect(&href(&portal, "/policies")))
        }
        Err((campaign, versions, errors)) => sign_page_of(&portal, &session, campaign, &versions, form, errors),
    }
}
