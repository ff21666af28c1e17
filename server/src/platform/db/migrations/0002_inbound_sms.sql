-- inbound SMS
--
-- Inbound SMS are written before the modem deletes them: nothing a customer sends is lost,
-- even before it is matched to an offer.

CREATE TABLE sms_inbound (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  text TEXT NOT NULL,
  parts INTEGER NOT NULL DEFAULT 1,
  complete INTEGER NOT NULL DEFAULT 1,
  sent_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX sms_inbound_sender ON sms_inbound(sender, received_at);
