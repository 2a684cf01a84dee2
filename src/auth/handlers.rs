//! Sign-in, sign-out, forgotten passwords, and the profile page.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Duration;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::auth::password::{dummy_hash, hash_password, password_problem, verify_password};
use crate::auth::scope::Identity;
use crate::auth::{session, tokens, users};
use crate::db::{new_id, now, settings};
use crate::error::{AppError, AppResult};
use crate::schema::password_resets;
use crate::web::forms::{self, FieldErrors};
use crate::web::routes::{Access, RouteDef, get, post};
use crate::web::{PageContext, PageInput, PublicPage, redirect, render, render_status, safe_next};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/", Access::Public, home),
        get("/start", Access::SignedIn, start),
        get("/healthz", Access::Public, health),
        get("/login", Access::Public, login_page),
        post("/login", Access::Public, login),
        post("/logout", Access::SignedIn, logout),
        get("/forgot-password", Access::Public, forgot_page),
        post("/forgot-password", Access::Public, forgot),
        get("/reset-password/{token}", Access::Public, reset_page),
        post("/reset-password/{token}", Access::Public, reset),
        get("/profile", Access::SignedIn, profile_page),
        post("/profile", Access::SignedIn, update_profile),
        post("/profile/password", Access::SignedIn, change_password),
        post("/profile/sign-out-everywhere", Access::SignedIn, sign_out_everywhere),
    ]
}

/// The front door: onboarding on an empty installation, sign-in for visitors, the workspace for everyone else.
async fn home(state: web::Data<AppState>, session: Session) -> AppResult<HttpResponse> {
    if !is_onboarded(&state).await? {
        return Ok(redirect("/onboarding"));
    }
    if session::user(&session).is_none() {
        return Ok(redirect("/login"));
    }
    Ok(redirect("/start"))
}

/// Where a signed-in person starts: the MSP dashboard for MSP staff, the organization's overview otherwise.
async fn start(identity: Identity) -> HttpResponse {
    redirect(&crate::orgs::switcher::home_of(&identity))
}

async fn health(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state.db.run(|conn| Ok(diesel::sql_query("SELECT 1").execute(conn)?)).await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ok"))
}

