// Hand-kept schema in the SQL types both backends share (Text, Integer, BigInt, Bool, Timestamp, Nullable).
// Keep it in step with migrations/sqlite and migrations/postgres.

diesel::table! {
    installation_settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        slug -> Text,
        timezone -> Text,
        contact_email -> Text,
        seat_limit -> Integer,
        msp_org_id -> Nullable<Text>,
        tier -> Nullable<Text>,
        archived_at -> Nullable<Timestamp>,
        last_activity_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        is_super_admin -> Bool,
        session_stamp -> Text,
        last_sign_in_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        role -> Text,
        compliance_team -> Bool,
        deactivated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    technician_assignments (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by_user_id -> Nullable<Text>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_user_id -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activity_log (id) {
        id -> Text,
        org_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        actor_label -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        target_label -> Text,
        details -> Text,
        ip -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(technician_assignments -> users (user_id));
diesel::joinable!(invitations -> organizations (org_id));
diesel::joinable!(password_resets -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    installation_settings,
    organizations,
    users,
    memberships,
    technician_assignments,
    invitations,
    password_resets,
    activity_log,
);
