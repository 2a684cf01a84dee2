//! Every kind of entry the activity log records: stored as its id ("member.invite"), shown as its label
//! ("Invitation sent"). A new action is a new variant here (nothing else to register). Details keep ids (role
//! ids, tier codes) for exports and the API; pages put them into words.

crate::text_enum! {
    pub enum Action {
        InstallationOnboard = "installation.onboard",
        SignIn = "auth.sign_in",
        SignInFailed = "auth.sign_in_failed",
        SignInRefused = "auth.sign_in_refused",
        SignOut = "auth.sign_out",
        PasswordResetRequested = "auth.password_reset_requested",
        PasswordReset = "auth.password_reset",
        ProfileUpdated = "user.update_profile",
        PasswordChanged = "user.change_password",
        SignedOutEverywhere = "user.sign_out_everywhere",
        SessionEnded = "user.end_session",
        OrganizationCreated = "organization.create",
        OrganizationMadeMsp = "organization.make_msp",
        OrganizationArchived = "organization.archive",
        OrganizationRestored = "organization.restore",
        SeatsChanged = "organization.set_seats",
        ClientCreated = "client.create",
        ClientUpdated = "client.update",
        ClientAdminInvited = "client.invite_admin",
        ClientTierChanged = "client.change_tier",
        ClientStaffAssigned = "client.assign_staff",
        ClientArchived = "client.archive",
        ClientRestored = "client.restore",
        MemberInvited = "member.invite",
        InvitationResent = "member.invite_resend",
        InvitationRevoked = "member.invite_revoke",
        MemberJoined = "member.join",
        MemberRoleChanged = "member.change_role",
        MemberDeactivated = "member.deactivate",
        MemberReactivated = "member.reactivate",
        ComplianceTeamChanged = "member.compliance_team",
        EmailRetried = "email.retry",
        FrameworkAdopted = "framework.adopt",
        FrameworkUnadopted = "framework.unadopt",
        FrameworkScoped = "framework.scope",
        RequirementExcluded = "requirement.exclude",
        RequirementIncluded = "requirement.include",
        ControlUpdated = "control.update",
        ControlStatusChanged = "control.status",
        ControlApproved = "control.approve",
        ControlRejected = "control.reject",
        EvidenceAdded = "evidence.create",
        EvidenceUpdated = "evidence.update",
        EvidenceRevised = "evidence.revise",
        EvidenceLinked = "evidence.link",
        EvidenceUnlinked = "evidence.unlink",
        EvidenceApproved = "evidence.approve",
        EvidenceRejected = "evidence.reject",
        EvidenceDownloaded = "evidence.download",
        ReportDownloaded = "report.download",
        BaaAdded = "baa.create",
        BaaUpdated = "baa.update",
        DsrLogged = "dsr.create",
        DsrUpdated = "dsr.update",
        SprsPartialCredit = "sprs.partial_credit",
    }
}

impl Action {
    /// What people read in the activity log.
    pub fn label(self) -> &'static str {
        use Action::*;
        match self {
            InstallationOnboard => "Palisade set up",
            SignIn => "Signed in",
            SignInFailed => "Sign-in failed",
            SignInRefused => "Sign-in refused (no active membership)",
            SignOut => "Signed out",
            PasswordResetRequested => "Password reset requested",
            PasswordReset => "Password reset",
            ProfileUpdated => "Profile updated",
            PasswordChanged => "Password changed",
            SignedOutEverywhere => "Signed out everywhere",
            SessionEnded => "Session signed out",
            OrganizationCreated => "Organization created",
            OrganizationMadeMsp => "Made an MSP",
            OrganizationArchived => "Organization archived",
            OrganizationRestored => "Organization restored",
            SeatsChanged => "Seats changed",
            ClientCreated => "Client added",
            ClientUpdated => "Client details changed",
            ClientAdminInvited => "Client admin invited",
            ClientTierChanged => "Client tier changed",
            ClientStaffAssigned => "Client staff assigned",
            ClientArchived => "Client archived",
            ClientRestored => "Client restored",
            MemberInvited => "Invitation sent",
            InvitationResent => "Invitation resent",
            InvitationRevoked => "Invitation revoked",
            MemberJoined => "Member joined",
            MemberRoleChanged => "Role changed",
            MemberDeactivated => "Member deactivated",
            MemberReactivated => "Member reactivated",
            ComplianceTeamChanged => "Compliance team changed",
            EmailRetried => "Email sent again",
            FrameworkAdopted => "Framework adopted",
            FrameworkUnadopted => "Framework unadopted",
            FrameworkScoped => "Framework scope changed",
            RequirementExcluded => "Requirement marked not applicable",
            RequirementIncluded => "Requirement made applicable",
            ControlUpdated => "Control details changed",
            ControlStatusChanged => "Control status changed",
            ControlApproved => "Control approved",
            ControlRejected => "Control sent back",
            EvidenceAdded => "Evidence added",
            EvidenceUpdated => "Evidence details changed",
            EvidenceRevised => "Evidence file replaced",
            EvidenceLinked => "Evidence linked to a control",
            EvidenceUnlinked => "Evidence unlinked from a control",
            EvidenceApproved => "Evidence approved",
            EvidenceRejected => "Evidence rejected",
            EvidenceDownloaded => "Evidence downloaded",
            ReportDownloaded => "Report downloaded",
            BaaAdded => "Business associate agreement added",
            BaaUpdated => "Business associate agreement changed",
            DsrLogged => "Data-subject request logged",
            DsrUpdated => "Data-subject request changed",
            SprsPartialCredit => "SPRS partial credit changed",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_labels_are_distinct() {
        let mut labels = std::collections::HashSet::new();
        for action in Action::ALL {
            assert_eq!(Action::parse(action.id()), Some(action));
            assert!(labels.insert(action.label()), "two actions share the label {:?}", action.label());
        }
        assert_eq!(Action::parse("member.unknown"), None);
    }
}
