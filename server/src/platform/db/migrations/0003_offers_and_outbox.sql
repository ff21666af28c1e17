-- offers, their recipients, magic links, decisions and the outbox
--
-- Offers (DESIGN.md §2). Each row of `offers` is one immutable version: what the customer
-- sees is frozen in `snapshot` (JSON); a new send makes a new row and supersedes the older.
-- Messages go through `outbox`, written in the same transaction as the offer (§5).

CREATE TABLE offers (
  id INTEGER PRIMARY KEY,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sent', 'received', 'seen', 'confirmed', 'locked',
                                       'failed', 'superseded', 'expired', 'cancelled')),
  note TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL,
  snapshot TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  sent_at INTEGER,
  received_at INTEGER,
  seen_at INTEGER,
  confirmed_at INTEGER,
  locked_at INTEGER,
  expires_at INTEGER NOT NULL,
  UNIQUE (ro_id, version)
);

CREATE TABLE offer_recipients (
  id INTEGER PRIMARY KEY,
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  address TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  party_id INTEGER,
  contact_point_id INTEGER,
  language TEXT NOT NULL
);
CREATE INDEX offer_recipients_offer ON offer_recipients(offer_id);
CREATE INDEX offer_recipients_address ON offer_recipients(address);

-- Magic links: only the SHA-256 of the token is kept.
CREATE TABLE offer_links (
  id INTEGER PRIMARY KEY,
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  recipient_id INTEGER NOT NULL REFERENCES offer_recipients(id),
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  device_hash BLOB,
  bound_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX offer_links_recipient ON offer_links(recipient_id);

CREATE TABLE offer_decisions (
  offer_id INTEGER NOT NULL REFERENCES offers(id),
  intervention_id INTEGER NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'decline', 'contact_me')),
  decided_at INTEGER NOT NULL,
  PRIMARY KEY (offer_id, intervention_id)
);

CREATE TABLE outbox (
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
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_offer ON outbox(offer_id);
