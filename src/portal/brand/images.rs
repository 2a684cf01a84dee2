//! The portal's logo and favicon: uploaded and removed from Settings -> Portal, served (with the stylesheet of
//! the client's colors) to anyone at `{base}/logo`, `{base}/favicon` and `{base}/brand.css`, the sign-in page
//! included.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::handlers::{Refused, SETTINGS_PATH, portal_client, render_settings};
use super::models::{self, ImageKind};
use super::{FAVICON_MAX_BYTES, FAVICON_MAX_PIXELS, IMAGE_MAX_BYTES, contrast};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::portal::find_client;
use crate::auth::session;
use crate::error::{AppError, AppResult};
use crate::storage::images::{FAVICON_TYPES, IMAGE_TYPES, check_image_of, pixel_size};
use crate::storage::multipart::{UploadedFile, read_form};
use crate::web::change::Change;
use crate::web::redirect;

/// A year: the addresses carry the settings' version, so a change is a new address.
const LONG_CACHE: &str = "public, max-age=31536000, immutable";

/// Cache for long only the address of the current version; anything else must be asked again.
fn cache_control(req: &HttpRequest, version: i64) -> &'static str {
    let asked = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.iter().find(|(k, _)| k == "v").map(|(_, v)| v.clone()));
    if asked.as_deref() == Some(version.to_string().as_str()) { LONG_CACHE } else { "public, no-cache" }
}

/// GET {base}/brand.css: the client's colors as CSS custom properties, for the portal's own stylesheet.
pub async fn stylesheet(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let target = crate::auth::portal::target_of(&req, &state);
    let client = state.db.run(move |conn| Ok(find_client(conn, &target)?)).await?.ok_or(AppError::NotFound)?;
    let brand = &client.brand;
    // The colors were checked as #rrggbb when saved; anything else (a hand-edited row) falls back to defaults.
    let defaults = crate::auth::portal::PortalBrand::defaults("");
    let primary = contrast::parse_hex(&brand.primary_color).unwrap_or(defaults.primary_color);
    let accent = contrast::parse_hex(&brand.accent_color).unwrap_or(defaults.accent_color);
    let css = format!(
        ":root {{\n  --brand-primary: {primary};\n  --brand-on-primary: {};\n  --brand-accent: {accent};\n  \
         --brand-on-accent: {};\n  --brand-page: {};\n}}\n",
        contrast::text_on(&primary),
        contrast::text_on(&accent),
        contrast::PAGE_BACKGROUND,
    );
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, cache_control(&req, brand.version)))
        .body(css))
}

/// GET {base}/logo
pub async fn logo(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    serve_image(&state, &req, ImageKind::Logo).await
}

/// GET {base}/favicon
pub async fn favicon(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    serve_image(&state, &req, ImageKind::Favicon).await
}

async fn serve_image(state: &AppState, req: &HttpRequest, kind: ImageKind) -> AppResult<HttpResponse> {
    let target = crate::auth::portal::target_of(req, state);
    let image =
        state.db.run(move |conn| Ok(models::image_of(conn, &target, kind)?)).await?.ok_or(AppError::NotFound)?;
    let bytes = state.storage.get(&image.key).await?;
    // Only the raster types the upload check lets in are ever stored; the headers keep it so whatever happens.
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, image.content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(bytes))
}

/// POST /settings/portal/logo
pub async fn upload_logo(c: Change, payload: Multipart) -> AppResult<HttpResponse> {
    upload(c, payload, ImageKind::Logo).await
}

/// POST /settings/portal/favicon
pub async fn upload_favicon(c: Change, payload: Multipart) -> AppResult<HttpResponse> {
    upload(c, payload, ImageKind::Favicon).await
}

/// POST /settings/portal/logo/remove
pub async fn remove_logo(c: Change) -> AppResult<HttpResponse> {
    remove(c, ImageKind::Logo).await
}

/// POST /settings/portal/favicon/remove
pub async fn remove_favicon(c: Change) -> AppResult<HttpResponse> {
    remove(c, ImageKind::Favicon).await
}

