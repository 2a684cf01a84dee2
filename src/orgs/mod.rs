//! Organizations (MSPs, their clients, solo organizations), memberships, the client switcher, onboarding,
//! the MSP's clients and dashboard, team management and the super admin's organizations pages.

pub mod admin;
pub mod client_page;
pub mod clients;
pub mod dashboard;
pub mod demo;
pub mod invitations;
pub mod members;
pub mod models;
pub mod onboarding;
pub mod overview;
pub mod reach;
pub mod switcher;
pub mod team;

pub use models::{OrgKind, Organization, find_org, find_orgs};

use crate::auth::Permission::*;
use crate::web::routes::{Access, RouteDef, get, post};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    vec![
        get("/onboarding", Public, onboarding::page),
        post("/onboarding", Public, onboarding::submit).example(&[
            ("mode", "msp"),
            ("org_name", "Example IT"),
            ("contact_email", "it@example.com"),
            ("timezone", "UTC"),
            ("admin_name", "Ex Ample"),
            ("admin_email", "admin@example.com"),
            ("password", "a long example password"),
            ("confirm", "a long example password"),
        ]),
        get("/overview", SignedIn, overview::page),
        get("/switch", SignedIn, switcher::page),
        post("/switch", SignedIn, switcher::switch).example(&[("org_id", "{client_id}")]),
        get("/switch/options", SignedIn, switcher::options),
        post("/context/resubmit", SignedIn, switcher::resubmit).example(&[
            ("_org", "{client_id}"),
            ("_target", "/settings/team/invite"),
            ("email", "x@example.com"),
        ]),
        get("/msp/dashboard", Msp(ViewMspDashboard), dashboard::page),
        get("/msp/clients", Msp(ViewClients), clients::list),
        get("/msp/clients/new", Msp(ManageClients), clients::new_form),
        post("/msp/clients", Msp(ManageClients), clients::create).example(&[
            ("name", "Example Client"),
            ("timezone", "UTC"),
            ("tier", "T2"),
            ("contact_email", "it@client.example"),
            ("invite_admin", "1"),
        ]),
        get("/msp/clients/{client_id}", Msp(ViewClients), client_page::detail),
        post("/msp/clients/{client_id}/details", Msp(ManageClients), client_page::update_details).example(&[
            ("name", "Renamed Client"),
            ("contact_email", "it@renamed.example"),
            ("timezone", "Europe/Berlin"),
        ]),
        post("/msp/clients/{client_id}/invite", Msp(ManageClients), client_page::invite_admin)
            .example(&[("email", "new.admin@client.example")]),
        post("/msp/clients/{client_id}/tier", Msp(ManageClients), clients::change_tier).example(&[("tier", "T3")]),
        post("/msp/clients/{client_id}/assignments", Msp(ManageClients), clients::set_assignments)
            .example(&[("staff", "{staff_id}")]),
        post("/msp/clients/{client_id}/archive", Msp(ManageClients), clients::archive),
        post("/msp/clients/{client_id}/restore", Msp(ManageClients), clients::restore),
        get("/settings/team", Org(ViewTeam), team::page),
        post("/settings/team/invite", Org(ManageTeam), team::invite)
            .example(&[("email", "new.person@example.com"), ("role", "EMPLOYEE")]),
        post("/settings/team/invitations/{invitation_id}/resend", Org(ManageTeam), team::resend),
        post("/settings/team/invitations/{invitation_id}/revoke", Org(ManageTeam), team::revoke),
        post("/settings/team/members/{member_id}/role", Org(ManageTeam), team::change_role)
            .example(&[("role", "READ_ONLY")]),
        post("/settings/team/members/{member_id}/deactivate", Org(ManageTeam), team::deactivate),
        post("/settings/team/members/{member_id}/reactivate", Org(ManageTeam), team::reactivate),
        post("/settings/team/members/{member_id}/compliance-team", Org(ManageTeam), team::compliance_team)
            .example(&[("on", "1")]),
        get("/settings/roles", Org(ViewWorkspace), team::roles),
        get("/invitations/{token}", Public, invitations::page),
        post("/invitations/{token}", Public, invitations::accept).example(&[
            ("name", "New Person"),
            ("password", "a long example password"),
            ("confirm", "a long example password"),
        ]),
        get("/admin/orgs", SuperAdmin, admin::list),
        get("/admin/orgs/new", SuperAdmin, admin::new_form),
        post("/admin/orgs", SuperAdmin, admin::create).example(&[
            ("name", "Example Org"),
            ("kind", "solo"),
            ("timezone", "UTC"),
            ("seat_limit", "10"),
        ]),
        get("/admin/orgs/{org_id}", SuperAdmin, admin::detail),
        post("/admin/orgs/{org_id}/make-msp", SuperAdmin, admin::make_msp),
        post("/admin/orgs/{org_id}/archive", SuperAdmin, admin::archive),
        post("/admin/orgs/{org_id}/restore", SuperAdmin, admin::restore),
        post("/admin/orgs/{org_id}/seats", SuperAdmin, admin::set_seats).example(&[("seat_limit", "40")]),
        post("/admin/orgs/{org_id}/invite", SuperAdmin, admin::invite)
            .example(&[("email", "new.admin@example.com"), ("role", "ADMIN")]),
        post("/admin/orgs/{org_id}/members/{member_id}/role", SuperAdmin, admin::change_role)
            .example(&[("role", "READ_ONLY")]),
        post("/admin/orgs/{org_id}/members/{member_id}/deactivate", SuperAdmin, admin::deactivate),
        post("/admin/orgs/{org_id}/members/{member_id}/reactivate", SuperAdmin, admin::reactivate),
    ]
}
