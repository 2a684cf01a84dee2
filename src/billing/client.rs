//! Billing of one client (MSP -> Clients -> a client -> Billing): its rounding rule and tax rate, its own rates
//! per work type, and its agreements with the hours used and remaining this month.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::forms::{AgreementForm, RateForm, TermsForm};
use super::models::{self, AgreementRow, ClientRate, Terms, Usage, WorkType};
use super::money::{format_bp, format_cents, parse_cents};
use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::{MspScope, session};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, WorkTypeId};
use crate::error::{AppError, AppResult};
use crate::orgs::clients::{ClientRow, MspView};
use crate::psa::time::forms::hours_minutes;
use crate::web::change::Change;
use crate::web::forms::FieldErrors;
use crate::web::{PageContext, PageInput, form_status, redirect, render_status};

/// An agreement as the page shows it, with this month's use.
#[derive(Clone)]
pub struct AgreementView {
    pub row: AgreementRow,
    pub usage: Option<Usage>,
}

impl AgreementView {
    pub fn covers_text(&self) -> String {
        match self.row.covered.is_empty() {
            true => "All work".into(),
            false => self.row.covered.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", "),
        }
    }
    pub fn period(&self) -> String {
        let a = &self.row.agreement;
        match &a.ends_on {
            Some(end) => format!("{} to {end}", a.starts_on),
            None => format!("from {}", a.starts_on),
        }
    }
}

/// The forms of the page as they come back after a refusal.
#[derive(Default)]
pub struct Forms {
    terms: Option<(TermsForm, FieldErrors)>,
    rate: Option<(RateForm, FieldErrors)>,
    agreement: Option<(AgreementForm, FieldErrors)>,
    /// The agreement being changed (`?edit=` or a refused change), else the form adds one.
    editing: Option<String>,
}

#[derive(Template)]
#[template(path = "billing/client.html")]
struct ClientBillingPage {
    page: PageContext,
    currency: String,
    client: ClientRow,
    month: String,
    terms: Terms,
    rates: Vec<ClientRate>,
    work_types: Vec<WorkType>,
    agreements: Vec<AgreementView>,
    terms_form: TermsForm,
    terms_errors: FieldErrors,
    rate_form: RateForm,
    rate_errors: FieldErrors,
    agreement_form: AgreementForm,
    agreement_errors: FieldErrors,
    /// The agreement the form changes (None: it adds one).
    editing: Option<AgreementView>,
}

impl ClientBillingPage {
    fn money(&self, cents: &i64) -> String {
        format_cents(*cents)
    }
    fn included(&self, minutes: &i32) -> String {
        hours_minutes((*minutes).into())
    }
    fn tax_text(&self) -> String {
        format_bp(self.terms.tax_rate_bp)
    }
    fn rate_for(&self, w: &WorkType) -> String {
        match self.rates.iter().find(|r| r.work_type_id == w.id) {
            Some(r) => format!("{} {}/h (this client)", format_cents(r.hourly_rate_cents), self.currency),
            None => format!("{} {}/h (default)", format_cents(w.hourly_rate_cents), self.currency),
        }
    }
}

/// The page's data: the client (404 unless the person reaches it), its terms, rates, agreements with their
/// use this month, and the MSP's work types.
async fn client_page(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    client_id: String,
    forms: Forms,
) -> AppResult<HttpResponse> {
    let (msp, view, now, tz) = (scope.msp_id().clone(), MspView::of(scope), state.clock.now(), scope.tz());
    let loaded = state
        .db
        .run(move |conn| {
            let client = view.client(conn, &client_id)?;
            let first = models::this_month(now, tz);
            let terms = models::terms_of(conn, &msp, &client.id)?;
            let rates = models::rates_of(conn, &msp, &client.id)?;
            let work_types = models::work_types_of(conn, &msp)?;
            let agreements = agreements_with_usage(conn, &msp, &client.id, first, &work_types)?;
            let currency = super::profile::currency_of(conn, &msp)?;
            Ok((input.load(conn)?, client, first, terms, rates, work_types, agreements, currency))
        })
        .await?;
    let (page, client, first, terms, rates, work_types, agreements, currency) = loaded;
    let (terms_form, terms_errors) = forms.terms.unwrap_or_else(|| (TermsForm::of(&terms), FieldErrors::default()));
    let (rate_form, rate_errors) = forms.rate.unwrap_or_default();
    let editing = forms
        .editing
        .and_then(|id| agreements.iter().position(|a| a.row.agreement.id == id.as_str()))
        .map(|i| agreements[i].clone());
    let (agreement_form, agreement_errors) = forms.agreement.unwrap_or_else(|| match &editing {
        Some(a) => (AgreementForm::of(&a.row), FieldErrors::default()),
        None => (AgreementForm { starts_on: first.to_string(), ..Default::default() }, FieldErrors::default()),
    });
    let refused = [&terms_errors, &rate_errors, &agreement_errors].into_iter().find(|e| !e.is_empty());
    let status = refused.map(form_status).unwrap_or(actix_web::http::StatusCode::OK);
    render_status(
        status,
        ClientBillingPage {
            page,
            currency,
            client,
            month: first.format("%B %Y").to_string(),
            terms,
            rates,
            work_types,
            agreements,
            terms_form,
            terms_errors,
            rate_form,
            rate_errors,
            agreement_form,
            agreement_errors,
            editing,
        },
    )
}

