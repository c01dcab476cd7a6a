DROP TABLE note_addenda;
DROP TABLE notes;
DROP TABLE access_log;
DROP TABLE shares;
