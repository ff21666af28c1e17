-- the offers' reminder plans
-- Each offer's reminders (issue 15, offers/reminders.hpp): the cadence chosen at send, when the
-- count started (a resend restarts it), the last reminder or change of cadence, how many went,
-- a pause, and the next one's due time (deferred to the opening hours). `ended` says why no
-- more will go: the offer's state, `opted_out`, or `no_answer` when the fifth went unanswered.
CREATE TABLE offer_reminders (
  offer_id INTEGER PRIMARY KEY REFERENCES offers(id) ON DELETE CASCADE,
  policy TEXT NOT NULL,
  every_hours INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  anchor_at INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  paused INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER,
  ended TEXT NOT NULL DEFAULT '',
  no_answer_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX offer_reminders_next ON offer_reminders(next_at) WHERE next_at IS NOT NULL;
