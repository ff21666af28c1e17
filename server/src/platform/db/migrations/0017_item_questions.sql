-- questions on an offer's items, and the debounced message of their answers
-- A customer's question on an item of the offer they opened, and the advisor's answers (issue 15,
-- offers/questions.hpp): one row per entry of an item's thread, in order. `recipient_id`: the
-- offer recipient whose link asked (a customer's entry); `told_at`: when the message that carries
-- an advisor's answer to the customer was queued (NULL: still waiting for it).
CREATE TABLE offer_questions (
  id INTEGER PRIMARY KEY,
  offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id),
  intervention_id INTEGER NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  at INTEGER NOT NULL,
  recipient_id INTEGER,
  by_user_id INTEGER,
  by_name TEXT NOT NULL DEFAULT '',
  told_at INTEGER
);
CREATE INDEX offer_questions_ro ON offer_questions(ro_id, intervention_id, id);
CREATE INDEX offer_questions_offer ON offer_questions(offer_id, at);

-- The message of an offer's answers, waiting: `first_at` the oldest answer not yet told, `due_at`
-- ten minutes after the last one (at most an hour after the first), then the next opening. The row
-- is removed in the transaction that queues the message, so a restart neither loses nor doubles it.
CREATE TABLE offer_answer_messages (
  offer_id INTEGER PRIMARY KEY REFERENCES offers(id) ON DELETE CASCADE,
  first_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL
);
CREATE INDEX offer_answer_messages_due ON offer_answer_messages(due_at);
