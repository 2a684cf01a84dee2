//! The billing settings page: the MSP's currency and the logo on its invoices (see `profile`).

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::profile::{self, CURRENCIES, LOGO_MAX_BYTES, Profile};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{MspScope, session};
use crate::db::ids::OrgId;
use crate::error::{AppError, AppResult};
use crate::storage::images::check_image;
use crate::storage::multipart::read_form;
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, redirect, render_status};

#[derive(Template)]
#[template(path = "billing/settings.html")]
struct SettingsPage {
    page: PageContext,
    profile: Profile,
    /// The currency chosen in the form (the saved one unless a refused form comes back).
    currency: String,
    errors: FieldErrors,
}

impl SettingsPage {
    fn currencies(&self) -> &'static [(&'static str, &'static str)] {
        CURRENCIES
    }
    fn logo_limit_kb(&self) -> u64 {
        LOGO_MAX_BYTES / 1024
    }
}

async fn render_settings(
    state: &AppState,
    msp: OrgId,
    input: PageInput,
    chosen: Option<String>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (page, profile) = state.db.run(move |conn| Ok((input.load(conn)?, profile::profile_of(conn, &msp)?))).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let currency = chosen.unwrap_or_else(|| profile.currency.clone());
    render_status(status, SettingsPage { page, profile, currency, errors })
}

/// GET /billing/settings
pub async fn page(state: web::Data<AppState>, scope: MspScope, input: PageInput) -> AppResult<HttpResponse> {
    render_settings(&state, scope.msp_id().clone(), input, None, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct CurrencyForm {
    #[serde(default)]
    currency: String,
}

/// POST /billing/settings/currency
pub async fn save_currency(c: Change<MspScope>, form: web::Form<CurrencyForm>) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let msp = scope.msp_id().clone();
    let entered = form.into_inner().currency;
    let Some(currency) = profile::known_currency(&entered) else {
        let mut errors = FieldErrors::default();
        errors.add("currency", "Choose one of the listed currencies.");
        return render_settings(&state, msp, input, Some(entered), errors).await;
    };
    let now = state.clock.now();
    let org = msp.clone();
    state
        .db
        .write(move |conn| {
            profile::set_currency(conn, &org, currency, now)?;
            let target = Target::new("organization", &org, "").details(format!("currency {currency}"));
            Ok(audit::record(conn, &actor, Some(&org), Action::BillingSettingsChanged, target)?)
        })
        .await?;
    session::flash_ok(&session, format!("Rates, fees and new invoices are now in {currency}."));
    Ok(redirect("/billing/settings"))
}

/// POST /billing/logo: a PNG, JPEG or WebP of at most `LOGO_MAX_BYTES`, replacing the previous logo.
pub async fn upload_logo(c: Change<MspScope>, payload: Multipart) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let msp = scope.msp_id().clone();
    let refuse = |message: String| {
        let mut errors = FieldErrors::default();
        errors.add("logo", message);
        errors
    };
    let form = match read_form(payload, &state.storage, &["org", msp.as_str(), "billing-logo"]).await {
        Ok(form) => form,
        Err(refused) => return render_settings(&state, msp, input, None, refuse(refused.message)).await,
    };
    let checked = match form.files_in("logo").next() {
        None => Err("Choose an image to upload.".to_string()),
        Some(file) => check_image(file, LOGO_MAX_BYTES).map(|()| file.stored.clone()),
    };
    let stored = match checked {
        Ok(stored) => stored,
        Err(message) => {
            form.discard(&state.storage).await;
            return render_settings(&state, msp, input, None, refuse(message)).await;
        }
    };
    let (now, org) = (state.clock.now(), msp.clone());
    let details = format!("logo {} KB", stored.size.div_ceil(1024));
    let written = state
        .db
        .write(move |conn| {
            let replaced = profile::set_logo(conn, &org, Some(&stored), now)?;
            let target = Target::new("organization", &org, "").details(details);
            audit::record(conn, &actor, Some(&org), Action::BillingSettingsChanged, target)?;
            Ok(replaced)
        })
        .await;
    match written {
        Ok(replaced) => {
            state.storage.delete_replaced(replaced).await;
            session::flash_ok(&session, "The logo is on your invoices now.");
            Ok(redirect("/billing/settings"))
        }
        Err(e) => {
            form.discard(&state.storage).await;
            Err(e)
        }
    }
}

/// POST /billing/logo/remove
pub async fn remove_logo(c: Change<MspScope>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (now, org) = (state.clock.now(), scope.msp_id().clone());
    let replaced = state
        .db
        .write(move |conn| {
            let replaced = profile::set_logo(conn, &org, None, now)?;
            if replaced.is_some() {
                let target = Target::new("organization", &org, "").details("logo removed");
                audit::record(conn, &actor, Some(&org), Action::BillingSettingsChanged, target)?;
            }
            Ok(replaced)
        })
        .await?;
    let removed = replaced.is_some();
    state.storage.delete_replaced(replaced).await;
    session::flash_ok(&session, if removed { "The logo is removed." } else { "There was no logo to remove." });
    Ok(redirect("/billing/settings"))
}

/// GET /billing/logo: the MSP's logo, shown on its invoices (only the raster types `check_image` lets in).
pub async fn logo(state: web::Data<AppState>, scope: MspScope) -> AppResult<HttpResponse> {
    let msp = scope.msp_id().clone();
    let profile = state.db.run(move |conn| Ok(profile::profile_of(conn, &msp)?)).await?;
    let logo = profile.logo.ok_or(AppError::NotFound)?;
    let bytes = state.storage.get(&logo.key).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, logo.content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(bytes))
}

/// The logo as a `data:` URI, for documents that travel without the app (the emailed invoice); None without a
/// logo or when storage cannot give it (the invoice goes out with the name only).
pub async fn logo_data_uri(state: &AppState, profile: &Profile) -> Option<String> {
    use base64::Engine;
    let logo = profile.logo.as_ref()?;
    match state.storage.get(&logo.key).await {
        Ok(bytes) => Some(format!(
            "data:{};base64,{}",
            logo.content_type,
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        )),
        Err(e) => {
            tracing::warn!(error = %e, "the logo could not be read for an emailed invoice");
            None
        }
    }
}
