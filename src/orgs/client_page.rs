//! MSP -> Clients -> one client: its details (editable), its tier and staff, inviting its admins (at any tier:
//! this is how a new client gets its first user), and what the client's own team page says to MSP staff who may
//! not manage that team. An archived client is read only until it is restored.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::permissions::{Permission, Role};
use crate::auth::{MspScope, Scope, session};
use crate::db::ids::{OrgId, UserId};
use crate::db::{DbConnection, lower};
use crate::error::{AppError, AppResult};
use crate::orgs::clients::{ClientRow, MspView, member_counts, tier_choices};
use crate::orgs::members::{self, InvitationRow, InviteInput, IssuedInvitation};
use crate::orgs::models::{self, ClientDetails, Organization, StaffMember};
use crate::schema::organizations;
use crate::web::change::Change;
use crate::web::forms::{self, FieldErrors, TIMEZONES};
use crate::web::{PageContext, PageInput, form_status_invalid, redirect, render_status};

/// The editable details of a client, as typed (kept when the form comes back with errors).
#[derive(Deserialize, Default, Clone, Debug)]
pub struct DetailsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub timezone: String,
    /// The name the person confirmed although another client of the MSP has it (see `check_same_name`).
    #[serde(default)]
    pub confirm_name: String,
}

impl DetailsForm {
    fn of(client: &ClientRow) -> DetailsForm {
        DetailsForm {
            name: client.name.clone(),
            contact_email: client.contact_email.clone(),
            timezone: client.timezone.clone(),
            confirm_name: String::new(),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct AdminInviteForm {
    #[serde(default)]
    pub email: String,
}

/// The forms of the client page as they come back to the person (values typed, messages next to the fields).
#[derive(Default)]
struct PageForms {
    details: Option<(DetailsForm, FieldErrors)>,
    invite: (AdminInviteForm, FieldErrors),
}

impl PageForms {
    fn errors(&self) -> bool {
        self.details.as_ref().is_some_and(|(_, e)| !e.is_empty()) || !self.invite.1.is_empty()
    }
}

#[derive(Template)]
#[template(path = "orgs/client_detail.html")]
struct ClientDetailPage {
    page: PageContext,
    client: ClientRow,
    staff: Vec<StaffMember>,
    assigned: Vec<UserId>,
    tiers: Vec<(&'static str, String)>,
    can_manage: bool,
    /// May open the client's billing (rates, rounding, tax, agreements).
    can_bill: bool,
    /// This month's agreement hours (`billing::models::agreement_hours`), if an agreement runs.
    agreement_hours: Option<crate::billing::models::Usage>,
    reaches_all: Vec<StaffMember>,
    details: DetailsForm,
    details_errors: FieldErrors,
    invite_email: String,
    invite_errors: FieldErrors,
    invitations: Vec<InvitationRow>,
    timezones: &'static [&'static str],
}

impl ClientDetailPage {
    fn included_text(&self) -> String {
        self.agreement_hours.as_ref().map(|u| crate::psa::time::forms::hours_minutes(u.included)).unwrap_or_default()
    }
    fn is_assigned(&self, user_id: &str) -> bool {
        self.assigned.iter().any(|a| a == user_id)
    }
    /// Is the client's timezone one of the picker's? (Any IANA name is valid; an unlisted one is offered too.)
    fn timezone_listed(&self) -> bool {
        self.timezones.contains(&self.details.timezone.as_str())
    }
    fn assigned_staff(&self) -> Vec<&StaffMember> {
        self.staff.iter().filter(|s| self.is_assigned(&s.user_id)).collect()
    }
}

pub async fn detail(
    state: web::Data<AppState>,
    scope: MspScope,
    input: PageInput,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    render_detail(&state, &scope, input, path.into_inner(), PageForms::default()).await
}

/// The client page: seven statements (the client, its member count, the MSP's staff, the assignments, the open
/// invitations, this month's agreement hours, and the page context's two).
async fn render_detail(
    state: &AppState,
    scope: &MspScope,
    input: PageInput,
    client_id: String,
    forms: PageForms,
) -> AppResult<HttpResponse> {
    let view = MspView::of(scope);
    let now = state.clock.now();
    let first = crate::billing::models::this_month(now, scope.tz());
    let (page, client, staff, assigned, invitations, agreement_hours) = state
        .db
        .run(move |conn| {
            let mut client = ClientRow { as_of: now, ..view.client(conn, &client_id)? };
            client.members = member_counts(conn, vec![client.id.clone()])?.get(&client.id).copied().unwrap_or(0);
            let staff = models::active_staff(conn, &view.msp_org_id)?;
            let assigned = models::assigned_user_ids(conn, &client.id)?;
            let invitations = members::open_invitations(conn, &client.id, now)?;
            let mut hours =
                crate::billing::models::agreement_hours(conn, &view.msp_org_id, vec![client.id.clone()], first)?;
            let agreement_hours = hours.remove(&client.id);
            Ok((input.load(conn)?, client, staff, assigned, invitations, agreement_hours))
        })
        .await?;
    let status = if forms.errors() { form_status_invalid() } else { StatusCode::OK };
    let (details, details_errors) = forms.details.unwrap_or_else(|| (DetailsForm::of(&client), FieldErrors::default()));
    let (invite, invite_errors) = forms.invite;
    let (reaches_all, staff): (Vec<StaffMember>, Vec<StaffMember>) =
        staff.into_iter().partition(|s| s.role.reaches_all_clients());
    render_status(
        status,
        ClientDetailPage {
            page,
            client,
            staff,
            assigned,
            tiers: tier_choices(),
            can_manage: scope.can(Permission::ManageClients),
            can_bill: scope.can(Permission::BillClients),
            agreement_hours,
            reaches_all,
            details,
            details_errors,
            invite_email: invite.email,
            invite_errors,
            invitations,
            timezones: TIMEZONES,
        },
    )
}

/// Another client of this MSP (archived ones included) with the same name, ignoring case: (name, slug).
pub fn client_with_name(
    conn: &mut DbConnection,
    msp_org_id: &OrgId,
    name: &str,
    except_id: Option<&OrgId>,
) -> QueryResult<Option<(String, String)>> {
    let mut query = organizations::table
        .filter(organizations::msp_org_id.eq(msp_org_id))
        .filter(lower(organizations::name).eq(name.to_lowercase()))
        .select((organizations::name, organizations::slug))
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(organizations::id.ne(id.clone()));
    }
    query.first(conn).optional()
}

/// Two clients may share a name (two offices of one practice), but never by accident: a name another client of
/// the MSP already has comes back with a warning (field `confirm_name`) until the person confirms that name.
pub fn check_same_name(
    conn: &mut DbConnection,
    errors: &mut FieldErrors,
    msp_org_id: &OrgId,
    name: &str,
    confirmed: &str,
    except_id: Option<&OrgId>,
) -> QueryResult<()> {
    if name.is_empty() || errors.has("name") || confirmed.trim().eq_ignore_ascii_case(name) {
        return Ok(());
    }
    if let Some((existing, slug)) = client_with_name(conn, msp_org_id, name, except_id)? {
        errors.add(
            "confirm_name",
            format!(
                "Another client is already called {existing} (slug {slug}). Choose another name, or tick the box \
                 to use this one as well: the switcher then shows the slug beside the name."
            ),
        );
    }
    Ok(())
}

/// The validated details: (name, contact email, timezone).
fn validate_details(
    conn: &mut DbConnection,
    msp_org_id: &OrgId,
    client: &ClientRow,
    form: &DetailsForm,
) -> QueryResult<Result<(String, String, String), FieldErrors>> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "name", &form.name, "Client name", 120);
    let contact = optional_email(&mut errors, "contact_email", &form.contact_email);
    let timezone = forms::timezone(&mut errors, "timezone", &form.timezone);
    // Keeping its own name is never a clash, even when another client has it too.
    if !name.eq_ignore_ascii_case(&client.name) {
        check_same_name(conn, &mut errors, msp_org_id, &name, &form.confirm_name, Some(&client.id))?;
    }
    Ok(if errors.is_empty() { Ok((name, contact, timezone)) } else { Err(errors) })
}

