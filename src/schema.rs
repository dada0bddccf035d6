// @generated automatically by Diesel CLI.

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
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    audit_log,
    organisations,
    refresh_tokens,
    throttle,
    users,
);
