//! "My policies": a member's pending acknowledgments in the current organization (by their user's person row)
//! and signing them in the app, through the same [`sign::sign`] as the emailed link.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::models::{self, Campaign};
use super::sign::{self, ShownVersion, SignForm, Signature};
use crate::AppState;
use crate::auth::{Scope, session};
use crate::compliance::policies::models::Version;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render, render_status};

#[derive(Template)]
#[template(path = "compliance/campaigns/my.html")]
struct MyPage {
    page: PageContext,
    pending: Vec<Campaign>,
    in_directory: bool,
}

pub async fn list(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let (org, user) = (scope.org_id().clone(), scope.user.id.clone());
    let (page, pending, in_directory) = state
        .db
        .run(move |conn| {
            let person = models::person_of_user(conn, &org, &user)?;
            let pending = match &person {
                Some(person) => models::pending_for(conn, &org, person)?,
                None => Vec::new(),
            };
            Ok((input.load(conn)?, pending, person.is_some()))
        })
        .await?;
    render(MyPage { page, pending, in_directory })
}

#[derive(Template)]
#[template(path = "compliance/campaigns/my_sign.html")]
struct MySignPage {
    page: PageContext,
    campaign: Campaign,
    versions: Vec<ShownVersion>,
    form: SignForm,
    errors: FieldErrors,
}

/// The signed-in member's unsigned request in this campaign of the organization, with its versions; 404 for
/// anything else (another organization's campaign, someone else's, already signed, closed).
fn pending_request(
    conn: &mut DbConnection,
    org: &OrgId,
    user: &crate::db::ids::UserId,
    id: &str,
) -> Result<(models::Request, Campaign, Vec<Version>), AppError> {
    let campaign = models::find(conn, org, id)?.filter(|c| c.is_running()).ok_or(AppError::NotFound)?;
    let person = models::person_of_user(conn, org, user)?.ok_or(AppError::NotFound)?;
    let request = models::request_of(conn, org, &campaign.id, &person)?
        .filter(|r| r.signed_at.is_none())
        .ok_or(AppError::NotFound)?;
    let versions = models::versions_of(conn, org, &campaign.id)?;
    Ok((request, campaign, versions))
}

pub async fn sign_page(
    state: web::Data<AppState>,
    scope: Scope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (org, user, id) = (scope.org_id().clone(), scope.user.id.clone(), path.into_inner());
    let (page, (_, campaign, versions)) = state
        .db
        .run(move |conn| {
            let found = pending_request(conn, &org, &user, &id)?;
            Ok((input.load(conn)?, found))
        })
        .await?;
    let versions = sign::shown(&versions);
    render(MySignPage { page, campaign, versions, form: SignForm::default(), errors: FieldErrors::default() })
}

pub async fn submit(c: Change, path: web::Path<String>, form: web::Form<SignForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = form.into_inner();
    let (org, user, id) = (scope.org_id().clone(), scope.user.id.clone(), path.into_inner());
    let typed = form.validate();
    let outcome = state
        .db
        .write(move |conn| {
            let (request, campaign, versions) = pending_request(conn, &org, &user, &id)?;
            let typed_name = match typed {
                Ok(name) => name,
                Err(errors) => return Ok(Err((campaign, versions, errors))),
            };
            let signature =
                Signature { typed_name: &typed_name, ip: &actor.ip, user_agent: &actor.user_agent, at: actor.at };
            sign::sign(conn, &request, &versions, &signature)?;
            Ok(Ok(campaign.name))
        })
        .await?;
    match outcome {
        Ok(name) => {
            session::flash_ok(&session, format!("Your signature for {name} is recorded."));
            Ok(redirect("/my/policies"))
        }
        Err((campaign, versions, errors)) => {
            let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
            let versions = sign::shown(&versions);
            render_status(form_status(&errors), MySignPage { page, campaign, versions, form, errors })
        }
    }
}
