//! Moving between organizations: the switcher page (every organization the user reaches, filterable and
//! paginated), the switch itself, and resubmitting a form that was refused after a switch in another tab.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::identity::{acting_msp, org_context};
use crate::auth::scope::Identity;
use crate::auth::session;
use crate::error::{AppError, AppResult};
use crate::orgs::OrgKind;
use crate::orgs::reach::{count_reachable_clients, reachable_clients};
use crate::web::context::{SwitchEntry, mark_same_names};
use crate::web::pagination::{ListQuery, Pager, query_string};
use crate::web::routes::{Access, get_access_for};
use crate::web::{PageContext, PageInput, safe_next};
use crate::web::{redirect, render};

#[derive(Template)]
#[template(path = "orgs/switch.html")]
struct SwitchPage {
    page: PageContext,
    own: Vec<SwitchEntry>,
    clients: Vec<SwitchEntry>,
    pager: Pager,
    search: String,
    next: String,
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    next: String,
}

pub async fn page(
    state: web::Data<AppState>,
    input: PageInput,
    query: web::Query<SwitchQuery>,
) -> AppResult<HttpResponse> {
    let identity = input.identity().clone();
    let search = query.list.search();
    let page_number = query.list.page();
    let filter = search.to_lowercase();
    let current = identity.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default();
    let own: Vec<SwitchEntry> = identity
        .memberships
        .iter()
        .filter(|m| filter.is_empty() || m.org_name.to_lowercase().contains(&filter))
        .map(|m| SwitchEntry {
            id: m.org_id.clone(),
            name: m.org_name.clone(),
            slug: m.org_slug.clone(),
            kind: m.org_kind.label(),
            current: m.org_id == current.as_str(),
            show_slug: false,
        })
        .collect();
    let base_query = query_string(&[("q", &search), ("next", &query.next)]);
    let (page, clients, pager) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let pager = Pager::new(page_number, count_reachable_clients(conn, &identity, &search)?, base_query);
            let clients = reachable_clients(conn, &identity, &search, pager.per_page, pager.offset())?;
            Ok((page, clients, pager))
        })
        .await?;
    let mut clients: Vec<SwitchEntry> = clients
        .into_iter()
        .map(|c| SwitchEntry {
            current: c.id == current.as_str(),
            id: c.id,
            name: c.name,
            slug: c.slug,
            kind: c.kind.label(),
            show_slug: false,
        })
        .collect();
    mark_same_names(&mut clients);
    let next = safe_next(Some(&query.next)).unwrap_or_default();
    render(SwitchPage { page, own, clients, pager, search: query.list.search(), next })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    next: String,
}

/// Stores the chosen organization in the session and lands on the same section there when it exists.
pub async fn switch(
    state: web::Data<AppState>,
    identity: Identity,
    session: Session,
    form: web::Form<SwitchForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let switched = switch_to(&state, &identity, &form.org_id).await?;
    session::set_org(&session, switched.org.as_ref().map(|o| o.id.as_str()).unwrap_or_default());
    let next = safe_next(Some(&form.next)).unwrap_or_default();
    Ok(redirect(&landing(&switched, &next)))
}

/// The identity as it is in `org_id`, or 404 when the user does not reach it.
async fn switch_to(state: &AppState, identity: &Identity, org_id: &str) -> AppResult<Identity> {
    let mut switched = identity.clone();
    let org_id = org_id.to_string();
    let lookup = identity.clone();
    switched.org =
        Some(state.db.run(move |conn| Ok(org_context(conn, &lookup, &org_id)?)).await?.ok_or(AppError::NotFound)?);
    switched.msp = acting_msp(&switched);
    Ok(switched)
}

/// The same section in the new organization when it exists there (a parameterless page of the organization
/// the user may open), else the organization's home. MSP pages are not a section of a client: switching to a
/// client from one lands on the client's home.
fn landing(identity: &Identity, next: &str) -> String {
    let path = next.split('?').next().unwrap_or("");
    let in_msp = identity.org.as_ref().is_some_and(|o| o.kind == OrgKind::Msp);
    match get_access_for(path) {
        Some(Access::Msp(_)) if !in_msp => home_of(identity),
        Some(access) if access.allows(Some(identity)) && !path.is_empty() => path.to_string(),
        _ => home_of(identity),
    }
}

/// Where a person starts: a client's end user in the client's portal; MSP staff working in their MSP on its
/// dashboard; everyone else on the current organization's overview.
pub fn home_of(identity: &Identity) -> String {
    // A client's end user belongs in the client's portal, not in the staff workspace.
    if let Some(org) = &identity.org
        && org.direct_role == Some(crate::auth::Role::PortalUser)
        && org.msp.is_none()
    {
        return format!("/portal/{}", org.slug);
    }
    let in_msp = identity.org.as_ref().is_some_and(|o| o.kind == OrgKind::Msp);
    let msp_home = in_msp && get_access_for("/msp/dashboard").is_some_and(|a| a.allows(Some(identity)));
    if msp_home { "/msp/dashboard".into() } else { "/overview".into() }
}

#[derive(Serialize)]
struct OptionJson {
    id: crate::db::ids::OrgId,
    name: String,
    /// Only where two options share a name.
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    kind: &'static str,
}

/// The switcher's live filter (JavaScript only improves the sidebar form, which works without it).
pub async fn options(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let search = query.search();
    let filter = search.to_lowercase();
    let mut out: Vec<SwitchEntry> = identity
        .memberships
        .iter()
        .filter(|m| filter.is_empty() || m.org_name.to_lowercase().contains(&filter))
        .map(|m| SwitchEntry {
            id: m.org_id.clone(),
            name: m.org_name.clone(),
            slug: m.org_slug.clone(),
            kind: m.org_kind.label(),
            current: false,
            show_slug: false,
        })
        .collect();
    let clients = state.db.run(move |conn| Ok(reachable_clients(conn, &identity, &search, 20, 0)?)).await?;
    for c in clients {
        if !out.iter().any(|o| o.id == c.id) {
            let kind = OrgKind::Client.label();
            out.push(SwitchEntry { id: c.id, name: c.name, slug: c.slug, kind, current: false, show_slug: false });
        }
    }
    mark_same_names(&mut out);
    let out: Vec<OptionJson> = out
        .into_iter()
        .map(|e| OptionJson { slug: e.show_slug.then_some(e.slug), id: e.id, name: e.name, kind: e.kind })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// "Switch back and submit again" from the context-changed page: switches to the form's organization and
/// answers 307, so the browser repeats the same POST (same body, same tokens) to the original address.
pub async fn resubmit(
    state: web::Data<AppState>,
    identity: Identity,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let target =
        safe_next(Some(&field("_target"))).ok_or_else(|| AppError::BadRequest("Nothing to resubmit.".into()))?;
    let switched = switch_to(&state, &identity, &field("_org")).await?;
    session::set_org(&session, &switched.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default());
    Ok(HttpResponse::TemporaryRedirect().insert_header(("Location", target)).finish())
}
