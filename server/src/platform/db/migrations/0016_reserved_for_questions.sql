-- reserved: migration 16 is the questions branch's (questions on an item, issue 15)
-- This branch (the repair report) was given migration 17 while 16 was being written on another
-- branch; the migrations are numbered without gaps, so this one holds the place and changes
-- nothing. When the branches merge, the questions' 0016 replaces this file.
-- (A migration creates or alters something: this one creates a table and drops it at once.)
CREATE TABLE reserved_migration_16 (x INTEGER);
DROP TABLE reserved_migration_16;
