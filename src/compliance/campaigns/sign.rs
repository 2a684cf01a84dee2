//! Signing: one service function, [`sign`], that the emailed-link page (`/sign/{token}`, no account: the token
//! is the credential), "My policies" in the app and later the client portal all call. A signature records, for
//! every version of the campaign, the person, the version and its SHA-256, the typed full name, the time, the IP
//! address and the user agent; the request is marked signed by a conditional UPDATE in the same transaction, so
//! a link signs once even when submitted twice at the same moment.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::{self, Campaign, Request};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::tokens::{hash_token, looks_like_token};
use crate::compliance::policies::models::Version;
use crate::db::DbConnection;
use crate::db::ids::AcknowledgmentId;
use crate::error::AppResult;
use crate::schema::{acknowledgments, campaign_requests, people};
use crate::web::forms::{self, FieldErrors};
use crate::web::markdown::{Markdown, to_html};
use crate::web::{PublicPage, form_status, render_status};

/// Who signs, as they typed it, and from where.
pub struct Signature<'a> {
    pub typed_name: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub at: NaiveDateTime,
}

/// Records the signature of every version of the request's campaign and spends the request. False (nothing
/// written) when it was already signed.
pub fn sign(conn: &mut DbConnection, request: &Request, versions: &[Version], s: &Signature<'_>) -> QueryResult<bool> {
    let spent = diesel::update(
        campaign_requests::table
            .filter(campaign_requests::org_id.eq(&request.org_id))
            .filter(campaign_requests::id.eq(&request.id))
            .filter(campaign_requests::signed_at.is_null()),
    )
    .set(campaign_requests::signed_at.eq(Some(s.at)))
    .execute(conn)?;
    if spent != 1 {
        return Ok(false);
    }
    models::count_signatures(conn, &request.org_id, &request.campaign_id, 1)?;
    let rows: Vec<_> = versions
        .iter()
        .map(|v| {
            (
                acknowledgments::id.eq(AcknowledgmentId::new()),
                acknowledgments::org_id.eq(request.org_id.clone()),
                acknowledgments::campaign_id.eq(Some(request.campaign_id.clone())),
                acknowledgments::person_id.eq(request.person_id.clone()),
                acknowledgments::policy_version_id.eq(v.id.clone()),
                acknowledgments::sha256.eq(v.sha256.clone()),
                acknowledgments::typed_name.eq(s.typed_name.to_string()),
                acknowledgments::signed_at.eq(s.at),
                acknowledgments::ip.eq(s.ip.to_string()),
                acknowledgments::user_agent.eq(s.user_agent.chars().take(500).collect::<String>()),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::batch_insert!(conn, acknowledgments::table, &rows)?;
    }
    let titles: Vec<String> = versions.iter().map(|v| format!("{} v{}", v.title, v.number)).collect();
    let who = Actor { user_id: None, label: s.typed_name.to_string(), ..actor_of(s) };
    let titles = titles.join(", ");
    let target = Target::new("campaign", &request.campaign_id, &titles).details(format!("as {}", s.typed_name));
    audit::record(conn, &who, Some(&request.org_id), Action::PolicyAcknowledged, target)?;
    Ok(true)
}

fn actor_of(s: &Signature<'_>) -> Actor {
    Actor { user_id: None, label: String::new(), ip: s.ip.to_string(), user_agent: s.user_agent.to_string(), at: s.at }
}

/// The sign form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct SignForm {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub consent: Option<String>,
}

impl SignForm {
    /// The typed full name, or the errors (empty name, unticked consent).
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = forms::required(&mut errors, "full_name", &self.full_name, "Your full name", 120);
        if self.consent.as_deref() != Some("1") {
            errors.add("consent", "Tick the box to confirm you read and accept the policies.");
        }
        if errors.is_empty() { Ok(name) } else { Err(errors) }
    }
}

/// A version as the sign page shows it.
pub struct ShownVersion {
    pub title: String,
    pub number: i32,
    pub sha256: String,
    pub text: Markdown,
}

pub fn shown(versions: &[Version]) -> Vec<ShownVersion> {
    versions
        .iter()
        .map(|v| ShownVersion {
            title: v.title.clone(),
            number: v.number,
            sha256: v.sha256.clone(),
            text: to_html(&v.body),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "compliance/campaigns/sign.html")]
struct SignPage {
    page: PublicPage,
    token: String,
    campaign: Campaign,
    person_name: String,
    versions: Vec<ShownVersion>,
    form: SignForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "compliance/campaigns/sign_done.html")]
struct SignOutcome {
    page: PublicPage,
    heading: String,
    message: String,
    signed: bool,
}

