// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        name -> Text,
        client_id -> Text,
        secret_hash -> Bytea,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_head (singleton) {
        singleton -> Bool,
        last_id -> Int8,
        last_hash -> Bytea,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        request_id -> Nullable<Text>,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        organisation_id -> Nullable<Uuid>,
        action -> Text,
        subject -> Nullable<Text>,
        details -> Jsonb,
        prev_hash -> Bytea,
        hash -> Bytea,
    }
}

diesel::table! {
    case_notes (id) {
        id -> Int8,
        notification_id -> Uuid,
        author -> Uuid,
        text -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    cases (notification_id) {
        notification_id -> Uuid,
        case_status -> Text,
        assignee -> Nullable<Uuid>,
        revision -> Int4,
        updated_at -> Timestamptz,
        updated_by -> Uuid,
    }
}

diesel::table! {
    confirmation_tokens (id) {
        id -> Uuid,
        notification_id -> Uuid,
        token_hash -> Bytea,
        action -> Text,
        version -> Nullable<Int4>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        receipt_id -> Nullable<Uuid>,
        replay_cookie_hash -> Nullable<Bytea>,
        replay_sealed_key -> Nullable<Bytea>,
        replay_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    data_migrations (name) {
        name -> Text,
        rows -> Int8,
        done_at -> Timestamptz,
    }
}

diesel::table! {
    event_counters (organisation_id) {
        organisation_id -> Uuid,
        last -> Int8,
    }
}

diesel::table! {
    events (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        sequence -> Int8,
        #[sql_name = "type"]
        type_ -> Text,
        occurred_at -> Timestamptz,
        number -> Text,
        data -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Bytea,
        status -> Int2,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notification_versions (notification_id, version) {
        notification_id -> Uuid,
        version -> Int4,
        kind -> Text,
        content -> Jsonb,
        content_digest -> Text,
        submitted_at -> Timestamptz,
        submitted_by_kind -> Text,
        submitted_by -> Uuid,
        state -> Text,
        confirmed_at -> Nullable<Timestamptz>,
        controller_is_submitter -> Bool,
        confirmed_month -> Nullable<Date>,
        controller_verified -> Bool,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        number -> Text,
        organisation_id -> Uuid,
        status -> Text,
        registered_version -> Nullable<Int4>,
        latest_version -> Int4,
        journal -> Bool,
        key_hash -> Nullable<Bytea>,
        revision -> Int4,
        law -> Text,
        legal_ground -> Text,
        sector -> Text,
        purpose -> Text,
        controller_name -> Text,
        description -> Nullable<Text>,
        start_date -> Date,
        previous_number -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        registered_at -> Nullable<Timestamptz>,
        expires_on -> Nullable<Date>,
        reminder_sent_for -> Nullable<Date>,
        submitted_month -> Nullable<Date>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        name -> Text,
        identifier_scheme -> Text,
        identifier_value -> Text,
        address -> Jsonb,
        created_at -> Timestamptz,
        claim_disputed_at -> Nullable<Timestamptz>,
        claim_dispute_note -> Nullable<Text>,
        verified_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamptz,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        about -> Nullable<Text>,
        html_body -> Nullable<Text>,
        attachment -> Nullable<Bytea>,
        attachment_name -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamptz,
        used -> Int4,
    }
}

diesel::table! {
    receipts (id) {
        id -> Uuid,
        notification_id -> Uuid,
        number -> Text,
        version -> Int4,
        kind -> Text,
        content -> Jsonb,
        jws -> Text,
        created_at -> Timestamptz,
        seq -> Int8,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Uuid,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        mfa_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    register_changes (sequence) {
        sequence -> Int8,
        number -> Text,
        change -> Text,
        version -> Nullable<Int4>,
        at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    register_entries (number) {
        number -> Text,
        version -> Int4,
        controller_name -> Text,
        controller_identifier_scheme -> Text,
        controller_identifier_value -> Text,
        controller_identifier_country -> Nullable<Text>,
        representative_name -> Nullable<Text>,
        representative_identifier_scheme -> Nullable<Text>,
        representative_identifier_value -> Nullable<Text>,
        representative_identifier_country -> Nullable<Text>,
        law -> Text,
        legal_ground -> Text,
        sector -> Text,
        purpose -> Text,
        research_area -> Nullable<Text>,
        start_date -> Date,
        first_registered_at -> Timestamptz,
        last_confirmed_at -> Timestamptz,
        expires_on -> Date,
        processors -> Jsonb,
        transfer_countries -> Array<Nullable<Text>>,
        transfers_abroad -> Bool,
        identifiers -> Array<Nullable<Text>>,
        search -> Tsvector,
    }
}

diesel::table! {
    throttle (key) {
        key -> Text,
        failures -> Int4,
        last_failure_at -> Timestamptz,
        blocked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    totp_factors (user_id) {
        user_id -> Uuid,
        secret_sealed -> Bytea,
        created_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
        last_step -> Nullable<Int8>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        organisation_id -> Nullable<Uuid>,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(api_clients -> organisations (organisation_id));
diesel::joinable!(case_notes -> notifications (notification_id));
diesel::joinable!(case_notes -> users (author));
diesel::joinable!(cases -> notifications (notification_id));
diesel::joinable!(cases -> users (assignee));
diesel::joinable!(confirmation_tokens -> notifications (notification_id));
diesel::joinable!(event_counters -> organisations (organisation_id));
diesel::joinable!(events -> organisations (organisation_id));
diesel::joinable!(notification_versions -> notifications (notification_id));
diesel::joinable!(notifications -> organisations (organisation_id));
diesel::joinable!(receipts -> notifications (notification_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(totp_factors -> users (user_id));
diesel::joinable!(users -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    audit_head,
    audit_log,
    case_notes,
    cases,
    confirmation_tokens,
    data_migrations,
    event_counters,
    events,
    idempotency_keys,
    notification_versions,
    notifications,
    organisations,
    outbox,
    rate_limits,
    receipts,
    recovery_codes,
    refresh_tokens,
    register_changes,
    register_entries,
    throttle,
    totp_factors,
    users,
);