/// An email field that may be left empty.
pub fn optional_email(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    if value.trim().is_empty() { String::new() } else { forms::email(errors, field, value) }
}

/// Why an archived client refuses a change.
pub fn archived_refusal(client: &ClientRow, what: &str) -> String {
    format!("{} is archived, so its {what} cannot change. Restore it first.", client.name)
}

pub async fn update_details(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<DetailsForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (client_id, form) = (path.into_inner(), form.into_inner());
    let (view, submitted, id) = (MspView::of(&scope), form.clone(), client_id.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let client = view.client(conn, &id)?;
            if client.archived {
                return Ok(Ok(Err(archived_refusal(&client, "details"))));
            }
            let (name, contact, timezone) = match validate_details(conn, &view.msp_org_id, &client, &submitted)? {
                Ok(valid) => valid,
                Err(errors) => return Ok(Err(errors)),
            };
            let changes = changed_details(&client, &name, &contact, &timezone);
            if changes.is_empty() {
                return Ok(Ok(Err(format!("Nothing to save: the details of {} are unchanged.", client.name))));
            }
            let details = ClientDetails { name: &name, contact_email: &contact, timezone: &timezone };
            models::set_client_details(conn, &view.msp_org_id, &client.id, &details, actor.at)?;
            for org in [&view.msp_org_id, &client.id] {
                let target = Target::new("organization", &client.id, &name).details(changes.join("; "));
                audit::record(conn, &actor, Some(org), Action::ClientUpdated, target)?;
            }
            Ok(Ok(Ok(format!("The details of {name} are saved."))))
        })
        .await?;
    match outcome {
        Ok(result) => {
            session::flash_outcome(&session, result);
            Ok(redirect(&format!("/msp/clients/{client_id}")))
        }
        Err(errors) => {
            let forms = PageForms { details: Some((form, errors)), ..Default::default() };
            render_detail(&state, &scope, input, client_id, forms).await
        }
    }
}

