-- outbox dispatching
-- A row's hand-over, marked (issue 16): 1 from the claim until its channel took it (queued on the
-- modem, handed to the SMTP client), written back to 0 right after. A crash while it is 1 was
-- Relais dying on this message (it counts towards the quarantine of a message that kills it); a
-- crash after (the modem transmitting it or waiting its turn, the relay answering) is not the
-- message's doing: it goes again without counting.
ALTER TABLE outbox ADD COLUMN dispatching INTEGER NOT NULL DEFAULT 0;