/// The client's agreements with their use in the month starting `first` (three statements).
pub fn agreements_with_usage(
    conn: &mut DbConnection,
    msp: &OrgId,
    client: &OrgId,
    first: NaiveDate,
    work_types: &[WorkType],
) -> AppResult<Vec<AgreementView>> {
    let rows = models::agreements_of(conn, msp, client)?;
    let minutes = match rows.iter().any(|r| r.agreement.runs_in_month(first)) {
        true => models::billable_minutes_by_type(conn, msp, client, first)?,
        false => Vec::new(),
    };
    let default: Option<&WorkTypeId> = work_types.iter().find(|w| w.is_default).map(|w| &w.id);
    let running: Vec<&models::AgreementRow> = rows.iter().filter(|r| r.agreement.runs_in_month(first)).collect();
    let mut usages = Usage::allocate(&running, &minutes, default).into_iter();
    Ok(rows
        .iter()
        .map(|row| {
            let usage = if row.agreement.runs_in_month(first) { usages.next() } else { None };
            AgreementView { row: row.clone(), usage }
        })
        .collect())
}

fn client_path(client: &str) -> String {
    format!("/billing/clients/{client}")
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    /// An agreement to change in the page's agreement form.
    edit: Option<String>,
}

/// GET /billing/clients/{client_id}(?edit={agreement_id})
pub async fn show(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let forms = Forms { editing: query.into_inner().edit, ..Default::default() };
    client_page(&state, &scope, input, path.into_inner(), forms).await
}

/// Runs a change of one client's billing in a transaction, after finding the client through the person's
/// view of the MSP (404 otherwise); Ok(Err(errors)) is a refusal with nothing written.
async fn change<F>(state: &AppState, scope: &MspScope, client_id: &str, f: F) -> AppResult<Result<String, FieldErrors>>
where
    F: FnOnce(&mut DbConnection, &OrgId, &ClientRow) -> AppResult<Result<String, FieldErrors>> + Send + 'static,
{
    let (msp, view, client_id) = (scope.msp_id().clone(), MspView::of(scope), client_id.to_string());
    state
        .db
        .write(move |conn| {
            let client = view.client(conn, &client_id)?;
            f(conn, &msp, &client)
        })
        .await
}

/// POST /billing/clients/{client_id}/terms
pub async fn save_terms(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<TermsForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (client_id, form) = (path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let terms = form.validate(&mut errors);
    let outcome = change(&state, &scope, &client_id, move |conn, msp, client| {
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        models::save_terms(conn, msp, &client.id, &terms, actor.at)?;
        let details = format!("{}, tax {}", terms.rounding.describe(), format_bp(terms.tax_rate_bp));
        let target = Target::new("client", &client.id, &client.name).details(details);
        audit::record(conn, &actor, Some(msp), Action::ClientTermsChanged, target)?;
        Ok(Ok("Billing terms saved.".to_string()))
    })
    .await?;
    finish(&state, &scope, input, &session, client_id, outcome, |errors| Forms {
        terms: Some((form, errors)),
        ..Default::default()
    })
    .await
}

/// Redirects to the client's billing page with the message, or shows the page again with the refused form.
async fn finish(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    session: &Session,
    client_id: String,
    outcome: Result<String, FieldErrors>,
    forms: impl FnOnce(FieldErrors) -> Forms,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(message) => {
            session::flash_ok(session, message);
            Ok(redirect(&client_path(&client_id)))
        }
        Err(errors) => client_page(state, scope, input, client_id, forms(errors)).await,
    }
}

