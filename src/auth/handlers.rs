//! Sign-in, sign-out, forgotten passwords, and the profile page (with the person's active sessions).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Duration;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::password::{hash_blocking, password_problem, verify_blocking};
use crate::auth::ratelimit::account_key;
use crate::auth::scope::Identity;
use crate::auth::sessions::{self, ActiveSession};
use crate::auth::{device, session, tokens, users};
use crate::db::ids::{OrgId, PasswordResetId, UserId};
use crate::db::settings;
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
        post("/login", Access::Public, login)
            .example(&[("email", "nobody@example.com"), ("password", "wrong password")]),
        post("/logout", Access::SignedIn, logout),
        get("/forgot-password", Access::Public, forgot_page),
        post("/forgot-password", Access::Public, forgot).example(&[("email", "nobody@example.com")]),
        get("/reset-password/{token}", Access::Public, reset_page),
        post("/reset-password/{token}", Access::Public, reset)
            .example(&[("password", "a long example password"), ("confirm", "a long example password")]),
        get("/profile", Access::SignedIn, profile_page),
        post("/profile", Access::SignedIn, update_profile).example(&[("name", "A New Name")]),
        post("/profile/password", Access::SignedIn, change_password).example(&[
            ("current_password", "not the password"),
            ("new_password", "a long example password"),
            ("confirm_password", "a long example password"),
        ]),
        post("/profile/sessions/{session_id}/end", Access::SignedIn, end_session),
        post("/profile/sign-out-everywhere", Access::SignedIn, sign_out_everywhere),
    ]
}

/// The front door: onboarding on an empty installation, sign-in for visitors, the workspace for everyone else.
async fn home(state: web::Data<AppState>, signed_in: Option<Identity>) -> AppResult<HttpResponse> {
    if !is_onboarded(&state).await? {
        return Ok(redirect("/onboarding"));
    }
    Ok(redirect(if signed_in.is_some() { "/start" } else { "/login" }))
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
    signed_in: Option<Identity>,
    query: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    if !is_onboarded(&state).await? {
        return Ok(redirect("/onboarding"));
    }
    if signed_in.is_some() {
        return Ok(redirect(&safe_next(query.next.as_deref()).unwrap_or_else(|| "/".into())));
    }
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    render(LoginPage { page, email: String::new(), next, error: String::new() })
}

/// A password sign-in, of staff at `/login` and of end users at a portal's sign-in page.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) next: String,
}

pub const SIGN_IN_FAILED: &str = "That email and password do not match an account. Check them and try again.";
const NO_ACTIVE_MEMBERSHIP: &str = "Your access to every organization has ended, so there is nothing to sign in to. \
    Ask an administrator of your organization to reactivate you or invite you again.";

