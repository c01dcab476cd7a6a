ALTER TABLE entries ADD COLUMN user_id TEXT;
UPDATE entries SET user_id = users.id FROM users WHERE users.num = entries.user_num;
ALTER TABLE entries ALTER COLUMN user_id SET NOT NULL;
DROP INDEX entries_user_time;
DROP INDEX entries_user_seq;
ALTER TABLE entries DROP CONSTRAINT entries_pkey;
ALTER TABLE entries DROP COLUMN user_num;
ALTER TABLE entries ADD PRIMARY KEY (user_id, id);
ALTER TABLE entries ADD CONSTRAINT entries_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX entries_user_time ON entries (user_id, occurred_at);
CREATE UNIQUE INDEX entries_user_seq ON entries (user_id, seq);
ALTER TABLE users DROP CONSTRAINT users_num;
ALTER TABLE users DROP COLUMN num;
