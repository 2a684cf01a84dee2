//! Adopting, unadopting and scoping frameworks, and marking requirements (not) applicable. Each change, the
//! refresh of the organization's controls and scores, and its activity entry are one transaction.

use actix_web::{HttpResponse, web};

use super::models;
use super::pages::{self, RejectedScoping};
use crate::audit::{self, Action, Target};
use crate::auth::session;
use crate::compliance::program::OrgTime;
use crate::compliance::program::index::{self, FrameworkEntry};
use crate::compliance::program::scoping::{Scoping, ScopingKind};
use crate::compliance::program::sync::{ensure_scheduled, refresh};
use crate::error::{AppError, AppResult};
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors};
use crate::web::redirect;

type Pairs = web::Form<Vec<(String, String)>>;

fn framework(id: &str) -> AppResult<(usize, &'static FrameworkEntry)> {
    let index = index::embedded()?;
    let fi = index.framework(id).ok_or(AppError::NotFound)?;
    Ok((fi, &index.frameworks[fi]))
}

/// The scoping a form chose for `framework`, or the form back with its error.
fn chosen_scoping(framework: &FrameworkEntry, form: &[(String, String)]) -> Result<Scoping, RejectedScoping> {
    let categories = forms::values(form, "categories");
    let level = forms::value(form, "level").to_string();
    Scoping::from_form(&framework.id, &categories, &level).map_err(|(field, message)| {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        RejectedScoping { framework_id: framework.id.clone(), categories, level, errors }
    })
}

pub async fn adopt(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (fi, framework) = framework(&path)?;
    let scoping = match chosen_scoping(framework, &form) {
        Ok(scoping) => scoping,
        Err(rejected) => return pages::list_page(&state, &scope, input, Some(rejected)).await,
    };
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let message = state
        .db
        .write(move |conn| {
            if models::find_adoption(conn, &org_id, &framework.id)?.is_some_and(|a| a.adopted) {
                return Ok(format!("{} is already adopted.", framework.short_name));
            }
            models::set_adopted(conn, &org_id, &framework.id, true, &scoping, time.now)?;
            let refreshed = refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            ensure_scheduled(conn, &org_id, time.next_midnight(), time.now)?;
            let serves: Vec<usize> =
                refreshed.scores.controls.iter().filter(|(_, f)| f.contains(&fi)).map(|(c, _)| *c).collect();
            let shared = serves.iter().filter(|c| refreshed.in_scope_before.contains(c)).count();
            let added = serves.len() - shared;
            let details =
                format!("{added} controls added, {shared} shared; scope: {}", scoping.describe(&framework.id));
            let target = Target::new("framework", &framework.id, &framework.short_name).details(details);
            audit::record(conn, &actor, Some(&org_id), Action::FrameworkAdopted, target)?;
            Ok(format!(
                "{} adopted: {} added, {} shared with the frameworks already adopted.",
                framework.short_name,
                plural(added, "control"),
                plural(shared, "control"),
            ))
        })
        .await?;
    session::flash_ok(&session, message);
    Ok(redirect("/compliance/frameworks"))
}

pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

