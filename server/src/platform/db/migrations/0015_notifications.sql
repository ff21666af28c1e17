-- staff notifications and their email digests
-- What a customer or a failed message did on an RO, told to its advisor and to the colleague who
-- sent the offer (issue 15, notifications/): one row per user and timeline event, written in the
-- transaction that appended the event; read per item. Read ones go after 30 days (housekeeping).
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ro_id INTEGER NOT NULL REFERENCES repair_orders(id),
  event_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  read_at INTEGER,
  digested_at INTEGER,
  UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_read_at ON notifications(read_at) WHERE read_at IS NOT NULL;

-- Each user's choice: an email digest of their notifications, to this address.
CREATE TABLE notification_settings (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL DEFAULT '',
  digest INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

-- A digest waiting to go: `first_at` the oldest notification not yet mailed, `due_at` ten minutes
-- after the last one (at most an hour after the first). The row is removed in the transaction that
-- queues the email, so a restart neither loses nor doubles a digest.
CREATE TABLE notification_digests (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  first_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL
);
CREATE INDEX notification_digests_due ON notification_digests(due_at);
