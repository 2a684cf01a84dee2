//! Roles, permissions and the MSP tier caps: the single source of truth for who may do what.
//! The route table enforces these, the Roles settings page renders them, and the access-matrix test checks them.

use std::fmt;

crate::text_enum! {
    /// A relationship tier between an MSP and one of its clients, capping what MSP staff may do in that client.
    pub enum Tier {
        /// T1 Monitor: read only.
        Monitor = "T1",
        /// T2 Operate: day-to-day work (controls, evidence, tickets, assignments), no client settings.
        Operate = "T2",
        /// T3 Manage: also client settings, branding, API keys, integrations and credentials.
        Manage = "T3",
    }
}

impl Tier {
    /// "T1", "T2", "T3": what people call the tiers (and how they are stored).
    pub fn code(self) -> &'static str {
        self.id()
    }

    pub fn name(self) -> &'static str {
        match self {
            Tier::Monitor => "Monitor",
            Tier::Operate => "Operate",
            Tier::Manage => "Manage",
        }
    }

    pub fn label(self) -> String {
        format!("{} {}", self.code(), self.name())
    }

    pub fn description(self) -> &'static str {
        match self {
            Tier::Monitor => "Read only: MSP staff can see the client's workspace but change nothing.",
            Tier::Operate => "Day-to-day work on controls, evidence and tickets; no client settings.",
            Tier::Manage => "Full management, including client settings, branding, API keys and integrations.",
        }
    }
}

/// What a person may do. Grouped by area; each has the minimum MSP tier at which MSP staff may use it in a
/// client (None = never through an MSP, e.g. MSP-level or portal permissions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Permission {
    ViewWorkspace,
    ViewTeam,
    ManageTeam,
    ViewActivityLog,
    ManageOrgSettings,
    ManageBilling,
    ManageBranding,
    ManageIntegrations,
    ViewCompliance,
    ManageFrameworks,
    EditControls,
    ManageEvidence,
    ApproveCompliance,
    ManagePolicies,
    ApprovePolicies,
    ApprovePrivacyPolicies,
    ApproveSecurityPolicies,
    ViewTickets,
    WorkTickets,
    ManageServiceDesk,
    LogTime,
    ManageTime,
    BillClients,
    UsePortal,
    ViewMspDashboard,
    ViewClients,
    ManageClients,
    ManagePortalUsers,
}

impl Permission {
    pub const ALL: [Permission; 28] = [
        Permission::ViewWorkspace,
        Permission::ViewTeam,
        Permission::ManageTeam,
        Permission::ViewActivityLog,
        Permission::ManageOrgSettings,
        Permission::ManageBilling,
        Permission::ManageBranding,
        Permission::ManageIntegrations,
        Permission::ViewCompliance,
        Permission::ManageFrameworks,
        Permission::EditControls,
        Permission::ManageEvidence,
        Permission::ApproveCompliance,
        Permission::ManagePolicies,
        Permission::ApprovePolicies,
        Permission::ApprovePrivacyPolicies,
        Permission::ApproveSecurityPolicies,
        Permission::ViewTickets,
        Permission::WorkTickets,
        Permission::ManageServiceDesk,
        Permission::LogTime,
        Permission::ManageTime,
        Permission::BillClients,
        Permission::UsePortal,
        Permission::ViewMspDashboard,
        Permission::ViewClients,
        Permission::ManageClients,
        Permission::ManagePortalUsers,
    ];