pub async fn unadopt(c: Change, path: web::Path<String>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let (_, framework) = framework(&path)?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let outcome = state
        .db
        .write(move |conn| {
            let Some(adoption) = models::find_adoption(conn, &org_id, &framework.id)?.filter(|a| a.adopted) else {
                return Ok(Err(format!("{} is not adopted.", framework.short_name)));
            };
            models::set_adopted(conn, &org_id, &framework.id, false, &adoption.scoping(), time.now)?;
            let refreshed = refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            let hidden =
                refreshed.in_scope_before.iter().filter(|c| !refreshed.scores.controls.contains_key(c)).count();
            let target = Target::new("framework", &framework.id, &framework.short_name)
                .details(format!("{hidden} controls no longer needed"));
            audit::record(conn, &actor, Some(&org_id), Action::FrameworkUnadopted, target)?;
            Ok(Ok(format!(
                "{} unadopted. {} no other adopted framework needs {} hidden; statuses, owners, notes and evidence \
                 are kept and come back if you adopt it again.",
                framework.short_name,
                plural(hidden, "control"),
                if hidden == 1 { "is" } else { "are" },
            )))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect("/compliance/frameworks"))
}

pub async fn rescope(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (fi, framework) = framework(&path)?;
    if ScopingKind::of(&framework.id) == ScopingKind::Whole {
        session::flash_error(
            &session,
            format!("{} covers all its requirements; it has no scope to choose.", framework.short_name),
        );
        return Ok(redirect("/compliance/frameworks"));
    }
    let scoping = match chosen_scoping(framework, &form) {
        Ok(scoping) => scoping,
        Err(rejected) => return pages::list_page(&state, &scope, input, Some(rejected)).await,
    };
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let outcome = state
        .db
        .write(move |conn| {
            let Some(adoption) = models::find_adoption(conn, &org_id, &framework.id)?.filter(|a| a.adopted) else {
                return Ok(Err(format!("Adopt {} before choosing its scope.", framework.short_name)));
            };
            let (before, after) = (adoption.scoping().describe(&framework.id), scoping.describe(&framework.id));
            if adoption.scoping() == scoping {
                return Ok(Ok(format!("{} already covers {after}.", framework.short_name)));
            }
            models::set_adopted(conn, &org_id, &framework.id, true, &scoping, time.now)?;
            let refreshed = refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            let in_scope = refreshed.scores.framework(fi).map(|f| f.tally.in_scope).unwrap_or(0);
            let target =
                Target::new("framework", &framework.id, &framework.short_name).details(format!("{before} -> {after}"));
            audit::record(conn, &actor, Some(&org_id), Action::FrameworkScoped, target)?;
            Ok(Ok(format!(
                "{} now covers {after}: {} in scope.",
                framework.short_name,
                plural(in_scope as usize, "requirement")
            )))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect("/compliance/frameworks"))
}

const MAX_JUSTIFICATION: usize = 2000;

pub async fn set_applicability(c: Change, path: web::Path<String>, form: Pairs) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (_, framework) = framework(&path)?;
    let requirement_id = forms::value(&form, "requirement").to_string();
    let requirement =
        framework.requirement(&requirement_id).map(|ri| &framework.requirements[ri]).ok_or(AppError::NotFound)?;
    let applicable = forms::value(&form, "applicable").to_string();
    let mut errors = FieldErrors::default();
    if !matches!(applicable.as_str(), "yes" | "no") {
        errors.add("applicable", "Choose whether the requirement applies.");
    }
    let justification = if applicable == "no" {
        forms::required(
            &mut errors,
            "justification",
            forms::value(&form, "justification"),
            "Why it does not apply",
            MAX_JUSTIFICATION,
        )
    } else {
        String::new()
    };
    if !errors.is_empty() {
        let submitted = Some((applicable, forms::value(&form, "justification").to_string(), errors));
        return pages::applicability_page(&state, &scope, input, &framework.id, &requirement.id, submitted).await;
    }
    let (org_id, time, user) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone());
    let label = format!("{} {}", framework.short_name, requirement.id);
    let back = format!("/compliance/frameworks/{}", framework.id);
    let outcome = state
        .db
        .write(move |conn| {
            if !models::find_adoption(conn, &org_id, &framework.id)?.is_some_and(|a| a.adopted) {
                return Ok(Err(format!(
                    "Adopt {} before deciding which of its requirements apply.",
                    framework.short_name
                )));
            }
            let target = Target::new("requirement", &requirement.id, &label);
            let changed = if applicable == "no" {
                models::exclude(conn, &org_id, &framework.id, &requirement.id, &justification, &user, time.now)?;
                audit::record(conn, &actor, Some(&org_id), Action::RequirementExcluded, target.details(justification))?;
                format!("{label} is marked not applicable; it no longer counts in the score.")
            } else if models::include(conn, &org_id, &framework.id, &requirement.id)? {
                audit::record(conn, &actor, Some(&org_id), Action::RequirementIncluded, target)?;
                format!("{label} applies again and counts in the score.")
            } else {
                return Ok(Ok(format!("{label} already applies.")));
            };
            refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            Ok(Ok(changed))
        })
        .await?;
    session::flash_outcome(&session, outcome);
    Ok(redirect(&back))
}
