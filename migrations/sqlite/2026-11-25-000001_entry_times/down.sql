DROP TRIGGER entries_times_deleted;
DROP TRIGGER entries_times_changed;
CREATE INDEX entries_user_time ON entries (user_num, occurred_at);
ALTER TABLE users DROP COLUMN timed_seq;
DROP TABLE entry_times;
