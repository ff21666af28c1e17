-- how the customer likes to be addressed
-- A party's preferred name ("Jean", "M. Dupont"), typed by the advisor or given by the DMS; empty:
-- none, the full name is used. Kept on each offer's recipient as it was when the offer was sent,
-- so that its reminders and new links greet the customer as its first message did.
ALTER TABLE parties ADD COLUMN preferred_name TEXT NOT NULL DEFAULT '';
ALTER TABLE offer_recipients ADD COLUMN preferred_name TEXT NOT NULL DEFAULT '';
