-- opt-outs; inbound SMS matched to offers
--
-- Numbers and addresses that asked to receive nothing more ("STOP"): kept apart from contact
-- points so that a number typed again on a new repair order stays opted out.

CREATE TABLE opt_outs (
  address TEXT PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
  at INTEGER NOT NULL,
  source TEXT NOT NULL
);
ALTER TABLE sms_inbound ADD COLUMN ro_id INTEGER;
ALTER TABLE sms_inbound ADD COLUMN offer_id INTEGER;
