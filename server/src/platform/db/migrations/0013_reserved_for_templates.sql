-- reserved: the templates branch's migration 0013 (issue 15) replaces this file at the merge
-- Nothing here: the numbers run without a gap, and the notifications' migration is 0014.
CREATE TABLE reserved_0013 (x INTEGER);
DROP TABLE reserved_0013;
