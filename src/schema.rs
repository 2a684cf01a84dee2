// Hand-kept schema in the SQL types both backends share (Text, Integer, BigInt, Bool, Timestamp, Nullable).
// Keep it in step with migrations/sqlite and migrations/postgres: the schema parity test (tests/it/schema.rs)
// migrates both and compares their columns and indexes with this file. diesel.toml has no [print_schema], so no
// diesel command rewrites it.

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
        portal_host -> Nullable<Text>,
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

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        user_agent -> Text,
        ip -> Text,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auditor_grants (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        name -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        key_prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    catalog_meta (id) {
        id -> Integer,
        version -> Text,
        content_hash -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    catalog_frameworks (id) {
        id -> Text,
        name -> Text,
        short_name -> Text,
        version -> Text,
        publisher -> Text,
        url -> Text,
        description -> Text,
        levels -> Text,
        sources -> Text,
        position -> Integer,
        retired_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_requirements (framework_id, requirement_id) {
        framework_id -> Text,
        requirement_id -> Text,
        parent_id -> Nullable<Text>,
        top_id -> Text,
        kind -> Text,
        depth -> Integer,
        title -> Text,
        summary -> Text,
        assessable -> Bool,
        attributes -> Text,
        position -> Integer,
        id_norm -> Text,
        search_text -> Text,
        retired_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_aliases (framework_id, requirement_id, alias) {
        framework_id -> Text,
        requirement_id -> Text,
        alias -> Text,
        alias_norm -> Text,
    }
}

diesel::table! {
    catalog_domains (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
        retired_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_controls (id) {
        id -> Text,
        domain_id -> Text,
        title -> Text,
        description -> Text,
        evidence -> Text,
        position -> Integer,
        retired_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_mappings (control_id, framework_id, requirement_id) {
        control_id -> Text,
        framework_id -> Text,
        requirement_id -> Text,
        relationship -> Text,
        note -> Text,
        position -> Integer,
        kind -> Text,
    }
}

diesel::table! {
    catalog_mapping_sources (framework_id, position) {
        framework_id -> Text,
        position -> Integer,
        other_framework -> Text,
        title -> Text,
        url -> Text,
    }
}

diesel::table! {
    scheduled_jobs (name) {
        name -> Text,
        next_run_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_started_at -> Nullable<Timestamp>,
        last_finished_at -> Nullable<Timestamp>,
        last_outcome -> Nullable<Text>,
        last_summary -> Text,
        last_error -> Text,
        runs -> BigInt,
        failures -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        org_id -> Nullable<Text>,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        headers -> Text,
        attachments -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Text,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        email -> Nullable<Text>,
        email_domain -> Nullable<Text>,
        phone -> Text,
        title -> Text,
        is_primary -> Bool,
        is_billing -> Bool,
        is_technical -> Bool,
        notes -> Text,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sla_policies (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        timezone -> Text,
        calendar -> Text,
        targets -> Text,
        pause_statuses -> Text,
        is_default -> Bool,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sla_escalation_rules (id) {
        id -> Text,
        org_id -> Text,
        policy_id -> Text,
        target -> Text,
        threshold_percent -> Integer,
        action -> Text,
        user_id -> Nullable<Text>,
        role -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_desk_settings (org_id) {
        org_id -> Text,
        require_resolution_note -> Bool,
        auto_close_hours -> Integer,
        reopen_days -> Integer,
        updated_at -> Timestamp,
        require_time_entry -> Bool,
    }
}

diesel::table! {
    ticket_counters (org_id) {
        org_id -> Text,
        next_number -> BigInt,
    }
}

diesel::table! {
    tickets (id) {
        id -> Text,
        org_id -> Text,
        msp_org_id -> Nullable<Text>,
        number -> BigInt,
        subject -> Text,
        description -> Text,
        requester_contact_id -> Nullable<Text>,
        priority -> Text,
        ticket_type -> Text,
        category -> Text,
        status -> Text,
        unresolved -> Bool,
        assignee_user_id -> Nullable<Text>,
        source -> Text,
        merged_into_ticket_id -> Nullable<Text>,
        created_by_user_id -> Nullable<Text>,
        resolution_note -> Text,
        thread_message_id -> Text,
        first_responded_at -> Nullable<Timestamp>,
        last_customer_reply_at -> Nullable<Timestamp>,
        last_staff_reply_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        close_due_at -> Nullable<Timestamp>,
        sla_policy_id -> Nullable<Text>,
        sla_due_at -> Nullable<Timestamp>,
        sla_breached_at -> Nullable<Timestamp>,
        sla_paused_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_sla (ticket_id) {
        ticket_id -> Text,
        org_id -> Text,
        segment_started_at -> Timestamp,
        first_response_used_us -> BigInt,
        next_response_used_us -> BigInt,
        resolution_used_us -> BigInt,
        next_response_started_at -> Nullable<Timestamp>,
        first_response_due_at -> Nullable<Timestamp>,
        next_response_due_at -> Nullable<Timestamp>,
        resolution_due_at -> Nullable<Timestamp>,
        first_response_breached_at -> Nullable<Timestamp>,
        next_response_breached_at -> Nullable<Timestamp>,
        resolution_breached_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        kind -> Text,
        internal -> Bool,
        author_user_id -> Nullable<Text>,
        author_contact_id -> Nullable<Text>,
        author_label -> Text,
        body -> Text,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_attachments (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        event_id -> Nullable<Text>,
        internal -> Bool,
        filename -> Text,
        storage_key -> Text,
        size -> BigInt,
        sha256 -> Text,
        content_type -> Text,
        uploaded_by_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_watchers (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        user_id -> Nullable<Text>,
        contact_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_links (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        related_ticket_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_message_ids (message_id) {
        message_id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_sla_pauses (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_escalations (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        rule_id -> Text,
        fire_at -> Timestamp,
        status -> Text,
        fired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sla_outcomes (id) {
        id -> Text,
        org_id -> Text,
        ticket_id -> Text,
        target -> Text,
        priority -> Text,
        cycle_started_at -> Timestamp,
        due_at -> Timestamp,
        met_at -> Nullable<Timestamp>,
        breached_at -> Nullable<Timestamp>,
        month -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_templates (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        subject -> Text,
        description -> Text,
        priority -> Text,
        ticket_type -> Text,
        category -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    canned_responses (id) {
        id -> Text,
        org_id -> Text,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    recurring_tickets (id) {
        id -> Text,
        org_id -> Text,
        template_id -> Text,
        frequency -> Text,
        first_run_at -> Timestamp,
        next_run_at -> Timestamp,
        requester_contact_id -> Nullable<Text>,
        assignee_user_id -> Nullable<Text>,
        active -> Bool,
        last_ticket_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    time_entries (id) {
        id -> Text,
        org_id -> Text,
        client_org_id -> Text,
        ticket_id -> Nullable<Text>,
        user_id -> Text,
        work_date -> Text,
        started_at -> Nullable<Timestamp>,
        minutes -> Integer,
        notes -> Text,
        billable -> Bool,
        invoice_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        work_type_id -> Nullable<Text>,
    }
}

diesel::table! {
    running_timers (user_id) {
        user_id -> Text,
        org_id -> Text,
        client_org_id -> Text,
        ticket_id -> Text,
        label -> Text,
        started_at -> Timestamp,
    }
}

diesel::table! {
    work_types (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        hourly_rate_cents -> BigInt,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    client_billing (client_org_id) {
        client_org_id -> Text,
        org_id -> Text,
        round_up_to_minutes -> Integer,
        minimum_minutes -> Integer,
        tax_rate_bp -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    client_rates (id) {
        id -> Text,
        org_id -> Text,
        client_org_id -> Text,
        work_type_id -> Text,
        hourly_rate_cents -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        org_id -> Text,
        client_org_id -> Text,
        name -> Text,
        monthly_fee_cents -> BigInt,
        included_minutes -> Integer,
        overage_rate_cents -> BigInt,
        starts_on -> Text,
        ends_on -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_work_types (agreement_id, work_type_id) {
        agreement_id -> Text,
        work_type_id -> Text,
        org_id -> Text,
    }
}

diesel::table! {
    billing_profiles (org_id) {
        org_id -> Text,
        currency -> Text,
        logo_key -> Nullable<Text>,
        logo_content_type -> Nullable<Text>,
        logo_size -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invoice_counters (org_id) {
        org_id -> Text,
        prefix -> Text,
        next_number -> BigInt,
    }
}

diesel::table! {
    invoices (id) {
        id -> Text,
        org_id -> Text,
        client_org_id -> Text,
        number -> BigInt,
        label -> Text,
        period_start -> Text,
        period_end -> Text,
        status -> Text,
        subtotal_cents -> BigInt,
        tax_rate_bp -> Integer,
        tax_cents -> BigInt,
        total_cents -> BigInt,
        rounding -> Text,
        sent_at -> Nullable<Timestamp>,
        paid_on -> Nullable<Text>,
        payment_reference -> Text,
        voided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        currency -> Text,
    }
}

diesel::table! {
    invoice_lines (id) {
        id -> Text,
        org_id -> Text,
        invoice_id -> Text,
        position -> Integer,
        kind -> Text,
        description -> Text,
        time_entry_id -> Nullable<Text>,
        agreement_id -> Nullable<Text>,
        fee_month -> Nullable<Text>,
        minutes -> Integer,
        billed_minutes -> Integer,
        rate_cents -> BigInt,
        amount_cents -> BigInt,
        live -> Bool,
    }
}

diesel::table! {
    org_frameworks (org_id, framework_id) {
        org_id -> Text,
        framework_id -> Text,
        adopted -> Bool,
        scoping -> Text,
        first_adopted_at -> Timestamp,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    requirement_exclusions (org_id, framework_id, requirement_id) {
        org_id -> Text,
        framework_id -> Text,
        requirement_id -> Text,
        justification -> Text,
        excluded_by_user_id -> Nullable<Text>,
        excluded_at -> Timestamp,
    }
}

diesel::table! {
    org_controls (id) {
        id -> Text,
        org_id -> Text,
        control_id -> Text,
        status -> Text,
        owner_user_id -> Nullable<Text>,
        due_on -> Nullable<Text>,
        notes -> Text,
        na_justification -> Text,
        review_months -> Integer,
        next_review_on -> Nullable<Text>,
        review_requested_by_user_id -> Nullable<Text>,
        review_requested_at -> Nullable<Timestamp>,
        decided_by_user_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_comment -> Text,
        in_scope -> Bool,
        frameworks -> Text,
        position -> Integer,
        evidence_approved -> Integer,
        evidence_pending -> Integer,
        evidence_valid_until -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        org_id -> Text,
        title -> Text,
        source -> Text,
        kind -> Text,
        url -> Text,
        body -> Text,
        status -> Text,
        effective_on -> Text,
        valid_until -> Text,
        revision -> Integer,
        submitted_by_user_id -> Nullable<Text>,
        submitted_at -> Timestamp,
        reviewed_by_user_id -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_comment -> Text,
        notice_30_for -> Nullable<Text>,
        notice_7_for -> Nullable<Text>,
        notice_0_for -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evidence_revisions (id) {
        id -> Text,
        org_id -> Text,
        evidence_id -> Text,
        number -> Integer,
        storage_key -> Text,
        filename -> Text,
        size -> BigInt,
        sha256 -> Text,
        content_type -> Text,
        effective_on -> Text,
        valid_until -> Text,
        uploaded_by_user_id -> Nullable<Text>,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    evidence_links (org_id, evidence_id, control_id) {
        org_id -> Text,
        evidence_id -> Text,
        control_id -> Text,
        linked_by_user_id -> Nullable<Text>,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    compliance_scores (org_id, framework_id) {
        org_id -> Text,
        framework_id -> Text,
        in_scope -> Integer,
        met -> Integer,
        partial -> Integer,
        unmet -> Integer,
        percent -> Nullable<Integer>,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    compliance_snapshots (org_id, day, framework_id) {
        org_id -> Text,
        day -> Text,
        framework_id -> Text,
        in_scope -> Integer,
        met -> Integer,
        partial -> Integer,
        unmet -> Integer,
        percent -> Nullable<Integer>,
        taken_at -> Timestamp,
    }
}

diesel::table! {
    compliance_programs (org_id) {
        org_id -> Text,
        next_daily_at -> Timestamp,
        last_daily_on -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    baa_agreements (id) {
        id -> Text,
        org_id -> Text,
        associate -> Text,
        services -> Text,
        status -> Text,
        signed_on -> Nullable<Text>,
        renewal_on -> Nullable<Text>,
        evidence_id -> Nullable<Text>,
        notes -> Text,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dsr_requests (id) {
        id -> Text,
        org_id -> Text,
        requester -> Text,
        kind -> Text,
        received_on -> Text,
        identity_verified -> Bool,
        due_on -> Text,
        extension_reason -> Text,
        status -> Text,
        closed_on -> Nullable<Text>,
        response_evidence_id -> Nullable<Text>,
        notes -> Text,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sprs_partial_credit (org_id, requirement) {
        org_id -> Text,
        requirement -> Text,
        recorded_by_user_id -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    inbound_messages (id) {
        id -> Text,
        org_id -> Text,
        received_at -> Timestamp,
        source -> Text,
        source_ref -> Nullable<Text>,
        envelope_from -> Text,
        recipients -> Text,
        from_address -> Text,
        from_name -> Text,
        subject -> Text,
        message_id -> Text,
        size -> BigInt,
        raw_key -> Nullable<Text>,
        body_text -> Text,
        trimmed_text -> Text,
        parsed -> Text,
        outcome -> Text,
        outcome_detail -> Text,
        routed_org_id -> Nullable<Text>,
        ticket_id -> Nullable<Text>,
        processed_at -> Timestamp,
    }
}

diesel::table! {
    inbound_triage (ticket_id) {
        ticket_id -> Text,
        org_id -> Text,
        sender -> Text,
        sender_name -> Text,
        moved_to_org_id -> Nullable<Text>,
        moved_to_ticket_id -> Nullable<Text>,
        moved_by_user_id -> Nullable<Text>,
        moved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_articles (id) {
        id -> Text,
        org_id -> Text,
        doc_id -> BigInt,
        msp_wide -> Bool,
        audience -> Text,
        status -> Text,
        title -> Text,
        body -> Text,
        category -> Text,
        tags -> Text,
        version -> Integer,
        view_count -> BigInt,
        helpful_count -> Integer,
        unhelpful_count -> Integer,
        source_ticket_id -> Nullable<Text>,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    kb_shelf_counts (org_id, msp_wide, audience, category) {
        org_id -> Text,
        msp_wide -> Bool,
        audience -> Text,
        category -> Text,
        articles -> BigInt,
    }
}

diesel::table! {
    kb_article_versions (id) {
        id -> Text,
        org_id -> Text,
        article_id -> Text,
        version -> Integer,
        title -> Text,
        body -> Text,
        author_user_id -> Nullable<Text>,
        author_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_feedback (article_id, user_id) {
        org_id -> Text,
        article_id -> Text,
        user_id -> Text,
        helpful -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    kb_attachments (id) {
        id -> Text,
        org_id -> Text,
        article_id -> Text,
        filename -> Text,
        storage_key -> Text,
        size -> BigInt,
        sha256 -> Text,
        content_type -> Text,
        uploaded_by_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assets (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        asset_type -> Text,
        status -> Text,
        manufacturer -> Text,
        model -> Text,
        serial_number -> Nullable<Text>,
        operating_system -> Text,
        ip_address -> Text,
        mac_address -> Text,
        location -> Text,
        contact_id -> Nullable<Text>,
        purchase_date -> Nullable<Text>,
        warranty_expires -> Nullable<Text>,
        seats_used -> Nullable<Integer>,
        seats_purchased -> Nullable<Integer>,
        renewal_date -> Nullable<Text>,
        notes -> Text,
        retired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    asset_attachments (id) {
        id -> Text,
        org_id -> Text,
        asset_id -> Text,
        filename -> Text,
        storage_key -> Text,
        size -> BigInt,
        sha256 -> Text,
        content_type -> Text,
        uploaded_by_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    renewal_digests (user_id) {
        user_id -> Text,
        subscribed_at -> Timestamp,
        last_week -> Nullable<Text>,
    }
}

diesel::table! {
    ticket_assets (ticket_id, asset_id) {
        org_id -> Text,
        ticket_id -> Text,
        asset_id -> Text,
        linked_by -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    policies (id) {
        id -> Text,
        org_id -> Text,
        template_slug -> Text,
        title -> Text,
        kind -> Text,
        status -> Text,
        body -> Text,
        owner_user_id -> Nullable<Text>,
        review_months -> Integer,
        next_review_on -> Nullable<Text>,
        version -> Integer,
        evidence_id -> Nullable<Text>,
        change_summary -> Text,
        submitted_by_user_id -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        approved_by_user_id -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        decision_comment -> Text,
        created_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    policy_controls (org_id, policy_id, control_id) {
        org_id -> Text,
        policy_id -> Text,
        control_id -> Text,
    }
}

diesel::table! {
    policy_versions (id) {
        id -> Text,
        org_id -> Text,
        policy_id -> Text,
        number -> Integer,
        title -> Text,
        body -> Text,
        sha256 -> Text,
        change_summary -> Text,
        author_user_id -> Nullable<Text>,
        approver_user_id -> Nullable<Text>,
        approved_at -> Timestamp,
        published_by_user_id -> Nullable<Text>,
        published_at -> Timestamp,
        material -> Bool,
        material_reason -> Text,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        email -> Text,
        department -> Text,
        manager -> Text,
        start_on -> Nullable<Text>,
        user_id -> Nullable<Text>,
        deactivated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    risks (id) {
        id -> Text,
        org_id -> Text,
        title -> Text,
        description -> Text,
        category -> Text,
        affected_processes -> Text,
        owner_user_id -> Nullable<Text>,
        inherent_likelihood -> Integer,
        inherent_impact -> Integer,
        inherent_score -> Integer,
        residual_likelihood -> Integer,
        residual_impact -> Integer,
        residual_score -> Integer,
        treatment -> Text,
        treatment_plan -> Text,
        treatment_due_on -> Nullable<Text>,
        status -> Text,
        next_review_on -> Nullable<Text>,
        sle_low_cents -> BigInt,
        sle_high_cents -> BigInt,
        aro_hundredths -> Integer,
        eal_low_cents -> BigInt,
        eal_high_cents -> BigInt,
        accepted_score -> Nullable<Integer>,
        acceptance_expires_on -> Nullable<Text>,
        created_by_user_id -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    risk_controls (risk_id, control_id) {
        org_id -> Text,
        risk_id -> Text,
        control_id -> Text,
    }
}

diesel::table! {
    risk_heat (org_id, map, likelihood, impact) {
        org_id -> Text,
        map -> Text,
        likelihood -> Integer,
        impact -> Integer,
        risks -> BigInt,
        eal_low_cents -> BigInt,
        eal_high_cents -> BigInt,
    }
}

diesel::table! {
    risk_assets (risk_id, asset_id) {
        org_id -> Text,
        risk_id -> Text,
        asset_id -> Text,
    }
}

diesel::table! {
    risk_acceptances (id) {
        id -> Text,
        org_id -> Text,
        risk_id -> Text,
        residual_likelihood -> Integer,
        residual_impact -> Integer,
        residual_score -> Integer,
        reason -> Text,
        expires_on -> Text,
        approved_by_user_id -> Text,
        approved_by_name -> Text,
        superseded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    risk_assessments (id) {
        id -> Text,
        org_id -> Text,
        title -> Text,
        assessed_on -> Text,
        notes -> Text,
        started_by_user_id -> Text,
        started_by_name -> Text,
        signed_off_by_user_id -> Nullable<Text>,
        signed_off_by_name -> Nullable<Text>,
        signed_off_at -> Nullable<Timestamp>,
        sign_off_comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    risk_assessment_items (assessment_id, risk_id) {
        org_id -> Text,
        assessment_id -> Text,
        risk_id -> Text,
        title -> Text,
        status -> Text,
        treatment -> Text,
        inherent_likelihood -> Integer,
        inherent_impact -> Integer,
        residual_likelihood -> Integer,
        residual_impact -> Integer,
        residual_score -> Integer,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        message -> Text,
        due_on -> Text,
        audience -> Text,
        audience_value -> Text,
        status -> Text,
        remind_days_before -> Integer,
        remind_on_due -> Bool,
        remind_every_days -> Integer,
        follow_up_of -> Nullable<Text>,
        follow_up_reason -> Text,
        started_by_user_id -> Nullable<Text>,
        started_at -> Timestamp,
        closed_by_user_id -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        evidence_id -> Nullable<Text>,
        requested_count -> Integer,
        signed_count -> Integer,
    }
}

diesel::table! {
    campaign_policies (org_id, campaign_id, policy_version_id) {
        org_id -> Text,
        campaign_id -> Text,
        policy_version_id -> Text,
    }
}

diesel::table! {
    campaign_requests (id) {
        id -> Text,
        org_id -> Text,
        campaign_id -> Text,
        person_id -> Text,
        token_sha256 -> Text,
        token_expires_at -> Timestamp,
        last_reminded_on -> Nullable<Text>,
        reminders -> Integer,
        signed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    acknowledgments (id) {
        id -> Text,
        org_id -> Text,
        campaign_id -> Nullable<Text>,
        person_id -> Text,
        policy_version_id -> Text,
        sha256 -> Text,
        typed_name -> Text,
        signed_at -> Timestamp,
        ip -> Text,
        user_agent -> Text,
    }
}

diesel::table! {
    portal_accounts (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        contact_id -> Nullable<Text>,
        sees_company_tickets -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    portal_access_requests (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        email -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_links (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_sessions (id) {
        id -> Text,
        org_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        user_agent -> Text,
        ip -> Text,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    portal_settings (org_id) {
        org_id -> Text,
        portal_name -> Text,
        primary_color -> Text,
        accent_color -> Text,
        welcome_markdown -> Text,
        support_email -> Text,
        support_phone -> Text,
        logo_key -> Nullable<Text>,
        logo_type -> Nullable<Text>,
        favicon_key -> Nullable<Text>,
        favicon_type -> Nullable<Text>,
        show_tickets -> Bool,
        show_kb -> Bool,
        show_chat -> Bool,
        show_policies -> Bool,
        show_compliance -> Bool,
        allowed_priorities -> Text,
        reopen_days -> Integer,
        pending_domain -> Nullable<Text>,
        domain_token -> Nullable<Text>,
        domain_checked_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        email_logo -> Nullable<Text>,
    }
}

diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(portal_accounts -> users (user_id));
diesel::joinable!(portal_settings -> organizations (org_id));
diesel::joinable!(portal_sessions -> users (user_id));
diesel::joinable!(portal_links -> users (user_id));
diesel::joinable!(portal_accounts -> contacts (contact_id));
diesel::joinable!(technician_assignments -> users (user_id));
diesel::joinable!(invitations -> organizations (org_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(auditor_grants -> organizations (org_id));
diesel::joinable!(api_keys -> organizations (org_id));
diesel::joinable!(catalog_requirements -> catalog_frameworks (framework_id));
diesel::joinable!(catalog_controls -> catalog_domains (domain_id));
diesel::joinable!(catalog_mappings -> catalog_controls (control_id));
diesel::joinable!(catalog_mappings -> catalog_frameworks (framework_id));
diesel::joinable!(tickets -> contacts (requester_contact_id));
diesel::joinable!(tickets -> organizations (org_id));
diesel::joinable!(contacts -> organizations (org_id));
diesel::joinable!(tickets -> users (assignee_user_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_watchers -> users (user_id));
diesel::joinable!(ticket_watchers -> contacts (contact_id));
diesel::joinable!(ticket_attachments -> tickets (ticket_id));
diesel::joinable!(sla_escalation_rules -> sla_policies (policy_id));
diesel::joinable!(ticket_escalations -> tickets (ticket_id));
diesel::joinable!(recurring_tickets -> ticket_templates (template_id));
diesel::joinable!(org_controls -> catalog_controls (control_id));
diesel::joinable!(evidence_revisions -> evidence (evidence_id));
diesel::joinable!(evidence_links -> evidence (evidence_id));
diesel::joinable!(kb_article_versions -> kb_articles (article_id));
diesel::joinable!(kb_attachments -> kb_articles (article_id));
diesel::joinable!(assets -> contacts (contact_id));
diesel::joinable!(asset_attachments -> assets (asset_id));
diesel::joinable!(ticket_assets -> assets (asset_id));
diesel::joinable!(ticket_assets -> tickets (ticket_id));
diesel::joinable!(renewal_digests -> users (user_id));
diesel::joinable!(policy_controls -> policies (policy_id));
diesel::joinable!(policy_versions -> policies (policy_id));
diesel::joinable!(risk_controls -> risks (risk_id));
diesel::joinable!(risk_assets -> risks (risk_id));
diesel::joinable!(risk_assets -> assets (asset_id));
diesel::joinable!(risk_acceptances -> risks (risk_id));
diesel::joinable!(risk_assessment_items -> risk_assessments (assessment_id));
diesel::joinable!(campaigns -> organizations (org_id));
diesel::joinable!(campaign_policies -> campaigns (campaign_id));
diesel::joinable!(campaign_policies -> policy_versions (policy_version_id));
diesel::joinable!(campaign_requests -> campaigns (campaign_id));
diesel::joinable!(campaign_requests -> people (person_id));
diesel::joinable!(acknowledgments -> people (person_id));
diesel::joinable!(acknowledgments -> policy_versions (policy_version_id));

diesel::table! {
    chat_sessions (id) {
        id -> Text,
        org_id -> Text,
        msp_org_id -> Text,
        requester_user_id -> Text,
        contact_id -> Nullable<Text>,
        status -> Text,
        accepted_by -> Nullable<Text>,
        ticket_id -> Nullable<Text>,
        last_seq -> BigInt,
        started_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Text,
        org_id -> Text,
        session_id -> Text,
        seq -> BigInt,
        author_kind -> Text,
        author_user_id -> Nullable<Text>,
        author_name -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_presence (id) {
        id -> Text,
        msp_org_id -> Text,
        user_id -> Text,
        all_clients -> Bool,
        seen_at -> Timestamp,
    }
}

diesel::joinable!(chat_messages -> chat_sessions (session_id));
diesel::joinable!(chat_sessions -> organizations (org_id));

diesel::allow_tables_to_appear_in_same_query!(
    chat_sessions,
    chat_messages,
    chat_presence,
    portal_accounts,
    portal_sessions,
    portal_links,
    portal_access_requests,
    portal_settings,
    installation_settings,
    organizations,
    users,
    memberships,
    technician_assignments,
    invitations,
    password_resets,
    activity_log,
    sessions,
    auditor_grants,
    api_keys,
    catalog_meta,
    catalog_frameworks,
    catalog_requirements,
    catalog_aliases,
    catalog_domains,
    catalog_controls,
    catalog_mappings,
    catalog_mapping_sources,
    scheduled_jobs,
    outbox,
    contacts,
    sla_policies,
    sla_escalation_rules,
    service_desk_settings,
    ticket_counters,
    tickets,
    ticket_sla,
    ticket_events,
    ticket_attachments,
    ticket_watchers,
    ticket_links,
    ticket_message_ids,
    ticket_sla_pauses,
    ticket_escalations,
    sla_outcomes,
    ticket_templates,
    canned_responses,
    recurring_tickets,
    time_entries,
    running_timers,
    work_types,
    client_billing,
    client_rates,
    agreements,
    agreement_work_types,
    billing_profiles,
    invoice_counters,
    invoices,
    invoice_lines,
    org_frameworks,
    requirement_exclusions,
    org_controls,
    evidence,
    evidence_revisions,
    evidence_links,
    compliance_scores,
    compliance_snapshots,
    compliance_programs,
    baa_agreements,
    dsr_requests,
    sprs_partial_credit,
    inbound_messages,
    inbound_triage,
    kb_articles,
    kb_article_versions,
    kb_feedback,
    kb_attachments,
    assets,
    asset_attachments,
    ticket_assets,
    renewal_digests,
    policies,
    policy_controls,
    policy_versions,
    people,
    risks,
    risk_controls,
    risk_assets,
    risk_acceptances,
    risk_assessments,
    risk_assessment_items,
    campaigns,
    campaign_policies,
    campaign_requests,
    acknowledgments,
);