/// Why an uploaded file cannot be this kind of brand image, in words for the person; else the image as a
/// `data:` URI (what emails carry).
async fn check(state: &AppState, file: &UploadedFile, kind: ImageKind) -> Result<String, String> {
    use base64::Engine;
    match kind {
        ImageKind::Logo => check_image_of(file, IMAGE_MAX_BYTES, IMAGE_TYPES)?,
        ImageKind::Favicon => check_image_of(file, FAVICON_MAX_BYTES, FAVICON_TYPES)?,
    }
    let bytes = state.storage.get(&file.stored.key).await.map_err(|_| "The file could not be read. Try again.")?;
    let data_uri = || {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        format!("data:{};base64,{encoded}", file.stored.content_type)
    };
    match kind {
        ImageKind::Logo => Ok(data_uri()),
        ImageKind::Favicon => match pixel_size(&bytes) {
            Some((w, h)) if (16..=FAVICON_MAX_PIXELS).contains(&w) && (16..=FAVICON_MAX_PIXELS).contains(&h) => {
                Ok(data_uri())
            }
            Some((w, h)) => Err(format!(
                "{} is {w} × {h} pixels: a favicon is from 16 to {FAVICON_MAX_PIXELS} pixels a side.",
                file.filename
            )),
            None => Err(format!("{} is not a readable PNG or ICO image.", file.filename)),
        },
    }
}

async fn upload(c: Change, payload: Multipart, kind: ImageKind) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let client = portal_client(&scope)?;
    let field = kind.field();
    let key_parts = ["org", client.as_str(), if kind == ImageKind::Logo { "portal-logo" } else { "portal-favicon" }];
    let form = match read_form(payload, &state.storage, &key_parts).await {
        Ok(form) => form,
        Err(refused) => return render_settings(&state, &scope, input, Refused::field(field, refused.message)).await,
    };
    let checked = match form.files_in(field).next() {
        None => Err("Choose an image to upload.".to_string()),
        Some(file) => check(&state, file, kind).await.map(|uri| (file.stored.clone(), uri)),
    };
    let (stored, data_uri) = match checked {
        Ok(checked) => checked,
        Err(message) => {
            form.discard(&state.storage).await;
            return render_settings(&state, &scope, input, Refused::field(field, message)).await;
        }
    };
    let details = format!("{field} uploaded ({}, {} KB)", stored.content_type, stored.size.div_ceil(1024));
    let org = client.clone();
    let written = state
        .db
        .write(move |conn| {
            let replaced = models::set_image(conn, &org, kind, Some((&stored, data_uri)), actor.at)?;
            let target = Target::new("organization", &org, "").details(details);
            audit::record(conn, &actor, Some(&org), Action::PortalBrandingChanged, target)?;
            Ok(replaced)
        })
        .await;
    match written {
        Ok(replaced) => {
            state.storage.delete_replaced(replaced).await;
            session::flash_ok(&session, format!("{} is on the portal now.", kind.label()));
            Ok(redirect(SETTINGS_PATH))
        }
        Err(e) => {
            form.discard(&state.storage).await;
            Err(e)
        }
    }
}

async fn remove(c: Change, kind: ImageKind) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let client = portal_client(&scope)?;
    let replaced = state
        .db
        .write(move |conn| {
            let replaced = models::set_image(conn, &client, kind, None, actor.at)?;
            if replaced.is_some() {
                let target = Target::new("organization", &client, "").details(format!("{} removed", kind.field()));
                audit::record(conn, &actor, Some(&client), Action::PortalBrandingChanged, target)?;
            }
            Ok(replaced)
        })
        .await?;
    let message = if replaced.is_some() {
        format!("{} is removed.", kind.label())
    } else {
        format!("There was no {} to remove.", kind.field())
    };
    state.storage.delete_replaced(replaced).await;
    session::flash_ok(&session, message);
    Ok(redirect(SETTINGS_PATH))
}
