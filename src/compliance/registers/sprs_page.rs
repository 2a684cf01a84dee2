//! Compliance -> SPRS score (CMMC Level 2): the score, what costs points, and the partial-credit answers.

use std::collections::HashSet;

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::sprs::{self, Sprs};
use crate::AppState;
use crate::audit::{self, Action, Target};
use crate::auth::{Permission, Scope, session};
use crate::compliance::frameworks::models::find_adoption;
use crate::compliance::program::index;
use crate::compliance::program::sync::refresh;
use crate::compliance::program::{OrgTime, facts};
use crate::compliance::scores::compute::compute;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::error::AppResult;
use crate::schema::sprs_partial_credit as credit;
use crate::web::change::Change;
use crate::web::forms;
use crate::web::{PageContext, PageInput, redirect, render};

pub const CMMC: &str = "cmmc-2";

#[derive(Template)]
#[template(path = "compliance/registers/sprs.html")]
pub struct SprsPage {
    page: PageContext,
    /// None when CMMC Level 2 is not adopted; `level` says which level is.
    sprs: Option<Sprs>,
    level: Option<u8>,
    /// (NIST number, rule, recorded) for the requirements partial credit can apply to.
    creditable: Vec<(String, String, bool)>,
    can_manage: bool,
}

fn partly(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<HashSet<String>> {
    let rows: Vec<String> = credit::table.filter(credit::org_id.eq(org_id)).select(credit::requirement).load(conn)?;
    Ok(rows.into_iter().collect())
}

pub async fn page(state: web::Data<AppState>, scope: Scope, input: PageInput) -> AppResult<HttpResponse> {
    let index = index::embedded()?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope));
    let (page, adoption, facts, partly) = state
        .db
        .run(move |conn| {
            let page = input.load(conn)?;
            let adoption = find_adoption(conn, &org_id, CMMC)?.filter(|a| a.adopted);
            let (facts, _) = facts::load(conn, index, &org_id, time.today)?;
            Ok((page, adoption, facts, partly(conn, &org_id)?))
        })
        .await?;
    let level = adoption.map(|a| a.scoping().cmmc_level());
    let scores = compute(&facts);
    let sprs = match (level, index.framework(CMMC).and_then(|fi| scores.framework(fi))) {
        (Some(2), Some(cmmc)) => Some(sprs::score(index, cmmc, &partly)),
        _ => None,
    };
    let creditable = sprs::creditable().into_iter().map(|(n, rule)| (n.clone(), rule, partly.contains(&n))).collect();
    render(SprsPage { page, sprs, level, creditable, can_manage: scope.can(Permission::ManageFrameworks) })
}

/// Records (or withdraws) that 3.5.3 or 3.13.11 is partly implemented in the credited way.
pub async fn partial_credit(c: Change, form: web::Form<Vec<(String, String)>>) -> AppResult<HttpResponse> {
    let Change { state, scope, actor, session, .. } = c;
    let requirement = forms::value(&form, "requirement").to_string();
    let on = forms::value(&form, "partial") == "1";
    let Some((_, rule)) = sprs::creditable().into_iter().find(|(n, _)| *n == requirement) else {
        session::flash_error(&session, "Partial credit applies only to 3.5.3 and 3.13.11.");
        return Ok(redirect("/compliance/sprs"));
    };
    let (org_id, time, user) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), &scope), scope.user.id.clone());
    let message = state
        .db
        .write(move |conn| {
            let key = (&org_id, requirement.as_str());
            let changed = if on {
                let exists = partly(conn, &org_id)?.contains(&requirement);
                if !exists {
                    diesel::insert_into(credit::table)
                        .values((
                            credit::org_id.eq(&org_id),
                            credit::requirement.eq(&requirement),
                            credit::recorded_by_user_id.eq(&user),
                            credit::recorded_at.eq(time.now),
                        ))
                        .execute(conn)?;
                }
                !exists
            } else {
                diesel::delete(credit::table.find(key)).execute(conn)? > 0
            };
            if !changed {
                return Ok(format!("Nothing changed for {requirement}."));
            }
            refresh(conn, index::embedded()?, &org_id, time.today, time.now)?;
            let details = if on { format!("partly implemented: {rule}") } else { "not partly implemented".to_string() };
            let label = format!("SPRS {requirement}");
            let target = Target::new("sprs", &requirement, &label).details(details);
            audit::record(conn, &actor, Some(&org_id), Action::SprsPartialCredit, target)?;
            Ok(if on {
                format!("{requirement} now gets partial credit while it is not fully met.")
            } else {
                format!("{requirement} no longer gets partial credit.")
            })
        })
        .await?;
    session::flash_ok(&session, message);
    Ok(redirect("/compliance/sprs"))
}