pub async fn is_onboarded(state: &AppState) -> AppResult<bool> {
    state.db.run(|conn| Ok(settings::get(conn, settings::ONBOARDED_AT)?.is_some())).await
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: PublicPage,
    email: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    state: web::Data<AppState>,
    page: PublicPage,
    session: Session,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    if !is_onboarded(&state).await? {
        return Ok(redirect("/onboarding"));
    }
    if session::user(&session).is_some() {
        return Ok(redirect(&safe_next(query.next.as_deref()).unwrap_or_else(|| "/".into())));
    }
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    render(LoginPage { page, email: String::new(), next, error: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

const SIGN_IN_FAILED: &str = "That email and password do not match an account. Check them and try again.";

async fn login(
    state: web::Data<AppState>,
    page: PublicPage,
    session: Session,
    actor: Actor,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    state.limits.check_ip(&actor.ip)?;
    state.limits.check_account(&email)?;
    let password = form.password.clone();
    let lookup = email.clone();
    let user = state
        .db
        .run(move |conn| {
            let user = users::find_by_email(conn, &lookup)?;
            let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
            let ok = verify_password(&password, &hash);
            Ok(user.filter(|_| ok))
        })
        .await?;
    let Some(user) = user else {
        let failed = actor.clone();
        let label = email.clone();
        state
            .db
            .write(move |conn| {
                let attempt = Actor { label: format!("sign-in attempt as {label}"), ..failed };
                // In the log of the account's organization when the account exists, so its admins see it.
                let org = match users::find_by_email(conn, &label)? {
                    Some(account) => first_org_of(conn, &account.id)?,
                    None => None,
                };
                let target = Target::new("user", "", &label);
                Ok(audit::record(conn, &attempt, org.as_deref(), "auth.sign_in_failed", target)?)
            })
            .await?;
        let next = safe_next(Some(&form.next)).unwrap_or_default();
        return render_status(
            actix_web::http::StatusCode::UNAUTHORIZED,
            LoginPage { page, email: form.email, next, error: SIGN_IN_FAILED.into() },
        );
    };
    let me = actor.with_user(&user.id, &format!("{} <{}>", user.name, user.email));
    let user_id = user.id.clone();
    let label = user.email.clone();
    state
        .db
        .write(move |conn| {
            users::touch_sign_in(conn, &user_id)?;
            let org = first_org_of(conn, &user_id)?;
            Ok(audit::record(conn, &me, org.as_deref(), "auth.sign_in", Target::new("user", &user_id, &label))?)
        })
        .await?;
    session::sign_in(&session, &user.id, &user.session_stamp);
    Ok(redirect(&safe_next(Some(&form.next)).unwrap_or_else(|| "/".into())))
}

/// The organization a sign-in is logged under: the user's first active membership (MSP first).
fn first_org_of(conn: &mut crate::db::DbConnection, user_id: &str) -> QueryResult<Option<String>> {
    use crate::schema::{memberships, organizations};
    memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::deactivated_at.is_null())
        .filter(organizations::archived_at.is_null())
        .order((organizations::kind.desc(), organizations::name.asc()))
        .select(organizations::id)
        .first(conn)
        .optional()
}

async fn logout(
    state: web::Data<AppState>,
    identity: Identity,
    actor: Actor,
    session: Session,
) -> AppResult<HttpResponse> {
    let org = identity.org.as_ref().map(|o| o.id.clone());
    let user = identity.user.clone();
    state
        .db
        .write(move |conn| {
            Ok(audit::record(
                conn,
                &actor,
                org.as_deref(),
                "auth.sign_out",
                Target::new("user", &user.id, &user.email),
            )?)
        })
        .await?;
    session::sign_out(&session);
    session::flash_ok(&session, "You are signed out.");
    Ok(redirect("/login"))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: PublicPage,
    email: String,
    error: String,
    sent: bool,
}

async fn forgot_page(page: PublicPage) -> AppResult<HttpResponse> {
    render(ForgotPage { page, email: String::new(), error: String::new(), sent: false })
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

const RESET_VALID_FOR_MINUTES: i64 = 60;

async fn forgot(
    state: web::Data<AppState>,
    page: PublicPage,
    actor: Actor,
    form: web::Form<ForgotForm>,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", &form.email);
    if !errors.is_empty() {
        let error = errors.get("email").to_string();
        return render(ForgotPage { page, email: form.email.clone(), error, sent: false });
    }
    state.limits.check_ip(&actor.ip)?;
    state.limits.check_account(&email)?;
    let token = tokens::new_token();
    let token_hash = tokens::hash_token(&token);
    let lookup = email.clone();
    let (link, at) = (state.link(&format!("/reset-password/{token}")), state.clock.now());
    // The email is queued in the same transaction (delivered by the scheduler): no mail server on this request,
    // so the answer takes as long whether or not the account exists.
    state
        .db
        .write(move |conn| {
            let Some(user) = users::find_by_email(conn, &lookup)? else { return Ok(()) };
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::id.eq(new_id()),
                    password_resets::user_id.eq(&user.id),
                    password_resets::token_hash.eq(&token_hash),
                    password_resets::expires_at.eq(now() + Duration::minutes(RESET_VALID_FOR_MINUTES)),
                    password_resets::created_at.eq(now()),
                ))
                .execute(conn)?;
            let who = actor.with_user(&user.id, &user.email);
            audit::record(
                conn,
                &who,
                None,
                "auth.password_reset_requested",
                Target::new("user", &user.id, &user.email),
            )?;
            crate::mail::enqueue(conn, at, &crate::mail::messages::password_reset(&user.email, &user.name, &link))?;
            Ok(())
        })
        .await?;
    // The same answer whether or not the account exists.
    render(ForgotPage { page, email, error: String::new(), sent: true })
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: PublicPage,
    token: String,
    error: String,
}

/// The user a reset token belongs to, when it is valid (exists, unused, unexpired).
fn reset_user(conn: &mut crate::db::DbConnection, token: &str) -> QueryResult<Option<(String, String)>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    password_resets::table
        .filter(password_resets::token_hash.eq(tokens::hash_token(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now()))
        .select((password_resets::id, password_resets::user_id))
        .first(conn)
        .optional()
}

fn invalid_link() -> AppError {
    AppError::BadRequest(
        "This password reset link has expired or was already used. Ask for a new one from the sign-in page.".into(),
    )
}

async fn reset_page(
    state: web::Data<AppState>,
    page: PublicPage,
    actor: Actor,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = token.into_inner();
    let probe = token.clone();
    if state.db.run(move |conn| Ok(reset_user(conn, &probe)?)).await?.is_none() {
        return Err(invalid_link());
    }
    render(ResetPage { page, token, error: String::new() })
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset(
    state: web::Data<AppState>,
    page: PublicPage,
    session: Session,
    actor: Actor,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = token.into_inner();
    let form = form.into_inner();
    let problem = if form.password != form.confirm {
        Some("The two passwords do not match.".to_string())
    } else {
        password_problem(&form.password, "")
    };
    if let Some(error) = problem {
        return render(ResetPage { page, token, error });
    }
    let hash = hash_password(&form.password);
    let done = state
        .db
        .write(move |conn| {
            let Some((reset_id, user_id)) = reset_user(conn, &token)? else { return Ok(false) };
            diesel::update(password_resets::table.filter(password_resets::user_id.eq(&user_id)))
                .filter(password_resets::used_at.is_null())
                .set(password_resets::used_at.eq(Some(now())))
                .execute(conn)?;
            users::set_password(conn, &user_id, &hash)?;
            let who = actor.with_user(&user_id, "password reset link");
            audit::record(conn, &who, None, "auth.password_reset", Target::new("password_reset", &reset_id, ""))?;
            Ok(true)
        })
        .await?;
    if !done {
        return Err(invalid_link());
    }
    session::sign_out(&session);
    session::flash_ok(&session, "Your password is changed. Sign in with the new one.");
    Ok(redirect("/login"))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/profile.html")]
struct ProfilePage {
    page: PageContext,
    name: String,
    email: String,
    errors: FieldErrors,
    memberships: Vec<(String, String, String)>,
}

async fn profile_page(state: web::Data<AppState>, input: PageInput) -> AppResult<HttpResponse> {
    profile_with(&state, input, None, FieldErrors::default()).await
}

async fn profile_with(
    state: &AppState,
    input: PageInput,
    name: Option<String>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let identity = input.identity().clone();
    let page = state.db.run(move |conn| Ok(input.load(conn)?)).await?;
    let memberships = identity
        .memberships
        .iter()
        .map(|m| (m.org_name.clone(), m.org_kind.label().to_string(), m.role.label().to_string()))
        .collect();
    let status = crate::web::form_status(&errors);
    render_status(
        status,
        ProfilePage { page, name: name.unwrap_or(identity.user.name), email: identity.user.email, errors, memberships },
    )
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

async fn update_profile(
    state: web::Data<AppState>,
    input: PageInput,
    identity: Identity,
    actor: Actor,
    session: Session,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Name", 100);
    if !errors.is_empty() {
        return profile_with(&state, input, Some(form.name.clone()), errors).await;
    }
    let user_id = identity.user.id.clone();
    let org = identity.org.as_ref().map(|o| o.id.clone());
    state
        .db
        .write(move |conn| {
            users::set_name(conn, &user_id, &name)?;
            let target = Target::new("user", &user_id, &name);
            Ok(audit::record(conn, &actor, org.as_deref(), "user.update_profile", target)?)
        })
        .await?;
    session::flash_ok(&session, "Your name is saved.");
    Ok(redirect("/profile"))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(
    state: web::Data<AppState>,
    input: PageInput,
    identity: Identity,
    actor: Actor,
    session: Session,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    state.limits.check_account(&identity.user.email)?;
    let form = form.into_inner();
    let user_id = identity.user.id.clone();
    let stored = state.db.run(move |conn| Ok(users::find(conn, &user_id)?)).await?.ok_or(AppError::SignInRequired)?;
    let mut errors = FieldErrors::default();
    if !verify_password(&form.current_password, &stored.password_hash) {
        errors.add("current_password", "That is not your current password.");
    }
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "The two new passwords do not match.");
    } else if let Some(problem) = password_problem(&form.new_password, &identity.user.email) {
        errors.add("new_password", problem);
    }
    if !errors.is_empty() {
        return profile_with(&state, input, None, errors).await;
    }
    let hash = hash_password(&form.new_password);
    let user_id = identity.user.id.clone();
    let org = identity.org.as_ref().map(|o| o.id.clone());
    let stamp = state
        .db
        .write(move |conn| {
            let stamp = users::set_password(conn, &user_id, &hash)?;
            audit::record(conn, &actor, org.as_deref(), "user.change_password", Target::new("user", &user_id, ""))?;
            Ok(stamp)
        })
        .await?;
    // Every other session ends; this one continues with the new stamp.
    session::set_stamp(&session, &stamp);
    session::flash_ok(&session, "Your password is changed. Other sessions have been signed out.");
    Ok(redirect("/profile"))
}

async fn sign_out_everywhere(
    state: web::Data<AppState>,
    identity: Identity,
    actor: Actor,
    session: Session,
) -> AppResult<HttpResponse> {
    let user_id = identity.user.id.clone();
    let org = identity.org.as_ref().map(|o| o.id.clone());
    state
        .db
        .write(move |conn| {
            users::rotate_stamp(conn, &user_id)?;
            let target = Target::new("user", &user_id, "");
            Ok(audit::record(conn, &actor, org.as_deref(), "user.sign_out_everywhere", target)?)
        })
        .await?;
    session::sign_out(&session);
    session::flash_ok(&session, "You are signed out on every device.");
    Ok(redirect("/login"))
}