/// Why a link signs nothing, as the person reads it.
enum Refusal {
    Unknown,
    Spent(NaiveDateTime),
    Expired,
    Closed,
}

fn refusal_page(page: PublicPage, refusal: Refusal) -> AppResult<HttpResponse> {
    let (status, heading, message) = match refusal {
        Refusal::Unknown => (
            StatusCode::NOT_FOUND,
            "This signing link is not valid",
            "Check that you copied the whole link from the email, or ask whoever sent it for a new one.".to_string(),
        ),
        Refusal::Spent(at) => (
            StatusCode::GONE,
            "You already signed",
            format!(
                "This link was used on {}: your signature is recorded. Nothing more is needed.",
                at.format("%b %-d, %Y at %H:%M UTC")
            ),
        ),
        Refusal::Expired => {
            (StatusCode::GONE, "This signing link has expired", "Ask whoever sent it for a new one.".to_string())
        }
        Refusal::Closed => (
            StatusCode::GONE,
            "This campaign is closed",
            "It no longer accepts signatures. Ask whoever sent it if you still need to sign.".to_string(),
        ),
    };
    render_status(status, SignOutcome { page, heading: heading.into(), message, signed: false })
}

/// What a valid link opens: the request, its campaign, the person's name and the versions to sign.
type Opened = (Request, Campaign, String, Vec<Version>);

/// The request a token names, or why it signs nothing.
fn open(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<Result<Opened, Refusal>> {
    if !looks_like_token(token) {
        return Ok(Err(Refusal::Unknown));
    }
    let Some((request, campaign)) = models::request_by_token_hash(conn, &hash_token(token))? else {
        return Ok(Err(Refusal::Unknown));
    };
    if let Some(at) = request.signed_at {
        return Ok(Err(Refusal::Spent(at)));
    }
    if !campaign.is_running() {
        return Ok(Err(Refusal::Closed));
    }
    if now >= request.token_expires_at {
        return Ok(Err(Refusal::Expired));
    }
    let name = people::table
        .filter(people::org_id.eq(&request.org_id))
        .filter(people::id.eq(&request.person_id))
        .select(people::name)
        .first(conn)?;
    let versions = models::versions_of(conn, &campaign.org_id, &campaign.id)?;
    Ok(Ok((request, campaign, name, versions)))
}

pub async fn page(state: web::Data<AppState>, page: PublicPage, token: web::Path<String>) -> AppResult<HttpResponse> {
    let (token, now) = (token.into_inner(), state.clock.now());
    let lookup = token.clone();
    let opened = state.db.run(move |conn| Ok(open(conn, &lookup, now)?)).await?;
    match opened {
        Err(refusal) => refusal_page(page, refusal),
        Ok((_, campaign, person_name, versions)) => {
            let (form, errors) = (SignForm::default(), FieldErrors::default());
            let versions = shown(&versions);
            render_status(StatusCode::OK, SignPage { page, token, campaign, person_name, versions, form, errors })
        }
    }
}

pub async fn submit(
    state: web::Data<AppState>,
    page: PublicPage,
    actor: Actor,
    token: web::Path<String>,
    form: web::Form<SignForm>,
) -> AppResult<HttpResponse> {
    state.limits.check_ip(&actor.ip)?;
    let (token, form) = (token.into_inner(), form.into_inner());
    let (lookup, submitted) = (token.clone(), form.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let (request, campaign, person_name, versions) = match open(conn, &lookup, actor.at)? {
                Ok(opened) => opened,
                Err(refusal) => return Ok(Err(Some(refusal))),
            };
            let typed_name = match submitted.validate() {
                Ok(name) => name,
                Err(errors) => return Ok(Ok(Err((campaign, person_name, versions, errors)))),
            };
            let signature =
                Signature { typed_name: &typed_name, ip: &actor.ip, user_agent: &actor.user_agent, at: actor.at };
            if !sign(conn, &request, &versions, &signature)? {
                return Ok(Err(None));
            }
            Ok(Ok(Ok(versions.len())))
        })
        .await?;
    match outcome {
        Ok(Ok(count)) => {
            let message = format!(
                "Your signature of {count} polic{} is recorded. You can close this page; the link is now used.",
                if count == 1 { "y" } else { "ies" }
            );
            render_status(StatusCode::OK, SignOutcome { page, heading: "Thank you".into(), message, signed: true })
        }
        Ok(Err((campaign, person_name, versions, errors))) => {
            let versions = shown(&versions);
            render_status(form_status(&errors), SignPage { page, token, campaign, person_name, versions, form, errors })
        }
        Err(Some(refusal)) => refusal_page(page, refusal),
        Err(None) => refusal_page(page, Refusal::Spent(state.clock.now())),
    }
}
