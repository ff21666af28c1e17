-- the dealership's message templates
-- What a dealer admin wrote over the shipped texts (issue 15, messaging/message_templates.hpp):
-- one row per save of one kind of message in one language, numbered from 1. `parts` holds the
-- texts of that version ({"offer_sms": "…"}, JSON); NULL when that version went back to the
-- shipped texts. No row for a kind and language: the shipped texts, "version 0".
CREATE TABLE message_templates (
  kind TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('fr', 'en')),
  version INTEGER NOT NULL CHECK (version >= 1),
  parts TEXT,
  created_at INTEGER NOT NULL,
  created_by_user_id INTEGER,
  created_by_name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, language, version)
);

-- The template a message was written from: "offer_sms/fr/3" (kind, language, version; 0 for the
-- shipped texts); empty for messages no template writes, and for those queued before.
ALTER TABLE outbox ADD COLUMN template TEXT NOT NULL DEFAULT '';

-- An offer sent with the advisor's own wording of its messages ({"sms", "email_subject",
-- "email_body"}, JSON; "" when none), and in the name of a colleague other than the RO's advisor.
ALTER TABLE offers ADD COLUMN message_edits TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN sender_user_id INTEGER REFERENCES users(id);

-- What a user signs their customer emails with (the offer and reminder emails sent in their
-- name); set by the user in the workspace, "" when none.
ALTER TABLE users ADD COLUMN email_signature TEXT NOT NULL DEFAULT '';
