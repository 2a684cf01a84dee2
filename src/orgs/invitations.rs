//! Accepting an emailed invitation: a new person sets their name and password; an existing user joins after
//! signing in as the invited email.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::password::{hash_blocking, password_problem, verify_blocking};
use crate::auth::permissions::Role;
use crate::auth::scope::Identity;
use crate::auth::{session, sessions, tokens, users};
use crate::db::DbConnection;
use crate::db::ids::{InvitationId, OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::orgs::models;
use crate::schema::{invitations, memberships, organizations};
use crate::web::PublicPage;
use crate::web::forms::{self, FieldErrors};
use crate::web::{redirect, render, render_status};

/// A valid (open, unexpired) invitation behind a token.
#[derive(Clone, Debug)]
struct OpenInvitation {
    id: InvitationId,
    org_id: OrgId,
    org_name: String,
    email: String,
    role: Role,
}

fn find_open(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<Option<OpenInvitation>> {
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    let row: Option<(InvitationId, OrgId, String, String, Role)> = invitations::table
        .inner_join(organizations::table)
        .filter(invitations::token_hash.eq(tokens::hash_token(token)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .filter(organizations::archived_at.is_null())
        .select((invitations::id, organizations::id, organizations::name, invitations::email, invitations::role))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, org_id, org_name, email, role)| OpenInvitation { id, org_id, org_name, email, role }))
}

fn invalid() -> AppError {
    AppError::BadRequest(
        "This invitation link has expired, was revoked, or was already used. Ask the person who invited you to send \
         a new one."
            .into(),
    )
}

/// What the accept page offers, depending on who is looking.
enum Viewer {
    /// No account with the invited email: choose a name and password.
    NewPerson,
    /// The invited account exists and is signed in: one click to join.
    InvitedUser,
    /// The invited account exists but is not signed in.
    MustSignIn,
    /// Signed in as somebody else.
    OtherUser(String),
}

#[derive(Template)]
#[template(path = "orgs/invitation.html")]
struct InvitationPage {
    page: PublicPage,
    token: String,
    org_name: String,
    email: String,
    role: &'static str,
    viewer: &'static str,
    other_email: String,
    name: String,
    errors: FieldErrors,
}

/// The invitation and who is looking. The signed-in person comes from the guard (a session that was ended by
/// sign-out, "sign out everywhere" or a password change is no one here), never from the raw cookie.
async fn load(state: &AppState, token: &str, viewer: Option<&Identity>) -> AppResult<(OpenInvitation, Viewer)> {
    let token = token.to_string();
    let signed_in = viewer.map(|identity| identity.user.email.clone());
    let now = state.clock.now();
    state
        .db
        .run(move |conn| {
            let inv = find_open(conn, &token, now)?.ok_or_else(invalid)?;
            let account = users::find_by_email(conn, &inv.email)?;
            let viewer = match (account, signed_in) {
                (_, Some(me)) if me != inv.email => Viewer::OtherUser(me),
                (Some(_), Some(_)) => Viewer::InvitedUser,
                (Some(_), None) => Viewer::MustSignIn,
                (None, _) => Viewer::NewPerson,
            };
            Ok((inv, viewer))
        })
        .await
}

fn page_for(
    page: PublicPage,
    token: String,
    inv: OpenInvitation,
    viewer: Viewer,
    name: String,
    errors: FieldErrors,
) -> InvitationPage {
    let (viewer, other_email) = match viewer {
        Viewer::NewPerson => ("new", String::new()),
        Viewer::InvitedUser => ("invited", String::new()),
        Viewer::MustSignIn => ("sign_in", String::new()),
        Viewer::OtherUser(email) => ("other", email),
    };
    InvitationPage {
        page,
        token,
        org_name: inv.org_name,
        email: inv.email,
        role: inv.role.label(),
        viewer,
        other_email,
        name,
        errors,
    }
}

pub async fn page(
    state: web::Data<AppState>,
    page: PublicPage,
    viewer: Option<Identity>,
    actor: Actor,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = token.into_inner();
    let (inv, viewer) = load(&state, &token, viewer.as_ref()).await?;
    render(page_for(page, token, inv, viewer, String::new(), FieldErrors::default()))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn accept(
    state: web::Data<AppState>,
    page: PublicPage,
    session: Session,
    signed_in: Option<Identity>,
    actor: Actor,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let token = token.into_inner();
    let (inv, viewer) = load(&state, &token, signed_in.as_ref()).await?;
    let form = form.into_inner();
    let (new_account, starts_session) = match viewer {
        Viewer::InvitedUser => (None, false),
        Viewer::NewPerson => match validate_new_person(&form, &inv.email) {
            Ok(name) => (Some((name, hash_blocking(form.password.clone()).await?)), true),
            Err(errors) => {
                let page = page_for(page, token, inv, Viewer::NewPerson, form.name, errors);
                return render_status(crate::web::form_status_invalid(), page);
            }
        },
        // The account exists and nobody is signed in: its password proves it is theirs (as signing in would).
        Viewer::MustSignIn => {
            match account_password_matches(&state, &actor, &inv.email, form.password.clone()).await? {
                true => (None, true),
                false => {
                    let mut errors = FieldErrors::default();
                    errors.add("password", format!("That is not the password of {}.", inv.email));
                    let page = page_for(page, token, inv, Viewer::MustSignIn, String::new(), errors);
                    return render_status(crate::web::form_status_invalid(), page);
                }
            }
        }
        Viewer::OtherUser(_) => {
            return render(page_for(page, token, inv, viewer, String::new(), FieldErrors::default()));
        }
    };
    let org_id = inv.org_id.clone();
    let is_new = starts_session;
    let joined = state
        .db
        .write(move |conn| {
            let (user_id, stamp) = join(conn, &actor, &token, new_account)?;
            // A new account, or an existing one proven by its password, signs in here; a signed-in one already is.
            let record = if is_new { Some(sessions::start(conn, &user_id, &actor)?) } else { None };
            Ok((record, stamp))
        })
        .await?;
    match joined {
        (Some(record), stamp) => session::sign_in(&session, &record, &stamp, Some(&org_id)),
        (None, _) => session::set_org(&session, &org_id),
    }
    session::flash_ok(&session, format!("Welcome to {}.", inv.org_name));
    Ok(redirect("/"))
}

/// Does `password` open the account with this email? Counted like a sign-in attempt (failures only).
async fn account_password_matches(state: &AppState, actor: &Actor, email: &str, password: String) -> AppResult<bool> {
    let bucket = crate::auth::ratelimit::account_key(email, None);
    state.limits.password_allowed(&actor.ip, &bucket)?;
    let lookup = email.to_string();
    let stored = state.db.run(move |conn| Ok(users::find_by_email(conn, &lookup)?.map(|u| u.password_hash))).await?;
    let ok = verify_blocking(password, stored).await?;
    if !ok {
        state.limits.password_failed(&actor.ip, &bucket);
    }
    Ok(ok)
}

fn validate_new_person(form: &AcceptForm, email: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Your name", 100);
    if form.password != form.confirm {
        errors.add("confirm", "The two passwords do not match.");
    } else if let Some(problem) = password_problem(&form.password, email) {
        errors.add("password", problem);
    }
    if errors.is_empty() { Ok(name) } else { Err(errors) }
}

/// Joins the invited organization in one transaction (re-checking the invitation inside it, so a token is used
/// at most once): creates the account if needed, adds or reactivates the membership, closes the invitation.
fn join(
    conn: &mut DbConnection,
    actor: &Actor,
    token: &str,
    new_account: Option<(String, String)>,
) -> Result<(UserId, String), AppError> {
    let now = actor.at;
    let inv = find_open(conn, token, now)?.ok_or_else(invalid)?;
    let user_id = match (&new_account, users::find_by_email(conn, &inv.email)?) {
        (Some((name, hash)), None) => users::insert(conn, &inv.email, name, hash, false, now)?,
        (None, Some(user)) => user.id,
        _ => return Err(invalid()),
    };
    match models::find_membership(conn, &inv.org_id, &user_id)? {
        Some(existing) if existing.is_active() => {
            return Err(AppError::BadRequest(format!("You are already a member of {}.", inv.org_name)));
        }
        Some(existing) => {
            diesel::update(memberships::table.find(&existing.id).filter(memberships::org_id.eq(&inv.org_id)))
                .set((
                    memberships::role.eq(inv.role),
                    memberships::deactivated_at.eq(None::<NaiveDateTime>),
                    memberships::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            models::insert_membership(conn, &inv.org_id, &user_id, inv.role, now)?;
        }
    }
    diesel::update(invitations::table.find(&inv.id).filter(invitations::org_id.eq(&inv.org_id)))
        .set((invitations::accepted_at.eq(Some(now)), invitations::accepted_user_id.eq(Some(&user_id))))
        .execute(conn)?;
    let who = actor.with_user(&user_id, &inv.email);
    let target = Target::new("invitation", &inv.id, &inv.email).details(format!("role {}", inv.role.id()));
    audit::record(conn, &who, Some(&inv.org_id), Action::MemberJoined, target)?;
    let stamp = users::find(conn, &user_id)?.map(|u| u.session_stamp).ok_or(AppError::NotFound)?;
    Ok((user_id, stamp))
}