    /// (area, label, explanation, minimum tier through an MSP)
    fn info(self) -> (&'static str, &'static str, &'static str, Option<Tier>) {
        use Permission::*;
        use Tier::*;
        match self {
            ViewWorkspace => {
                ("Workspace", "View workspace", "Open the organization's workspace and overview", Some(Monitor))
            }
            ViewTeam => ("Settings", "View team", "See team members, their roles and invitations", Some(Monitor)),
            ManageTeam => ("Settings", "Manage team", "Invite people, change roles, deactivate members", Some(Manage)),
            ViewActivityLog => ("Settings", "View activity log", "Read the organization's activity log", Some(Monitor)),
            ManageOrgSettings => {
                ("Settings", "Manage settings", "Change organization details and timezone", Some(Manage))
            }
            ManageBilling => ("Settings", "Manage billing", "Plans, seats and invoices settings", Some(Manage)),
            ManageBranding => ("Settings", "Manage branding", "Portal branding, logo and domain", Some(Manage)),
            ManageIntegrations => {
                ("Settings", "Manage integrations", "API keys, integrations and stored credentials", Some(Manage))
            }
            ViewCompliance => {
                ("Compliance", "View compliance", "Frameworks, controls, policies and evidence", Some(Monitor))
            }
            ManageFrameworks => (
                "Compliance",
                "Manage frameworks",
                "Adopt frameworks, set their scope, mark requirements not applicable",
                Some(Operate),
            ),
            EditControls => {
                ("Compliance", "Edit controls", "Implement and update controls, assign owners", Some(Operate))
            }
            ManageEvidence => ("Compliance", "Manage evidence", "Upload, link and retire evidence", Some(Operate)),
            ApproveCompliance => (
                "Compliance",
                "Approve controls and evidence",
                "Approve or reject controls and evidence someone else sent for review",
                Some(Operate),
            ),
            ManagePolicies => {
                ("Compliance", "Manage policies", "Draft policies and run acknowledgment campaigns", Some(Operate))
            }
            ApprovePolicies => ("Compliance", "Approve policies", "Approve any policy or exception", Some(Operate)),
            ApprovePrivacyPolicies => {
                ("Compliance", "Approve privacy items", "Approve privacy policies and exceptions", Some(Operate))
            }
            ApproveSecurityPolicies => {
                ("Compliance", "Approve security items", "Approve security policies and exceptions", Some(Operate))
            }
            ViewTickets => {
                ("Service desk", "View tickets", "See tickets, assets and the knowledge base", Some(Monitor))
            }
            WorkTickets => {
                ("Service desk", "Work tickets", "Create, update and resolve tickets, log time", Some(Operate))
            }
            ManageServiceDesk => (
                "Service desk",
                "Manage service desk",
                "SLA policies, business hours, closing rules, templates",
                Some(Manage),
            ),
            LogTime => ("Time", "Log time", "Timers and time entries on tickets, own weekly timesheet", Some(Operate)),
            ManageTime => ("Time", "Manage time", "Everyone's weekly timesheets at the MSP", None),
            BillClients => ("Time", "Bill clients", "Work types, rates, rounding, tax and agreements of clients", None),
            UsePortal => ("Portal", "Use portal", "Client end-user portal: own tickets, policies to sign", None),
            ViewMspDashboard => ("MSP", "View MSP dashboard", "Cross-client dashboard of the MSP", None),
            ViewClients => ("MSP", "View clients", "List the MSP's clients", None),
            ManageClients => ("MSP", "Manage clients", "Add clients, change tiers, assign staff, archive", None),
            ManagePortalUsers => (
                "Portal",
                "Manage portal users",
                "Invite contacts to the portal, approve access requests, remove access",
                Some(Operate),
            ),
        }
    }

    pub fn area(self) -> &'static str {
        self.info().0
    }
    pub fn label(self) -> &'static str {
        self.info().1
    }
    pub fn description(self) -> &'static str {
        self.info().2
    }
    /// Lowest tier at which MSP staff get this permission in a client; None when never through an MSP.
    pub fn min_tier(self) -> Option<Tier> {
        self.info().3
    }

    fn bit(self) -> u128 {
        self.const_bit()
    }

    const fn const_bit(self) -> u128 {
        1u128 << (self as u8)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A set of permissions: a 128-bit set (the assertion below stops the build before a permission could overflow it).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct PermissionSet(u128);

const _: () = assert!(Permission::ALL.len() <= u128::BITS as usize, "PermissionSet needs a wider bit set");

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub fn of(perms: &[Permission]) -> PermissionSet {
        PermissionSet(perms.iter().fold(0, |acc, p| acc | p.bit()))
    }
    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }
    pub fn union(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 | other.0)
    }
    pub fn intersect(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 & other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// What MSP staff may use in a client at this tier.
    pub fn tier_cap(tier: Tier) -> PermissionSet {
        let allowed: Vec<Permission> =
            Permission::ALL.into_iter().filter(|p| p.min_tier().is_some_and(|min| min <= tier)).collect();
        PermissionSet::of(&allowed)
    }
}

