-- Entries name their owner by a small number instead of the 36-character user id. The id was
-- repeated in the table and in all three of its indexes: about 140 of every entry's 680 bytes
-- on disk, written twice (log and checkpoint) and again each time a page was touched.
ALTER TABLE users ADD COLUMN num INTEGER;
UPDATE users SET num = rowid;
CREATE UNIQUE INDEX users_num ON users (num);
-- New users are numbered on from the highest number (not from the rowid, which VACUUM may
-- renumber).
CREATE TRIGGER users_numbered AFTER INSERT ON users WHEN NEW.num IS NULL
BEGIN
    UPDATE users SET num = (SELECT COALESCE(MAX(num), 0) + 1 FROM users) WHERE rowid = NEW.rowid;
END;

CREATE TABLE entries_numbered (
    user_num INTEGER NOT NULL REFERENCES users (num) ON DELETE CASCADE,
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
    PRIMARY KEY (user_num, id)
);
INSERT INTO entries_numbered
SELECT u.num, e.id, e.kind, e.occurred_at, e.utc_offset_min, e.data, e.field_versions,
       e.version, e.deleted, e.seq, e.created_at, e.updated_at
FROM entries e JOIN users u ON u.id = e.user_id;
DROP TABLE entries;
ALTER TABLE entries_numbered RENAME TO entries;
CREATE INDEX entries_user_time ON entries (user_num, occurred_at);
CREATE UNIQUE INDEX entries_user_seq ON entries (user_num, seq);
