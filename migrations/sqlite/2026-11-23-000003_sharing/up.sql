-- Share codes (stored as SHA-256 hashes), the therapists who redeemed them, every therapist
-- access, and session notes with their addenda.
CREATE TABLE shares (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'read_notes')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    redeemed_by TEXT REFERENCES users (id) ON DELETE CASCADE,
    redeemed_at TIMESTAMP,
    revoked_at TIMESTAMP,
    last_access_at TIMESTAMP
);
CREATE INDEX shares_client ON shares (client_id);
CREATE INDEX shares_therapist ON shares (redeemed_by);

CREATE TABLE access_log (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    therapist_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('read', 'write')),
    resource TEXT NOT NULL
);
CREATE INDEX access_log_client ON access_log (client_id, at);

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    therapist_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_entry_id TEXT,
    subjective TEXT NOT NULL,
    objective TEXT NOT NULL,
    assessment TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finalized_at TIMESTAMP
);
CREATE INDEX notes_client ON notes (client_id, created_at);

CREATE TABLE note_addenda (
    id TEXT PRIMARY KEY NOT NULL,
    note_id TEXT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    therapist_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda (note_id);
