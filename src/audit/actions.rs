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
        ContactCreated = "contact.create",
        ContactUpdated = "contact.update",
        ContactArchived = "contact.archive",
        ContactRestored = "contact.restore",
        ContactsImported = "contact.import",
        TicketCreated = "ticket.create",
        TicketReplied = "ticket.reply",
        TicketNoted = "ticket.note",
        TicketStatusChanged = "ticket.status",
        TicketAssigned = "ticket.assign",
        TicketPriorityChanged = "ticket.priority",
        TicketUpdated = "ticket.update",
        TicketMerged = "ticket.merge",
        TicketLinked = "ticket.link",
        TicketUnlinked = "ticket.unlink",
        TicketWatchersChanged = "ticket.watch",
        TicketEscalated = "ticket.escalate",
        TicketPolicyChanged = "ticket.sla",
        SlaPolicyCreated = "sla.policy_create",
        SlaPolicyUpdated = "sla.policy_update",
        SlaRuleAdded = "sla.rule_add",
        SlaRuleRemoved = "sla.rule_remove",
        DeskSettingsChanged = "servicedesk.settings",
        InboundTriageMoved = "inbound.triage_move",
        InboundReprocessed = "inbound.reprocess",
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
            ContactCreated => "Contact added",
            ContactUpdated => "Contact changed",
            ContactArchived => "Contact archived",
            ContactRestored => "Contact restored",
            ContactsImported => "Contacts imported",
            TicketCreated => "Ticket opened",
            TicketReplied => "Ticket reply",
            TicketNoted => "Ticket note",
            TicketStatusChanged => "Ticket status changed",
            TicketAssigned => "Ticket assigned",
            TicketPriorityChanged => "Ticket priority changed",
            TicketUpdated => "Ticket details changed",
            TicketMerged => "Tickets merged",
            TicketLinked => "Tickets related",
            TicketUnlinked => "Ticket relation removed",
            TicketWatchersChanged => "Ticket watchers changed",
            TicketEscalated => "Ticket escalated",
            TicketPolicyChanged => "Ticket SLA policy changed",
            SlaPolicyCreated => "SLA policy added",
            SlaPolicyUpdated => "SLA policy changed",
            SlaRuleAdded => "Escalation rule added",
            SlaRuleRemoved => "Escalation rule removed",
            DeskSettingsChanged => "Closing rules changed",
            InboundTriageMoved => "Emailed request moved to a client",
            InboundReprocessed => "Inbound email processed again",
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