/// The account behind a sign-in, looked up before the password is verified (the connection is released first).
struct Candidate {
    id: UserId,
    name: String,
    email: String,
    password_hash: String,
    stamp: String,
    is_super_admin: bool,
    has_membership: bool,
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    page: PublicPage,
    session: Session,
    actor: Actor,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let key = actix_web::cookie::Key::from(&state.config.session_key);
    let known_device = device::known_device(&req, &key, &email);
    let bucket = account_key(&email, known_device.as_deref());
    state.limits.password_allowed(&actor.ip, &bucket)?;
    let lookup = email.clone();
    let candidate = state
        .db
        .run(move |conn| {
            let Some(user) = users::find_by_email(conn, &lookup)? else { return Ok(None) };
            let has_membership = users::has_active_membership(conn, &user.id)?;
            Ok(Some(Candidate {
                id: user.id,
                name: user.name,
                email: user.email,
                password_hash: user.password_hash,
                stamp: user.session_stamp,
                is_super_admin: user.is_super_admin,
                has_membership,
            }))
        })
        .await?;
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let verified = verify_blocking(form.password.clone(), stored).await?;
    let next = safe_next(Some(&form.next)).unwrap_or_default();
    let user = match candidate {
        Some(user) if verified => user,
        _ => {
            state.limits.password_failed(&actor.ip, &bucket);
            record_failed_sign_in(&state, &actor, &email, Action::SignInFailed).await?;
            let page = LoginPage { page, email: form.email, next, error: SIGN_IN_FAILED.into() };
            return render_status(actix_web::http::StatusCode::UNAUTHORIZED, page);
        }
    };
    if !user.has_membership && !user.is_super_admin {
        record_failed_sign_in(&state, &actor, &email, Action::SignInRefused).await?;
        let page = LoginPage { page, email: form.email, next, error: NO_ACTIVE_MEMBERSHIP.into() };
        return render_status(actix_web::http::StatusCode::FORBIDDEN, page);
    }
    let me = actor.with_user(&user.id, &format!("{} <{}>", user.name, user.email));
    let (user_id, label) = (user.id.clone(), user.email.clone());
    let record = state
        .db
        .write(move |conn| {
            users::touch_sign_in(conn, &user_id, me.at)?;
            let org = first_org_of(conn, &user_id)?;
            let record = sessions::start(conn, &user_id, &me)?;
            audit::record(conn, &me, org.as_ref(), Action::SignIn, Target::new("user", &user_id, &label))?;
            Ok(record)
        })
        .await?;
    // No organization in the cookie yet: the first request starts in the person's default one (their MSP first).
    session::sign_in(&session, &record, &user.stamp, None);
    let mut response = redirect(if next.is_empty() { "/" } else { &next });
    let cookie = device::cookie_for(&key, &user.email, state.config.secure_cookies());
    response.add_cookie(&cookie).map_err(|e| AppError::internal_from("device cookie", e))?;
    Ok(response)
}

/// Logs a refused sign-in, under the account's organization when the account exists (so its admins see it).
async fn record_failed_sign_in(state: &AppState, actor: &Actor, email: &str, action: Action) -> AppResult<()> {
    let (failed, label) = (actor.clone(), email.to_string());
    state
        .db
        .write(move |conn| {
            let attempt = Actor { label: format!("sign-in attempt as {label}"), ..failed };
            let org = match users::find_by_email(conn, &label)? {
                Some(account) => first_org_of(conn, &account.id)?,
                None => None,
            };
            Ok(audit::record(conn, &attempt, org.as_ref(), action, Target::new("user", "", &label))?)
        })
        .await
}