crate::text_enum! {
    /// Roles (ids as the API and exports show them). One role per person per organization.
    pub enum Role {
        Admin = "ADMIN",
        ComplianceAdmin = "COMPLIANCE_ADMIN",
        ComplianceOfficer = "COMPLIANCE_OFFICER",
        PrivacyOfficer = "PRIVACY_OFFICER",
        SecurityOfficer = "SECURITY_OFFICER",
        Employee = "EMPLOYEE",
        ReadOnly = "READ_ONLY",
        MspAdmin = "MSP_ADMIN",
        MspTechnician = "MSP_TECHNICIAN",
        PortalUser = "PORTAL_USER",
    }
}

/// Which kinds of organization a role may be held in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleScope {
    Any,
    MspOnly,
    ClientOnly,
}

impl Role {
    /// The label of the Team table.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::ComplianceAdmin => "Compliance Admin",
            Role::ComplianceOfficer => "Approver",
            Role::PrivacyOfficer => "Approver (Privacy)",
            Role::SecurityOfficer => "Approver (Security)",
            Role::Employee => "Analyst",
            Role::ReadOnly => "Read Only",
            Role::MspAdmin => "MSP Admin",
            Role::MspTechnician => "MSP Technician",
            Role::PortalUser => "End User",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Role::Admin => "Everything in the organization, including team, settings and billing.",
            Role::ComplianceAdmin => "Runs the compliance program: controls, evidence, policies and approvals.",
            Role::ComplianceOfficer => "Works on controls and evidence, approves them and any policy.",
            Role::PrivacyOfficer => "Works on controls and evidence, approves them and privacy items.",
            Role::SecurityOfficer => "Works on controls and evidence, approves them and security items.",
            Role::Employee => "Does the day-to-day work on controls, evidence and tickets; never approves.",
            Role::ReadOnly => "Sees everything in the workspace and changes nothing.",
            Role::MspAdmin => "Runs the MSP: every client (within its tier), staff assignments and tiers.",
            Role::MspTechnician => {
                "Works tickets for the clients assigned to them; compliance too when on the compliance team."
            }
            Role::PortalUser => "A client's end user: the branded portal only, never the staff app.",
        }
    }

    pub fn scope(self) -> RoleScope {
        match self {
            Role::MspAdmin | Role::MspTechnician => RoleScope::MspOnly,
            Role::PortalUser => RoleScope::ClientOnly,
            _ => RoleScope::Any,
        }
    }

    /// Roles that may be held in an organization of this kind.
    pub fn allowed_in(kind: crate::orgs::OrgKind) -> Vec<Role> {
        use crate::orgs::OrgKind;
        Role::ALL
            .into_iter()
            .filter(|r| match r.scope() {
                RoleScope::Any => true,
                RoleScope::MspOnly => kind == OrgKind::Msp,
                RoleScope::ClientOnly => kind != OrgKind::Msp,
            })
            .collect()
    }

    /// Does holding this role in an MSP reach every client of it (rather than only assigned ones)?
    pub fn reaches_all_clients(self) -> bool {
        matches!(self, Role::Admin | Role::MspAdmin)
    }

    /// Does holding this role in an MSP reach clients at all?
    pub fn reaches_clients(self) -> bool {
        !matches!(self, Role::PortalUser)
    }

    /// Counts against the organization's seat allotment (end users of the portal do not).
    pub fn takes_seat(self) -> bool {
        !matches!(self, Role::PortalUser)
    }

    /// The role -> permission table.
    pub fn permissions(self) -> PermissionSet {
        use Permission::*;
        let staff_view = [ViewWorkspace, ViewTeam, ViewCompliance, ViewTickets];
        let perms: Vec<Permission> = match self {
            Role::Admin => Permission::ALL.into_iter().filter(|p| *p != UsePortal).collect(),
            // Approving is not MSP administration: an MSP Admin runs the MSP, the approver roles sign off.
            Role::MspAdmin => Permission::ALL
                .into_iter()
                .filter(|p| !matches!(p, UsePortal | ManageBilling | ApproveCompliance))
                .collect(),
            Role::ComplianceAdmin => [
                &staff_view[..],
                &[
                    ViewActivityLog,
                    ManageFrameworks,
                    EditControls,
                    ManageEvidence,
                    ApproveCompliance,
                    ManagePolicies,
                    ApprovePolicies,
                    ViewClients,
                ],
            ]
            .concat(),
            Role::ComplianceOfficer => {
                [&staff_view[..], &[EditControls, ManageEvidence, ApproveCompliance, ApprovePolicies]].concat()
            }
            Role::PrivacyOfficer => {
                [&staff_view[..], &[EditControls, ManageEvidence, ApproveCompliance, ApprovePrivacyPolicies]].concat()
            }
            Role::SecurityOfficer => {
                [&staff_view[..], &[EditControls, ManageEvidence, ApproveCompliance, ApproveSecurityPolicies]].concat()
            }
            Role::Employee => [&staff_view[..], &[EditControls, ManageEvidence, WorkTickets]].concat(),
            Role::ReadOnly => [&staff_view[..], &[ViewActivityLog, ViewClients]].concat(),
            // PSA-focused: compliance only with the compliance-team flag (see `permissions_with`).
            Role::MspTechnician => [
                &[ViewWorkspace, ViewTeam, ViewTickets][..],
                &[WorkTickets, LogTime, ViewMspDashboard, ViewClients, ManagePortalUsers],
            ]
            .concat(),
            Role::PortalUser => vec![UsePortal],
        };
        PermissionSet::of(&perms)
    }

    /// The role's permissions plus, for a member on the compliance team, compliance work (see
    /// `COMPLIANCE_TEAM`) whatever the role. The portal's end users stay in the portal.
    pub fn permissions_with(self, compliance_team: bool) -> PermissionSet {
        if compliance_team && self != Role::PortalUser {
            self.permissions().union(COMPLIANCE_TEAM)
        } else {
            self.permissions()
        }
    }
}

