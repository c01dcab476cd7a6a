DROP TABLE sync_clients;
ALTER TABLE users DROP COLUMN purged_seq;
