-- Links a client makes for a doctor: a period of their report, opened without an account.
-- The token is stored only as a SHA-256 hash; every view is kept for the client's access log.
CREATE TABLE report_links (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    views BIGINT NOT NULL DEFAULT 0,
    last_viewed_at TIMESTAMP
);
CREATE INDEX report_links_client ON report_links (client_id);

CREATE TABLE report_views (
    id TEXT PRIMARY KEY NOT NULL,
    link_id TEXT NOT NULL REFERENCES report_links (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    resource TEXT NOT NULL
);
CREATE INDEX report_views_client ON report_views (client_id, at);
