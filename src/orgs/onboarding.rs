//! First run: an empty installation leads its first visitor here to create the first organization (Solo or
//! MSP / Partner) and its first admin, who also becomes the installation's super admin. Afterwards the page is
//! gone for good.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::handlers::is_onboarded;
use crate::auth::password::{hash_blocking, password_problem};
use crate::auth::permissions::Role;
use crate::auth::sessions;
use crate::auth::{session, users};
use crate::db::ids::{OrgId, SessionId};
use crate::db::{DbConnection, settings};
use crate::error::{AppError, AppResult};
use crate::orgs::models::{self, OrgKind};
use crate::web::PublicPage;
use crate::web::forms::{self, FieldErrors, TIMEZONES};
use crate::web::{redirect, render, render_status};

#[derive(Deserialize, Default, Clone)]
pub struct OnboardingForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    admin_name: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "orgs/onboarding.html")]
struct OnboardingPage {
    page: PublicPage,
    form: OnboardingForm,
    errors: FieldErrors,
    timezones: &'static [&'static str],
}

pub async fn page(state: web::Data<AppState>, page: PublicPage) -> AppResult<HttpResponse> {
    if is_onboarded(&state).await? {
        return Err(AppError::NotFound);
    }
    let form = OnboardingForm { mode: "msp".into(), timezone: "America/New_York".into(), ..Default::default() };
    render(OnboardingPage { page, form, errors: FieldErrors::default(), timezones: TIMEZONES })
}

/// The validated onboarding input.
struct Onboarding {
    kind: OrgKind,
    org_name: String,
    contact_email: String,
    timezone: String,
    admin_name: String,
    admin_email: String,
    password: String,
}

fn validate(form: &OnboardingForm) -> Result<Onboarding, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = match form.mode.as_str() {
        "msp" => OrgKind::Msp,
        "solo" => OrgKind::Solo,
        _ => {
            errors.add("mode", "Choose Solo or MSP / Partner.");
            OrgKind::Solo
        }
    };
    let org_name = forms::required(&mut errors, "org_name", &form.org_name, "Name", 120);
    let contact_email = forms::email(&mut errors, "contact_email", &form.contact_email);
    let timezone = forms::timezone(&mut errors, "timezone", &form.timezone);
    let admin_name = forms::required(&mut errors, "admin_name", &form.admin_name, "Your name", 100);
    let admin_email = forms::email(&mut errors, "admin_email", &form.admin_email);
    if form.password != form.confirm {
        errors.add("confirm", "The two passwords do not match.");
    } else if let Some(problem) = password_problem(&form.password, &admin_email) {
        errors.add("password", problem);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let password = form.password.clone();
    Ok(Onboarding { kind, org_name, contact_email, timezone, admin_name, admin_email, password })
}

pub async fn submit(
    state: web::Data<AppState>,
    page: PublicPage,
    session: Session,
    actor: Actor,
    form: web::Form<OnboardingForm>,
) -> AppResult<HttpResponse> {
    if is_onboarded(&state).await? {
        return Err(AppError::NotFound);
    }
    let mut form = form.into_inner();
    let input = match validate(&form) {
        Ok(input) => input,
        Err(errors) => {
            form.password.clear();
            form.confirm.clear();
            let page = OnboardingPage { page, form, errors, timezones: TIMEZONES };
            return render_status(crate::web::form_status_invalid(), page);
        }
    };
    let hash = hash_blocking(input.password.clone()).await?;
    let created = state.db.write(move |conn| create_installation(conn, &actor, &input, &hash)).await?;
    let Some((record, org_id, stamp)) = created else { return Err(AppError::NotFound) };
    session::sign_in(&session, &record, &stamp, Some(&org_id));
    session::flash_ok(&session, "Welcome to Palisade. Your organization is ready.");
    Ok(redirect("/"))
}

/// Creates the first organization and admin, and closes onboarding, in one transaction. None when another
/// request completed onboarding first.
fn create_installation(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &Onboarding,
    password_hash: &str,
) -> Result<Option<(SessionId, OrgId, String)>, AppError> {
    if settings::get(conn, settings::ONBOARDED_AT)?.is_some() {
        return Ok(None);
    }
    let now = actor.at;
    let slug = unique_slug(conn, &forms::slugify(&input.org_name))?;
    let new = models::NewOrg {
        kind: input.kind,
        name: &input.org_name,
        slug: &slug,
        timezone: &input.timezone,
        contact_email: &input.contact_email,
        seat_limit: models::DEFAULT_SEAT_LIMIT,
    };
    let org_id = models::insert_org(conn, &new, now)?;
    let user_id = users::insert(conn, &input.admin_email, &input.admin_name, password_hash, true, now)?;
    models::insert_membership(conn, &org_id, &user_id, Role::Admin, now)?;
    settings::set(conn, settings::ONBOARDED_AT, &now.to_string(), now)?;
    settings::set(conn, settings::INSTALLATION_MODE, input.kind.id(), now)?;
    let who = actor.with_user(&user_id, &format!("{} <{}>", input.admin_name, input.admin_email));
    let target = Target::new("organization", &org_id, &input.org_name).details(format!("kind {}", input.kind.id()));
    audit::record(conn, &who, Some(&org_id), Action::InstallationOnboard, target)?;
    let stamp = users::find(conn, &user_id)?.map(|u| u.session_stamp).unwrap_or_default();
    let record = sessions::start(conn, &user_id, actor)?;
    Ok(Some((record, org_id, stamp)))
}

/// The slug itself, or the slug with the first free numeric suffix.
pub fn unique_slug(conn: &mut DbConnection, base: &str) -> diesel::QueryResult<String> {
    let base = if base.len() < 2 { "org".to_string() } else { base.to_string() };
    if !models::slug_taken(conn, &base)? {
        return Ok(base);
    }
    for n in 2..1000 {
        let candidate = format!("{}-{n}", base.chars().take(35).collect::<String>());
        if !models::slug_taken(conn, &candidate)? {
            return Ok(candidate);
        }
    }
    Ok(format!("{}-{}", base.chars().take(20).collect::<String>(), crate::db::new_id().replace('-', "")))
}
