//! The one portable schema, valid for SQLite and PostgreSQL alike.
//! Only types `MultiConnection` supports: ids and JSON as Text, instants as UTC Timestamp.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        timezone -> Nullable<Text>,
        cautions -> Text,
        thresholds -> Text,
        seq -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        purged_seq -> BigInt,
        /// A small number for the user, given by the database: what `entries` holds.
        num -> BigInt,
        /// Every entry of the user's with `seq` up to this is in `entry_times` (unless deleted).
        timed_seq -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    entries (user_num, id) {
        /// The owner's `users.num`.
        user_num -> BigInt,
        id -> Text,
        kind -> Text,
        occurred_at -> Timestamp,
        utc_offset_min -> Integer,
        data -> Text,
        field_versions -> Text,
        version -> BigInt,
        deleted -> Bool,
        seq -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The time index of `entries`, kept apart and filled in bulk (`store::times`).
    entry_times (user_num, occurred_at, seq) {
        user_num -> BigInt,
        occurred_at -> Timestamp,
        seq -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    server_keys (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    shares (id) {
        id -> Text,
        client_id -> Text,
        code_hash -> Text,
        scope -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        redeemed_by -> Nullable<Text>,
        redeemed_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_access_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_log (id) {
        id -> Text,
        client_id -> Text,
        therapist_id -> Text,
        at -> Timestamp,
        action -> Text,
        resource -> Text,
    }
}

diesel::table! {
    notes (id) {
        id -> Text,
        client_id -> Text,
        therapist_id -> Text,
        session_entry_id -> Nullable<Text>,
        subjective -> Text,
        objective -> Text,
        assessment -> Text,
        plan -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finalized_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    note_addenda (id) {
        id -> Text,
        note_id -> Text,
        therapist_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sync_clients (client_id) {
        client_id -> Text,
        user_id -> Text,
        last_mid -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_links (id) {
        id -> Text,
        client_id -> Text,
        token_hash -> Text,
        from_date -> Text,
        to_date -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        views -> BigInt,
        last_viewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    report_views (id) {
        id -> Text,
        link_id -> Text,
        client_id -> Text,
        at -> Timestamp,
        resource -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    sync_clients,
    users,
    sessions,
    entries,
    entry_times,
    server_keys,
    shares,
    access_log,
    notes,
    note_addenda,
    report_links,
    report_views
);
