-- the advisor's callbacks
-- What came of calling back a customer who answered "contact me" for an item of a confirmed
-- offer (issue 15, offers/callbacks.hpp): `not_reached` keeps it on the list (attempts counted,
-- the last note and time shown), `done` takes it off. One row per (offer, intervention).
CREATE TABLE offer_callbacks (
  offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  intervention_id INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  by_user_id INTEGER,
  by_name TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (offer_id, intervention_id)
);