/// POST /billing/clients/{client_id}/rates: the client's own rate for a work type.
pub async fn set_rate(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<RateForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (client_id, form) = (path.into_inner(), form.into_inner());
    let checked = form.clone();
    let outcome = change(&state, &scope, &client_id, move |conn, msp, client| {
        let mut errors = FieldErrors::default();
        let work_type = models::work_type(conn, msp, checked.work_type.trim())?;
        if work_type.is_none() {
            errors.add("work_type", "Choose one of your work types.");
        }
        let cents = parse_cents(&checked.rate);
        if cents.is_none() {
            errors.add("rate", "Enter the hourly rate as an amount such as 125 or 125.50.");
        }
        let (Some(work_type), Some(cents)) = (work_type, cents) else { return Ok(Err(errors)) };
        models::set_rate(conn, msp, &client.id, &work_type.id, cents, actor.at)?;
        let details = format!("{} at {}/h", work_type.name, format_cents(cents));
        let target = Target::new("client", &client.id, &client.name).details(details);
        audit::record(conn, &actor, Some(msp), Action::ClientRateSet, target)?;
        Ok(Ok(format!("{} now bills {}/h for this client.", work_type.name, format_cents(cents))))
    })
    .await?;
    finish(&state, &scope, input, &session, client_id, outcome, |errors| Forms {
        rate: Some((form, errors)),
        ..Default::default()
    })
    .await
}

/// POST /billing/clients/{client_id}/rates/{rate_id}/delete: back to the work type's default rate.
pub async fn remove_rate(
    state: web::Data<AppState>,
    scope: MspScope,
    actor: Actor,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (client_id, rate_id) = path.into_inner();
    let _removed: Result<String, FieldErrors> = change(&state, &scope, &client_id, move |conn, msp, client| {
        if !models::remove_rate(conn, msp, &client.id, &rate_id)? {
            return Err(AppError::NotFound);
        }
        let target = Target::new("client", &client.id, &client.name);
        audit::record(conn, &actor, Some(msp), Action::ClientRateRemoved, target)?;
        Ok(Ok(String::new()))
    })
    .await?;
    session::flash_ok(&session, "The client's rate is removed: the work type's default rate applies.");
    Ok(redirect(&client_path(&client_id)))
}

/// POST /billing/clients/{client_id}/agreements
pub async fn add_agreement(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let form = AgreementForm::from_pairs(&form.into_inner());
    save_agreement(&state, &scope, input, actor, &session, path.into_inner(), None, form).await
}

/// POST /billing/clients/{client_id}/agreements/{agreement_id}: changes it, ending it with an end date.
#[allow(clippy::too_many_arguments)]
pub async fn update_agreement(
    c: Change<MspScope>,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (client_id, agreement_id) = path.into_inner();
    let form = AgreementForm::from_pairs(&form.into_inner());
    save_agreement(&state, &scope, input, actor, &session, client_id, Some(agreement_id), form).await
}

/// Adds an agreement, or changes the one `editing` names (404 unless it is the client's).
#[allow(clippy::too_many_arguments)]
async fn save_agreement(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    actor: Actor,
    session: &Session,
    client_id: String,
    editing: Option<String>,
    form: AgreementForm,
) -> AppResult<HttpResponse> {
    let checked = form.clone();
    let changing = editing.clone();
    let outcome = change(state, scope, &client_id, move |conn, msp, client| {
        let mut errors = FieldErrors::default();
        let mut valid = checked.validate(&mut errors);
        let types = models::work_types_of(conn, msp)?;
        let mut covered = Vec::new();
        for id in &checked.covers {
            match types.iter().find(|w| w.id == id.as_str()) {
                Some(w) => covered.push(w.id.clone()),
                None => errors.add("covers", "Choose among your work types."),
            }
        }
        let Some(input) = valid.as_mut().filter(|_| errors.is_empty()) else { return Ok(Err(errors)) };
        input.covered = covered;
        let action = match &changing {
            Some(id) if !models::update_agreement(conn, msp, &client.id, id, input, actor.at)? => {
                return Err(AppError::NotFound);
            }
            Some(_) => Action::AgreementChanged,
            None => {
                models::insert_agreement(conn, msp, &client.id, input, actor.at)?;
                Action::AgreementAdded
            }
        };
        let period = match input.ends_on {
            Some(end) => format!("{} to {end}", input.starts_on),
            None => format!("from {}", input.starts_on),
        };
        let details = format!(
            "{}: {}/month with {} h included, overage {}/h, {period}",
            input.name,
            format_cents(input.monthly_fee_cents),
            hours_minutes(input.included_minutes.into()),
            format_cents(input.overage_rate_cents)
        );
        let target = Target::new("client", &client.id, &client.name).details(details);
        audit::record(conn, &actor, Some(msp), action, target)?;
        let done = if action == Action::AgreementAdded { "added" } else { "saved" };
        Ok(Ok(format!("Agreement {} {done}.", input.name)))
    })
    .await?;
    finish(state, scope, input, session, client_id, outcome, |errors| Forms {
        agreement: Some((form, errors)),
        editing,
        ..Default::default()
    })
    .await
}
