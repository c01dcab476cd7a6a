CREATE TABLE entries_by_id (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    utc_offset_min INTEGER NOT NULL,
    data TEXT NOT NULL,
    field_versions TEXT NOT NULL DEFAULT '{}',
    version BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT 0,
    seq BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, id)
);
INSERT INTO entries_by_id
SELECT u.id, e.id, e.kind, e.occurred_at, e.utc_offset_min, e.data, e.field_versions,
       e.version, e.deleted, e.seq, e.created_at, e.updated_at
FROM entries e JOIN users u ON u.num = e.user_num;
DROP TABLE entries;
ALTER TABLE entries_by_id RENAME TO entries;
CREATE INDEX entries_user_time ON entries (user_id, occurred_at);
CREATE UNIQUE INDEX entries_user_seq ON entries (user_id, seq);
DROP TRIGGER users_numbered;
DROP INDEX users_num;
ALTER TABLE users DROP COLUMN num;