/// What an edit changes, as "name: Old -> New" lines for the activity log.
fn changed_details(client: &ClientRow, name: &str, contact: &str, timezone: &str) -> Vec<String> {
    let shown = |v: &str| if v.is_empty() { "(none)".to_string() } else { v.to_string() };
    [
        ("name", client.name.as_str(), name),
        ("contact", &client.contact_email, contact),
        ("timezone", &client.timezone, timezone),
    ]
    .into_iter()
    .filter(|(_, old, new)| old != new)
    .map(|(field, old, new)| format!("{field}: {} -> {}", shown(old), shown(new)))
    .collect()
}

/// Invites an Admin of the client, whatever its tier: how a new client gets its first user, and how an MSP
/// Admin replaces one who left. Logged in the client's log (the invitation) and the MSP's.
pub async fn invite_admin(
    c: Change<MspScope>,
    path: web::Path<String>,
    form: web::Form<AdminInviteForm>,
) -> AppResult<HttpResponse> {
    let Change { state, scope, input, actor, session } = c;
    let (client_id, form) = (path.into_inner(), form.into_inner());
    let (view, email, id) = (MspView::of(&scope), form.email.clone(), client_id.clone());
    let base_url = state.config.base_url.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let client = view.client(conn, &id)?;
            if client.archived {
                return Ok(Invite::Refused(format!("{} is archived; restore it before inviting anyone.", client.name)));
            }
            let org = models::find_org(conn, &client.id)?.ok_or(AppError::NotFound)?;
            Ok(match members::validate_invite(conn, &org, &email, Role::Admin.id(), actor.at)? {
                Ok(input) => Invite::Sent(invite_first_admin(conn, &actor, &view.msp_org_id, &org, input, &base_url)?),
                Err(errors) => Invite::Invalid(errors),
            })
        })
        .await?;
    let message = match outcome {
        Invite::Sent(sent) => Ok(format!("Invitation sent to {} as {}.", sent.email, sent.role.label())),
        Invite::Refused(refusal) => Err(refusal),
        Invite::Invalid(errors) => {
            let forms = PageForms { invite: (form, errors), ..Default::default() };
            return render_detail(&state, &scope, input, client_id, forms).await;
        }
    };
    session::flash_outcome(&session, message);
    Ok(redirect(&format!("/msp/clients/{client_id}")))
}

/// What inviting a client's admin came to.
enum Invite {
    /// Created, its email queued in the same transaction.
    Sent(IssuedInvitation),
    Invalid(FieldErrors),
    Refused(String),
}

/// Creates an Admin invitation in a client (inside the caller's transaction), queues its email and records it in
/// the MSP's log.
pub fn invite_first_admin(
    conn: &mut DbConnection,
    actor: &Actor,
    msp_org_id: &OrgId,
    client: &Organization,
    input: InviteInput,
    base_url: &str,
) -> QueryResult<IssuedInvitation> {
    let issued = members::create_invitation(conn, actor, client, input)?;
    crate::mail::enqueue(conn, actor.at, &crate::orgs::team::invitation_mail(base_url, actor, client, &issued))?;
    let target = Target::new("organization", &client.id, &client.name).details(format!("admin {}", issued.email));
    audit::record(conn, actor, Some(msp_org_id), Action::ClientAdminInvited, target)?;
    Ok(issued)
}

/// Why the team page of a client shows no invite form, and where inviting happens instead.
pub struct InviteNote {
    pub why: String,
    /// The client's page in the MSP, for those who may invite from there.
    pub href: Option<String>,
    pub link_text: &'static str,
}

/// The note for the team page when the person may see the team but not manage it.
pub fn team_invite_note(scope: &Scope) -> Option<InviteNote> {
    if scope.can(Permission::ManageTeam) {
        return None;
    }
    let org = &scope.org;
    let Some(link) = &org.msp else {
        return Some(InviteNote {
            why: format!("Only Admins of {} can invite people or change roles.", org.name),
            href: None,
            link_text: "",
        });
    };
    let why = format!(
        "You reach {} through {} at {}: MSP staff can see this team but not change it (that needs T3 Manage).",
        org.name,
        link.msp_name,
        link.tier.label()
    );
    if link.role.permissions().contains(Permission::ManageClients) {
        Some(InviteNote {
            why: format!(
                "{why} As {} of {}, you can invite this client's admins from its client page.",
                link.role.label(),
                link.msp_name
            ),
            href: Some(format!("/msp/clients/{}", org.id)),
            link_text: "Invite an admin from the client page",
        })
    } else {
        Some(InviteNote {
            why: format!(
                "{why} An MSP Admin of {} can invite this client's admins from its client page.",
                link.msp_name
            ),
            href: None,
            link_text: "",
        })
    }
}
