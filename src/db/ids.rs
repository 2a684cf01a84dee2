//! Typed ids and text enums, each read and written through `FromSql`/`ToSql` once for both backends.
//!
//! Ids are UUID v7 strings made in the application (time-ordered, so indexes stay local). Each table has its
//! own id type, so an invitation id cannot be passed where a membership id is expected. None of them can be
//! made from a string: an id comes from the database (a row that was found) or is freshly generated for an
//! insert. In particular a handler gets an `OrgId` only from its scope (`Scope::org_id`, `MspScope::msp_id`,
//! the rows an `MspView` or `SuperAdmin` lookup returns), never from a URL.
//!
//! Enums stored as text (roles, tiers, organization kinds, activity actions) go through `text_enum!`: an
//! unknown value read from the database is a deserialization error that surfaces, never a silent default.

/// A fresh UUID v7 as text (for rows whose id has no type of its own).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Declares id newtypes over `Text`: generated with `new()`, read from rows, shown with `Display`/`Deref<str>`.
macro_rules! typed_ids {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// A fresh id for a row about to be inserted.
            pub(crate) fn new() -> Self {
                $name(new_id())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                String::from_sql(bytes).map($name)
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
            }
        }
    )*};
}

typed_ids! {
    /// An organization (MSP, client or solo): the tenant.
    OrgId,
    UserId,
    MembershipId,
    InvitationId,
    /// A server-side session record (what the session cookie names).
    SessionId,
    PasswordResetId,
    ActivityId,
    AssignmentId,
    AuditorGrantId,
    ApiKeyId,
    /// An email in the outbox.
    MailId,
    /// An organization's implementation of a common control (its URL names the catalog id instead).
    OrgControlId,
    EvidenceId,
    RevisionId,
    /// A document of the policy library (compliance::policies).
    PolicyId,
    /// A published version of a policy, never changed.
    PolicyVersionId,
    /// Someone in an organization's people directory (who acknowledges policies).
    PersonId,
    /// An acknowledgment campaign (compliance::campaigns).
    CampaignId,
    /// One person's signing request in a campaign.
    CampaignRequestId,
    /// A signature of one policy version, never changed.
    AcknowledgmentId,
    /// A HIPAA business associate agreement.
    BaaId,
    /// A GDPR data-subject request.
    DsrId,
    /// A risk of an organization's register (compliance::risks).
    RiskId,
    RiskAcceptanceId,
    RiskAssessmentId,
}

/// Declares an enum stored as text: its variants with their stored ids, `ALL`, `id()`, `parse()`, and
/// `FromSql`/`ToSql` that refuse unknown text with an error naming it.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The stored id (what the database, the API and exports show).
            pub const fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            pub fn parse(id: &str) -> Option<$name> {
                match id { $($id => Some($name::$variant),)+ _ => None }
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                $name::parse(&text)
                    .ok_or_else(|| format!("unknown {} {:?} in the database", stringify!($name), text).into())
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.id(), out)
            }
        }
    };
}

typed_ids! {
    /// A person of an organization who raises tickets (psa::contacts).
    ContactId,
    TicketId,
    /// One entry of a ticket's conversation (reply, note or event).
    TicketEventId,
    TicketAttachmentId,
    TicketWatcherId,
    TicketLinkId,
    SlaPolicyId,
    EscalationRuleId,
    TicketEscalationId,
    /// Minutes a person spent for one client (psa::time).
    TimeEntryId,
    /// A kind of work with its default hourly rate at the MSP (billing).
    WorkTypeId,
    ClientRateId,
    AgreementId,
    InvoiceId,
    InvoiceLineId,
}

typed_ids! {
    /// A received email (psa::inbound).
    InboundMessageId,
}

typed_ids! {
    /// A knowledge-base article (psa::kb).
    ArticleId,
    ArticleAttachmentId,
    /// A laptop, server, cloud service or license of an organization (psa::assets).
    AssetId,
    AssetAttachmentId,
}

typed_ids! {
    /// A live chat between a client's end user and the MSP's staff (psa::chat).
    ChatSessionId,
    ChatMessageId,
    /// One open staff console (psa::chat presence).
    ChatPresenceId,
}
