//! The report's CSV files (columns fixed: the checks read them): one row per in-scope control, one per adopted
//! framework, and one per in-scope requirement. Downloads are logged.

use actix_web::{HttpResponse, web};

use super::{data, log_download};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::Scope;
use crate::compliance::program::OrgTime;
use crate::compliance::program::index;
use crate::error::AppResult;
use crate::web::csv;

async fn program(state: &AppState, scope: &Scope) -> AppResult<data::Program<'static>> {
    let index = index::embedded()?;
    let (org_id, time) = (scope.org_id().clone(), OrgTime::of(state.clock.now(), scope));
    state.db.run(move |conn| Ok(data::load(conn, index, &org_id, time.today)?)).await
}

/// control id, title, status, owner email, effective yes/no, evidence count, then one column per adopted
/// framework (named by its id) with the requirements of it the control counts for, space-separated.
pub async fn controls(state: web::Data<AppState>, scope: Scope, actor: Actor) -> AppResult<HttpResponse> {
    let p = program(&state, &scope).await?;
    let frameworks: Vec<usize> = p.scores.frameworks.iter().map(|f| f.framework).collect();
    let mapped: Vec<_> = frameworks.iter().map(|&f| p.counted_requirements(f)).collect();
    let mut header: Vec<String> =
        ["control_id", "title", "status", "owner_email", "effective", "evidence_count"].map(String::from).to_vec();
    header.extend(frameworks.iter().map(|&f| p.index.frameworks[f].id.clone()));
    let mut out = String::new();
    csv::push_row(&mut out, &header);
    for c in &p.controls {
        let control = &p.index.controls[c.control];
        let mut row = vec![
            control.id.clone(),
            control.title.clone(),
            c.status.id().to_string(),
            c.owner_email.clone(),
            if c.effective { "yes" } else { "no" }.to_string(),
            c.evidence.to_string(),
        ];
        row.extend(mapped.iter().map(|m| m.get(&c.control).map(|ids| ids.join(" ")).unwrap_or_default()));
        csv::push_row(&mut out, &row);
    }
    log_download(&state, &scope, actor, "Controls (CSV)").await?;
    Ok(csv::download("controls.csv", out))
}

/// framework id, in-scope, met, partial, unmet, score (a whole percent; empty when nothing is in scope).
pub async fn frameworks(state: web::Data<AppState>, scope: Scope, actor: Actor) -> AppResult<HttpResponse> {
    let p = program(&state, &scope).await?;
    let mut out = String::new();
    csv::push_row(&mut out, &["framework_id", "in_scope", "met", "partial", "unmet", "score"]);
    for f in &p.scores.frameworks {
        let t = f.tally;
        let score = t.percent().map(|p| p.to_string()).unwrap_or_default();
        let row = [
            p.index.frameworks[f.framework].id.clone(),
            t.in_scope.to_string(),
            t.met.to_string(),
            t.partial.to_string(),
            t.unmet.to_string(),
            score,
        ];
        csv::push_row(&mut out, &row);
    }
    log_download(&state, &scope, actor, "Frameworks (CSV)").await?;
    Ok(csv::download("frameworks.csv", out))
}

/// framework id, requirement id, title, status (met | partial | unmet | not_applicable), its controls.
pub async fn requirements(state: web::Data<AppState>, scope: Scope, actor: Actor) -> AppResult<HttpResponse> {
    let p = program(&state, &scope).await?;
    let mut out = String::new();
    csv::push_row(&mut out, &["framework_id", "requirement_id", "title", "status", "controls"]);
    for f in &p.scores.frameworks {
        let entry = &p.index.frameworks[f.framework];
        for &(ri, outcome) in &f.requirements {
            let r = &entry.requirements[ri];
            let controls: Vec<&str> = r.controls.iter().map(|&c| p.index.controls[c].id.as_str()).collect();
            csv::push_row(&mut out, &[entry.id.as_str(), &r.id, &r.title, outcome.code(), &controls.join(" ")]);
        }
    }
    log_download(&state, &scope, actor, "Requirements (CSV)").await?;
    Ok(csv::download("requirements.csv", out))
}
