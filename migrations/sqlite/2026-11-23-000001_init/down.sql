DROP TABLE entries;
DROP TABLE sessions;
DROP TABLE users;
