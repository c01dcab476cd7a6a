-- The time index of entries moves out of the table's own indexes into `entry_times`, filled in
-- bulk. A push of entries whose times are spread over months inserted into a leaf of the old
-- `(user_num, occurred_at)` index for nearly every entry, and each leaf it touched was written
-- whole to the log and again by the checkpoint: twice the bytes of the same push in time order.
-- Now a big push only appends to the table (by sequence); its times are added to `entry_times`
-- later, many at once, sorted (`store::times`). Rows with `seq <= users.timed_seq` are there;
-- readers find the rest by sequence.
CREATE TABLE entry_times (
    user_num INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (user_num, occurred_at, seq)
) WITHOUT ROWID;
ALTER TABLE users ADD COLUMN timed_seq BIGINT NOT NULL DEFAULT 0;
INSERT INTO entry_times (user_num, occurred_at, seq)
SELECT user_num, occurred_at, seq FROM entries WHERE NOT deleted ORDER BY user_num, occurred_at, seq;
UPDATE users SET timed_seq = seq;
DROP INDEX entries_user_time;
-- An entry's time row names the state it was added for; any change gives the entry a new
-- sequence number, so that row goes (the new state is found by sequence until added again).
CREATE TRIGGER entries_times_changed AFTER UPDATE OF seq ON entries
BEGIN
    DELETE FROM entry_times
    WHERE user_num = OLD.user_num AND occurred_at = OLD.occurred_at AND seq = OLD.seq;
END;
CREATE TRIGGER entries_times_deleted AFTER DELETE ON entries
BEGIN
    DELETE FROM entry_times
    WHERE user_num = OLD.user_num AND occurred_at = OLD.occurred_at AND seq = OLD.seq;
END;