/// What the compliance-team flag of a membership adds to any staff role: seeing the compliance program and
/// working its controls and evidence (never approving, never adopting frameworks).
pub const COMPLIANCE_TEAM: PermissionSet = PermissionSet(
    Permission::ViewCompliance.const_bit()
        | Permission::EditControls.const_bit()
        | Permission::ManageEvidence.const_bit(),
);

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_listed_once_in_declaration_order() {
        for (i, p) in Permission::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "Permission::ALL must list every variant in order");
        }
        let all = PermissionSet::of(&Permission::ALL);
        assert_eq!(all.iter().count(), Permission::ALL.len());
    }

    #[test]
    fn ids_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.id()), Some(r));
        }
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.code()), Some(t));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn monitor_tier_is_read_only() {
        let cap = PermissionSet::tier_cap(Tier::Monitor);
        assert!(cap.contains(Permission::ViewCompliance));
        assert!(!cap.contains(Permission::WorkTickets));
        assert!(!cap.contains(Permission::ManageTeam));
    }

    #[test]
    fn operate_tier_works_but_has_no_settings() {
        let cap = PermissionSet::tier_cap(Tier::Operate);
        assert!(cap.contains(Permission::EditControls) && cap.contains(Permission::WorkTickets));
        assert!(!cap.contains(Permission::ManageTeam) && !cap.contains(Permission::ManageBranding));
    }

    #[test]
    fn manage_tier_adds_settings_but_never_msp_or_portal_permissions() {
        let cap = PermissionSet::tier_cap(Tier::Manage);
        assert!(cap.contains(Permission::ManageIntegrations) && cap.contains(Permission::ManageTeam));
        assert!(!cap.contains(Permission::ManageClients) && !cap.contains(Permission::UsePortal));
    }

    #[test]
    fn the_compliance_team_flag_adds_compliance_work_but_never_approval() {
        use Permission::*;
        assert!(!Role::MspTechnician.permissions().contains(ViewCompliance), "technicians are PSA-focused");
        let flagged = Role::MspTechnician.permissions_with(true);
        assert!(flagged.contains(ViewCompliance) && flagged.contains(EditControls) && flagged.contains(ManageEvidence));
        assert!(!flagged.contains(ApproveCompliance) && !flagged.contains(ManageFrameworks));
        assert!(Role::ReadOnly.permissions_with(true).contains(EditControls));
        assert_eq!(Role::PortalUser.permissions_with(true), Role::PortalUser.permissions());
        let approvers: Vec<Role> =
            Role::ALL.into_iter().filter(|r| r.permissions().contains(ApproveCompliance)).collect();
        assert_eq!(
            approvers,
            [Role::Admin, Role::ComplianceAdmin, Role::ComplianceOfficer, Role::PrivacyOfficer, Role::SecurityOfficer]
        );
    }

    #[test]
    fn portal_users_have_no_staff_permission() {
        assert_eq!(Role::PortalUser.permissions().iter().collect::<Vec<_>>(), vec![Permission::UsePortal]);
    }
}