/// The organization a sign-in is logged under: the user's first active membership.
fn first_org_of(conn: &mut crate::db::DbConnection, user_id: &UserId) -> QueryResult<Option<OrgId>> {
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
    let record = identity.session_id.clone();
    state
        .db
        .write(move |conn| {
            sessions::end(conn, &user.id, &record, actor.at)?;
            let target = Target::new("user", &user.id, &user.email);
            Ok(audit::record(conn, &actor, org.as_ref(), Action::SignOut, target)?)
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
    state.limits.check_account(&account_key(&email, None))?;
    let token = tokens::new_token();
    let token_hash = tokens::hash_token(&token);
    let lookup = email.clone();
    let link = state.link(&format!("/reset-password/{token}"));
    // The email is queued in the same transaction (delivered by the scheduler): no mail server on this request,
    // so the answer takes as long whether or not the account exists.
    state
        .db
        .write(move |conn| {
            let Some(user) = users::find_by_email(conn, &lookup)? else { return Ok(()) };
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::id.eq(PasswordResetId::new()),
                    password_resets::user_id.eq(&user.id),
                    password_resets::token_hash.eq(&token_hash),
                    password_resets::expires_at.eq(actor.at + Duration::minutes(RESET_VALID_FOR_MINUTES)),
                    password_resets::created_at.eq(actor.at),
                ))
                .execute(conn)?;
            let who = actor.with_user(&user.id, &user.email);
            let target = Target::new("user", &user.id, &user.email);
            audit::record(conn, &who, None, Action::PasswordResetRequested, target)?;
            crate::mail::enqueue(
                conn,
                actor.at,
                &crate::mail::messages::password_reset(&user.email, &user.name, &link),
            )?;
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
fn reset_user(
    conn: &mut crate::db::DbConnection,
    token: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<(PasswordResetId, UserId)>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    password_resets::table
        .filter(password_resets::token_hash.eq(tokens::hash_token(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
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
    let (probe, now) = (token.clone(), state.clock.now());
    if state.db.run(move |conn| Ok(reset_user(conn, &probe, now)?)).await?.is_none() {
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
    let hash = hash_blocking(form.password).await?;
    let done = state
        .db
        .write(move |conn| {
            let now = actor.at;
            let Some((reset_id, user_id)) = reset_user(conn, &token, now)? else { return Ok(false) };
            diesel::update(password_resets::table.filter(password_resets::user_id.eq(&user_id)))
                .filter(password_resets::used_at.is_null())
                .set(password_resets::used_at.eq(Some(now)))
                .execute(conn)?;
            users::set_password(conn, &user_id, &hash, now)?;
            sessions::end_all(conn, &user_id, None, now)?;
            let who = actor.with_user(&user_id, "password reset link");
            let target = Target::new("password_reset", &reset_id, "");
            audit::record(conn, &who, None, Action::PasswordReset, target)?;
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
    sessions: Vec<ActiveSession>,
    current_session: String,
    timezone: chrono_tz::Tz,
    /// The weekly renewals digest is asked for (psa::assets::digest).
    renewal_digest: bool,
}

impl ProfilePage {
    fn when(&self, at: &chrono::NaiveDateTime) -> String {
        crate::web::time::local(*at, self.timezone)
    }
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
    let user_id = identity.user.id.clone();
    let (page, sessions, renewal_digest) = state
        .db
        .run(move |conn| {
            let digest = crate::psa::assets::digest::is_subscribed(conn, &user_id)?;
            Ok((input.load(conn)?, sessions::active(conn, &user_id)?, digest))
        })
        .await?;
    let memberships = identity
        .memberships
        .iter()
        .map(|m| (m.org_name.clone(), m.org_kind.label().to_string(), m.role.label().to_string()))
        .collect();
    let status = crate::web::form_status(&errors);
    let timezone = identity.org.as_ref().map(|o| o.tz()).unwrap_or(chrono_tz::UTC);
    render_status(
        status,
        ProfilePage {
            page,
            name: name.unwrap_or(identity.user.name),
            email: identity.user.email,
            errors,
            memberships,
            sessions,
            current_session: identity.session_id.to_string(),
            timezone,
            renewal_digest,
        },
    )
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
}

impl NameForm {
    /// The person's new name, or the form's errors.
    pub fn checked(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = forms::required(&mut errors, "name", &self.name, "Name", 100);
        if errors.is_empty() { Ok(name) } else { Err(errors) }
    }
}

/// Saves a person's own new name, in the activity of `org` (the staff profile's current organization, or the
/// portal's client).
pub async fn save_own_name(
    state: &AppState,
    actor: Actor,
    org: Option<OrgId>,
    user_id: UserId,
    name: String,
) -> AppResult<()> {
    state
        .db
        .write(move |conn| {
            users::set_name(conn, &user_id, &name, actor.at)?;
            let target = Target::new("user", &user_id, &name);
            Ok(audit::record(conn, &actor, org.as_ref(), Action::ProfileUpdated, target)?)
        })
        .await
}

async fn update_profile(
    state: web::Data<AppState>,
    input: PageInput,
    identity: Identity,
    actor: Actor,
    session: Session,
    form: web::Form<NameForm>,
) -> AppResult<HttpResponse> {
    let name = match form.checked() {
        Ok(name) => name,
        Err(errors) => return profile_with(&state, input, Some(form.name.clone()), errors).await,
    };
    let org = identity.org.as_ref().map(|o| o.id.clone());
    save_own_name(&state, actor, org, identity.user.id.clone(), name).await?;
    session::flash_ok(&session, "Your name is saved.");
    Ok(redirect("/profile"))
}

/// A change of one's own password: the current one, the new one twice (the staff profile and the portal account).
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Checks a password change of a signed-in person: the current password (rate limited per `bucket`, a failure
/// counted), the two new ones equal and acceptable. The new password's hash, or the form's errors.
pub async fn checked_new_password(
    state: &AppState,
    ip: &str,
    bucket: &str,
    user: &crate::auth::scope::CurrentUser,
    form: PasswordForm,
) -> AppResult<Result<String, FieldErrors>> {
    state.limits.password_allowed(ip, bucket)?;
    let user_id = user.id.clone();
    let stored = state.db.run(move |conn| Ok(users::find(conn, &user_id)?)).await?.ok_or(AppError::SignInRequired)?;
    let mut errors = FieldErrors::default();
    if !verify_blocking(form.current_password.clone(), Some(stored.password_hash)).await? {
        state.limits.password_failed(ip, bucket);
        errors.add("current_password", "That is not your current password.");
    }
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "The two new passwords do not match.");
    } else if let Some(problem) = password_problem(&form.new_password, &user.email) {
        errors.add("new_password", problem);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(hash_blocking(form.new_password).await?))
}

async fn change_password(
    state: web::Data<AppState>,
    input: PageInput,
    identity: Identity,
    actor: Actor,
    session: Session,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let bucket = account_key(&identity.user.email, Some(identity.session_id.as_str()));
    let hash = match checked_new_password(&state, &actor.ip, &bucket, &identity.user, form.into_inner()).await? {
        Ok(hash) => hash,
        Err(errors) => return profile_with(&state, input, None, errors).await,
    };
    let (user_id, record) = (identity.user.id.clone(), identity.session_id.clone());
    let org = identity.org.as_ref().map(|o| o.id.clone());
    let stamp = state
        .db
        .write(move |conn| {
            let stamp = users::set_password(conn, &user_id, &hash, actor.at)?;
            sessions::end_all(conn, &user_id, Some(&record), actor.at)?;
            let target = Target::new("user", &user_id, "");
            audit::record(conn, &actor, org.as_ref(), Action::PasswordChanged, target)?;
            Ok(stamp)
        })
        .await?;
    // Every other session ends; this one continues with the new stamp.
    session::set_stamp(&session, &stamp);
    session::flash_ok(&session, "Your password is changed. Other sessions have been signed out.");
    Ok(redirect("/profile"))
}

/// "Sign out" beside one of the person's sessions on the profile page (their own sessions only).
async fn end_session(
    state: web::Data<AppState>,
    identity: Identity,
    actor: Actor,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let target_session = path.into_inner();
    let is_this_one = target_session == identity.session_id.as_str();
    let (user, org) = (identity.user.clone(), identity.org.as_ref().map(|o| o.id.clone()));
    let ended = state
        .db
        .write(move |conn| {
            if !sessions::end(conn, &user.id, &target_session, actor.at)? {
                return Ok(false);
            }
            let target = Target::new("session", &target_session, &user.email);
            audit::record(conn, &actor, org.as_ref(), Action::SessionEnded, target)?;
            Ok(true)
        })
        .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    if is_this_one {
        session::sign_out(&session);
        session::flash_ok(&session, "You are signed out.");
        return Ok(redirect("/login"));
    }
    session::flash_ok(&session, "That session is signed out.");
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
            users::rotate_stamp(conn, &user_id, actor.at)?;
            sessions::end_all(conn, &user_id, None, actor.at)?;
            let target = Target::new("user", &user_id, "");
            Ok(audit::record(conn, &actor, org.as_ref(), Action::SignedOutEverywhere, target)?)
        })
        .await?;
    session::sign_out(&session);
    session::flash_ok(&session, "You are signed out on every device.");
    Ok(redirect("/login"))
}
