//! Settings -> Portal: the client's portal branding, sections and ticket rules (for the client's Admins and MSP
//! staff at T3 Manage: `ManageBranding`). The logo and favicon are in `images`, the custom domain in `domain`.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::contrast::{self, Check};
use super::forms::{BrandForm, SECTIONS};
use super::models::{self, Branding, PortalSettings};
use super::{FAVICON_MAX_BYTES, FAVICON_MAX_PIXELS, IMAGE_MAX_BYTES, portal_address};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Scope, session};
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::orgs::OrgKind;
use crate::psa::tickets::models::Priority;
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::markdown::{Markdown, to_html};
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

pub const SETTINGS_PATH: &str = "/settings/portal";

#[derive(Template)]
#[template(path = "portal/brand/settings.html")]
struct SettingsPage {
    page: PageContext,
    /// False in an MSP's own organization: portals belong to clients.
    is_client: bool,
    /// Where the portal is reached: `<base_url>/portal/<slug>` (and the custom domain once verified).
    address: String,
    slug_address: String,
    slug: String,
    settings: PortalSettings,
    form: BrandForm,
    checks: Vec<Check>,
    /// The custom domain as typed in a refused form.
    domain_input: String,
    errors: FieldErrors,
}

impl SettingsPage {
    fn sections(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &SECTIONS
    }
    fn priorities(&self) -> [Priority; 4] {
        Priority::ALL
    }
    fn welcome(&self) -> Markdown {
        to_html(&self.settings.branding.welcome_markdown)
    }
    fn on_primary(&self) -> &'static str {
        contrast::text_on(&self.settings.branding.primary_color)
    }
    fn image_limit_kb(&self) -> u64 {
        IMAGE_MAX_BYTES / 1024
    }
    fn favicon_limit_kb(&self) -> u64 {
        FAVICON_MAX_BYTES / 1024
    }
    fn favicon_max_pixels(&self) -> u32 {
        FAVICON_MAX_PIXELS
    }
    /// The settings' version, for the preview images' addresses (as the portal's layout does).
    fn version(&self) -> i64 {
        self.settings.updated_at.map_or(0, |at| at.and_utc().timestamp())
    }
    fn txt_name(&self) -> String {
        self.settings.pending_domain.as_deref().map(super::domain::txt_name).unwrap_or_default()
    }
}

/// What a refused form brings back to the page.
#[derive(Default)]
pub struct Refused {
    pub form: Option<BrandForm>,
    pub domain_input: Option<String>,
    pub errors: FieldErrors,
}

impl Refused {
    pub fn field(field: &'static str, message: impl Into<String>) -> Refused {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Refused { errors, ..Refused::default() }
    }
}

/// The page, with a refused form's input and messages when there is one (then 422).
pub async fn render_settings(
    state: &AppState,
    scope: &Scope,
    input: PageInput,
    refused: Refused,
) -> AppResult<HttpResponse> {
    let org = scope.org_id().clone();
    let (page, settings) = state.db.run(move |conn| Ok((input.load(conn)?, models::settings_of(conn, &org)?))).await?;
    let form = refused.form.unwrap_or_else(|| BrandForm::of(&settings.branding));
    // The contrast of the colors being looked at: the typed ones when they are colors, else the saved ones.
    let primary = contrast::parse_hex(&form.primary_color).unwrap_or_else(|| settings.branding.primary_color.clone());
    let accent = contrast::parse_hex(&form.accent_color).unwrap_or_else(|| settings.branding.accent_color.clone());
    let slug_address = format!("{}/portal/{}", state.config.base_url, scope.org.slug);
    let address = portal_address(&state.config.base_url, &scope.org.slug, settings.portal_host.as_deref());
    let page = SettingsPage {
        page,
        is_client: scope.org.kind != OrgKind::Msp,
        address,
        slug_address,
        slug: scope.org.slug.clone(),
        checks: contrast::checks(&primary, &accent),
        domain_input: refused.domain_input.unwrap_or_default(),
        settings,
        form,
        errors: refused.errors,
    };
    render_status(form_status(&page.errors), page)
}

/// The client a branding change is for: the current organization, never an MSP (portals belong to clients).
pub fn portal_client(scope: &Scope) -> AppResult<OrgId> {
    if scope.org.kind == OrgKind::Msp { Err(AppError::NotFound) } else { Ok(scope.org_id().clone()) }
}

/// GET /settings/portal
pub async fn page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    render_settings(&state, &scope, input, Refused::default()).await
}

/// POST /settings/portal: the branding, sections and ticket rules. Colors below WCAG AA are saved with a warning.
pub async fn save(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let client = portal_client(&scope)?;
    let form = BrandForm::from_pairs(&form);
    let mut errors = FieldErrors::default();
    let Some(branding) = form.validate(&mut errors) else {
        return render_settings(&state, &scope, input, Refused { form: Some(form), errors, ..Refused::default() })
            .await;
    };
    let weak: Vec<String> = contrast::checks(&branding.primary_color, &branding.accent_color)
        .into_iter()
        .filter(|c| !c.passes())
        .map(|c| format!("{} is {}", c.what.to_lowercase(), c.shown()))
        .collect();
    let details = describe(&branding);
    state
        .db
        .write(move |conn| {
            models::save_branding(conn, &client, &branding, actor.at)?;
            let target = Target::new("organization", &client, "").details(details);
            Ok(audit::record(conn, &actor, Some(&client), Action::PortalBrandingChanged, target)?)
        })
        .await?;
    if weak.is_empty() {
        session::flash_ok(&session, "Portal settings saved.");
    } else {
        let message = format!(
            "Portal settings saved, but some colors are hard to read: {} (WCAG AA asks for 4.5:1).",
            weak.join("; ")
        );
        session::flash_error(&session, message);
    }
    Ok(redirect(SETTINGS_PATH))
}

/// The activity log's summary of saved branding.
fn describe(b: &Branding) -> String {
    let shown: Vec<&str> = SECTIONS
        .iter()
        .zip([b.sections.tickets, b.sections.kb, b.sections.chat, b.sections.policies, b.sections.compliance])
        .filter(|(_, on)| *on)
        .map(|((_, label, _), _)| *label)
        .collect();
    format!(
        "colors {} and {}; sections: {}; reopen within {} days",
        b.primary_color,
        b.accent_color,
        if shown.is_empty() { "none".to_string() } else { shown.join(", ") },
        b.reopen_days
    )
}
