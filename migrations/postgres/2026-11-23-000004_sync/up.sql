-- Offline clients: the last mutation id applied per client (exactly-once pushes), and the
-- highest change sequence whose tombstones were purged (older pull cursors are refused).
CREATE TABLE sync_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_mid BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sync_clients_user ON sync_clients (user_id);
ALTER TABLE users ADD COLUMN purged_seq BIGINT NOT NULL DEFAULT 0;
