-- quarantined outbox messages; requests for fresh links
--
-- Hardening (issue 10): a message that was being sent each time Relais died is quarantined
-- instead of being sent again for ever (`interruptions` counts those deaths), and every request
-- for a fresh link is kept, so that the limits per link, recipient and address hold across
-- restarts. SQLite cannot change a CHECK, hence the outbox copied into a new table.

CREATE TABLE outbox_v7 (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER REFERENCES repair_orders(id),
  offer_id INTEGER REFERENCES offers(id),
  recipient_id INTEGER REFERENCES offer_recipients(id),
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  html TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'quarantined')),
  attempts INTEGER NOT NULL DEFAULT 0,
  interruptions INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  delivered_at INTEGER
);
INSERT INTO outbox_v7 (id, ro_id, offer_id, recipient_id, purpose, channel, address, name, subject, body, html, state,
                       attempts, next_attempt_at, last_error, detail, message_id, created_at, sent_at, delivered_at)
  SELECT id, ro_id, offer_id, recipient_id, purpose, channel, address, name, subject, body, html, state, attempts,
         next_attempt_at, last_error, detail, message_id, created_at, sent_at, delivered_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_offer ON outbox(offer_id);

CREATE TABLE access_link_requests (
  id INTEGER PRIMARY KEY,
  link_id INTEGER NOT NULL REFERENCES offer_links(id),
  recipient_id INTEGER NOT NULL REFERENCES offer_recipients(id),
  ip TEXT NOT NULL,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX access_link_requests_link ON access_link_requests(link_id, at);
CREATE INDEX access_link_requests_recipient ON access_link_requests(recipient_id, at);
CREATE INDEX access_link_requests_ip ON access_link_requests(ip, at);
