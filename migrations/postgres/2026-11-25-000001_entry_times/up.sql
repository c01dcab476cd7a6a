-- The time index of entries kept apart and filled in bulk, as on SQLite (see its migration):
-- rows with `seq <= users.timed_seq` are in `entry_times`; readers find the rest by sequence.
CREATE TABLE entry_times (
    user_num BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (user_num, occurred_at, seq)
);
ALTER TABLE users ADD COLUMN timed_seq BIGINT NOT NULL DEFAULT 0;
INSERT INTO entry_times (user_num, occurred_at, seq)
SELECT user_num, occurred_at, seq FROM entries WHERE NOT deleted;
UPDATE users SET timed_seq = seq;
DROP INDEX entries_user_time;
CREATE FUNCTION entries_times_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM entry_times
    WHERE user_num = OLD.user_num AND occurred_at = OLD.occurred_at AND seq = OLD.seq;
    RETURN NULL;
END
$$;
CREATE TRIGGER entries_times_changed AFTER UPDATE OF seq ON entries
    FOR EACH ROW EXECUTE FUNCTION entries_times_forget();
CREATE TRIGGER entries_times_deleted AFTER DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION entries_times_forget();
